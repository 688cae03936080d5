//! Which files a run looks at: the files under the given folders that their config's
//! `include` takes (`*.ps1` and `*.psm1` in any case by default), honouring
//! `.gitignore`, `.ignore` and the config's `exclude`, plus files named explicitly,
//! whatever their extension (pre-commit passes `*.psd1` too; see README). Problems (symlink loops, unreadable folders, FIFOs and devices named like
//! scripts) are collected, each once, never fatal; each file is found once however
//! many PATHS or links lead to it.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::{Config, ConfigError};
use crate::source::file_kind;

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

/// A path that was not checked, and why.
pub struct Skipped {
    pub path: PathBuf,
    pub reason: String,
}

#[derive(Default)]
pub struct Discovery {
    pub files: Vec<Candidate>,
    /// Paths that could not be walked or are not files to read (symlink loops,
    /// permission denied, dangling links, FIFOs, sockets, devices).
    pub skipped: Vec<Skipped>,
    /// PATHS that do not exist.
    pub missing: Vec<PathBuf>,
    /// Paths in `skipped`: each is reported once, however often it is reached.
    reported: HashSet<PathBuf>,
}

impl Discovery {
    fn skip(&mut self, path: &Path, reason: impl Into<String>) {
        let path = shown(path).to_path_buf();
        if self.reported.insert(path.clone()) {
            self.skipped.push(Skipped {
                path,
                reason: reason.into(),
            });
        }
    }
}

/// Walk `paths`. Files named explicitly are always checked unless `force_exclude`;
/// a bad config is an error for the whole run (exit 2), as CLI.md says.
pub fn discover(paths: &[PathBuf], configs: &mut Configs, force_exclude: bool) -> Result<Discovery, ConfigError> {
    let mut discovery = Discovery::default();
    // Canonical paths already taken: `check . sub`, two links to one file, or a file
    // named twice is checked (and fixed) once.
    let mut seen = HashSet::new();
    let mut take = |discovery: &mut Discovery, path: &Path, config: Arc<Config>, tree: &Path| {
        if seen.insert(std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())) {
            discovery.files.push(Candidate {
                path: shown(path).to_path_buf(),
                config,
                tree: if tree.as_os_str().is_empty() {
                    PathBuf::from(".")
                } else {
                    tree.to_path_buf()
                },
            });
        }
    };
    for root in paths {
        match std::fs::symlink_metadata(root) {
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                discovery.missing.push(root.clone());
                continue;
            }
            Err(error) => {
                discovery.skip(root, describe_io_error(Some(root), &error));
                continue;
            }
            Ok(_) => {}
        }
        // Followed through links: the type of what would be read.
        let file_type = match std::fs::metadata(root) {
            Ok(metadata) => metadata.file_type(),
            Err(error) => {
                discovery.skip(root, describe_io_error(Some(root), &error));
                continue;
            }
        };
        if !file_type.is_dir() {
            let config = configs.for_path(root)?;
            if force_exclude && config.is_excluded(root) {
                continue;
            }
            if file_type.is_file() {
                take(&mut discovery, root, config, root.parent().unwrap_or(Path::new(".")));
            } else {
                discovery.skip(root, format!("not a regular file ({})", file_kind(file_type)));
            }
            continue;
        }
        let mut walker = ignore::WalkBuilder::new(root);
        walker
            .follow_links(true)
            .require_git(false)
            .sort_by_file_name(|a, b| a.cmp(b));
        for entry in walker.build() {
            let entry = match entry {
                Ok(entry) => entry,
                Err(error) => {
                    match describe_walk_error(&error, None) {
                        // A dangling link is only news when it was meant to be a script.
                        (Some(path), _) if is_dangling(&path) && !configs.for_path(&path)?.includes(&path) => {}
                        (path, reason) => discovery.skip(path.as_deref().unwrap_or(root), reason),
                    }
                    continue;
                }
            };
            let path = entry.path();
            let Some(file_type) = entry.file_type() else {
                continue;
            };
            if file_type.is_dir() {
                continue;
            }
            let config = configs.for_path(path)?;
            if !config.includes(path) || config.is_excluded(path) {
                continue;
            }
            if file_type.is_file() {
                take(&mut discovery, path, config, root);
            } else {
                discovery.skip(path, format!("not a regular file ({})", file_kind(file_type)));
            }
        }
    }
    Ok(discovery)
}

/// `./x.ps1` is shown as `x.ps1`, as users type it.
fn shown(path: &Path) -> &Path {
    path.strip_prefix(".").unwrap_or(path)
}

fn is_dangling(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) && !path.exists()
}

fn describe_io_error(path: Option<&Path>, error: &std::io::Error) -> String {
    if let Some(broken) = path.and_then(describe_broken_link) {
        return broken.to_owned();
    }
    match error.kind() {
        std::io::ErrorKind::NotFound => "no such file or folder".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => error.to_string(),
    }
}

/// What keeps a symbolic link from being followed, asked of the file system: the
/// walker's errors wrap the system's and say it less plainly.
fn describe_broken_link(path: &Path) -> Option<&'static str> {
    if !std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return None;
    }
    match std::fs::metadata(path) {
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            Some("dangling symbolic link (its target does not exist)")
        }
        #[cfg(unix)]
        Err(error) if error.raw_os_error() == Some(libc::ELOOP) => Some("symlink loop, not followed"),
        _ => None,
    }
}

/// The path an error is about (when it says) and what went wrong.
fn describe_walk_error(error: &ignore::Error, path: Option<&Path>) -> (Option<PathBuf>, String) {
    match error {
        ignore::Error::WithPath { path, err } => describe_walk_error(err, Some(path)),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            describe_walk_error(err, path)
        }
        ignore::Error::Loop { child, .. } => (Some(child.clone()), "symlink loop, not followed".to_owned()),
        ignore::Error::Io(io) => (path.map(Path::to_path_buf), describe_io_error(path, io)),
        other => (path.map(Path::to_path_buf), other.to_string()),
    }
}
