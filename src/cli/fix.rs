//! `mimigrate fix`: apply fixes in place, or show them as a diff.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Args;

use super::check::note_guesses;
use super::inputs::{report_skipped, FileArgs, HasPath, Input, Skipped, TargetArgs};
use super::{closed_pipe_is_fine, plural};
use crate::diagnostic::{Applicability, Diagnostic};
use crate::fix::{fix_text, FixMode, FixOutcome, MAX_PASSES};
use crate::graphical::is_graphical;
use crate::lint::{lint, CheckedFile};
use crate::output::Format;
use crate::source::{LineIndex, SourceText};
use crate::write::Writer;

#[derive(Args)]
pub struct FixArgs {
    /// Print a unified diff of the fixes; write nothing.
    #[arg(long)]
    diff: bool,
    /// Like --diff, and exit 1 when any file would change.
    #[arg(long)]
    check: bool,
    /// Also apply unsafe fixes: they may change what a script does, so review them.
    #[arg(long)]
    unsafe_fixes: bool,
    /// Exit 1 when any file was fixed, even if no finding remains.
    #[arg(long)]
    exit_non_zero_on_fix: bool,
    /// Format of the findings left after fixing [default: full on a terminal, concise otherwise].
    #[arg(long, value_enum, env = "MIMIGRATE_FORMAT", alias = "output-format")]
    format: Option<Format>,
    #[command(flatten)]
    files: FileArgs,
    #[command(flatten)]
    target: TargetArgs,
}

/// One file after fixing, before anything is written.
struct Fixed {
    input: Input,
    original: Vec<u8>,
    source: SourceText,
    outcome: FixOutcome,
    /// A graphical runbook: never written, its findings are changed in the editor.
    graphical: bool,
}

impl HasPath for Fixed {
    fn path(&self) -> &std::path::Path {
        &self.input.path
    }
}

impl Fixed {
    fn changed(&self) -> bool {
        self.outcome.changed(&self.source.text)
    }
}

