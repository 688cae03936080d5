//! The command line (CLI.md): argument parsing and the `check` and `rule` commands.
//! Everything here is plumbing between files, the engine (`lint`) and the printers.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, Parser, Subcommand, ValueEnum};
use rayon::prelude::*;

use crate::config::{Config, ConfigError};
use crate::discover::{discover, ConfigSource, Configs};
use crate::lint::{CheckedFile, LintOptions, RuleSelection};
use crate::output::{is_fixable, Format};
use crate::rules::{self, FixAvailability};
use crate::source::{Encoding, SourceText};
use crate::target::{Identity, MigrationTarget, SubscriptionSource};

/// Files larger than this are reported and skipped: no runbook is this big, and the
/// Automation service rejects runbooks far smaller.
const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

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
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Print findings only: no summary, no notes about skipped files.
    #[arg(short, long, global = true)]
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
    Check(Box<CheckArgs>),
    /// Print a rule's documentation; without CODE, list every rule.
    Rule {
        /// A rule code such as MI102.
        code: Option<String>,
    },
}

#[derive(Args)]
struct CheckArgs {
    /// Files or folders to check; `-` reads one script from stdin.
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// Output format [default: full on a terminal, concise otherwise].
    #[arg(long, value_enum, env = "MIMIGRATE_FORMAT")]
    format: Option<Format>,
    /// Only these codes or prefixes (comma list), replacing the config's `select`.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    select: Vec<String>,
    /// Also ignore these codes or prefixes (comma list).
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    ignore: Vec<String>,
    /// Use this config file for every script instead of the nearest mimigrate.toml.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    config: Option<PathBuf>,
    /// Ignore every mimigrate.toml: built-in defaults only.
    #[arg(long)]
    no_config: bool,
    /// Apply `exclude` to files named on the command line too (for pre-commit).
    #[arg(long)]
    force_exclude: bool,
    /// Exit 0 even when there are findings.
    #[arg(long)]
    exit_zero: bool,
    /// The name of the script read from stdin, for config matching and messages.
    #[arg(long, value_name = "NAME")]
    stdin_filename: Option<PathBuf>,
    #[command(flatten)]
    target: TargetArgs,
}

/// What fixes migrate to; also settable in the config's `[identity]`/`[subscription]`.
#[derive(Args)]
struct TargetArgs {
    /// Managed identity kind the rewritten sign-ins use.
    #[arg(long, value_enum)]
    identity: Option<IdentityArg>,
    /// Client id of a user-assigned identity.
    #[arg(long, value_name = "GUID", conflicts_with = "client_id_variable")]
    client_id: Option<String>,
    /// Automation variable holding a user-assigned identity's client id.
    #[arg(long, value_name = "NAME")]
    client_id_variable: Option<String>,
    /// Automation variable holding the subscription id (replaces `$conn.SubscriptionID`).
    #[arg(long, value_name = "NAME", conflicts_with = "subscription_parameter")]
    subscription_variable: Option<String>,
    /// Runbook parameter holding the subscription id.
    #[arg(long, value_name = "NAME")]
    subscription_parameter: Option<String>,
}

#[derive(Clone, Copy, ValueEnum)]
enum IdentityArg {
    System,
    User,
}

impl TargetArgs {
    /// The config's target with the command line's choices on top.
    fn apply(&self, base: &MigrationTarget) -> Result<MigrationTarget, String> {
        let mut target = base.clone();
        if let Some(id) = &self.client_id {
            target.identity = Identity::UserClientId(id.clone());
        } else if let Some(variable) = &self.client_id_variable {
            target.identity = Identity::UserClientIdVariable(variable.clone());
        } else if let Some(IdentityArg::System) = self.identity {
            target.identity = Identity::System;
        }
        if matches!(self.identity, Some(IdentityArg::User)) && target.identity == Identity::System {
            return Err(
                "--identity user needs --client-id or --client-id-variable (or `[identity]` in mimigrate.toml)".into(),
            );
        }
        if let Some(name) = &self.subscription_variable {
            target.subscription = Some(SubscriptionSource::AutomationVariable(name.clone()));
        } else if let Some(name) = &self.subscription_parameter {
            target.subscription = Some(SubscriptionSource::RunbookParameter(name.clone()));
        }
        Ok(target)
    }
}

const SUBCOMMANDS: &[&str] = &["check", "rule", "help"];

/// Parse the process arguments; `mimigrate PATHS` means `mimigrate check PATHS`.
pub fn parse_args() -> Cli {
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let first = args.get(1).and_then(|a| a.to_str()).map(str::to_owned);
    let is_top_level_flag = |a: &str| matches!(a, "-h" | "--help" | "-V" | "--version");
    if first
        .as_deref()
        .is_none_or(|a| !SUBCOMMANDS.contains(&a) && !is_top_level_flag(a))
    {
        args.insert(1, "check".into());
    }
    Cli::parse_from(args)
}

pub fn run(cli: Cli) -> ExitCode {
    let color = match cli.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let result = match cli.command {
        Command::Check(args) => check(*args, color, cli.quiet),
        Command::Rule { code } => rule(code.as_deref()),
    };
    result.unwrap_or_else(|message| {
        eprintln!("mimigrate: {message}");
        ExitCode::from(2)
    })
}

fn rule(code: Option<&str>) -> Result<ExitCode, String> {
    let mut out = std::io::stdout().lock();
    let written = match code {
        Some(code) => {
            let rule = rules::by_code(code).ok_or_else(|| format!("no rule {code}; `mimigrate rule` lists them"))?;
            write!(out, "{}", rule.documentation)
        }
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
            write!(out, "{table}")
        }
    };
    written.map_err(|e| e.to_string())?;
    Ok(ExitCode::SUCCESS)
}

