//! What a script needs imported to run under its managed identity: every module its
//! commands come from (generated tables, rules/data/), the minimum versions its
//! managed-identity sign-ins need (RULES.md "Module facts"), the order to import them
//! in (dependencies first), and what its `#Requires`/`Import-Module` already declare.
//! `mimigrate modules` prints this; MI602 reads the same minimums and declarations.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use crate::source::LineIndex;
use crate::syntax::commands::{CONNECT_AZ_ACCOUNT, CONNECT_MG_GRAPH};
use crate::syntax::model::{Command, Script};
use crate::tables;

/// A module a script needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModuleNeed {
    pub name: String,
    /// The commands that need it, as published, in order of first use.
    pub commands: Vec<String>,
    /// 1-based line of the first of them; `None` for a module needed only by another.
    pub first_line: Option<usize>,
    pub min_version: Option<&'static str>,
    /// Why that minimum (`Connect-MgGraph -Identity`).
    pub min_reason: Option<&'static str>,
    /// For a module needed only as a dependency: the module that needs it.
    pub required_by: Option<String>,
}

/// A module the script itself declares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Declared {
    pub module: String,
    /// `ModuleVersion`/`-MinimumVersion` (`exact: false`) or `RequiredVersion` (`exact: true`).
    pub version: Option<String>,
    pub exact: bool,
    pub range: Range<usize>,
    pub by_requires: bool,
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

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScriptModules {
    /// In import order: dependencies first.
    pub modules: Vec<ModuleNeed>,
    /// Commands in no table and not defined in the script.
    pub unresolved: Vec<String>,
    /// Other scripts it runs (`.\Helper.ps1`, `. "$PSScriptRoot\x.ps1"`): their needs
    /// are their own.
    pub scripts: Vec<String>,
    pub declared: Vec<Declared>,
    /// Command uses resolved to a module (or a module family), and not resolved.
    pub resolved_uses: usize,
    pub unresolved_uses: usize,
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
static HASHTABLE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"@\{([^}]*)\}").expect("valid pattern"));
static ENTRY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)(ModuleName|ModuleVersion|RequiredVersion)\s*=\s*['"]?([^'";}\s]+)"#).expect("valid pattern")
});

