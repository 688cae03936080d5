//! MI501 exchange-certificate-login, MI502 pnp-certificate-login and MI503
//! teams-certificate-login (docs: rules/MI501.md, MI502.md, MI503.md): app-only
//! certificate sign-ins to Exchange Online, SharePoint (PnP) and Microsoft Teams,
//! rewritten to each module's managed-identity form. Which sign-ins these are, and
//! whether their certificate is the Run As one, is the shared Run As analysis (`Facts`).

use super::certificate_login::unused_splat_tables;
use super::facts::{dropped_by_rewrite, source_member, CertificateLogin, Service};
use super::rewrite::rebuild_call;
use super::{Checker, Rule, EXCHANGE_CERTIFICATE_LOGIN, PNP_CERTIFICATE_LOGIN, TEAMS_CERTIFICATE_LOGIN};
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Severity};
use crate::syntax::commands::{CONNECT_EXCHANGE_ONLINE, CONNECT_MICROSOFT_TEAMS, CONNECT_PNP_ONLINE};
use crate::syntax::model::Command;
use crate::target::parse_client_id;

/// A service's managed-identity sign-in.
struct IdentityForm {
    rule: &'static Rule,
    command: &'static str,
    switch: &'static str,
    /// The parameter that names a user-assigned identity by its client id.
    client_id_parameter: &'static str,
    /// What the identity needs before the rewritten sign-in works.
    needs: &'static str,
}

fn form(service: Service) -> Option<IdentityForm> {
    Some(match service {
        Service::Exchange => IdentityForm {
            rule: &EXCHANGE_CERTIFICATE_LOGIN,
            command: CONNECT_EXCHANGE_ONLINE,
            switch: "-ManagedIdentity",
            client_id_parameter: "-ManagedIdentityAccountId",
            needs: "needs ExchangeOnlineManagement 3.0.0 or later; grant the identity the Exchange.ManageAsApp app role and an Exchange role",
        },
        Service::PnP => IdentityForm {
            rule: &PNP_CERTIFICATE_LOGIN,
            command: CONNECT_PNP_ONLINE,
            switch: "-ManagedIdentity",
            client_id_parameter: "-UserAssignedManagedIdentityClientId",
            needs: "needs PnP.PowerShell 1.11.95 or later; grant the identity the SharePoint app roles the app had (such as Sites.FullControl.All)",
        },
        Service::Teams => IdentityForm {
            rule: &TEAMS_CERTIFICATE_LOGIN,
            command: CONNECT_MICROSOFT_TEAMS,
            switch: "-Identity",
            client_id_parameter: "-AccountId",
            needs: "grant the identity the Teams Administrator role (MicrosoftTeams 5.8.1 or later for the *-Cs* cmdlets)",
        },
        _ => return None,
    })
}

/// The Automation variable an Exchange sign-in reads its organization from when the
/// Run As code passed the tenant id and no domain is configured.
pub const EXCHANGE_ORGANIZATION_VARIABLE: &str = "ExchangeOrganization";

pub fn check(checker: &mut Checker) {
    for login in &checker.facts.certificate_logins {
        let Some(form) = form(login.service) else {
            continue;
        };
        let command = &checker.script.commands[login.command];
        let diagnostic = certificate_login(checker, login, &form, command);
        checker.diagnostics.push(diagnostic);
    }
}

fn certificate_login(
    checker: &Checker,
    login: &CertificateLogin,
    form: &IdentityForm,
    command: &Command,
) -> Diagnostic {
    let script = checker.script;
    let mut message = if login.from_runas {
        format!(
            "`{}` signs in with the Run As certificate; Run As accounts were retired on 2023-09-30: sign in with `{} {}`",
            command.written_name, form.command, form.switch
        )
    } else {
        format!(
            "`{}` signs in with an app certificate; in Azure Automation prefer the managed identity, `{} {}` (this changes the principal: grant it the app's roles)",
            command.written_name, form.command, form.switch
        )
    };
    let identity = checker
        .target
        .identity_switch_arguments(form.switch, form.client_id_parameter);
    let mut caveats = Vec::new();
    // The arguments the rewrite puts first: Exchange's organization, PnP's site.
    let leading = match login.service {
        Service::Exchange => {
            let organization = exchange_organization(checker, command);
            if let Some(problem) = &organization.problem {
                message.push_str(&format!("; {problem}"));
            }
            caveats.extend(organization.caveat);
            match organization.text {
                Some(text) => format!("{identity} -Organization {text}"),
                None => identity,
            }
        }
        Service::PnP => match command.value_of("Url") {
            Some(url) => format!(" -Url {}{identity}", script.slice(&url.range)),
            None => {
                caveats.push("the call has no `-Url`: a managed-identity sign-in needs the site's address".to_owned());
                identity
            }
        },
        _ => identity,
    };
    let call = rebuild_call(script, command, form.command, &leading, |param| {
        !dropped_by_rewrite(login.service, param)
    });
    let mut edits = vec![Edit::replace(command.range.clone(), call.clone())];
    edits.extend(unused_splat_tables(script, command));
    let safe = login.from_runas && caveats.is_empty();
    let mut fix_message = format!("Sign in with the managed identity: `{call}` ({})", form.needs);
    if !login.from_runas {
        fix_message.push_str("; the certificate is not the Run As one: the sign-in will run as a different principal");
    }
    for caveat in &caveats {
        fix_message.push_str(&format!("; review: {caveat}"));
    }
    let fix = Fix::new(
        if safe {
            Applicability::Safe
        } else {
            Applicability::Unsafe
        },
        fix_message,
        edits,
    );
    let mut diagnostic = form.rule.diagnostic(command.range.clone(), message, Some(fix));
    if !login.from_runas {
        diagnostic.severity = Severity::Warning;
    }
    diagnostic
}

