//! `mimigrate modules`: the modules each script needs, and what to import into the
//! Automation account, in order.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use serde::Serialize;

use super::closed_pipe_is_fine;
use super::inputs::{FileArgs, HasPath, TargetArgs};
use crate::fix::{fix_text, FixMode};
use crate::graphical::is_graphical;
use crate::modules::{account_plan, PlanWarning, ScriptReport};

#[derive(Args)]
pub struct ModulesArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = ModulesFormat::Table)]
    format: ModulesFormat,
    /// What each script needs once its fixes are applied (nothing is written).
    #[arg(long)]
    after_fix: bool,
    /// With --after-fix: apply unsafe fixes too.
    #[arg(long, requires = "after_fix")]
    unsafe_fixes: bool,
    #[command(flatten)]
    files: FileArgs,
    #[command(flatten)]
    target: TargetArgs,
}

#[derive(Clone, Copy, ValueEnum)]
enum ModulesFormat {
    /// Readable per-script tables and an import plan for the Automation account.
    Table,
    Json,
    /// `#Requires -Modules` lines to paste at the top of each script.
    Requires,
}

impl HasPath for ScriptReport {
    fn path(&self) -> &Path {
        &self.path
    }
}

pub fn run(args: ModulesArgs, quiet: bool) -> Result<ExitCode, String> {
    let mut inputs = args.files.load(&args.target)?;
    inputs.progress = !quiet && matches!(args.format, ModulesFormat::Table);
    let mode = FixMode {
        unsafe_fixes: args.unsafe_fixes,
    };
    let (reports, unread) = inputs.read_each(|input, _, source, graphical| {
        let fixed = args.after_fix.then(|| fix_text(&source.text, &input.options, mode));
        let text = fixed
            .as_ref()
            .map_or(source.text.as_str(), |outcome| outcome.text.as_str());
        let mut report = ScriptReport::new(input.path, text);
        if let Some(runbook) = &graphical {
            // The view's lines are not the file's: name the activity.
            report.name_activities(|offset| runbook.activity_at(offset, fixed.as_ref()).map(str::to_owned));
        }
        report
    });
    unread.report(quiet);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let printed = match args.format {
        ModulesFormat::Table => print_table(&mut out, &reports),
        ModulesFormat::Json => print_json(&mut out, &reports),
        ModulesFormat::Requires => print_requires(&mut out, &reports),
    };
    printed.and_then(|()| out.flush()).or_else(closed_pipe_is_fine)?;
    Ok(unread.exit_code(ExitCode::SUCCESS))
}

fn print_table(out: &mut dyn Write, reports: &[ScriptReport]) -> std::io::Result<()> {
    for report in reports {
        writeln!(out, "{}", report.path.display())?;
        let needs = &report.modules;
        if needs.modules.is_empty() {
            writeln!(out, "  (no modules to import)")?;
        }
        let width = needs.modules.iter().map(|m| m.name.len()).max().unwrap_or(0);
        for need in &needs.modules {
            let minimum = need.min_version.map(|v| format!(">= {v}")).unwrap_or_default();
            let why = match (&need.required_by, &need.activity, need.first_line) {
                (Some(by), _, _) => format!("required by {by}"),
                (None, Some(activity), _) => format!("{} (activity '{activity}')", need.commands.join(", ")),
                (None, None, Some(line)) => format!("{} (line {line})", need.commands.join(", ")),
                (None, None, None) => need.commands.join(", "),
            };
            writeln!(out, "  {:<width$}  {:<10} {why}", need.name, minimum)?;
            if let Some((meets, version)) = needs.declaration_meets(need) {
                if !meets {
                    let needed = need.min_version.unwrap_or_default();
                    let reason = need.min_reason.unwrap_or_default();
                    writeln!(
                        out,
                        "  {:<width$}  {:<10} ! declared {version}, below {needed} ({reason})",
                        "", ""
                    )?;
                }
            }
        }
        if !needs.declared.is_empty() {
            let declared: Vec<String> = needs
                .declared
                .iter()
                .map(|d| {
                    let version = d
                        .version
                        .as_deref()
                        .map(|v| format!(" {}{v}", if d.exact { "=" } else { ">=" }))
                        .unwrap_or_default();
                    let how = if d.by_requires { "#Requires" } else { "Import-Module" };
                    format!("{}{version} ({how}, line {})", d.module, report.line(d.range.start))
                })
                .collect();
            writeln!(out, "  declared: {}", declared.join("; "))?;
        }
        if !needs.unresolved.is_empty() {
            writeln!(out, "  unresolved: {}", needs.unresolved.join(", "))?;
        }
        if !needs.scripts.is_empty() {
            writeln!(
                out,
                "  runs other scripts (check their needs too): {}",
                needs.scripts.join(", ")
            )?;
        }
    }
    print_plan(out, reports)
}

