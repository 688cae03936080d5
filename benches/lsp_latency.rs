//! `cargo bench --bench lsp_latency`: how long an editor waits for diagnostics after an
//! edit, on a 7,500-line runbook. Runs the release binary as editors do (`mimigrate lsp`
//! over stdio) and times each `didChange` to the `publishDiagnostics` of that version,
//! waiting for one before sending the next (so no edit is coalesced with another):
//! - one-character edits (a letter typed into, then deleted from, lines spread over
//!   the file, at a fast typist's pace): incremental sync and re-parse;
//! - whole-document changes (what a client without incremental sync sends).
//!
//! The times include the server's debounce (`mimigrate::lsp::DEBOUNCE`). The runbook
//! is the project's corpus runbooks that parse cleanly, each made a function of one
//! script, cut at 7,500 lines: real shapes, dense with findings (each was written to
//! have some). It must parse without error: in error recovery tree-sitter re-reads
//! much more than the edit (the figure for that is printed too).

#[path = "support/corpus.rs"]
mod corpus;
#[path = "../tests/support/lsp_client.rs"]
mod lsp_client;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use lsp_client::Client;
use mimigrate::lint::{lint, LintOptions};
use mimigrate::source::SourceText;
use serde_json::json;

const LINES: usize = 7_500;
const KEYSTROKES: usize = 100;
/// Between keystrokes: a fast typist's (10 characters a second). Edits closer than the
/// server's debounce are a burst, analysed once it ends.
const TYPING_PAUSE: Duration = Duration::from_millis(100);
const WHOLE_CHANGES: usize = 20;
const URI: &str = "file:///bench/long-runbook.ps1";

/// Runbooks that parse without error, each made a function of one long script, cut at
/// `LINES` lines (at a function's end, then padded with comment lines).
fn long_runbook(runbooks: &[String]) -> String {
    let runbooks: Vec<String> = runbooks
        .iter()
        .map(|text| text.replace("\r\n", "\n"))
        .filter(|text| !text.contains('\0') && !mimigrate::syntax::parse(text).root_node().has_error())
        .collect();
    let mut lines: Vec<String> = Vec::new();
    // A `param()` block may only open a script or a function; not indented, since a
    // here-string's closing `'@` must start its line.
    let mut part = 0;
    while lines.len() < LINES {
        for text in &runbooks {
            part += 1;
            lines.push(format!("function Invoke-Part{part} {{"));
            lines.extend(text.lines().map(str::to_owned));
            lines.push("}".to_owned());
        }
    }
    lines.truncate(LINES);
    while lines.last().is_some_and(|l| l != "}") {
        lines.pop();
    }
    while lines.len() < LINES {
        lines.push("# end".to_owned());
    }
    lines.join("\n") + "\n"
}

/// The project's corpus: hand-written runbooks, each written to have findings.
fn project_runbooks() -> Vec<String> {
    corpus::corpus_runbooks()
        .iter()
        .filter_map(|(_, bytes)| SourceText::decode(bytes).ok())
        .map(|source| source.text)
        .collect()
}

/// The real public runbooks of `../shared/corpus`, when it is there.
fn shared_runbooks() -> Vec<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    let mut paths = Vec::new();
    let mut pending = vec![root];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("ps1")) {
                paths.push(path);
            }
        }
    }
    paths.sort();
    paths
        .iter()
        .filter_map(|p| SourceText::decode(&std::fs::read(p).ok()?).ok())
        .map(|source| source.text)
        .collect()
}

fn summary(name: &str, mut times: Vec<Duration>) {
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize].as_secs_f64() * 1000.0;
    println!(
        "{name:<28} n={:<4} median {:>6.1} ms   p90 {:>6.1} ms   min {:>6.1} ms   max {:>6.1} ms",
        times.len(),
        at(0.5),
        at(0.9),
        at(0.0),
        at(1.0)
    );
}

fn measure(name: &str, mut text: String) {
    if std::env::args().any(|a| a == "--write-runbook") {
        std::fs::write(format!("target/lsp-latency-{name}.ps1"), &text).expect("target/ is writable");
    }
    let found = lint(&text, &LintOptions::default());
    assert!(
        !found.iter().any(|d| d.code == "MI902"),
        "the benchmark's runbook must parse without error"
    );
    let findings = found.len();
    println!(
        "{name}: {} lines, {} KB, {findings} findings",
        text.lines().count(),
        text.len() / 1024,
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_mimigrate"))
        .arg("lsp")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("mimigrate lsp starts");
    let mut client = Client::new(child.stdin.take().unwrap(), child.stdout.take().unwrap());
    client.initialize(json!({}));
    let started = Instant::now();
    client.open(URI, &text);
    client.diagnostics(URI, Some(1));
    println!(
        "open (full parse)            {:>6.1} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );

    let mut version = 1;
    let mut keystrokes = Vec::new();
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .filter(|&i| i < text.len())
        .collect();
    for i in 0..KEYSTROKES {
        // Type a letter at the end of a line, then take it back: the text returns to
        // the same findings, and every edit is one character.
        let line = line_starts[(i / 2 * 7_919) % line_starts.len()];
        let end = line + text[line..].find('\n').unwrap();
        let (range, inserted, at) = if i % 2 == 0 {
            (end..end, "x", end)
        } else {
            (end - 1..end, "", end - 1)
        };
        let change = json!({
            "range": { "start": client.position(&text, range.start), "end": client.position(&text, range.end) },
            "text": inserted,
        });
        text.replace_range(range, inserted);
        let _ = at;
        version += 1;
        let sent = Instant::now();
        client.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": URI, "version": version }, "contentChanges": [change] }),
        );
        client.diagnostics(URI, Some(version));
        keystrokes.push(sent.elapsed());
        std::thread::sleep(TYPING_PAUSE);
    }
    summary("one-character edit", keystrokes);

    let mut whole = Vec::new();
    for i in 0..WHOLE_CHANGES {
        if i % 2 == 0 {
            text.push_str("# more\n");
        } else {
            text.truncate(text.len() - "# more\n".len());
        }
        version += 1;
        let sent = Instant::now();
        client.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": URI, "version": version }, "contentChanges": [{ "text": text }] }),
        );
        client.diagnostics(URI, Some(version));
        whole.push(sent.elapsed());
    }
    summary("whole-document change", whole);
    client.shutdown_and_exit();
    child.wait().expect("the server exits");
}

fn main() {
    println!(
        "debounce {:?}, {TYPING_PAUSE:?} between keystrokes",
        mimigrate::lsp::DEBOUNCE
    );
    let shared = shared_runbooks();
    if shared.is_empty() {
        println!("real: skipped (no ../shared/corpus)");
    } else {
        measure("real", long_runbook(&shared));
    }
    measure("dense", long_runbook(&project_runbooks()));
}
