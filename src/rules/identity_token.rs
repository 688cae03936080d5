//! MI201 identity-endpoint-token, MI202 msi-endpoint-token, MI203 imds-token (docs:
//! rules/MI201.md, MI202.md, MI203.md): managed-identity tokens fetched by hand with
//! `Invoke-RestMethod`/`Invoke-WebRequest` instead of the identity-aware cmdlets.

use super::rewrite::{delete_statements, indentation, line_ending};
use super::token_flow::{feeding_statements, Endpoint, Resource, TokenRequest};
use super::{graph_login, Checker, IDENTITY_ENDPOINT_TOKEN, IMDS_TOKEN, MSI_ENDPOINT_TOKEN};
use crate::diagnostic::{Applicability, Edit, Fix};
use crate::syntax::commands::{CONNECT_AZURERM_ACCOUNT, CONNECT_AZ_ACCOUNT};
use crate::target::MigrationTarget;

pub fn check(checker: &mut Checker) {
    let script = checker.script;
    for request in &checker.facts.token_requests {
        let command = &script.commands[request.command];
        let (rule, what) = match request.endpoint {
            Endpoint::Identity => (
                &IDENTITY_ENDPOINT_TOKEN,
                "Token requested by hand from `$env:IDENTITY_ENDPOINT`",
            ),
            Endpoint::Msi => (
                &MSI_ENDPOINT_TOKEN,
                "Token requested by hand from `$env:MSI_ENDPOINT` (the older hybrid-worker form)",
            ),
            Endpoint::Imds => (
                &IMDS_TOKEN,
                "Token requested from the Azure VM's instance metadata service",
            ),
        };
        let resource = request.resource.as_deref().unwrap_or("<resource>");
        let (advice, fix) = match (request.endpoint, request.resource_kind()) {
            (Endpoint::Imds, _) => (
                "this is the VM's own identity: on a hybrid worker, enabling the Automation account's identity changes which principal runs the job; review by hand".to_owned(),
                None,
            ),
            (_, Resource::Graph) => {
                ("sign in with `Connect-MgGraph -Identity` and let the Graph cmdlets handle tokens".to_owned(), graph_identity_fix(checker, request))
            }
            (_, Resource::Arm) => (
                format!("sign in with `Connect-AzAccount -Identity`; for a raw token use `Get-AzAccessToken -ResourceUrl '{resource}' -AsSecureString`"),
                arm_token_fix(checker, request),
            ),
            _ => (format!("sign in with `Connect-AzAccount -Identity`, then `Get-AzAccessToken -ResourceUrl '{resource}' -AsSecureString`"), None),
        };
        checker
            .diagnostics
            .push(rule.diagnostic(command.range.clone(), format!("{what}; {advice}"), fix));
    }
}

/// For a Graph token used only to sign in: delete the token code and sign in with
/// the identity. Also offered by MI304 on the `Connect-MgGraph` that used the token.
pub fn graph_identity_fix(checker: &Checker, request: &TokenRequest) -> Option<Fix> {
    if request.resource_kind() != Resource::Graph || request.graph_logins.is_empty() {
        return None;
    }
    let target = request.target(checker.target)?;
    let edits = graph_identity_edits(checker, &request.graph_logins, request.plumbing.as_deref(), &target);
    let (applicability, message) = match &request.plumbing {
        Some(_) => (
            Applicability::Safe,
            "Delete the token request and sign in with `Connect-MgGraph -Identity`",
        ),
        None => (
            Applicability::Unsafe,
            "Sign in with `Connect-MgGraph -Identity` (the token is also used elsewhere: remove the request by hand)",
        ),
    };
    Some(Fix::new(applicability, message, edits))
}

/// Every `Connect-MgGraph` in `logins` (command indices) rebuilt as
/// `Connect-MgGraph -Identity` for `target`, and the statements of `plumbing` deleted:
/// the one rewrite of a hand-made Graph token, whichever rule finds it.
pub fn graph_identity_edits(
    checker: &Checker,
    logins: &[usize],
    plumbing: Option<&[std::ops::Range<usize>]>,
    target: &MigrationTarget,
) -> Vec<Edit> {
    let script = checker.script;
    let mut edits: Vec<Edit> = logins
        .iter()
        .map(|&login| {
            let command = &script.commands[login];
            Edit::replace(
                command.range.clone(),
                graph_login::graph_identity_call(script, target, command),
            )
        })
        .collect();
    if let Some(statements) = plumbing {
        edits.extend(delete_statements(script.text, statements.iter().cloned()));
    }
    edits
}

/// An Azure Resource Manager token: the same string from `Get-AzAccessToken`, after a
/// managed-identity sign-in when the script has none. Unsafe: Az.Accounts must be
/// imported, and it must know `-AsSecureString`.
fn arm_token_fix(checker: &Checker, request: &TokenRequest) -> Option<Fix> {
    let script = checker.script;
    let (_, statements) = request.token_variable.as_ref()?;
    let resource = request.resource.as_deref()?.replace('\'', "''");
    let first = statements.first()?;
    let indent = indentation(script.text, first.start);
    // The variable the last step assigns holds the token: `$t` in `$r = ...; $t = $r.access_token`.
    let last = statements.last()?;
    let assigned = script.assignments.iter().find(|a| a.place.statement == *last)?;
    let written = script.slice(&assigned.target);
    let mut replacement = String::new();
    let signs_in = script
        .commands
        .iter()
        .any(|c| c.is(CONNECT_AZ_ACCOUNT) || c.is(CONNECT_AZURERM_ACCOUNT));
    let target = request.target(checker.target)?;
    if !signs_in {
        replacement.push_str(&format!(
            "Connect-AzAccount{} | Out-Null{}{indent}",
            target.identity_arguments("AccountId"),
            line_ending(script.text)
        ));
    }
    let token = graph_login::plain_token_expression(&format!("'{resource}'"));
    replacement.push_str(&format!("{written} = {token}"));
    let mut edits = vec![Edit::replace(first.clone(), replacement)];
    let feeding = feeding_statements(script, statements, &request.kept_variables());
    edits.extend(delete_statements(
        script.text,
        statements.iter().skip(1).cloned().chain(feeding),
    ));
    Some(Fix::new(
        Applicability::Unsafe,
        "Take the token from `Get-AzAccessToken` after a managed-identity sign-in (needs an Az.Accounts with `-AsSecureString`)",
        edits,
    ))
}
