//! `mimigrate lsp` in-process: the server on pipes, driven by a small client of the
//! tests' own (tests/support/lsp_client.rs). Every answer is checked against the
//! engine itself: the published diagnostics are `lint`'s, a quick fix applies the
//! finding's fix, "fix all" gives `fix_text`'s text.

// The language server is a cargo feature (on by default).
#![cfg(feature = "lsp")]

#[path = "support/lsp_client.rs"]
mod lsp_client;

use lsp_client::Client;
use mimigrate::diagnostic::{Applicability, Diagnostic, Severity};
use mimigrate::fix::{fix_text, FixMode};
use mimigrate::lint::{lint, LintOptions};
use mimigrate::output::apply_edits;
use serde_json::{json, Value};

/// A Run As runbook with what real ones have: an en dash for a parameter dash, an emoji
/// and accented letters before the findings (UTF-16 and UTF-8 columns differ), CRLF.
const RUNBOOK: &str = "# Stops the VMs \u{1F680} of the caf\u{e9} \u{2014} nightly\r\n\
param([string]$ResourceGroup = 'rg-prod')\r\n\
$conn = Get-AutomationConnection \u{2013}Name AzureRunAsConnection\r\n\
Connect-AzAccount -ServicePrincipal -Tenant $conn.TenantID -ApplicationId $conn.ApplicationID \u{2013}CertificateThumbprint $conn.CertificateThumbprint\r\n\
Get-AzVM -ResourceGroupName $ResourceGroup | Stop-AzVM -Force\r\n";

const URI: &str = "untitled:stop-vms.ps1";

fn started(capabilities: Value) -> (Client, std::thread::JoinHandle<bool>) {
    let (mut client, server) = Client::in_process();
    client.initialize(capabilities);
    (client, server)
}

fn finish(mut client: Client, server: std::thread::JoinHandle<bool>) {
    client.shutdown_and_exit();
    assert!(
        server.join().expect("the server does not panic"),
        "shutdown then exit is a clean end"
    );
}

/// What the editor should show for `text`: the engine's findings, positioned by the
/// client's own arithmetic.
fn expected(client: &Client, text: &str, findings: &[Diagnostic]) -> Vec<Value> {
    findings
        .iter()
        .map(|d| {
            json!({
                "code": d.code,
                "message": d.message,
                "severity": match d.severity { Severity::Error => 1, Severity::Warning => 2, Severity::Info => 3 },
                "start": client.position(text, d.range.start),
                "end": client.position(text, d.range.end),
            })
        })
        .collect()
}

fn shown(diagnostics: &[Value]) -> Vec<Value> {
    diagnostics
        .iter()
        .map(|d| {
            assert_eq!(d["source"], "mimigrate");
            let code = d["code"].as_str().unwrap();
            let href = d["codeDescription"]["href"].as_str().unwrap();
            assert!(href.ends_with(&format!("rules/{code}.md")), "{href}");
            json!({
                "code": code,
                "message": d["message"],
                "severity": d["severity"],
                "start": d["range"]["start"],
                "end": d["range"]["end"],
            })
        })
        .collect()
}

#[test]
fn diagnostics_are_the_engines_findings_in_either_position_encoding() {
    let findings = lint(RUNBOOK, &LintOptions::default());
    assert!(findings.len() >= 3, "{findings:?}");
    for (capabilities, encoding) in [
        (json!({}), "utf-16"),
        (
            json!({ "general": { "positionEncodings": ["utf-16", "utf-8"] } }),
            "utf-8",
        ),
        (
            json!({ "general": { "positionEncodings": ["utf-32", "utf-16"] } }),
            "utf-16",
        ),
    ] {
        let (mut client, server) = Client::in_process();
        let result = client.initialize(capabilities);
        assert_eq!(result["capabilities"]["positionEncoding"], encoding);
        assert_eq!(
            result["capabilities"]["textDocumentSync"]["change"], 2,
            "incremental sync"
        );
        client.open(URI, RUNBOOK);
        let diagnostics = client.diagnostics(URI, Some(1));
        assert_eq!(shown(&diagnostics), expected(&client, RUNBOOK, &findings), "{encoding}");
        finish(client, server);
    }
}

