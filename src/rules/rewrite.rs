//! Text surgery shared by the fixes: whole-statement deletion, line insertion in the
//! file's own style, and rebuilding a sign-in call from the arguments it keeps.

use std::ops::Range;

use regex::Regex;

use crate::diagnostic::Edit;
use crate::modules::{declared_modules, Declared};
use crate::syntax::model::{Argument, Command, Script, ValueKind};

/// The file's line ending, taken from its first line break (`\n` when it has none).
pub fn line_ending(text: &str) -> &'static str {
    match text.find(['\r', '\n']) {
        Some(i) if text[i..].starts_with("\r\n") => "\r\n",
        Some(i) if text[i..].starts_with('\r') => "\r",
        _ => "\n",
    }
}

/// The start of the line holding `offset` (which may fall inside a character: a
/// caller stepping one byte back from a position, as `add_parameter` does).
pub fn line_start(text: &str, offset: usize) -> usize {
    text[..text.floor_char_boundary(offset)]
        .rfind(['\n', '\r'])
        .map_or(0, |i| i + 1)
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
    match line_break_at(text, range.end + after) {
        Some(nl) if before_is_blank => {
            Edit::delete(start..swallow_doubled_blank_line(text, start, range.end + after + nl))
        }
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

/// Delete several statements at once: deletions that meet merge into one, so a block
/// of deleted lines between two blank lines leaves one blank line, as a single deleted
/// line does.
pub fn delete_statements(text: &str, ranges: impl IntoIterator<Item = Range<usize>>) -> Vec<Edit> {
    let mut deletions: Vec<Range<usize>> = ranges.into_iter().map(|r| delete_statement(text, r).range).collect();
    deletions.sort_by_key(|r| (r.start, r.end));
    let mut merged: Vec<Range<usize>> = Vec::new();
    for range in deletions {
        match merged.last_mut() {
            Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
            _ => merged.push(range),
        }
    }
    merged
        .into_iter()
        .map(|r| {
            // Statements that shared a line (`$a = 1; if ($a) { }`) and all went: the line goes.
            let start = line_start(text, r.start);
            let rest = &text[r.end..];
            let blanks = rest.len() - rest.trim_start_matches([' ', '\t']).len();
            let ends_line = text[..r.end].ends_with(['\n', '\r']);
            let r = match line_break_at(text, r.end + blanks) {
                Some(nl) if !ends_line && text[start..r.start].trim_matches([' ', '\t']).is_empty() => {
                    start..r.end + blanks + nl
                }
                _ => r,
            };
            let whole_lines =
                r.start == line_start(text, r.start) && (r.end == text.len() || text[..r.end].ends_with(['\n', '\r']));
            let end = if whole_lines {
                swallow_doubled_blank_line(text, r.start, r.end)
            } else {
                r.end
            };
            Edit::delete(r.start..end)
        })
        .collect()
}

/// The length of the line break starting at `at`, if one does.
fn line_break_at(text: &str, at: usize) -> Option<usize> {
    ["\r\n", "\n", "\r"]
        .into_iter()
        .find(|nl| text[at..].starts_with(*nl))
        .map(str::len)
}

/// Deleting the lines `start..end` between two blank lines would leave two blank lines
/// in a row: take the second one too.
fn swallow_doubled_blank_line(text: &str, start: usize, end: usize) -> usize {
    // Right after an opening brace a blank line is as good as one, and so is the start of
    // the file (a deleted first line must not leave the file starting with a blank one).
    let blank_before = previous_line(text, start).is_none_or(|(_, line)| {
        let line = line.trim();
        line.is_empty() || line.ends_with('{')
    });
    let next_line_end = text[end..].find('\n').map(|i| end + i + 1);
    match next_line_end {
        Some(next) if blank_before && text[end..next].trim().is_empty() => next,
        _ => end,
    }
}

/// Insert `line` before the statement starting at `at`, on its own line with the same
/// indentation (above the comment lines that belong to the statement), or followed by
/// `; ` when the statement shares its line with code. `at` must be a statement start
/// from the tree, so the new line can never land inside a comment or a string.
pub fn insert_before_statement(script: &Script, at: usize, line: &str) -> Edit {
    let text = script.text;
    let start = line_start(text, at);
    if text[start..at].trim_matches([' ', '\t']).is_empty() {
        let indent = &text[start..at];
        Edit::insert(
            above_attached_comments(script, start),
            format!("{indent}{line}{}", line_ending(text)),
        )
    } else {
        Edit::insert(at, format!("{line}; "))
    }
}

/// `#Requires -Modules` entries that a fix moves to other modules (each with its new
/// text), as edits: a `#Requires` line whose every entry moves is deleted, whole; a
/// line that also names modules that stay has the moved entries renamed in place. A fix
/// does not write comment text where it can help it, and what the script needs once
/// fixed is what `mimigrate modules --format requires` prints. The deleted lines are
/// returned as ranges, for the caller to delete with its other statements (deletions
/// that meet must merge).
pub fn move_requires(script: &Script, moves: &[(&Declared, String)]) -> (Vec<Edit>, Vec<Range<usize>>) {
    let declared = declared_modules(script);
    let moving = |d: &Declared| moves.iter().any(|(m, _)| m.by_requires && m.entry == d.entry);
    let (mut renamed, mut deleted) = (Vec::new(), Vec::new());
    for (entry, text) in moves.iter().filter(|(m, _)| m.by_requires) {
        let whole_line_moves = declared
            .iter()
            .filter(|d| d.by_requires && d.range == entry.range)
            .all(moving);
        if !whole_line_moves {
            renamed.push(Edit::replace(entry.entry.clone(), text.clone()));
        } else if !deleted.contains(&entry.range) {
            deleted.push(entry.range.clone());
        }
    }
    (renamed, deleted)
}

/// Insert `line` after the statement `statement` (a statement range from the tree): on a
/// line of its own below it, indented like it, when nothing but a comment follows it on
/// its line; after `; ` when code does (`{ Connect-X }`), or when the line's end lies
/// in a comment or string that goes on past it.
pub fn insert_after_statement(script: &Script, statement: &Range<usize>, line: &str) -> Edit {
    let text = script.text;
    let rest = &text[statement.end..];
    let line_end = statement.end + rest.find(['\r', '\n']).unwrap_or(rest.len());
    let tail = text[statement.end..line_end].trim_start_matches([' ', '\t']);
    let tail_start = line_end - tail.len();
    let only_comment = tail.is_empty()
        || script
            .comments
            .iter()
            .any(|c| c.start == tail_start && c.end == line_end);
    if only_comment && !script.inside_text(line_end) {
        let indent = indentation(text, statement.start);
        Edit::insert(line_end, format!("{}{indent}{line}", line_ending(text)))
    } else {
        Edit::insert(statement.end, format!("; {line}"))
    }
}

/// The own-line `#` comments directly above the line starting at `start`, nearest
/// first, each as its whole line. Read from the tree: the `#>` that closes a block
/// comment, or a `#` line inside a here-string, is not one. `#Requires` is not one either.
pub fn comment_lines_above(script: &Script, mut start: usize) -> Vec<Range<usize>> {
    let text = script.text;
    let mut lines = Vec::new();
    while let Some((previous, line)) = previous_line(text, start) {
        let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
        let comment_start = previous + indent;
        let whole_line_comment = script
            .comments
            .binary_search_by_key(&comment_start, |c| c.start)
            .ok()
            .map(|i| &script.comments[i])
            .is_some_and(|c| (previous + line.trim_end().len()..=start).contains(&c.end));
        let body = line.trim();
        if !whole_line_comment || body.starts_with("<#") || body.to_lowercase().starts_with("#requires") {
            break;
        }
        lines.push(previous..start);
        start = previous;
    }
    lines
}

/// Where a line inserted above the statement line starting at `start` goes: above the
/// comment lines that belong to that statement, so an inserted line never separates a
/// statement from its comment (a suppression comment must stay right above it). A
/// file's opening comment block is not the first statement's: only suppressions are
/// climbed there.
fn above_attached_comments(script: &Script, start: usize) -> usize {
    let lines = comment_lines_above(script, start);
    let Some(top) = lines.last() else { return start };
    let code_before = script.statements.iter().any(|s| s.statement.start < top.start)
        || script.param_blocks.iter().any(|p| p.start < top.start);
    if code_before {
        return top.start;
    }
    lines
        .iter()
        .take_while(|line| script.slice(line).to_lowercase().contains("mimigrate:"))
        .last()
        .map_or(start, |line| line.start)
}

/// The line before the one starting at `start`, without its line break, and where it
/// starts.
fn previous_line(text: &str, start: usize) -> Option<(usize, &str)> {
    let before = &text[..start];
    let end = before
        .strip_suffix("\r\n")
        .or_else(|| before.strip_suffix(['\n', '\r']))?
        .len();
    let begin = line_start(text, end);
    Some((begin, &text[begin..end]))
}

/// The comments on the lines directly above the statement at `at` when every one of
/// them matches `about`: they describe code that is going, and go with it.
pub fn describing_comments(script: &Script, at: usize, about: &Regex) -> Vec<Range<usize>> {
    let lines = comment_lines_above(script, line_start(script.text, at));
    let about = |line: &Range<usize>| {
        let text = script.slice(line);
        about.is_match(text) && !text.contains("mimigrate:")
    };
    if lines.is_empty() || !lines.iter().all(about) {
        return Vec::new();
    }
    // The comment itself, without its line break: deleted as a statement is.
    lines
        .into_iter()
        .map(|line| {
            let text = script.slice(&line);
            let indent = text.len() - text.trim_start().len();
            line.start + indent..line.start + text.trim_end().len()
        })
        .collect()
}

/// Insert `line` as a line of its own above the statement holding `at`, indented like
/// it (for comments, which must never share a line with the code after them). The
/// statement is the innermost one around `at` that starts its line outside any comment
/// or string: a read inside `$(...)` of a multi-line string gets the line above the
/// statement that holds the string. `None` when no statement qualifies (it shares its
/// line with the end of a block comment, say), or when the line is already there.
pub fn insert_line_above(script: &Script, at: usize, line: &str) -> Option<Edit> {
    let text = script.text;
    let mut around: Vec<&Range<usize>> = script
        .statements
        .iter()
        .map(|s| &s.statement)
        .filter(|s| s.start <= at && at <= s.end)
        .collect();
    around.sort_by_key(|s| s.len());
    around.into_iter().find_map(|statement| {
        let start = line_start(text, statement.start);
        let starts_line = text[start..statement.start].trim_matches([' ', '\t']).is_empty();
        let at = above_attached_comments(script, start);
        let written = text[at..start].lines().any(|l| l.trim() == line);
        (starts_line && !written && !script.inside_text(start) && !script.inside_text(at)).then(|| {
            let indent = indentation(text, statement.start);
            Edit::insert(at, format!("{indent}{line}{}", line_ending(text)))
        })
    })
}

/// Declare `[string] $name` as a parameter of the script (or of the function or
/// workflow around `at`): appended to its `param()` block, or a new block before its
/// first statement. `None` when it is already declared.
pub fn add_parameter(script: &Script, at: usize, name: &str) -> Option<Edit> {
    let scope = script.function_at(at);
    let lower = name.to_lowercase();
    let declared = script
        .assignments
        .iter()
        .any(|a| a.is_parameter && a.variable == lower && script.function_at(a.target.start) == scope);
    if declared {
        return None;
    }
    let text = script.text;
    let declaration = format!("[string] ${name}");
    let block = script
        .param_blocks
        .iter()
        .find(|b| script.function_at(b.start) == scope);
    if let Some(block) = block {
        let open = block.start + text[block.clone()].find('(')?;
        let close = block.start + text[block.clone()].rfind(')')?;
        let inner = &text[open + 1..close];
        // After the last parameter, not after what follows it: a comment there (a
        // parameter commented out) would swallow the separator.
        let last = script
            .assignments_in(block)
            .iter()
            .filter(|a| a.is_parameter && script.function_at(a.target.start) == scope)
            .map(|a| a.target.end.max(a.value.range.end))
            .max();
        let Some(last) = last else {
            return Some(Edit::insert(open + 1, declaration));
        };
        let separator = if inner.contains('\n') {
            format!(",{}{}", line_ending(text), indentation(text, last.saturating_sub(1)))
        } else {
            ", ".to_owned()
        };
        return Some(Edit::insert(last, format!("{separator}{declaration}")));
    }
    let first = script.block_statements().find(|s| {
        script.function_at(s.statement.start) == scope
            && !script
                .slice(&s.statement)
                .get(..6)
                .is_some_and(|w| w.eq_ignore_ascii_case("using "))
    })?;
    // Right above the statement: a help comment above must stay first in the file. A
    // statement that shares its line with the end of a comment gets it in front.
    let start = line_start(text, first.statement.start);
    let indent = indentation(text, first.statement.start);
    if !text[start..first.statement.start].trim_matches([' ', '\t']).is_empty() || script.inside_text(start) {
        return Some(Edit::insert(
            first.statement.start,
            format!("param({declaration}){}", line_ending(text)),
        ));
    }
    Some(Edit::insert(
        start,
        format!("{indent}param({declaration}){}", line_ending(text)),
    ))
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
    // A module-qualified call stays qualified (`Az.Accounts\Connect-AzAccount`).
    let qualifier = command
        .written_name
        .rsplit_once('\\')
        .map_or(String::new(), |(module, _)| format!("{module}\\"));
    let mut call = format!("{}{qualifier}{name}{identity}", invocation_operator(script, command));
    // A value bound by position is kept or dropped as the parameter it binds to.
    let positional_names = crate::syntax::commands::lookup(&command.name).map_or(&[][..], |spec| spec.positional);
    let mut position = 0;
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
                    // `ShowBanner = $false` binds a switch: only a colon keeps it bound.
                    Some((_, value)) if is_switch(command, name) => {
                        call.push(':');
                        call.push_str(&as_argument(script, &value.range));
                    }
                    Some((_, value)) => {
                        call.push(' ');
                        call.push_str(&as_argument(script, &value.range));
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
                let bound = positional_names.get(position);
                position += 1;
                if bound.is_none_or(|param| keep(param)) {
                    call.push(' ');
                    call.push_str(script.slice(&value.range));
                }
            }
            _ => {}
        }
    }
    call
}

