//! Versions: the minimum versions a script's managed-identity code needs (RULES.md
//! "Module facts"), releases known to break managed-identity runbooks, the modules and
//! versions a script declares with `#Requires`/`Import-Module`, and how versions compare.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::{ModuleNeed, ScriptModules};
use crate::syntax::commands::{CONNECT_AZ_ACCOUNT, CONNECT_MG_GRAPH};
use crate::syntax::evaluate::is_quote;
use crate::syntax::model::{Argument, Script};

/// A module the script itself declares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Declared {
    pub module: String,
    /// `ModuleVersion`/`-MinimumVersion` (`exact: false`) or `RequiredVersion` (`exact: true`).
    pub version: Option<String>,
    pub exact: bool,
    /// The `#Requires` comment, or the `Import-Module` command.
    pub range: Range<usize>,
    pub by_requires: bool,
    /// Where the module's name is written, when it is written in place (an
    /// `Import-Module $name` names it through a variable).
    pub name: Option<Range<usize>>,
    /// The whole entry: a `#Requires` hashtable (`@{ ModuleName = ...; ... }`) or name,
    /// the `Import-Module` argument.
    pub entry: Range<usize>,
}

/// A minimum version the script's managed-identity code needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Minimum {
    pub module: &'static str,
    pub version: &'static str,
    pub reason: &'static str,
    /// The command that needs it.
    pub range: Range<usize>,
    /// A managed-identity sign-in needs it (MI602 checks only these; the others, such
    /// as the `-AsSecureString` a fix writes, are for the import plan).
    pub sign_in: bool,
}

/// Facts the data tables do not hold (RULES.md "Module facts").
const MINIMUMS: &[(&str, &str, &str, &str)] = &[
    // (command, parameter, module, version)
    (CONNECT_MG_GRAPH, "Identity", "Microsoft.Graph.Authentication", "2.0.0"),
    (
        "Connect-ExchangeOnline",
        "ManagedIdentity",
        "ExchangeOnlineManagement",
        "3.0.0",
    ),
    ("Connect-PnPOnline", "ManagedIdentity", "PnP.PowerShell", "1.11.95"),
    (CONNECT_AZ_ACCOUNT, "Identity", "Az.Accounts", "2.0.0"),
    // The MI201/MI202/MI204/MI205 fixes write this form; Az.Accounts 2.17.0 (Az 11.5.0)
    // added the switch (rules/MODULES.md gives the source).
    (GET_AZ_ACCESS_TOKEN, "AsSecureString", "Az.Accounts", "2.17.0"),
];

const GET_AZ_ACCESS_TOKEN: &str = "Get-AzAccessToken";

/// Versions known to break managed-identity runbooks (RULES.md).
pub const KNOWN_BAD: &[(&str, &str, &str)] = &[
    (
        "Az.Accounts",
        "5.3.2",
        "managed-identity sign-in fails on PowerShell 5.1",
    ),
    (
        "Az.Accounts",
        "5.3.3",
        "managed-identity sign-in fails on PowerShell 5.1",
    ),
    ("Microsoft.Graph", "2.26.0", "broken on PowerShell 7.2"),
    ("ExchangeOnlineManagement", "3.5.1", "known-bad release"),
];

/// The minimum versions a script's managed-identity code needs, the highest first (the
/// first one of a module is what the script needs of it).
pub fn minimum_versions(script: &Script) -> Vec<Minimum> {
    let mut minimums = Vec::new();
    for command in &script.commands {
        for (name, parameter, module, version) in MINIMUMS {
            if command.is(name) && command.has(parameter) {
                minimums.push(Minimum {
                    module,
                    version,
                    reason: name_with_parameter(name, parameter),
                    range: command.range.clone(),
                    sign_in: *name != GET_AZ_ACCESS_TOKEN,
                });
            }
        }
    }
    // Teams' managed identity covers the *-Cs* cmdlets only from 5.8.1.
    let teams_identity = script
        .commands
        .iter()
        .find(|c| c.is("Connect-MicrosoftTeams") && c.has("Identity"));
    if let Some(connect) = teams_identity {
        if script.commands.iter().any(|c| {
            c.name
                .split_once('-')
                .is_some_and(|(_, noun)| noun.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("Cs")))
        }) {
            minimums.push(Minimum {
                module: "MicrosoftTeams",
                version: "5.8.1",
                reason: "Connect-MicrosoftTeams -Identity with *-Cs* cmdlets",
                range: connect.range.clone(),
                sign_in: true,
            });
        }
    }
    minimums.sort_by(|a, b| compare_versions(b.version, a.version));
    minimums
}

