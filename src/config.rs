//! `mimigrate.toml` / `.mimigrate.toml`: found by walking up from each file (the
//! nearest wins), strict about its keys so a typo never silently does nothing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;

use crate::lint::RuleSelection;
use crate::target::{Identity, MigrationTarget, SubscriptionSource};

pub const CONFIG_NAMES: &[&str] = &["mimigrate.toml", ".mimigrate.toml"];

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ConfigFile {
    #[serde(default)]
    exclude: Vec<String>,
    #[serde(default)]
    lint: LintTable,
    #[serde(default)]
    identity: IdentityTable,
    #[serde(default)]
    subscription: SubscriptionTable,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct LintTable {
    select: Option<Vec<String>>,
    #[serde(default)]
    ignore: Vec<String>,
    #[serde(default)]
    per_file_ignores: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct IdentityTable {
    kind: Option<IdentityKind>,
    client_id: Option<String>,
    client_id_variable: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IdentityKind {
    System,
    User,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct SubscriptionTable {
    variable: Option<String>,
    parameter: Option<String>,
}

/// A loaded configuration, with its globs compiled relative to its folder.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The file it came from; `None` for the built-in defaults.
    pub path: Option<PathBuf>,
    /// Folder the globs are relative to.
    pub root: PathBuf,
    exclude: GlobSet,
    pub selection: RuleSelection,
    per_file_ignores: Vec<(GlobSet, Vec<String>)>,
    pub target: MigrationTarget,
}

/// A config file that cannot be used, named with the key or value to change.
#[derive(Debug)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl Config {
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let shown = path.display();
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError(format!("{shown}: cannot read: {e}")))?;
        let file: ConfigFile =
            toml::from_str(&text).map_err(|e| ConfigError(format!("{shown}: {}", e.to_string().trim_end())))?;
        let folder = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let root = std::path::absolute(&folder).unwrap_or(folder);
        let globs = |patterns: &[String], key: &str| -> Result<GlobSet, ConfigError> {
            let mut builder = GlobSetBuilder::new();
            for pattern in patterns {
                let glob = Glob::new(pattern)
                    .map_err(|e| ConfigError(format!("{shown}: `{key}`: bad pattern {pattern:?}: {e}")))?;
                builder.add(glob);
            }
            builder
                .build()
                .map_err(|e| ConfigError(format!("{shown}: `{key}`: {e}")))
        };
        let exclude = globs(&file.exclude, "exclude")?;
        let mut per_file_ignores = Vec::new();
        for (pattern, codes) in &file.lint.per_file_ignores {
            per_file_ignores.push((
                globs(std::slice::from_ref(pattern), "lint.per-file-ignores")?,
                upper(codes),
            ));
        }
        let selection = RuleSelection {
            select: file
                .lint
                .select
                .as_deref()
                .map(upper)
                .unwrap_or_else(|| RuleSelection::default().select),
            ignore: upper(&file.lint.ignore),
        };
        let identity = identity(&file.identity).map_err(|e| ConfigError(format!("{shown}: {e}")))?;
        let subscription = match (&file.subscription.variable, &file.subscription.parameter) {
            (Some(_), Some(_)) => {
                return Err(ConfigError(format!(
                    "{shown}: set only one of `subscription.variable` and `subscription.parameter`"
                )));
            }
            (Some(name), None) => Some(SubscriptionSource::AutomationVariable(name.clone())),
            (None, Some(name)) => Some(SubscriptionSource::RunbookParameter(name.clone())),
            (None, None) => None,
        };
        Ok(Config {
            path: Some(path.to_path_buf()),
            root,
            exclude,
            selection,
            per_file_ignores,
            target: MigrationTarget { identity, subscription },
        })
    }

    /// The nearest config file in `dir` or a folder above it.
    pub fn find(dir: &Path) -> Option<PathBuf> {
        dir.ancestors()
            .flat_map(|d| CONFIG_NAMES.iter().map(move |n| d.join(n)))
            .find(|p| p.is_file())
    }

    /// `path` relative to the config's folder, for matching its globs.
    fn relative(&self, path: &Path) -> PathBuf {
        let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        absolute
            .strip_prefix(&self.root)
            .map(Path::to_path_buf)
            .unwrap_or(absolute)
    }

    pub fn is_excluded(&self, path: &Path) -> bool {
        let relative = self.relative(path);
        relative
            .ancestors()
            .filter(|p| !p.as_os_str().is_empty())
            .any(|p| self.exclude.is_match(p))
    }

    /// The rule selection for one file, with its per-file ignores.
    pub fn selection_for(&self, path: &Path) -> RuleSelection {
        let relative = self.relative(path);
        let extra: Vec<String> = self
            .per_file_ignores
            .iter()
            .filter(|(globs, _)| globs.is_match(&relative) || path.file_name().is_some_and(|n| globs.is_match(n)))
            .flat_map(|(_, codes)| codes.iter().cloned())
            .collect();
        self.selection.ignoring(&extra)
    }
}

fn upper(codes: &[String]) -> Vec<String> {
    codes.iter().map(|c| c.trim().to_uppercase()).collect()
}

fn identity(table: &IdentityTable) -> Result<Identity, String> {
    match (table.kind, &table.client_id, &table.client_id_variable) {
        (_, Some(_), Some(_)) => Err("set only one of `identity.client-id` and `identity.client-id-variable`".into()),
        (Some(IdentityKind::System), Some(_), _) | (Some(IdentityKind::System), _, Some(_)) => {
            Err("`identity.kind = \"system\"` takes no client id: use `kind = \"user\"`".into())
        }
        (_, Some(id), None) => Ok(Identity::UserClientId(
            crate::target::parse_client_id(id).map_err(|e| format!("`identity.client-id`: {e}"))?,
        )),
        (_, None, Some(variable)) => Ok(Identity::UserClientIdVariable(variable.clone())),
        (Some(IdentityKind::User), None, None) => {
            Err("`identity.kind = \"user\"` needs `client-id` or `client-id-variable`".into())
        }
        (_, None, None) => Ok(Identity::System),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Config, ConfigError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mimigrate.toml");
        std::fs::write(&path, text).unwrap();
        Config::load(&path)
    }

    #[test]
    fn the_spec_example_loads() {
        let config = load(
            "exclude = [\"archive/**\"]\n[lint]\nselect = [\"MI\"]\nignore = [\"MI401\"]\n[lint.per-file-ignores]\n\"legacy/**\" = [\"MI601\"]\n\
             [identity]\nkind = \"user\"\nclient-id-variable = \"UAMI_ClientId\"\n[subscription]\nvariable = \"SubscriptionId\"\n",
        )
        .unwrap();
        let root = config.root.clone();
        assert!(config.is_excluded(&root.join("archive/old/x.ps1")));
        assert!(!config.is_excluded(&root.join("live/x.ps1")));
        assert!(!config.selection.enabled("MI401"));
        assert!(!config.selection_for(&root.join("legacy/a.ps1")).enabled("MI601"));
        assert_eq!(
            config.target.identity,
            Identity::UserClientIdVariable("UAMI_ClientId".into())
        );
        assert_eq!(
            config.target.subscription,
            Some(SubscriptionSource::AutomationVariable("SubscriptionId".into()))
        );
    }

    #[test]
    fn unknown_keys_name_the_key_and_the_file() {
        let error = load("[lint]\nselct = [\"MI\"]\n").unwrap_err().0;
        assert!(error.contains("mimigrate.toml") && error.contains("selct"), "{error}");
        let error = load("[identity]\nkind = \"user\"\n").unwrap_err().0;
        assert!(error.contains("client-id"), "{error}");
    }
}
