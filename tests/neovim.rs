//! `mimigrate lsp` in a real editor: Neovim 0.7 (Debian bookworm's) starts the server
//! with its built-in client, and what Neovim then holds is compared with what the CLI
//! says about the same text.
//!
//! Opt-in: set `MIMIGRATE_TEST_NVIM` to an `nvim` executable (`.ci/run` does). Without
//! it the tests print a notice and pass.
//!
//! `tests/neovim/harness.lua` runs inside `nvim --headless --clean`; it opens a corpus
//! runbook, attaches the server, applies the quickfix of the Run As sign-in, undoes it,
//! applies `source.fixAll.mimigrate`, and writes what Neovim holds after each step
//! (diagnostics as JSON, the buffer as Neovim saves it) for the checks here:
//!
//! - the diagnostics are `mimigrate check --format json`'s findings: same codes,
//!   messages and severities, source "mimigrate", and the same places. The CLI counts
//!   1-based columns in Unicode scalar values; Neovim 0.7 offers the server no position
//!   encoding, so the server speaks UTF-16 and Neovim turns that into 0-based byte
//!   columns. The expected byte column is computed from the line's text, so a non-ASCII
//!   character before a finding (the en dashes of `en-dash-parameters.ps1`) tells a
//!   right conversion from a wrong one;
//! - after the quickfix the buffer is the runbook with exactly that finding's fix (as
//!   the CLI's JSON gives it) applied, and the diagnostics are those of the new text
//!   (the server followed Neovim's incremental, UTF-16 changes);
//! - after fix-all the buffer, as Neovim writes it, is byte for byte what `mimigrate fix`
//!   makes of a copy of the runbook next to the same configuration;
//! - the server exits with status 0 after shutdown and exit.
//!
//! Each runbook is copied with the corpus's `mimigrate.toml` beside it. The server reads
//! the nearest `mimigrate.toml` above the document and the CLI the nearest above the
//! file, so the copy pins both to one configuration, the one the corpus expectations
//! hold under, whatever lies above the test's directory. (It only excludes `fixed/**`,
//! which no file here is in.)
//!
//! On failure the test prints Neovim's output, the harness's error, the server's stderr
//! and the end of Neovim's LSP log (debug level: every message both ways), and leaves
//! the files under `target/tmp/neovim/`.

// The language server is a cargo feature (on by default).
#![cfg(feature = "lsp")]

use std::io::Write;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// How long one wait inside Neovim may last (server start, diagnostics, a request).
const WAIT_MS: u64 = 20_000;
/// How long the whole Neovim run may last before it is killed.
const RUN_LIMIT: Duration = Duration::from_secs(180);

/// Parameter dashes are en dashes: every finding after one on its line sits at a
/// byte column that differs from its character column.
#[test]
fn neovim_en_dash_runbook() {
    run_case("en-dash-parameters.ps1", "MI102");
}

/// A byte-order mark and CRLF line endings, a sign-in continued over four lines, and
/// a fix-all that goes on after the sign-in's rewrite (the connection, now unread, is
/// removed; the autosave call is inserted).
#[test]
fn neovim_bom_crlf_runbook() {
    run_case("encoding-utf8-bom-crlf.ps1", "MI102");
}

fn run_case(runbook: &str, quickfix_code: &str) {
    let Some(nvim) = std::env::var_os("MIMIGRATE_TEST_NVIM") else {
        notice("skipped: set MIMIGRATE_TEST_NVIM to an nvim executable (Neovim 0.7, Debian bookworm's) to run it");
        return;
    };
    let started = Instant::now();
    let case = Case::new(runbook);
    let check = case.check(&case.document);
    let cli_fixed = case.cli_fix();

    let run = case.run_nvim(Path::new(&nvim), quickfix_code);
    let result = catch_unwind(AssertUnwindSafe(|| {
        case.assert_session(&run, &check, &cli_fixed, quickfix_code);
    }));
    if let Err(panic) = result {
        eprintln!("{}", case.report(&run));
        resume_unwind(panic);
    }
    notice(&format!(
        "{runbook}: passed in {:.1} s (Neovim alone {:.1} s)",
        started.elapsed().as_secs_f64(),
        run.took.as_secs_f64()
    ));
}

