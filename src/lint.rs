//! The engine's entry point: text in, sorted diagnostics out. The CLI, the fixer and
//! (later) the LSP all call `lint`; nothing else runs rules.

use std::path::PathBuf;

use crate::cache::{Cache, Key};
use crate::diagnostic::{Applicability, Diagnostic, Edit};
use crate::fix::{fix_script, FixMode};
use crate::output::apply_edits;
use crate::rules::parse_error::WithheldFixes;
use crate::rules::{self, RunAsMemory};
use crate::source::{LineIndex, SourceText};
use crate::syntax::model::Script;
use crate::target::MigrationTarget;

/// Which codes are on: `select` and `ignore` hold codes or prefixes (`MI1`), like
/// ruff's; the most specific matching entry wins, so `--select MI1 --ignore MI104`
/// and `--ignore MI1 --select MI104` both do what they say.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleSelection {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
}

impl Default for RuleSelection {
    fn default() -> Self {
        RuleSelection {
            select: vec!["MI".into()],
            ignore: Vec::new(),
        }
    }
}

impl RuleSelection {
    pub fn enabled(&self, code: &str) -> bool {
        let longest = |list: &[String]| {
            list.iter()
                .filter(|p| code.starts_with(p.as_str()) || p.as_str() == "ALL")
                .map(|p| if p == "ALL" { 0 } else { p.len() })
                .max()
        };
        match (longest(&self.select), longest(&self.ignore)) {
            (Some(s), Some(i)) => s > i,
            (Some(_), None) => true,
            _ => false,
        }
    }

    /// Add more ignores (per-file ignores from the config).
    pub fn ignoring(&self, more: &[String]) -> Self {
        let mut selection = self.clone();
        selection.ignore.extend(more.iter().cloned());
        selection
    }
}

#[derive(Clone, Debug, Default)]
pub struct LintOptions {
    pub selection: RuleSelection,
    pub target: MigrationTarget,
    /// What an earlier look at the file decided is Run As (the fixer decides it on the
    /// original text and keeps it for every later pass).
    pub runas: RunAsMemory,
}

/// Every enabled finding of a script, sorted by position then code.
pub fn lint(text: &str, options: &LintOptions) -> Vec<Diagnostic> {
    if !could_have_findings(text) {
        return Vec::new();
    }
    let script = Script::parse(text);
    lint_script(&script, &LineIndex::new(text), options)
}

pub fn lint_script(script: &Script, lines: &LineIndex, options: &LintOptions) -> Vec<Diagnostic> {
    let mut diagnostics = rules::check(script, &options.target, &options.runas);
    let mut withheld = WithheldFixes::new(script);
    for diagnostic in &mut diagnostics {
        withhold_fix_near_errors(script, diagnostic, &mut withheld);
    }
    diagnostics.extend(rules::parse_error::check(script, lines, &withheld));
    diagnostics.retain(|d| options.selection.enabled(d.code));
    let mut diagnostics = rules::suppression::apply(script, lines, diagnostics, |code| options.selection.enabled(code));
    diagnostics.sort_by(|a, b| (a.range.start, a.range.end, a.code).cmp(&(b.range.start, b.range.end, b.code)));
    diagnostics
}

/// The edit that suppresses `diagnostic` (a finding of `script` under `options`) with a
/// `# mimigrate: ignore[CODE]` comment: the first place of `suppression_candidates`
/// whose text, linted again, no longer has the finding and reads no worse. `None` when
/// no place works (a finding inside a here-string's only line, say).
pub fn suppression_edit(
    script: &Script,
    lines: &LineIndex,
    options: &LintOptions,
    diagnostic: &Diagnostic,
) -> Option<Edit> {
    rules::suppression::suppression_candidates(script, lines, diagnostic)
        .into_iter()
        .find(|edit| {
            let text = apply_edits(script.text, std::slice::from_ref(edit));
            let after = Script::parse(&text);
            let moved = |offset: usize| {
                if offset >= edit.range.end {
                    offset + edit.content.len() - edit.range.len()
                } else {
                    offset
                }
            };
            let start = moved(diagnostic.range.start);
            after.errors.len() <= script.errors.len()
                && !lint_script(&after, &LineIndex::new(&text), options)
                    .iter()
                    .any(|d| d.code == diagnostic.code && d.range.start == start)
        })
}