#[test]
fn incremental_edits_are_analysed_like_the_whole_new_text() {
    let (mut client, server) = started(json!({}));
    client.open(URI, RUNBOOK);
    client.diagnostics(URI, Some(1));
    // One change replacing the certificate sign-in's arguments, one inserting a line
    // with an emoji above everything: the second is relative to the first's result.
    let mut text = RUNBOOK.to_owned();
    let from = text.find("-ServicePrincipal").unwrap();
    let to = text.find("$conn.CertificateThumbprint").unwrap() + "$conn.CertificateThumbprint".len();
    let first = json!({ "range": { "start": client.position(&text, from), "end": client.position(&text, to) }, "text": "-Identity" });
    text.replace_range(from..to, "-Identity");
    let second = json!({ "range": { "start": client.position(&text, 0), "end": client.position(&text, 0) }, "text": "# \u{1F600} new line\r\n" });
    text.insert_str(0, "# \u{1F600} new line\r\n");
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": URI, "version": 2 }, "contentChanges": [first, second] }),
    );
    let diagnostics = client.diagnostics(URI, Some(2));
    let findings = lint(&text, &LintOptions::default());
    assert_eq!(shown(&diagnostics), expected(&client, &text, &findings));
    assert!(!findings.iter().any(|d| d.code == "MI102"), "the sign-in was rewritten");

    // A burst of keystrokes: only the newest text's diagnostics count, and nothing
    // older is published after something newer.
    let typed = "Get-AzVM # done";
    let mut at = text.len();
    for (i, c) in typed.chars().enumerate() {
        let position = client.position(&text, at);
        client.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": URI, "version": 3 + i }, "contentChanges": [
                { "range": { "start": position, "end": position }, "text": c.to_string() }
            ]}),
        );
        text.insert(at, c);
        at += c.len_utf8();
    }
    let last = 2 + typed.chars().count() as i64;
    let diagnostics = client.diagnostics(URI, Some(last));
    assert_eq!(
        shown(&diagnostics),
        expected(&client, &text, &lint(&text, &LintOptions::default()))
    );
    // What else was published during the burst, in the order it came: older
    // versions only, each newer than the one before, and far fewer than the changes
    // (the burst was analysed once it ended, not per keystroke).
    let published: Vec<i64> = client
        .drain()
        .iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics")
        .map(|m| m["params"]["version"].as_i64().unwrap())
        .collect();
    assert!(
        published.iter().all(|&v| v < last),
        "published after the newest: {published:?}"
    );
    assert!(
        published.windows(2).all(|w| w[0] < w[1]),
        "an older version after a newer one: {published:?}"
    );
    assert!(published.len() < typed.len() / 2, "not debounced: {published:?}");
    finish(client, server);
}

fn actions(client: &mut Client, text: &str, range: std::ops::Range<usize>, only: Option<&[&str]>) -> Vec<Value> {
    let mut context = json!({ "diagnostics": [] });
    if let Some(only) = only {
        context["only"] = json!(only);
    }
    let result = client.call(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": URI },
            "range": { "start": client.position(text, range.start), "end": client.position(text, range.end) },
            "context": context,
        }),
    );
    result.as_array().unwrap().clone()
}

fn titled<'a>(actions: &'a [Value], prefix: &str) -> Option<&'a Value> {
    actions
        .iter()
        .find(|a| a["title"].as_str().unwrap().starts_with(prefix))
}