/// The modules a script declares with `#Requires -Modules` and `Import-Module`.
pub fn declared_modules(script: &Script) -> Vec<Declared> {
    let mut declared = Vec::new();
    for comment in &script.comments {
        let Some(list) = REQUIRES.captures(script.slice(comment)).and_then(|c| c.get(1)) else {
            continue;
        };
        let mut rest = list.as_str().to_owned();
        for table in HASHTABLE.captures_iter(list.as_str()) {
            let mut entry = Declared {
                module: String::new(),
                version: None,
                exact: false,
                range: comment.clone(),
                by_requires: true,
            };
            for pair in ENTRY.captures_iter(&table[1]) {
                match pair[1].to_lowercase().as_str() {
                    "modulename" => entry.module = pair[2].to_owned(),
                    "requiredversion" => (entry.version, entry.exact) = (Some(pair[2].to_owned()), true),
                    _ => entry.version = Some(pair[2].to_owned()),
                }
            }
            if !entry.module.is_empty() {
                declared.push(entry);
            }
            rest = rest.replace(&table[0], "");
        }
        for name in rest
            .split(',')
            .map(|n| n.trim().trim_matches(['\'', '"']))
            .filter(|n| !n.is_empty())
        {
            declared.push(Declared {
                module: name.to_owned(),
                version: None,
                exact: false,
                range: comment.clone(),
                by_requires: true,
            });
        }
    }
    for import in script.commands_named("Import-Module") {
        let Some(name) = import.value_of("Name").and_then(|v| script.string_value(v)) else {
            continue;
        };
        let required = import
            .named("RequiredVersion")
            .flatten()
            .and_then(|v| script.string_value(v));
        let minimum = import
            .named("MinimumVersion")
            .flatten()
            .and_then(|v| script.string_value(v));
        declared.push(Declared {
            module: name,
            exact: required.is_some(),
            version: required.or(minimum),
            range: import.range.clone(),
            by_requires: false,
        });
    }
    declared
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

/// The classic Azure Service Management module (`Add-AzureAccount`, `Get-AzureVM`,
/// `Select-AzureSubscription`, ...), which the data tables do not list: a `Verb-Azure<Noun>`
/// command they attribute to no module, and that is neither AzureRM's (`Verb-AzureRm*`) nor
/// AzureAD's (`Verb-AzureAD*`), comes from it. (The tables do list the `Verb-Azure*` names
/// of AzureAD, Azure.Storage and AzureRM's aliases such as `Get-AzureKeyVaultSecret`.) It
/// signs in with certificates or credentials only: managed identities are ARM's.
pub const CLASSIC_AZURE: &str = "Azure";

/// Graph PowerShell v1 commands removed in v2 (MI301/MI302), absent from the v2 data.
const GRAPH_V1_ONLY: &[&str] = &["Select-MgProfile", "Get-MgProfile"];

/// Where a command comes from.
enum Source {
    Module(String, String),
    /// A module family the tables do not list the command of (`Get-AzNewThing`).
    Family(&'static str),
    /// Needs no import: PowerShell's own modules, the Automation sandbox's cmdlets,
    /// functions the script defines, calls through a variable.
    NoImport,
    Script(String),
    Unresolved(String),
}

fn source_of(script: &Script, command: &Command) -> Source {
    let written = command.written_name.trim();
    let invocation_end = command
        .arguments
        .first()
        .map_or(command.range.end, |a| a.range().start.min(command.range.end));
    let invocation = script.text[command.range.start..invocation_end]
        .trim()
        .trim_start_matches(['&', '.'])
        .trim();
    if written.starts_with('{') {
        // `& { process { ... } }`: a script block, run in place.
        return Source::NoImport;
    }
    if written.starts_with(['$', '(', '"', '\'']) || written.is_empty() {
        return if invocation.to_lowercase().contains(".ps1") {
            Source::Script(invocation.trim_matches(['"', '\'']).to_owned())
        } else {
            Source::NoImport
        };
    }
    if written.to_lowercase().ends_with(".ps1") {
        return Source::Script(written.to_owned());
    }
    let bare = written.rsplit('\\').next().unwrap_or(written);
    if script.defined_commands.iter().any(|d| d.eq_ignore_ascii_case(bare)) {
        return Source::NoImport;
    }
    if let Some(published) = GRAPH_V1_ONLY.iter().find(|c| c.eq_ignore_ascii_case(bare)) {
        return Source::Module("Microsoft.Graph.Authentication".to_owned(), (*published).to_owned());
    }
    if let Some((published, module)) = tables::module_of(bare).or_else(|| tables::module_of(&command.name)) {
        let sandbox = module.starts_with("Orchestrator.");
        return if tables::is_builtin_module(module) || sandbox {
            Source::NoImport
        } else {
            Source::Module(module.to_owned(), published.to_owned())
        };
    }
    if let Some((qualifier, _)) = written.rsplit_once('\\') {
        // `Az.Accounts\Connect-AzAccount`; anything else before a backslash is a folder
        // (`.\setup.exe`, `C:\Tools\x.exe`): a program, not a module's command.
        return if is_module_name(qualifier) {
            Source::Module(qualifier.to_owned(), bare.to_owned())
        } else {
            Source::NoImport
        };
    }
    let noun = bare.split_once('-').map(|(_, n)| n.to_lowercase()).unwrap_or_default();
    let family = if noun.starts_with("azurerm") {
        Some("AzureRM.* (module unknown)")
    } else if noun.starts_with("azuread") {
        Some("AzureAD* (module unknown)")
    } else if noun.starts_with("azure") {
        // Every other `Verb-Azure<Noun>` the tables do not know is Service Management's.
        return Source::Module(CLASSIC_AZURE.to_owned(), bare.to_owned());
    } else if noun.starts_with("az") {
        Some("Az.* (module unknown)")
    } else if noun.starts_with("mgbeta") {
        Some("Microsoft.Graph.Beta.* (module unknown)")
    } else if noun.starts_with("mg") {
        Some("Microsoft.Graph.* (module unknown)")
    } else {
        None
    };
    family.map_or_else(|| Source::Unresolved(bare.to_owned()), Source::Family)
}

/// `Az.Accounts`, `Microsoft.Graph.Users`, `PnP.PowerShell`: what a module qualifier
/// looks like (a folder such as `.` or `C:\Tools` does not).
fn is_module_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// The modules `module` needs loaded first.
fn dependencies(module: &str) -> Vec<&'static str> {
    let lower = module.to_lowercase();
    if let Some(az) = tables::az_module(module) {
        return az
            .requires
            .split([',', ';'])
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .collect();
    }
    if lower.starts_with("az.") && lower != "az.accounts" {
        return vec!["Az.Accounts"];
    }
    if lower.starts_with("microsoft.graph.") && lower != "microsoft.graph.authentication" {
        return vec!["Microsoft.Graph.Authentication"];
    }
    if lower.starts_with("azurerm.") && lower != "azurerm.profile" {
        return vec!["AzureRM.profile"];
    }
    match lower.as_str() {
        "exchangeonlinemanagement" => vec!["PackageManagement", "PowerShellGet"],
        "powershellget" => vec!["PackageManagement"],
        _ => Vec::new(),
    }
}

impl ScriptModules {
    pub fn analyze(script: &Script, lines: &LineIndex) -> ScriptModules {
        let mut result = ScriptModules {
            declared: declared_modules(script),
            ..ScriptModules::default()
        };
        let mut by_module: HashMap<String, ModuleNeed> = HashMap::new();
        let mut order: Vec<String> = Vec::new();
        for command in script.commands.iter().filter(|c| !c.is("Import-Module")) {
            let line = lines.position(script.text, command.range.start).line;
            let (module, published) = match source_of(script, command) {
                Source::Module(module, published) => (module, published),
                Source::Family(family) => (family.to_owned(), command.written_name.clone()),
                Source::NoImport => continue,
                Source::Script(path) => {
                    if !result.scripts.contains(&path) {
                        result.scripts.push(path);
                    }
                    continue;
                }
                Source::Unresolved(name) => {
                    result.unresolved_uses += 1;
                    if !result.unresolved.iter().any(|u| u.eq_ignore_ascii_case(&name)) {
                        result.unresolved.push(name);
                    }
                    continue;
                }
            };
            result.resolved_uses += 1;
            let key = module.to_lowercase();
            let need = by_module.entry(key.clone()).or_insert_with(|| {
                order.push(key.clone());
                ModuleNeed {
                    name: module,
                    commands: Vec::new(),
                    first_line: Some(line),
                    min_version: None,
                    min_reason: None,
                    required_by: None,
                }
            });
            if !need.commands.iter().any(|c| c.eq_ignore_ascii_case(&published)) {
                need.commands.push(published);
            }
        }
        // Dependencies the script does not call directly.
        let mut index = 0;
        while index < order.len() {
            let name = by_module[&order[index]].name.clone();
            for dependency in dependencies(&name) {
                let key = dependency.to_lowercase();
                if let std::collections::hash_map::Entry::Vacant(slot) = by_module.entry(key.clone()) {
                    order.push(key);
                    slot.insert(ModuleNeed {
                        name: dependency.to_owned(),
                        commands: Vec::new(),
                        first_line: None,
                        min_version: None,
                        min_reason: None,
                        required_by: Some(name.clone()),
                    });
                }
            }
            index += 1;
        }
        let mut modules: Vec<ModuleNeed> = order
            .into_iter()
            .map(|k| by_module.remove(&k).expect("ordered keys are present"))
            .collect();
        for minimum in minimum_versions(script) {
            raise_minimum(&mut modules, minimum.module, minimum.version, minimum.reason);
        }
        graph_at_one_version(&mut modules);
        result.modules = import_order(modules);
        result
    }
}

/// Beta modules exist from Graph PowerShell v2 on, and all Graph modules load at the
/// version of Microsoft.Graph.Authentication: once any Graph module needs v2, all do.
fn graph_at_one_version(modules: &mut [ModuleNeed]) {
    let is_graph = |m: &ModuleNeed| m.name.to_lowercase().starts_with("microsoft.graph.");
    let v2 = modules.iter().any(|m| {
        is_graph(m) && (m.min_version.is_some() || m.name.to_lowercase().starts_with("microsoft.graph.beta."))
    });
    if v2 {
        for module in modules.iter_mut().filter(|m| is_graph(m)) {
            if module
                .min_version
                .is_none_or(|current| !version_at_least(current, "2.0.0"))
            {
                module.min_version = Some("2.0.0");
                module.min_reason = Some("Microsoft Graph PowerShell v2 (Connect-MgGraph -Identity, beta modules): all Graph modules at one version");
            }
        }
    }
}

fn raise_minimum(modules: &mut [ModuleNeed], module: &str, version: &'static str, reason: &'static str) {
    if let Some(need) = modules.iter_mut().find(|m| m.name.eq_ignore_ascii_case(module)) {
        if need
            .min_version
            .is_none_or(|current| !version_at_least(current, version))
        {
            need.min_version = Some(version);
            need.min_reason = Some(reason);
        }
    }
}

/// What to import into an Automation account that runs all these scripts: each
/// module once (module families left out: no one can import "Az.*"), at the highest
/// minimum any script needs, dependencies first.
pub fn account_plan<'a>(scripts: impl IntoIterator<Item = &'a ScriptModules>) -> Vec<ModuleNeed> {
    let mut plan: Vec<ModuleNeed> = Vec::new();
    for need in scripts
        .into_iter()
        .flat_map(|s| &s.modules)
        .filter(|n| !n.name.contains('*'))
    {
        match plan.iter_mut().find(|p| p.name.eq_ignore_ascii_case(&need.name)) {
            Some(existing) => {
                if need
                    .min_version
                    .is_some_and(|v| existing.min_version.is_none_or(|e| !version_at_least(e, v)))
                {
                    existing.min_version = need.min_version;
                    existing.min_reason = need.min_reason;
                }
            }
            None => plan.push(need.clone()),
        }
    }
    graph_at_one_version(&mut plan);
    import_order(plan)
}

