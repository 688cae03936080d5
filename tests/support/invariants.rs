//! What every fix run must keep, whatever its input. One copy, included with `#[path]`
//! by the property tests (`tests/properties.rs`), the fuzz target
//! (`fuzz/fuzz_targets/check_fix.rs`) and the fuzz regressions
//! (`tests/fuzz_regressions.rs`), so generated runbooks, arbitrary bytes and minimised
//! crashers are judged alike. Each check says what broke, with input and output.
//!
//! - no new parse errors: the fixed text has no more errors, and no more unreadable
//!   text, than the input (how `fix` itself judges a pass, here checked end to end);
//! - fixes converge, and fixing the fixed text again changes nothing;
//! - line endings and bytes are kept: replaying the reported edits reproduces the
//!   fixed text, and every byte outside them is the same after re-encoding;
//! - no read of a deleted assignment: no variable the input assigns and the output
//!   still reads has lost every assignment;
//! - no text inserted inside a comment or a string: what the fix inserted (a line
//!   diff, refined to characters) lies outside the output's comments and string
//!   literals, except a comment or string that is new as a whole (`# TODO(mimigrate):`).
#![allow(dead_code)] // each includer uses its own subset

use std::collections::BTreeSet;
use std::ops::Range;

use mimigrate::diagnostic::Edit;
use mimigrate::fix::{fix_text, FixMode, FixOutcome};
use mimigrate::lint::{CheckedFile, LintOptions};
use mimigrate::output::{apply_edits, Format};
use mimigrate::source::{Encoding, SourceText};
use mimigrate::syntax::model::Script;
use mimigrate::target::{Identity, MigrationTarget, SubscriptionSource};
use similar::{ChangeTag, DiffTag, TextDiff};

/// Identity profiles: the system identity, a user-assigned one by literal client id,
/// and one whose client id an Automation variable holds.
pub const IDENTITIES: usize = 3;
/// Subscription sources for `$conn.SubscriptionID`: none (the signed-in context), an
/// Automation variable, a runbook parameter.
pub const SUBSCRIPTIONS: usize = 3;
/// The output formats of `check` in four groups, in the order `Selector` numbers them:
/// each run prints one group, so every printer is exercised without every run paying
/// for all of them (SARIF, with every rule's documentation, is the costly one).
pub const FORMATS: [&[Format]; 4] = [
    &[Format::Full, Format::Sarif, Format::Github],
    &[Format::Concise, Format::Rdjson, Format::Gitlab],
    &[Format::Json, Format::Azure, Format::Junit],
    &[Format::JsonLines, Format::Markdown],
];

pub fn profile(identity: usize, subscription: usize) -> LintOptions {
    let identity = match identity {
        0 => Identity::System,
        1 => Identity::UserClientId("0b5e3a6c-8f1d-4c2e-9a7b-2d4f6e8a0c1b".into()),
        _ => Identity::UserClientIdVariable("UAMI".into()),
    };
    let subscription = match subscription {
        0 => None,
        1 => Some(SubscriptionSource::AutomationVariable("SubscriptionId".into())),
        _ => Some(SubscriptionSource::RunbookParameter("SubscriptionId".into())),
    };
    LintOptions {
        target: MigrationTarget {
            identity,
            subscription,
            ..MigrationTarget::default()
        },
        ..LintOptions::default()
    }
}

/// How one run is set up, from one byte (a fuzz input's first): bit 0 unsafe fixes,
/// bits 1-2 the identity, bits 3-4 the subscription source, bits 5-6 `check`'s formats.
#[derive(Clone, Copy, Debug)]
pub struct Selector(pub u8);

impl Selector {
    pub fn options(self) -> LintOptions {
        profile(
            usize::from(self.0 >> 1 & 3) % IDENTITIES,
            usize::from(self.0 >> 3 & 3) % SUBSCRIPTIONS,
        )
    }

    pub fn mode(self) -> FixMode {
        FixMode {
            unsafe_fixes: self.0 & 1 == 1,
        }
    }