#[test]
fn a_quick_fix_applies_the_findings_own_fix_unless_that_would_harm_the_script() {
    let findings = lint(RUNBOOK, &LintOptions::default());
    let sign_in = findings.iter().find(|d| d.code == "MI102").unwrap();
    let connection = findings.iter().find(|d| d.code == "MI101").unwrap();

    let (mut client, server) = started(json!({}));
    client.open(URI, RUNBOOK);
    client.diagnostics(URI, Some(1));
    let offered = actions(&mut client, RUNBOOK, sign_in.range.clone(), None);
    let fix = titled(&offered, "Fix MI102").expect("a quick fix for the sign-in");
    assert_eq!(fix["kind"], "quickfix");
    assert_eq!(fix["diagnostics"][0]["code"], "MI102");
    let applied = client.apply(RUNBOOK, &Client::edits_for(&fix["edit"], URI));
    assert_eq!(applied, apply_edits(RUNBOOK, &sign_in.fix.as_ref().unwrap().edits));
    assert!(applied.contains("Connect-AzAccount -Identity"), "{applied}");

    // MI101's removal waits for the sign-in's rewrite (the engine says so): no quick
    // fix, only the suppression.
    let offered = actions(&mut client, RUNBOOK, connection.range.clone(), None);
    assert!(titled(&offered, "Fix MI101").is_none(), "{offered:#?}");
    assert!(titled(&offered, "Ignore MI101 for this line").is_some());
    finish(client, server);
}

#[test]
fn unsafe_quick_fixes_say_so() {
    // A certificate that is not the Run As one: signing in as the identity changes who
    // the script runs as.
    let text = "param([string]$Thumbprint)\nConnect-AzAccount -ServicePrincipal -Tenant 'contoso.onmicrosoft.com' \
-ApplicationId '0a1b2c3d-0000-4000-8000-000000000001' -CertificateThumbprint $Thumbprint\nGet-AzVM\n";
    let findings = lint(text, &LintOptions::default());
    let unsafe_fix = findings
        .iter()
        .find(|d| d.fix.as_ref().is_some_and(|f| f.applicability == Applicability::Unsafe))
        .expect("the rewrite of a non-Run As certificate sign-in is unsafe");
    let (mut client, server) = started(json!({}));
    client.open(URI, text);
    client.diagnostics(URI, Some(1));
    let offered = actions(&mut client, text, unsafe_fix.range.clone(), Some(&["quickfix"]));
    let fix = titled(&offered, &format!("Fix {} (unsafe): ", unsafe_fix.code)).expect("labelled unsafe");
    assert_eq!(fix["isPreferred"], false);
    finish(client, server);
}

#[test]
fn ignore_for_this_line_suppresses_exactly_that_finding() {
    let findings = lint(RUNBOOK, &LintOptions::default());
    let (mut client, server) = started(json!({}));
    client.open(URI, RUNBOOK);
    client.diagnostics(URI, Some(1));
    for finding in &findings {
        let offered = actions(&mut client, RUNBOOK, finding.range.clone(), None);
        let title = format!("Ignore {} for this line", finding.code);
        let action = titled(&offered, &title).unwrap_or_else(|| panic!("{title}: {offered:#?}"));
        let ignored = client.apply(RUNBOOK, &Client::edits_for(&action["edit"], URI));
        assert!(
            ignored.contains(&format!("# mimigrate: ignore[{}]", finding.code)),
            "{ignored}"
        );
        let left: Vec<&str> = lint(&ignored, &LintOptions::default()).iter().map(|d| d.code).collect();
        let mut wanted: Vec<&str> = findings.iter().map(|d| d.code).collect();
        wanted.remove(wanted.iter().position(|c| *c == finding.code).unwrap());
        // Other findings of the same code on the same lines go with it; nothing else does.
        let same_code_left = left.iter().filter(|c| **c == finding.code).count();
        wanted.retain(|c| *c != finding.code);
        let mut left_other: Vec<&str> = left.into_iter().filter(|c| *c != finding.code).collect();
        left_other.sort();
        wanted.sort();
        assert_eq!(left_other, wanted, "{ignored}");
        assert!(same_code_left < findings.iter().filter(|d| d.code == finding.code).count());
    }
    finish(client, server);
}

