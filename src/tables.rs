//! Data tables generated from shared/data by scripts/gen-tables.py and embedded in the
//! binary (rules/data/), each parsed on first use.

use std::collections::HashMap;
use std::sync::OnceLock;

const COMMANDS: &str = include_str!("../rules/data/commands.tsv");
const AZ_MODULES: &str = include_str!("../rules/data/az-modules.tsv");
const GRAPH_COMMAND_PERMISSIONS: &str = include_str!("../rules/data/graph-command-permissions.tsv");
const GRAPH_COMMAND_PATHS: &str = include_str!("../rules/data/graph-command-paths.tsv");
const GRAPH_PATH_PERMISSIONS: &str = include_str!("../rules/data/graph-path-permissions.tsv");
const GRAPH_APP_ROLES: &str = include_str!("../rules/data/graph-app-roles.tsv");
const LEGACY_GRAPH_COMMANDS: &str = include_str!("../rules/data/legacy-graph-commands.tsv");
const AZURERM_COMMANDS: &str = include_str!("../rules/data/azurerm-commands.tsv");
const AZURERM_MODULES: &str = include_str!("../rules/data/azurerm-modules.tsv");

/// The data lines of a table: comments (the generator's header) skipped.
fn data_lines(table: &'static str) -> impl Iterator<Item = &'static str> {
    table.lines().filter(|line| !line.starts_with('#') && !line.is_empty())
}

/// `key<TAB>v1 v2 ...` tables.
fn grouped(table: &'static str) -> impl Iterator<Item = (&'static str, std::str::Split<'static, char>)> {
    data_lines(table)
        .filter_map(|line| line.split_once('\t'))
        .map(|(key, values)| (key, values.split(' ')))
}

/// Which family a module belongs to, for choosing between two modules that both
/// export a name: PowerShell's own first, then the Automation sandbox, Az, Graph,
/// the other services, and AzureRM last (a retired module never wins).
fn module_rank(module: &str) -> u8 {
    let lower = module.to_lowercase();
    if lower.starts_with("microsoft.powershell")
        || matches!(
            lower.as_str(),
            "cimcmdlets" | "powershellget" | "psworkflow" | "packagemanagement"
        )
    {
        0
    } else if lower.starts_with("orchestrator.") {
        1
    } else if lower.starts_with("az.") {
        2
    } else if lower.starts_with("microsoft.graph") {
        3
    } else if lower.starts_with("azurerm") || lower.starts_with("azure.") {
        5
    } else {
        4
    }
}

/// Commands by lower-case name: (name as published, module).
fn commands() -> &'static HashMap<String, (&'static str, &'static str)> {
    static TABLE: OnceLock<HashMap<String, (&'static str, &'static str)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table: HashMap<String, (&'static str, &'static str)> = HashMap::new();
        for (module, commands) in grouped(COMMANDS) {
            for command in commands {
                let key = command.to_lowercase();
                let better = table
                    .get(&key)
                    .is_none_or(|(_, known)| module_rank(module) < module_rank(known));
                if better {
                    table.insert(key, (command, module));
                }
            }
        }
        table
    })
}

/// The module that provides a command (case-insensitive, no module qualifier), and the
/// command's name as published.
pub fn module_of(command: &str) -> Option<(&'static str, &'static str)> {
    commands().get(&command.to_lowercase()).copied()
}

/// Whether a module is one of PowerShell's own (always loaded, never imported).
pub fn is_builtin_module(module: &str) -> bool {
    module_rank(module) == 0
}

/// The beta form of a v1.0 Graph command (`Get-MgUser` -> `Get-MgBetaUser` in
/// `Microsoft.Graph.Beta.Users`), when the Graph data knows it.
pub fn graph_beta_command(v1_name: &str) -> Option<(&'static str, &'static str)> {
    let (verb, noun) = v1_name.split_once('-')?;
    let rest = noun
        .get(..2)
        .filter(|p| p.eq_ignore_ascii_case("Mg"))
        .map(|_| &noun[2..])?;
    if rest.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("Beta")) {
        return None;
    }
    module_of(&format!("{verb}-MgBeta{rest}")).filter(|(_, module)| module.starts_with("Microsoft.Graph.Beta."))
}

