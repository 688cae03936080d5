//! What to change in the graphical editor for a fix made on the view. A fix is never
//! written into a `.graphrunbook`; its edits, compared line by line with the view, say
//! instead which activity to change and how: a command activity whose line is deleted
//! is an activity to delete, one whose line is rewritten runs the new command, lines
//! added around it are code activities to add, a script activity's changed lines are
//! changes to its code, and lines outside any activity belong to the runbook's
//! parameters or to a new code activity.

use crate::diagnostic::Edit;
use crate::fix::changed_lines;
use crate::output::apply_edits;

use super::view::{BlockKind, View};

/// At most this many changes of one script activity are spelled out.
const MAX_CODE_CHANGES: usize = 6;

/// The steps in the graphical editor that make the view read as `edits` would make
/// it, as one sentence; `None` when the edits change nothing.
pub fn steps(view: &View, edits: &[Edit]) -> Option<String> {
    let fixed = apply_edits(&view.text, edits);
    steps_to(view, &fixed, None)
}

/// The steps that turn the view into `fixed`; with `only`, just those in these blocks
/// (indices of `view.blocks`).
pub fn steps_to(view: &View, fixed: &str, only: Option<&[usize]>) -> Option<String> {
    let mut steps: Vec<String> = Vec::new();
    let mut code_changes: Vec<(usize, Vec<String>)> = Vec::new();
    for change in changed_lines(&view.text, fixed) {
        let old = &view.text[change.range.clone()];
        let old_lines = code_lines(old);
        let new_lines = code_lines(&change.content);
        // The block the change is in: where it starts, or the one it reaches into (a
        // deleted statement takes the blank line and the header above it along).
        let block = view
            .blocks
            .iter()
            .position(|b| b.contains(change.range.start))
            .or_else(|| {
                view.blocks
                    .iter()
                    .position(|b| change.range.start < b.range.start && b.range.start < change.range.end)
            });
        if only.is_some_and(|only| block.is_none_or(|b| !only.contains(&b))) {
            continue;
        }
        match block.map(|i| (i, &view.blocks[i])) {
            Some((_, block)) if block.kind == BlockKind::Command || block.kind == BlockKind::InvokeRunbook => {
                // The `if` around a conditional activity is the view's, not a change.
                let command = view.text[block.line.clone()].trim();
                let wrapper: Vec<&str> = code_lines(&view.text[block.code.clone()])
                    .into_iter()
                    .filter(|l| *l != command)
                    .collect();
                let new_lines: Vec<&str> = new_lines.into_iter().filter(|l| !wrapper.contains(l)).collect();
                steps.extend(command_steps(&block.activity, command, &new_lines));
            }
            Some((index, block)) => {
                let following = view.text[change.range.end..block.code.end.max(change.range.end)]
                    .lines()
                    .map(str::trim)
                    .find(|l| !l.is_empty());
                let steps = code_steps(&old_lines, &new_lines, following);
                match code_changes.iter_mut().find(|(i, _)| *i == index) {
                    Some((_, list)) => list.extend(steps),
                    None => code_changes.push((index, steps)),
                }
            }
            None => steps.extend(outside_step(view, change.range.start, &old_lines, &new_lines)),
        }
    }
    for (index, changes) in code_changes {
        if changes.is_empty() {
            continue;
        }
        let mut listed: Vec<String> = changes.iter().take(MAX_CODE_CHANGES).cloned().collect();
        if changes.len() > MAX_CODE_CHANGES {
            let more = changes.len() - MAX_CODE_CHANGES;
            listed.push(format!("and {more} more change{}", if more == 1 { "" } else { "s" }));
        }
        steps.push(format!(
            "in the code of activity '{}', {}",
            view.blocks[index].activity,
            listed.join(", ")
        ));
    }
    steps.dedup();
    (!steps.is_empty()).then(|| steps.join("; "))
}

