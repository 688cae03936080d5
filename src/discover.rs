//! Which files a run looks at: `*.ps1` under the given folders (honouring
//! `.gitignore`, `.ignore` and each file's config `exclude`), plus files named
//! explicitly. Problems (symlink loops, unreadable folders) are collected, never fatal.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::{Config, ConfigError};

/// How each file finds its configuration.
pub enum ConfigSource {
    /// Nearest `mimigrate.toml` above the file.
    Discover,
    /// `--config FILE` for every file.
    Fixed(Arc<Config>),
    /// `--no-config`: built-in defaults.
    Defaults,
}

/// Resolves and caches the config of each folder.
pub struct Configs {
    source: ConfigSource,
    by_folder: HashMap<PathBuf, Arc<Config>>,
    by_file: HashMap<PathBuf, Arc<Config>>,
    defaults: Arc<Config>,
}

impl Configs {
    pub fn new(source: ConfigSource) -> Self {
        Configs {
            source,
            by_folder: HashMap::new(),
            by_file: HashMap::new(),
            defaults: Arc::new(Config::default()),
        }
    }

    /// The config that applies to `path`.
    pub fn for_path(&mut self, path: &Path) -> Result<Arc<Config>, ConfigError> {
        match &self.source {
            ConfigSource::Fixed(config) => Ok(config.clone()),
            ConfigSource::Defaults => Ok(self.defaults.clone()),
            ConfigSource::Discover => {
                let folder = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
                let folder = folder.parent().map(Path::to_path_buf).unwrap_or_default();
                if let Some(config) = self.by_folder.get(&folder) {
                    return Ok(config.clone());
                }
                let config = match Config::find(&folder) {
                    Some(file) => match self.by_file.get(&file) {
                        Some(config) => config.clone(),
                        None => {
                            let config = Arc::new(Config::load(&file)?);
                            self.by_file.insert(file, config.clone());
                            config
                        }
                    },
                    None => self.defaults.clone(),
                };
                self.by_folder.insert(folder, config.clone());
                Ok(config)
            }
        }
    }
}

/// A file to check and the config that governs it.
pub struct Candidate {
    pub path: PathBuf,
    pub config: Arc<Config>,
    /// The folder the file was found under (its own folder when named explicitly):
    /// fixes never write through a link that points out of it.
    pub tree: PathBuf,
}

#[derive(Default)]
pub struct Discovery {
    pub files: Vec<Candidate>,
    /// One line per path that could not be walked (symlink loop, permission denied).
    pub problems: Vec<String>,
}

fn is_runbook(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("ps1"))
}

/// Walk `paths`. Files named explicitly are always checked unless `force_exclude`;
/// a bad config is an error for the whole run (exit 2), as CLI.md says.
pub fn discover(paths: &[PathBuf], configs: &mut Configs, force_exclude: bool) -> Result<Discovery, ConfigError> {
    let mut discovery = Discovery::default();
    for root in paths {
        let explicit_file = root.is_file();
        let mut walker = ignore::WalkBuilder::new(root);
        walker
            .follow_links(true)
            .require_git(false)
            .sort_by_file_name(|a, b| a.cmp(b));
        for entry in walker.build() {
            let entry = match entry {
                Ok(entry) => entry,
                Err(error) => {
                    discovery.problems.push(describe_walk_error(&error));
                    continue;
                }
            };
            let path = entry.path();
            if entry.file_type().is_some_and(|t| t.is_dir()) || !(explicit_file || is_runbook(path)) {
                continue;
            }
            let config = configs.for_path(path)?;
            if (!explicit_file || force_exclude) && config.is_excluded(path) {
                continue;
            }
            let tree = if explicit_file {
                path.parent().unwrap_or(Path::new("."))
            } else {
                root.as_path()
            };
            let tree = if tree.as_os_str().is_empty() {
                Path::new(".")
            } else {
                tree
            };
            discovery.files.push(Candidate {
                path: shown(path).to_path_buf(),
                config,
                tree: tree.to_path_buf(),
            });
        }
    }
    Ok(discovery)
}

/// `./x.ps1` is shown as `x.ps1`, as users type it.
fn shown(path: &Path) -> &Path {
    path.strip_prefix(".").unwrap_or(path)
}

fn describe_walk_error(error: &ignore::Error) -> String {
    match error {
        ignore::Error::WithPath { path, err } => {
            format!("{}: {}", shown(path).display(), describe_walk_error(err))
        }
        ignore::Error::Loop { child, .. } => {
            format!("{}: symlink loop, not followed", shown(child).display())
        }
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => describe_walk_error(err),
        ignore::Error::Io(io) if io.kind() == std::io::ErrorKind::NotFound => "no such file or folder".to_owned(),
        other => other.to_string(),
    }
}
