//! Graphical runbooks (`.graphrunbook`): exported from the portal's canvas editor as JSON
//! `{"SchemaVersion": "1.10", "RunbookDefinition": "<base64>"}`, where the base64 is a
//! .NET BinaryFormatter stream of an `Orchestrator.GraphRunbook.Model.GraphRunbook`.
//! `nrbf` reads the stream, `model` types the graph, `view` writes the PowerShell the
//! engine checks in its place (so no rule is written twice), and `guidance` turns the
//! fixes made on that view into steps in the graphical editor: a graphical runbook is
//! never rewritten.

pub mod guidance;
pub mod model;
pub mod nrbf;
pub mod view;

use std::path::Path;

use base64::Engine;

use crate::diagnostic::{Applicability, Diagnostic, Fix};
use crate::fix::{fix_text, FixMode, FixOutcome};
use crate::lint::LintOptions;
pub use model::GraphRunbook;
pub use view::View;

/// Whether `path` names an exported graphical runbook (by its extension, any case).
pub fn is_graphical(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("graphrunbook"))
}

/// A graphical runbook, read: its graph and its PowerShell view.
#[derive(Debug, Clone)]
pub struct GraphicalRunbook {
    pub graph: GraphRunbook,
    pub view: View,
}

/// Read an exported `.graphrunbook` file. The error says why it is not a graphical
/// runbook this reader can read.
pub fn read_export(bytes: &[u8]) -> Result<GraphicalRunbook, String> {
    let fail = |why: String| format!("not a graphical runbook mimigrate can read: {why}");
    let text = std::str::from_utf8(bytes).map_err(|_| fail("the file is not UTF-8 JSON".into()))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let export: serde_json::Value =
        serde_json::from_str(text).map_err(|e| fail(format!("the file is not JSON ({e})")))?;
    let definition = export
        .get("RunbookDefinition")
        .and_then(|d| d.as_str())
        .ok_or_else(|| fail("it has no \"RunbookDefinition\" string".into()))?;
    let stream = base64::engine::general_purpose::STANDARD
        .decode(definition.trim())
        .map_err(|e| fail(format!("its RunbookDefinition is not base64 ({e})")))?;
    let graph = read_definition(&stream).map_err(fail)?;
    let view = view::render(&graph);
    Ok(GraphicalRunbook { graph, view })
}

/// Read a `RunbookDefinition` stream (the decoded base64) into the graph.
pub fn read_definition(stream: &[u8]) -> Result<GraphRunbook, String> {
    let objects = nrbf::read(stream).map_err(|e| format!("its RunbookDefinition is not a .NET binary stream ({e})"))?;
    model::graph_runbook(&objects)
}

impl GraphicalRunbook {
    /// The activity whose code holds byte `offset` of the view, or of the view as
    /// `fixed` rewrote it (each activity's code where the fixes moved it).
    pub fn activity_at(&self, offset: usize, fixed: Option<&FixOutcome>) -> Option<&str> {
        let holds = |block: &view::Block| match fixed {
            None => block.contains(offset),
            Some(outcome) => {
                let image = outcome.image_of(&block.range);
                image.start <= offset && offset <= image.end
            }
        };
        self.view.blocks.iter().find(|b| holds(b)).map(|b| b.activity.as_str())
    }

    /// The findings of the view as a graphical runbook's: each names its activity,
    /// and its fix becomes the steps in the graphical editor (a fix with no edits,
    /// never applied, whose message is the steps). The steps are what the whole fix (unsafe fixes too) makes of the
    /// finding's activity, so every finding of an activity leads to the same result
    /// whichever is read first; a finding outside any activity, or in one the whole
    /// fix leaves alone, gets the steps of its own fix.
    pub fn present(&self, mut diagnostics: Vec<Diagnostic>, options: &LintOptions) -> Vec<Diagnostic> {
        let mut whole: Option<String> = None;
        for diagnostic in &mut diagnostics {
            let index = self.view.blocks.iter().position(|b| b.contains(diagnostic.range.start));
            diagnostic.activity = index.map(|i| self.view.blocks[i].activity.clone());
            let Some(fix) = &diagnostic.fix else { continue };
            // Its activity, and the others its own fix changes (the not-found branch
            // deleted with the connection).
            let mut touched: Vec<usize> = index.into_iter().collect();
            for edit in &fix.edits {
                let blocks = self.view.blocks.iter().enumerate();
                let meets = |b: &view::Block| match edit.range.is_empty() {
                    true => b.contains(edit.range.start),
                    false => edit.range.start < b.range.end && b.range.start < edit.range.end,
                };
                touched.extend(blocks.filter(|(_, b)| meets(b)).map(|(i, _)| i));
            }
            touched.sort_unstable();
            touched.dedup();
            let in_activity = (!touched.is_empty())
                .then(|| {
                    let fixed = whole.get_or_insert_with(|| {
                        let outcome = fix_text(&self.view.text, options, FixMode { unsafe_fixes: true });
                        if outcome.converged {
                            outcome.text
                        } else {
                            self.view.text.clone()
                        }
                    });
                    guidance::steps_to(&self.view, fixed, Some(&touched))
                })
                .flatten();
            let steps = in_activity.or_else(|| guidance::steps(&self.view, &fix.edits));
            // The script fix's own message is left out: it speaks of the script
            // (`mimigrate fix` does it in a later pass; an AzureRM name the whole fix
            // renames), and the steps are what to do here.
            diagnostic.fix = steps.map(|steps| {
                Fix::new(
                    Applicability::DisplayOnly,
                    format!("In the graphical editor: {steps}"),
                    Vec::new(),
                )
            });
        }
        diagnostics
    }
}
