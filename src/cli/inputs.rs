//! The files a `check` or `fix` run works on: from the command line's PATHS (walked
//! with each file's config) or from stdin, each with the lint options that apply to it.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, ValueEnum};

use crate::config::Config;
pub use crate::discover::Skipped;
use crate::discover::{discover, ConfigSource, Configs};
use crate::graphical::{is_graphical, read_export, GraphicalRunbook};
use crate::lint::{LintOptions, RuleSelection};
use crate::source::{read_regular, Encoding, SourceText, MAX_FILE_BYTES};
use crate::target::{Identity, MigrationTarget, SubscriptionSource};
use crate::write::pause_for_tests;

/// Options shared by the commands that read scripts: what to read and which rules apply.
#[derive(Args)]
#[command(next_help_heading = "Files and rules")]
pub struct FileArgs {
    /// Files or folders; `-` reads one script from stdin.
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
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
    /// The name of the script read from stdin, for config matching and messages.
    #[arg(long, value_name = "NAME")]
    stdin_filename: Option<PathBuf>,
}

/// What fixes migrate to; also settable in the config's `[identity]`/`[subscription]`.
/// Only the commands whose output depends on the fixes take them.
#[derive(Args, Default)]
#[command(next_help_heading = "Fix target")]
pub struct TargetArgs {
    /// Managed identity kind the rewritten sign-ins use.
    #[arg(long, value_enum)]
    identity: Option<IdentityArg>,
    /// Client id of a user-assigned identity.
    #[arg(long, value_name = "GUID", conflicts_with = "client_id_variable", value_parser = crate::target::parse_client_id)]
    client_id: Option<String>,
    /// Automation variable holding a user-assigned identity's client id.
    #[arg(long, value_name = "NAME")]
    client_id_variable: Option<String>,
    /// Automation variable holding the subscription id (replaces `$conn.SubscriptionID`).
    #[arg(long, value_name = "NAME", conflicts_with = "subscription_parameter")]
    subscription_variable: Option<String>,
    /// Runbook parameter holding the subscription id (added to `param()` when missing).
    #[arg(long, value_name = "NAME")]
    subscription_parameter: Option<String>,
    /// The tenant's *.onmicrosoft.com domain, for Exchange sign-ins whose -Organization
    /// was the Run As tenant id.
    #[arg(long, value_name = "DOMAIN", value_parser = crate::target::parse_exchange_organization)]
    exchange_organization: Option<String>,
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
        if let Some(domain) = &self.exchange_organization {
            target.exchange_organization = Some(domain.clone());
        }
        Ok(target)
    }
}

/// A file to work on, not read yet.
pub struct Input {
    /// As the user should see it.
    pub path: PathBuf,
    /// The folder it was found under (see `write::write_fixed`).
    pub tree: PathBuf,
    pub options: LintOptions,
}

/// What a run could not check: reported on stderr, each once; the run goes on.
#[derive(Default)]
pub struct Unread {
    /// PATHS that do not exist: an error (exit 2) once the rest is checked, as CLI.md says.
    pub missing: Vec<PathBuf>,
    /// Paths found but not checked (not a regular file, binary, unreadable, gone...):
    /// counted in the summary; they do not change the exit code, which is about findings.
    pub skipped: Vec<Skipped>,
    /// No script was found at all (ruff's "No files found"): said, but not an error.
    pub nothing_found: bool,
}

impl Unread {
    /// Errors always; notes about skipped paths unless `quiet`.
    pub fn report(&self, quiet: bool) {
        for path in &self.missing {
            let _ = writeln!(
                std::io::stderr(),
                "mimigrate: {}: no such file or folder",
                path.display()
            );
        }
        if !quiet {
            report_skipped(&self.skipped);
            // A missing PATH already says why nothing was checked.
            if self.nothing_found && self.missing.is_empty() {
                let _ = writeln!(
                    std::io::stderr(),
                    "mimigrate: warning: no scripts (*.ps1, *.psm1, *.graphrunbook or the config's `include`) found in the given paths; nothing was checked"
                );
            }
        }
    }

    /// How many paths were not checked, for summaries.
    pub fn count(&self) -> usize {
        self.missing.len() + self.skipped.len()
    }

    /// `code`, unless a PATH was missing: that is a usage error (2) whatever was found.
    pub fn exit_code(&self, code: ExitCode) -> ExitCode {
        if self.missing.is_empty() {
            code
        } else {
            ExitCode::from(2)
        }
    }
}

/// One stderr line per path that was not checked or not written.
pub fn report_skipped(skipped: &[Skipped]) {
    let mut stderr = std::io::stderr().lock();
    for skip in skipped {
        let _ = writeln!(stderr, "mimigrate: {}: skipped: {}", skip.path.display(), skip.reason);
    }
}

pub struct Inputs {
    pub files: Vec<Input>,
    pub unread: Unread,
    /// The script read from stdin, when PATHS was `-`.
    pub stdin: Option<(Input, Vec<u8>)>,
    /// Show a progress bar on stderr during long runs (human output only; it also
    /// needs stderr to be a terminal).
    pub progress: bool,
}

/// Runs shorter than this many files finish before a bar would be worth reading.
const PROGRESS_FROM_FILES: usize = 100;

