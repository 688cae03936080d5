//! The fix engine: apply the fixes of `lint`'s diagnostics to a script's text, in
//! passes, until nothing more applies.
//!
//! Each pass takes the applicable fixes in position order and keeps those whose edits
//! do not overlap an already accepted fix (the rest wait for the next pass, when they
//! are recomputed on the new text). A pass that would harm the script (add parse errors,
//! or delete every assignment of a variable the script still reads) is retried fix by
//! fix, and the harmful ones are dropped for good. Which connections are Run As is
//! decided once, on the original text, and carried through every pass. A script still
//! changing at the pass bound, or coming back to a text it had already, has not
//! converged, and the caller must not write it.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::ops::Range;

use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::lint::{could_have_findings, lint_script, LintOptions};
use crate::output::apply_edits;
use crate::rules;
use crate::source::LineIndex;
use crate::spans::Spans;
use crate::syntax::model::Script;

/// Passes before giving up: real runbooks settle in two or three (a rewrite, then the
/// findings it uncovers, such as MI401 after MI103 replaced a loop).
pub const MAX_PASSES: usize = 10;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FixMode {
    /// Apply `Applicability::Unsafe` fixes too (`--unsafe-fixes`).
    pub unsafe_fixes: bool,
}

impl FixMode {
    pub fn applies(self, fix: &Fix) -> bool {
        match fix.applicability {
            Applicability::Safe => true,
            Applicability::Unsafe => self.unsafe_fixes,
            Applicability::DisplayOnly => false,
        }
    }
}

/// A fix that was applied, for the summary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppliedFix {
    pub code: &'static str,
    pub message: String,
}

/// A fix dropped because applying it would harm the script.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RejectedFix {
    pub code: &'static str,
    pub message: String,
    /// What it would have done: "it would leave a syntax error", ...
    pub reason: String,
}

#[derive(Clone, Debug)]
pub struct FixOutcome {
    /// The fixed text (the input when nothing applied).
    pub text: String,
    pub applied: Vec<AppliedFix>,
    /// Findings left in `text`, as `lint` reports them.
    pub remaining: Vec<Diagnostic>,
    /// False when the fixes did not settle: still changing after `MAX_PASSES` passes,
    /// or back at a text they had already produced. Such a text must not be written.
    pub converged: bool,
    /// The codes of the fixes that kept changing the text when it did not converge.
    pub unsettled: Vec<&'static str>,
    /// Fixes dropped because applying them would harm the script.
    pub rejected: Vec<RejectedFix>,
    /// The edits of every pass, in order, each list sorted: maps positions of the
    /// original text to the fixed one.
    pub passes: Vec<Vec<Edit>>,
    /// The findings of the original text.
    pub found: Vec<Diagnostic>,
}

impl FixOutcome {
    /// A text left as it is, with the findings it still has.
    pub fn unchanged(text: &str, remaining: Vec<Diagnostic>) -> Self {
        FixOutcome {
            text: text.to_owned(),
            applied: Vec::new(),
            found: remaining.clone(),
            remaining,
            converged: true,
            unsettled: Vec::new(),
            rejected: Vec::new(),
            passes: Vec::new(),
        }
    }

    pub fn changed(&self, original: &str) -> bool {
        self.text != original
    }

    /// How many findings of the original text the fixes resolved.
    pub fn resolved(&self) -> usize {
        self.resolves(&self.found).into_iter().filter(|r| *r).count()
    }

    /// For each diagnostic of the original text: whether the fixed text is free of it
    /// (its text was rewritten or deleted and no finding of its code is left where it
    /// went). This is what `[*]` and the "fixable" counts report, so they say exactly
    /// what `fix` does.
    pub fn resolves(&self, original: &[Diagnostic]) -> Vec<bool> {
        if !self.converged {
            return vec![false; original.len()];
        }
        let passes = self.shifts();
        let left = Left::new(&self.remaining);
        original
            .iter()
            .map(|diagnostic| !left.meets(diagnostic.code, &image(&passes, &diagnostic.range)))
            .collect()
    }

