//! Snapshot of every finding (position, message, fix) for each runbook in corpus/, so
//! any change in what users see is reviewed (`cargo insta review`).

use std::fmt::Write;

use mimigrate::lint::{lint, LintOptions};
use mimigrate::source::{LineIndex, SourceText};

fn render(text: &str) -> String {
    let lines = LineIndex::new(text);
    let mut out = String::new();
    for diagnostic in lint(text, &LintOptions::default()) {
        let start = lines.position(text, diagnostic.range.start);
        let end = lines.position(text, diagnostic.range.end);
        let _ = writeln!(
            out,
            "{}:{}-{}:{} {} {} {}",
            start.line,
            start.column,
            end.line,
            end.column,
            diagnostic.code,
            diagnostic.severity.as_str(),
            diagnostic.message
        );
        if let Some(fix) = diagnostic.fix {
            let _ = writeln!(out, "  fix ({}): {}", fix.applicability.as_str(), fix.message);
            for edit in fix.edits {
                let from = lines.position(text, edit.range.start);
                let to = lines.position(text, edit.range.end);
                let _ = writeln!(
                    out,
                    "    {}:{}-{}:{} => {:?}",
                    from.line, from.column, to.line, to.column, edit.content
                );
            }
        }
    }
    out
}

#[test]
fn corpus_findings() {
    insta::glob!("../corpus", "*.ps1", |path| {
        let source = SourceText::decode(&std::fs::read(path).unwrap()).unwrap();
        insta::assert_snapshot!(render(&source.text));
    });
}
