//! `mimigrate modules`: per-script needs, the account import plan, formats, --after-fix.

mod common;

use common::{mimigrate, stdout};

const GRAPH_BETA: &str = "#Requires -Modules Microsoft.Graph.Users\n\
Connect-MgGraph -Identity -NoWelcome\n\
Select-MgProfile -Name beta\n\
Get-MgUser -All | Select-Object DisplayName\n";

const AZURERM: &str = "$c = Get-AutomationConnection -Name AzureRunAsConnection\n\
Add-AzureRmAccount -ServicePrincipal -TenantId $c.TenantId -ApplicationId $c.ApplicationId -CertificateThumbprint $c.CertificateThumbprint\n\
Get-AzureRmVM\n";

const AZ: &str = "#Requires -Modules @{ ModuleName = 'Az.Accounts'; RequiredVersion = '5.3.2' }\n\
Disable-AzContextAutosave -Scope Process | Out-Null\nConnect-AzAccount -Identity\nGet-AzVM | Stop-AzVM -Force\n\
Invoke-Helper\n. .\\Shared.ps1\n";

fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("graph.ps1"), GRAPH_BETA).unwrap();
    std::fs::write(dir.path().join("legacy.ps1"), AZURERM).unwrap();
    std::fs::write(dir.path().join("vms.ps1"), AZ).unwrap();
    dir
}

#[test]
fn json_lists_modules_in_import_order_with_minimums_and_declarations() {
    let dir = tree();
    let output = mimigrate(&["modules", "--format", "json", "."], dir.path());
    assert_eq!(output.status.code(), Some(0));
    let scripts: serde_json::Value = serde_json::from_slice(&output.stdout).expect("a JSON array");
    let vms = scripts
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["path"] == "vms.ps1")
        .unwrap();
    let modules: Vec<_> = vms["modules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(modules, ["Az.Accounts", "Az.Compute"]);
    assert_eq!(vms["modules"][0]["min_version"], "2.0.0");
    assert_eq!(
        vms["modules"][0]["commands"],
        serde_json::json!(["Disable-AzContextAutosave", "Connect-AzAccount"])
    );
    assert_eq!(vms["modules"][0]["first_line"], 2);
    assert_eq!(
        vms["modules"][1]["commands"],
        serde_json::json!(["Get-AzVM", "Stop-AzVM"])
    );
    assert_eq!(vms["unresolved"], serde_json::json!(["Invoke-Helper"]));
    assert_eq!(vms["scripts"], serde_json::json!([".\\Shared.ps1"]));
    assert_eq!(vms["declared"][0]["module"], "Az.Accounts");
    assert_eq!(vms["declared"][0]["version"], "5.3.2");
    let graph = scripts
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["path"] == "graph.ps1")
        .unwrap();
    assert_eq!(graph["modules"][1]["name"], "Microsoft.Graph.Users");
    assert_eq!(graph["modules"][1]["min_version"], "2.0.0");
}

#[test]
fn after_fix_reports_what_the_fixed_script_needs() {
    let dir = tree();
    let output = mimigrate(
        &["modules", "--format", "requires", "--after-fix", "graph.ps1"],
        dir.path(),
    );
    let out = stdout(&output);
    assert!(out.contains("Microsoft.Graph.Beta.Users"), "{out}");
    assert!(out.starts_with("# graph.ps1\n#Requires -Modules @{ ModuleName = 'Microsoft.Graph.Authentication'; ModuleVersion = '2.0.0' }"), "{out}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("graph.ps1")).unwrap(),
        GRAPH_BETA,
        "nothing is written"
    );
}

#[test]
fn the_table_ends_with_an_import_plan_and_warnings() {
    let dir = tree();
    let out = stdout(&mimigrate(&["modules", "."], dir.path()));
    let plan = &out[out
        .find("Import into the Automation account, in this order:")
        .expect(&out)..];
    let position = |name: &str| {
        plan.find(&format!(". {name}"))
            .unwrap_or_else(|| panic!("{name} missing:\n{plan}"))
    };
    assert!(position("Az.Accounts") < position("Az.Compute"));
    assert!(position("Microsoft.Graph.Authentication") < position("Microsoft.Graph.Users"));
    assert!(
        plan.contains("AzureRM (legacy.ps1) and Az (vms.ps1) cannot share an Automation account"),
        "{plan}"
    );
    assert!(plan.contains("vms.ps1 pins Az.Accounts 5.3.2 (line 1)"), "{plan}");
    assert!(out.contains("unresolved: Invoke-Helper"), "{out}");
}

