//! MI201 identity-endpoint-token, MI202 msi-endpoint-token, MI203 imds-token (docs:
//! rules/MI201.md, MI202.md, MI203.md): managed-identity tokens fetched by hand with
//! `Invoke-RestMethod`/`Invoke-WebRequest` instead of the identity-aware cmdlets.

use super::facts::expanded_text;
use super::{Checker, Rule, IDENTITY_ENDPOINT_TOKEN, IMDS_TOKEN, MSI_ENDPOINT_TOKEN};

const REQUEST_COMMANDS: &[&str] = &["Invoke-RestMethod", "Invoke-WebRequest"];

/// What in a request's (expanded) arguments marks each kind of hand-made token.
const ENDPOINTS: &[(&str, &Rule, &str)] = &[
    (
        "identity_endpoint",
        &IDENTITY_ENDPOINT_TOKEN,
        "Token requested by hand from `$env:IDENTITY_ENDPOINT`",
    ),
    (
        "msi_endpoint",
        &MSI_ENDPOINT_TOKEN,
        "Token requested by hand from `$env:MSI_ENDPOINT` (the older hybrid-worker form)",
    ),
    (
        "169.254.169.254/metadata/identity",
        &IMDS_TOKEN,
        "Token requested from the Azure VM's instance metadata service",
    ),
];

pub fn check(checker: &mut Checker) {
    let script = checker.script;
    for command in script
        .commands
        .iter()
        .filter(|c| REQUEST_COMMANDS.iter().any(|r| c.is(r)))
    {
        // Only the address counts: the token request's result flows into later
        // requests' headers, which are not token requests themselves.
        let Some(uri) = command.value_of("Uri") else {
            continue;
        };
        let uri = expanded_text(script, uri.range.clone()).to_lowercase();
        let Some((_, rule, what)) = ENDPOINTS.iter().find(|(marker, _, _)| uri.contains(marker))
        else {
            continue;
        };
        let advice = if rule.code == IMDS_TOKEN.code {
            "this is the VM's own identity: on a hybrid worker, enabling the Automation account's identity changes which principal runs the job; review by hand"
        } else {
            "use `Connect-AzAccount -Identity` and `Get-AzAccessToken -ResourceUrl <resource> -AsSecureString`, or `Connect-MgGraph -Identity` for Microsoft Graph"
        };
        let message = format!("{what}; {advice}");
        checker
            .diagnostics
            .push(rule.diagnostic(command.range.clone(), message, None));
    }
}
