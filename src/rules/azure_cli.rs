//! MI506 azure-cli-login (docs: rules/MI506.md): `az login` in a runbook, as a service
//! principal (the Run As certificate, or any other app's credential), rewritten to
//! `az login --identity`; and `az login --identity --username`, whose `--username` the
//! Azure CLI no longer takes for an identity.

use super::facts::{dropped_by_rewrite, is_az_login, Service};
use super::rewrite::invocation_operator;
use super::{Checker, AZURE_CLI_LOGIN};
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Severity};
use crate::syntax::model::{Argument, Command, Script};

pub fn check(checker: &mut Checker) {
    let script = checker.script;
    for (index, command) in script.commands.iter().enumerate().filter(|(_, c)| is_az_login(c)) {
        let diagnostic = if let Some(login) = checker.facts.certificate_login(index) {
            service_principal_login(checker, login.from_runas, command)
        } else if has_option(command, &["identity"]) && has_option(command, &["u", "username"]) {
            identity_username(script, command)
        } else {
            continue;
        };
        checker.diagnostics.push(diagnostic);
    }
}

fn has_option(command: &Command, names: &[&str]) -> bool {
    option(command, names).is_some()
}

/// The first `--name`/`-n` option of `names` (as written after its dashes).
fn option<'c>(command: &'c Command, names: &[&str]) -> Option<&'c Argument> {
    command.arguments.iter().find(|a| match a {
        Argument::Named { name, .. } => names.iter().any(|n| n.eq_ignore_ascii_case(name)),
        Argument::Positional(_) => false,
    })
}

fn service_principal_login(checker: &Checker, from_runas: bool, command: &Command) -> Diagnostic {
    let script = checker.script;
    let identity = checker.target.identity_switch_arguments("--identity", "--client-id");
    // Everything but the service principal's credentials stays, as written.
    let mut call = format!(
        "{}{} login{identity}",
        invocation_operator(script, command),
        command.written_name
    );
    let mut first_positional = true;
    for argument in &command.arguments {
        let keep = match argument {
            Argument::Named { name, .. } => !dropped_by_rewrite(Service::AzureCli, name),
            Argument::Positional(_) => !std::mem::take(&mut first_positional),
        };
        if keep {
            call.push(' ');
            call.push_str(script.slice(&argument.range()));
        }
    }
    let (severity, applicability, message) = if from_runas {
        (
            Severity::Error,
            Applicability::Safe,
            "`az login --service-principal` signs in with the Run As certificate; Run As accounts were retired on 2023-09-30: sign in with `az login --identity`",
        )
    } else {
        (
            Severity::Warning,
            Applicability::Unsafe,
            "`az login --service-principal` signs in with an app's credential; in Azure Automation prefer the managed identity, `az login --identity` (this changes the principal: grant it the app's roles)",
        )
    };
    let mut fix_message = format!("Sign in with the managed identity: `{call}`");
    if !from_runas {
        fix_message.push_str(" (the credential is not the Run As one: the CLI will run as a different principal)");
    }
    let fix = Fix::new(
        applicability,
        fix_message,
        vec![Edit::replace(command.range.clone(), call)],
    );
    let mut diagnostic = AZURE_CLI_LOGIN.diagnostic(command.range.clone(), message, Some(fix));
    diagnostic.severity = severity;
    diagnostic
}

/// `az login --identity -u <id>`: the CLI now names a user-assigned identity with
/// `--client-id`, `--object-id` or `--resource-id`. An ARM path is a resource id; any
/// other value is taken for a client id, which it may not be (an object id is a GUID too).
fn identity_username(script: &Script, command: &Command) -> Diagnostic {
    let message = "`az login --identity --username` names the identity with an option the Azure CLI removed: use `--client-id`, `--object-id` or `--resource-id`";
    let fix = option(command, &["u", "username"]).and_then(|argument| {
        let Argument::Named { range, value, .. } = argument else {
            return None;
        };
        let is_resource_id = value
            .as_ref()
            .and_then(|v| script.string_value(v))
            .is_some_and(|v| v.to_ascii_lowercase().starts_with("/subscriptions/"));
        let (replacement, applicability) = if is_resource_id {
            ("--resource-id", Applicability::Safe)
        } else {
            ("--client-id", Applicability::Unsafe)
        };
        Some(Fix::new(
            applicability,
            format!(
                "Name the identity with `{replacement}`{}",
                if is_resource_id {
                    ""
                } else {
                    " (review: use `--object-id` if the value is the identity's object id)"
                }
            ),
            vec![Edit::replace(range.clone(), replacement)],
        ))
    });
    AZURE_CLI_LOGIN.diagnostic(command.range.clone(), message, fix)
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::{Applicability, Severity};
    use crate::fix::{fix_text, FixMode};
    use crate::lint::{lint, LintOptions};

    fn fixed(text: &str, unsafe_fixes: bool) -> String {
        fix_text(text, &LintOptions::default(), FixMode { unsafe_fixes }).text
    }

    #[test]
    fn a_runas_service_principal_login_becomes_an_identity_login() {
        let text = "$conn = Get-AutomationConnection -Name AzureRunAsConnection\naz login --service-principal -u $conn.ApplicationId -p $pemPath --tenant $conn.TenantId --allow-no-subscriptions -o none\naz vm list\n";
        let found = lint(text, &LintOptions::default());
        let mi506 = found.iter().find(|d| d.code == "MI506").expect("MI506");
        assert_eq!(mi506.severity, Severity::Error);
        assert_eq!(
            fixed(text, false),
            "az login --identity --allow-no-subscriptions -o none\naz vm list\n"
        );
    }

    #[test]
    fn a_secret_login_is_a_warning_and_other_commands_are_left_alone() {
        let text = "az login --service-principal --username $appId --password $secret --tenant $tenant\naz account set --subscription $sub\n";
        let found = lint(text, &LintOptions::default());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].severity, Severity::Warning);
        assert_eq!(
            found[0].fix.as_ref().map(|f| f.applicability),
            Some(Applicability::Unsafe)
        );
        assert_eq!(
            fixed(text, true),
            "az login --identity\naz account set --subscription $sub\n"
        );
    }

    #[test]
    fn identity_username_becomes_client_id_or_resource_id() {
        assert_eq!(
            fixed("az login --identity -u $clientId\n", true),
            "az login --identity --client-id $clientId\n"
        );
        assert_eq!(
            fixed("az login --identity --username '/subscriptions/x/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id'\n", false),
            "az login --identity --resource-id '/subscriptions/x/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id'\n"
        );
        assert!(lint(
            "az login --identity\naz login --identity --client-id $id\n",
            &LintOptions::default()
        )
        .is_empty());
    }
}