/// One runbook's working directory: `workspace/` holds the runbook and the
/// configuration, `workspace/out/` what the harness writes, `workspace/cli/` the copy
/// `mimigrate fix` rewrites, `xdg/` Neovim's cache (its LSP log) and data.
struct Case {
    root: PathBuf,
    workspace: PathBuf,
    out: PathBuf,
    document: PathBuf,
    original: Vec<u8>,
}

struct NvimRun {
    status: Option<std::process::ExitStatus>,
    took: Duration,
}

impl Case {
    fn new(runbook: &str) -> Case {
        let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        let root = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join("neovim")
            .join(runbook.trim_end_matches(".ps1"));
        if root.exists() {
            std::fs::remove_dir_all(&root).unwrap();
        }
        let workspace = root.join("workspace");
        let out = workspace.join("out");
        for dir in [&out, &workspace.join("cli"), &root.join("xdg")] {
            std::fs::create_dir_all(dir).unwrap();
        }
        std::fs::copy(corpus.join("mimigrate.toml"), workspace.join("mimigrate.toml")).unwrap();
        let document = workspace.join(runbook);
        std::fs::copy(corpus.join(runbook), &document).unwrap();
        let original = std::fs::read(&document).unwrap();
        Case {
            root,
            workspace,
            out,
            document,
            original,
        }
    }

    fn mimigrate(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_mimigrate"))
            .args(args)
            .current_dir(&self.workspace)
            .env_remove("MIMIGRATE_FORMAT")
            .env_remove("MIMIGRATE_CACHE_DIR")
            .env_remove("MIMIGRATE_NO_CACHE")
            .output()
            .expect("mimigrate runs")
    }

    /// `mimigrate check --format json` on `file`: its findings.
    fn check(&self, file: &Path) -> Vec<Value> {
        let output = self.mimigrate(&["check", "--no-cache", "--format", "json", &file.to_string_lossy()]);
        assert!(
            matches!(output.status.code(), Some(0 | 1)),
            "mimigrate check {}: {}",
            file.display(),
            text(&output)
        );
        match serde_json::from_slice(&output.stdout) {
            Ok(Value::Array(findings)) => findings,
            other => panic!("mimigrate check printed no JSON array ({other:?}): {}", text(&output)),
        }
    }

    /// What `mimigrate fix` makes of a copy of the runbook.
    fn cli_fix(&self) -> Vec<u8> {
        let copy = self.workspace.join("cli").join(self.document.file_name().unwrap());
        std::fs::write(&copy, &self.original).unwrap();
        let output = self.mimigrate(&["fix", &copy.to_string_lossy()]);
        assert!(
            matches!(output.status.code(), Some(0 | 1)),
            "mimigrate fix: {}",
            text(&output)
        );
        let fixed = std::fs::read(&copy).unwrap();
        assert_ne!(fixed, self.original, "mimigrate fix changed nothing: {}", text(&output));
        fixed
    }

