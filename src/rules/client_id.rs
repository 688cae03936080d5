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
        "{CLIENT_ID_VARIABLE} = Get-AutomationVariable -Name {}",
        crate::syntax::single_quoted(asset)
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
    let first = script.block_statements().find(|s| match &workflow {
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

#[cfg(test)]
mod tests {
    use crate::fix::{fix_text, FixMode};
    use crate::lint::LintOptions;
    use crate::target::{Identity, MigrationTarget};

    #[test]
    fn the_declaration_goes_after_param_never_into_a_default_value() {
        let text = "param(\n    [string[]]$Names = @('a', 'b')\n)\n\nConnect-MgGraph -ClientId $a -TenantId $t -CertificateThumbprint $c\nworkflow W {\n    param([string[]]$Vms = @('x'))\n    Connect-AzAccount -ServicePrincipal -Tenant $t -ApplicationId $a -CertificateThumbprint $c\n}\n";
        let options = LintOptions {
            target: MigrationTarget {
                identity: Identity::UserClientIdVariable("UAMI".into()),
                ..MigrationTarget::default()
            },
            ..LintOptions::default()
        };
        let fixed = fix_text(text, &options, FixMode { unsafe_fixes: true }).text;
        assert_eq!(
            fixed,
            "param(\n    [string[]]$Names = @('a', 'b')\n)\n\n$IdentityClientId = Get-AutomationVariable -Name 'UAMI'\nConnect-MgGraph -Identity -ClientId $IdentityClientId\nworkflow W {\n    param([string[]]$Vms = @('x'))\n    $IdentityClientId = Get-AutomationVariable -Name 'UAMI'\n    Disable-AzContextAutosave -Scope Process | Out-Null\n    Connect-AzAccount -Identity -AccountId $IdentityClientId -Tenant $t\n}\n"
        );
    }
}
