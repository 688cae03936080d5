//! `--format rdjson`: reviewdog's Diagnostic JSON (`DiagnosticResult`), for
//! `reviewdog -f=rdjson`. Positions are 1-based lines and columns in UTF-8 bytes with
//! an exclusive end, as reviewdog's proto says.
//!
//! A fix becomes one suggestion covering whole lines: GitHub suggestions replace
//! lines, and reviewdog's `github-pr-review` reporter only posts a suggestion whose
//! line range is the comment's (the first suggestion's), so a fix with several edits
//! cannot be several suggestions. A line-wise range (no columns) with the new text of
//! those lines is what it posts as is. Display-only fixes are not suggested: their
//! edits are not meant to be applied.

use std::io::{self, Write};
use std::ops::Range;

use serde_json::{json, Value};

use super::{annotated_range, annotation_message, slash_path, Printer};
use crate::diagnostic::{Applicability, Fix, Severity};
use crate::lint::CheckedFile;
use crate::rules::{self, REPOSITORY};
use crate::source::{ColumnUnit, LineIndex};

pub struct Rdjson;

impl Printer for Rdjson {
    fn print(&self, files: &[CheckedFile], out: &mut dyn Write) -> io::Result<()> {
        let mut source = json!({"name": "mimigrate"});
        if let Some(repository) = REPOSITORY {
            source["url"] = repository.into();
        }
        let diagnostics: Vec<Value> = files
            .iter()
            .flat_map(|file| {
                let source = &source;
                file.diagnostics.iter().map(move |diagnostic| {
                    let mut code = json!({"value": diagnostic.code});
                    if let Some(url) = rules::by_code(diagnostic.code).and_then(|rule| rule.url()) {
                        code["url"] = url.into();
                    }
                    let suggestions: Vec<Value> = diagnostic
                        .fix
                        .as_ref()
                        .filter(|fix| fix.applicability != Applicability::DisplayOnly && !fix.edits.is_empty())
                        .map(|fix| suggestion(file, fix))
                        .into_iter()
                        .collect();
                    json!({
                        "message": annotation_message(file, diagnostic),
                        "location": {
                            "path": slash_path(&file.path),
                            "range": range(file, annotated_range(file, diagnostic)),
                        },
                        "severity": severity(diagnostic.severity),
                        "source": source,
                        "code": code,
                        "suggestions": suggestions,
                    })
                })
            })
            .collect();
        let mut result = json!({"source": source, "diagnostics": diagnostics});
        let worst = files.iter().flat_map(|f| &f.diagnostics).map(|d| d.severity).max();
        if let Some(worst) = worst {
            result["severity"] = severity(worst).into();
        }
        serde_json::to_writer_pretty(&mut *out, &result)?;
        writeln!(out)
    }
}

fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "ERROR",
        Severity::Warning => "WARNING",
        Severity::Info => "INFO",
    }
}

fn range(file: &CheckedFile, range: Range<usize>) -> Value {
    let text = &file.source.text;
    let start = file.lines.position_in(text, range.start, ColumnUnit::Bytes);
    let end = file.lines.position_in(text, range.end, ColumnUnit::Bytes);
    json!({
        "start": {"line": start.line, "column": start.column},
        "end": {"line": end.line, "column": end.column},
    })
}

/// The fix as new text for the whole lines its edits touch (line-wise range: the
/// lines' content without the last line's line break).
fn suggestion(file: &CheckedFile, fix: &Fix) -> Value {
    let (lines, new_text) = whole_lines(&file.source.text, &file.lines, fix);
    json!({
        "range": {"start": {"line": lines.start + 1}, "end": {"line": lines.end + 1}},
        "text": new_text,
    })
}

/// The 0-based first and last line a fix touches and their text after the fix.
fn whole_lines(text: &str, index: &LineIndex, fix: &Fix) -> (Range<usize>, String) {
    let first = fix.edits.first().map_or(0, |e| e.range.start);
    let last = fix.edits.last().map_or(0, |e| e.range.end).max(first);
    let first_line = index.line_of(first);
    let mut last_line = index.line_of(last);
    let mut region_end = index.content_end(text, last_line);
    // An edit that runs up to the end of a file ending in a line break ends on the
    // empty "line" after it, which no review can point at: end on the line before,
    // whose line break then belongs to the region (and leaves the new text).
    let past_the_end = last_line > first_line && index.line_start(last_line) == text.len();
    if past_the_end {
        last_line -= 1;
        region_end = text.len();
    }
    let mut new_text = String::new();
    let mut at = index.line_start(first_line);
    for edit in &fix.edits {
        new_text.push_str(&text[at..edit.range.start]);
        new_text.push_str(&edit.content);
        at = edit.range.end;
    }
    new_text.push_str(&text[at..region_end.max(at)]);
    if past_the_end {
        let kept = new_text
            .strip_suffix("\r\n")
            .or_else(|| new_text.strip_suffix(['\n', '\r']))
            .map(str::len);
        new_text.truncate(kept.unwrap_or(new_text.len()));
    }
    (first_line..last_line, new_text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Edit;

    fn lines_of(text: &str, edits: Vec<Edit>) -> (Range<usize>, String) {
        let fix = Fix::new(Applicability::Safe, "", edits);
        whole_lines(text, &LineIndex::new(text), &fix)
    }

    #[test]
    fn a_fix_becomes_the_new_text_of_the_whole_lines_it_touches() {
        let text = "a = 1\r\nLogin-X -Cert\r\nb = 2\r\n";
        let login = text.find("Login-X").unwrap();
        let (lines, new) = lines_of(text, vec![Edit::replace(login..login + 13, "Connect -Identity")]);
        assert_eq!((lines, new.as_str()), (1..1, "Connect -Identity"));
        // Two edits on different lines: one suggestion over both, lines between kept.
        let b = text.find("b = 2").unwrap();
        let (lines, new) = lines_of(text, vec![Edit::delete(0..7), Edit::replace(b..b + 1, "c")]);
        assert_eq!((lines, new.as_str()), (0..2, "Login-X -Cert\r\nc = 2"));
        // A deleted last line, line break included, is the empty text of that line.
        let (lines, new) = lines_of(text, vec![Edit::delete(b..text.len())]);
        assert_eq!((lines, new.as_str()), (2..2, ""));
        // An insertion before a line is that line with the insertion in front.
        let (lines, new) = lines_of(text, vec![Edit::insert(login, "Disable-X\r\n")]);
        assert_eq!((lines, new.as_str()), (1..1, "Disable-X\r\nLogin-X -Cert"));
    }
}