/// What to import into the Automation account, for all scripts at once.
fn print_plan(out: &mut dyn Write, reports: &[ScriptReport]) -> std::io::Result<()> {
    let plan = account_plan(reports);
    let (resolved, unresolved) = (plan.resolved_uses, plan.unresolved_uses);
    if resolved + unresolved > 0 {
        let share = 100.0 * unresolved as f64 / (resolved + unresolved) as f64;
        writeln!(
            out,
            "\n{} scripts; command uses resolved to a module: {resolved}, unresolved: {unresolved} ({share:.1}%)",
            reports.len()
        )?;
    }
    if plan.imports.is_empty() {
        return Ok(());
    }
    writeln!(out, "\nImport into the Automation account, in this order:")?;
    for (position, need) in plan.imports.iter().enumerate() {
        let minimum = need.min_version.map(|v| format!(" (>= {v})")).unwrap_or_default();
        writeln!(out, "  {:>2}. {}{minimum}", position + 1, need.name)?;
    }
    for warning in &plan.warnings {
        match warning {
            PlanWarning::KnownBadRelease { module, version, why } => {
                writeln!(out, "  warning: avoid {module} {version}: {why}")?;
            }
            PlanWarning::PinsKnownBad {
                script,
                line,
                module,
                version,
                why,
            } => {
                writeln!(
                    out,
                    "  warning: {} pins {module} {version} (line {line}): {why}",
                    script.display()
                )?;
            }
            PlanWarning::ClassicAzure { scripts } => {
                writeln!(out, "  warning: the classic Azure module (Service Management; {}) cannot sign in with a managed identity (managed identities are Azure Resource Manager only), and most classic resources it manages are retired: move them to Resource Manager and the scripts to Az", listed(scripts))?;
            }
            PlanWarning::AzureRmWithAz { azurerm, az } => {
                writeln!(out, "  warning: AzureRM ({}) and Az ({}) cannot share an Automation account: migrate the AzureRM scripts to Az first", listed(azurerm), listed(az))?;
            }
            PlanWarning::PnPRuntime { scripts } => {
                writeln!(out, "  warning: PnP.PowerShell 3.x runs only on PowerShell 7.4 ({}): import 3.x for 7.4 runbooks, 2.x for 7.2 and 1.12.0 for 5.1; -ManagedIdentity needs 1.11.95 or later", listed(scripts))?;
            }
        }
    }
    Ok(())
}

/// `a.ps1, b.ps1`.
fn listed(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

#[derive(Serialize)]
struct JsonScript<'a> {
    path: String,
    modules: Vec<JsonModule<'a>>,
    unresolved: &'a [String],
    scripts: &'a [String],
    declared: Vec<JsonDeclared<'a>>,
    /// How many command calls resolved to a module (or family), and how many did not.
    resolved_uses: usize,
    unresolved_uses: usize,
}

#[derive(Serialize)]
struct JsonModule<'a> {
    name: &'a str,
    min_version: Option<&'a str>,
    min_reason: Option<&'a str>,
    commands: &'a [String],
    first_line: Option<usize>,
    /// In a graphical runbook, the activity of the first use (`first_line` is the
    /// view's line).
    #[serde(skip_serializing_if = "Option::is_none")]
    activity: Option<&'a str>,
    required_by: Option<&'a str>,
    /// `Some(false)` when the script's own `#Requires`/`Import-Module` pins a version
    /// below `min_version`; `None` when it pins none.
    declared_version_ok: Option<bool>,
}

#[derive(Serialize)]
struct JsonDeclared<'a> {
    module: &'a str,
    version: Option<&'a str>,
    exact: bool,
    line: usize,
    by: &'static str,
}

fn print_json(out: &mut dyn Write, reports: &[ScriptReport]) -> std::io::Result<()> {
    let scripts: Vec<JsonScript> = reports
        .iter()
        .map(|report| JsonScript {
            path: report.path.display().to_string(),
            modules: report
                .modules
                .modules
                .iter()
                .map(|need| JsonModule {
                    name: &need.name,
                    min_version: need.min_version,
                    min_reason: need.min_reason,
                    commands: &need.commands,
                    first_line: need.first_line,
                    activity: need.activity.as_deref(),
                    required_by: need.required_by.as_deref(),
                    declared_version_ok: report.modules.declaration_meets(need).map(|(ok, _)| ok),
                })
                .collect(),
            unresolved: &report.modules.unresolved,
            scripts: &report.modules.scripts,
            resolved_uses: report.modules.resolved_uses,
            unresolved_uses: report.modules.unresolved_uses,
            declared: report
                .modules
                .declared
                .iter()
                .map(|d| JsonDeclared {
                    module: &d.module,
                    version: d.version.as_deref(),
                    exact: d.exact,
                    line: report.line(d.range.start),
                    by: if d.by_requires { "requires" } else { "import-module" },
                })
                .collect(),
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &scripts)?;
    writeln!(out)
}

fn print_requires(out: &mut dyn Write, reports: &[ScriptReport]) -> std::io::Result<()> {
    for report in reports {
        writeln!(out, "# {}", report.path.display())?;
        match report.modules.requires_line() {
            // The canvas editor has no place for it: the account's modules are all it has.
            Some(_) if is_graphical(&report.path) => {
                let names: Vec<&str> = report.modules.modules.iter().map(|m| m.name.as_str()).collect();
                writeln!(
                    out,
                    "# (a graphical runbook cannot declare modules: import {} into the Automation account)",
                    names.join(", ")
                )?
            }
            Some(line) => writeln!(out, "{line}")?,
            None => writeln!(out, "# (no modules to import)")?,
        }
    }
    Ok(())
}