    /// Where `range` of the original text lies in the fixed text (a bound inside an
    /// edited span moves to that span's replacement).
    pub fn image_of(&self, range: &Range<usize>) -> Range<usize> {
        image(&self.shifts(), range)
    }

    fn shifts(&self) -> Vec<Shift<'_>> {
        self.passes.iter().map(|edits| Shift::new(edits)).collect()
    }
}

fn image(passes: &[Shift], range: &Range<usize>) -> Range<usize> {
    passes
        .iter()
        .fold(range.clone(), |range, shift| shift.map_range(&range))
}

/// How one pass's edits (sorted, non-overlapping) move the offsets of its text.
struct Shift<'e> {
    edits: &'e [Edit],
    /// Before each edit: how much the edits before it grew the text.
    growth_before: Vec<isize>,
}

impl<'e> Shift<'e> {
    fn new(edits: &'e [Edit]) -> Self {
        let mut growth = 0;
        let growth_before = edits
            .iter()
            .map(|edit| {
                let before = growth;
                growth += edit.content.len() as isize - edit.range.len() as isize;
                before
            })
            .collect();
        Shift { edits, growth_before }
    }

    /// Where `range` lands: a bound inside an edited span moves to that span's
    /// replacement.
    fn map_range(&self, range: &Range<usize>) -> Range<usize> {
        let start = self.map(range.start, false);
        start..self.map(range.end, true).max(start)
    }

    fn map(&self, offset: usize, is_end: bool) -> usize {
        // The edits wholly before `offset` come first (ends only grow along the list);
        // an end at an insertion stays before the inserted text.
        let before = self.edits.partition_point(|edit| {
            edit.range.end < offset || (edit.range.end == offset && !(is_end && edit.range.is_empty()))
        });
        let growth = self.growth_before.get(before).copied().unwrap_or_else(|| {
            self.edits.last().map_or(0, |e| {
                self.growth_before[before - 1] + e.content.len() as isize - e.range.len() as isize
            })
        });
        match self.edits.get(before) {
            // Inside the edited span: its replacement.
            Some(edit) if edit.range.start < offset => {
                let start = (edit.range.start as isize + growth) as usize;
                if is_end {
                    start + edit.content.len()
                } else {
                    start
                }
            }
            _ => (offset as isize + growth) as usize,
        }
    }
}

/// The findings left after fixing, by code, for asking whether one lies at a place.
struct Left {
    by_code: HashMap<&'static str, Spans<()>>,
}

impl Left {
    fn new(remaining: &[Diagnostic]) -> Self {
        let mut by_code: HashMap<&'static str, Vec<(Range<usize>, ())>> = HashMap::new();
        for diagnostic in remaining {
            by_code
                .entry(diagnostic.code)
                .or_default()
                .push((diagnostic.range.clone(), ()));
        }
        let by_code = by_code
            .into_iter()
            .map(|(code, ranges)| (code, Spans::new(ranges)))
            .collect();
        Left { by_code }
    }

    /// A finding of `code` is left overlapping `image` (an empty range counts as the
    /// character at its offset).
    fn meets(&self, code: &str, image: &Range<usize>) -> bool {
        self.by_code
            .get(code)
            .is_some_and(|spans| spans.meeting(image).next().is_some())
    }
}

/// Fix `text` to a fixpoint.
pub fn fix_text(text: &str, options: &LintOptions, mode: FixMode) -> FixOutcome {
    if !could_have_findings(text) {
        return FixOutcome::unchanged(text, Vec::new());
    }
    fix_script(Script::parse(text), None, options, mode)
}

/// Fix an already parsed script; `found`, when given, is what `lint_script` found in it
/// with these options (so `check`, which has linted it, does not lint it again).
pub fn fix_script(
    original: Script,
    found: Option<Vec<Diagnostic>>,
    options: &LintOptions,
    mode: FixMode,
) -> FixOutcome {
    // Run As is decided on the original text: a custom-named connection stays Run As
    // after the sign-in that made it one has been rewritten.
    let remembered = LintOptions {
        runas: rules::runas_memory(&original, &options.runas),
        ..options.clone()
    };
    fix_with(original, found, mode, |script, look| {
        let options = match look {
            Look::Remembering => &remembered,
            Look::Afresh => options,
        };
        lint_script(script, &LineIndex::new(script.text), options)
    })
}

