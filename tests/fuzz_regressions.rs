//! What the fuzz target (`fuzz/`) found, minimised: each file in `fuzz/regressions/`
//! is a runbook's bytes (without the fuzz input's selector byte), checked here in every
//! run a selector can pick (safe and unsafe fixes, each identity, subscription source
//! and `check` format) by the fuzz target's own invariants. So they run in every
//! `cargo test`, fuzzer or not.

#[path = "support/invariants.rs"]
mod invariants;

use std::path::{Path, PathBuf};

use invariants::{check_bytes, Selector};

fn regressions() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions")
}

fn check_every_run(file: &str) {
    let bytes = std::fs::read(regressions().join(file)).expect("the regression file is there");
    for selector in Selector::all() {
        if let Err(violation) = check_bytes(&bytes, selector) {
            panic!("{file}, selector {:#04x}: {violation}", selector.0);
        }
    }
}

macro_rules! regressions {
    ($($(#[$attribute:meta])* $name:ident: $file:literal,)*) => {
        $(
            $(#[$attribute])*
            #[test]
            fn $name() {
                check_every_run($file);
            }
        )*
        const FILES: &[&str] = &[$($file),*];
    };
}

regressions! {
    // A UTF-8 BOM, then a Windows-1252 byte (é in a comment): decoded as Windows-1252
    // but encoded back as UTF-8, so a fix that adds one line rewrites the comment too.
    bom_then_windows_1252: "bom-then-windows-1252.ps1",
    // A Run As sign-in in a catch, then a later try that signs in with the identity:
    // MI102's fallback check slices the text from that later try's end to the catch.
    identity_try_after_run_as_catch: "identity-try-after-run-as-catch.ps1",
    // With unsafe fixes, MI103's loop rewrite would delete `$attempt = 0` while the
    // rewritten sign-in still reads `$attempt`: refused, and dropped for good by code
    // and message. Once MI102 has rewritten the sign-in, MI103 offers the same message
    // with a harmless edit, but the first run filters it out; a second run applies it.
    retry_loop_refused_then_harmless: "retry-loop-refused-then-harmless.ps1",
    // An identity sign-in's catch falls back to Run As, and the fallback sign-in ends
    // in code the parser cannot read (`Out-(Null`). MI102's fallback removal replaces
    // the catch's readable statements with `throw`, then `throw` with `throw`: fix
    // never converges and so fixes nothing in the file. Found by the property test
    // `mutated_runbooks_fix_safely` (it made that test flaky), then by the fuzzer.
    fallback_sign_in_unreadable: "fallback-sign-in-unreadable.ps1",
    // A run of NUL bytes inside a comment, in a file read as text: the fix deletes the
    // retry loop around it, and the shorter file has so many NULs that it would read
    // back as binary. Such a fix is not written (`SourceText::encode` refuses bytes
    // that do not read back as the fixed text).
    nul_padding_looks_binary_after_fix: "nul-padding-looks-binary-after-fix.ps1",
    // An unclosed `<#` after a comment line: error recovery starts the first statement
    // at the line break, so the client-id declaration went in before it, at the end of
    // the comment line, and so into the comment (then a second time on the next pass,
    // as the first was not seen). Found by the fuzzer in CI. Statements now start at
    // their first character.
    statement_starting_at_a_line_break: "statement-starting-at-a-line-break.ps1",
    // MI901 deletes an unused suppression comment to the end of its line; the next
    // line's `#>` is a comment the parser starts at the line break before it. The
    // output is right, but the invariant's character diff dropped the lone kept line
    // break as a chance match and took it for text inserted into that comment. Found
    // by the fuzzer; the invariant now keeps line breaks.
    newline_into_comment_ending_a_block: "newline-into-comment-ending-a-block.ps1",
    // A mangled script the parser reads as one ERROR node with the statements as its
    // children, and a `for` header fused to a sign-in inside a retry loop: the sign-in
    // had no statement (0..0) and MI103 sliced from its end to that statement's end
    // (a panic). Pieces of an ERROR node outside any statement are statements now, and
    // every place's statement holds its code. Found by the fuzzer.
    sign_in_outside_any_statement: "sign-in-outside-any-statement.ps1",
    // A `# mimigrate: ignore[MI101]` in use while the fix remembers the connection as
    // Run As; once the sign-in is rewritten, a fresh look (the next run's) finds it
    // unused and removes it: a second run changed the text. The fix loop now looks
    // afresh at a changed text before it ends. Found by the fuzzer in CI.
    suppression_left_unused_by_the_remembered_run_as: "suppression-left-unused-by-the-remembered-run-as.ps1",
    // A hand-made token URL whose client_id is `h<NUL><NUL><NUL>$uamiClientId`: MI201
    // deleted the assignment and wrote that value, no GUID, onto the sign-in as
    // `-AccountId 'h...'` (which the invariant saw as text inserted into the old
    // literal). Only a GUID is taken for a client id now. Found by the fuzzer in CI.
    client_id_value_inlined_from_a_url: "client-id-value-inlined-from-a-url.ps1",
    // An MI104 fix refused (it would have left a parse error) in a pass that kept
    // nothing, so the refusal outlived the pass; the next run judged it anew on the
    // fixed text and applied it. The last, fresh look now judges refused fixes anew
    // too. Found by a local fuzz run (76,442 executions, 12 minutes).
    refused_fix_rejudged_only_by_a_second_run: "refused-fix-rejudged-only-by-a-second-run.ps1",
    // A `param()` block whose last parameter ends in a two-byte character: adding the
    // subscription parameter looked for the line one byte before its end, inside that
    // character (a panic). `line_start` takes any offset now. Found by the fuzzer in CI.
    parameter_list_ending_in_a_multibyte_character: "parameter-list-ending-in-a-multibyte-character.ps1",
    // An `if` around Run As code whose body starts on a line with other code before it
    // (ending in `’`): MI101 took the body's indentation from the line's start and
    // stepped back that far from the statement, into the character (a panic). Such a
    // body is left to a human now. Found by the fuzzer in CI.
    if_body_sharing_its_first_line: "if-body-sharing-its-first-line.ps1",
    // Four user-assigned sign-in rewrites after a broken `param()` block, each adding
    // the `$IdentityClientId` declaration at the same point and each refused (a syntax
    // error): only one of the fixes meeting there is chosen a pass, so refusing them in
    // turn took a pass apiece and used up the passes before the fixes that apply. A
    // pass now chooses again at once without the refused ones. Found by the fuzzer in CI.
    refusals_at_one_insertion_point: "refusals-at-one-insertion-point.ps1",
    // A `'` the parser left unmatched (an ERROR node, so code after it is still read)
    // until MI104 inserted `(Get-AutomationVariable -Name '...')`: its first quote
    // closed the old one, and the code between became a string. A pass that turns
    // kept code into a string or comment is refused now. Found by a local fuzz run.
    unclosed_quote_closed_by_an_inserted_one: "unclosed-quote-closed-by-an-inserted-one.ps1",
    // A splat table with a computed key (`$conn = Get-Item ... Connect-ExchangeOnline
    // @exoParams`, a valid entry whose key is a variable): MI501 rebuilt the sign-in
    // with `-$conn <the pipeline>`, which held the sign-in and its splat again, so each
    // pass grew the call and fix never converged. A table with a computed key is not a
    // table we know now, and an entry's pipeline value goes in parentheses. Found by
    // the fuzzer in CI.
    // The reviewer's check, not the engine: it hid the engine's `# TODO(mimigrate):`
    // lines from its character diff behind \x01 bytes, and the deleted retry loop's
    // comment held a run of them, so the new comment read as an old one grown.
    // Found by a local fuzz run.
    control_bytes_in_a_deleted_comment: "control-bytes-in-a-deleted-comment.ps1",
    // The reviewer's check again: `$conn = Get-AutomationConnection -Nam;e 'Azure...'`
    // loses its first statement, and the character diff paired the kept string's `'A`
    // with the new `-Name 'UAMI'` line above. A string whose text is one of the
    // input's had nothing inserted. Found by a local fuzz run.
    string_kept_whole_beside_a_deleted_statement: "string-kept-whole-beside-a-deleted-statement.ps1",
    computed_splat_key_holding_the_sign_in: "computed-splat-key-holding-the-sign-in.ps1",
}

#[test]
fn every_regression_file_has_a_test() {
    let mut found: Vec<String> = std::fs::read_dir(regressions())
        .expect("fuzz/regressions is there")
        .map(|entry| entry.expect("readable").file_name().to_string_lossy().into_owned())
        .collect();
    found.sort();
    let mut listed: Vec<&str> = FILES.to_vec();
    listed.sort();
    assert_eq!(
        found, listed,
        "each file in fuzz/regressions/ needs its line in regressions!"
    );
}