/// A Service Management runbook of the kind the classic Run As account ran.
const CLASSIC: &str = "$cert = Get-AutomationCertificate -Name 'AzureClassicRunAsCertificate'\n\
Set-AzureSubscription -SubscriptionName $name -SubscriptionId $id -Certificate $cert\n\
Select-AzureSubscription -SubscriptionId $id\n\
Get-AzureVM -ServiceName $service | Where-Object { $_.Status -eq 'ReadyRole' } | Stop-AzureVM -Force\n\
Connect-AzureAD -TenantId $tenant -ApplicationId $app -CertificateThumbprint $thumb\n\
Get-AzureADUser -Top 5\n";

#[test]
fn classic_service_management_commands_need_the_azure_module_not_az() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("classic.ps1"), CLASSIC).unwrap();
    let output = mimigrate(&["modules", "--format", "json", "classic.ps1"], dir.path());
    assert_eq!(output.status.code(), Some(0));
    let scripts: serde_json::Value = serde_json::from_slice(&output.stdout).expect("a JSON array");
    let modules = scripts[0]["modules"].as_array().unwrap();
    let names: Vec<&str> = modules.iter().map(|m| m["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Azure", "AzureAD"], "{modules:#?}");
    assert_eq!(
        modules[0]["commands"],
        serde_json::json!([
            "Set-AzureSubscription",
            "Select-AzureSubscription",
            "Get-AzureVM",
            "Stop-AzureVM"
        ])
    );
    assert_eq!(modules[0]["first_line"], 2);
    assert_eq!(scripts[0]["unresolved"], serde_json::json!([]));

    let table = stdout(&mimigrate(&["modules", "classic.ps1"], dir.path()));
    let plan = &table[table.find("Import into the Automation account").expect(&table)..];
    assert!(plan.contains(". Azure\n") && plan.contains(". AzureAD\n"), "{plan}");
    assert!(
        !plan.contains("Az."),
        "no Az module for Service Management commands:\n{plan}"
    );
    assert!(
        plan.contains("warning: the classic Azure module (Service Management; classic.ps1) cannot sign in with a managed identity"),
        "{plan}"
    );

    // Next to an Az runbook, the plan still imports Az.Accounts for that one only.
    std::fs::write(dir.path().join("vms.ps1"), AZ).unwrap();
    let table = stdout(&mimigrate(&["modules", "."], dir.path()));
    assert!(table.contains("(Service Management; classic.ps1)"), "{table}");
    assert!(!table.contains("module unknown"), "{table}");
}

/// MI204's case: a plain-string token in a Bearer header; its fix asks for `-AsSecureString`.
const BEARER: &str = "#Requires -Modules @{ ModuleName = 'Az.Accounts'; ModuleVersion = '2.12.1' }\n\
Disable-AzContextAutosave -Scope Process | Out-Null\n\
Connect-AzAccount -Identity | Out-Null\n\
$token = (Get-AzAccessToken -ResourceUrl 'https://api.loganalytics.io').Token\n\
Invoke-RestMethod -Method Post -Uri $uri -Headers @{ Authorization = \"Bearer $token\" } -Body $body\n";

/// `modules` as JSON for what a script needs once its unsafe fixes are applied.
const AFTER_UNSAFE_FIXES: &[&str] = &["modules", "--format", "json", "--after-fix", "--unsafe-fixes"];