/// How a pass lints the text: with what the original text told (which connections
/// are Run As), or as a later run of `check` or `fix` will, knowing only this text.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Look {
    Remembering,
    Afresh,
}

/// The fix loop over any linter (the real one, or a test's). Every text is parsed
/// once: the tree that checked a pass for harm is the next pass's. When nothing more
/// applies to a changed text, it is looked at afresh, as the next run would, and the
/// loop goes on from what that finds: so a second run has nothing left to do.
fn fix_with(
    original: Script,
    mut first: Option<Vec<Diagnostic>>,
    mode: FixMode,
    lint: impl Fn(&Script, Look) -> Vec<Diagnostic>,
) -> FixOutcome {
    let text = original.text;
    let mut current = text.to_owned();
    let mut tree = Some(original.tree);
    let mut applied = Vec::new();
    let mut rejected: Vec<RejectedFix> = Vec::new();
    let mut passes = Vec::new();
    let mut seen: HashSet<String> = HashSet::from([current.clone()]);
    let mut unsettled = BTreeSet::new();
    let mut found = None;
    let mut look = Look::Remembering;
    for pass in 0..=MAX_PASSES {
        let script = match tree.take() {
            Some(tree) => Script::from_tree(&current, tree),
            None => Script::parse(&current),
        };
        let diagnostics = first.take().unwrap_or_else(|| lint(&script, look));
        let found = found.get_or_insert_with(|| diagnostics.clone());
        // Refused fixes drop out and the rest are chosen again on the same text, within
        // the pass: each round refuses at least one fix, so this ends, and refusals do
        // not use up the passes that applying fixes needs (fixes meeting at one point,
        // each refused in turn, once took a pass apiece).
        let (chosen, kept, next, checked) = loop {
            let refused: HashSet<(&str, &str)> = rejected.iter().map(|r| (r.code, r.message.as_str())).collect();
            let candidates: Vec<&Diagnostic> = diagnostics
                .iter()
                .filter(|d| {
                    d.fix.as_ref().is_some_and(|f| {
                        mode.applies(f) && !refused.contains(&(d.code, f.message.as_str())) && changes(&current, f)
                    })
                })
                .collect();
            let chosen = non_overlapping(&candidates);
            if chosen.is_empty() || pass == MAX_PASSES {
                break (chosen, Vec::new(), String::new(), Err(String::new()));
            }
            let mut kept = chosen.clone();
            let (mut next, mut checked) = check_pass(&script, &sorted_edits(&kept));
            if checked.is_err() {
                // Some fix in this pass harms the script: keep, in order, the ones that
                // do not. The others wait: once the kept ones are applied they may be
                // harmless (a fallback deleting a connection that a later sign-in still
                // reads until its own rewrite). Only a round where nothing can be kept
                // drops them for good.
                kept.clear();
                let mut refused = Vec::new();
                keep_harmless(&script, &chosen, &mut kept, &mut refused);
                if kept.is_empty() {
                    rejected.extend(refused);
                    continue;
                }
                (next, checked) = check_pass(&script, &sorted_edits(&kept));
            }
            break (chosen, kept, next, checked);
        };
        if chosen.is_empty() && look == Look::Remembering && current != text && pass < MAX_PASSES {
            look = Look::Afresh;
            // The next run judges every fix on this text anew, refused ones too.
            rejected.clear();
            first = Some(lint(&script, look));
            tree = Some(script.tree);
            continue;
        }
        if chosen.is_empty() {
            return FixOutcome {
                text: current,
                applied,
                remaining: diagnostics,
                converged: true,
                unsettled: Vec::new(),
                rejected,
                passes,
                found: found.clone(),
            };
        }
        if pass == MAX_PASSES {
            unsettled.extend(chosen.iter().map(|d| d.code));
            break;
        }
        applied.extend(kept.iter().map(|d| applied_fix(d)));
        passes.push(sorted_edits(&kept));
        if !seen.insert(next.clone()) {
            // Back at an earlier text: the fixes undo each other.
            unsettled.extend(kept.iter().map(|d| d.code));
            break;
        }
        drop(script);
        tree = checked.ok();
        current = next;
        // A fix refused on the old text may be harmless on the new one (a sign-in that
        // read a variable has been rewritten): each text judges it afresh, so a second
        // run finds nothing the first could have done.
        rejected.clear();
    }
    // Not settled: nothing of it may be written; report the original findings.
    let remaining = found.unwrap_or_default();
    FixOutcome {
        text: text.to_owned(),
        applied: Vec::new(),
        converged: false,
        unsettled: unsettled.into_iter().collect(),
        rejected,
        passes: Vec::new(),
        found: remaining.clone(),
        remaining,
    }
}

