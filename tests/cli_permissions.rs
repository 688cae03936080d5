//! `mimigrate permissions` as an admin runs it: what each runbook's managed identity
//! needs, checked against the embedded data rather than hard-coded where possible, and
//! the grant script it writes.

mod common;

use common::{mimigrate, mimigrate_with_stdin, stderr, stdout};

use mimigrate::permissions::graph_app_role_id;
use mimigrate::syntax::model::Script;
use mimigrate::tables;
use serde_json::Value;

/// Run on one script written to a fresh folder; (exit code, stdout).
fn run_on(script: &str, args: &[&str]) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("runbook.ps1"), script).unwrap();
    let mut all = vec!["permissions"];
    all.extend_from_slice(args);
    all.push("runbook.ps1");
    let output = mimigrate(&all, dir.path());
    assert!(output.status.success(), "{}\n{}", stdout(&output), stderr(&output));
    (output.status.code(), stdout(&output))
}

fn json_of(script: &str) -> Vec<Value> {
    let (_, out) = run_on(script, &["--format", "json"]);
    let parsed: Value = serde_json::from_str(&out).expect("valid JSON");
    let scripts = parsed.as_array().expect("an array").clone();
    assert_eq!(scripts.len(), 1, "{out}");
    scripts[0]["permissions"].as_array().expect("permissions").clone()
}

/// The permission the data gives a command: least-privileged, by command or REST path.
fn data_for_command(command: &str) -> Vec<&'static str> {
    let permissions = tables::graph_command_permissions(command).unwrap_or_else(|| {
        let (method, path, _) = tables::graph_command_path(command).expect("command in the data");
        tables::graph_path_permissions(method, path).expect("path in the data")
    });
    tables::least_privileged(&permissions)
}

fn data_for_path(method: &str, path: &str) -> Vec<&'static str> {
    tables::least_privileged(&tables::graph_path_permissions(method, path).expect("path in the data"))
}

/// The JSON entry whose reasons include `what`.
fn entry_for<'a>(permissions: &'a [Value], what: &str) -> &'a Value {
    permissions
        .iter()
        .find(|p| {
            p["reasons"]
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["what"].as_str() == Some(what))
        })
        .unwrap_or_else(|| panic!("no permission for {what}: {permissions:#?}"))
}

const GRAPH_RUNBOOK: &str = r#"param([string] $GroupId)
Connect-MgGraph -Identity -NoWelcome
$users = Get-MgUser -All
$members = Get-MgGroupMember -GroupId $GroupId -All
foreach ($user in $users) {
    $id = $user.Id
    $groups = Invoke-MgGraphRequest -Method GET -Uri "https://graph.microsoft.com/v1.0/users/$id/memberOf"
}
$first = Invoke-MgGraphRequest -Uri 'v1.0/groups?$top=5'
$reports = Get-MgUserDirectReport -UserId $users[0].Id
"#;

