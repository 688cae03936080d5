//! `mimigrate modules`: the modules each script needs, and what to import into the
//! Automation account, in order.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use serde::Serialize;

use super::closed_pipe_is_fine;
use super::inputs::{FileArgs, HasPath, TargetArgs};
use crate::fix::{fix_text, FixMode};
use crate::modules::{account_plan, version_at_least, Declared, ModuleNeed, ScriptModules, CLASSIC_AZURE, KNOWN_BAD};
use crate::source::LineIndex;
use crate::syntax::model::Script;

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

/// One script's needs, as the printers see them.
struct Report {
    path: PathBuf,
    lines: LineIndex,
    needs: ScriptModules,
}

impl HasPath for Report {
    fn path(&self) -> &std::path::Path {
        &self.path
    }
}

pub fn run(args: ModulesArgs, quiet: bool) -> Result<ExitCode, String> {
    let mut inputs = args.files.load(&args.target)?;
    inputs.progress = !quiet && matches!(args.format, ModulesFormat::Table);
    let mode = FixMode {
        unsafe_fixes: args.unsafe_fixes,
    };
    let (reports, unread) = inputs.read_each(|input, _, source| {
        let text = if args.after_fix {
            fix_text(&source.text, &input.options, mode).text
        } else {
            source.text
        };
        let script = Script::parse(&text);
        let lines = LineIndex::new(&text);
        let needs = ScriptModules::analyze(&script, &lines);
        Report {
            path: input.path,
            lines,
            needs,
        }
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

fn line_of(report: &Report, declared: &Declared) -> usize {
    report.lines.line_of(declared.range.start) + 1
}

/// Whether the script's own declaration of a module meets the minimum its code needs:
/// `None` when it declares none, or no version.
fn declaration_meets(need: &ModuleNeed, declared: &[Declared]) -> Option<(bool, String)> {
    let found = declared.iter().find(|d| d.module.eq_ignore_ascii_case(&need.name))?;
    let version = found.version.as_deref()?;
    let minimum = need.min_version?;
    let meets = version_at_least(version, minimum);
    Some((meets, version.to_owned()))
}

fn print_table(out: &mut dyn Write, reports: &[Report]) -> std::io::Result<()> {
    for report in reports {
        writeln!(out, "{}", report.path.display())?;
        let needs = &report.needs;
        if needs.modules.is_empty() {
            writeln!(out, "  (no modules to import)")?;
        }
        let width = needs.modules.iter().map(|m| m.name.len()).max().unwrap_or(0);
        for need in &needs.modules {
            let minimum = need.min_version.map(|v| format!(">= {v}")).unwrap_or_default();
            let why = match (&need.required_by, need.first_line) {
                (Some(by), _) => format!("required by {by}"),
                (None, Some(line)) => format!("{} (line {line})", need.commands.join(", ")),
                (None, None) => need.commands.join(", "),
            };
            writeln!(out, "  {:<width$}  {:<10} {why}", need.name, minimum)?;
            if let Some((meets, version)) = declaration_meets(need, &needs.declared) {
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
                    format!("{}{version} ({how}, line {})", d.module, line_of(report, d))
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
fn print_plan(out: &mut dyn Write, reports: &[Report]) -> std::io::Result<()> {
    let resolved: usize = reports.iter().map(|r| r.needs.resolved_uses).sum();
    let unresolved: usize = reports.iter().map(|r| r.needs.unresolved_uses).sum();
    if resolved + unresolved > 0 {
        let share = 100.0 * unresolved as f64 / (resolved + unresolved) as f64;
        writeln!(
            out,
            "\n{} scripts; command uses resolved to a module: {resolved}, unresolved: {unresolved} ({share:.1}%)",
            reports.len()
        )?;
    }
    let plan = account_plan(reports.iter().map(|r| &r.needs));
    if plan.is_empty() {
        return Ok(());
    }
    writeln!(out, "\nImport into the Automation account, in this order:")?;
    for (position, need) in plan.iter().enumerate() {
        let minimum = need.min_version.map(|v| format!(" (>= {v})")).unwrap_or_default();
        writeln!(out, "  {:>2}. {}{minimum}", position + 1, need.name)?;
    }
    for (module, version, why) in KNOWN_BAD {
        let family = |name: &str| {
            name.eq_ignore_ascii_case(module) || name.to_lowercase().starts_with(&format!("{}.", module.to_lowercase()))
        };
        if plan.iter().any(|n| family(&n.name)) {
            writeln!(out, "  warning: avoid {module} {version}: {why}")?;
        }
    }
    for report in reports {
        for declared in &report.needs.declared {
            let pinned = KNOWN_BAD.iter().find(|(module, version, _)| {
                declared.module.eq_ignore_ascii_case(module) && declared.version.as_deref() == Some(version)
            });
            if let Some((module, version, why)) = pinned {
                writeln!(
                    out,
                    "  warning: {} pins {module} {version} (line {}): {why}",
                    report.path.display(),
                    line_of(report, declared)
                )?;
            }
        }
    }
    let classic: Vec<String> = reports
        .iter()
        .filter(|r| r.needs.modules.iter().any(|m| m.name == CLASSIC_AZURE))
        .map(|r| r.path.display().to_string())
        .collect();
    if !classic.is_empty() {
        writeln!(out, "  warning: the classic Azure module (Service Management; {}) cannot sign in with a managed identity (managed identities are Azure Resource Manager only), and most classic resources it manages are retired: move them to Resource Manager and the scripts to Az", classic.join(", "))?;
    }
    let azurerm: Vec<String> = scripts_using(reports, "azurerm");
    let az: Vec<String> = scripts_using(reports, "az.");
    if !azurerm.is_empty() && !az.is_empty() {
        writeln!(out, "  warning: AzureRM ({}) and Az ({}) cannot share an Automation account: migrate the AzureRM scripts to Az first", azurerm.join(", "), az.join(", "))?;
    }
    Ok(())
}

fn scripts_using(reports: &[Report], prefix: &str) -> Vec<String> {
    reports
        .iter()
        .filter(|r| {
            r.needs
                .modules
                .iter()
                .any(|m| m.name.to_lowercase().starts_with(prefix))
        })
        .map(|r| r.path.display().to_string())
        .collect()
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

fn print_json(out: &mut dyn Write, reports: &[Report]) -> std::io::Result<()> {
    let scripts: Vec<JsonScript> = reports
        .iter()
        .map(|report| JsonScript {
            path: report.path.display().to_string(),
            modules: report
                .needs
                .modules
                .iter()
                .map(|need| JsonModule {
                    name: &need.name,
                    min_version: need.min_version,
                    min_reason: need.min_reason,
                    commands: &need.commands,
                    first_line: need.first_line,
                    required_by: need.required_by.as_deref(),
                    declared_version_ok: declaration_meets(need, &report.needs.declared).map(|(ok, _)| ok),
                })
                .collect(),
            unresolved: &report.needs.unresolved,
            scripts: &report.needs.scripts,
            resolved_uses: report.needs.resolved_uses,
            unresolved_uses: report.needs.unresolved_uses,
            declared: report
                .needs
                .declared
                .iter()
                .map(|d| JsonDeclared {
                    module: &d.module,
                    version: d.version.as_deref(),
                    exact: d.exact,
                    line: line_of(report, d),
                    by: if d.by_requires { "requires" } else { "import-module" },
                })
                .collect(),
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &scripts)?;
    writeln!(out)
}

fn print_requires(out: &mut dyn Write, reports: &[Report]) -> std::io::Result<()> {
    for report in reports {
        let modules: Vec<String> = report
            .needs
            .modules
            .iter()
            .filter(|m| !m.name.contains('*'))
            .map(|m| match m.min_version {
                Some(version) => format!("@{{ ModuleName = '{}'; ModuleVersion = '{version}' }}", m.name),
                None => m.name.clone(),
            })
            .collect();
        writeln!(out, "# {}", report.path.display())?;
        if modules.is_empty() {
            writeln!(out, "# (no modules to import)")?;
        } else {
            writeln!(out, "#Requires -Modules {}", modules.join(", "))?;
        }
    }
    Ok(())
}
