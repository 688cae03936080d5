//! The prefilter (`lint::could_have_findings`) is sound: a script it lets the engine
//! skip has no finding when the engine does parse and check it.

use mimigrate::lint::{could_have_findings, lint_script, LintOptions};
use mimigrate::source::LineIndex;
use mimigrate::syntax::model::Script;

fn findings_without_prefilter(text: &str) -> usize {
    lint_script(&Script::parse(text), &LineIndex::new(text), &LintOptions::default()).len()
}

/// Every corpus runbook (ours, and the real ones in ../shared/corpus when it is there),
/// and each with every line that names a migration word taken out: what is left must
/// have no finding, or the word list misses something a rule looks for.
#[test]
fn scripts_without_a_migration_word_have_no_finding() {
    let here = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let runbooks = [here.join("corpus"), here.join("../shared/corpus")]
        .into_iter()
        .flat_map(|root| ignore::WalkBuilder::new(root).build().flatten())
        .filter(|e| e.path().extension().is_some_and(|x| x.eq_ignore_ascii_case("ps1")));
    let mut checked = 0;
    for entry in runbooks {
        let Ok(text) = std::fs::read_to_string(entry.path()) else {
            continue;
        };
        let stripped: String = text
            .split_inclusive('\n')
            .filter(|line| !could_have_findings(line))
            .collect();
        for candidate in [&text, &stripped] {
            if !could_have_findings(candidate) {
                checked += 1;
                assert_eq!(
                    findings_without_prefilter(candidate),
                    0,
                    "{}: a finding in a script the prefilter skips: {:?}\n{candidate}",
                    entry.path().display(),
                    lint_script(
                        &Script::parse(candidate),
                        &LineIndex::new(candidate),
                        &LintOptions::default()
                    )
                    .iter()
                    .map(|d| d.code)
                    .collect::<Vec<_>>()
                );
            }
        }
    }
    assert!(checked > 80, "only {checked} scripts without a migration word");
}

#[test]
fn dashes_and_case_are_read_as_powershell_reads_them() {
    assert!(could_have_findings("CONNECT\u{2013}AZACCOUNT -Identity"));
    assert!(could_have_findings("$t = $env:identity_endpoint"));
    assert!(!could_have_findings("Get-AzVM | Stop-AzVM -Force"));
}