    fn run_nvim(&self, nvim: &Path, quickfix_code: &str) -> NvimRun {
        let harness = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/neovim/harness.lua");
        let xdg = self.root.join("xdg");
        let started = Instant::now();
        let mut child = Command::new(nvim)
            .args(["--headless", "--clean", "-c"])
            .arg(format!("luafile {}", harness.display()))
            .current_dir(&self.workspace)
            .env("MIMIGRATE_BIN", env!("CARGO_BIN_EXE_mimigrate"))
            .env("HARNESS_DOCUMENT", &self.document)
            .env("HARNESS_OUT", &self.out)
            .env("HARNESS_QUICKFIX", quickfix_code)
            .env("HARNESS_TIMEOUT_MS", WAIT_MS.to_string())
            .env("XDG_CACHE_HOME", xdg.join("cache"))
            .env("XDG_CONFIG_HOME", xdg.join("config"))
            .env("XDG_DATA_HOME", xdg.join("data"))
            .env("XDG_STATE_HOME", xdg.join("state"))
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(self.root.join("nvim.stdout")).unwrap())
            .stderr(std::fs::File::create(self.root.join("nvim.stderr")).unwrap())
            .spawn()
            .expect("nvim starts");
        // The harness bounds each of its waits; this bounds Neovim itself, should it
        // hang outside them.
        let status = loop {
            if let Some(status) = child.try_wait().expect("nvim can be waited for") {
                break Some(status);
            }
            if started.elapsed() > RUN_LIMIT {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        NvimRun {
            status,
            took: started.elapsed(),
        }
    }

    fn out_json(&self, name: &str) -> Value {
        let path = self.out.join(name);
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    fn assert_session(&self, run: &NvimRun, check: &[Value], cli_fixed: &[u8], quickfix_code: &str) {
        let Some(status) = run.status else {
            panic!("nvim was still running after {RUN_LIMIT:?} and was killed");
        };
        assert!(
            !self.out.join("error.txt").exists(),
            "the harness failed (see its error below)"
        );
        assert!(status.success(), "nvim exited with {status}");
        assert!(self.out.join("done.txt").exists(), "the harness did not finish");

        let original = decode(&self.original);

        // Neovim 0.7 offers no position encoding, so the server must speak UTF-16 (later
        // Neovims offer UTF-8, which the server takes); Neovim must use the same.
        let initial = self.out_json("initial.json");
        let offers_utf8 = initial["offered_encodings"]
            .as_array()
            .is_some_and(|offered| offered.iter().any(|e| e == "utf-8"));
        let wanted = if offers_utf8 { "utf-8" } else { "utf-16" };
        let negotiated = &initial["server_capabilities"]["positionEncoding"];
        assert!(
            negotiated == wanted || (negotiated.is_null() && wanted == "utf-16"),
            "the server chose {negotiated} for a client that offered {}",
            initial["offered_encodings"]
        );
        assert_eq!(initial["offset_encoding"], wanted);
        assert_eq!(
            held(&initial),
            expected(check, &original),
            "the diagnostics Neovim holds for the opened runbook"
        );

        // The quickfix: titled after the fix, and the buffer is the runbook with exactly
        // that fix applied.
        let finding = check
            .iter()
            .find(|f| f["code"] == quickfix_code)
            .unwrap_or_else(|| panic!("mimigrate check reports no {quickfix_code}"));
        let fix = &finding["fix"];
        assert_eq!(fix["applicability"], "safe", "{finding}");
        let title = format!("Fix {quickfix_code}: {}", fix["message"].as_str().unwrap());
        let actions = self.out_json("quickfix-actions.json");
        assert!(
            actions
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a["title"] == title.as_str() && a["kind"] == "quickfix" && a["edit"] == true),
            "no quickfix titled {title:?} with an edit among {actions:#}"
        );
        let quickfixed = decode(&std::fs::read(self.out.join("quickfix.ps1")).unwrap());
        let with_fix = apply_edits(&original, fix["edits"].as_array().unwrap());
        assert_eq!(
            lines(&quickfixed),
            lines(&with_fix),
            "the buffer after the quickfix is not the runbook with {quickfix_code}'s fix"
        );
        assert!(quickfixed.contains("Connect-AzAccount -Identity"), "{quickfixed}");
        let (first, last) = changed_lines(&lines(&original), &lines(&quickfixed));
        let (start, end) = (line_of(&finding["start"]), line_of(&finding["end"]));
        assert!(
            start <= first && last <= end,
            "the quickfix changed lines {first}..={last} (1-based), outside the finding's {start}..={end}"
        );
        assert_eq!(
            held(&self.out_json("quickfix.json")),
            expected(&self.check(&self.out.join("quickfix.ps1")), &quickfixed),
            "the diagnostics Neovim holds after the quickfix"
        );

        // Undone: the diagnostics of the runbook as opened again.
        assert_eq!(
            held(&self.out_json("undone.json")),
            expected(check, &original),
            "the diagnostics Neovim holds after undoing the quickfix"
        );

        // Fix-all: what Neovim writes is what `mimigrate fix` writes.
        let actions = self.out_json("fixall-actions.json");
        assert!(
            actions
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a["kind"] == "source.fixAll.mimigrate" && a["title"] == "Fix all safe mimigrate findings"),
            "no source.fixAll.mimigrate action titled \"Fix all safe mimigrate findings\" among {actions:#}"
        );
        let fixed_all = std::fs::read(self.out.join("fixall.ps1")).unwrap();
        assert!(
            fixed_all == cli_fixed,
            "the buffer after fix-all is not what mimigrate fix writes\n\
             Neovim wrote:\n{}\nmimigrate fix wrote:\n{}",
            String::from_utf8_lossy(&fixed_all).escape_debug(),
            String::from_utf8_lossy(cli_fixed).escape_debug()
        );
        assert_eq!(
            held(&self.out_json("fixall.json")),
            expected(&self.check(&self.out.join("fixall.ps1")), &decode(&fixed_all)),
            "the diagnostics Neovim holds after fix-all"
        );

        let exit = self.out_json("exit.json");
        assert_eq!(
            (&exit["code"], &exit["signal"]),
            (&Value::from(0), &Value::from(0)),
            "how the server exited after shutdown and exit"
        );
    }