fn name_with_parameter(name: &str, parameter: &str) -> &'static str {
    match (name, parameter) {
        (CONNECT_MG_GRAPH, _) => "Connect-MgGraph -Identity",
        ("Connect-ExchangeOnline", _) => "Connect-ExchangeOnline -ManagedIdentity",
        ("Connect-PnPOnline", _) => "Connect-PnPOnline -ManagedIdentity",
        (GET_AZ_ACCESS_TOKEN, _) => "Get-AzAccessToken -AsSecureString (added with Az 11.5.0)",
        _ => "Connect-AzAccount -Identity (any Az.Accounts 2.x)",
    }
}

/// `#Requires -Modules A, @{ ModuleName = 'B'; ModuleVersion = '2.0.0' }`.
static REQUIRES: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?is)^#requires\s+-modules?\s+(.*)$").expect("valid pattern"));
static ENTRY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)(ModuleName|ModuleVersion|RequiredVersion)\s*=\s*['"]?([^'";}\s]+)"#).expect("valid pattern")
});

/// The modules a script declares with `#Requires -Modules` and `Import-Module`, one
/// entry per module named, in text order.
pub fn declared_modules(script: &Script) -> Vec<Declared> {
    let mut declared = Vec::new();
    for comment in &script.comments {
        let Some(list) = REQUIRES.captures(script.slice(comment)).and_then(|c| c.get(1)) else {
            continue;
        };
        let base = comment.start + list.start();
        for item in top_level_items(list.as_str()) {
            let text = &list.as_str()[item.clone()];
            let at = |r: Range<usize>| base + item.start + r.start..base + item.start + r.end;
            let mut entry = Declared {
                module: String::new(),
                version: None,
                exact: false,
                range: comment.clone(),
                by_requires: true,
                name: None,
                entry: at(0..text.len()),
            };
            if text.starts_with("@{") {
                for pair in ENTRY.captures_iter(text) {
                    match pair[1].to_lowercase().as_str() {
                        "modulename" => {
                            entry.module = pair[2].to_owned();
                            entry.name = pair.get(2).map(|m| at(m.range()));
                        }
                        "requiredversion" => (entry.version, entry.exact) = (Some(pair[2].to_owned()), true),
                        _ => entry.version = Some(pair[2].to_owned()),
                    }
                }
            } else {
                // A bare name ends at the first blank (`-RunAsAdministrator` may follow).
                let word = text.split_whitespace().next().unwrap_or("");
                let name = word.trim_matches(is_quote);
                let offset = word.find(name).unwrap_or(0);
                entry.module = name.to_owned();
                entry.name = Some(at(offset..offset + name.len()));
                entry.entry = at(0..word.len());
            }
            if !entry.module.is_empty() {
                declared.push(entry);
            }
        }
    }
    for import in script.commands_named("Import-Module") {
        let required = import
            .named("RequiredVersion")
            .flatten()
            .and_then(|v| script.string_value(v));
        let minimum = import
            .named("MinimumVersion")
            .flatten()
            .and_then(|v| script.string_value(v));
        // `Import-Module -Name A, B` reads as `-Name A` and a positional `B`.
        let names = import
            .named("Name")
            .flatten()
            .into_iter()
            .chain(import.arguments.iter().filter_map(|a| match a {
                Argument::Positional(value) => Some(value),
                Argument::Named { .. } => None,
            }));
        for value in names {
            let Some(module) = script.string_value(value) else {
                continue;
            };
            // Written in place (not through a variable): where to rename it.
            let written = script.slice(&value.range);
            let inner = written.trim_matches(is_quote);
            let name = (inner == module).then(|| {
                let start = value.range.start + written.find(inner).unwrap_or(0);
                start..start + inner.len()
            });
            declared.push(Declared {
                module,
                exact: required.is_some(),
                version: required.clone().or_else(|| minimum.clone()),
                range: import.range.clone(),
                by_requires: false,
                name,
                entry: value.range.clone(),
            });
        }
    }
    declared.sort_by_key(|d| d.entry.start);
    declared
}

