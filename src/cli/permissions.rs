//! `mimigrate permissions`: what the managed identity must be granted for each script's
//! Graph, Exchange Online, SharePoint (PnP) and Teams calls, as a table, JSON, or a
//! PowerShell script that grants it (the analysis and the script are `crate::permissions`'s).

use std::collections::BTreeMap;
use std::io::Write;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use serde::Serialize;

use super::inputs::{FileArgs, HasPath, TargetArgs};
use super::{closed_pipe_is_fine, plural};
use crate::permissions::{
    account_grants, grant_script, AccountGrants, Certainty, Grant, Kind, Need, Resource, ScriptReport, UNKNOWN_MEANS,
};

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

impl HasPath for ScriptReport {
    fn path(&self) -> &std::path::Path {
        &self.path
    }
}

pub fn run(args: PermissionsArgs, quiet: bool) -> Result<ExitCode, String> {
    let mut inputs = args.files.load(&TargetArgs::default())?;
    inputs.progress = !quiet && matches!(args.format, PermissionsFormat::Table);
    let (reports, unread) = inputs.read_each(|input, _, source, _| ScriptReport::new(input.path, &source.text));
    unread.report(quiet);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let printed = match args.format {
        PermissionsFormat::Table => print_table(&mut out, &reports),
        PermissionsFormat::Json => print_json(&mut out, &reports),
        PermissionsFormat::Script => out.write_all(grant_script(&reports).as_bytes()),
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
fn reason_lines(report: &ScriptReport, need: &Need) -> Vec<String> {
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

fn print_table(out: &mut dyn Write, reports: &[ScriptReport]) -> std::io::Result<()> {
    for report in reports {
        writeln!(out, "{}", report.path.display())?;
        let needs = &report.permissions.needs;
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
        for note in &report.permissions.notes {
            writeln!(out, "  note (line {}): {}", report.line(note.range.start), note.text)?;
        }
    }
    print_summary(out, reports)
}

fn print_summary(out: &mut dyn Write, reports: &[ScriptReport]) -> std::io::Result<()> {
    let AccountGrants { grants, unknown } = account_grants(reports);
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

fn print_json(out: &mut dyn Write, reports: &[ScriptReport]) -> std::io::Result<()> {
    let scripts: Vec<JsonScript> = reports
        .iter()
        .map(|report| JsonScript {
            path: report.path.display().to_string(),
            permissions: report
                .permissions
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
                .permissions
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