pub fn run(args: FixArgs, color: bool, quiet: bool) -> Result<ExitCode, String> {
    let mode = FixMode {
        unsafe_fixes: args.unsafe_fixes,
    };
    let show_only = args.diff || args.check;
    let mut inputs = args.files.load(&args.target)?;
    inputs.progress = !quiet && args.format.is_none_or(Format::is_human);
    if let Some((input, bytes)) = inputs.stdin {
        return fix_stdin(input, &bytes, mode, &args, quiet);
    }
    let (fixed, unread) = inputs.read_each(|input, original, source, graphical| {
        let outcome = match &graphical {
            // Never rewritten: its findings stay, with the steps in the graphical editor.
            Some(runbook) => FixOutcome::unchanged(
                &source.text,
                runbook.present(lint(&source.text, &input.options), &input.options),
            ),
            None => fix_text(&source.text, &input.options, mode),
        };
        Fixed {
            input,
            original,
            source,
            outcome,
            graphical: graphical.is_some(),
        }
    });
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut not_written = Vec::new();
    let mut writer = Writer::default();
    for file in fixed.iter().filter(|f| f.changed()) {
        let Some(bytes) = file.source.encode(&file.outcome.text) else {
            not_written.push(Skipped {
                path: file.input.path.clone(),
                reason: "the fixed text would not read back in the file's encoding (characters Windows-1252 cannot hold, or NUL bytes that would make it look binary); left as it is".into(),
            });
            continue;
        };
        if show_only {
            print_diff(&mut out, &file.input.path, &file.source.text, &file.outcome.text, color)
                .or_else(closed_pipe_is_fine)?;
        } else if let Err(error) = writer.write_fixed(&file.input.path, &file.input.tree, &file.original, &bytes) {
            not_written.push(Skipped {
                path: file.input.path.clone(),
                reason: error.to_string(),
            });
        }
    }
    unread.report(quiet);
    if !quiet {
        report_skipped(&not_written);
        report_unsettled(&fixed);
        let here = std::env::current_dir()
            .and_then(std::fs::canonicalize)
            .unwrap_or_default();
        for removed in &writer.removed {
            let _ = writeln!(
                std::io::stderr(),
                "mimigrate: {}: removed, a temporary file left by an interrupted run",
                removed.strip_prefix(&here).unwrap_or(removed).display()
            );
        }
        note_guesses(fixed.iter().map(|f| (f.input.path.as_path(), &f.source)));
    }

    let written = |f: &&Fixed| f.changed() && !not_written.iter().any(|n| n.path == f.input.path);
    let changed_files = fixed.iter().filter(written).count();
    let applied: usize = fixed.iter().filter(written).map(|f| f.outcome.resolved()).sum();
    let remaining: usize = fixed.iter().map(|f| f.outcome.remaining.len()).sum();
    let unsafe_left = if args.unsafe_fixes {
        0
    } else {
        unsafe_fixes_left(fixed.iter().flat_map(|f| &f.outcome.remaining))
    };
    if !show_only {
        let left: Vec<CheckedFile> = fixed
            .into_iter()
            .filter(|f| !f.outcome.remaining.is_empty())
            .map(|f| CheckedFile {
                path: f.input.path,
                lines: LineIndex::new(&f.outcome.text),
                source: SourceText {
                    text: f.outcome.text,
                    encoding: f.source.encoding,
                },
                fixable: Vec::new(),
                diagnostics: f.outcome.remaining,
                graphical: f.graphical,
            })
            .collect();
        let format = args.format.unwrap_or(if std::io::stdout().is_terminal() {
            Format::Full
        } else {
            Format::Concise
        });
        format
            .printer(color)
            .print(&left, &mut out)
            .or_else(closed_pipe_is_fine)?;
        if !quiet {
            // Machine formats keep stdout parseable: the summary goes to stderr.
            let mut stderr = std::io::stderr().lock();
            let summary_out: &mut dyn Write = if format.is_human() { &mut out } else { &mut stderr };
            summary(summary_out, "Fixed", applied, changed_files, remaining, unsafe_left)?;
        }
    } else if !quiet {
        summary(&mut out, "Would fix", applied, changed_files, remaining, unsafe_left)?;
    }
    out.flush().or_else(closed_pipe_is_fine)?;
    let failed = !not_written.is_empty();
    // `--diff` exits as the same run without it would: 1 when findings would remain.
    let exit_one = if args.check {
        changed_files > 0 || failed
    } else {
        remaining > 0 || failed || (args.exit_non_zero_on_fix && changed_files > 0)
    };
    Ok(unread.exit_code(if exit_one { ExitCode::from(1) } else { ExitCode::SUCCESS }))
}

