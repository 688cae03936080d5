//! `mimigrate permissions`: what the managed identity must be granted for each script's
//! Graph, Exchange Online, SharePoint (PnP) and Teams calls, as a table, JSON, or a
//! PowerShell script that grants it.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use serde::Serialize;

use super::inputs::{FileArgs, HasPath, TargetArgs};
use super::{closed_pipe_is_fine, plural};
use crate::permissions::{
    analyze, graph_app_role_id, Certainty, Kind, Need, Resource, ScriptPermissions, GRAPH_APP_ID,
};
use crate::source::LineIndex;
use crate::syntax::model::Script;

#[derive(Args)]
pub struct PermissionsArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = PermissionsFormat::Table)]
    format: PermissionsFormat,
    #[command(flatten)]
    files: FileArgs,
}

#[derive(Clone, Copy, ValueEnum)]
enum PermissionsFormat {
    /// Per-script permissions with the lines that need them, and what to grant.
    Table,
    Json,
    /// A PowerShell script that grants the app roles and directory roles to a managed
    /// identity (its object id is the script's parameter); safe to re-run.
    Script,
}

/// One script's needs with line numbers resolved.
struct Report {
    path: PathBuf,
    lines: LineIndex,
    result: ScriptPermissions,
}

impl HasPath for Report {
    fn path(&self) -> &std::path::Path {
        &self.path
    }
}

impl Report {
    fn line(&self, offset: usize) -> usize {
        self.lines.line_of(offset) + 1
    }
}

const UNKNOWN_MEANS: &str =
    "\"unknown\" means mimigrate's data does not cover the call: check it by hand; it never means that no permission is needed";

pub fn run(args: PermissionsArgs, quiet: bool) -> Result<ExitCode, String> {
    let mut inputs = args.files.load(&TargetArgs::default())?;
    inputs.progress = !quiet && matches!(args.format, PermissionsFormat::Table);
    let (reports, unread) = inputs.read_each(|input, _, source| Report {
        path: input.path,
        lines: LineIndex::new(&source.text),
        result: analyze(&Script::parse(&source.text)),
    });
    unread.report(quiet);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let printed = match args.format {
        PermissionsFormat::Table => print_table(&mut out, &reports),
        PermissionsFormat::Json => print_json(&mut out, &reports),
        PermissionsFormat::Script => print_script(&mut out, &reports),
    };
    printed.and_then(|()| out.flush()).or_else(closed_pipe_is_fine)?;
    Ok(unread.exit_code(ExitCode::SUCCESS))
}

fn resource_label(resource: Resource) -> String {
    match resource.kind() {
        Kind::AppRole => format!("{} app role", resource.display_name()),
        Kind::DirectoryRole => "Entra directory role".to_owned(),
    }
}

/// `Get-MgUser (lines 3, 9)`: a need's reasons, one entry per distinct call.
fn reason_lines(report: &Report, need: &Need) -> Vec<String> {
    let mut grouped: Vec<(&str, Vec<usize>)> = Vec::new();
    for reason in &need.reasons {
        let line = report.line(reason.range.start);
        match grouped.iter_mut().find(|(what, _)| *what == reason.what) {
            Some((_, lines)) => {
                if !lines.contains(&line) {
                    lines.push(line);
                }
            }
            None => grouped.push((&reason.what, vec![line])),
        }
    }
    grouped
        .into_iter()
        .map(|(what, lines)| {
            let numbers: Vec<String> = lines.iter().map(ToString::to_string).collect();
            format!(
                "{what} (line{} {})",
                if lines.len() == 1 { "" } else { "s" },
                numbers.join(", ")
            )
        })
        .collect()
}

fn print_table(out: &mut dyn Write, reports: &[Report]) -> std::io::Result<()> {
    for report in reports {
        writeln!(out, "{}", report.path.display())?;
        let needs = &report.result.needs;
        if needs.is_empty() {
            writeln!(
                out,
                "  no Microsoft Graph, Exchange Online, SharePoint (PnP) or Teams calls found"
            )?;
        }
        let permission_width = needs
            .iter()
            .map(|n| n.permission.unwrap_or("unknown").len())
            .max()
            .unwrap_or(0);
        let resource_width = needs
            .iter()
            .map(|n| resource_label(n.resource).len())
            .max()
            .unwrap_or(0);
        let certainty_width = "least-privileged".len();
        for need in needs {
            let reasons = reason_lines(report, need);
            let indent = 2 + permission_width + 2 + resource_width + 2 + certainty_width + 2;
            for (index, reason) in reasons.iter().enumerate() {
                if index == 0 {
                    writeln!(
                        out,
                        "  {:<permission_width$}  {:<resource_width$}  {:<certainty_width$}  {reason}",
                        need.permission.unwrap_or("unknown"),
                        resource_label(need.resource),
                        need.certainty.as_str(),
                    )?;
                } else {
                    writeln!(out, "{:indent$}{reason}", "")?;
                }
            }
            if let Some(note) = need.note {
                writeln!(out, "{:indent$}note: {note}", "")?;
            }
        }
        for note in &report.result.notes {
            writeln!(out, "  note (line {}): {}", report.line(note.range.start), note.text)?;
        }
    }
    print_summary(out, reports)
}

