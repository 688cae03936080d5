//! An open document: its text as the editor has it, and the last analysis of it.

use std::path::PathBuf;
use std::time::Instant;

use lsp_types as lsp;
use tree_sitter::Tree;

use super::convert::Positions;
use crate::diagnostic::{Diagnostic, Edit};
use crate::fix::{changed_lines, fix_text, FixMode};
use crate::lint::{could_have_findings, lint_script, LintOptions};
use crate::source::{ColumnUnit, LineIndex, MAX_FILE_BYTES};
use crate::syntax::{self, model::Script};

pub struct Document {
    pub uri: lsp::Uri,
    /// `None` for a document that is no file (`untitled:`): default config.
    pub path: Option<PathBuf>,
    pub version: i32,
    pub text: String,
    pub lines: LineIndex,
    /// The parse of `text` (edited along with it), kept for an incremental re-parse.
    /// `None` until a text names a migration word: one that does not is never parsed.
    tree: Option<Tree>,
    /// When its diagnostics are due (changes in a burst wait for it to end).
    pub due: Option<Instant>,
    /// When the editor last changed it.
    pub changed: Option<Instant>,
    pub analysis: Option<Analysis>,
}

/// What the engine found in one version of a document.
pub struct Analysis {
    pub version: i32,
    pub options: LintOptions,
    pub diagnostics: Vec<Diagnostic>,
    /// The text `fix` makes of it, per mode: computed when first asked.
    fixed: [Option<Vec<Edit>>; 2],
}

impl Document {
    pub fn new(uri: lsp::Uri, version: i32, text: String) -> Self {
        Document {
            path: super::convert::file_path(&uri),
            uri,
            version,
            lines: LineIndex::new(&text),
            text,
            tree: None,
            due: None,
            changed: None,
            analysis: None,
        }
    }

    pub fn positions(&self, unit: ColumnUnit) -> Positions<'_> {
        Positions {
            text: &self.text,
            lines: &self.lines,
            unit,
        }
    }

    /// Apply the editor's changes, in order: a change with a range replaces it (and the
    /// tree is told, for the incremental re-parse), one without is the whole new text.
    pub fn change(&mut self, version: i32, changes: Vec<lsp::TextDocumentContentChangeEvent>, unit: ColumnUnit) {
        for change in changes {
            match change.range {
                Some(range) => {
                    let range = self.positions(unit).offsets(range);
                    if let Some(tree) = &mut self.tree {
                        syntax::edit_tree(tree, &self.text, &self.lines, range.clone(), &change.text);
                    }
                    self.text.replace_range(range, &change.text);
                }
                None => {
                    self.text = change.text;
                    self.tree = None;
                }
            }
            self.lines = LineIndex::new(&self.text);
        }
        self.version = version;
    }

    /// The analysis of the current version, made now if it is out of date.
    pub fn analyze(&mut self, options: &LintOptions) -> &mut Analysis {
        let fresh = self.analysis.as_ref().is_some_and(|a| {
            a.version == self.version && a.options.selection == options.selection && a.options.target == options.target
        });
        if !fresh {
            let diagnostics = self.lint(options);
            self.analysis = Some(Analysis {
                version: self.version,
                options: options.clone(),
                diagnostics,
                fixed: [None, None],
            });
        }
        self.analysis.as_mut().expect("just made")
    }

    fn lint(&mut self, options: &LintOptions) -> Vec<Diagnostic> {
        if self.text.len() > MAX_FILE_BYTES as usize {
            // As `check` skips it; said once, when it opens or grows past the limit.
            if self.tree.is_some() || self.analysis.is_none() {
                super::log(&format!(
                    "{}: larger than the {} MiB a script may have; not checked",
                    self.uri.as_str(),
                    MAX_FILE_BYTES >> 20
                ));
            }
            self.tree = None;
            return Vec::new();
        }
        if !could_have_findings(&self.text) {
            self.tree = None;
            return Vec::new();
        }
        let tree = match &self.tree {
            Some(old) => syntax::reparse(&self.text, old),
            None => syntax::parse(&self.text),
        };
        self.tree = Some(tree.clone());
        lint_script(&Script::from_tree(&self.text, tree), &self.lines, options)
    }

    /// The model of the current text, from its tree (analyze first).
    pub fn script(&self) -> Script<'_> {
        match &self.tree {
            Some(tree) => Script::from_tree(&self.text, tree.clone()),
            None => Script::parse(&self.text),
        }
    }

    /// The edits `mimigrate fix` (with `unsafe_fixes`, `fix --unsafe-fixes`) makes to the
    /// current text, as few and as small as the changed lines; empty when it changes
    /// nothing or does not settle. Analyze first.
    pub fn fix_all(&mut self, unsafe_fixes: bool) -> &[Edit] {
        let analysis = self.analysis.as_mut().expect("the document is analyzed first");
        let slot = &mut analysis.fixed[usize::from(unsafe_fixes)];
        if slot.is_none() {
            let outcome = fix_text(&self.text, &analysis.options, FixMode { unsafe_fixes });
            *slot = Some(if outcome.converged {
                changed_lines(&self.text, &outcome.text)
            } else {
                Vec::new()
            });
        }
        slot.as_deref().unwrap_or_default()
    }
}