    pub fn formats(self) -> &'static [Format] {
        FORMATS[usize::from(self.0 >> 5 & 3)]
    }

    /// One selector for each combination of the above.
    pub fn all() -> impl Iterator<Item = Selector> {
        (0..128u8)
            .filter(|b| (b >> 1 & 3) < IDENTITIES as u8 && (b >> 3 & 3) < SUBSCRIPTIONS as u8)
            .map(Selector)
    }
}

/// `check` then `fix` on a file's bytes, as the CLI runs them, and every invariant.
/// Bytes that are no script (binary, broken UTF-16) must only be refused, not crash.
pub fn check_bytes(bytes: &[u8], selector: Selector) -> Result<(), String> {
    let Ok(source) = SourceText::decode(bytes) else {
        return Ok(());
    };
    let options = selector.options();
    check_and_print(&source, &options, selector.formats())?;
    let outcome = check_everything(&source.text, &options, selector.mode())?;
    bytes_kept(bytes, &source, &outcome)
        .map_err(|what| context(what, &source.text, &options, selector.mode(), &outcome))
}

/// `check` as `formats` need it (with the `[*]` fixability or without), then each of
/// their printers on the findings.
fn check_and_print(source: &SourceText, options: &LintOptions, formats: &[Format]) -> Result<(), String> {
    let fixability = formats.iter().any(|f| f.shows_fixability());
    let file = CheckedFile::check("runbook.ps1".into(), source.clone(), options, fixability, None);
    for format in formats {
        let mut out = Vec::new();
        format
            .printer(false)
            .print(std::slice::from_ref(&file), &mut out)
            .map_err(|e| format!("printing {format:?} failed: {e}"))?;
    }
    Ok(())
}

/// One thing a fix run must keep true.
#[derive(Clone, Copy, Debug)]
pub enum Invariant {
    Converges,
    NoNewParseErrors,
    Idempotent,
    LineEndingsKept,
    NoDanglingReads,
    NoInsertionsIntoLiterals,
}

use Invariant::*;

impl Invariant {
    pub const EVERY: [Invariant; 6] = [
        Converges,
        NoNewParseErrors,
        Idempotent,
        LineEndingsKept,
        NoDanglingReads,
        NoInsertionsIntoLiterals,
    ];
}

/// Every invariant on one fix run of `text`; the outcome for further checks.
pub fn check_everything(text: &str, options: &LintOptions, mode: FixMode) -> Result<FixOutcome, String> {
    check_invariants(text, options, mode, &Invariant::EVERY)
}

/// What `fix` guarantees of any text: parse errors, convergence, idempotence, line endings.
pub fn check_fix(text: &str, options: &LintOptions, mode: FixMode) -> Result<FixOutcome, String> {
    check_invariants(
        text,
        options,
        mode,
        &[Converges, NoNewParseErrors, Idempotent, LineEndingsKept],
    )
}

/// What a reviewer checks first on a fixed runbook (`shared/tools/selfcheck`), here
/// decided on the engine's own tree instead of a lexical scan.
pub fn check_safety(text: &str, options: &LintOptions, mode: FixMode) -> Result<FixOutcome, String> {
    check_invariants(
        text,
        options,
        mode,
        &[Converges, NoDanglingReads, NoInsertionsIntoLiterals],
    )
}

/// Fix `text` once and check `invariants` on the result, in order; the first broken
/// one is the error, with the run's context.
pub fn check_invariants(
    text: &str,
    options: &LintOptions,
    mode: FixMode,
    invariants: &[Invariant],
) -> Result<FixOutcome, String> {
    let outcome = fix_text(text, options, mode);
    let (before, after) = (Script::parse(text), Script::parse(&outcome.text));
    let broken = invariants.iter().find_map(|invariant| {
        match invariant {
            Converges => converged(&before, &outcome),
            NoNewParseErrors => no_new_parse_errors(&before, &after),
            Idempotent => idempotent(&outcome, options, mode),
            LineEndingsKept => line_endings_kept(text, &outcome.text),
            NoDanglingReads => no_dangling_reads(&before, &after),
            NoInsertionsIntoLiterals => no_insertions_into_literals(&before, &after),
        }
        .err()
    });
    match broken {
        Some(what) => Err(context(what, text, options, mode, &outcome)),
        None => Ok(outcome),
    }
}

