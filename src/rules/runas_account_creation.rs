//! MI107 runas-account-creation (docs: rules/MI107.md): scripts that create or renew
//! Run As accounts, which Azure no longer allows: the Run As connection and certificate
//! assets, written directly or through the script's own helper functions. One finding
//! per asset created; the self-signed certificate and service principal made for it are
//! named in the message, never reported on their own. No rewrite: the script should go.

use super::facts::source_member;
use super::{Checker, RUNAS_ACCOUNT_CREATION};
use crate::syntax::evaluate::Call;
use crate::syntax::model::{Command, Script, Value, ValueKind};

const NEW_CONNECTION: &str = "New-AzAutomationConnection";
const SET_CONNECTION_FIELD: &str = "Set-AzAutomationConnectionFieldValue";
const NEW_CERTIFICATE: &str = "New-AzAutomationCertificate";
const SET_CERTIFICATE: &str = "Set-AzAutomationCertificate";

/// The fields of a Run As (`AzureServicePrincipal`) connection, and of a classic
/// (`AzureClassicCertificate`) one.
const RUNAS_FIELDS: &[&str] = &["ApplicationId", "TenantId", "CertificateThumbprint", "SubscriptionId"];
const CLASSIC_FIELDS: &[&str] = &["SubscriptionName", "SubscriptionId", "CertificateAssetName"];