impl FileArgs {
    pub fn load(&self, target: &TargetArgs) -> Result<Inputs, String> {
        let source = if self.no_config {
            ConfigSource::Defaults
        } else if let Some(file) = &self.config {
            ConfigSource::Fixed(Arc::new(Config::load(file).map_err(|e| e.to_string())?))
        } else {
            ConfigSource::Discover
        };
        let mut configs = Configs::new(source);
        if self.paths.iter().any(|p| p.as_os_str() == "-") {
            let name = self.stdin_filename.clone().unwrap_or_else(|| PathBuf::from("-"));
            let config = configs.for_path(&name).map_err(|e| e.to_string())?;
            let mut bytes = Vec::new();
            std::io::stdin()
                .read_to_end(&mut bytes)
                .map_err(|e| format!("cannot read stdin: {e}"))?;
            let input = Input {
                options: self.options_for(&config, &name, target)?,
                tree: PathBuf::from("."),
                path: name,
            };
            return Ok(Inputs {
                files: Vec::new(),
                unread: Unread::default(),
                stdin: Some((input, bytes)),
                progress: false,
            });
        }
        let discovery = discover(&self.paths, &mut configs, self.force_exclude).map_err(|e| e.to_string())?;
        let files: Vec<Input> = discovery
            .files
            .into_iter()
            .map(|c| {
                Ok(Input {
                    options: self.options_for(&c.config, &c.path, target)?,
                    path: c.path,
                    tree: c.tree,
                })
            })
            .collect::<Result<_, String>>()?;
        Ok(Inputs {
            unread: Unread {
                missing: discovery.missing,
                skipped: discovery.skipped,
                nothing_found: files.is_empty(),
            },
            files,
            stdin: None,
            progress: false,
        })
    }

    fn options_for(&self, config: &Config, path: &Path, target: &TargetArgs) -> Result<LintOptions, String> {
        let mut selection = config.selection_for(path);
        if !self.select.is_empty() {
            selection.select = self.select.iter().map(|c| c.to_uppercase()).collect();
        }
        selection.ignore.extend(self.ignore.iter().map(|c| c.to_uppercase()));
        validate_codes(&selection)?;
        Ok(LintOptions {
            selection,
            target: target.apply(&config.target)?,
            ..LintOptions::default()
        })
    }
}

impl Inputs {
    /// Read, decode and `work` on every input: the stdin script first, the files in
    /// parallel. Results come back sorted by path; files that could not be read join
    /// the walk's skipped paths.
    pub fn read_each<T: Send + HasPath>(
        self,
        work: impl Fn(Input, Vec<u8>, SourceText, Option<GraphicalRunbook>) -> T + Sync,
    ) -> (Vec<T>, Unread) {
        use rayon::prelude::*;
        let mut done = Vec::new();
        let mut unread = self.unread;
        if let Some((input, bytes)) = self.stdin {
            match source_of(&input.path, bytes) {
                Ok((bytes, source, graphical)) => done.push(work(input, bytes, source, graphical)),
                Err(reason) => unread.skipped.push(Skipped {
                    path: input.path,
                    reason,
                }),
            }
        }
        pause_for_tests("read");
        let bar =
            (self.progress && self.files.len() >= PROGRESS_FROM_FILES && std::io::stderr().is_terminal()).then(|| {
                let bar = indicatif::ProgressBar::new(self.files.len() as u64);
                if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} files {elapsed}") {
                    bar.set_style(style);
                }
                bar
            });
        let results: Vec<Result<T, Skipped>> = self
            .files
            .into_par_iter()
            .map(|input| {
                let result = match read_source(&input.path) {
                    Ok((bytes, source, graphical)) => Ok(work(input, bytes, source, graphical)),
                    Err(reason) => Err(Skipped {
                        path: input.path,
                        reason,
                    }),
                };
                if let Some(bar) = &bar {
                    bar.inc(1);
                }
                result
            })
            .collect();
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        for result in results {
            match result {
                Ok(item) => done.push(item),
                Err(skip) => unread.skipped.push(skip),
            }
        }
        done.sort_by(|a, b| a.path().cmp(b.path()));
        unread.skipped.sort_by(|a, b| a.path.cmp(&b.path));
        (done, unread)
    }
}

/// What `Inputs::read_each` sorts its results by.
pub trait HasPath {
    fn path(&self) -> &Path;
}

/// A file's bytes, its text and, for a graphical runbook, the runbook (whose text is
/// its PowerShell view).
type Loaded = (Vec<u8>, SourceText, Option<GraphicalRunbook>);

/// Read and decode one file; the reason when it cannot be used.
fn read_source(path: &Path) -> Result<Loaded, String> {
    let bytes = read_regular(path, MAX_FILE_BYTES).map_err(|e| e.to_string())?;
    source_of(path, bytes)
}

/// Decode a file's bytes: a script's text, or a graphical runbook's view.
fn source_of(path: &Path, bytes: Vec<u8>) -> Result<Loaded, String> {
    if is_graphical(path) {
        let runbook = read_export(&bytes)?;
        let source = SourceText {
            text: runbook.view.text.clone(),
            encoding: Encoding::Utf8,
        };
        return Ok((bytes, source, Some(runbook)));
    }
    let source = SourceText::decode(&bytes).map_err(|e| e.to_string())?;
    Ok((bytes, source, None))
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
