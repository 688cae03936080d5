//! Between the engine's byte offsets and LSP's line/character positions, and from its
//! `Diagnostic`s to LSP's.

use std::ops::Range;

use lsp_types as lsp;

use crate::diagnostic::{Diagnostic, Edit, Severity};
use crate::rules;
use crate::source::{ColumnUnit, LineIndex};

/// A text with its line index: what every conversion needs.
#[derive(Clone, Copy)]
pub struct Positions<'a> {
    pub text: &'a str,
    pub lines: &'a LineIndex,
    /// The negotiated position encoding: UTF-16 code units, or UTF-8 bytes.
    pub unit: ColumnUnit,
}

impl Positions<'_> {
    pub fn position(&self, offset: usize) -> lsp::Position {
        let at = self.lines.position_in(self.text, offset, self.unit);
        lsp::Position::new(saturate(at.line - 1), saturate(at.column - 1))
    }

    pub fn range(&self, range: &Range<usize>) -> lsp::Range {
        lsp::Range::new(self.position(range.start), self.position(range.end))
    }

    pub fn offset(&self, position: lsp::Position) -> usize {
        self.lines.offset_at(
            self.text,
            position.line as usize,
            position.character as usize,
            self.unit,
        )
    }

    /// A client's range as bytes, its ends in order.
    pub fn offsets(&self, range: lsp::Range) -> Range<usize> {
        let (start, end) = (self.offset(range.start), self.offset(range.end));
        start.min(end)..start.max(end)
    }

    pub fn text_edit(&self, edit: &Edit) -> lsp::TextEdit {
        lsp::TextEdit::new(self.range(&edit.range), edit.content.clone())
    }

    /// The engine's finding as the editor shows it.
    pub fn diagnostic(&self, diagnostic: &Diagnostic) -> lsp::Diagnostic {
        let rule = rules::by_code(diagnostic.code);
        lsp::Diagnostic {
            range: self.range(&diagnostic.range),
            severity: Some(match diagnostic.severity {
                Severity::Error => lsp::DiagnosticSeverity::ERROR,
                Severity::Warning => lsp::DiagnosticSeverity::WARNING,
                Severity::Info => lsp::DiagnosticSeverity::INFORMATION,
            }),
            code: Some(lsp::NumberOrString::String(diagnostic.code.to_owned())),
            code_description: rule.and_then(docs_link),
            source: Some("mimigrate".to_owned()),
            message: diagnostic.message.clone(),
            related_information: None,
            tags: tags(diagnostic.code),
            data: None,
        }
    }
}

/// Where a rule's documentation is online, parsed once per rule.
fn docs_link(rule: &'static rules::Rule) -> Option<lsp::CodeDescription> {
    static LINKS: std::sync::LazyLock<std::collections::HashMap<&'static str, lsp::Uri>> =
        std::sync::LazyLock::new(|| {
            rules::ALL
                .iter()
                .filter_map(|rule| Some((rule.code, rule.url()?.parse().ok()?)))
                .collect()
        });
    LINKS
        .get(rule.code)
        .map(|href| lsp::CodeDescription { href: href.clone() })
}

/// An unused suppression is dead text: editors fade it.
fn tags(code: &str) -> Option<Vec<lsp::DiagnosticTag>> {
    (code == rules::UNUSED_SUPPRESSION.code).then(|| vec![lsp::DiagnosticTag::UNNECESSARY])
}

fn saturate(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The file path of a `file:` URI (percent-decoded), `None` for any other scheme.
pub fn file_path(uri: &lsp::Uri) -> Option<std::path::PathBuf> {
    let text = uri.as_str();
    let rest = text.strip_prefix("file://").or_else(|| {
        text.get(..5)
            .filter(|s| s.eq_ignore_ascii_case("file:"))
            .map(|_| &text[5..])
    })?;
    // `file://host/path`: only a local (empty or localhost) authority is a path here.
    let path = match rest.find('/') {
        Some(0) => rest,
        Some(at) if rest[..at].eq_ignore_ascii_case("localhost") => &rest[at..],
        _ => return None,
    };
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let decoded = percent_decode(path)?;
    // `/C:/Users/...` on Windows.
    let windows_drive = cfg!(windows) && decoded.len() > 2 && decoded.as_bytes()[2] == b':';
    Some(std::path::PathBuf::from(if windows_drive {
        &decoded[1..]
    } else {
        &decoded[..]
    }))
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_units_or_bytes() {
        let text = "# caf\u{e9} \u{1F600}\r\nConnect-AzAccount \u{2013}Identity\n";
        let lines = LineIndex::new(text);
        let identity = text.find("Identity").unwrap();
        let emoji_end = text.find("\r\n").unwrap();
        for (unit, identity_column, emoji_end_column) in [(ColumnUnit::Utf16, 19, 9), (ColumnUnit::Bytes, 21, 12)] {
            let positions = Positions {
                text,
                lines: &lines,
                unit,
            };
            assert_eq!(positions.position(identity), lsp::Position::new(1, identity_column));
            assert_eq!(positions.position(emoji_end), lsp::Position::new(0, emoji_end_column));
            assert_eq!(positions.offset(lsp::Position::new(1, identity_column)), identity);
            assert_eq!(positions.offset(lsp::Position::new(0, emoji_end_column)), emoji_end);
        }
    }

    #[test]
    fn positions_past_a_line_or_inside_a_character_are_clamped() {
        let text = "ab\u{1F600}\ncd";
        let lines = LineIndex::new(text);
        let positions = Positions {
            text,
            lines: &lines,
            unit: ColumnUnit::Utf16,
        };
        // Half of the surrogate pair: the character's start.
        assert_eq!(positions.offset(lsp::Position::new(0, 3)), 2);
        // Past the line: before its line break.
        assert_eq!(positions.offset(lsp::Position::new(0, 40)), 6);
        // Past the last line: the end.
        assert_eq!(positions.offset(lsp::Position::new(9, 0)), text.len());
    }

    #[test]
    fn file_uris_become_paths() {
        let uri: lsp::Uri = "file:///home/me/Run%20As/stop%C3%A9.ps1".parse().unwrap();
        assert_eq!(file_path(&uri), Some("/home/me/Run As/stop\u{e9}.ps1".into()));
        let untitled: lsp::Uri = "untitled:Untitled-1".parse().unwrap();
        assert_eq!(file_path(&untitled), None);
    }
}
