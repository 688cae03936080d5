//! The fix engine: apply the fixes of `lint`'s diagnostics to a script's text, in
//! passes, until nothing more applies.
//!
//! Each pass takes the applicable fixes in position order and keeps those whose edits
//! do not overlap an already accepted fix (the rest wait for the next pass, when they
//! are recomputed on the new text). A pass that would add parse errors is retried fix by
//! fix and the offending ones are dropped for good. The number of passes is bounded; a
//! script still changing at the bound is reported as not converged.

use std::ops::Range;

use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix};
use crate::lint::{lint_script, LintOptions};
use crate::output::apply_edits;
use crate::source::LineIndex;
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

#[derive(Clone, Debug)]
pub struct FixOutcome {
    /// The fixed text (the input when nothing applied).
    pub text: String,
    pub applied: Vec<AppliedFix>,
    /// Findings left in `text`, as `lint` reports them.
    pub remaining: Vec<Diagnostic>,
    /// False when the text still changed after `MAX_PASSES` passes.
    pub converged: bool,
    /// Fixes dropped because applying them added parse errors.
    pub rejected: Vec<AppliedFix>,
}

impl FixOutcome {
    pub fn changed(&self, original: &str) -> bool {
        self.text != original
    }
}

/// Fix `text` to a fixpoint.
pub fn fix_text(text: &str, options: &LintOptions, mode: FixMode) -> FixOutcome {
    let mut current = text.to_owned();
    let mut applied = Vec::new();
    let mut rejected: Vec<AppliedFix> = Vec::new();
    for _ in 0..MAX_PASSES {
        let script = Script::parse(&current);
        let diagnostics = lint_script(&script, &LineIndex::new(&current), options);
        let candidates: Vec<&Diagnostic> = diagnostics
            .iter()
            .filter(|d| d.fix.as_ref().is_some_and(|f| mode.applies(f)))
            .filter(|d| {
                !rejected
                    .iter()
                    .any(|r| r.code == d.code && Some(&r.message) == d.fix.as_ref().map(|f| &f.message))
            })
            .collect();
        let chosen = non_overlapping(&candidates);
        if chosen.is_empty() {
            return FixOutcome {
                text: current,
                applied,
                remaining: diagnostics,
                converged: true,
                rejected,
            };
        }
        let errors_before = script.errors.len();
        let next = apply(&current, &chosen);
        if Script::parse(&next).errors.len() <= errors_before {
            applied.extend(chosen.iter().map(|d| applied_fix(d)));
            current = next;
            continue;
        }
        // Some fix in this pass breaks the syntax: keep the ones that do not.
        let mut kept = Vec::new();
        for diagnostic in chosen {
            let alone = apply(&current, &[diagnostic]);
            if Script::parse(&alone).errors.len() <= errors_before {
                kept.push(diagnostic);
            } else {
                rejected.push(applied_fix(diagnostic));
            }
        }
        let next = apply(&current, &kept);
        if !kept.is_empty() && Script::parse(&next).errors.len() <= errors_before {
            applied.extend(kept.iter().map(|d| applied_fix(d)));
            current = next;
        }
    }
    let script = Script::parse(&current);
    let remaining = lint_script(&script, &LineIndex::new(&current), options);
    let still_fixable = remaining
        .iter()
        .any(|d| d.fix.as_ref().is_some_and(|f| mode.applies(f)));
    FixOutcome {
        text: current,
        applied,
        remaining,
        converged: !still_fixable,
        rejected,
    }
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
    let mut taken: Vec<Range<usize>> = Vec::new();
    let mut chosen = Vec::new();
    for diagnostic in ordered {
        let Some(fix) = &diagnostic.fix else { continue };
        let meets = |a: &Range<usize>, b: &Range<usize>| {
            a.start < b.end && b.start < a.end
                || a.start == b.start
                || (a.is_empty() && b.contains(&a.start))
                || (b.is_empty() && a.contains(&b.start))
        };
        // Within one fix only a true overlap is wrong: an insertion where another of
        // its edits starts is applied first (edits are sorted).
        let own_overlap = fix.edits.windows(2).any(|pair| pair[0].range.end > pair[1].range.start);
        if own_overlap || fix.edits.iter().any(|e| taken.iter().any(|t| meets(&e.range, t))) {
            continue;
        }
        taken.extend(fix.edits.iter().map(|e| e.range.clone()));
        chosen.push(diagnostic);
    }
    chosen
}

fn apply(text: &str, diagnostics: &[&Diagnostic]) -> String {
    let mut edits: Vec<Edit> = diagnostics
        .iter()
        .filter_map(|d| d.fix.as_ref())
        .flat_map(|f| f.edits.iter().cloned())
        .collect();
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    apply_edits(text, &edits)
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn overlapping_fixes_wait_for_the_next_pass() {
        let a = Diagnostic {
            code: "MI102",
            name: "x",
            severity: crate::diagnostic::Severity::Error,
            message: String::new(),
            range: 0..5,
            fix: Some(Fix::new(Applicability::Safe, "a", vec![Edit::replace(0..5, "A")])),
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