#[test]
fn fix_all_and_the_fix_commands_make_what_fix_makes() {
    let safe = fix_text(RUNBOOK, &LintOptions::default(), FixMode::default()).text;
    let unsafe_too = fix_text(RUNBOOK, &LintOptions::default(), FixMode { unsafe_fixes: true }).text;
    assert_ne!(safe, RUNBOOK);
    let (mut client, server) = started(json!({}));
    client.open(URI, RUNBOOK);
    client.diagnostics(URI, Some(1));

    // Not computed for a cursor's lightbulb, only when asked for by kind.
    let everything = actions(&mut client, RUNBOOK, 0..0, None);
    assert!(titled(&everything, "Fix all").is_none());
    for only in [&["source.fixAll.mimigrate"][..], &["source.fixAll"], &["source"]] {
        let offered = actions(&mut client, RUNBOOK, 0..0, Some(only));
        assert_eq!(offered.len(), 1, "{only:?}: {offered:#?}");
        assert_eq!(offered[0]["kind"], "source.fixAll.mimigrate");
        assert_eq!(
            client.apply(RUNBOOK, &Client::edits_for(&offered[0]["edit"], URI)),
            safe
        );
    }

    for (command, wanted) in [("mimigrate.fixAll", &safe), ("mimigrate.fixAllUnsafe", &unsafe_too)] {
        let result = client.call(
            "workspace/executeCommand",
            json!({ "command": command, "arguments": [URI] }),
        );
        assert_eq!(result, Value::Null);
        let apply = client.wait_for(|m| m["method"] == "workspace/applyEdit");
        let edits = Client::edits_for(&apply["params"]["edit"], URI);
        assert_eq!(&client.apply(RUNBOOK, &edits), wanted, "{command}");
        let id = apply["id"].clone();
        client.send(&json!({ "jsonrpc": "2.0", "id": id, "result": { "applied": true } }));
    }
    finish(client, server);
}

#[test]
fn hover_over_a_finding_shows_its_rule_documentation() {
    let findings = lint(RUNBOOK, &LintOptions::default());
    let sign_in = findings.iter().find(|d| d.code == "MI102").unwrap();
    let (mut client, server) = started(json!({}));
    client.open(URI, RUNBOOK);
    client.diagnostics(URI, Some(1));
    let inside = sign_in.range.start + 3;
    let hover = client.call(
        "textDocument/hover",
        json!({ "textDocument": { "uri": URI }, "position": client.position(RUNBOOK, inside) }),
    );
    assert_eq!(hover["contents"]["kind"], "markdown");
    let documentation = mimigrate::rules::by_code("MI102").unwrap().documentation.trim();
    assert!(hover["contents"]["value"].as_str().unwrap().contains(documentation));
    assert_eq!(hover["range"]["start"], client.position(RUNBOOK, sign_in.range.start));
    let nothing = client.call(
        "textDocument/hover",
        json!({ "textDocument": { "uri": URI }, "position": { "line": 0, "character": 2 } }),
    );
    assert_eq!(nothing, Value::Null);
    finish(client, server);
}