    /// Everything that tells what went on: Neovim's output, the harness's error, the
    /// server's stderr and the end of Neovim's LSP log.
    fn report(&self, run: &NvimRun) -> String {
        let read = |path: &Path| {
            std::fs::read(path).map_or_else(|e| format!("({e})"), |b| String::from_utf8_lossy(&b).into_owned())
        };
        let log = read(&self.root.join("xdg/cache/nvim/lsp.log"));
        let server_stderr: Vec<&str> = log.lines().filter(|l| l.contains("\"stderr\"")).collect();
        let log_lines: Vec<&str> = log.lines().collect();
        let tail = &log_lines[log_lines.len().saturating_sub(300)..];
        format!(
            "=== files: {}\n=== nvim: {:?} after {:.1} s\n=== nvim stdout:\n{}\n=== nvim stderr:\n{}\n\
             === harness error:\n{}\n=== server stderr (from the LSP log):\n{}\n\
             === LSP log, last {} lines:\n{}",
            self.root.display(),
            run.status,
            run.took.as_secs_f64(),
            read(&self.root.join("nvim.stdout")),
            read(&self.root.join("nvim.stderr")),
            read(&self.out.join("error.txt")),
            server_stderr.join("\n"),
            tail.len(),
            tail.join("\n")
        )
    }
}

/// One diagnostic as Neovim holds it (or should): 0-based lines and byte columns.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Held {
    lnum: u64,
    col: u64,
    end_lnum: u64,
    end_col: u64,
    code: String,
    severity: u64,
    source: String,
    message: String,
}

/// The diagnostics in one of the harness's JSON files, sorted.
fn held(recorded: &Value) -> Vec<Held> {
    let number = |d: &Value, key: &str| {
        d[key]
            .as_u64()
            .unwrap_or_else(|| panic!("{key} of {d} is not a number"))
    };
    let string = |d: &Value, key: &str| d[key].as_str().unwrap_or("<none>").to_owned();
    let mut list: Vec<Held> = recorded["diagnostics"]
        .as_array()
        .expect("a diagnostics array")
        .iter()
        .map(|d| Held {
            lnum: number(d, "lnum"),
            col: number(d, "col"),
            end_lnum: number(d, "end_lnum"),
            end_col: number(d, "end_col"),
            code: string(d, "code"),
            severity: number(d, "severity"),
            source: string(d, "source"),
            message: string(d, "message"),
        })
        .collect();
    list.sort();
    list
}

