//! `mimigrate.toml` / `.mimigrate.toml`: found by walking up from each file (the
//! nearest wins), strict about its keys so a typo never silently does nothing.
//! It says which files a folder walk takes (`include`, `exclude`) and how they are
//! linted and fixed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use serde::Deserialize;

use crate::lint::RuleSelection;
use crate::target::{parse_exchange_organization, Identity, MigrationTarget, SubscriptionSource};

pub const CONFIG_NAMES: &[&str] = &["mimigrate.toml", ".mimigrate.toml"];

/// What a folder walk takes when the config has no `include`: runbooks, the modules
/// they import, and exported graphical runbooks (see `Config::includes`).
pub const DEFAULT_INCLUDE: &[&str] = &["*.ps1", "*.psm1", "*.graphrunbook"];

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ConfigFile {
    #[serde(default)]
    exclude: Vec<String>,
    include: Option<Vec<String>>,
    #[serde(default)]
    lint: LintTable,
    #[serde(default)]
    identity: IdentityTable,
    #[serde(default)]
    subscription: SubscriptionTable,
    #[serde(default)]
    exchange: ExchangeTable,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ExchangeTable {
    organization: Option<String>,
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
#[derive(Debug, Clone)]
pub struct Config {
    /// The file it came from; `None` for the built-in defaults.
    pub path: Option<PathBuf>,
    /// Folder the globs are relative to.
    pub root: PathBuf,
    include: GlobSet,
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

impl Default for Config {
    fn default() -> Self {
        Config {
            path: None,
            root: PathBuf::new(),
            include: include_globs(DEFAULT_INCLUDE).expect("the default patterns compile"),
            exclude: GlobSet::empty(),
            selection: RuleSelection::default(),
            per_file_ignores: Vec::new(),
            target: MigrationTarget::default(),
        }
    }
}

/// `include` patterns ignore letter case: runbooks come from Windows, where
/// `Stop-VMs.PS1` and `stop-vms.ps1` are the same kind of file.
fn include_globs<S: AsRef<str>>(patterns: &[S]) -> Result<GlobSet, String> {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        let pattern = pattern.as_ref();
        let glob = GlobBuilder::new(pattern)
            .case_insensitive(true)
            .build()
            .map_err(|e| format!("bad pattern {pattern:?}: {e}"))?;
        builder.add(glob);
    }
    builder.build().map_err(|e| e.to_string())
}

impl Config {
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let shown = path.display();
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError(format!("{shown}: cannot read: {e}")))?;
        let file: ConfigFile = toml::from_str(&text).map_err(|e| {
            let key = e.span().and_then(|span| key_at(&text, span.start));
            let key = key.map(|k| format!("`{k}`: ")).unwrap_or_default();
            ConfigError(format!("{shown}: {key}{}", e.to_string().trim_end()))
        })?;
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
        let include = match &file.include {
            Some(patterns) => include_globs(patterns),
            None => include_globs(DEFAULT_INCLUDE),
        }
        .map_err(|e| ConfigError(format!("{shown}: `include`: {e}")))?;
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
        let exchange_organization = file
            .exchange
            .organization
            .as_deref()
            .map(parse_exchange_organization)
            .transpose()
            .map_err(|e| ConfigError(format!("{shown}: `exchange.organization`: {e}")))?;
        Ok(Config {
            path: Some(path.to_path_buf()),
            root,
            include,
            exclude,
            selection,
            per_file_ignores,
            target: MigrationTarget {
                identity,
                subscription,
                exchange_organization,
            },
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

    /// Whether a folder walk takes `path`: its name or its path below the config's
    /// folder matches `include`.
    pub fn includes(&self, path: &Path) -> bool {
        path.file_name().is_some_and(|name| self.include.is_match(name)) || self.include.is_match(self.relative(path))
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

/// The dotted key at or holding byte `offset` of `text` (`lint.ignore`): toml locates
/// a wrong type only by position, and the message should name the key.
fn key_at(text: &str, offset: usize) -> Option<String> {
    let document = toml::de::DeTable::parse(text).ok()?;
    key_path(document.get_ref(), offset).map(|path| path.join("."))
}

fn key_path(table: &toml::de::DeTable, offset: usize) -> Option<Vec<String>> {
    table.iter().find_map(|(key, value)| {
        // A `[table]`'s span is its header: its keys are searched one by one.
        let below = match value.get_ref() {
            toml::de::DeValue::Table(inner) => key_path(inner, offset),
            _ => None,
        };
        let here = key.span().contains(&offset) || value.span().contains(&offset);
        match below {
            Some(mut path) => {
                path.insert(0, key.get_ref().to_string());
                Some(path)
            }
            None => here.then(|| vec![key.get_ref().to_string()]),
        }
    })
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
        assert!(error.contains("mimigrate.toml: `lint.selct`: "), "{error}");
        let error = load("[lint]\nignore = \"MI1\"\n").unwrap_err().0;
        assert!(error.contains("mimigrate.toml: `lint.ignore`: "), "{error}");
        let error = load("include = \"*.ps1\"\n").unwrap_err().0;
        assert!(error.contains("mimigrate.toml: `include`: "), "{error}");
        let error = load("[identity]\nkind = \"user\"\n").unwrap_err().0;
        assert!(error.contains("client-id"), "{error}");
        let error = load("[exchange]\norganization = \"contoso\"\n").unwrap_err().0;
        assert!(error.contains("`exchange.organization`: "), "{error}");
    }

    #[test]
    fn the_exchange_organization_is_a_domain() {
        let config = load("[exchange]\norganization = \"Contoso.onmicrosoft.com\"\n").unwrap();
        assert_eq!(
            config.target.exchange_organization.as_deref(),
            Some("contoso.onmicrosoft.com")
        );
    }
}
