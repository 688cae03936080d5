//! MI106 runas-certificate-token (docs: rules/MI106.md): access tokens made by hand
//! from the Run As certificate with ADAL, with MSAL and `Get-AutomationCertificate`, or
//! as a client assertion (a JWT) signed with it and posted to the token endpoint.
//! One finding per statement (per request for assertions); no rewrite (the replacement
//! depends on the API called).

use std::ops::Range;

use super::facts::{value_sources, ConnectionKind};
use super::token_flow::{request_site, Site};
use super::{Checker, RUNAS_CERTIFICATE_TOKEN};
use crate::syntax::model::Script;

/// How many assignments back a request is followed to the certificate that signed its
/// assertion (body <- assertion <- signature <- key <- certificate <- thumbprint ...).
const ASSERTION_DEPTH: usize = 8;

/// Token endpoints of Microsoft Entra ID in every cloud (`/oauth2/` for an authority
/// held in a variable the script reads at run time).
const TOKEN_ENDPOINTS: &[&str] = &[
    "login.microsoftonline.",
    "login.windows.net",
    "login.chinacloudapi.cn",
    "/oauth2/",
];

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
    let instead = "sign in with `Connect-AzAccount -Identity`, then use `Invoke-AzRestMethod` or `Get-AzAccessToken -ResourceUrl <resource> -AsSecureString`";
    for range in outermost {
        let message = format!("Access token made by hand from the Run As certificate (ADAL/MSAL); {instead}");
        checker
            .diagnostics
            .push(RUNAS_CERTIFICATE_TOKEN.diagnostic(range, message, None));
    }
    for range in signed_assertions(checker) {
        let message = format!(
            "Token requested with a client assertion (JWT) signed by hand with the Run As certificate; {instead}"
        );
        checker
            .diagnostics
            .push(RUNAS_CERTIFICATE_TOKEN.diagnostic(range, message, None));
    }
}

/// Token requests (`Invoke-RestMethod`/`Invoke-WebRequest`, or a call to the script's own
/// wrapper around one) that post a `client_assertion` to Entra ID's token endpoint, where
/// the assertion is made from the Run As certificate: one finding each, at the request.
/// An assertion signed with another certificate (a Key Vault one, an app's own) is not
/// the retired Run As account's, so it is not reported.
fn signed_assertions(checker: &Checker) -> Vec<Range<usize>> {
    let script = checker.script;
    // Every such body names the key somewhere in the text: without it, binding each call
    // of the script's own functions to look inside them is wasted on every keystroke.
    if !script.text.to_ascii_lowercase().contains("client_assertion") {
        return Vec::new();
    }
    let posts_assertion = |site: &Site| {
        let endpoint = site.value(script, "Uri")?;
        let to_entra = TOKEN_ENDPOINTS.iter().any(|e| endpoint.contains(e));
        (to_entra && site.parameter(script, "client_assertion").is_some()).then_some(())
    };
    script
        .commands
        .iter()
        .filter_map(|command| {
            let (site, ()) = request_site(script, command, posts_assertion)?;
            let mut sources = value_sources(script, command.range.clone(), ASSERTION_DEPTH);
            if site.request.range != command.range {
                sources.extend(value_sources(script, site.request.range.clone(), ASSERTION_DEPTH));
            }
            sources
                .iter()
                .any(|source| reads_runas_thumbprint(checker, source) || reads_runas_certificate(script, source))
                .then(|| command.range.clone())
        })
        .collect()
}

/// `.CertificateThumbprint` of a Run As connection (in a variable, or read inline).
fn reads_runas_thumbprint(checker: &Checker, range: &Range<usize>) -> bool {
    let script = checker.script;
    script.members_in(range).iter().any(|member| {
        if !member.member.eq_ignore_ascii_case("CertificateThumbprint") {
            return false;
        }
        let held = script
            .variables_in(&member.target)
            .iter()
            .any(|v| v.range == member.target && checker.facts.is_runas_variable(&v.name));
        let inline = checker.facts.connections.iter().any(|c| {
            let command = &script.commands[c.command].range;
            c.kind == ConnectionKind::RunAs && member.target.start <= command.start && command.end <= member.target.end
        });
        held || inline
    })
}

/// `Get-AutomationCertificate -Name AzureRunAsCertificate`.
fn reads_runas_certificate(script: &Script, range: &Range<usize>) -> bool {
    script.commands_in(range).iter().any(|c| {
        c.is("Get-AutomationCertificate")
            && c.value_of("Name")
                .and_then(|v| script.string_value(v))
                .is_some_and(|n| n.eq_ignore_ascii_case("AzureRunAsCertificate"))
    })
}