/// A permission to grant, over every script.
struct Grant {
    resource: Resource,
    permission: &'static str,
    /// The best certainty any script has for it.
    certainty: Certainty,
    note: Option<&'static str>,
    /// `path line N: what`, for comments.
    reasons: Vec<String>,
}

impl Grant {
    fn app_role_id(&self) -> Option<&'static str> {
        match self.resource {
            Resource::Graph => graph_app_role_id(self.permission),
            _ => None,
        }
    }
}

/// The union of every script's grants (deduplicated: each script already chose the
/// lowest-privilege permission for each call), and the calls no data covers.
fn union(reports: &[Report]) -> (Vec<Grant>, Vec<String>) {
    let mut grants: BTreeMap<(Resource, &'static str), Grant> = BTreeMap::new();
    let mut unknown = Vec::new();
    for report in reports {
        for need in &report.result.needs {
            let located = need.reasons.iter().map(|r| {
                format!(
                    "{} line {}: {}",
                    report.path.display(),
                    report.line(r.range.start),
                    r.what
                )
            });
            let Some(permission) = need.permission else {
                unknown.extend(located);
                continue;
            };
            let grant = grants.entry((need.resource, permission)).or_insert_with(|| Grant {
                resource: need.resource,
                permission,
                certainty: need.certainty,
                note: need.note,
                reasons: Vec::new(),
            });
            grant.certainty = grant.certainty.min(need.certainty);
            grant.reasons.extend(located);
        }
    }
    (grants.into_values().collect(), unknown)
}

fn print_summary(out: &mut dyn Write, reports: &[Report]) -> std::io::Result<()> {
    let (grants, unknown) = union(reports);
    writeln!(out)?;
    if grants.is_empty() && unknown.is_empty() {
        writeln!(
            out,
            "Nothing to grant for the Graph, Exchange Online, SharePoint (PnP) or Teams calls of {} script{}.",
            reports.len(),
            plural(reports.len())
        )?;
        return Ok(());
    }
    writeln!(
        out,
        "To grant the managed identity ({} script{}):",
        reports.len(),
        plural(reports.len())
    )?;
    let mut by_label: BTreeMap<(Resource, String), Vec<&Grant>> = BTreeMap::new();
    for grant in &grants {
        by_label
            .entry((grant.resource, resource_label(grant.resource)))
            .or_default()
            .push(grant);
    }
    for ((_, label), grants) in &by_label {
        writeln!(out, "  {label}{}:", plural(grants.len()))?;
        for grant in grants {
            let mut remarks = Vec::new();
            if grant.certainty == Certainty::Likely {
                remarks.push("likely: inferred endpoint".to_owned());
            }
            if grant.resource == Resource::Graph && grant.app_role_id().is_none() {
                remarks.push("app role id not in mimigrate's data: the script looks it up by name".to_owned());
            }
            if let Some(note) = grant.note {
                remarks.push(note.to_owned());
            }
            let remarks = if remarks.is_empty() {
                String::new()
            } else {
                format!("  ({})", remarks.join("; "))
            };
            writeln!(out, "    {}{remarks}", grant.permission)?;
        }
    }
    if !unknown.is_empty() {
        writeln!(
            out,
            "  Check by hand: {} Graph call{} whose permission is unknown (listed above).",
            unknown.len(),
            plural(unknown.len())
        )?;
        writeln!(out, "  {UNKNOWN_MEANS}.")?;
    }
    writeln!(
        out,
        "`mimigrate permissions --format script` writes a PowerShell script that grants these."
    )
}

#[derive(Serialize)]
struct JsonScript {
    path: String,
    permissions: Vec<JsonPermission>,
    notes: Vec<JsonNote>,
}

#[derive(Serialize)]
struct JsonPermission {
    resource: &'static str,
    resource_app_id: Option<&'static str>,
    permission: Option<&'static str>,
    kind: &'static str,
    certainty: &'static str,
    app_role_id: Option<&'static str>,
    note: Option<&'static str>,
    reasons: Vec<JsonReason>,
}

#[derive(Serialize)]
struct JsonReason {
    what: String,
    line: usize,
}

#[derive(Serialize)]
struct JsonNote {
    text: String,
    line: usize,
}

fn print_json(out: &mut dyn Write, reports: &[Report]) -> std::io::Result<()> {
    let scripts: Vec<JsonScript> = reports
        .iter()
        .map(|report| JsonScript {
            path: report.path.display().to_string(),
            permissions: report
                .result
                .needs
                .iter()
                .map(|need| JsonPermission {
                    resource: need.resource.display_name(),
                    resource_app_id: need.resource.app_id(),
                    permission: need.permission,
                    kind: need.kind().as_str(),
                    certainty: need.certainty.as_str(),
                    app_role_id: need.app_role_id(),
                    note: need.note,
                    reasons: need
                        .reasons
                        .iter()
                        .map(|r| JsonReason {
                            what: r.what.clone(),
                            line: report.line(r.range.start),
                        })
                        .collect(),
                })
                .collect(),
            notes: report
                .result
                .notes
                .iter()
                .map(|n| JsonNote {
                    text: n.text.clone(),
                    line: report.line(n.range.start),
                })
                .collect(),
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &scripts).map_err(std::io::Error::other)?;
    writeln!(out)
}

/// A PowerShell single-quoted string.
fn quoted(text: &str) -> String {
    let mut out = String::from("'");
    for c in text.chars() {
        // Every quote character PowerShell accepts is doubled to stand for itself.
        if matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}') {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
    out
}

/// Text safe inside a `#` comment: one line, no control characters.
fn comment(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

/// The first few reasons of a grant, for a comment.
fn some_reasons(reasons: &[String]) -> String {
    const SHOWN: usize = 3;
    let mut text = reasons.iter().take(SHOWN).cloned().collect::<Vec<_>>().join("; ");
    if reasons.len() > SHOWN {
        text.push_str(&format!("; and {} more", reasons.len() - SHOWN));
    }
    comment(&text)
}

fn print_script(out: &mut dyn Write, reports: &[Report]) -> std::io::Result<()> {
    let (grants, unknown) = union(reports);
    let graph: Vec<&Grant> = grants.iter().filter(|g| g.resource == Resource::Graph).collect();
    let (graph_by_id, graph_by_name): (Vec<&Grant>, Vec<&Grant>) =
        graph.iter().partition(|g| g.app_role_id().is_some());
    let other_app_roles: Vec<&Grant> = grants
        .iter()
        .filter(|g| g.resource != Resource::Graph && g.resource.kind() == Kind::AppRole)
        .collect();
    let directory_roles: Vec<&Grant> = grants
        .iter()
        .filter(|g| g.resource.kind() == Kind::DirectoryRole)
        .collect();
    let names = |grants: &[&Grant]| grants.iter().map(|g| g.permission).collect::<Vec<_>>().join(", ");

    // Header: what it grants, from which scripts, and what it leaves to the admin.
    writeln!(
        out,
        "# Grants an Azure Automation account's managed identity what its runbooks need."
    )?;
    writeln!(
        out,
        "# Generated by mimigrate {} (`mimigrate permissions --format script`) from:",
        env!("CARGO_PKG_VERSION")
    )?;
    for report in reports {
        writeln!(out, "#   {}", comment(&report.path.display().to_string()))?;
    }
    writeln!(out, "#")?;
    if !graph.is_empty() {
        writeln!(out, "# Microsoft Graph app roles: {}", names(&graph))?;
    }
    for grant in &other_app_roles {
        writeln!(
            out,
            "# {} app role: {}",
            grant.resource.display_name(),
            grant.permission
        )?;
    }
    if !directory_roles.is_empty() {
        writeln!(out, "# Entra directory roles: {}", names(&directory_roles))?;
    }
    if grants.is_empty() {
        writeln!(out, "# Nothing to grant was found.")?;
    }
    let likely: Vec<&&Grant> = graph.iter().filter(|g| g.certainty == Certainty::Likely).collect();
    if !likely.is_empty() {
        writeln!(out, "#")?;
        writeln!(
            out,
            "# Likely (the endpoint was inferred; granted below, check they are what the calls need):"
        )?;
        for grant in likely {
            writeln!(out, "#   {}: {}", grant.permission, some_reasons(&grant.reasons))?;
        }
    }
    if !unknown.is_empty() {
        writeln!(out, "#")?;
        writeln!(out, "# Check by hand, NOT granted by this script ({}):", UNKNOWN_MEANS)?;
        for line in &unknown {
            writeln!(out, "#   {}", comment(line))?;
        }
    }
    for report in reports {
        for note in &report.result.notes {
            writeln!(
                out,
                "# Note: {} line {}: {}",
                comment(&report.path.display().to_string()),
                report.line(note.range.start),
                comment(&note.text)
            )?;
        }
    }
    writeln!(out, "#")?;
    writeln!(
        out,
        "# Run it as an admin who may grant app roles and directory roles (Privileged Role"
    )?;
    writeln!(
        out,
        "# Administrator or Global Administrator), once per identity. -ObjectId is the object"
    )?;
    writeln!(
        out,
        "# (principal) id of the identity's service principal: for a system-assigned identity,"
    )?;
    writeln!(
        out,
        "# the account's Identity page. Safe to re-run: what is already granted is skipped."
    )?;
    writeln!(out)?;
    let mut modules = vec!["Microsoft.Graph.Authentication", "Microsoft.Graph.Applications"];
    if !directory_roles.is_empty() {
        modules.push("Microsoft.Graph.Identity.Governance");
    }
    writeln!(out, "#Requires -Modules {}", modules.join(", "))?;
    writeln!(out)?;
    writeln!(out, "param(")?;
    writeln!(out, "    [Parameter(Mandatory)]")?;
    writeln!(out, "    [string] $ObjectId")?;
    writeln!(out, ")")?;
    writeln!(out)?;
    writeln!(out, "$ErrorActionPreference = 'Stop'")?;
    writeln!(out)?;
    if grants.is_empty() {
        writeln!(out, "Write-Output 'Nothing to grant.'")?;
        return Ok(());
    }

    let mut scopes = vec!["AppRoleAssignment.ReadWrite.All", "Application.Read.All"];
    if !directory_roles.is_empty() {
        scopes.push("RoleManagement.ReadWrite.Directory");
    }
    let scopes: Vec<String> = scopes.into_iter().map(quoted).collect();
    writeln!(out, "Connect-MgGraph -Scopes {} -NoWelcome", scopes.join(", "))?;
    writeln!(out)?;
    out.write_all(SCRIPT_HELPERS.as_bytes())?;

    if !graph.is_empty() {
        writeln!(out)?;
        writeln!(out, "# Microsoft Graph app roles")?;
        writeln!(out, "$graph = Get-ResourcePrincipal -AppId {}", quoted(GRAPH_APP_ID))?;
    }
    if !graph_by_id.is_empty() {
        writeln!(out, "# ids from Microsoft Graph's permission reference")?;
        writeln!(out, "$graphRoles = [ordered]@{{")?;
        let width = graph_by_id
            .iter()
            .map(|g| quoted(g.permission).len())
            .max()
            .unwrap_or(0);
        for grant in &graph_by_id {
            writeln!(out, "    # {}{}", likely_prefix(grant), some_reasons(&grant.reasons))?;
            writeln!(
                out,
                "    {:<width$} = {}",
                quoted(grant.permission),
                quoted(grant.app_role_id().unwrap_or_default())
            )?;
        }
        writeln!(out, "}}")?;
        writeln!(out, "foreach ($role in $graphRoles.GetEnumerator()) {{")?;
        writeln!(
            out,
            "    Grant-AppRole -Resource $graph -Permission $role.Key -AppRoleId $role.Value"
        )?;
        writeln!(out, "}}")?;
    }
    if !graph_by_name.is_empty() {
        writeln!(out, "# app roles whose id mimigrate's data lacks: looked up by name")?;
    }
    for grant in &graph_by_name {
        writeln!(out, "# {}{}", likely_prefix(grant), some_reasons(&grant.reasons))?;
        writeln!(
            out,
            "Grant-NamedAppRole -Resource $graph -Value {}",
            quoted(grant.permission)
        )?;
    }

    let mut by_resource: BTreeMap<Resource, Vec<&Grant>> = BTreeMap::new();
    for grant in &other_app_roles {
        by_resource.entry(grant.resource).or_default().push(grant);
    }
    for (resource, grants) in &by_resource {
        let variable = match resource {
            Resource::Exchange => "$exchange",
            Resource::SharePoint => "$sharePoint",
            _ => "$resource",
        };
        writeln!(out)?;
        writeln!(
            out,
            "# {} app roles (looked up by name on its service principal)",
            resource.display_name()
        )?;
        writeln!(
            out,
            "{variable} = Get-ResourcePrincipal -AppId {}",
            quoted(resource.app_id().unwrap_or_default())
        )?;
        for grant in grants {
            writeln!(out, "# {}", some_reasons(&grant.reasons))?;
            if let Some(note) = grant.note {
                writeln!(out, "# {}", comment(note))?;
            }
            writeln!(
                out,
                "Grant-NamedAppRole -Resource {variable} -Value {}",
                quoted(grant.permission)
            )?;
        }
    }

    for grant in &directory_roles {
        let name = quoted(grant.permission);
        writeln!(out)?;
        writeln!(
            out,
            "# Entra directory role {}: {}",
            grant.permission,
            some_reasons(&grant.reasons)
        )?;
        if let Some(note) = grant.note {
            writeln!(out, "# {}", comment(note))?;
        }
        writeln!(
            out,
            "$definition = Get-MgRoleManagementDirectoryRoleDefinition -Filter \"displayName eq {name}\""
        )?;
        writeln!(
            out,
            "if (-not $definition) {{ throw \"No directory role named {name} in this tenant\" }}"
        )?;
        writeln!(
            out,
            "$existing = Get-MgRoleManagementDirectoryRoleAssignment -Filter \"principalId eq '$ObjectId' and roleDefinitionId eq '$($definition.Id)'\""
        )?;
        writeln!(out, "if ($existing) {{")?;
        writeln!(
            out,
            "    Write-Output \"already granted: {} (Entra directory role)\"",
            grant.permission
        )?;
        writeln!(out, "}} else {{")?;
        writeln!(
            out,
            "    $null = New-MgRoleManagementDirectoryRoleAssignment -PrincipalId $ObjectId -RoleDefinitionId $definition.Id -DirectoryScopeId '/'"
        )?;
        writeln!(
            out,
            "    Write-Output \"granted: {} (Entra directory role)\"",
            grant.permission
        )?;
        writeln!(out, "}}")?;
    }
    Ok(())
}

fn likely_prefix(grant: &Grant) -> &'static str {
    if grant.certainty == Certainty::Likely {
        "likely: inferred endpoint: "
    } else {
        ""
    }
}

/// The part of the generated script that does not depend on the permissions: the
/// identity's current app role assignments, read once, and the grant helpers.
const SCRIPT_HELPERS: &str = r#"$identity = Get-MgServicePrincipal -ServicePrincipalId $ObjectId
Write-Output "Granting to $($identity.DisplayName) ($ObjectId)"
$assigned = @(Get-MgServicePrincipalAppRoleAssignment -ServicePrincipalId $ObjectId -All)

function Get-ResourcePrincipal {
    param([Parameter(Mandatory)] [string] $AppId)
    $principal = Get-MgServicePrincipal -Filter "appId eq '$AppId'"
    if (-not $principal) { throw "No service principal for application $AppId in this tenant" }
    $principal
}

# Skips a role the identity already has.
function Grant-AppRole {
    param(
        [Parameter(Mandatory)] $Resource,
        [Parameter(Mandatory)] [string] $Permission,
        [Parameter(Mandatory)] [string] $AppRoleId
    )
    $already = $assigned | Where-Object { $_.ResourceId -eq $Resource.Id -and $_.AppRoleId -eq $AppRoleId }
    if ($already) {
        Write-Output "already granted: $Permission ($($Resource.DisplayName))"
        return
    }
    $null = New-MgServicePrincipalAppRoleAssignment -ServicePrincipalId $ObjectId -PrincipalId $ObjectId -ResourceId $Resource.Id -AppRoleId $AppRoleId
    Write-Output "granted: $Permission ($($Resource.DisplayName))"
}

# An app role of a resource other than Graph, found by its value (e.g. Exchange.ManageAsApp).
function Grant-NamedAppRole {
    param(
        [Parameter(Mandatory)] $Resource,
        [Parameter(Mandatory)] [string] $Value
    )
    $role = $Resource.AppRoles | Where-Object { $_.Value -eq $Value -and $_.AllowedMemberTypes -contains 'Application' }
    if (-not $role) {
        Write-Warning "not granted: $($Resource.DisplayName) has no application role $Value; grant it by hand"
        return
    }
    Grant-AppRole -Resource $Resource -Permission $Value -AppRoleId $role.Id
}
"#;