/// The `-Organization` a rewritten Exchange sign-in passes, and what is wrong with the
/// original one. Exchange wants the tenant's `*.onmicrosoft.com` domain; Run As code
/// often passed the connection's tenant id instead.
struct Organization {
    text: Option<String>,
    /// What is wrong with the original, for the finding's message.
    problem: Option<String>,
    /// What the rewrite could not settle, which makes it unsafe.
    caveat: Option<String>,
}

fn exchange_organization(checker: &Checker, command: &Command) -> Organization {
    let script = checker.script;
    let Some(value) = command.value_of("Organization") else {
        let missing =
            "the call has no `-Organization`: a managed-identity sign-in needs the tenant's *.onmicrosoft.com domain";
        return Organization {
            text: None,
            problem: Some(missing.to_owned()),
            caveat: Some(missing.to_owned()),
        };
    };
    let written = script.slice(&value.range);
    let from_connection = source_member(script, value).is_some_and(|(variable, _)| {
        checker
            .facts
            .connections
            .iter()
            .any(|c| c.variable.as_deref() == Some(variable.as_str()))
    });
    let is_tenant_id = from_connection || script.string_value(value).is_some_and(|v| parse_client_id(&v).is_ok());
    if !is_tenant_id {
        return Organization {
            text: Some(written.to_owned()),
            problem: None,
            caveat: None,
        };
    }
    let problem = Some(format!(
        "`-Organization {written}` is the tenant id, but Exchange needs the tenant's *.onmicrosoft.com domain"
    ));
    if let Some(domain) = &checker.target.exchange_organization {
        return Organization {
            text: Some(format!("'{domain}'")),
            problem,
            caveat: None,
        };
    }
    // No TODO comment: a missing variable stops the job with an error that names it, and
    // the fix's message (the review) says what to create.
    Organization {
        text: Some(format!(
            "(Get-AutomationVariable -Name '{EXCHANGE_ORGANIZATION_VARIABLE}')"
        )),
        problem,
        caveat: Some(format!(
            "the domain is read from the Automation variable '{EXCHANGE_ORGANIZATION_VARIABLE}': create it, or give the domain with `--exchange-organization`"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fix::{fix_text, FixMode};
    use crate::lint::{lint, LintOptions};
    use crate::syntax::model::Script;
    use crate::target::MigrationTarget;

    /// Whether an Exchange sign-in of the script is said to pass the tenant id.
    fn organization_problem(script: &Script) -> bool {
        let target = MigrationTarget::default();
        crate::rules::check(script, &target, &crate::rules::RunAsMemory::default())
            .iter()
            .any(|d| d.code == "MI501" && d.message.contains("is the tenant id"))
    }

    const RUNAS: &str = "$conn = Get-AutomationConnection -Name AzureRunAsConnection\n";

    fn fixed(text: &str, target: MigrationTarget, unsafe_fixes: bool) -> String {
        let options = LintOptions {
            target,
            ..LintOptions::default()
        };
        fix_text(text, &options, FixMode { unsafe_fixes }).text
    }

    #[test]
    fn exchange_with_a_domain_is_rewritten_safely_and_the_connection_goes() {
        let text = format!(
            "{RUNAS}Connect-ExchangeOnline –CertificateThumbprint $conn.CertificateThumbprint –AppId $conn.ApplicationID –ShowBanner:$false –Organization $TenantDomain\nGet-EXOMailbox -ResultSize 10\n"
        );
        assert_eq!(
            fixed(&text, MigrationTarget::default(), false),
            "Connect-ExchangeOnline -ManagedIdentity -Organization $TenantDomain -ShowBanner:$false\nGet-EXOMailbox -ResultSize 10\n"
        );
    }

    #[test]
    fn exchange_with_the_tenant_id_reads_the_domain_from_a_variable_or_the_configuration() {
        let text = format!(
            "{RUNAS}Connect-ExchangeOnline -CertificateThumbprint $conn.CertificateThumbprint -AppId $conn.ApplicationID -Organization $conn.TenantID\n"
        );
        assert!(organization_problem(&Script::parse(&text)));
        let found = lint(&text, &LintOptions::default());
        let mi501 = found.iter().find(|d| d.code == "MI501").expect("MI501");
        assert_eq!(mi501.fix.as_ref().map(|f| f.applicability), Some(Applicability::Unsafe));
        assert!(
            !found.iter().any(|d| d.code == "MI104"),
            "the organization's tenant read is the sign-in's own"
        );
        assert_eq!(
            fixed(&text, MigrationTarget::default(), true),
            "Connect-ExchangeOnline -ManagedIdentity -Organization (Get-AutomationVariable -Name 'ExchangeOrganization')\n"
        );
        let configured = MigrationTarget {
            exchange_organization: Some("contoso.onmicrosoft.com".into()),
            ..MigrationTarget::default()
        };
        assert_eq!(
            fixed(&text, configured, false),
            "Connect-ExchangeOnline -ManagedIdentity -Organization 'contoso.onmicrosoft.com'\n"
        );
    }

    #[test]
    fn pnp_keeps_its_site_first_even_when_bound_by_position() {
        let text = format!(
            "{RUNAS}$site = Connect-PnPOnline $SiteUrl -ClientId $conn.ApplicationId -Thumbprint $conn.CertificateThumbprint -Tenant 'contoso.onmicrosoft.com' -ReturnConnection\n"
        );
        assert_eq!(
            fixed(&text, MigrationTarget::default(), false),
            "$site = Connect-PnPOnline -Url $SiteUrl -ManagedIdentity -ReturnConnection\n"
        );
        let user = MigrationTarget {
            identity: crate::target::Identity::UserClientId("0f3c2b1a-9d8e-4c7b-a6f5-e4d3c2b1a098".into()),
            ..MigrationTarget::default()
        };
        assert_eq!(
            fixed(&text, user, false),
            "$site = Connect-PnPOnline -Url $SiteUrl -ManagedIdentity -UserAssignedManagedIdentityClientId '0f3c2b1a-9d8e-4c7b-a6f5-e4d3c2b1a098' -ReturnConnection\n"
        );
    }

    #[test]
    fn teams_with_a_certificate_of_another_app_is_a_warning_with_an_unsafe_fix() {
        let text = "Connect-MicrosoftTeams -TenantId $t -ApplicationId $appId -CertificateThumbprint $thumb\n";
        let found = lint(text, &LintOptions::default());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].code, "MI503");
        assert_eq!(found[0].severity, Severity::Warning);
        assert_eq!(
            found[0].fix.as_ref().map(|f| f.applicability),
            Some(Applicability::Unsafe)
        );
        assert_eq!(
            fixed(text, MigrationTarget::default(), true),
            "Connect-MicrosoftTeams -Identity\n"
        );
    }

    #[test]
    fn a_certificate_looked_up_by_the_runas_thumbprint_counts_as_runas() {
        let text = format!(
            "{RUNAS}$cert = Get-Item \"Cert:\\CurrentUser\\My\\$($conn.CertificateThumbprint)\"\nConnect-ExchangeOnline -Certificate $cert -AppId $appId -Organization 'contoso.onmicrosoft.com'\n"
        );
        let found = lint(&text, &LintOptions::default());
        let mi501 = found.iter().find(|d| d.code == "MI501").expect("MI501");
        assert_eq!(mi501.severity, Severity::Error);
        let mi101 = found.iter().find(|d| d.code == "MI101").expect("MI101");
        assert!(
            mi101.fix.as_ref().is_some_and(|f| f.message.contains("by hand")),
            "the certificate lookup still reads the connection: {mi101:?}"
        );
    }

    #[test]
    fn identity_parameters_already_there_are_written_once() {
        let text = format!(
            "{RUNAS}Connect-MicrosoftTeams -Identity -ApplicationId $conn.ApplicationId -CertificateThumbprint $conn.CertificateThumbprint\n"
        );
        assert_eq!(
            fixed(&text, MigrationTarget::default(), false),
            "Connect-MicrosoftTeams -Identity\n"
        );
    }

    #[test]
    fn the_runas_certificate_asset_counts_as_runas() {
        let text = "$cert = Get-AutomationCertificate -Name 'AzureRunAsCertificate'\nConnect-MicrosoftTeams -Certificate $cert -ApplicationId $appId -TenantId $tenant\n";
        let found = lint(text, &LintOptions::default());
        let mi503 = found.iter().find(|d| d.code == "MI503").expect("MI503");
        assert_eq!(mi503.severity, Severity::Error);
    }
}