/// What applying `fix` alone to `script` would break, if anything (the editor's quick
/// fix applies one fix at a time: MI101's deletion of a connection is harmful until the
/// sign-in reading it has been rewritten).
pub fn harm_of(script: &Script, fix: &Fix) -> Option<String> {
    check_pass(script, &fix.edits).1.err()
}

/// Whether applying `fix` to `text` changes it: one that writes back what is there
/// is no fix, and applying it would look like a fix that never settles.
fn changes(text: &str, fix: &Fix) -> bool {
    fix.edits
        .iter()
        .any(|e| text.get(e.range.clone()) != Some(e.content.as_str()))
}

/// Add to `kept`, in order, the fixes of `group` that harm nothing together with
/// those kept before; the others go to `refused`. A harmless group is taken whole and
/// a harmful one split in halves, so a pass of n fixes with h harmful ones costs
/// about h·log n trial parses, not n.
fn keep_harmless<'d>(
    script: &Script,
    group: &[&'d Diagnostic],
    kept: &mut Vec<&'d Diagnostic>,
    refused: &mut Vec<RejectedFix>,
) {
    let mut trial = kept.clone();
    trial.extend_from_slice(group);
    match check_pass(script, &sorted_edits(&trial)).1 {
        Ok(_) => kept.extend_from_slice(group),
        Err(reason) if group.len() == 1 => refused.push(RejectedFix {
            code: group[0].code,
            message: group[0].fix.as_ref().map(|f| f.message.clone()).unwrap_or_default(),
            reason,
        }),
        Err(_) => {
            let (first, second) = group.split_at(group.len() / 2);
            keep_harmless(script, first, kept, refused);
            keep_harmless(script, second, kept, refused);
        }
    }
}

/// The text a pass's `edits` (sorted) would produce, and what it would break, if
/// anything: new parse errors, code turned into a string or comment, or a variable the
/// script still reads whose every assignment is gone. Harmless, the parsed tree serves
/// the next pass.
fn check_pass(before: &Script, edits: &[Edit]) -> (String, Result<tree_sitter::Tree, String>) {
    let text = apply_edits(before.text, edits);
    let after = Script::parse(&text);
    let checked = match harm(before, edits, &after) {
        Some(reason) => Err(reason),
        None => Ok(after.tree),
    };
    (text, checked)
}

/// Whether text the edits keep, code in `before`, is part of a comment or string in
/// `after`: an inserted quote or `#` that pairs with one the parser had left unmatched
/// (an unclosed `'` before the edit) swallows the code after it.
fn turns_code_into_text(before: &Script, edits: &[Edit], after: &Script) -> bool {
    // The kept runs: (start in before, end in before, start in after).
    let mut kept = Vec::with_capacity(edits.len() + 1);
    let (mut at, mut shift) = (0usize, 0isize);
    for edit in edits {
        kept.push((at, edit.range.start, at.saturating_add_signed(shift)));
        shift += edit.content.len() as isize - edit.range.len() as isize;
        at = edit.range.end;
    }
    kept.push((at, before.text.len(), at.saturating_add_signed(shift)));
    let old_texts = before.text_spans();
    let covered = |range: Range<usize>| {
        let i = old_texts.partition_point(|t| t.start <= range.start);
        i.checked_sub(1).is_some_and(|i| old_texts[i].end >= range.end)
    };
    after.text_spans().iter().any(|span| {
        let first = kept.partition_point(|&(start, end, to)| to + (end - start) <= span.start);
        kept[first..]
            .iter()
            .take_while(|&&(_, _, to)| to < span.end)
            .any(|&(start, end, to)| {
                let from = span.start.max(to);
                let until = span.end.min(to + (end - start));
                from < until && !covered(from - to + start..until - to + start)
            })
    })
}

