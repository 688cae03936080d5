//! A user-assigned identity whose client id lives in an Automation variable is read
//! once, near the top (`$IdentityClientId = Get-AutomationVariable -Name '...'`), and
//! every rewritten sign-in passes `$IdentityClientId`. The sign-in rules only write the
//! variable; this adds the declaration to each fix that uses it, so whichever sign-in
//! is fixed first brings it along (the others find it there on the next pass).

use super::rewrite::insert_before_statement;
use crate::diagnostic::{Diagnostic, Edit};
use crate::syntax::model::{BlockKind, Script};
use crate::target::{Identity, MigrationTarget, CLIENT_ID_VARIABLE};

pub fn add_declarations(script: &Script, target: &MigrationTarget, diagnostics: &mut [Diagnostic]) {
    let Identity::UserClientIdVariable(asset) = &target.identity else {
        return;
    };
    let variable = CLIENT_ID_VARIABLE.trim_start_matches('$').to_lowercase();
    if script.assignments.iter().any(|a| a.variable == variable) {
        return;
    }
    let declaration = format!(
        "{CLIENT_ID_VARIABLE} = Get-AutomationVariable -Name '{}'",
        asset.replace('\'', "''")
    );
    for diagnostic in diagnostics {
        let Some(fix) = &mut diagnostic.fix else { continue };
        if !fix.edits.iter().any(|e| e.content.contains(CLIENT_ID_VARIABLE)) {
            continue;
        }
        if let Some(edit) = declaration_edit(script, diagnostic.range.start, &declaration) {
            fix.edits.push(edit);
            fix.edits.sort_by_key(|e| (e.range.start, e.range.end));
            fix.message
                .push_str("; user-assigned identities do not work on hybrid workers");
        }
    }
}

/// Before the first statement of the workflow holding `at` (workflow variables are its
/// own), else before the script's first statement (after `param()` and `using`).
fn declaration_edit(script: &Script, at: usize, declaration: &str) -> Option<Edit> {
    let workflow = script
        .statements
        .iter()
        .filter_map(|s| s.blocks.first())
        .find(|b| b.kind == BlockKind::Workflow && b.range.contains(&at))
        .cloned();
    let first = script.statements.iter().find(|s| match &workflow {
        Some(block) => s.blocks.len() == 1 && s.blocks[0] == *block,
        None => {
            s.blocks.is_empty()
                && !script
                    .slice(&s.statement)
                    .get(..6)
                    .is_some_and(|w| w.eq_ignore_ascii_case("using "))
        }
    })?;
    Some(insert_before_statement(script, first.statement.start, declaration))
}