fn az_accounts(dir: &std::path::Path, args: &[&str]) -> serde_json::Value {
    let output = mimigrate(args, dir);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let scripts: serde_json::Value = serde_json::from_slice(&output.stdout).expect("a JSON array");
    scripts[0]["modules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "Az.Accounts")
        .cloned()
        .expect("Az.Accounts")
}

#[test]
fn secure_string_tokens_from_fixes_raise_the_az_accounts_minimum() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bearer.ps1"), BEARER).unwrap();

    let before = az_accounts(dir.path(), &["modules", "--format", "json", "bearer.ps1"]);
    assert_eq!(before["min_version"], "2.0.0", "{before}");
    assert_eq!(before["declared_version_ok"], true);

    let after = az_accounts(dir.path(), &[AFTER_UNSAFE_FIXES, &["bearer.ps1"]].concat());
    assert_eq!(after["min_version"], "2.17.0", "{after}");
    assert!(
        after["min_reason"]
            .as_str()
            .is_some_and(|r| r.starts_with("Get-AzAccessToken -AsSecureString")),
        "{after}"
    );
    // The fixes leave the author's 2.12.1 pin alone (MI602 is about sign-ins), and
    // `modules` says the pin is now too low for the fixed script.
    assert_eq!(after["declared_version_ok"], false, "{after}");
    assert_eq!(std::fs::read_to_string(dir.path().join("bearer.ps1")).unwrap(), BEARER);
    let check = stdout(&mimigrate(&["check", "--format", "concise", "bearer.ps1"], dir.path()));
    assert!(!check.contains("MI602"), "the pin is fine until the fix: {check}");

    // A script that already asks for a SecureString needs the same release, fixed or not.
    std::fs::write(
        dir.path().join("secure.ps1"),
        "Connect-AzAccount -Identity\n$t = (Get-AzAccessToken -ResourceUrl $r -AsSecureString).Token\n",
    )
    .unwrap();
    let secure = az_accounts(dir.path(), &["modules", "--format", "json", "secure.ps1"]);
    assert_eq!(secure["min_version"], "2.17.0", "{secure}");
    let table = stdout(&mimigrate(&["modules", "secure.ps1"], dir.path()));
    assert!(table.contains("1. Az.Accounts (>= 2.17.0)"), "{table}");
    let requires = stdout(&mimigrate(
        &["modules", "--format", "requires", "secure.ps1"],
        dir.path(),
    ));
    assert!(
        requires.contains("@{ ModuleName = 'Az.Accounts'; ModuleVersion = '2.17.0' }"),
        "{requires}"
    );

    // `modules` holds the pin to the highest minimum; MI602 only to the sign-in's.
    std::fs::write(
        dir.path().join("pinned.ps1"),
        format!(
            "Import-Module Az.Accounts -RequiredVersion 2.12.1\n{}",
            std::fs::read_to_string(dir.path().join("secure.ps1")).unwrap()
        ),
    )
    .unwrap();
    let pinned = az_accounts(dir.path(), &["modules", "--format", "json", "pinned.ps1"]);
    assert_eq!(pinned["declared_version_ok"], false, "{pinned}");
    let check = stdout(&mimigrate(&["check", "--format", "concise", "pinned.ps1"], dir.path()));
    assert!(!check.contains("MI602"), "{check}");
}

#[test]
fn the_azure_session_token_fix_raises_the_az_accounts_minimum_too() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("session.ps1"),
        "Connect-AzAccount -Identity | Out-Null\n$ctx = Get-AzContext\n\
         $t = [Microsoft.Azure.Commands.Common.Authentication.AzureSession]::Instance.AuthenticationFactory.Authenticate($ctx.Account, $ctx.Environment, $ctx.Tenant.Id, $null, 'Never', $null, 'https://management.azure.com/').AccessToken\n\
         Invoke-RestMethod -Uri $uri -Headers @{ Authorization = \"Bearer $t\" }\n",
    )
    .unwrap();
    let before = az_accounts(dir.path(), &["modules", "--format", "json", "session.ps1"]);
    assert_ne!(before["min_version"], "2.17.0", "{before}");
    let after = az_accounts(dir.path(), &[AFTER_UNSAFE_FIXES, &["session.ps1"]].concat());
    assert_eq!(after["min_version"], "2.17.0", "{after}");
}