fn context(what: String, text: &str, options: &LintOptions, mode: FixMode, outcome: &FixOutcome) -> String {
    format!(
        "{what}\n(unsafe fixes: {}, identity: {:?}, subscription: {:?})\n--- input\n{text}\n--- output\n{}",
        mode.unsafe_fixes, options.target.identity, options.target.subscription, outcome.text
    )
}

/// A run that does not settle must hand the input back, and must not happen.
fn converged(before: &Script, outcome: &FixOutcome) -> Result<(), String> {
    if !outcome.converged && outcome.text != before.text {
        return Err("fixes did not converge, yet the text changed".into());
    }
    if !outcome.converged {
        return Err(format!("fixes did not converge (unsettled: {:?})", outcome.unsettled));
    }
    Ok(())
}

/// The fixed text has no more parse errors, and no more text the parser cannot read,
/// than the input: the measure `fix` refuses a pass by, here on the whole run.
fn no_new_parse_errors(before: &Script, after: &Script) -> Result<(), String> {
    let unread = |script: &Script| script.errors.iter().map(|e| e.len()).sum::<usize>();
    if after.errors.len() > before.errors.len() || unread(after) > unread(before) {
        let errors =
            |script: &Script| -> Vec<String> { script.errors.iter().map(|e| script.slice(e).to_owned()).collect() };
        return Err(format!("parse errors {:?} -> {:?}", errors(before), errors(after)));
    }
    Ok(())
}

fn idempotent(outcome: &FixOutcome, options: &LintOptions, mode: FixMode) -> Result<(), String> {
    let again = fix_text(&outcome.text, options, mode);
    if again.text != outcome.text {
        return Err(format!(
            "a second fix changed the text ({:?}) to\n{}",
            again.applied.iter().map(|a| a.code).collect::<Vec<_>>(),
            again.text
        ));
    }
    Ok(())
}

/// A file whose line breaks are all CRLF gets no lone LF.
fn line_endings_kept(input: &str, output: &str) -> Result<(), String> {
    let crlf_only = input.contains("\r\n") && !input.replace("\r\n", "").contains('\n');
    if crlf_only && output.replace("\r\n", "").contains('\n') {
        return Err("a lone LF was added to a CRLF file".into());
    }
    Ok(())
}

/// Replaying the fix's edit log on the input gives its output, and every byte of the
/// file outside the edits is the same after re-encoding (BOM included).
pub fn bytes_kept(bytes: &[u8], source: &SourceText, outcome: &FixOutcome) -> Result<(), String> {
    let (replayed, kept) = kept_spans(&source.text, &outcome.passes)?;
    if replayed != outcome.text {
        return Err(format!("the edit log replays to a different text:\n{replayed}"));
    }
    // A text Windows-1252 cannot hold is not written (the CLI says so).
    let Some(output) = source.encode(&outcome.text) else {
        return Ok(());
    };
    let bom = match source.encoding {
        Encoding::Utf8Bom | Encoding::Windows1252Bom => 3,
        Encoding::Utf16Le | Encoding::Utf16Be => 2,
        Encoding::Utf8 | Encoding::Windows1252 | Encoding::Utf16LeNoBom | Encoding::Utf16BeNoBom => 0,
    };
    if output[..bom] != bytes[..bom] {
        return Err(format!("the byte-order mark changed: {:x?}", &output[..bom]));
    }
    // Every encoding here writes a character on its own, so a text offset is the
    // byte length of the text before it.
    let width = |text: &str| match source.encoding {
        Encoding::Utf8 | Encoding::Utf8Bom => text.len(),
        Encoding::Utf16Le | Encoding::Utf16Be | Encoding::Utf16LeNoBom | Encoding::Utf16BeNoBom => {
            2 * text.encode_utf16().count()
        }
        Encoding::Windows1252 | Encoding::Windows1252Bom => text.chars().count(),
    };
    for (origin, range) in kept {
        let old_start = bom + width(&source.text[..origin]);
        let new_start = bom + width(&outcome.text[..range.start]);
        let len = width(&outcome.text[range.clone()]);
        let (old, new) = (
            bytes.get(old_start..old_start + len),
            output.get(new_start..new_start + len),
        );
        if old.is_none() || old != new {
            let (old, new) = (old.unwrap_or_default(), new.unwrap_or_default());
            let at = old.iter().zip(new).take_while(|(a, b)| a == b).count();
            let window =
                |bytes: &[u8]| bytes[at.saturating_sub(8).min(bytes.len())..(at + 8).min(bytes.len())].to_vec();
            return Err(format!(
                "bytes of unedited text {:?}... changed ({} file), from byte {at} of it: {:x?} -> {:x?}",
                outcome.text[range].chars().take(40).collect::<String>(),
                source.encoding,
                window(old),
                window(new)
            ));
        }
    }
    match SourceText::decode(&output) {
        Ok(again) if again.text == outcome.text => Ok(()),
        Ok(again) => Err(format!(
            "the written file reads back as a different text ({} instead of {}):\n{}",
            again.encoding, source.encoding, again.text
        )),
        Err(e) => Err(format!("the written file cannot be read back: {e}")),
    }
}

