//! MI105 classic-runas (docs: rules/MI105.md): Azure Service Management Run As
//! resources. Managed identities are ARM-only, so there is no rewrite: the resources
//! must move to Resource Manager first.

use super::facts::ConnectionKind;
use super::{Checker, CLASSIC_RUNAS};

/// Service Management commands that only exist for classic subscriptions.
const CLASSIC_COMMANDS: &[&str] = &["Select-AzureSubscription", "Add-AzureAccount"];

pub fn check(checker: &mut Checker) {
    let script = checker.script;
    let move_to_arm = "managed identities exist only in Azure Resource Manager: move the classic resources to ARM first, then sign in with `Connect-AzAccount -Identity`";
    for connection in checker
        .facts
        .connections
        .iter()
        .filter(|c| c.kind == ConnectionKind::ClassicRunAs)
    {
        let command = &script.commands[connection.command];
        let message =
            format!("Classic Run As connection `AzureClassicRunAsConnection` (retired 2023-09-30); {move_to_arm}");
        checker
            .diagnostics
            .push(CLASSIC_RUNAS.diagnostic(command.range.clone(), message, None));
    }
    for command in &script.commands {
        let finding = if command.is("Get-AutomationCertificate") {
            let name = command.value_of("Name").and_then(|v| script.string_value(v));
            // RULES.md lists both certificate assets here; `AzureRunAsCertificate` is the
            // (retired) ARM Run As certificate, so its message says so.
            match name.as_deref() {
                Some(n) if n.eq_ignore_ascii_case("AzureClassicRunAsCertificate") => {
                    Some(format!("Classic Run As certificate `AzureClassicRunAsCertificate`; {move_to_arm}"))
                }
                Some(n) if n.eq_ignore_ascii_case("AzureRunAsCertificate") => Some(
                    "Run As certificate asset `AzureRunAsCertificate`: it was retired with the Run As accounts on 2023-09-30; sign in with `Connect-AzAccount -Identity` and request tokens with `Get-AzAccessToken -AsSecureString`".to_owned(),
                ),
                _ => None,
            }
        } else if CLASSIC_COMMANDS.iter().any(|c| command.is(c))
            || (command.is("Set-AzureSubscription") && command.has("Certificate"))
        {
            Some(format!(
                "`{}` signs in to Azure Service Management (classic); {move_to_arm}",
                command.written_name
            ))
        } else {
            None
        };
        if let Some(message) = finding {
            checker
                .diagnostics
                .push(CLASSIC_RUNAS.diagnostic(command.range.clone(), message, None));
        }
    }
}