/// A command activity's line replaced by `new_lines`: the line that still runs a
/// command of the activity's is its new command; lines before and after it are code
/// activities to add around it.
fn command_steps(activity: &str, old_code: &str, new_lines: &[&str]) -> Vec<String> {
    let old = command_of(old_code.trim());
    if new_lines.is_empty() {
        return vec![format!("delete activity '{activity}' and its links")];
    }
    // The activity's new command: the line still running its command, else the last
    // one that assigns no other variable than the activity's own (`$IdentityClientId =
    // ...` inserted where the deleted connection was is code of its own).
    let own = target_of(old_code.trim());
    let kept = new_lines
        .iter()
        .position(|line| first_word(command_of(line)).eq_ignore_ascii_case(first_word(old)))
        .or_else(|| {
            new_lines
                .iter()
                .rposition(|line| target_of(line).is_none_or(|t| Some(t) == own))
        });
    let Some(kept) = kept else {
        return vec![
            format!("delete activity '{activity}' and its links"),
            format!("add a code activity in its place with {}", quoted_lines(new_lines)),
        ];
    };
    let mut steps = Vec::new();
    let before = &new_lines[..kept];
    if !before.is_empty() {
        steps.push(format!(
            "add a code activity linked before '{activity}' with {}",
            quoted_lines(before)
        ));
    }
    let now = command_of(new_lines[kept]);
    if now != old {
        let (command, parameters) = now.split_once(' ').unwrap_or((now, ""));
        if parameters.is_empty() {
            steps.push(format!("make activity '{activity}' run `{command}` with no parameters"));
        } else {
            steps.push(format!(
                "make activity '{activity}' run `{command}` with `{}`",
                parameters.trim()
            ));
        }
    }
    let after = &new_lines[kept + 1..];
    if !after.is_empty() {
        steps.push(format!(
            "add a code activity linked after '{activity}' with {}",
            quoted_lines(after)
        ));
    }
    steps
}

/// One changed run of a script activity's lines, as steps: a new line that runs the
/// same command as an old one changes it, the other old lines are deleted and the
/// other new lines added (before the line that follows them, when there is one).
fn code_steps(old_lines: &[&str], new_lines: &[&str], following: Option<&str>) -> Vec<String> {
    let mut paired = vec![false; old_lines.len()];
    let mut changes = Vec::new();
    let mut added: Vec<(usize, &str)> = Vec::new();
    for (i, new) in new_lines.iter().enumerate() {
        let same = (0..old_lines.len()).find(|&o| {
            !paired[o] && first_word(command_of(old_lines[o])).eq_ignore_ascii_case(first_word(command_of(new)))
        });
        match same {
            Some(o) => {
                paired[o] = true;
                changes.push(format!("change `{}` to `{new}`", old_lines[o]));
            }
            None => added.push((i, new)),
        }
    }
    let mut steps: Vec<String> = old_lines
        .iter()
        .zip(&paired)
        .filter(|(_, paired)| !**paired)
        .map(|(old, _)| format!("delete `{old}`"))
        .collect();
    steps.extend(changes);
    for (i, line) in added {
        let next = new_lines.get(i + 1).copied().or(following);
        steps.push(match next {
            Some(next) => format!("add `{line}` before `{next}`"),
            None => format!("add `{line}` at the end"),
        });
    }
    steps
}

fn code_step(old_lines: &[&str], new_lines: &[&str]) -> Option<String> {
    let steps = code_steps(old_lines, new_lines, None);
    (!steps.is_empty()).then(|| steps.join(", "))
}

/// A change outside every activity: the `param()` block, or code between activities.
fn outside_step(view: &View, at: usize, old_lines: &[&str], new_lines: &[&str]) -> Option<String> {
    if view.parameters.as_ref().is_some_and(|p| p.start < at && at < p.end) {
        return code_step(old_lines, new_lines).map(|step| format!("in the runbook's parameters, {step}"));
    }
    if new_lines.is_empty() {
        return code_step(old_lines, new_lines);
    }
    let next = view.blocks.iter().find(|b| b.range.start >= at);
    Some(match next {
        Some(next) => format!(
            "add a code activity linked before '{}' with {}",
            next.activity,
            quoted_lines(new_lines)
        ),
        None => format!("add a code activity at the end with {}", quoted_lines(new_lines)),
    })
}

/// The lines of a piece of the view that hold code (not blank, not the view's own
/// `# activity` lines).
fn code_lines(text: &str) -> Vec<&str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("# activity '"))
        .collect()
}

/// A command line without the view's `$Variable = ` in front.
fn command_of(line: &str) -> &str {
    let line = line.trim();
    match target_of(line) {
        Some(target) => line[target.len() + 3..].trim(),
        None => line,
    }
}

/// The `$Variable` a line assigns (`$Variable = ...`), if any.
fn target_of(line: &str) -> Option<&str> {
    let line = line.trim();
    line.split_once(" = ")
        .map(|(target, _)| target)
        .filter(|target| target.starts_with('$') && !target.contains(' '))
}

fn first_word(line: &str) -> &str {
    line.split_whitespace().next().unwrap_or("")
}

fn quoted_lines(lines: &[&str]) -> String {
    lines.iter().map(|l| format!("`{l}`")).collect::<Vec<_>>().join(" and ")
}