/// A hashtable entry's value written as a command argument that binds the same value:
/// as it is when argument mode reads it as one value (`$conn.TenantID`, `'x'`, `5`,
/// `(...)`), else in parentheses. A pipeline (`Get-X -Name y`) or an operator
/// (`$a + 1`) would otherwise bind its first word and pass the rest as more arguments.
fn as_argument<'t>(script: &Script<'t>, value: &Range<usize>) -> std::borrow::Cow<'t, str> {
    let text = script.slice(value);
    let one_value = script.node_at(value).is_some_and(|node| match node.kind() {
        "variable"
        | "braced_variable"
        | "string_literal"
        | "verbatim_string_characters"
        | "expandable_string_literal"
        | "expandable_here_string_literal"
        | "verbatim_here_string_characters"
        | "decimal_integer_literal"
        | "hexadecimal_integer_literal"
        | "real_literal"
        | "parenthesized_expression"
        | "sub_expression"
        | "array_expression"
        | "hash_literal_expression"
        | "script_block_expression" => true,
        // `[Type]::Member` is a bare word in argument mode; `$x.Member` and `(...).Member` are not.
        "member_access" | "element_access" | "invokation_expression" => text.starts_with(['$', '(']),
        _ => false,
    });
    if one_value {
        text.into()
    } else {
        format!("({text})").into()
    }
}

