//! `mimigrate check`: report findings.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Args;
use rayon::prelude::*;

use super::inputs::{read_source, FileArgs, Skipped};
use super::{closed_pipe_is_fine, plural, report_unread};
use crate::lint::CheckedFile;
use crate::output::{is_fixable, Format};
use crate::source::{Encoding, SourceText};

#[derive(Args)]
pub struct CheckArgs {
    #[command(flatten)]
    files: FileArgs,
    /// Output format [default: full on a terminal, concise otherwise].
    #[arg(long, value_enum, env = "MIMIGRATE_FORMAT")]
    format: Option<Format>,
    /// Exit 0 even when there are findings.
    #[arg(long)]
    exit_zero: bool,
}

pub fn run(args: CheckArgs, color: bool, quiet: bool) -> Result<ExitCode, String> {
    let inputs = args.files.load()?;
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    if let Some((input, bytes)) = inputs.stdin {
        match SourceText::decode(&bytes) {
            Ok(source) => files.push(CheckedFile::check(input.path, source, &input.options)),
            Err(reason) => skipped.push(Skipped {
                path: input.path,
                reason: reason.to_string(),
            }),
        }
    }
    let results: Vec<Result<CheckedFile, Skipped>> = inputs
        .files
        .into_par_iter()
        .map(|input| match read_source(&input.path) {
            Ok((_, source)) => Ok(CheckedFile::check(input.path, source, &input.options)),
            Err(reason) => Err(Skipped {
                path: input.path,
                reason,
            }),
        })
        .collect();
    for result in results {
        match result {
            Ok(file) => files.push(file),
            Err(skip) => skipped.push(skip),
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    if !quiet {
        report_unread(&inputs.problems, &skipped);
        note_legacy_encodings(&files);
    }

    let format = args.format.unwrap_or(if std::io::stdout().is_terminal() {
        Format::Full
    } else {
        Format::Concise
    });
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    format
        .printer(color)
        .print(&files, &mut out)
        .or_else(closed_pipe_is_fine)?;
    let findings: usize = files.iter().map(|f| f.diagnostics.len()).sum();
    if format.is_human() && !quiet {
        let fixable = files
            .iter()
            .flat_map(|f| &f.diagnostics)
            .filter(|d| is_fixable(d))
            .count();
        let with_findings = files.iter().filter(|f| !f.diagnostics.is_empty()).count();
        let unread = skipped.len() + inputs.problems.len();
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
    Ok(if findings > 0 && !args.exit_zero {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Windows-1252 is a guess: say so, once per file.
pub fn note_legacy_encodings(files: &[CheckedFile]) {
    let mut stderr = std::io::stderr().lock();
    for file in files.iter().filter(|f| f.source.encoding == Encoding::Windows1252) {
        let _ = writeln!(
            stderr,
            "mimigrate: {}: not valid UTF-8, read as Windows-1252",
            file.path.display()
        );
    }
}