/// What makes the certificate and service principal of a Run As account: legitimate on
/// their own, so only named in the message of a Run As asset's finding.
const COMPANIONS: &[&str] = &[
    "New-SelfSignedCertificate",
    "New-AzADApplication",
    "New-AzADServicePrincipal",
    "New-AzADAppCredential",
    "New-AzADSpCredential",
    "New-AzureRmADApplication",
    "New-AzureRmADServicePrincipal",
    "New-AzureRmADAppCredential",
    "New-AzureRmADSpCredential",
    "New-AzureADApplicationKeyCredential",
    "New-AzureADServicePrincipalKeyCredential",
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Asset {
    /// `New-AzAutomationConnection`
    Connection,
    /// `Set-AzAutomationConnectionFieldValue`
    ConnectionField,
    /// `New-AzAutomationCertificate` (`renew`: `Set-AzAutomationCertificate`)
    Certificate { renew: bool },
}

/// A Run As asset a command creates or changes, as far as the values tell.
struct Creation {
    asset: Asset,
    classic: bool,
    name: Option<String>,
    /// A connection field update that sets `CertificateThumbprint`.
    renews_certificate: bool,
}

pub fn check(checker: &mut Checker) {
    let script = checker.script;
    let mut found: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    for command in &script.commands {
        let Some(asset) = asset_of(command) else {
            continue;
        };
        // Where the values are known in the command itself, it is the finding; in the
        // script's own helper function, each call that passes Run As values is one.
        if let Some(creation) = classify(checker, command, asset, None) {
            found.push((command.range.clone(), message(script, &creation, command, None)));
            continue;
        }
        let Some(function) = script.function_at(command.range.start) else {
            continue;
        };
        for (index, call) in script.calls_of(function) {
            if let Some(creation) = classify(checker, command, asset, Some(&call)) {
                let site = &script.commands[index];
                found.push((site.range.clone(), message(script, &creation, command, Some(site))));
            }
        }
    }
    found.sort_by_key(|(range, _)| (range.start, range.end));
    // A helper that makes both assets of one account is one creation at its call.
    found.dedup_by(|later, earlier| later.0 == earlier.0);
    for (range, message) in found {
        checker
            .diagnostics
            .push(RUNAS_ACCOUNT_CREATION.diagnostic(range, message, None));
    }
}

fn asset_of(command: &Command) -> Option<Asset> {
    if command.is(NEW_CONNECTION) {
        Some(Asset::Connection)
    } else if command.is(SET_CONNECTION_FIELD) {
        Some(Asset::ConnectionField)
    } else if command.is(NEW_CERTIFICATE) {
        Some(Asset::Certificate { renew: false })
    } else if command.is(SET_CERTIFICATE) {
        Some(Asset::Certificate { renew: true })
    } else {
        None
    }
}

/// `AzureRunAsConnection` -> `Some(false)`, `AzureClassicRunAsConnection` -> `Some(true)`.
fn runas_connection_name(name: &str) -> Option<bool> {
    match name.to_lowercase().as_str() {
        "azurerunasconnection" => Some(false),
        "azureclassicrunasconnection" => Some(true),
        _ => None,
    }
}

/// Whether `command`, with the arguments `call` passes to the function it sits in,
/// creates or changes a Run As asset.
fn classify(checker: &Checker, command: &Command, asset: Asset, call: Option<&Call>) -> Option<Creation> {
    let script = checker.script;
    let text = |param: &str| {
        let value = command.value_of(param)?;
        let text = script.evaluate_range(&value.range, call).literal()?;
        Some(text.trim().to_owned())
    };
    let name = text("Name");
    let by_name = name.as_deref().and_then(|n| match asset {
        Asset::Certificate { .. } => match n.to_lowercase().as_str() {
            "azurerunascertificate" => Some(false),
            "azureclassicrunascertificate" => Some(true),
            _ => None,
        },
        _ => runas_connection_name(n),
    });
    let renews_certificate = asset == Asset::ConnectionField
        && text("ConnectionFieldName").is_some_and(|f| f.eq_ignore_ascii_case("CertificateThumbprint"));
    let classic = match asset {
        Asset::Certificate { .. } => by_name,
        // Only a service-principal connection has a certificate thumbprint.
        Asset::ConnectionField => by_name.or(renews_certificate.then_some(false)),
        Asset::Connection => {
            let by_type = text("ConnectionTypeName").and_then(|t| match t.to_lowercase().as_str() {
                "azureserviceprincipal" => Some(false),
                "azureclassiccertificate" => Some(true),
                _ => None,
            });
            let fields = command.value_of("ConnectionFieldValues");
            by_type
                .or(by_name)
                .or_else(|| fields.and_then(|f| field_table_kind(script, f, call)))
                .or_else(|| {
                    // A copy of a Run As connection: its type or its fields.
                    ["ConnectionTypeName", "ConnectionFieldValues"]
                        .iter()
                        .filter_map(|p| command.value_of(p))
                        .find_map(|v| copied_runas_connection(checker, v))
                })
        }
    }?;
    Some(Creation {
        asset,
        classic,
        name,
        renews_certificate,
    })
}

/// A connection-field table with every field of the Run As connection type (or of the
/// classic one), in any order and letter case: `Some(classic)`.
fn field_table_kind(script: &Script, value: &Value, call: Option<&Call>) -> Option<bool> {
    script.hashtables_of(value, call).into_iter().find_map(|entries| {
        let has_all = |fields: &[&str]| {
            fields
                .iter()
                .all(|f| entries.iter().any(|(key, _)| key.trim().eq_ignore_ascii_case(f)))
        };
        if has_all(RUNAS_FIELDS) {
            Some(false)
        } else if has_all(CLASSIC_FIELDS) {
            Some(true)
        } else {
            None
        }
    })
}

/// The value is a Run As connection read back (`$conn` from `Get-AutomationConnection`),
/// or its `.ConnectionTypeName`/`.FieldDefinitionValues` from `Get-AzAutomationConnection`
/// of a Run As connection: the new connection is a copy of it.
fn copied_runas_connection(checker: &Checker, value: &Value) -> Option<bool> {
    let script = checker.script;
    if let ValueKind::Variable(name) = &value.kind {
        if checker.facts.is_runas_variable(name) {
            return Some(false);
        }
    }
    let (variable, member) = source_member(script, value)?;
    if !["ConnectionTypeName", "FieldDefinitionValues"]
        .iter()
        .any(|m| m.eq_ignore_ascii_case(&member))
    {
        return None;
    }
    if checker.facts.is_runas_variable(&variable) {
        return Some(false);
    }
    let assignment = script.assignment_before(&variable, value.range.start)?;
    let read = script
        .commands_in(&assignment.value.range)
        .iter()
        .find(|c| c.is("Get-AzAutomationConnection"))?;
    let name = script.string_value(read.value_of("Name")?)?;
    runas_connection_name(name.trim())
}

fn message(script: &Script, creation: &Creation, command: &Command, site: Option<&Command>) -> String {
    let kind = if creation.classic { "classic Run As" } else { "Run As" };
    let asset = |noun: &str| match &creation.name {
        Some(name) => format!("the {kind} {noun} `{name}`"),
        None => format!("a {kind} {noun}"),
    };
    let what = match creation.asset {
        Asset::Connection => format!("creates {}", asset("connection")),
        Asset::ConnectionField if creation.renews_certificate => {
            format!("renews the certificate of {}", asset("connection"))
        }
        Asset::ConnectionField => format!("changes {}", asset("connection")),
        Asset::Certificate { renew: false } => format!("uploads {}", asset("certificate")),
        Asset::Certificate { renew: true } => format!("renews {}", asset("certificate")),
    };
    let who = match site {
        Some(site) => format!("`{}` {what} (with `{}`)", site.written_name, command.written_name),
        None => format!("`{}` {what}", command.written_name),
    };
    let companions: Vec<&str> = COMPANIONS
        .iter()
        .filter(|c| script.commands_named(c).next().is_some())
        .copied()
        .collect();
    let also = match companions.as_slice() {
        [] => String::new(),
        names => format!(
            ", and the script makes its certificate and service principal too (`{}`)",
            names.join("`, `")
        ),
    };
    let instead = if creation.classic {
        "classic Run As accounts were retired on 2023-09-30 and managed identities exist only in Azure Resource Manager: move the classic resources to ARM, then enable the Automation account's managed identity and grant it roles instead"
    } else {
        "Run As accounts cannot be created or renewed since 2023-09-30: enable the Automation account's managed identity and grant it roles instead"
    };
    format!("{who}{also}; {instead}, and retire the code that makes Run As accounts")
}

#[cfg(test)]
mod tests {
    use crate::lint::{lint_script, LintOptions};
    use crate::source::LineIndex;
    use crate::syntax::model::Script;

    /// The MI107 findings of `text`: the line each starts on and its message.
    fn findings(text: &str) -> Vec<(usize, String)> {
        let script = Script::parse(text);
        assert!(script.errors.is_empty(), "{:?}", script.errors);
        lint_script(&script, &LineIndex::new(text), &LintOptions::default())
            .into_iter()
            .filter(|d| d.code == "MI107")
            .map(|d| (script.line_of(d.range.start), d.message))
            .collect()
    }

    fn lines(text: &str) -> Vec<usize> {
        findings(text).into_iter().map(|(line, _)| line).collect()
    }

    #[test]
    fn types_names_and_field_tables_in_any_spelling() {
        for call in [
            "New-AzAutomationConnection -ResourceGroupName rg -AutomationAccountName aa -Name 'Deploy' -ConnectionTypeName AzureServicePrincipal -ConnectionFieldValues $f",
            "New-AzureRmAutomationConnection \u{2013}Name Deploy \u{2013}ConnectionType 'azureserviceprincipal' -ConnectionF $f -ResourceGroupName rg -AutomationAccountName aa",
            "Az.Automation\\New-AzAutomationConnection rg aa 'AzureRunAsConnection' 'Custom' $f",
            "New-AzAutomationConnection -Name x -ConnectionTypeName $t -ConnectionFieldValues [ordered]@{ subscriptionid = 's'; CERTIFICATETHUMBPRINT = 'c'; TenantId = 't'; 'ApplicationId' = 'a' } -ResourceGroupName rg -AutomationAccountName aa",
        ] {
            let text = format!("$t = Get-AutomationVariable -Name T\n{call}\n");
            assert_eq!(lines(&text), [2], "{call}");
        }
        // Another connection type, with other fields: not a Run As account.
        let other = "$f = @{ 'AutomationCertificateName' = 'c'; 'SubscriptionID' = 's' }\n\
                     New-AzAutomationConnection -Name Legacy -ConnectionTypeName Azure -ConnectionFieldValues $f -ResourceGroupName rg -AutomationAccountName aa\n\
                     New-AzAutomationCertificate -Name 'WebCert' -Path .\\web.pfx -ResourceGroupName rg -AutomationAccountName aa\n";
        assert!(findings(other).is_empty());
    }

    #[test]
    fn helper_functions_are_reported_at_each_call_that_passes_run_as_values() {
        let text = "function CreateConnection ($rg, $account, $name, $type, $fields) {\n\
                    \x20   New-AzAutomationConnection -ResourceGroupName $rg -AutomationAccountName $account -Name $name -ConnectionTypeName $type -ConnectionFieldValues $fields\n}\n\
                    function CreateCertificate {\n    param([string] $Account, [string] $AssetName, [string] $Path)\n\
                    \x20   New-AzAutomationCertificate -ResourceGroupName rg -AutomationAccountName $Account -Name $AssetName -Path $Path -Exportable\n}\n\
                    $type = 'AzureServicePrincipal'\n\
                    $fields = @{ 'ApplicationId' = $app; 'TenantId' = $tenant; 'CertificateThumbprint' = $thumb; 'SubscriptionId' = $sub }\n\
                    CreateConnection $rg $aa 'AzureRunAsConnection' $type $fields\n\
                    CreateConnection $rg $aa 'Other' 'Generic' @{ Key = 'v' }\n\
                    CreateCertificate -Account $aa -AssetName 'AzureRunAsCertificate' -Path .\\runas.pfx\n\
                    CreateCertificate $aa 'WebCert' .\\web.pfx\n\
                    CreateConnection -rg $rg -account $aa -name 'Deploy' -type 'Generic' -fields $fields\n";
        let found = findings(text);
        let at: Vec<usize> = found.iter().map(|(line, _)| *line).collect();
        assert_eq!(at, [10, 12, 14]);
        assert!(found[0].1.starts_with("`CreateConnection` creates the Run As connection `AzureRunAsConnection` (with `New-AzAutomationConnection`)"), "{}", found[0].1);
        assert!(found[1]
            .1
            .contains("uploads the Run As certificate `AzureRunAsCertificate`"));
    }

    #[test]
    fn a_table_set_in_a_branch_still_reaches_the_call() {
        let text = "foreach ($c in $connections) {\n    $type = $c.ConnectionTypeName\n\
                    \x20   if ($type -eq 'AzureServicePrincipal') {\n        $fields = @{ ApplicationId = 1; TenantId = 2; CertificateThumbprint = 3; SubscriptionId = 4 }\n    }\n\
                    \x20   if ($type -eq 'Generic') {\n        $fields = @{ Url = 'x' }\n    }\n\
                    \x20   New-AzAutomationConnection -Name $c.Name -ConnectionTypeName $type -ConnectionFieldValues $fields -ResourceGroupName rg -AutomationAccountName aa\n}\n";
        assert_eq!(lines(text), [9]);
        // Replaced before the call on every path: the old table does not reach it.
        let replaced = text.replace(
            "    if ($type -eq 'Generic') {\n        $fields = @{ Url = 'x' }\n    }\n",
            "    $fields = @{ Url = 'x' }\n",
        );
        assert!(lines(&replaced).is_empty());
    }

    #[test]
    fn renewals_and_copies_of_the_run_as_connection() {
        let text = "$runAs = Get-AzAutomationConnection -ResourceGroupName rg -AutomationAccountName aa -Name 'AzureRunAsConnection'\n\
                    $fields = $runAs.FieldDefinitionValues\n\
                    $fields.CertificateThumbprint = $cert.Thumbprint\n\
                    New-AzAutomationConnection -ResourceGroupName rg -AutomationAccountName aa -Name $group -ConnectionTypeName $runAs.ConnectionTypeName -ConnectionFieldValues $fields\n\
                    Set-AzAutomationConnectionFieldValue -ResourceGroupName rg -AutomationAccountName aa -Name $group -ConnectionFieldName 'CertificateThumbprint' -Value $cert.Thumbprint\n\
                    Set-AzAutomationConnectionFieldValue -ResourceGroupName rg -AutomationAccountName aa -Name 'Sql' -ConnectionFieldName 'Password' -Value $p\n\
                    Set-AzureRmAutomationCertificate -ResourceGroupName rg -AutomationAccountName aa -Name 'AzureClassicRunAsCertificate' -Path $pfx -Exportable:$true\n";
        let found = findings(text);
        let at: Vec<usize> = found.iter().map(|(line, _)| *line).collect();
        assert_eq!(at, [4, 5, 7]);
        assert!(
            found[2].1.contains("renews the classic Run As certificate"),
            "{}",
            found[2].1
        );
        assert!(found[2].1.contains("move the classic resources to ARM"));
    }

    #[test]
    fn service_principals_alone_are_not_run_as_accounts() {
        let text = "$cert = New-SelfSignedCertificate -DnsName app -CertStoreLocation Cert:\\CurrentUser\\My\n\
                    $app = New-AzADApplication -DisplayName app -CertValue $value\n\
                    New-AzADServicePrincipal -ApplicationId $app.AppId\n";
        assert!(findings(text).is_empty());
        let with_asset = format!("{text}New-AzAutomationCertificate -ResourceGroupName rg -AutomationAccountName aa -Name AzureRunAsCertificate -Path $pfx\n");
        let found = findings(&with_asset);
        assert_eq!(found.len(), 1);
        assert!(
            found[0]
                .1
                .contains("(`New-SelfSignedCertificate`, `New-AzADApplication`, `New-AzADServicePrincipal`)"),
            "{}",
            found[0].1
        );
    }
}