/// The CLI's findings for `text` as Neovim should hold them, sorted.
fn expected(findings: &[Value], text: &str) -> Vec<Held> {
    let lines = lines(text);
    let mut list: Vec<Held> = findings
        .iter()
        .map(|f| {
            let (lnum, col) = byte_position(&lines, &f["start"]);
            let (end_lnum, end_col) = byte_position(&lines, &f["end"]);
            Held {
                lnum,
                col,
                end_lnum,
                end_col,
                code: f["code"].as_str().unwrap().to_owned(),
                // vim.diagnostic.severity, which are the LSP's numbers.
                severity: match f["severity"].as_str().unwrap() {
                    "error" => 1,
                    "warning" => 2,
                    "info" => 3,
                    other => panic!("severity {other:?}"),
                },
                source: "mimigrate".to_owned(),
                message: f["message"].as_str().unwrap().to_owned(),
            }
        })
        .collect();
    list.sort();
    list
}

/// A CLI position (1-based line, 1-based column in Unicode scalar values) as Neovim's
/// 0-based line and 0-based byte column in that line.
fn byte_position(lines: &[&str], position: &Value) -> (u64, u64) {
    let line = line_of(position);
    let column = position["column"].as_u64().unwrap() as usize;
    let text = lines
        .get(line as usize - 1)
        .unwrap_or_else(|| panic!("no line {line} for {position}"));
    let byte = byte_column(text, column).unwrap_or_else(|| panic!("column {column} is past line {line}: {text:?}"));
    (line - 1, byte as u64)
}

fn line_of(position: &Value) -> u64 {
    position["line"].as_u64().unwrap()
}

/// Where the `column`th character (1-based) of `line` starts, in bytes; one past the
/// last character is the line's end.
fn byte_column(line: &str, column: usize) -> Option<usize> {
    line.char_indices()
        .map(|(at, _)| at)
        .chain(std::iter::once(line.len()))
        .nth(column - 1)
}

/// `text` with the CLI's edits (1-based lines and character columns) applied.
fn apply_edits(text: &str, edits: &[Value]) -> String {
    let mut starts = vec![0];
    starts.extend(text.match_indices('\n').map(|(at, _)| at + 1));
    let offset = |position: &Value| {
        let line = line_of(position) as usize;
        let start = starts[line - 1];
        let end = starts.get(line).copied().unwrap_or(text.len());
        let column = position["column"].as_u64().unwrap() as usize;
        start + byte_column(&text[start..end], column).unwrap_or_else(|| panic!("{position} is past its line"))
    };
    let mut spans: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| (offset(&e["start"]), offset(&e["end"]), e["content"].as_str().unwrap()))
        .collect();
    spans.sort();
    let mut result = text.to_owned();
    for (start, end, content) in spans.into_iter().rev() {
        result.replace_range(start..end, content);
    }
    result
}

/// A file's text as Neovim reads it: UTF-8 without its byte-order mark.
fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    String::from_utf8(bytes.to_vec()).expect("a UTF-8 runbook")
}

/// A text's lines as Neovim's buffer holds them: no line ending, no last empty line.
fn lines(text: &str) -> Vec<&str> {
    let text = text.strip_suffix('\n').unwrap_or(text);
    text.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).collect()
}

/// The first and last line (1-based, of `before`) that `after` changes.
fn changed_lines(before: &[&str], after: &[&str]) -> (u64, u64) {
    let same_start = before.iter().zip(after).take_while(|(a, b)| a == b).count();
    assert!(same_start < before.len().max(after.len()), "nothing changed");
    let same_end = before
        .iter()
        .rev()
        .zip(after.iter().rev())
        .take_while(|(a, b)| a == b)
        .count()
        .min(before.len().min(after.len()) - same_start);
    (
        same_start as u64 + 1,
        (before.len() - same_end).max(same_start + 1) as u64,
    )
}

/// A line on stderr that `cargo test` shows: `eprintln!` output is captured and
/// hidden for a passing test, a direct write is not.
fn notice(line: &str) {
    let _ = writeln!(std::io::stderr(), "neovim: {line}");
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}