/// A span of the input no edit touched: where it starts there, where it is now.
type KeptSpan = (usize, Range<usize>);

/// Replay `passes` (each sorted, in the coordinates of the text before it) on `input`:
/// the text they give, and the spans of `input` no edit touched, each as its start in
/// `input` and its range in that text.
fn kept_spans(input: &str, passes: &[Vec<Edit>]) -> Result<(String, Vec<KeptSpan>), String> {
    let mut text = input.to_owned();
    let mut kept = vec![(0, 0..input.len())];
    for (pass, edits) in passes.iter().enumerate() {
        let mut at = 0;
        for edit in edits {
            let Range { start, end } = edit.range;
            if start < at
                || end < start
                || end > text.len()
                || !text.is_char_boundary(start)
                || !text.is_char_boundary(end)
            {
                return Err(format!(
                    "pass {pass}: edit {edit:?} overlaps the one before, is out of bounds or splits a character"
                ));
            }
            at = end;
        }
        // Where a kept offset lands: after every edit that ends at or before it (an
        // insertion there too: a span starting at an insertion point follows it).
        let shift = |offset: usize| {
            edits
                .iter()
                .take_while(|e| e.range.end <= offset)
                .fold(offset, |to, e| to + e.content.len() - e.range.len())
        };
        let mut next = Vec::new();
        for (origin, range) in kept {
            let mut keep = |from: usize, to: usize| {
                if to > from {
                    next.push((origin + from - range.start, shift(from)..shift(from) + to - from));
                }
            };
            let mut from = range.start;
            for edit in edits
                .iter()
                .filter(|e| e.range.end >= range.start && e.range.start <= range.end)
            {
                keep(from, edit.range.start.clamp(from, range.end));
                from = from.max(edit.range.end.min(range.end));
            }
            keep(from, range.end);
        }
        text = apply_edits(&text, edits);
        kept = next;
    }
    Ok((text, kept))
}

/// PowerShell's automatic variables (about_Automatic_Variables), lower-case: PowerShell
/// sets them, so a read of one never depends on an assignment in the script.
const AUTOMATIC: &str = "$ ? ^ _ args consolefilename enabledexperimentalfeatures error event eventargs \
    eventsubscriber executioncontext false foreach home host input iscoreclr islinux ismacos iswindows \
    lastexitcode matches myinvocation nestedpromptlevel null pid profile psboundparameters pscmdlet \
    pscommandpath psculture psdebugcontext psedition pshome psitem psscriptroot pssenderinfo psuiculture \
    psversiontable pwd sender shellid stacktrace switch this true";

fn no_dangling_reads(before: &Script, after: &Script) -> Result<(), String> {
    let dangling = dangling_reads_in(before, after);
    if dangling.is_empty() {
        return Ok(());
    }
    Err(format!("the fix deleted every assignment of {dangling:?}, still read"))
}

/// Variables the input assigns, whose every assignment the fix deleted, and that the
/// output still reads (a `$x` or an `@x` splat, in code).
pub fn dangling_reads(input: &str, output: &str) -> Vec<String> {
    dangling_reads_in(&Script::parse(input), &Script::parse(output))
}