/// What stands before a command's name in its call: `& ` or `. ` (or nothing), which a
/// rebuilt call keeps.
pub fn invocation_operator<'t>(script: &Script<'t>, command: &Command) -> &'t str {
    script
        .text
        .get(command.range.start..command.name_range.start)
        .unwrap_or_default()
}

/// Whether `parameter` (canonical) is one of the command's switches.
fn is_switch(command: &Command, parameter: &str) -> bool {
    crate::syntax::commands::resolve_param(crate::syntax::commands::lookup(&command.name), parameter).1
}

/// `–Environment x` -> `-Environment x`; a colon binding keeps its colon.
fn normalize_dash(argument: &str) -> String {
    let trimmed = argument.trim_start_matches(crate::syntax::model::is_dash);
    format!("-{trimmed}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::apply_edits;

    #[test]
    fn statements_are_deleted_with_their_line_or_their_semicolon() {
        let text = "a\r\n  $c = Get-X\r\nb; c\n";
        let blanks = "a\n\n$c = 1\n\nb\n";
        assert_eq!(&blanks[delete_statement(blanks, 3..9).range], "$c = 1\n\n");
        let crlf = "x\r\n$c = 1\r\n\r\nb\r\n";
        assert_eq!(
            &crlf[delete_statement(crlf, 3..9).range],
            "$c = 1\r\n",
            "only after a blank line"
        );
        let start = text.find("$c").unwrap();
        let edit = delete_statement(text, start..start + 11);
        assert_eq!(&text[edit.range.clone()], "  $c = Get-X\r\n");
        let b = text.find("b;").unwrap();
        assert_eq!(&text[delete_statement(text, b..b + 1).range], "b; ");
        assert_eq!(delete_statement("x", 0..1).range, 0..1);
    }

    #[test]
    fn a_call_operator_stays_in_front_of_a_rebuilt_call() {
        let script = Script::parse("& Connect-AzAccount -ServicePrincipal -Environment AzureCloud\n");
        let call = rebuild_call(&script, &script.commands[0], "Connect-AzAccount", " -Identity", |p| {
            p != "ServicePrincipal"
        });
        assert_eq!(call, "& Connect-AzAccount -Identity -Environment AzureCloud");
    }

    #[test]
    fn inserted_lines_follow_indentation_and_line_endings() {
        let script = Script::parse("if ($a) {\r\n    Connect-AzAccount -Identity\r\n}");
        let text = script.text;
        let at = text.find("Connect").unwrap();
        let edit = insert_before_statement(&script, at, "Disable-X");
        assert_eq!(edit.content, "    Disable-X\r\n");
        assert_eq!(edit.range.start, text.find("    Connect").unwrap());
        assert_eq!(
            insert_before_statement(&Script::parse("try { Connect }"), 6, "D").content,
            "D; "
        );
        let script = Script::parse("param(\n    [int]$Days = 3\n)\nGet-X $SubscriptionId\n");
        let edit = add_parameter(&script, script.text.len() - 5, "SubscriptionId").unwrap();
        assert_eq!(
            apply_edits(script.text, &[edit]),
            "param(\n    [int]$Days = 3,\n    [string] $SubscriptionId\n)\nGet-X $SubscriptionId\n"
        );
        // A parameter commented out, after the last one or in place of every one.
        for (before, after) in [
            (
                "param(\n    [int]$Days = 3 # days to keep\n#    [string] $Old = 'x'\n)\n",
                "param(\n    [int]$Days = 3,\n    [string] $Sub # days to keep\n#    [string] $Old = 'x'\n)\n",
            ),
            (
                "param(\n#    [string] $Old = 'x'\n)\n",
                "param([string] $Sub\n#    [string] $Old = 'x'\n)\n",
            ),
        ] {
            let script = Script::parse(before);
            let edit = add_parameter(&script, script.text.len(), "Sub").unwrap();
            assert_eq!(apply_edits(script.text, &[edit]), after);
        }
        let bare = Script::parse("# header\nGet-X\n");
        assert_eq!(
            apply_edits(bare.text, &[add_parameter(&bare, 10, "Sub").unwrap()]),
            "# header\nparam([string] $Sub)\nGet-X\n"
        );
        let commented = Script::parse("a\r\n# mimigrate: ignore[MI102]\r\nConnect\r\n");
        let above = insert_before_statement(&commented, commented.text.find("Connect").unwrap(), "D");
        assert_eq!(
            above.range.start, 3,
            "goes above the comment that belongs to the statement"
        );
    }
}
