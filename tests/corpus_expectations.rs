//! Every runbook in corpus/ states its findings on its first line
//! (`# expect: MI101 MI401 MI102` or `# expect: none`); the engine must produce exactly
//! those codes, in position order.

use std::path::Path;

use mimigrate::lint::{lint, LintOptions};
use mimigrate::source::SourceText;

fn expected_codes(text: &str) -> Vec<String> {
    let first = text.lines().next().unwrap_or_default();
    let list = first
        .strip_prefix("# expect:")
        .unwrap_or_else(|| panic!("first line must be `# expect: ...`, got {first:?}"));
    list.split_whitespace()
        .filter(|c| *c != "none")
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_corpus_runbook_produces_exactly_its_expected_findings() {
    let mut failures = Vec::new();
    let mut checked = 0;
    let mut paths: Vec<_> = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ps1"))
        .collect();
    paths.sort();
    for path in paths {
        let source = SourceText::decode(&std::fs::read(&path).unwrap()).unwrap();
        let expected = expected_codes(&source.text);
        let found: Vec<String> = lint(&source.text, &LintOptions::default())
            .iter()
            .map(|d| d.code.to_owned())
            .collect();
        checked += 1;
        if found != expected {
            failures.push(format!(
                "{}: expected {expected:?}, found {found:?}",
                path.file_name().unwrap().to_string_lossy()
            ));
        }
    }
    assert!(checked >= 30, "corpus/ has only {checked} runbooks");
    assert!(
        failures.is_empty(),
        "{} of {checked} runbooks differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