fn dangling_reads_in(before: &Script, after: &Script) -> Vec<String> {
    let assigned =
        |script: &Script| -> BTreeSet<String> { script.assignments.iter().map(|a| a.variable.clone()).collect() };
    let read: BTreeSet<String> = after
        .variables
        .iter()
        .map(|v| v.name.clone())
        .chain(
            after
                .commands
                .iter()
                .flat_map(|c| c.splats.iter().map(|(name, _)| name.clone())),
        )
        .collect();
    assigned(before)
        .difference(&assigned(after))
        .filter(|name| read.contains(*name) && !AUTOMATIC.split_whitespace().any(|a| a == name.as_str()))
        .map(|name| format!("${name}"))
        .collect()
}

fn no_insertions_into_literals(before: &Script, after: &Script) -> Result<(), String> {
    let inserted = insertions_into_literals_in(before, after);
    if inserted.is_empty() {
        return Ok(());
    }
    Err(format!("the fix inserted text into a comment or string: {inserted:#?}"))
}

/// The text of a script's comments and string literals: every comment, and every
/// string minus the code inside it (`$x` and `$(...)` in an expandable string).
fn literal_spans(script: &Script) -> Vec<Range<usize>> {
    // `#Requires` is a directive PowerShell reads, not a comment: MI301 renames the
    // Graph modules it names (`Microsoft.Graph.Users` -> `Microsoft.Graph.Beta.Users`).
    let mut spans: Vec<Range<usize>> = script
        .comments
        .iter()
        .filter(|c| !script.slice(c).to_lowercase().starts_with("#requires"))
        .cloned()
        .collect();
    let mut stack = vec![script.tree.root_node()];
    while let Some(node) = stack.pop() {
        let mut cursor = node.walk();
        let children: Vec<_> = node.children(&mut cursor).collect();
        match node.kind() {
            "verbatim_string_characters" | "verbatim_here_string_characters" => spans.push(node.byte_range()),
            "string_literal" if node.named_child_count() == 0 => spans.push(node.byte_range()),
            "expandable_string_literal" | "expandable_here_string_literal" => {
                let mut at = node.start_byte();
                for code in children
                    .iter()
                    .filter(|c| matches!(c.kind(), "sub_expression" | "variable" | "braced_variable"))
                {
                    spans.push(at..code.start_byte());
                    at = code.end_byte();
                }
                spans.push(at..node.end_byte());
            }
            _ => {}
        }
        stack.extend(children);
    }
    spans.retain(|s| !s.is_empty());
    spans.sort_by_key(|s| (s.start, s.end));
    spans
}

/// Kept characters in a run shorter than this are a coincidence of the character diff
/// (the quote of a new string matched to the quote of an old one), not kept text.
const MIN_KEPT: usize = 2;