/// A `name<TAB>replacement` table by lower-case name, parsed into `cell` on first use;
/// an empty replacement is `None`.
type Renames = OnceLock<HashMap<String, Option<&'static str>>>;

fn renamed(cell: &'static Renames, table: &'static str, name: &str) -> Option<Option<&'static str>> {
    let renames = cell.get_or_init(|| {
        data_lines(table)
            .filter_map(|line| line.split_once('\t'))
            .map(|(name, to)| (name.to_lowercase(), Some(to).filter(|t| !t.is_empty())))
            .collect()
    });
    renames.get(&name.to_lowercase()).copied()
}

/// The Az cmdlet an AzureRM-era command name becomes (`Get-AzureRmVM` -> `Get-AzVM`,
/// `New-AzureStorageContext` -> `New-AzStorageContext`, aliases resolved:
/// `Login-AzureRmAccount` -> `Connect-AzAccount`): `Some(None)` when Az has no
/// equivalent, `None` for a name the AzureRM -> Az table does not list (names Az has
/// too, such as `Login-AzAccount`, are not listed: they need no rename).
pub fn azurerm_command(name: &str) -> Option<Option<&'static str>> {
    static TABLE: Renames = OnceLock::new();
    renamed(&TABLE, AZURERM_COMMANDS, name)
}

/// The Az module an AzureRM-era module becomes (`AzureRM.profile` -> `Az.Accounts`,
/// `AzureRM` -> `Az`, `Azure.Storage` -> `Az.Storage`), as `azurerm_command` says.
pub fn azurerm_module(name: &str) -> Option<Option<&'static str>> {
    static TABLE: Renames = OnceLock::new();
    renamed(&TABLE, AZURERM_MODULES, name)
}

/// An Az module: its version in the Az rollup the data describes, and the modules it
/// requires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AzModule {
    pub name: &'static str,
    pub version: &'static str,
    pub requires: &'static str,
}

pub fn az_module(name: &str) -> Option<AzModule> {
    static TABLE: OnceLock<Vec<AzModule>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        data_lines(AZ_MODULES)
            .filter_map(|line| {
                let mut fields = line.split('\t');
                Some(AzModule {
                    name: fields.next()?,
                    version: fields.next().unwrap_or(""),
                    requires: fields.next().unwrap_or(""),
                })
            })
            .collect()
    });
    table.iter().find(|m| m.name.eq_ignore_ascii_case(name)).copied()
}

/// The Microsoft Graph command that does what an AzureAD or MSOnline command did
/// (`Get-AzureADUser` -> `Get-MgUser`), where the data maps it.
pub fn graph_equivalent(legacy_command: &str) -> Option<&'static str> {
    static TABLE: OnceLock<HashMap<String, &'static str>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        data_lines(LEGACY_GRAPH_COMMANDS)
            .filter_map(|line| line.split_once('\t'))
            .map(|(legacy, graph)| (legacy.to_lowercase(), graph))
            .collect()
    });
    table.get(&legacy_command.to_lowercase()).copied()
}

/// Least-privileged application permissions of a Graph command, where the data has them.
pub fn graph_command_permissions(command: &str) -> Option<Vec<&'static str>> {
    static TABLE: OnceLock<HashMap<String, Vec<&'static str>>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        grouped(GRAPH_COMMAND_PERMISSIONS)
            .map(|(c, p)| (c.to_lowercase(), p.collect()))
            .collect()
    });
    table.get(&command.to_lowercase()).cloned()
}

/// The REST call behind a Graph command: method, path, and whether the data knows it
/// (false: inferred from the command's name, report as "likely").
pub fn graph_command_path(command: &str) -> Option<(&'static str, &'static str, bool)> {
    static TABLE: OnceLock<HashMap<String, (&'static str, &'static str, bool)>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        data_lines(GRAPH_COMMAND_PATHS)
            .filter_map(|line| {
                let mut fields = line.split('\t');
                let command = fields.next()?;
                Some((
                    command.to_lowercase(),
                    (fields.next()?, fields.next()?, fields.next()? == "known"),
                ))
            })
            .collect()
    });
    table.get(&command.to_lowercase()).copied()
}

