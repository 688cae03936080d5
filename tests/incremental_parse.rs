//! The language server re-parses a document incrementally after each edit
//! (`syntax::edit_tree` + `syntax::reparse`). Whatever the edits, that must give the
//! very tree a fresh parse of the new text gives, and so the same findings (a re-parse
//! that meets an error parses afresh: error recovery depends on history): checked on the
//! corpus runbooks under random edits made of what PowerShell's character rules look
//! at (line breaks, backticks, `??`, en dashes, curly quotes, here-string and comment
//! openers).

#[path = "../benches/support/corpus.rs"]
mod corpus;

use mimigrate::lint::{lint, lint_script, LintOptions};
use mimigrate::source::{LineIndex, SourceText};
use mimigrate::syntax::{self, model::Script};
use proptest::prelude::*;

const INSERTS: &[&str] = &[
    "",
    "\n",
    "\r",
    "\r\n",
    "`",
    "` ",
    " ",
    "??",
    "?",
    "\u{2013}",
    "\u{201C}",
    "'",
    "\"",
    "@'\n",
    "'@",
    "#",
    "<#",
    "#>",
    "{",
    "}",
    "(",
    "$conn",
    "Connect-AzAccount -Identity",
    "\u{1F600}",
    "\t",
    ".",
    "/",
];

/// The corpus runbooks' texts.
fn corpus() -> Vec<String> {
    corpus::corpus_runbooks()
        .iter()
        .filter_map(|(_, bytes)| SourceText::decode(bytes).ok())
        .map(|s| s.text)
        .collect()
}

/// One edit as fractions of the text: where it starts, how much it removes.
fn edit() -> impl Strategy<Value = (f64, usize, usize)> {
    (0.0..1.0f64, 0usize..24, 0..INSERTS.len())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn incremental_reparse_equals_a_fresh_parse(file in any::<prop::sample::Index>(), edits in prop::collection::vec(edit(), 1..5)) {
        static CORPUS: std::sync::LazyLock<Vec<String>> = std::sync::LazyLock::new(corpus);
        let mut text = file.get(&CORPUS).clone();
        let mut tree = syntax::parse(&text);
        for (at, removed, inserted) in edits {
            let start = text.floor_char_boundary((at * text.len() as f64) as usize);
            let end = text.floor_char_boundary((start + removed).min(text.len()));
            let inserted = INSERTS[inserted];
            let lines = LineIndex::new(&text);
            syntax::edit_tree(&mut tree, &text, &lines, start..end, inserted);
            text.replace_range(start..end, inserted);
            tree = syntax::reparse(&text, &tree);
            let fresh = syntax::parse(&text);
            prop_assert_eq!(tree.root_node().to_sexp(), fresh.root_node().to_sexp(), "text: {:?}", text);
            let incremental = lint_script(&Script::from_tree(&text, tree.clone()), &LineIndex::new(&text), &LintOptions::default());
            let whole = if mimigrate::lint::could_have_findings(&text) { lint(&text, &LintOptions::default()) } else { incremental.clone() };
            prop_assert_eq!(incremental, whole);
        }
    }
}
