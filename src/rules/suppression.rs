//! Suppression comments and MI901 unused-suppression (docs: rules/MI901.md).
//!
//! `# mimigrate: ignore[MI102]` at the end of a line covers the statement ending on
//! that line; alone on a line it covers the next statement; `# mimigrate: ignore`
//! covers every code; `# mimigrate: file-ignore[MI401]` covers the whole file. Codes
//! may be prefixes (`MI1`), as in `--select`.

use std::ops::Range;

use std::sync::LazyLock;

use regex::Regex;

static SUPPRESSION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^#\s*mimigrate:\s*(file-ignore|ignore)\b(?:\[([^\]]*)\])?").expect("valid pattern")
});

use super::rewrite::{delete_statement, indentation};
use super::UNUSED_SUPPRESSION;
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::source::LineIndex;
use crate::syntax::model::Script;

struct Suppression {
    comment: Range<usize>,
    /// `None`: every code.
    codes: Option<Vec<String>>,
    /// 0-based line span covered; `None` for the whole file.
    lines: Option<Range<usize>>,
    /// Code is on the comment's line before it.
    trailing: bool,
    used: Vec<bool>,
    used_any: bool,
}

impl Suppression {
    fn covers(&self, line: usize) -> bool {
        self.lines.as_ref().is_none_or(|lines| lines.contains(&line))
    }
}

/// Drop suppressed diagnostics and add MI901 for suppressions that suppressed nothing.
/// `enabled` says whether a code is selected: an unselected code in a suppression is
/// not unused, only switched off elsewhere.
pub fn apply(
    script: &Script,
    lines: &LineIndex,
    diagnostics: Vec<Diagnostic>,
    enabled: impl Fn(&str) -> bool,
) -> Vec<Diagnostic> {
    let mut suppressions = parse_suppressions(script, lines);
    let mut kept: Vec<Diagnostic> = diagnostics
        .into_iter()
        .filter(|diagnostic| {
            let line = lines.line_of(diagnostic.range.start);
            let mut suppressed = false;
            for suppression in suppressions.iter_mut().filter(|s| s.covers(line)) {
                match &suppression.codes {
                    None => {
                        suppression.used_any = true;
                        suppressed = true;
                    }
                    Some(codes) => {
                        for (i, code) in codes.iter().enumerate() {
                            if diagnostic.code.starts_with(code.as_str()) {
                                suppression.used[i] = true;
                                suppressed = true;
                            }
                        }
                    }
                }
            }
            !suppressed
        })
        .collect();
    if enabled(UNUSED_SUPPRESSION.code) {
        let file_ignores_mi901 = suppressions.iter().any(|s| {
            s.lines.is_none()
                && s.codes
                    .as_ref()
                    .is_some_and(|c| c.iter().any(|c| UNUSED_SUPPRESSION.code.starts_with(c.as_str())))
        });
        if !file_ignores_mi901 {
            kept.extend(suppressions.iter().filter_map(|s| unused(script, s, &enabled)));
        }
    }
    kept
}

fn parse_suppressions(script: &Script, lines: &LineIndex) -> Vec<Suppression> {
    script
        .comments
        .iter()
        .filter_map(|comment| {
            let captures = SUPPRESSION.captures(script.slice(comment))?;
            let codes = captures.get(2).map(|list| {
                list.as_str()
                    .split(',')
                    .map(|c| c.trim().to_uppercase())
                    .filter(|c| !c.is_empty())
                    .collect::<Vec<_>>()
            });
            let line = lines.line_of(comment.start);
            let line_start = lines.line_start(line);
            let trailing = !script.text[line_start..comment.start].trim().is_empty();
            let covered = if captures[1].eq_ignore_ascii_case("file-ignore") {
                None
            } else if trailing {
                // The statement that ends on this line, from its first line.
                let first = script
                    .statements
                    .iter()
                    .filter(|s| lines.line_of(s.statement.end.saturating_sub(1).max(s.statement.start)) == line)
                    .map(|s| lines.line_of(s.statement.start))
                    .min()
                    .unwrap_or(line);
                Some(first..line + 1)
            } else {
                let next = script.statements.iter().find(|s| s.statement.start >= comment.end);
                next.map(|s| {
                    lines.line_of(s.statement.start)
                        ..lines.line_of(s.statement.end.saturating_sub(1).max(s.statement.start)) + 1
                })
                .or(Some(line + 1..line + 2))
            };
            let count = codes.as_ref().map_or(0, Vec::len);
            Some(Suppression {
                comment: comment.clone(),
                codes,
                lines: covered,
                trailing,
                used: vec![false; count],
                used_any: false,
            })
        })
        .collect()
}