/// A Graph path pattern: method and lower-case segments, `None` for a `{...}` segment.
struct PathPattern {
    method: &'static str,
    segments: Vec<Option<String>>,
    permissions: Vec<&'static str>,
}

fn path_patterns() -> &'static [PathPattern] {
    static TABLE: OnceLock<Vec<PathPattern>> = OnceLock::new();
    TABLE.get_or_init(|| {
        grouped(GRAPH_PATH_PERMISSIONS)
            .filter_map(|(key, permissions)| {
                let (method, path) = key.split_once(' ')?;
                let segments = split_path(path)
                    .map(|s| (!(s.starts_with('{') && s.ends_with('}'))).then(|| s.to_lowercase()))
                    .collect();
                Some(PathPattern {
                    method,
                    segments,
                    permissions: permissions.collect(),
                })
            })
            .collect()
    })
}

fn split_path(path: &str) -> impl Iterator<Item = &str> {
    path.trim_matches('/').split('/').filter(|s| !s.is_empty())
}

/// Least-privileged application permissions for a Graph call (method and path without
/// the version prefix or query). `{...}` segments of the data match anything, case is
/// ignored, and a path ending in `/$ref` is retried without it. `None`: no data, which
/// means "unknown", never "no permission needed".
pub fn graph_path_permissions(method: &str, path: &str) -> Option<Vec<&'static str>> {
    let lookup = |path: &str| {
        let segments: Vec<String> = split_path(path).map(str::to_lowercase).collect();
        path_patterns()
            .iter()
            .filter(|p| p.method.eq_ignore_ascii_case(method) && p.segments.len() == segments.len())
            .filter(|p| {
                p.segments
                    .iter()
                    .zip(&segments)
                    .all(|(pattern, s)| pattern.as_ref().is_none_or(|literal| literal == s))
            })
            // The most literal pattern is the best description of the call.
            .max_by_key(|p| p.segments.iter().filter(|s| s.is_some()).count())
            .map(|p| p.permissions.clone())
    };
    lookup(path).or_else(|| path.strip_suffix("/$ref").and_then(lookup))
}

/// Application permissions by lower-case name: (name as published, app role id,
/// privilege level).
fn graph_app_roles() -> &'static HashMap<String, (&'static str, &'static str, u8)> {
    static TABLE: OnceLock<HashMap<String, (&'static str, &'static str, u8)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        data_lines(GRAPH_APP_ROLES)
            .filter_map(|line| {
                let mut fields = line.split('\t');
                let permission = fields.next()?;
                let id = fields.next()?;
                let level = fields.next().and_then(|l| l.parse().ok()).unwrap_or(u8::MAX);
                Some((permission.to_lowercase(), (permission, id, level)))
            })
            .collect()
    })
}

/// A Graph application permission's app role id and privilege level (1 lowest).
pub fn graph_app_role(permission: &str) -> Option<(&'static str, u8)> {
    graph_app_roles()
        .get(&permission.to_lowercase())
        .map(|&(_, id, level)| (id, level))
}

/// A Graph application permission's name as published (`user.read.all` -> `User.Read.All`).
pub fn graph_permission_name(permission: &str) -> Option<&'static str> {
    graph_app_roles()
        .get(&permission.to_lowercase())
        .map(|&(name, _, _)| name)
}