/// What applying a pass would break, if anything (see `check_pass`).
fn harm(before: &Script, edits: &[Edit], after: &Script) -> Option<String> {
    if after.errors.len() > before.errors.len() {
        return Some("it would leave a syntax error".to_owned());
    }
    // Text inserted next to code the parser cannot read can be swallowed by it: never
    // make more of the file unreadable (such a fix would also never see its own work).
    let unread = |script: &Script| script.errors.iter().map(|e| e.len()).sum::<usize>();
    if unread(after) > unread(before) {
        return Some("it would put code where the parser cannot read it".to_owned());
    }
    if turns_code_into_text(before, edits, after) {
        return Some("it would turn code into part of a string or comment".to_owned());
    }
    let assigned =
        |script: &Script| -> BTreeSet<String> { script.assignments.iter().map(|a| a.variable.clone()).collect() };
    let still_assigned = assigned(after);
    // Reads the parser could not see count too: a `$conn` inside an unreadable region.
    let unread_text: String = after.errors.iter().map(|e| after.slice(e).to_lowercase()).collect();
    let read = |name: &str| {
        after.reads_of(name).next().is_some() || {
            let written = format!("${name}");
            unread_text.match_indices(&written).any(|(at, _)| {
                !unread_text[at + written.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
            }) || unread_text.contains(&format!("${{{name}}}"))
        }
    };
    let dangling: Vec<String> = assigned(before)
        .difference(&still_assigned)
        .filter(|gone| read(gone))
        .cloned()
        .collect();
    (!dangling.is_empty()).then(|| {
        let names: Vec<String> = dangling.iter().map(|n| format!("${n}")).collect();
        format!(
            "it would delete every assignment of {} while the script still reads it",
            names.join(", ")
        )
    })
}

fn applied_fix(diagnostic: &Diagnostic) -> AppliedFix {
    AppliedFix {
        code: diagnostic.code,
        message: diagnostic.fix.as_ref().map(|f| f.message.clone()).unwrap_or_default(),
    }
}

/// The fixes to apply in one pass: in position order, skipping any whose edits meet an
/// edit already taken (two insertions at one point meet too).
fn non_overlapping<'d>(candidates: &[&'d Diagnostic]) -> Vec<&'d Diagnostic> {
    let mut ordered: Vec<&Diagnostic> = candidates.to_vec();
    ordered.sort_by_key(|d| {
        d.fix
            .as_ref()
            .and_then(|f| f.edits.first())
            .map(|e| (e.range.start, e.range.end))
    });
    // Taken edit ranges by (start, end): they never meet one another, so an edit can
    // only meet the last one starting before it or one starting inside it.
    let mut taken: BTreeSet<(usize, usize)> = BTreeSet::new();
    let mut chosen = Vec::new();
    let meets = |a: &Range<usize>, b: &Range<usize>| {
        a.start < b.end && b.start < a.end
            || a.start == b.start
            || (a.is_empty() && b.contains(&a.start))
            || (b.is_empty() && a.contains(&b.start))
    };
    let meets_taken = |taken: &BTreeSet<(usize, usize)>, edit: &Range<usize>| {
        let before = taken.range(..(edit.start, 0)).next_back();
        let inside = taken.range((edit.start, 0)..=(edit.end, usize::MAX));
        before
            .into_iter()
            .chain(inside)
            .any(|&(start, end)| meets(edit, &(start..end)))
    };
    for diagnostic in ordered {
        let Some(fix) = &diagnostic.fix else { continue };
        // Within one fix only a true overlap is wrong: an insertion where another of
        // its edits starts is applied first (edits are sorted).
        let own_overlap = fix.edits.windows(2).any(|pair| pair[0].range.end > pair[1].range.start);
        if own_overlap || fix.edits.iter().any(|e| meets_taken(&taken, &e.range)) {
            continue;
        }
        taken.extend(fix.edits.iter().map(|e| (e.range.start, e.range.end)));
        chosen.push(diagnostic);
    }
    chosen
}