#[test]
fn graph_commands_and_literal_uris_get_the_datas_least_privileged_permissions() {
    let permissions = json_of(GRAPH_RUNBOOK);
    let expectations = [
        ("Get-MgUser", data_for_command("Get-MgUser"), 3),
        ("Get-MgGroupMember", data_for_command("Get-MgGroupMember"), 4),
        (
            "Invoke-MgGraphRequest GET /users/{x}/memberOf",
            data_for_path("GET", "/users/{id}/memberOf"),
            7,
        ),
        ("Invoke-MgGraphRequest GET /groups", data_for_path("GET", "/groups"), 9),
        ("Get-MgUserDirectReport", data_for_command("Get-MgUserDirectReport"), 10),
    ];
    for (what, allowed, line) in expectations {
        let entry = entry_for(&permissions, what);
        let permission = entry["permission"].as_str().unwrap();
        assert!(allowed.contains(&permission), "{what}: {permission} not in {allowed:?}");
        assert_eq!(entry["certainty"], "least-privileged", "{entry}");
        assert_eq!(entry["resource"], "Microsoft Graph");
        assert_eq!(entry["kind"], "app-role");
        let reason = entry["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["what"] == what)
            .unwrap();
        assert_eq!(reason["line"], line, "{what}");
        assert_eq!(entry["app_role_id"].as_str(), graph_app_role_id(permission), "{what}");
    }
    // GET /users is User.ReadBasic.All in the data (User.ReadWrite.All is a higher level).
    assert_eq!(
        entry_for(&permissions, "Get-MgUser")["permission"],
        "User.ReadBasic.All"
    );
    assert_eq!(
        entry_for(&permissions, "Get-MgUserDirectReport")["app_role_id"],
        "df021288-bdef-4463-88db-98f22de89214"
    );
    // Sign-in is not a data call.
    assert!(!serde_json::to_string(&permissions).unwrap().contains("Connect-MgGraph"));
}

#[test]
fn calls_no_data_covers_are_unknown_never_none() {
    let script = "param([string] $Uri)\n\
                  Connect-MgGraph -Identity\n\
                  Get-MgThingNobodyHasHeardOf\n\
                  Invoke-MgGraphRequest -Method POST -Uri $Uri\n\
                  Invoke-MgGraphRequest -Uri 'v1.0/no/such/endpoint/anywhere'\n";
    let permissions = json_of(script);
    let unknown: Vec<&Value> = permissions.iter().filter(|p| p["certainty"] == "unknown").collect();
    assert_eq!(unknown.len(), 1, "{permissions:#?}");
    let entry = unknown[0];
    assert_eq!(entry["permission"], Value::Null);
    assert_eq!(entry["app_role_id"], Value::Null);
    let reasons: Vec<(&str, u64)> = entry["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["what"].as_str().unwrap(), r["line"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        reasons,
        [
            ("Get-MgThingNobodyHasHeardOf", 3),
            ("Invoke-MgGraphRequest POST $Uri", 4),
            ("Invoke-MgGraphRequest GET /no/such/endpoint/anywhere", 5),
        ]
    );

    let (_, table) = run_on(script, &[]);
    assert!(table.contains("unknown"), "{table}");
    assert!(table.contains("check it by hand"), "{table}");
    assert!(table.contains("never means that no permission is needed"), "{table}");
    assert!(!table.to_lowercase().contains(" none"), "{table}");

    let (_, grant) = run_on(script, &["--format", "script"]);
    assert!(grant.contains("# Check by hand, NOT granted"), "{grant}");
    assert!(grant.contains("line 4: Invoke-MgGraphRequest POST $Uri"), "{grant}");
    assert!(grant.contains("Write-Output 'Nothing to grant.'"), "{grant}");
    assert!(Script::parse(&grant).errors.is_empty(), "{grant}");
}

#[test]
fn inferred_endpoints_are_likely_and_granted_with_a_comment() {
    let command = "Get-MgGroupTransitiveMemberOf";
    assert_eq!(tables::graph_command_permissions(command), None);
    let (method, path, known) = tables::graph_command_path(command).unwrap();
    assert!(!known, "the data infers this command's path");
    let allowed = data_for_path(method, path);

    let permissions = json_of("Get-MgGroupTransitiveMemberOf -GroupId $g\n");
    assert_eq!(permissions.len(), 1, "{permissions:#?}");
    assert_eq!(permissions[0]["certainty"], "likely");
    let permission = permissions[0]["permission"].as_str().unwrap();
    assert!(allowed.contains(&permission), "{permission} {allowed:?}");

    let (_, grant) = run_on("Get-MgGroupTransitiveMemberOf -GroupId $g\n", &["--format", "script"]);
    assert!(grant.contains("likely: inferred endpoint"), "{grant}");
    assert!(grant.contains(&format!("'{permission}'")), "{grant}");
}

#[test]
fn the_grant_script_holds_the_datas_ids_skips_what_is_granted_and_parses() {
    let (code, grant) = run_on(GRAPH_RUNBOOK, &["--format", "script"]);
    assert_eq!(code, Some(0));
    let permissions = json_of(GRAPH_RUNBOOK);
    let chosen: Vec<&str> = permissions.iter().filter_map(|p| p["permission"].as_str()).collect();
    assert!(!chosen.is_empty());
    for permission in &chosen {
        match graph_app_role_id(permission) {
            Some(id) => {
                let (data_id, _) = tables::graph_app_role(permission).unwrap();
                assert_eq!(id, data_id);
                let line = grant
                    .lines()
                    .find(|l| l.trim_start().starts_with(&format!("'{permission}'")))
                    .unwrap_or_else(|| panic!("{permission} not in the role table:\n{grant}"));
                assert!(line.trim_end().ends_with(&format!("= '{id}'")), "{line}");
            }
            None => assert!(
                grant.contains(&format!("Grant-NamedAppRole -Resource $graph -Value '{permission}'")),
                "{permission} without an id in the data is looked up by name:\n{grant}"
            ),
        }
    }
    assert!(grant.contains("'User.ReadBasic.All'"), "{grant}");
    assert!(
        grant.contains("df021288-bdef-4463-88db-98f22de89214"),
        "User.Read.All for direct reports"
    );

    // The identity is the parameter; the current assignments are read once and skipped.
    assert!(
        grant.contains("param(\n    [Parameter(Mandatory)]\n    [string] $ObjectId\n)"),
        "{grant}"
    );
    assert!(
        grant.contains("Connect-MgGraph -Scopes 'AppRoleAssignment.ReadWrite.All', 'Application.Read.All' -NoWelcome")
    );
    assert!(grant.contains("$graph = Get-ResourcePrincipal -AppId '00000003-0000-0000-c000-000000000000'"));
    assert_eq!(
        grant
            .matches("Get-MgServicePrincipalAppRoleAssignment -ServicePrincipalId $ObjectId -All")
            .count(),
        1
    );
    assert!(grant.contains("if ($already) {"), "{grant}");
    assert!(grant.contains("already granted: $Permission"), "{grant}");
    assert!(grant.contains(
        "New-MgServicePrincipalAppRoleAssignment -ServicePrincipalId $ObjectId -PrincipalId $ObjectId -ResourceId $Resource.Id -AppRoleId $AppRoleId"
    ));
    assert!(grant.contains("$graphRoles = [ordered]@{"), "{grant}");
    assert!(
        !grant.contains("RoleManagement.ReadWrite.Directory"),
        "no directory roles here"
    );
    assert!(!grant.contains("ConvertTo-SecureString"));
    assert!(
        grant.contains("#   runbook.ps1\n"),
        "names its source scripts:\n{grant}"
    );

    let parsed = Script::parse(&grant);
    assert!(
        parsed.errors.is_empty(),
        "parse errors at {:?}:\n{grant}",
        parsed.errors
    );
}

const EXCHANGE_RUNBOOK: &str = "Connect-ExchangeOnline -ManagedIdentity -Organization contoso.onmicrosoft.com\n\
Get-EXOMailbox -ResultSize 10\n\
Set-Mailbox -Identity x -HiddenFromAddressListsEnabled $true\n";

#[test]
fn exchange_needs_manage_as_app_and_the_exchange_administrator_role() {
    let permissions = json_of(EXCHANGE_RUNBOOK);
    let summary: Vec<(&str, &str, &str, &str)> = permissions
        .iter()
        .map(|p| {
            (
                p["resource"].as_str().unwrap(),
                p["permission"].as_str().unwrap(),
                p["kind"].as_str().unwrap(),
                p["certainty"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "Office 365 Exchange Online",
                "Exchange.ManageAsApp",
                "app-role",
                "least-privileged"
            ),
            (
                "Microsoft Entra ID",
                "Exchange Administrator",
                "directory-role",
                "least-privileged"
            ),
        ]
    );
    assert_eq!(
        permissions[0]["resource_app_id"],
        "00000002-0000-0ff1-ce00-000000000000"
    );
    assert_eq!(permissions[0]["app_role_id"], Value::Null, "looked up at run time");
    assert!(permissions[1]["note"]
        .as_str()
        .unwrap()
        .contains("Exchange Recipient Administrator"));
    assert_eq!(permissions[0]["reasons"][0]["what"], "Connect-ExchangeOnline");
    assert_eq!(permissions[0]["reasons"][0]["line"], 1);

    let (_, table) = run_on(EXCHANGE_RUNBOOK, &[]);
    assert!(table.contains("Exchange.ManageAsApp"), "{table}");
    assert!(table.contains("Exchange Administrator"), "{table}");

    let (_, grant) = run_on(EXCHANGE_RUNBOOK, &["--format", "script"]);
    assert!(
        grant.contains("'RoleManagement.ReadWrite.Directory' -NoWelcome"),
        "{grant}"
    );
    assert!(grant.contains("$exchange = Get-ResourcePrincipal -AppId '00000002-0000-0ff1-ce00-000000000000'"));
    assert!(grant.contains("Grant-NamedAppRole -Resource $exchange -Value 'Exchange.ManageAsApp'"));
    assert!(grant
        .contains("Get-MgRoleManagementDirectoryRoleDefinition -Filter \"displayName eq 'Exchange Administrator'\""));
    assert!(grant.contains(
        "Get-MgRoleManagementDirectoryRoleAssignment -Filter \"principalId eq '$ObjectId' and roleDefinitionId eq '$($definition.Id)'\""
    ));
    assert!(grant.contains(
        "New-MgRoleManagementDirectoryRoleAssignment -PrincipalId $ObjectId -RoleDefinitionId $definition.Id -DirectoryScopeId '/'"
    ));
    assert!(!grant.contains("$graphRoles"), "no Graph roles to grant:\n{grant}");
    assert!(Script::parse(&grant).errors.is_empty(), "{grant}");
}

#[test]
fn pnp_and_teams_need_their_roles_unless_a_user_signs_in() {
    let pnp = json_of("Connect-PnPOnline -Url https://contoso.sharepoint.com -ManagedIdentity\nGet-PnPList\n");
    assert_eq!(pnp.len(), 1, "{pnp:#?}");
    assert_eq!(pnp[0]["permission"], "Sites.FullControl.All");
    assert_eq!(pnp[0]["resource_app_id"], "00000003-0000-0ff1-ce00-000000000000");
    assert!(pnp[0]["note"].as_str().unwrap().contains("Sites.Selected"));

    let (_, table) = run_on("Connect-PnPOnline $url -Credentials $cred\nGet-PnPList\n", &[]);
    assert!(table.contains("signs in as a user (-Credentials)"), "{table}");
    assert!(!table.contains("Sites.FullControl.All  "), "nothing granted: {table}");

    let teams = json_of("Connect-MicrosoftTeams -Identity\nGet-CsOnlineUser\nGet-Team\n");
    let role = entry_for(&teams, "Connect-MicrosoftTeams");
    assert_eq!(role["permission"], "Teams Administrator");
    assert_eq!(role["kind"], "directory-role");
    let graph = entry_for(&teams, "Get-Team (Teams cmdlet, calls Microsoft Graph)");
    assert_eq!(graph["certainty"], "unknown");
}

#[test]
fn one_grant_script_for_several_runbooks_and_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("runbooks")).unwrap();
    std::fs::write(dir.path().join("runbooks/graph.ps1"), GRAPH_RUNBOOK).unwrap();
    std::fs::write(dir.path().join("runbooks/exchange.ps1"), EXCHANGE_RUNBOOK).unwrap();
    std::fs::write(dir.path().join("runbooks/nothing.ps1"), "Write-Output 'hello'\n").unwrap();
    let output = mimigrate(&["permissions", "--format", "script", "runbooks"], dir.path());
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let grant = stdout(&output);
    for name in ["exchange.ps1", "graph.ps1", "nothing.ps1"] {
        assert!(grant.contains(&format!("#   runbooks/{name}\n")), "{grant}");
    }
    assert!(grant.contains("'User.ReadBasic.All'") && grant.contains("'Exchange.ManageAsApp'"));
    assert_eq!(grant.matches("Connect-MgGraph").count(), 1, "{grant}");
    assert!(Script::parse(&grant).errors.is_empty(), "{grant}");

    let output = mimigrate(&["permissions", "runbooks"], dir.path());
    let table = stdout(&output);
    let graph_at = table.find("runbooks/exchange.ps1").unwrap();
    assert!(
        graph_at < table.find("runbooks/graph.ps1").unwrap(),
        "sorted by path:\n{table}"
    );
    assert!(table.contains("runbooks/nothing.ps1\n  no Microsoft Graph"), "{table}");
    assert!(table.contains("To grant the managed identity (3 scripts):"), "{table}");

    let output = mimigrate(&["permissions", "--format", "yaml", "runbooks"], dir.path());
    assert_eq!(output.status.code(), Some(2));
    let output = mimigrate(&["permissions", "no-such-folder"], dir.path());
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("no-such-folder: no such file"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn stdin_is_a_script_too() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "permissions",
        "--format",
        "json",
        "--stdin-filename",
        "from-stdin.ps1",
        "-",
    ];
    let output = mimigrate_with_stdin(&args, dir.path(), b"Get-MgUser -UserId x\n");
    let parsed: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(parsed[0]["path"], "from-stdin.ps1");
    assert_eq!(parsed[0]["permissions"][0]["permission"], "User.ReadBasic.All");
}