/// Dependencies before the modules that need them; otherwise in order of first use.
fn import_order(modules: Vec<ModuleNeed>) -> Vec<ModuleNeed> {
    let mut remaining = modules;
    let mut ordered: Vec<ModuleNeed> = Vec::new();
    while !remaining.is_empty() {
        let ready = remaining
            .iter()
            .position(|m| {
                dependencies(&m.name)
                    .iter()
                    .all(|d| !remaining.iter().any(|r| r.name.eq_ignore_ascii_case(d)))
            })
            .unwrap_or(0);
        ordered.push(remaining.remove(ready));
    }
    ordered
}

#[cfg(test)]
mod tests {
    use super::*;

    fn analyze(text: &str) -> ScriptModules {
        ScriptModules::analyze(&Script::parse(text), &LineIndex::new(text))
    }

    #[test]
    fn modules_come_in_dependency_order_with_their_minimums() {
        let result = analyze(
            "#Requires -Modules @{ ModuleName = 'Microsoft.Graph.Authentication'; RequiredVersion = '1.28.0' }, Az.Compute\n\
             function Invoke-Mine { }\nGet-AzVM | Stop-AzVM\nConnect-AzAccount -Identity\nConnect-MgGraph -Identity\nGet-MgUser\n\
             Invoke-Mine\nWrite-Output x\nGet-AutomationVariable -Name v\n.\\Helper.ps1\nInvoke-Unknown\nGet-AzBrandNewThing\n",
        );
        let names: Vec<_> = result.modules.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "Az.Accounts",
                "Az.Compute",
                "Microsoft.Graph.Authentication",
                "Microsoft.Graph.Users",
                "Az.* (module unknown)"
            ]
        );
        let compute = &result.modules[1];
        assert_eq!(compute.commands, ["Get-AzVM", "Stop-AzVM"]);
        assert_eq!(compute.first_line, Some(3));
        assert_eq!(result.modules[0].min_version, Some("2.0.0"));
        assert_eq!(result.modules[2].min_version, Some("2.0.0"));
        assert_eq!(
            result.modules[3].min_version,
            Some("2.0.0"),
            "Graph modules follow Authentication"
        );
        assert_eq!(result.unresolved, ["Invoke-Unknown"]);
        assert_eq!(result.scripts, [".\\Helper.ps1"]);
        let declared: Vec<_> = result
            .declared
            .iter()
            .map(|d| (d.module.as_str(), d.version.as_deref(), d.exact))
            .collect();
        assert_eq!(
            declared,
            [
                ("Microsoft.Graph.Authentication", Some("1.28.0"), true),
                ("Az.Compute", None, false)
            ]
        );
    }

    #[test]
    fn classic_service_management_commands_are_the_azure_modules() {
        let result = analyze(
            "$cert = Get-AutomationCertificate -Name AzureClassicRunAsCertificate\n\
             Set-AzureSubscription -SubscriptionName $n -SubscriptionId $id -Certificate $cert\n\
             Select-AzureSubscription -SubscriptionId $id\nAdd-AzureAccount -Credential $c\n\
             get-azurevm -ServiceName svc | Stop-AzureVM -Force\nGet-AzureService\n\
             Connect-AzureAD -Identity\nGet-AzureStorageBlob -Container logs\nGet-AzureKeyVaultSecret -VaultName v\n\
             Get-AzureADBrandNewThing\nGet-AzureRmBrandNewThing\nGet-AzBrandNewThing\n",
        );
        let modules: Vec<_> = result
            .modules
            .iter()
            .map(|m| (m.name.as_str(), m.commands.clone()))
            .collect();
        let classic = modules
            .iter()
            .find(|(name, _)| *name == CLASSIC_AZURE)
            .expect("the classic module");
        assert_eq!(
            classic.1,
            [
                "Set-AzureSubscription",
                "Select-AzureSubscription",
                "Add-AzureAccount",
                "get-azurevm",
                "Stop-AzureVM",
                "Get-AzureService"
            ]
        );
        let module_of = |command: &str| {
            modules
                .iter()
                .find(|(_, commands)| commands.iter().any(|c| c == command))
                .map(|(name, _)| *name)
        };
        assert_eq!(module_of("Connect-AzureAD"), Some("AzureAD"));
        assert_eq!(module_of("Get-AzureStorageBlob"), Some("Azure.Storage"));
        assert!(module_of("Get-AzureKeyVaultSecret").is_some_and(|m| m.starts_with("AzureRM")));
        assert_eq!(module_of("Get-AzureADBrandNewThing"), Some("AzureAD* (module unknown)"));
        assert_eq!(
            module_of("Get-AzureRmBrandNewThing"),
            Some("AzureRM.* (module unknown)")
        );
        assert_eq!(module_of("Get-AzBrandNewThing"), Some("Az.* (module unknown)"));
        let classic_requires: Vec<_> = result
            .modules
            .iter()
            .filter(|m| m.required_by.as_deref() == Some(CLASSIC_AZURE))
            .collect();
        assert!(classic_requires.is_empty(), "{classic_requires:?}");
    }

    #[test]
    fn programs_and_script_blocks_are_not_modules() {
        let result = analyze(
            "& .\\MMASetup.exe /Q\n& 'C:\\Tools\\azcopy.exe' copy a b\n\
             $ids | & { process { $_ -replace '\\s', '' } }\nAz.Compute\\Get-AzVM\n",
        );
        let names: Vec<_> = result.modules.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["Az.Accounts", "Az.Compute"], "{result:?}");
        assert!(result.unresolved.is_empty(), "{result:?}");
    }

    #[test]
    fn exchange_brings_its_installer_modules() {
        let result =
            analyze("Connect-ExchangeOnline -ManagedIdentity -Organization contoso.onmicrosoft.com\nGet-EXOMailbox\n");
        let names: Vec<_> = result
            .modules
            .iter()
            .map(|m| (m.name.as_str(), m.min_version))
            .collect();
        assert_eq!(
            names,
            [
                ("PackageManagement", None),
                ("PowerShellGet", None),
                ("ExchangeOnlineManagement", Some("3.0.0"))
            ]
        );
        assert_eq!(
            result.modules[0].required_by.as_deref(),
            Some("ExchangeOnlineManagement")
        );
    }

    #[test]
    fn a_secure_string_token_raises_the_az_accounts_minimum() {
        let result = analyze(
            "Connect-AzAccount -Identity\n\
             $t = [System.Net.NetworkCredential]::new('', (Get-AzAccessToken -ResourceUrl $r -AsSecureString).Token).Password\n",
        );
        let accounts = &result.modules[0];
        assert_eq!(accounts.name, "Az.Accounts");
        assert_eq!(accounts.min_version, Some("2.17.0"));
        assert!(accounts
            .min_reason
            .is_some_and(|r| r.starts_with("Get-AzAccessToken -AsSecureString")));

        let splatted = analyze("$p = @{ ResourceUrl = $r; AsSecureString = $true }\nGet-AzAccessToken @p\n");
        assert_eq!(splatted.modules[0].min_version, Some("2.17.0"));
        let plain = analyze("Connect-AzAccount -Identity\n$t = (Get-AzAccessToken -ResourceUrl $r).Token\n");
        assert_eq!(
            plain.modules[0].min_version,
            Some("2.0.0"),
            "plain Get-AzAccessToken is older"
        );
    }

    #[test]
    fn versions_compare_numerically() {
        assert!(version_at_least("2.10.0", "2.9"));
        assert!(!version_at_least("1.28.0", "2.0.0"));
        assert!(version_at_least("3.0", "3.0.0"));
    }
}
