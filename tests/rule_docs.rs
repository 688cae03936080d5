//! The before/after example of every rule's documentation (rules/<CODE>.md) runs here,
//! so the docs cannot drift from what the engine does: "Before" must produce the code,
//! "After" must not, and where the rule has a fix, applying that rule's fixes to
//! "Before" must give exactly "After".

use mimigrate::diagnostic::Applicability;
use mimigrate::lint::{lint, LintOptions};
use mimigrate::output::apply_edits;
use mimigrate::rules::{self, FixAvailability};

/// The first ```powershell block after the line `label`.
fn example<'d>(doc: &'d str, label: &str) -> &'d str {
    let after_label = &doc[doc
        .find(&format!("\n{label}\n"))
        .unwrap_or_else(|| panic!("no `{label}` line"))..];
    let start = after_label.find("```powershell\n").expect("a ```powershell block") + "```powershell\n".len();
    let end = after_label[start..].find("```").expect("a closing ```");
    &after_label[start..start + end]
}

#[test]
fn every_rule_has_documentation_with_the_required_sections() {
    for rule in rules::ALL {
        let doc = rule.documentation;
        assert!(
            doc.starts_with(&format!("# {} {}\n", rule.code, rule.name)),
            "{}: title line",
            rule.code
        );
        for heading in ["## What it finds", "## Why", "## Example", "## Fix"] {
            assert!(doc.contains(heading), "{}: missing {heading}", rule.code);
        }
    }
}

#[test]
fn before_examples_produce_the_rule_and_after_examples_do_not() {
    let mut failures = Vec::new();
    for rule in rules::ALL {
        let (before, after) = (
            example(rule.documentation, "Before:"),
            example(rule.documentation, "After:"),
        );
        let found = lint(before, &LintOptions::default());
        if !found.iter().any(|d| d.code == rule.code) {
            failures.push(format!(
                "{}: Before does not produce it (found {:?})",
                rule.code,
                found.iter().map(|d| d.code).collect::<Vec<_>>()
            ));
        }
        let left = lint(after, &LintOptions::default());
        if left.iter().any(|d| d.code == rule.code) {
            failures.push(format!("{}: After still produces it", rule.code));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn applying_a_rules_fixes_to_before_gives_after() {
    let mut failures = Vec::new();
    for rule in rules::ALL.iter().filter(|r| r.fix != FixAvailability::None) {
        let (before, after) = (
            example(rule.documentation, "Before:"),
            example(rule.documentation, "After:"),
        );
        let mut edits: Vec<_> = lint(before, &LintOptions::default())
            .into_iter()
            .filter(|d| d.code == rule.code)
            .filter_map(|d| d.fix)
            .filter(|f| f.applicability != Applicability::DisplayOnly)
            .flat_map(|f| f.edits)
            .collect();
        edits.sort_by_key(|e| (e.range.start, e.range.end));
        edits.dedup();
        let fixed = apply_edits(before, &edits);
        if fixed != after {
            failures.push(format!(
                "{}: fixing Before gives\n---\n{fixed}---\nbut After is\n---\n{after}---",
                rule.code
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `mimigrate rule CODE` must answer every code the docs and messages name.
#[test]
fn every_code_the_docs_name_is_a_rule() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut docs = vec![root.join("README.md")];
    for folder in ["rules", "src/rules"] {
        let mut files: Vec<_> = std::fs::read_dir(root.join(folder))
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "md" || x == "rs"))
            .collect();
        files.sort();
        docs.extend(files);
    }
    let code = regex::Regex::new(r"\bMI[0-9]{3}\b").unwrap();
    let mut unknown = Vec::new();
    for doc in &docs {
        let text = std::fs::read_to_string(doc).unwrap();
        for found in code.find_iter(&text) {
            // Tests name made-up codes on purpose; so does the unknown-code message.
            let line = text[..found.start()].rsplit('\n').next().unwrap_or("");
            if rules::by_code(found.as_str()).is_none()
                && !line.contains("mimigrate: ignore")
                && found.as_str() != "MI999"
            {
                unknown.push(format!("{}: {}", doc.display(), found.as_str()));
            }
        }
    }
    assert!(unknown.is_empty(), "codes with no rule: {unknown:#?}");
}