/// Whether any rule could find something in `text`: every rule looks for code that
/// names one of the migration words, so a script without any has no finding and is not
/// parsed at all (most scripts of a repository are such, and parsing is the cost).
pub fn could_have_findings(text: &str) -> bool {
    rules::parse_error::mentions_migration_word(text)
}

/// A fix whose edits touch text the parser could not read is shown, never applied; the
/// regions it touches are recorded in `withheld`, and MI902 reports them. Runs before
/// `--select`/`--ignore` and suppressions, so MI902 says the same whatever is selected.
fn withhold_fix_near_errors(script: &Script, diagnostic: &mut Diagnostic, withheld: &mut WithheldFixes) {
    let Some(fix) = &mut diagnostic.fix else { return };
    if fix.applicability == Applicability::DisplayOnly {
        return;
    }
    let touched: Vec<usize> = fix
        .edits
        .iter()
        .flat_map(|e| script.errors_touching(&e.range))
        .collect();
    if touched.is_empty() {
        return;
    }
    fix.applicability = Applicability::DisplayOnly;
    fix.message
        .push_str(" (withheld: it touches code the parser could not read)");
    withheld.record(touched);
}

/// One checked file, as the printers need it.
pub struct CheckedFile {
    /// The path as the user should see it.
    pub path: PathBuf,
    pub source: SourceText,
    pub lines: LineIndex,
    pub diagnostics: Vec<Diagnostic>,
    /// Per diagnostic: `mimigrate fix` (safe fixes) leaves the file free of it (`[*]`).
    pub fixable: Vec<bool>,
    /// A graphical runbook: `source` is its PowerShell view, whose lines the file on
    /// disk does not have.
    pub graphical: bool,
}

impl CheckedFile {
    /// Check a file. With `fixability`, also find out which findings `mimigrate fix`
    /// really resolves, by running it: a fix may wait for another (MI101 after its
    /// sign-in) or be refused (it would harm the script), which the fix's own
    /// applicability cannot say. That costs a fix run on files with something to fix,
    /// so only the formats that show `[*]` and the fixable count ask for it. With a
    /// `cache`, findings computed from the same text and options are reused.
    pub fn check(
        path: PathBuf,
        source: SourceText,
        options: &LintOptions,
        fixability: bool,
        cache: Option<&Cache>,
    ) -> Self {
        let lines = LineIndex::new(&source.text);
        let key = cache.map(|_| Key::of(&source.text, options, fixability));
        let cached = cache.zip(key).and_then(|(cache, key)| cache.get(&path, key));
        let (diagnostics, fixable) = cached.unwrap_or_else(|| {
            let found = findings(&source.text, &lines, options, fixability);
            if let Some((cache, key)) = cache.zip(key) {
                cache.put(&path, key, &found.0, &found.1);
            }
            found
        });
        CheckedFile {
            path,
            source,
            lines,
            diagnostics,
            fixable,
            graphical: false,
        }
    }

    /// The diagnostics with whether `fix` resolves each.
    pub fn findings(&self) -> impl Iterator<Item = (&Diagnostic, bool)> {
        self.diagnostics
            .iter()
            .zip(self.fixable.iter().copied().chain(std::iter::repeat(false)))
    }
}

/// The findings of `text` and, with `fixability`, whether `fix` resolves each (else
/// all false).
fn findings(text: &str, lines: &LineIndex, options: &LintOptions, fixability: bool) -> (Vec<Diagnostic>, Vec<bool>) {
    if !could_have_findings(text) {
        return (Vec::new(), Vec::new());
    }
    let script = Script::parse(text);
    let diagnostics = lint_script(&script, lines, options);
    let mode = FixMode::default();
    let fixable = if fixability
        && diagnostics
            .iter()
            .any(|d| d.fix.as_ref().is_some_and(|f| mode.applies(f)))
    {
        fix_script(script, Some(diagnostics.clone()), options, mode).resolves(&diagnostics)
    } else {
        vec![false; diagnostics.len()]
    };
    (diagnostics, fixable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_specific_selection_wins() {
        let selection = RuleSelection {
            select: vec!["MI1".into()],
            ignore: vec!["MI104".into()],
        };
        assert!(selection.enabled("MI101") && !selection.enabled("MI104") && !selection.enabled("MI201"));
        let selection = RuleSelection {
            select: vec!["MI104".into()],
            ignore: vec!["MI1".into()],
        };
        assert!(selection.enabled("MI104") && !selection.enabled("MI101"));
    }
}