/// Entra ID housekeeping with Az.Resources (which calls Microsoft Graph since 5.0).
const AZ_AD_RUNBOOK: &str = r#"param([string] $GroupId, [string] $AppObjectId)
Disable-AzContextAutosave -Scope Process | Out-Null
Connect-AzAccount -Identity | Out-Null
$members = Get-AzADGroupMember -GroupObjectId $GroupId
foreach ($member in $members) {
    $user = Get-AzADUser -ObjectId $member.Id
    if (-not $user.AccountEnabled) {
        Remove-AzADGroupMember -GroupObjectId $GroupId -MemberObjectId $user.Id
    }
}
$secret = New-AzADAppCredential -ObjectId $AppObjectId -EndDate (Get-Date).AddMonths(6)
"#;

#[test]
fn az_resources_entra_commands_get_graph_application_permissions() {
    let permissions = json_of(AZ_AD_RUNBOOK);
    let expectations = [
        (
            "Get-AzADGroupMember",
            "GET /groups/{id}/members",
            "GroupMember.Read.All",
            4,
        ),
        ("Get-AzADUser", "GET /users", "User.ReadBasic.All", 6),
        (
            "Remove-AzADGroupMember",
            "DELETE /groups/{id}/members/{id}/$ref",
            "GroupMember.ReadWrite.All",
            8,
        ),
        (
            "New-AzADAppCredential",
            "POST /applications/{id}/addPassword",
            "Application.ReadWrite.OwnedBy",
            11,
        ),
    ];
    for (command, request, permission, line) in expectations {
        // The embedded table agrees with what the command reports.
        assert_eq!(tables::graph_command_permissions(command), Some(vec![permission]));
        let what = format!("{command} (Az.Resources: {request})");
        let entry = entry_for(&permissions, &what);
        assert_eq!(entry["permission"], permission, "{what}");
        assert_eq!(entry["certainty"], "least-privileged", "{what}");
        assert_eq!(entry["resource"], "Microsoft Graph");
        assert_eq!(entry["kind"], "app-role");
        let id = graph_app_role_id(permission).expect("the table only names permissions with ids");
        assert_eq!(entry["app_role_id"], id, "{what}");
        let reason = entry["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["what"] == what.as_str())
            .unwrap();
        assert_eq!(reason["line"], line, "{what}");
    }
    assert!(
        entry_for(
            &permissions,
            "New-AzADAppCredential (Az.Resources: POST /applications/{id}/addPassword)"
        )["note"]
            .as_str()
            .is_some_and(|n| n.contains("Application.ReadWrite.All")),
        "{permissions:#?}"
    );
    assert!(
        !permissions.iter().any(|p| p["certainty"] == "unknown"),
        "{permissions:#?}"
    );

    let (_, table) = run_on(AZ_AD_RUNBOOK, &[]);
    assert!(table.contains("User.ReadBasic.All"), "{table}");
    assert!(
        table.contains("Get-AzADUser (Az.Resources: GET /users) (line 6)"),
        "{table}"
    );
    assert!(
        !table.contains("Azure RBAC"),
        "Entra commands need Graph roles, not Azure RBAC:\n{table}"
    );

    let (_, grant) = run_on(AZ_AD_RUNBOOK, &["--format", "script"]);
    for permission in [
        "GroupMember.Read.All",
        "User.ReadBasic.All",
        "GroupMember.ReadWrite.All",
        "Application.ReadWrite.OwnedBy",
    ] {
        let id = graph_app_role_id(permission).unwrap();
        assert!(grant.contains(&format!("= '{id}'")), "{permission}:\n{grant}");
    }
    assert!(Script::parse(&grant).errors.is_empty(), "{grant}");
}

#[test]
fn every_az_resources_entra_command_and_alias_has_a_granted_permission() {
    for command in [
        "Get-AzADApplication",
        "Get-AzADServicePrincipal",
        "Get-AzADGroup",
        "New-AzADApplication",
        "New-AzADServicePrincipal",
        "New-AzADGroup",
        "New-AzADSpCredential",
        "Update-AzADApplication",
        "Remove-AzADApplication",
        "Get-AzADServicePrincipalCredential",
        "Set-AzADUser",
    ] {
        let (_, module) = tables::module_of(command).expect(command);
        assert_eq!(module, "Az.Resources", "{command}");
        let permissions = tables::graph_command_permissions(command).unwrap_or_else(|| panic!("{command}"));
        assert_eq!(permissions.len(), 1, "{command}");
        assert!(
            graph_app_role_id(permissions[0]).is_some(),
            "{command}: {permissions:?}"
        );
        let (_, path, known) = tables::graph_command_path(command).unwrap();
        assert!(known && path.starts_with('/'), "{command}");
    }
    let newer = json_of("Get-AzADSomethingNewer -Id x\n");
    assert_eq!(newer.len(), 1, "{newer:#?}");
    assert_eq!(newer[0]["certainty"], "unknown");
    assert_eq!(
        newer[0]["reasons"][0]["what"],
        "Get-AzADSomethingNewer (Az.Resources, calls Microsoft Graph)"
    );
}
