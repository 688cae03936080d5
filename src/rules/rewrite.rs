//! Text surgery shared by the fixes: whole-statement deletion, line insertion in the
//! file's own style, and rebuilding a sign-in call from the arguments it keeps.

use std::ops::Range;

use crate::diagnostic::Edit;
use crate::syntax::model::{Argument, Command, Script, ValueKind};

/// The file's line ending, taken from its first line break (`\n` when it has none).
pub fn line_ending(text: &str) -> &'static str {
    match text.find(['\r', '\n']) {
        Some(i) if text[i..].starts_with("\r\n") => "\r\n",
        Some(i) if text[i..].starts_with('\r') => "\r",
        _ => "\n",
    }
}

fn line_start(text: &str, offset: usize) -> usize {
    text[..offset].rfind(['\n', '\r']).map_or(0, |i| i + 1)
}

/// The whitespace that starts the line holding `offset`.
pub fn indentation(text: &str, offset: usize) -> &str {
    let start = line_start(text, offset);
    let line = &text[start..];
    &line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
}

/// Delete a statement: its whole lines when nothing else shares them, otherwise the
/// statement and a `;` that ends it.
pub fn delete_statement(text: &str, range: Range<usize>) -> Edit {
    let start = line_start(text, range.start);
    let before_is_blank = text[start..range.start].trim_matches([' ', '\t']).is_empty();
    let rest = &text[range.end..];
    let after = rest.len() - rest.trim_start_matches([' ', '\t', ';']).len();
    let line_break = [&"\r\n", &"\n", &"\r"]
        .into_iter()
        .find(|nl| rest[after..].starts_with(**nl))
        .map(|nl| nl.len());
    match line_break {
        Some(nl) if before_is_blank => Edit::delete(start..range.end + after + nl),
        None if before_is_blank && range.end + after == text.len() => Edit::delete(start..text.len()),
        _ => {
            let semicolon = rest.trim_start_matches([' ', '\t']).starts_with(';');
            let end = if semicolon {
                range.end + rest.find(';').unwrap_or(0) + 1
            } else {
                range.end
            };
            let trailing = &text[end..];
            let spaces = trailing.len() - trailing.trim_start_matches([' ', '\t']).len();
            Edit::delete(range.start..end + if semicolon { spaces } else { 0 })
        }
    }
}

/// Insert `line` before the statement starting at `at`, on its own line with the same
/// indentation, or followed by `; ` when the statement shares its line with code.
pub fn insert_before_statement(text: &str, at: usize, line: &str) -> Edit {
    let start = line_start(text, at);
    if text[start..at].trim_matches([' ', '\t']).is_empty() {
        let indent = &text[start..at];
        Edit::insert(
            above_attached_comments(text, start),
            format!("{indent}{line}{}", line_ending(text)),
        )
    } else {
        Edit::insert(at, format!("{line}; "))
    }
}

/// The comment lines directly above the line holding `at`.
pub fn attached_comments(text: &str, at: usize) -> &str {
    let start = line_start(text, at);
    &text[above_attached_comments(text, start)..start]
}

/// The start of the comment lines directly above the line starting at `start`, so an
/// inserted line never separates a statement from its comment (a suppression comment
/// above a statement must stay right above it).
fn above_attached_comments(text: &str, mut start: usize) -> usize {
    while start > 0 {
        let previous = line_start(text, start - 1);
        let line = text[previous..start].trim();
        if !line.starts_with('#') || line.starts_with("#requires") || line.starts_with("#Requires") {
            break;
        }
        start = previous;
    }
    start
}

/// Insert `line` as a line of its own above the line holding `at`, indented like it
/// (for comments, which must never share a line with the code after them).
pub fn insert_line_above(text: &str, at: usize, line: &str) -> Edit {
    let start = line_start(text, at);
    let indent = indentation(text, at);
    Edit::insert(
        above_attached_comments(text, start),
        format!("{indent}{line}{}", line_ending(text)),
    )
}

/// Rebuild a sign-in as `<name><identity arguments>` followed by every argument the
/// rewrite keeps, each in its original text (splatted entries as `-Key value`).
pub fn rebuild_call(
    script: &Script,
    command: &Command,
    name: &str,
    identity: &str,
    keep: impl Fn(&str) -> bool,
) -> String {
    let mut call = format!("{name}{identity}");
    for argument in &command.arguments {
        match argument {
            Argument::Named {
                name,
                via_splat: true,
                value,
                ..
            } if keep(name) => {
                call.push_str(&format!(" -{name}"));
                match value.as_ref().map(|v| (&v.kind, v)) {
                    Some((ValueKind::Variable(v), _)) if v == "true" => {}
                    Some((_, value)) => {
                        call.push(' ');
                        call.push_str(script.slice(&value.range));
                    }
                    None => {}
                }
            }
            Argument::Named {
                name, via_splat: false, ..
            } if keep(name) => {
                call.push(' ');
                call.push_str(&normalize_dash(script.slice(&argument.range())));
            }
            Argument::Positional(value) => {
                call.push(' ');
                call.push_str(script.slice(&value.range));
            }
            _ => {}
        }
    }
    call
}

/// `–Environment x` -> `-Environment x`; a colon binding keeps its colon.
fn normalize_dash(argument: &str) -> String {
    let trimmed = argument.trim_start_matches(crate::syntax::model::is_dash);
    format!("-{trimmed}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statements_are_deleted_with_their_line_or_their_semicolon() {
        let text = "a\r\n  $c = Get-X\r\nb; c\n";
        let start = text.find("$c").unwrap();
        let edit = delete_statement(text, start..start + 11);
        assert_eq!(&text[edit.range.clone()], "  $c = Get-X\r\n");
        let b = text.find("b;").unwrap();
        assert_eq!(&text[delete_statement(text, b..b + 1).range], "b; ");
        assert_eq!(delete_statement("x", 0..1).range, 0..1);
    }

    #[test]
    fn inserted_lines_follow_indentation_and_line_endings() {
        let text = "if ($a) {\r\n    Connect-AzAccount -Identity\r\n}";
        let at = text.find("Connect").unwrap();
        let edit = insert_before_statement(text, at, "Disable-X");
        assert_eq!(edit.content, "    Disable-X\r\n");
        assert_eq!(edit.range.start, text.find("    Connect").unwrap());
        assert_eq!(insert_before_statement("try { Connect }", 6, "D").content, "D; ");
    }
}
