//! `mimigrate check`: report findings.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;

use super::inputs::{FileArgs, HasPath, TargetArgs};
use super::{closed_pipe_is_fine, plural};
use crate::cache::Cache;
use crate::lint::CheckedFile;
use crate::output::Format;
use crate::source::SourceText;

#[derive(Args)]
pub struct CheckArgs {
    /// Output format [default: full on a terminal, concise otherwise].
    #[arg(long, value_enum, env = "MIMIGRATE_FORMAT", alias = "output-format")]
    format: Option<Format>,
    /// Exit 0 even when there are findings.
    #[arg(long)]
    exit_zero: bool,
    /// Where findings are cached between runs, keyed on each file's text, the options
    /// and the build of mimigrate.
    #[arg(
        long,
        value_name = "DIR",
        env = "MIMIGRATE_CACHE_DIR",
        default_value = ".mimigrate_cache"
    )]
    cache_dir: PathBuf,
    /// Neither read nor write the cache.
    #[arg(long, env = "MIMIGRATE_NO_CACHE", value_parser = clap::builder::FalseyValueParser::new())]
    no_cache: bool,
    #[command(flatten)]
    files: FileArgs,
    #[command(flatten)]
    target: TargetArgs,
}

pub fn run(args: CheckArgs, color: bool, quiet: bool) -> Result<ExitCode, String> {
    let mut inputs = args.files.load(&args.target)?;
    let format = args.format.unwrap_or(if std::io::stdout().is_terminal() {
        Format::Full
    } else {
        Format::Concise
    });
    inputs.progress = format.is_human() && !quiet;
    // A script from stdin is an editor's unsaved buffer: not worth keeping.
    let cache = (!args.no_cache && inputs.stdin.is_none()).then(|| Cache::open(&args.cache_dir));
    let (files, unread) = inputs.read_each(|input, _, source, graphical| match graphical {
        // Never fixed, so nothing is fixable; the findings carry the editor's steps.
        Some(runbook) => {
            let mut file = CheckedFile::check(input.path, source, &input.options, false, cache.as_ref());
            file.diagnostics = runbook.present(file.diagnostics, &input.options);
            file.graphical = true;
            file
        }
        None => CheckedFile::check(
            input.path,
            source,
            &input.options,
            format.shows_fixability(),
            cache.as_ref(),
        ),
    });
    if let Some(cache) = cache {
        cache.save();
    }
    unread.report(quiet);
    if !quiet {
        note_guesses(files.iter().map(|f| (f.path.as_path(), &f.source)));
    }

    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    format
        .printer(color)
        .print(&files, &mut out)
        .or_else(closed_pipe_is_fine)?;
    let findings: usize = files.iter().map(|f| f.diagnostics.len()).sum();
    if format.is_human() && !quiet {
        let fixable = files
            .iter()
            .flat_map(|f| f.findings())
            .filter(|(_, fixable)| *fixable)
            .count();
        let with_findings = files.iter().filter(|f| !f.diagnostics.is_empty()).count();
        let unread = unread.count();
        let summary = format!(
            "Found {findings} finding{} in {with_findings} of {} file{} checked{}{}.",
            plural(findings),
            files.len(),
            plural(files.len()),
            if fixable > 0 {
                format!("; {fixable} fixable with `mimigrate fix`")
            } else {
                String::new()
            },
            if unread > 0 {
                format!("; {unread} skipped (see above)")
            } else {
                String::new()
            },
        );
        writeln!(out, "{summary}").or_else(closed_pipe_is_fine)?;
    }
    out.flush().or_else(closed_pipe_is_fine)?;
    Ok(unread.exit_code(if findings > 0 && !args.exit_zero {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }))
}

/// How a file was read is sometimes a guess (Windows-1252, UTF-16 without a BOM, NUL
/// bytes taken as text) that decides what a fix writes back: say so, once per file.
pub fn note_guesses<'a>(files: impl IntoIterator<Item = (&'a Path, &'a SourceText)>) {
    let mut stderr = std::io::stderr().lock();
    for (path, source) in files {
        if let Some(guess) = source.guessed() {
            let _ = writeln!(stderr, "mimigrate: {}: {guess}", path.display());
        }
    }
}

impl HasPath for CheckedFile {
    fn path(&self) -> &std::path::Path {
        &self.path
    }
}