/// Of several least-privileged permissions for one call, the ones of the lowest
/// privilege level (unknown levels last).
pub fn least_privileged(permissions: &[&'static str]) -> Vec<&'static str> {
    let level = |p: &&str| graph_app_role(p).map_or(u8::MAX, |(_, level)| level);
    let lowest = permissions.iter().map(level).min().unwrap_or(u8::MAX);
    let mut chosen: Vec<&'static str> = permissions.iter().copied().filter(|p| level(p) == lowest).collect();
    chosen.sort_unstable();
    chosen.dedup();
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_resolve_to_their_modules() {
        assert_eq!(
            module_of("connect-azaccount"),
            Some(("Connect-AzAccount", "Az.Accounts"))
        );
        assert_eq!(module_of("Login-AzAccount").map(|m| m.1), Some("Az.Accounts"));
        assert_eq!(module_of("Get-MgUser").map(|m| m.1), Some("Microsoft.Graph.Users"));
        assert!(module_of("Add-AzureRmAccount").is_some_and(|m| m.1.eq_ignore_ascii_case("AzureRM.Profile")));
        assert_eq!(
            module_of("Get-AutomationVariable").map(|m| m.1),
            Some("Orchestrator.AssetManagement.Cmdlets")
        );
        assert!(module_of("Write-Output").is_some_and(|(_, m)| is_builtin_module(m)));
        assert_eq!(module_of("Invoke-MyHelper"), None);
    }

    #[test]
    fn azurerm_names_map_to_az_cmdlets_and_modules() {
        assert_eq!(azurerm_command("get-azurermvm"), Some(Some("Get-AzVM")));
        assert_eq!(azurerm_command("Add-AzureRmAccount"), Some(Some("Connect-AzAccount")));
        assert_eq!(
            azurerm_command("Select-AzureRmSubscription"),
            Some(Some("Set-AzContext"))
        );
        assert_eq!(
            azurerm_command("New-AzureStorageContext"),
            Some(Some("New-AzStorageContext"))
        );
        assert_eq!(azurerm_command("Get-AzureRmAks"), Some(None), "absent from Az");
        assert_eq!(azurerm_command("Set-AdlCatalogSecret"), Some(None), "unmapped");
        assert_eq!(
            azurerm_command("Get-AzureRmDtlAutoStartPolicy"),
            Some(Some("Get-AzDtlAutoStartPolicy")),
            "unmapped, but Az has the name the naming rule gives"
        );
        assert_eq!(azurerm_command("Login-AzAccount"), None, "an Az name needs no rename");
        assert_eq!(azurerm_command("Get-AdlStoreItem"), None, "same name in Az");
        assert_eq!(azurerm_module("azurerm.profile"), Some(Some("Az.Accounts")));
        assert_eq!(azurerm_module("AzureRM"), Some(Some("Az")));
        assert_eq!(azurerm_module("Azure.Storage"), Some(Some("Az.Storage")));
        assert_eq!(azurerm_module("AzureRM.Scheduler"), Some(None));
        assert_eq!(azurerm_module("Az.Accounts"), None);
    }

    #[test]
    fn beta_names_follow_the_v2_rule_and_only_for_known_commands() {
        assert_eq!(
            graph_beta_command("get-mguser"),
            Some(("Get-MgBetaUser", "Microsoft.Graph.Beta.Users"))
        );
        assert_eq!(graph_beta_command("Get-MgBetaUser"), None);
        assert_eq!(graph_beta_command("Get-MgThingThatDoesNotExist"), None);
        assert_eq!(graph_beta_command("Connect-MgGraph"), None);
    }

    #[test]
    fn graph_paths_match_with_wildcards_case_and_ref() {
        let users = graph_path_permissions("GET", "/users").expect("GET /users is in the data");
        assert_eq!(least_privileged(&users), ["User.ReadBasic.All"], "{users:?}");
        assert!(graph_path_permissions("get", "/Users/someone@contoso.com").is_some());
        let remove_member = graph_path_permissions("DELETE", "/groups/abc/members/def/$ref");
        assert_eq!(
            remove_member,
            Some(vec!["GroupMember.ReadWrite.All"]),
            "retried without /$ref"
        );
        assert_eq!(graph_path_permissions("GET", "/no/such/thing/at/all"), None);
        let (id, _) = graph_app_role("User.Read.All").unwrap();
        assert_eq!(id, "df021288-bdef-4463-88db-98f22de89214");
    }
}
