//! `--format full`: a miette snippet per finding, with the suggested fix as the lines
//! it would remove and add.

use std::fmt;
use std::io::{self, Write};
use std::ops::Range;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents, SourceCode, SourceSpan,
    SpanContents,
};

use super::{apply_edits, Printer};
use crate::diagnostic::{Diagnostic, Edit, Fix, Severity};
use crate::lint::CheckedFile;
use crate::source::LineIndex;

/// Snippets and fix previews longer than this, or with a line longer than `LONG_LINE`
/// (a minified script, a 4 MB string), show only `MARGIN` bytes either side of the
/// finding: nobody reads more, and miette cannot draw columns past 65535.
const MAX_SHOWN: usize = 8 * 1024;
const LONG_LINE: usize = 1000;
const MARGIN: usize = 160;
/// The report's width when stdout is no terminal (a file, a pipe, a test).
const DEFAULT_WIDTH: usize = 110;
/// What miette puts before a help line (`  help: `), with the `- ` of a preview line.
const HELP_INDENT: usize = 12;

pub struct Full {
    pub color: bool,
}

/// One finding in miette's terms.
struct Snippet<'a> {
    diagnostic: &'a Diagnostic,
    source: Excerpt<'a>,
    /// The finding's range, clipped to what the excerpt shows.
    label: Range<usize>,
    help: Option<String>,
}

/// The part of a file a snippet shows, read through the file's `LineIndex`: miette's
/// own `str` source scans the file from its start for every finding, and needs a copy
/// of it each time.
struct Excerpt<'a> {
    name: String,
    text: &'a str,
    lines: &'a LineIndex,
    shown: Range<usize>,
}

impl SourceCode for Excerpt<'_> {
    /// With context, the lines shown; without, the span itself (miette asks for that
    /// to head the snippet with its line and column).
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let range = if context_lines_before == 0 && context_lines_after == 0 {
            let start = span.offset().min(self.text.len());
            start..(start + span.len()).min(self.text.len())
        } else {
            self.shown.clone()
        };
        let data = self.text.get(range.clone()).ok_or(MietteError::OutOfBounds)?;
        let at = self.lines.position(self.text, range.start);
        let line_count =
            self.lines.line_of(range.end.saturating_sub(1).max(range.start)) - self.lines.line_of(range.start) + 1;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            data.as_bytes(),
            range.clone().into(),
            at.line - 1,
            at.column - 1,
            line_count,
        )))
    }
}

impl<'a> Excerpt<'a> {
    /// The whole lines of `range` and one either side, or bytes around its start when
    /// that would be too long to read.
    fn around(file: &'a CheckedFile, range: &Range<usize>) -> Self {
        let (text, lines) = (&file.source.text, &file.lines);
        let first = lines.line_of(range.start).saturating_sub(1);
        let last = (lines.line_of(range.end) + 1).min(lines.line_count() - 1);
        let end_of = |line: usize| lines.line_end(text, line);
        let whole = lines.line_start(first)..end_of(last);
        let readable =
            whole.len() <= MAX_SHOWN && (first..=last).all(|line| end_of(line) - lines.line_start(line) <= LONG_LINE);
        Excerpt {
            name: file.path.display().to_string(),
            text,
            lines,
            shown: if readable { whole } else { clipped(text, range) },
        }
    }
}

/// `MARGIN` bytes either side of the start of `range` (and of at most `MARGIN` of it),
/// on character boundaries.
fn clipped(text: &str, range: &Range<usize>) -> Range<usize> {
    let start = text.floor_char_boundary(range.start.saturating_sub(MARGIN));
    let end = text.ceil_char_boundary(range.end.min(range.start + MARGIN) + MARGIN);
    start..end
}

impl fmt::Debug for Snippet<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.located_message())
    }
}

impl fmt::Display for Snippet<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.located_message())
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
        let span = LabeledSpan::new_with_span(Some(self.diagnostic.code.to_owned()), self.label.clone());
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
        let width = terminal_size::terminal_size().map_or(DEFAULT_WIDTH, |(width, _)| usize::from(width.0));
        let handler = GraphicalReportHandler::new_themed(theme).with_width(width);
        for file in files {
            for diagnostic in &file.diagnostics {
                let range = diagnostic.range.start..diagnostic.range.end.max(diagnostic.range.start);
                let source = Excerpt::around(file, &range);
                let snippet = Snippet {
                    diagnostic,
                    label: range.start..range.end.min(source.shown.end),
                    source,
                    help: diagnostic.fix.as_ref().map(|fix| suggestion(file, fix, width)),
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

/// `[safe fix] message` and, per edit, the touched lines as they are and would be. A
/// preview line never wraps (a wrapped `-` line would read as two removed lines): one
/// wider than the report is cut short with `…`.
fn suggestion(file: &CheckedFile, fix: &Fix, width: usize) -> String {
    let fits = width.saturating_sub(HELP_INDENT).max(20);
    let text = &file.source.text;
    let mut help = format!("[{} fix] {}", fix.applicability.as_str(), fix.message);
    for edit in &fix.edits {
        let first_line = file.lines.line_of(edit.range.start);
        let last_line = file
            .lines
            .line_of(edit.range.end.saturating_sub(1).max(edit.range.start));
        let start = file.lines.line_start(first_line);
        let end = file.lines.line_end(text, last_line).max(edit.range.end);
        let (start, end) = if end - start > MAX_SHOWN || end - start > LONG_LINE && last_line == first_line {
            let shown = clipped(text, &(edit.range.start..edit.range.end.max(edit.range.start)));
            (shown.start, shown.end.max(edit.range.end))
        } else {
            (start, end)
        };
        let local = Edit::replace(edit.range.start - start..edit.range.end - start, edit.content.clone());
        let before = &text[start..end];
        let after = apply_edits(before, std::slice::from_ref(&local));
        if first_line > 0 || fix.edits.len() > 1 {
            help.push_str(&format!("\n  line {}:", first_line + 1));
        }
        for line in before.lines() {
            help.push_str(&format!("\n- {}", cut(line, fits)));
        }
        for line in after.lines() {
            help.push_str(&format!("\n+ {}", cut(line, fits)));
        }
    }
    help
}

/// `line` in at most `width` characters: its start and `…` when longer.
fn cut(line: &str, width: usize) -> String {
    if line.chars().count() <= width {
        return line.to_owned();
    }
    let kept: String = line.chars().take(width.saturating_sub(1)).collect();
    format!("{kept}…")
}