/// `fix -`: the fixed script on stdout in its own encoding, notes on stderr.
fn fix_stdin(input: Input, bytes: &[u8], mode: FixMode, args: &FixArgs, quiet: bool) -> Result<ExitCode, String> {
    if is_graphical(&input.path) {
        // Never rewritten: the bytes go back as they came (no diff: nothing changes).
        if !(args.diff || args.check) {
            std::io::stdout().lock().write_all(bytes).or_else(closed_pipe_is_fine)?;
        }
        if !quiet {
            eprintln!(
                "mimigrate: {}: a graphical runbook is never rewritten; `mimigrate check` says what to change in the graphical editor",
                input.path.display()
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    let source = SourceText::decode(bytes).map_err(|e| format!("{}: {e}", input.path.display()))?;
    let outcome = fix_text(&source.text, &input.options, mode);
    let changed = outcome.changed(&source.text);
    let output = if args.diff || args.check {
        let mut diff = Vec::new();
        if changed {
            print_diff(&mut diff, &input.path, &source.text, &outcome.text, false).map_err(|e| e.to_string())?;
        }
        diff
    } else {
        source.encode(&outcome.text).unwrap_or_else(|| bytes.to_vec())
    };
    std::io::stdout()
        .lock()
        .write_all(&output)
        .or_else(closed_pipe_is_fine)?;
    if !quiet {
        let mut stderr = std::io::stderr().lock();
        summary(
            &mut stderr,
            if args.diff || args.check { "Would fix" } else { "Fixed" },
            outcome.resolved(),
            usize::from(changed),
            outcome.remaining.len(),
            if args.unsafe_fixes {
                0
            } else {
                unsafe_fixes_left(&outcome.remaining)
            },
        )?;
    }
    let exit_one = if args.check {
        changed
    } else {
        args.exit_non_zero_on_fix && changed
    };
    Ok(if exit_one { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// Findings left after fixing whose fix is unsafe: `--unsafe-fixes` would take them.
fn unsafe_fixes_left<'d>(remaining: impl IntoIterator<Item = &'d Diagnostic>) -> usize {
    remaining
        .into_iter()
        .filter(|d| d.fix.as_ref().is_some_and(|f| f.applicability == Applicability::Unsafe))
        .count()
}

fn summary(
    out: &mut dyn Write,
    verb: &str,
    applied: usize,
    files: usize,
    remaining: usize,
    unsafe_left: usize,
) -> Result<(), String> {
    let mut line = format!(
        "{verb} {applied} finding{} in {files} file{}; {remaining} finding{} left",
        plural(applied),
        plural(files),
        plural(remaining)
    );
    if unsafe_left > 0 {
        line.push_str(&format!(" ({unsafe_left} more fixable with --unsafe-fixes)"));
    }
    writeln!(out, "{line}.").or_else(closed_pipe_is_fine)
}

/// Files whose fixes did not settle (left unwritten), and fixes dropped for harming
/// the script.
fn report_unsettled(fixed: &[Fixed]) {
    let mut stderr = std::io::stderr().lock();
    for file in fixed {
        if file.graphical && !file.outcome.remaining.is_empty() {
            let n = file.outcome.remaining.len();
            let _ = writeln!(
                stderr,
                "mimigrate: {}: a graphical runbook is never rewritten; change its {n} finding{} in the graphical editor (each says how)",
                file.input.path.display(),
                plural(n)
            );
        }
        if !file.outcome.converged {
            let _ = writeln!(
                stderr,
                "mimigrate: {}: internal error: the fixes of {} do not converge (within {MAX_PASSES} passes); file left unchanged, please report it",
                file.input.path.display(),
                file.outcome.unsettled.join(", ")
            );
        }
        for rejected in &file.outcome.rejected {
            let _ = writeln!(
                stderr,
                "mimigrate: {}: {} fix not applied: {} ({})",
                file.input.path.display(),
                rejected.code,
                rejected.reason,
                rejected.message
            );
        }
    }
}

/// A unified diff of one file, coloured on a terminal.
fn print_diff(
    out: &mut dyn Write,
    path: &std::path::Path,
    before: &str,
    after: &str,
    color: bool,
) -> std::io::Result<()> {
    // `a/` and `b/` as git writes them, so `git apply` (which strips one folder)
    // finds the file from where mimigrate ran.
    let shown = path.display().to_string().replace('\\', "/");
    let diff = similar::TextDiff::from_lines(before, after);
    let text = diff
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{shown}"), &format!("b/{shown}"))
        .to_string();
    for line in text.split_inclusive('\n') {
        let paint = match line.as_bytes().first() {
            _ if !color => "",
            Some(b'+') if line.starts_with("+++") => "\x1b[1m",
            Some(b'-') if line.starts_with("---") => "\x1b[1m",
            Some(b'+') => "\x1b[32m",
            Some(b'-') => "\x1b[31m",
            Some(b'@') => "\x1b[36m",
            _ => "",
        };
        let reset = if paint.is_empty() { "" } else { "\x1b[0m" };
        // The file's own line endings stay (a CRLF file's diff has CRLF lines), or
        // `git apply` finds no context to match.
        let body = line.trim_end_matches(['\n', '\r']);
        let ending = &line[body.len()..];
        write!(out, "{paint}{body}{reset}{ending}")?;
    }
    Ok(())
}