#[cfg(test)]
mod tests {
    use crate::lint::{lint_script, LintOptions};
    use crate::source::LineIndex;
    use crate::syntax::model::Script;

    /// The lines of the MI106 findings of `text`.
    fn lines(text: &str) -> Vec<usize> {
        let script = Script::parse(text);
        assert!(script.errors.is_empty(), "{text}: {:?}", script.errors);
        lint_script(&script, &LineIndex::new(text), &LintOptions::default())
            .iter()
            .filter(|d| d.code == "MI106")
            .map(|d| script.line_of(d.range.start))
            .collect()
    }

    /// A JWT signed with `$cert` and posted as a client assertion (lines 2-8).
    const SIGNED: &str = "$unsigned = $header + '.' + $claims\n\
        $key = [System.Security.Cryptography.X509Certificates.RSACertificateExtensions]::GetRSAPrivateKey($cert)\n\
        $signature = $key.SignData([Text.Encoding]::UTF8.GetBytes($unsigned), 'SHA256', [Security.Cryptography.RSASignaturePadding]::Pkcs1)\n\
        $jwt = $unsigned + '.' + [Convert]::ToBase64String($signature)\n\
        $body = [ordered]@{ client_id = $appId; client_assertion_type = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'; client_assertion = $jwt; grant_type = 'client_credentials'; scope = $scope }\n\
        $uri = \"https://login.microsoftonline.com/$tenant/oauth2/v2.0/token\"\n\
        $token = (Invoke-RestMethod -Method Post -Uri $uri -Body $body).access_token\n";

    #[test]
    fn assertions_signed_with_the_run_as_certificate() {
        for certificate in [
            "$conn = Get-AutomationConnection -Name AzureRunAsConnection\n$cert = Get-Item \"Cert:\\CurrentUser\\My\\$($conn.CertificateThumbprint)\"",
            "$conn = Get-AutomationConnection 'AzureRunAsConnection'\n$thumb = $conn.CertificateThumbprint; $cert = Get-ChildItem Cert:\\LocalMachine\\My | Where-Object { $_.Thumbprint -eq $thumb }",
            "$cert = Get-AutomationCertificate -Name 'AzureRunAsCertificate'",
            "$cert = Get-Item \"Cert:\\CurrentUser\\My\\$((Get-AutomationConnection -Name AzureRunAsConnection).CertificateThumbprint)\"",
        ] {
            let text = format!("{certificate}\n{SIGNED}");
            let at = lines(&text);
            assert_eq!(at.last(), Some(&(text.lines().count())), "{text}");
        }
    }

    #[test]
    fn other_certificates_and_other_requests_are_not_reported() {
        for certificate in [
            "$kv = Get-AzKeyVaultCertificate -VaultName 'kv' -Name 'reporting-app'\n$cert = Get-Item \"Cert:\\CurrentUser\\My\\$($kv.Thumbprint)\"",
            "$conn = Get-AutomationConnection -Name 'SqlConnection'\n$cert = Get-Item \"Cert:\\CurrentUser\\My\\$($conn.CertificateThumbprint)\"",
            "$cert = Get-AutomationCertificate -Name 'ReportingAppCert'",
        ] {
            let text = format!("{certificate}\n{SIGNED}");
            assert!(lines(&text).is_empty(), "{text}");
        }
        // The Run As certificate, but a request that is no client assertion.
        let secret = format!(
            "$cert = Get-AutomationCertificate -Name 'AzureRunAsCertificate'\n{}",
            SIGNED
                .replace("client_assertion = $jwt", "client_secret = $jwt")
                .replace("client_assertion_type", "kind")
        );
        assert!(lines(&secret).is_empty());
    }

    #[test]
    fn a_form_body_and_a_wrapper_function() {
        let text = format!(
            "function Get-Token ($Body) {{\n    Invoke-RestMethod -Method Post -Uri 'https://login.microsoftonline.us/contoso.onmicrosoft.us/oauth2/token' -Body $Body\n}}\n\
             $conn = Get-AutomationConnection -Name AzureRunAsConnection\n$cert = Get-Item \"Cert:\\CurrentUser\\My\\$($conn.CertificateThumbprint)\"\n{}\
             $form = \"client_id=$appId&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=$jwt&resource=https%3A%2F%2Fmanagement.azure.com%2F\"\n\
             $token = Get-Token -Body $form\n",
            SIGNED.lines().take(4).map(|l| format!("{l}\n")).collect::<String>()
        );
        assert_eq!(lines(&text), [text.lines().count()]);
    }
}