fn unused(script: &Script, suppression: &Suppression, enabled: &impl Fn(&str) -> bool) -> Option<Diagnostic> {
    let comment = suppression.comment.clone();
    let remove_comment = || {
        if suppression.trailing {
            let before = &script.text[..comment.start];
            Edit::delete(before.trim_end_matches([' ', '\t']).len()..comment.end)
        } else {
            delete_statement(script.text, comment.clone())
        }
    };
    let (message, edit) = match &suppression.codes {
        None if suppression.used_any => return None,
        None => (
            "suppression comment `# mimigrate: ignore` suppresses nothing".to_owned(),
            remove_comment(),
        ),
        Some(codes) => {
            let unused: Vec<&String> = codes
                .iter()
                .zip(&suppression.used)
                .filter(|(code, used)| !**used && codes_known_and_enabled(code, enabled))
                .map(|(code, _)| code)
                .collect();
            if unused.is_empty() {
                return None;
            }
            let message = unused_message(&unused);
            if unused.len() == codes.len() {
                (message, remove_comment())
            } else {
                let written = script.slice(&comment);
                let open = written.find('[').unwrap_or(written.len());
                let close = written.find(']').unwrap_or(written.len());
                let still_used: Vec<&str> = codes
                    .iter()
                    .filter(|c| !unused.contains(c))
                    .map(|c| c.as_str())
                    .collect();
                let rewritten = format!(
                    "{}[{}]{}",
                    &written[..open],
                    still_used.join(", "),
                    &written[close.saturating_add(1).min(written.len())..]
                );
                (message, Edit::replace(comment.clone(), rewritten))
            }
        }
    };
    let fix = Fix::new(Applicability::Safe, "Remove the unused suppression", vec![edit]);
    Some(UNUSED_SUPPRESSION.diagnostic(comment, message, Some(fix)))
}

/// "suppression of MI101, MI999 suppresses nothing", and which of the codes is no rule
/// at all (a typo, or a rule of another version).
fn unused_message(unused: &[&String]) -> String {
    let list = unused.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", ");
    let unknown: Vec<&str> = unused
        .iter()
        .filter(|code| super::by_code(code).is_none())
        .map(|c| c.as_str())
        .collect();
    match unknown.as_slice() {
        [] => format!("suppression of {list} suppresses nothing"),
        [code] => format!("suppression of {list} suppresses nothing: {code} is not a rule of this version (`mimigrate rule` lists them)"),
        codes => format!(
            "suppression of {list} suppresses nothing: {} are not rules of this version (`mimigrate rule` lists them)",
            codes.join(", ")
        ),
    }
}

/// Unknown codes are always unused; known ones only when the rule is switched on.
fn codes_known_and_enabled(code: &str, enabled: &impl Fn(&str) -> bool) -> bool {
    let matching: Vec<_> = super::ALL.iter().filter(|r| r.code.starts_with(code)).collect();
    matching.is_empty() || matching.iter().any(|r| enabled(r.code))
}

/// Where a comment suppressing `diagnostic` could go, best first: its code added to a
/// suppression comment already ending the finding's line; a trailing
/// `# mimigrate: ignore[CODE]` on that line (before a comment ending it, so the
/// suppression still starts the comment); a suppression line of its own above the
/// finding's line, or above the first line of each statement holding it, innermost
/// first. A place inside a string or comment, or after a line-continuing backtick, is
/// no place for code: the caller tries these in order on the text they produce
/// (`lint::suppression_edit`), since only the parse can say what a comment covers.
pub fn suppression_candidates(script: &Script, lines: &LineIndex, diagnostic: &Diagnostic) -> Vec<Edit> {
    let text = script.text;
    let code = diagnostic.code;
    let line = lines.line_of(diagnostic.range.start);
    let end = lines.content_end(text, line);
    let line_start = lines.line_start(line);
    let mut candidates = Vec::new();
    let ending_comment = script
        .comments
        .iter()
        .find(|c| c.end == end && c.start >= line_start && !text[line_start..c.start].trim().is_empty());
    if let Some(comment) = ending_comment {
        let written = &text[comment.clone()];
        match SUPPRESSION.captures(written) {
            Some(found) if found[1].eq_ignore_ascii_case("ignore") => {
                if let Some(list) = found.get(2) {
                    let separator = if list.as_str().trim().is_empty() { "" } else { ", " };
                    candidates.push(Edit::insert(comment.start + list.end(), format!("{separator}{code}")));
                }
            }
            _ if !text[comment.clone()].starts_with("<#") => {
                candidates.push(Edit::insert(comment.start, format!("# mimigrate: ignore[{code}] ")))
            }
            _ => {}
        }
    } else if !script.inside_text(end) && !text[line_start..end].ends_with('`') {
        candidates.push(Edit::insert(end, format!(" # mimigrate: ignore[{code}]")));
    }
    let mut holders: Vec<&Range<usize>> = script
        .statements
        .iter()
        .map(|place| &place.statement)
        .filter(|s| s.start <= diagnostic.range.start && diagnostic.range.start < s.end.max(s.start + 1))
        .collect();
    holders.sort_by_key(|s| std::cmp::Reverse(s.start));
    let first_lines = std::iter::once(line).chain(holders.iter().map(|s| lines.line_of(s.start)));
    let eol = super::rewrite::line_ending(text);
    for first in first_lines {
        let at = lines.line_start(first);
        let indent = indentation(text, at);
        // Only above a line that starts a statement, after a line that ends one: a
        // comment line inside a continued command would cut it in two.
        let starts_statement = script
            .statement_at(at + indent.len())
            .is_some_and(|place| place.statement.start == at + indent.len());
        let continued = text[..at].trim_end_matches(['\r', '\n']).ends_with('`');
        let edit = Edit::insert(at, format!("{indent}# mimigrate: ignore[{code}]{eol}"));
        if starts_statement && !continued && !script.inside_text(at) && !candidates.contains(&edit) {
            candidates.push(edit);
        }
    }
    candidates
}