#[test]
fn the_nearest_config_applies_and_is_read_again_when_it_changes() {
    let folder = tempfile::tempdir().unwrap();
    let config = folder.path().join("mimigrate.toml");
    std::fs::write(
        &config,
        "[lint]\nignore = [\"MI401\"]\n[identity]\nkind = \"user\"\nclient-id-variable = \"UAMI_ClientId\"\n",
    )
    .unwrap();
    let script = folder.path().join("runbook.ps1");
    std::fs::write(&script, RUNBOOK).unwrap();
    let uri = format!("file://{}", script.display()).replace(' ', "%20");

    let (mut client, server) =
        started(json!({ "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } } }));
    let registration = client.wait_for(|m| m["method"] == "client/registerCapability");
    let watchers = registration["params"]["registrations"][0]["registerOptions"]["watchers"].to_string();
    assert!(watchers.contains("**/mimigrate.toml"), "{watchers}");
    client.open(&uri, RUNBOOK);
    let codes = |d: &[Value]| {
        d.iter()
            .map(|d| d["code"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    let before = client.diagnostics(&uri, Some(1));
    assert!(!codes(&before).contains(&"MI401".to_owned()), "ignored by the config");
    // The identity of the config is the one the quick fix signs in with.
    let sign_in = before.iter().find(|d| d["code"] == "MI102").unwrap();
    let offered = client.call(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": uri }, "range": sign_in["range"], "context": { "diagnostics": [] } }),
    );
    let fix = titled(offered.as_array().unwrap(), "Fix MI102").unwrap().clone();
    assert!(fix["edit"].to_string().contains("UAMI_ClientId"), "{fix}");

    std::fs::write(&config, "[lint]\nignore = []\n").unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": format!("file://{}", config.display()), "type": 2 }] }),
    );
    let after = client.diagnostics(&uri, Some(1));
    assert!(codes(&after).contains(&"MI401".to_owned()), "{after:#?}");

    std::fs::write(&config, "exclude = [\"runbook.ps1\"]\n").unwrap();
    client.notify("workspace/didChangeConfiguration", json!({ "settings": {} }));
    assert!(client.diagnostics(&uri, Some(1)).is_empty(), "excluded by the config");

    std::fs::write(&config, "[lint]\nselect = 3\n").unwrap();
    client.notify("workspace/didChangeConfiguration", json!({ "settings": {} }));
    let complaint = client.wait_for(|m| m["method"] == "window/showMessage");
    assert!(
        complaint["params"]["message"].as_str().unwrap().contains("lint.select"),
        "{complaint}"
    );
    assert!(!client.diagnostics(&uri, Some(1)).is_empty(), "defaults meanwhile");
    finish(client, server);
}

#[test]
fn bad_messages_get_errors_and_the_server_goes_on() {
    let (mut client, server) = Client::in_process();
    let early = client.request("textDocument/hover", json!({}));
    assert_eq!(early["error"]["code"], -32002, "{early}");
    client.initialize(json!({}));

    client.send_raw(b"Content-Length: 9\r\n\r\n{\"id\": 1,");
    let parse_error = client.wait_for(|m| m["error"]["code"] == -32700);
    assert_eq!(parse_error["id"], Value::Null);
    client.send_raw(b"Content-Length: 2\r\n\r\n[]");
    client.wait_for(|m| m["error"]["code"] == -32600);

    let unknown = client.request("textDocument/definition", json!({}));
    assert_eq!(unknown["error"]["code"], -32601);
    let not_open = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": "file:///nowhere.ps1" }, "position": { "line": 0, "character": 0 } }),
    );
    assert_eq!(not_open["error"]["code"], -32602, "{not_open}");
    let bad_params = client.request("textDocument/codeAction", json!({ "textDocument": 5 }));
    assert_eq!(bad_params["error"]["code"], -32602);
    let no_command = client.request(
        "workspace/executeCommand",
        json!({ "command": "rm -rf", "arguments": [] }),
    );
    assert_eq!(no_command["error"]["code"], -32602);
    // A change to a document never opened is logged, not fatal; positions far outside
    // the text are clamped.
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": "file:///nowhere.ps1", "version": 2 }, "contentChanges": [{ "text": "" }] }),
    );
    client.open(URI, RUNBOOK);
    client.diagnostics(URI, Some(1));
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": URI, "version": 2 }, "contentChanges": [
            { "range": { "start": { "line": 900, "character": 0 }, "end": { "line": 901, "character": 4 } }, "text": "\nGet-AzVM" }
        ]}),
    );
    let text = format!("{RUNBOOK}\nGet-AzVM");
    let diagnostics = client.diagnostics(URI, Some(2));
    assert_eq!(
        shown(&diagnostics),
        expected(&client, &text, &lint(&text, &LintOptions::default()))
    );

    client.notify("textDocument/didClose", json!({ "textDocument": { "uri": URI } }));
    assert!(client.diagnostics(URI, None).is_empty(), "cleared on close");
    let shut = client.call("shutdown", Value::Null);
    assert_eq!(shut, Value::Null);
    let refused = client.request("textDocument/hover", json!({}));
    assert_eq!(refused["error"]["code"], -32600);
    client.notify("exit", Value::Null);
    assert!(server.join().unwrap());
}