/// For each byte of `output`, the byte of `input` it was kept from, `None` where the
/// fix inserted it: a line diff, with replaced lines refined to characters. A new
/// `# TODO(mimigrate): ...` line is inserted as a whole: it never borrows characters
/// of a comment the fix deleted nearby.
fn origins(input: &str, output: &str, output_script: &Script) -> Vec<Option<usize>> {
    let old_lines: Vec<&str> = input.split_inclusive('\n').collect();
    let new_lines: Vec<&str> = output.split_inclusive('\n').collect();
    let starts = |lines: &[&str]| -> Vec<usize> {
        std::iter::once(0)
            .chain(lines.iter().scan(0, |at, line| {
                *at += line.len();
                Some(*at)
            }))
            .collect()
    };
    let (old_starts, new_starts) = (starts(&old_lines), starts(&new_lines));
    let mut origin = vec![None; output.len()];
    let diff = TextDiff::from_slices(&old_lines, &new_lines);
    for op in diff.ops() {
        let (tag, old, new) = op.as_tag_tuple();
        let old_span = old_starts[old.start]..old_starts[old.end];
        let new_span = new_starts[new.start]..new_starts[new.end];
        match tag {
            DiffTag::Equal => {
                for (i, at) in new_span.enumerate() {
                    origin[at] = Some(old_span.start + i);
                }
            }
            DiffTag::Replace => {
                // The engine's own comment lines are left out of the diff, so they match
                // nothing (masking them with a byte matched it where the input held it).
                let mut new_text = String::new();
                let mut new_at = Vec::new(); // new_text's byte -> output's byte
                for line in new.clone() {
                    let range = new_starts[line]..new_starts[line + 1];
                    if !is_engine_comment_line(output_script, range.clone()) {
                        new_text.push_str(&output[range.clone()]);
                        new_at.extend(range);
                    }
                }
                let old_text = &input[old_span.clone()];
                let old_offsets: Vec<usize> = old_text.char_indices().map(|(i, _)| i).collect();
                let new_offsets: Vec<(usize, char)> = new_text.char_indices().collect();
                let chars = TextDiff::from_chars(old_text, new_text.as_str());
                let kept: Vec<(usize, usize)> = chars
                    .iter_all_changes()
                    .filter(|change| change.tag() == ChangeTag::Equal)
                    .filter_map(|change| Some((change.old_index()?, change.new_index()?)))
                    .collect();
                for run in kept.chunk_by(|a, b| b.0 == a.0 + 1 && b.1 == a.1 + 1) {
                    // A short run is a chance match, except a line break: a deletion
                    // to the end of a line keeps the line's own break alone.
                    let line_break = run.iter().all(|&(_, n)| matches!(new_offsets[n].1, '\n' | '\r'));
                    if run.len() < MIN_KEPT && !line_break {
                        continue;
                    }
                    for &(o, n) in run {
                        let (at, c) = new_offsets[n];
                        for k in 0..c.len_utf8() {
                            origin[new_at[at + k]] = Some(old_span.start + old_offsets[o] + k);
                        }
                    }
                }
            }
            DiffTag::Insert | DiffTag::Delete => {}
        }
    }
    origin
}

/// The line `line` (with its line break) is a comment of its own, one the engine
/// writes on purpose: `# TODO(mimigrate): ...`, from its first non-blank character to
/// its end.
fn is_engine_comment_line(script: &Script, line: Range<usize>) -> bool {
    let text = &script.text[line.clone()];
    let body = text.trim_end_matches(['\r', '\n']);
    let start = line.start + body.len() - body.trim_start().len();
    let end = line.start + body.trim_end().len();
    body.to_lowercase().contains("todo(mimigrate)") && script.comments.iter().any(|c| c.start == start && c.end == end)
}

/// Text the fix inserted into a comment or string of the output that was there
/// before: one that keeps more than half of a comment or string of the input. A
/// comment or string new as a whole (a `# TODO(mimigrate):` line, `-Name 'UAMI'`) is
/// fine, even where the character diff matched a quote of it to an old one.
pub fn insertions_into_literals(input: &str, output: &str) -> Vec<String> {
    insertions_into_literals_in(&Script::parse(input), &Script::parse(output))
}

fn insertions_into_literals_in(before: &Script, after: &Script) -> Vec<String> {
    let (input, output) = (before.text, after.text);
    let old_literals = literal_spans(before);
    let origin = origins(input, output, after);
    // A comment or string whose text is one of the input's had nothing inserted into
    // it, however the character diff paired its bytes (`e 'AzureRunAsConnection'` left
    // of a deleted `-Nam;`, its `'A` matched to a new `-Name 'UAMI'` line above).
    let old_texts: std::collections::HashSet<&str> = old_literals.iter().map(|m| &input[m.clone()]).collect();
    let mut found = Vec::new();
    for span in literal_spans(after)
        .into_iter()
        .filter(|span| !old_texts.contains(&output[span.clone()]))
    {
        let mut kept = vec![0usize; old_literals.len()];
        for at in span.clone() {
            if let Some(m) = origin[at].and_then(|q| old_literals.iter().position(|m| m.contains(&q))) {
                kept[m] += 1;
            }
        }
        let existing = kept.iter().zip(&old_literals).any(|(&k, m)| 2 * k > m.len());
        let inserted: Vec<usize> = span.clone().filter(|&at| origin[at].is_none()).collect();
        if existing && !inserted.is_empty() {
            let (first, last) = (inserted[0], inserted[inserted.len() - 1]);
            let end = (last + 1..=output.len())
                .find(|&e| output.is_char_boundary(e))
                .unwrap_or(output.len());
            found.push(format!("{:?} inserted into {:?}", &output[first..end], &output[span]));
        }
    }
    found
}