/// The comma-separated items of a `#Requires -Modules` list (offsets into `list`,
/// blanks trimmed): commas inside `@{ ... }` or quotes do not separate.
fn top_level_items(list: &str) -> Vec<Range<usize>> {
    let mut items = Vec::new();
    let (mut depth, mut quote, mut start) = (0usize, None, 0);
    let mut push = |range: Range<usize>| {
        let text = &list[range.clone()];
        let lead = text.len() - text.trim_start().len();
        let trimmed = text.trim();
        if !trimmed.is_empty() {
            items.push(range.start + lead..range.start + lead + trimmed.len());
        }
    };
    for (at, c) in list.char_indices() {
        match (quote, c) {
            (Some(q), _) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '{') => depth += 1,
            (None, '}') => depth = depth.saturating_sub(1),
            (None, ',') if depth == 0 => {
                push(start..at);
                start = at + 1;
            }
            _ => {}
        }
    }
    push(start..list.len());
    items
}

impl ScriptModules {
    /// Whether the script's own declaration of a module it needs meets the minimum its
    /// code needs, and the version declared: `None` when it declares none, or no version,
    /// or the code needs no minimum.
    pub fn declaration_meets(&self, need: &ModuleNeed) -> Option<(bool, &str)> {
        let found = self
            .declared
            .iter()
            .find(|d| d.module.eq_ignore_ascii_case(&need.name))?;
        let version = found.version.as_deref()?;
        let minimum = need.min_version?;
        Some((version_at_least(version, minimum), version))
    }
}

/// `2.10.0 >= 2.9` compares numerically, part by part; a non-numeric part compares as 0.
pub fn version_at_least(version: &str, minimum: &str) -> bool {
    compare_versions(version, minimum).is_ge()
}

fn compare_versions(a: &str, b: &str) -> std::cmp::Ordering {
    let parts = |v: &str| {
        v.split('.')
            .map(|p| p.trim().parse::<u64>().unwrap_or(0))
            .collect::<Vec<_>>()
    };
    let (mut a, mut b) = (parts(a), parts(b));
    let len = a.len().max(b.len());
    a.resize(len, 0);
    b.resize(len, 0);
    a.cmp(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declarations_say_where_each_module_is_named() {
        let text = "#Requires -Modules @{ModuleName = 'AzureRM.Profile'; ModuleVersion = '4.6.0';}, \"A.B\",C -RunAsAdministrator\n\
                    Import-Module -Name AzureRM.Compute, 'AzureRM.Network' -RequiredVersion 5.9.1\n\
                    ipmo $name\n";
        let script = Script::parse(text);
        let declared = declared_modules(&script);
        let names: Vec<(&str, Option<&str>, &str)> = declared
            .iter()
            .map(|d| {
                (
                    d.module.as_str(),
                    d.name.as_ref().map(|r| &text[r.clone()]),
                    &text[d.entry.clone()],
                )
            })
            .collect();
        assert_eq!(
            names,
            [
                (
                    "AzureRM.Profile",
                    Some("AzureRM.Profile"),
                    "@{ModuleName = 'AzureRM.Profile'; ModuleVersion = '4.6.0';}"
                ),
                ("A.B", Some("A.B"), "\"A.B\""),
                ("C", Some("C"), "C"),
                ("AzureRM.Compute", Some("AzureRM.Compute"), "AzureRM.Compute"),
                ("AzureRM.Network", Some("AzureRM.Network"), "'AzureRM.Network'"),
            ]
        );
        assert_eq!(declared[0].version.as_deref(), Some("4.6.0"));
        assert!(
            declared[4].exact && declared[4].version.as_deref() == Some("5.9.1"),
            "{:?}",
            declared[4]
        );
    }

    #[test]
    fn versions_compare_numerically() {
        assert!(version_at_least("2.10.0", "2.9"));
        assert!(!version_at_least("1.28.0", "2.0.0"));
        assert!(version_at_least("3.0", "3.0.0"));
    }
}
