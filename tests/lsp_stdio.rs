//! `mimigrate lsp` as editors run it: the binary, JSON-RPC on its stdin and stdout,
//! one session from `initialize` to `exit` on a corpus runbook.

// The language server is a cargo feature (on by default).
#![cfg(feature = "lsp")]

#[path = "support/lsp_client.rs"]
mod lsp_client;

use std::process::{Command, Stdio};

use lsp_client::Client;
use mimigrate::fix::{fix_text, FixMode};
use mimigrate::lint::{lint, LintOptions};
use mimigrate::source::SourceText;
use serde_json::{json, Value};

#[test]
fn a_whole_session_over_stdio() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/runas-retry-loop-with-autosave.ps1");
    let text = SourceText::decode(&std::fs::read(&path).unwrap()).unwrap().text;
    let uri = format!("file://{}", path.display());
    let mut child = Command::new(env!("CARGO_BIN_EXE_mimigrate"))
        .arg("lsp")
        .env("MIMIGRATE_LOG", "debug")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("mimigrate lsp starts");
    let mut client = Client::new(child.stdin.take().unwrap(), child.stdout.take().unwrap());

    let result = client.initialize(json!({ "general": { "positionEncodings": ["utf-8", "utf-16"] } }));
    assert_eq!(result["serverInfo"]["name"], "mimigrate");
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-8");

    client.open(&uri, &text);
    let findings = lint(&text, &LintOptions::default());
    let diagnostics = client.diagnostics(&uri, Some(1));
    let codes: Vec<&str> = diagnostics.iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert_eq!(codes, findings.iter().map(|d| d.code).collect::<Vec<_>>());

    // A quick fix for the retry loop (MI103) and the edit it carries.
    let retry = findings
        .iter()
        .find(|d| d.code == "MI103")
        .expect("the corpus file has a retry loop");
    let actions = client.call(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": uri },
            "range": { "start": client.position(&text, retry.range.start), "end": client.position(&text, retry.range.start) },
            "context": { "diagnostics": [], "only": ["quickfix"] },
        }),
    );
    let fix = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"].as_str().unwrap().starts_with("Fix MI103"))
        .expect("a quick fix for MI103");
    assert!(!Client::edits_for(&fix["edit"], &uri).is_empty());

    // The fix-all command: the server asks the client to apply `fix`'s text.
    client.call(
        "workspace/executeCommand",
        json!({ "command": "mimigrate.fixAll", "arguments": [uri] }),
    );
    let apply = client.wait_for(|m| m["method"] == "workspace/applyEdit");
    let fixed = client.apply(&text, &Client::edits_for(&apply["params"]["edit"], &uri));
    assert_eq!(fixed, fix_text(&text, &LintOptions::default(), FixMode::default()).text);
    client.send(&json!({ "jsonrpc": "2.0", "id": apply["id"], "result": { "applied": true } }));

    let hover = client.call(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": client.position(&text, retry.range.start) }),
    );
    assert!(
        hover["contents"]["value"].as_str().unwrap().contains("MI103"),
        "{hover}"
    );

    // The editor applied the fix: it sends the change as incremental edits.
    let edits = Client::edits_for(&apply["params"]["edit"], &uri);
    let changes: Vec<Value> = edits
        .iter()
        .rev()
        .map(|e| json!({ "range": e["range"], "text": e["newText"] }))
        .collect();
    client.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": changes }),
    );
    let after = client.diagnostics(&uri, Some(2));
    let left: Vec<&str> = after.iter().map(|d| d["code"].as_str().unwrap()).collect();
    let wanted: Vec<&str> = lint(&fixed, &LintOptions::default()).iter().map(|d| d.code).collect();
    assert_eq!(left, wanted);

    client.shutdown_and_exit();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "exit after shutdown is success: {:?}",
        output.status
    );
    // Logs on stderr (stdout is the protocol's, and every byte of it was a message).
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(log.contains("mimigrate lsp: analysed"), "{log}");
}
