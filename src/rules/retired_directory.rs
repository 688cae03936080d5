//! MI504 azuread-login and MI505 msonline-login (docs: rules/MI504.md, MI505.md): the
//! sign-ins of the retired AzureAD and MSOnline modules, neither of which can sign in
//! with a managed identity. AzureAD scripts can keep their command names on the
//! Microsoft Entra PowerShell module (`Connect-Entra -Identity` and
//! `Enable-EntraAzureADAlias`); MSOnline ones must be rewritten to Microsoft Graph.

use super::facts::{dropped_by_rewrite, Service};
use super::rewrite::{insert_after_statement, rebuild_call};
use super::{Checker, AZUREAD_LOGIN, MSONLINE_LOGIN};
use crate::diagnostic::{Applicability, Edit, Fix};
use crate::syntax::commands::{CONNECT_AZURE_AD, CONNECT_ENTRA, CONNECT_MSOL_SERVICE};
use crate::syntax::model::{Command, Script};
use crate::tables;

/// Points the AzureAD command names at their Entra equivalents for the session.
pub const ENTRA_ALIASES: &str = "Enable-EntraAzureADAlias";

pub fn check(checker: &mut Checker) {
    azuread_logins(checker);
    msonline_logins(checker);
}

fn azuread_logins(checker: &mut Checker) {
    let script = checker.script;
    let aliases_enabled = script.commands_named(ENTRA_ALIASES).next().is_some();
    let logins: Vec<(usize, &Command)> = script
        .commands
        .iter()
        .enumerate()
        .filter(|(_, c)| c.is(CONNECT_AZURE_AD))
        .collect();
    for (nth, &(index, command)) in logins.iter().enumerate() {
        let runas = checker.facts.certificate_login(index).is_some_and(|l| l.from_runas);
        let how = if runas {
            "signs in with the Run As certificate (Run As accounts were retired on 2023-09-30), and the AzureAD module"
        } else {
            "comes from the AzureAD module, which"
        };
        let message = format!(
            "`{}` {how} is retired and has no managed-identity sign-in: move to `Connect-MgGraph -Identity` and the Microsoft Graph cmdlets, or keep the AzureAD command names with `Connect-Entra -Identity` and `{ENTRA_ALIASES}` (Microsoft.Entra module)",
            command.written_name
        );
        let identity = checker.target.identity_arguments("ClientId");
        let call = rebuild_call(script, command, CONNECT_ENTRA, &identity, |param| {
            !dropped_by_rewrite(Service::AzureAd, param)
        });
        let mut edits = vec![Edit::replace(command.range.clone(), call.clone())];
        // One alias switch for the script, after its first sign-in.
        if !aliases_enabled && nth == 0 {
            edits.push(insert_after_statement(script, &command.place.statement, ENTRA_ALIASES));
        }
        let fix = Fix::new(
            Applicability::Unsafe,
            format!(
                "Sign in with the managed identity through the Microsoft Entra PowerShell module: `{call}` and `{ENTRA_ALIASES}` (import Microsoft.Entra; grant the identity the Microsoft Graph permissions the commands need; a few AzureAD commands have no Entra alias)"
            ),
            edits,
        );
        checker
            .diagnostics
            .push(AZUREAD_LOGIN.diagnostic(command.range.clone(), message, Some(fix)));
    }
}

fn msonline_logins(checker: &mut Checker) {
    let equivalents = graph_equivalents(checker.script, "MSOnline");
    for command in checker.script.commands_named(CONNECT_MSOL_SERVICE) {
        let message = format!(
            "`{}`: the MSOnline module is retired and has no managed-identity sign-in; rewrite the script on Microsoft Graph (`Connect-MgGraph -Identity` and the Graph cmdlets{equivalents})",
            command.written_name
        );
        checker
            .diagnostics
            .push(MSONLINE_LOGIN.diagnostic(command.range.clone(), message, None));
    }
}

/// `: Get-MsolUser -> Get-MgUser, ...`: the Graph commands that replace the script's
/// commands of `module`, as the data maps them (the first few, each once).
fn graph_equivalents(script: &Script, module: &str) -> String {
    let mut pairs: Vec<String> = Vec::new();
    for command in &script.commands {
        let Some((published, from)) = tables::module_of(&command.name) else {
            continue;
        };
        // The sign-in is the finding itself.
        if !from.eq_ignore_ascii_case(module) || published.to_lowercase().starts_with("connect-") {
            continue;
        }
        if let Some(graph) = tables::graph_equivalent(published) {
            let pair = format!("`{published}` -> `{graph}`");
            if !pairs.contains(&pair) {
                pairs.push(pair);
            }
        }
    }
    const SHOWN: usize = 4;
    let more = pairs.len().saturating_sub(SHOWN);
    pairs.truncate(SHOWN);
    match (pairs.is_empty(), more) {
        (true, _) => String::new(),
        (false, 0) => format!(": {}", pairs.join(", ")),
        (false, more) => format!(": {}, and {more} more", pairs.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use crate::fix::{fix_text, FixMode};
    use crate::lint::{lint, LintOptions};

    fn fixed(text: &str) -> String {
        fix_text(text, &LintOptions::default(), FixMode { unsafe_fixes: true }).text
    }

    #[test]
    fn azuread_moves_to_entra_with_the_aliases_once() {
        let text = "$conn = Get-AutomationConnection -Name AzureRunAsConnection\r\n$ctx = Connect-AzureAD -TenantId $conn.TenantID -ApplicationId $conn.ApplicationID -CertificateThumbprint $conn.CertificateThumbprint | Out-Null # sign in\r\nGet-AzureADUser -Top 5\r\nConnect-AzureAD -Credential $cred\r\n";
        assert_eq!(
            fixed(text),
            "$ctx = Connect-Entra -Identity | Out-Null # sign in\r\nEnable-EntraAzureADAlias\r\nGet-AzureADUser -Top 5\r\nConnect-Entra -Identity\r\n"
        );
        let safe = fix_text(text, &LintOptions::default(), FixMode::default()).text;
        assert_eq!(safe, text, "only unsafe fixes: the connection waits for the sign-in");
    }

    #[test]
    fn an_inline_sign_in_gets_the_aliases_after_a_semicolon() {
        assert_eq!(
            fixed("if ($x) { Connect-AzureAD -Credential $c }\n"),
            "if ($x) { Connect-Entra -Identity; Enable-EntraAzureADAlias }\n"
        );
    }

    #[test]
    fn msonline_is_reported_without_a_fix_naming_the_graph_commands_to_use() {
        let found = lint(
            "Connect-MsolService -Credential $cred\nGet-MsolUser -All\nGet-MsolAccountSku\nGet-MsolUser -UserPrincipalName $u\n",
            &LintOptions::default(),
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].code, "MI505");
        assert!(found[0].fix.is_none());
        assert!(
            found[0].message.ends_with(
                "Graph cmdlets: `Get-MsolUser` -> `Get-MgUser`, `Get-MsolAccountSku` -> `Get-MgSubscribedSku`)"
            ),
            "{}",
            found[0].message
        );
    }
}
