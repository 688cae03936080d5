//! The command line (CLI.md): argument parsing and the commands. Everything here is
//! plumbing between files, the engine (`lint`, `fix`) and the printers.

mod check;
mod fix;
mod inputs;
mod modules;
mod permissions;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::rules::{self, FixAvailability};

#[derive(Parser)]
#[command(
    name = "mimigrate",
    version,
    about = "Find and rewrite retired Run As sign-in in Azure Automation PowerShell runbooks"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Colour in human output.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, help_heading = "Global options")]
    color: ColorChoice,
    /// Print findings only: no summary, no notes about skipped files.
    #[arg(short, long, global = true, help_heading = "Global options")]
    quiet: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand)]
enum Command {
    /// Report findings (the default command).
    Check(Box<check::CheckArgs>),
    /// Apply fixes in place (or show them with --diff).
    Fix(Box<fix::FixArgs>),
    /// List the modules each script needs, and what to import into the account.
    Modules(Box<modules::ModulesArgs>),
    /// List the Microsoft Graph and service permissions each script needs.
    Permissions(Box<permissions::PermissionsArgs>),
    /// Run the language server for editors on stdin/stdout (see README "Editors").
    Lsp,
    /// Print the PowerShell view of a graphical runbook (.graphrunbook): what `check` reads.
    View {
        /// An exported graphical runbook.
        file: std::path::PathBuf,
    },
    /// Print a rule's documentation; without CODE, list every rule.
    Rule {
        /// A rule code such as MI102, or its name (certificate-login).
        code: Option<String>,
    },
}

const SUBCOMMANDS: &[&str] = &["check", "fix", "modules", "permissions", "lsp", "view", "rule", "help"];

/// Parse the process arguments; `mimigrate PATHS` means `mimigrate check PATHS`. A
/// first argument that is no path and looks like a mistyped command is an error that
/// says so (`mimigrate chek`), not a missing file.
pub fn parse_args() -> Result<Cli, String> {
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let first = args.get(1).and_then(|a| a.to_str()).map(str::to_owned);
    let is_top_level_flag = |a: &str| matches!(a, "-h" | "--help" | "-V" | "--version");
    if let Some(first) = first
        .as_deref()
        .filter(|a| !SUBCOMMANDS.contains(a) && !is_top_level_flag(a))
    {
        if let Some(command) = mistyped_command(first) {
            return Err(format!(
                "unknown command `{first}` (and no file or folder of that name); did you mean `{command}`?"
            ));
        }
    }
    if first
        .as_deref()
        .is_none_or(|a| !SUBCOMMANDS.contains(&a) && !is_top_level_flag(a))
    {
        args.insert(1, "check".into());
    }
    Ok(Cli::parse_from(args))
}

/// The command `word` is a typo of: within two edits of one, and not an existing path.
fn mistyped_command(word: &str) -> Option<&'static str> {
    if word.starts_with('-') || word.len() < 3 || std::path::Path::new(word).exists() {
        return None;
    }
    SUBCOMMANDS
        .iter()
        .map(|command| (strsim::levenshtein(&word.to_lowercase(), command), *command))
        .filter(|(distance, _)| *distance <= 2)
        .min()
        .map(|(_, command)| command)
}

pub fn run(cli: Cli) -> ExitCode {
    let color = match cli.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let result = match cli.command {
        Command::Check(args) => check::run(*args, color, cli.quiet),
        Command::Fix(args) => fix::run(*args, color, cli.quiet),
        Command::Modules(args) => modules::run(*args, cli.quiet),
        Command::Permissions(args) => permissions::run(*args, cli.quiet),
        Command::Lsp => lsp(),
        Command::View { file } => view(&file),
        Command::Rule { code } => rule(code.as_deref()),
    };
    result.unwrap_or_else(|message| {
        eprintln!("mimigrate: {message}");
        ExitCode::from(2)
    })
}

#[cfg(feature = "lsp")]
fn lsp() -> Result<ExitCode, String> {
    Ok(crate::lsp::run_stdio())
}

#[cfg(not(feature = "lsp"))]
fn lsp() -> Result<ExitCode, String> {
    Err("this mimigrate was built without the `lsp` feature (cargo install --features lsp)".into())
}

/// `mimigrate view FILE`: the view `check` reads in a graphical runbook's place.
fn view(file: &std::path::Path) -> Result<ExitCode, String> {
    let bytes = crate::source::read_regular(file, crate::source::MAX_FILE_BYTES)
        .map_err(|e| format!("{}: {e}", file.display()))?;
    let runbook = crate::graphical::read_export(&bytes).map_err(|e| format!("{}: {e}", file.display()))?;
    let mut out = std::io::stdout().lock();
    out.write_all(runbook.view.text.as_bytes())
        .or_else(closed_pipe_is_fine)?;
    Ok(ExitCode::SUCCESS)
}

fn rule(code: Option<&str>) -> Result<ExitCode, String> {
    let text = match code {
        Some(code) => rules::by_code(&code.to_uppercase())
            .or_else(|| rules::ALL.iter().copied().find(|r| r.name.eq_ignore_ascii_case(code)))
            .ok_or_else(|| format!("no rule {code}; `mimigrate rule` lists them"))?
            .documentation
            .to_owned(),
        None => {
            let mut table = String::from("code   name                       severity  fix        summary\n");
            for rule in rules::ALL {
                let fix = match rule.fix {
                    FixAvailability::Always => "yes",
                    FixAvailability::Sometimes => "sometimes",
                    FixAvailability::None => "no",
                };
                table.push_str(&format!(
                    "{:<6} {:<26} {:<9} {:<10} {}\n",
                    rule.code,
                    rule.name,
                    rule.severity.as_str(),
                    fix,
                    rule.summary
                ));
            }
            table
        }
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes()).or_else(closed_pipe_is_fine)?;
    Ok(ExitCode::SUCCESS)
}

/// A closed pipe (`mimigrate check | head`) ends the output, not the run.
fn closed_pipe_is_fine(error: std::io::Error) -> Result<(), String> {
    match error.kind() {
        std::io::ErrorKind::BrokenPipe => Ok(()),
        _ => Err(error.to_string()),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
