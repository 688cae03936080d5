//! MI201 identity-endpoint-token, MI202 msi-endpoint-token, MI203 imds-token (docs:
//! rules/MI201.md, MI202.md, MI203.md): managed-identity tokens fetched by hand with
//! `Invoke-RestMethod`/`Invoke-WebRequest` instead of the identity-aware cmdlets.

use super::rewrite::delete_statements;
use super::token_flow::{Endpoint, Resource, TokenRequest};
use super::{graph_login, Checker, IDENTITY_ENDPOINT_TOKEN, IMDS_TOKEN, MSI_ENDPOINT_TOKEN};
use crate::diagnostic::{Applicability, Edit, Fix};

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
        let advice = match (request.endpoint, request.resource_kind()) {
            (Endpoint::Imds, _) => "this is the VM's own identity: on a hybrid worker, enabling the Automation account's identity changes which principal runs the job; review by hand".to_owned(),
            (_, Resource::Graph) => "sign in with `Connect-MgGraph -Identity` and let the Graph cmdlets handle tokens".to_owned(),
            (_, Resource::Arm) => "sign in with `Connect-AzAccount -Identity`; for a raw token use `(Get-AzAccessToken -ResourceUrl 'https://management.azure.com/' -AsSecureString).Token`".to_owned(),
            _ => format!(
                "sign in with `Connect-AzAccount -Identity`, then `Get-AzAccessToken -ResourceUrl '{}' -AsSecureString`",
                request.resource.as_deref().unwrap_or("<resource>")
            ),
        };
        let fix = if request.endpoint == Endpoint::Imds {
            None
        } else {
            graph_identity_fix(checker, request)
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
    let script = checker.script;
    let mut edits: Vec<Edit> = request
        .graph_logins
        .iter()
        .map(|&login| {
            let command = &script.commands[login];
            Edit::replace(
                command.range.clone(),
                graph_login::graph_identity_call(checker, command),
            )
        })
        .collect();
    let (applicability, message) = match &request.plumbing {
        Some(statements) => {
            edits.extend(delete_statements(script.text, statements.iter().cloned()));
            (
                Applicability::Safe,
                "Delete the token request and sign in with `Connect-MgGraph -Identity`",
            )
        }
        None => (
            Applicability::Unsafe,
            "Sign in with `Connect-MgGraph -Identity` (the token is also used elsewhere: remove the request by hand)",
        ),
    };
    Some(Fix::new(applicability, message, edits))
}
