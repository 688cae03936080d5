//! `--format json` (one array) and `json-lines` (one object per line), exactly the
//! schema of CLI.md: 1-based lines, columns in Unicode scalar values.

use std::io::{self, Write};

use serde::Serialize;

use super::Printer;
use crate::diagnostic::Diagnostic;
use crate::lint::CheckedFile;
use crate::rules;
use crate::source::Position;

#[derive(Serialize)]
struct JsonFinding<'a> {
    path: String,
    code: &'a str,
    name: &'a str,
    severity: &'a str,
    message: &'a str,
    start: Position,
    end: Position,
    url: Option<String>,
    fix: Option<JsonFix<'a>>,
    /// The graphical runbook activity of the finding (positions are in its view).
    #[serde(skip_serializing_if = "Option::is_none")]
    activity: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    applicability: &'a str,
    message: &'a str,
    edits: Vec<JsonEdit<'a>>,
}

#[derive(Serialize)]
struct JsonEdit<'a> {
    start: Position,
    end: Position,
    content: &'a str,
}

fn finding<'a>(file: &'a CheckedFile, diagnostic: &'a Diagnostic) -> JsonFinding<'a> {
    let position = |offset| file.lines.position(&file.source.text, offset);
    JsonFinding {
        path: file.path.display().to_string(),
        code: diagnostic.code,
        name: diagnostic.name,
        severity: diagnostic.severity.as_str(),
        message: &diagnostic.message,
        start: position(diagnostic.range.start),
        end: position(diagnostic.range.end),
        url: rules::by_code(diagnostic.code).and_then(|rule| rule.url()),
        activity: diagnostic.activity.as_deref(),
        fix: diagnostic.fix.as_ref().map(|fix| JsonFix {
            applicability: fix.applicability.as_str(),
            message: &fix.message,
            edits: fix
                .edits
                .iter()
                .map(|edit| JsonEdit {
                    start: position(edit.range.start),
                    end: position(edit.range.end),
                    content: &edit.content,
                })
                .collect(),
        }),
    }
}

fn findings(files: &[CheckedFile]) -> impl Iterator<Item = JsonFinding<'_>> {
    files
        .iter()
        .flat_map(|file| file.diagnostics.iter().map(move |d| finding(file, d)))
}

pub struct Json;

impl Printer for Json {
    fn print(&self, files: &[CheckedFile], out: &mut dyn Write) -> io::Result<()> {
        let all: Vec<_> = findings(files).collect();
        serde_json::to_writer_pretty(&mut *out, &all)?;
        writeln!(out)
    }
}

pub struct JsonLines;

impl Printer for JsonLines {
    fn print(&self, files: &[CheckedFile], out: &mut dyn Write) -> io::Result<()> {
        for finding in findings(files) {
            serde_json::to_writer(&mut *out, &finding)?;
            writeln!(out)?;
        }
        Ok(())
    }
}
