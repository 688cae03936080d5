//! `--format full`: a miette snippet per finding, with the suggested fix as the lines
//! it would remove and add.

use std::fmt;
use std::io::{self, Write};

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode};

use super::{apply_edits, Printer};
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::lint::CheckedFile;

pub struct Full {
    pub color: bool,
}

/// One finding in miette's terms.
struct Snippet<'a> {
    diagnostic: &'a Diagnostic,
    source: NamedSource<String>,
    help: Option<String>,
}

impl fmt::Debug for Snippet<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl fmt::Display for Snippet<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl std::error::Error for Snippet<'_> {}

impl miette::Diagnostic for Snippet<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(format!("{} {}", self.diagnostic.code, self.diagnostic.name)))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let range = &self.diagnostic.range;
        let span = LabeledSpan::new_with_span(
            Some(self.diagnostic.code.to_owned()),
            range.start..range.end.max(range.start),
        );
        Some(Box::new(std::iter::once(span)))
    }
}

impl Printer for Full {
    fn print(&self, files: &[CheckedFile], out: &mut dyn Write) -> io::Result<()> {
        let theme = if self.color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let handler = GraphicalReportHandler::new_themed(theme).with_width(110);
        for file in files {
            for diagnostic in &file.diagnostics {
                let snippet = Snippet {
                    diagnostic,
                    source: NamedSource::new(file.path.display().to_string(), file.source.text.clone())
                        .with_language("PowerShell"),
                    help: diagnostic.fix.as_ref().map(|fix| suggestion(file, fix)),
                };
                let mut rendered = String::new();
                handler
                    .render_report(&mut rendered, &snippet)
                    .map_err(io::Error::other)?;
                writeln!(out, "{rendered}")?;
            }
        }
        Ok(())
    }
}

/// `[safe fix] message` and, per edit, the touched lines as they are and would be.
fn suggestion(file: &CheckedFile, fix: &Fix) -> String {
    let text = &file.source.text;
    let mut help = format!("[{} fix] {}", fix.applicability.as_str(), fix.message);
    for edit in &fix.edits {
        let first_line = file.lines.line_of(edit.range.start);
        let last_line = file
            .lines
            .line_of(edit.range.end.saturating_sub(1).max(edit.range.start));
        let start = file.lines.line_start(first_line);
        let end = if last_line + 1 < file.lines.line_count() {
            file.lines.line_start(last_line + 1)
        } else {
            text.len()
        };
        let end = end.max(edit.range.end);
        let local = Edit::replace(edit.range.start - start..edit.range.end - start, edit.content.clone());
        let before = &text[start..end];
        let after = apply_edits(before, std::slice::from_ref(&local));
        if first_line > 0 || fix.edits.len() > 1 {
            help.push_str(&format!("\n  line {}:", first_line + 1));
        }
        for line in before.lines() {
            help.push_str(&format!("\n- {line}"));
        }
        for line in after.lines() {
            help.push_str(&format!("\n+ {line}"));
        }
    }
    help
}
