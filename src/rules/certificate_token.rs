//! MI106 runas-certificate-token (docs: rules/MI106.md): access tokens made by hand
//! from the Run As certificate with ADAL, or with MSAL and `Get-AutomationCertificate`.
//! One finding per statement; no rewrite (the replacement depends on the API called).

use super::{Checker, RUNAS_CERTIFICATE_TOKEN};

/// ADAL: retired library, only ever used here with the Run As certificate.
const ADAL_MARKERS: &[&str] = &[
    "IdentityModel.Clients.ActiveDirectory",
    "AuthenticationContext",
    "ClientAssertionCertificate",
];
const ADAL_METHODS: &[&str] = &["AcquireToken", "AcquireTokenAsync"];
/// MSAL: reported only with the Run As certificate asset.
const MSAL_MARKERS: &[&str] = &[
    "ConfidentialClientApplicationBuilder",
    "WithCertificate",
    "AcquireTokenForClient",
];

pub fn check(checker: &mut Checker) {
    let script = checker.script;
    let reads_certificate_asset = script.commands.iter().any(|c| {
        c.is("Get-AutomationCertificate")
            && c.value_of("Name")
                .and_then(|v| script.string_value(v))
                .is_some_and(|n| !n.eq_ignore_ascii_case("AzureClassicRunAsCertificate"))
    });
    let mentions = |text: &str, markers: &[&str]| {
        let lower = text.to_lowercase();
        markers.iter().any(|m| lower.contains(&m.to_lowercase()))
    };
    let mut statements = Vec::new();
    for ty in &script.types {
        if mentions(&ty.name, ADAL_MARKERS) || (reads_certificate_asset && mentions(&ty.name, MSAL_MARKERS)) {
            statements.push(ty.place.statement.clone());
        }
    }
    for call in &script.method_calls {
        let adal = ADAL_METHODS.iter().any(|m| call.method.eq_ignore_ascii_case(m));
        let msal = reads_certificate_asset && MSAL_MARKERS.iter().any(|m| call.method.eq_ignore_ascii_case(m));
        if adal || msal {
            statements.push(call.place.statement.clone());
        }
    }
    for command in script
        .commands
        .iter()
        .filter(|c| c.is("New-Object") || c.is("Add-Type"))
    {
        let arguments: String = command
            .arguments
            .iter()
            .map(|a| script.slice(&a.range()))
            .collect::<Vec<_>>()
            .join(" ");
        if mentions(&arguments, ADAL_MARKERS) || (reads_certificate_asset && mentions(&arguments, MSAL_MARKERS)) {
            statements.push(command.place.statement.clone());
        }
    }
    statements.sort_by_key(|r| (r.start, r.end));
    statements.dedup();
    // A statement inside another flagged one (a nested block) is the same finding.
    let outermost: Vec<_> = statements
        .iter()
        .filter(|s| {
            !statements
                .iter()
                .any(|o| o != *s && o.start <= s.start && s.end <= o.end)
        })
        .cloned()
        .collect();
    for range in outermost {
        let message = "Access token made by hand from the Run As certificate (ADAL/MSAL); sign in with `Connect-AzAccount -Identity`, then use `Invoke-AzRestMethod` or `Get-AzAccessToken -ResourceUrl <resource> -AsSecureString`";
        checker
            .diagnostics
            .push(RUNAS_CERTIFICATE_TOKEN.diagnostic(range, message, None));
    }
}