/// A file that was not checked, and why.
struct Skipped {
    path: PathBuf,
    reason: String,
}

fn check(args: CheckArgs, color: bool, quiet: bool) -> Result<ExitCode, String> {
    let source = if args.no_config {
        ConfigSource::Defaults
    } else if let Some(file) = &args.config {
        ConfigSource::Fixed(Arc::new(Config::load(file).map_err(|e| e.to_string())?))
    } else {
        ConfigSource::Discover
    };
    let mut configs = Configs::new(source);
    let options_for = |config: &Config, path: &Path| -> Result<LintOptions, String> {
        let mut selection = config.selection_for(path);
        if !args.select.is_empty() {
            selection.select = args.select.iter().map(|c| c.to_uppercase()).collect();
        }
        selection.ignore.extend(args.ignore.iter().map(|c| c.to_uppercase()));
        validate_codes(&selection)?;
        Ok(LintOptions {
            selection,
            target: args.target.apply(&config.target)?,
        })
    };

    if let Some(missing) = args
        .paths
        .iter()
        .find(|p| p.as_os_str() != "-" && std::fs::symlink_metadata(p).is_err())
    {
        return Err(format!("{}: no such file or folder", missing.display()));
    }
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    let mut walk_problems = Vec::new();
    if args.paths.iter().any(|p| p.as_os_str() == "-") {
        let name = args.stdin_filename.clone().unwrap_or_else(|| PathBuf::from("-"));
        let config = configs.for_path(&name).map_err(|e: ConfigError| e.to_string())?;
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read stdin: {e}"))?;
        match decode(&bytes) {
            Ok(source) => files.push(CheckedFile::check(name.clone(), source, &options_for(&config, &name)?)),
            Err(reason) => skipped.push(Skipped { path: name, reason }),
        }
    } else {
        let discovery = discover(&args.paths, &mut configs, args.force_exclude).map_err(|e| e.to_string())?;
        walk_problems = discovery.problems;
        let options: Vec<LintOptions> = discovery
            .files
            .iter()
            .map(|c| options_for(&c.config, &c.path))
            .collect::<Result<_, _>>()?;
        let results: Vec<Result<CheckedFile, Skipped>> = discovery
            .files
            .par_iter()
            .zip(options.par_iter())
            .map(|(candidate, options)| {
                let path = candidate.path.clone();
                read(&path)
                    .and_then(|bytes| decode(&bytes))
                    .map(|source| CheckedFile::check(path.clone(), source, options))
                    .map_err(|reason| Skipped { path, reason })
            })
            .collect();
        for result in results {
            match result {
                Ok(file) => files.push(file),
                Err(skip) => skipped.push(skip),
            }
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));

    let format = args.format.unwrap_or(if std::io::stdout().is_terminal() {
        Format::Full
    } else {
        Format::Concise
    });
    let mut stderr = std::io::stderr().lock();
    if !quiet {
        for problem in &walk_problems {
            let _ = writeln!(stderr, "mimigrate: {problem}");
        }
        for skip in &skipped {
            let _ = writeln!(stderr, "mimigrate: {}: skipped: {}", skip.path.display(), skip.reason);
        }
        for file in files.iter().filter(|f| f.source.encoding == Encoding::Windows1252) {
            let _ = writeln!(
                stderr,
                "mimigrate: {}: not valid UTF-8, read as Windows-1252",
                file.path.display()
            );
        }
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    // A closed pipe (`mimigrate check | head`) ends the output, not the run.
    let closed_pipe_is_fine = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::BrokenPipe => Ok(()),
        _ => Err(e.to_string()),
    };
    format
        .printer(color)
        .print(&files, &mut out)
        .or_else(closed_pipe_is_fine)?;
    let findings: usize = files.iter().map(|f| f.diagnostics.len()).sum();
    if format.is_human() && !quiet {
        let fixable = files
            .iter()
            .flat_map(|f| &f.diagnostics)
            .filter(|d| is_fixable(d))
            .count();
        let with_findings = files.iter().filter(|f| !f.diagnostics.is_empty()).count();
        let _ = writeln!(
            out,
            "Found {findings} finding{} in {with_findings} of {} file{} checked{}{}.",
            plural(findings),
            files.len(),
            plural(files.len()),
            if fixable > 0 {
                format!("; {fixable} with a safe fix")
            } else {
                String::new()
            },
            if skipped.is_empty() && walk_problems.is_empty() {
                String::new()
            } else {
                format!("; {} skipped (see above)", skipped.len() + walk_problems.len())
            },
        );
    }
    out.flush().or_else(closed_pipe_is_fine)?;
    Ok(if findings > 0 && !args.exit_zero {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    let metadata = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if metadata.len() > MAX_FILE_BYTES {
        return Err(format!("larger than {} MiB", MAX_FILE_BYTES / 1024 / 1024));
    }
    std::fs::read(path).map_err(|e| e.to_string())
}

fn decode(bytes: &[u8]) -> Result<SourceText, String> {
    SourceText::decode(bytes).map_err(|e| e.to_string())
}

/// `--select MI10O` is a typo, not a selection of nothing. Codes of rules this
/// version does not have yet (tier 2) are accepted: configs outlive versions.
fn validate_codes(selection: &RuleSelection) -> Result<(), String> {
    for code in selection.select.iter().chain(&selection.ignore) {
        let digits = code.strip_prefix("MI").unwrap_or("x");
        if code != "ALL" && !(digits.len() <= 3 && digits.chars().all(|c| c.is_ascii_digit())) {
            return Err(format!(
                "`{code}` is not a rule code or prefix such as MI102 or MI1 (see `mimigrate rule`)"
            ));
        }
    }
    Ok(())
}