#[test]
fn exit_without_shutdown_is_not_a_clean_end() {
    let (mut client, server) = started(json!({}));
    client.notify("exit", Value::Null);
    assert!(!server.join().unwrap());
}

#[test]
fn a_document_larger_than_check_reads_is_not_checked_and_the_server_goes_on() {
    let (mut client, server) = started(json!({}));
    let huge = format!(
        "{RUNBOOK}{}",
        "# padding line of a generated script\n".repeat(17 << 20 >> 5)
    );
    assert!(huge.len() > mimigrate::source::MAX_FILE_BYTES as usize);
    client.open(URI, &huge);
    assert!(client.diagnostics(URI, Some(1)).is_empty());
    client.open("untitled:small.ps1", RUNBOOK);
    assert!(!client.diagnostics("untitled:small.ps1", Some(1)).is_empty());
    finish(client, server);
}

mod edits {
    use super::*;
    use proptest::prelude::*;

    const PIECES: &[&str] = &[
        "x",
        "\r\n",
        "\n",
        "\u{1F600}",
        "\u{2013}",
        "caf\u{e9}",
        "$conn",
        " -Identity",
        "Connect-AzAccount -ServicePrincipal -CertificateThumbprint $conn.CertificateThumbprint\r\n",
        "'",
        "`",
        "{",
        "",
    ];

    /// An edit: where (a fraction of the text), how much it replaces, what it inserts;
    /// or a range far past the end of the text.
    fn edit() -> impl Strategy<Value = (f64, usize, usize, bool)> {
        (0.0..1.0f64, 0usize..40, 0..PIECES.len(), prop::bool::weighted(0.1))
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

        /// Whatever the edits (in either position encoding, across emoji, en dashes and
        /// CRLF, some past the end), the server's text is the client's: its diagnostics
        /// are the engine's findings in the client's text, positioned as the client counts.
        #[test]
        fn the_servers_text_follows_the_clients(utf8 in any::<bool>(), batches in prop::collection::vec(prop::collection::vec(edit(), 1..4), 1..4)) {
            let capabilities = if utf8 { json!({ "general": { "positionEncodings": ["utf-8"] } }) } else { json!({}) };
            let (mut client, server) = started(capabilities);
            let mut text = RUNBOOK.to_owned();
            client.open(URI, &text);
            client.diagnostics(URI, Some(1));
            for (i, batch) in batches.iter().enumerate() {
                let mut changes = Vec::new();
                for &(at, removed, piece, past_end) in batch {
                    let inserted = PIECES[piece];
                    let (range, start, end) = if past_end {
                        let far = json!({ "line": 10_000, "character": 3 });
                        (json!({ "start": far, "end": far }), text.len(), text.len())
                    } else {
                        let start = text.floor_char_boundary((at * text.len() as f64) as usize);
                        let end = text.floor_char_boundary((start + removed).min(text.len()));
                        (json!({ "start": client.position(&text, start), "end": client.position(&text, end) }), start, end)
                    };
                    // A CR left before an LF it was not paired with, or the reverse, makes
                    // line numbers depend on how each side splits lines; keep pairs whole.
                    let mut next = text.clone();
                    next.replace_range(start..end, inserted);
                    if next.contains("\r\r") || next.replace("\r\n", "").contains('\r') {
                        continue;
                    }
                    changes.push(json!({ "range": range, "text": inserted }));
                    text = next;
                }
                let version = 2 + i as i64;
                client.notify("textDocument/didChange", json!({ "textDocument": { "uri": URI, "version": version }, "contentChanges": changes }));
                let diagnostics = client.diagnostics(URI, Some(version));
                prop_assert_eq!(shown(&diagnostics), expected(&client, &text, &lint(&text, &LintOptions::default())), "text: {:?}", text);
            }
            finish(client, server);
        }
    }
}