fn sorted_edits(diagnostics: &[&Diagnostic]) -> Vec<Edit> {
    let mut edits: Vec<Edit> = diagnostics
        .iter()
        .filter_map(|d| d.fix.as_ref())
        .flat_map(|f| f.edits.iter().cloned())
        .collect();
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    edits
}

/// Edits turning `before` into `after`, one per run of changed lines: editors keep the
/// cursor and folds of the lines in between.
pub fn changed_lines(before: &str, after: &str) -> Vec<Edit> {
    let diff = similar::TextDiff::configure()
        .algorithm(similar::Algorithm::Myers)
        .diff_lines(before, after);
    // Where each old line starts, and the end.
    let mut starts = vec![0];
    for line in diff.iter_old_slices() {
        starts.push(starts[starts.len() - 1] + line.len());
    }
    let mut edits: Vec<Edit> = Vec::new();
    for op in diff.ops() {
        if op.tag() == similar::DiffTag::Equal {
            continue;
        }
        let old = op.old_range();
        let new = op.new_range();
        let (start, end) = (starts[old.start], starts[old.end]);
        let content: String = new.filter_map(|i| diff.new_slice(i)).collect();
        match edits.last_mut() {
            Some(last) if last.range.end == start => {
                last.range.end = end;
                last.content.push_str(&content);
            }
            _ => edits.push(Edit::replace(start..end, content)),
        }
    }
    edits
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_lines_rebuild_the_new_text() {
        let before = "a\r\nb\r\nc\r\nd\r\ne";
        for after in [
            "a\r\nB\r\nc\r\nd\r\nE",
            "b\r\nc",
            "x\r\na\r\nb\r\nc\r\nd\r\ne\r\n",
            "a\r\nb\r\nc\r\nd\r\ne",
        ] {
            let edits = changed_lines(before, after);
            assert_eq!(apply_edits(before, &edits), after);
        }
        assert_eq!(changed_lines(before, "a\r\nB\r\nc\r\nd\r\ne").len(), 1);
    }

    #[test]
    fn a_fix_deleting_what_is_still_read_is_harmful_alone() {
        let text = "$conn = Get-AutomationConnection -Name AzureRunAsConnection\nWrite-Output $conn.TenantID\n";
        let script = Script::parse(text);
        let delete = Fix::new(
            Applicability::Safe,
            "remove",
            vec![Edit::delete(0..text.find('\n').unwrap() + 1)],
        );
        let reason = harm_of(&script, &delete).expect("harmful");
        assert!(reason.contains("$conn"), "{reason}");
        let unbalanced = Fix::new(Applicability::Safe, "break", vec![Edit::insert(0, "{ ")]);
        assert_eq!(
            harm_of(&script, &unbalanced).as_deref(),
            Some("it would leave a syntax error")
        );
        let harmless = Fix::new(Applicability::Safe, "note", vec![Edit::insert(0, "# note\n")]);
        assert_eq!(harm_of(&script, &harmless), None);
    }

    fn fixed(text: &str, unsafe_fixes: bool) -> FixOutcome {
        fix_text(text, &LintOptions::default(), FixMode { unsafe_fixes })
    }

    const TEMPLATE: &str = "$conn = Get-AutomationConnection -Name AzureRunAsConnection\r\n\
$logonAttempt = 0\r\n\
while (!($connectionResult) -and ($logonAttempt -le 10)) {\r\n\
    $LogonAttempt++\r\n\
    $connectionResult = Connect-AzAccount -ServicePrincipal -Tenant $conn.TenantID `\r\n\
        -ApplicationId $conn.ApplicationID -CertificateThumbprint $conn.CertificateThumbprint\r\n\
    Start-Sleep -Seconds 30\r\n\
}\r\n\
Get-AzVM\r\n";

    #[test]
    fn the_retry_template_becomes_one_identity_sign_in() {
        let outcome = fixed(TEMPLATE, false);
        assert!(outcome.converged);
        assert_eq!(
            outcome.text,
            "Disable-AzContextAutosave -Scope Process | Out-Null\r\n$connectionResult = Connect-AzAccount -Identity\r\nGet-AzVM\r\n"
        );
        let codes: Vec<_> = outcome.applied.iter().map(|a| a.code).collect();
        assert!(
            codes.contains(&"MI101") && codes.contains(&"MI103") && codes.contains(&"MI401"),
            "{codes:?}"
        );
        assert!(outcome.remaining.is_empty(), "{:?}", outcome.remaining);
    }

    #[test]
    fn fixing_twice_changes_nothing() {
        let once = fixed(TEMPLATE, true).text;
        assert_eq!(fixed(&once, true).text, once);
    }

    #[test]
    fn unsafe_fixes_wait_for_the_flag() {
        let text = "Connect-AzAccount -Identity\nSet-AzContext -Subscription $c.SubscriptionID\n$c = Get-AutomationConnection -Name AzureRunAsConnection\n";
        assert!(!fixed(text, false).text.contains("Get-AzContext"));
        assert!(fixed(text, true).text.contains("(Get-AzContext).Subscription.Id"));
    }

    fn finding(range: Range<usize>, edit: Edit) -> Diagnostic {
        Diagnostic {
            code: "MI401",
            name: "x",
            severity: crate::diagnostic::Severity::Warning,
            message: String::new(),
            range,
            fix: Some(Fix::new(Applicability::Safe, "flip", vec![edit])),
            activity: None,
        }
    }

    #[test]
    fn a_changed_text_is_looked_at_afresh_before_the_fix_ends() {
        // What the original told hides a fix on `b` (as a remembered Run As
        // connection kept a suppression in use); a fresh look, as the next run's, sees it.
        let lint = |script: &Script, look: Look| match (script.text, look) {
            ("a\n", _) => vec![finding(0..1, Edit::replace(0..1, "b"))],
            ("b\n", Look::Afresh) => vec![finding(0..1, Edit::replace(0..1, "c"))],
            _ => Vec::new(),
        };
        let outcome = fix_with(Script::parse("a\n"), None, FixMode::default(), lint);
        assert!(outcome.converged);
        assert_eq!(outcome.text, "c\n", "the second run would have found nothing left");
        // An unchanged text needs no second look: a fresh look is what it had.
        let afresh_only = |_: &Script, look: Look| match look {
            Look::Afresh => vec![finding(0..1, Edit::replace(0..1, "z"))],
            Look::Remembering => Vec::new(),
        };
        let outcome = fix_with(Script::parse("x\n"), None, FixMode::default(), afresh_only);
        assert_eq!(outcome.text, "x\n");
    }

    #[test]
    fn fixes_that_undo_each_other_are_not_converged_and_leave_the_text_alone() {
        // A rule that turns `a` into `b` and another that turns `b` back into `a`.
        let flip = |script: &Script, _: Look| match script.text {
            "a\n" => vec![finding(0..1, Edit::replace(0..1, "b"))],
            "b\n" => vec![finding(0..1, Edit::replace(0..1, "a"))],
            _ => Vec::new(),
        };
        let outcome = fix_with(Script::parse("a\n"), None, FixMode::default(), flip);
        assert!(!outcome.converged);
        assert_eq!(outcome.text, "a\n", "a non-converging text is never handed back");
        assert_eq!(outcome.unsettled, ["MI401"]);
        assert!(outcome.applied.is_empty() && outcome.resolved() == 0);
        // A rule that grows the text for ever stops at the pass bound, also unchanged.
        let grow = |script: &Script, _: Look| vec![finding(0..0, Edit::insert(0, format!("{}", script.text.len())))];
        let outcome = fix_with(Script::parse("x\n"), None, FixMode::default(), grow);
        assert!(!outcome.converged && outcome.text == "x\n");
    }

    #[test]
    fn a_fix_that_strands_a_read_is_refused_and_the_rest_applies() {
        let text = "$conn = Get-Thing\nWrite-Output $conn\nGet-Other\n";
        // The deletion waits while another fix makes progress, then is dropped for good.
        let lint = |script: &Script, _: Look| {
            let mut findings = vec![finding(0..17, Edit::delete(0..18))];
            if let Some(other) = script.text.find("Get-Other") {
                findings.push(finding(other..other + 9, Edit::replace(other..other + 9, "Get-New")));
            }
            findings
        };
        let outcome = fix_with(Script::parse(text), None, FixMode::default(), lint);
        assert_eq!(outcome.text, "$conn = Get-Thing\nWrite-Output $conn\nGet-New\n");
        assert_eq!(outcome.rejected.len(), 1);
        assert!(outcome.rejected[0].reason.contains("$conn"), "{:?}", outcome.rejected);
    }

    #[test]
    fn a_read_the_parser_could_not_see_still_keeps_its_assignment() {
        let text = "$conn = Get-AutomationConnection -Name AzureRunAsConnection\n\
Connect-AzAccount -ServicePrincipal -Tenant $conn.TenantId -ApplicationId $conn.ApplicationId -CertificateThumbprint $conn.CertificateThumbprint\n\
$t = $x ? $y : $conn.TenantId\n";
        let outcome = fixed(text, true);
        assert!(
            outcome.text.contains("$conn = Get-AutomationConnection"),
            "{}",
            outcome.text
        );
        assert!(outcome.text.contains("Connect-AzAccount -Identity"), "{}", outcome.text);
        assert!(outcome
            .rejected
            .iter()
            .any(|r| r.code == "MI101" && r.reason.contains("$conn")));
    }

    #[test]
    fn positions_map_through_the_passes() {
        let edits = [Edit::insert(0, "xx"), Edit::replace(5..8, "y"), Edit::delete(10..12)];
        assert_eq!(Shift::new(&edits).map_range(&(3..4)), 5..6, "after an insertion");
        assert_eq!(
            Shift::new(&edits).map_range(&(5..8)),
            7..8,
            "an edited span maps to its replacement"
        );
        assert_eq!(
            Shift::new(&edits).map_range(&(10..12)),
            10..10,
            "a deleted span maps to a point"
        );
        assert_eq!(
            Shift::new(&[Edit::insert(2, "z")]).map_range(&(0..2)),
            0..2,
            "an insertion at the end stays out"
        );
    }

    #[test]
    fn overlapping_fixes_wait_for_the_next_pass() {
        let a = Diagnostic {
            code: "MI102",
            name: "x",
            severity: crate::diagnostic::Severity::Error,
            message: String::new(),
            range: 0..5,
            fix: Some(Fix::new(Applicability::Safe, "a", vec![Edit::replace(0..5, "A")])),
            activity: None,
        };
        let mut b = a.clone();
        b.fix = Some(Fix::new(Applicability::Safe, "b", vec![Edit::replace(3..8, "B")]));
        let mut c = a.clone();
        c.fix = Some(Fix::new(Applicability::Safe, "c", vec![Edit::insert(0, "C")]));
        let mut d = a.clone();
        d.fix = Some(Fix::new(Applicability::Safe, "d", vec![Edit::replace(8..9, "D")]));
        let chosen = non_overlapping(&[&b, &a, &c, &d]);
        let names: Vec<_> = chosen
            .iter()
            .map(|d| d.fix.as_ref().unwrap().message.as_str())
            .collect();
        // The insertion at 0 comes first; the replacement starting there waits, as does
        // nothing else: 3..8 and 8..9 only touch.
        assert_eq!(names, ["c", "b", "d"]);
    }
}
