//! What a script needs imported to run under its managed identity: every module its
//! commands come from (generated tables, rules/data/), the order to import them in
//! (dependencies first), with the minimum versions and declarations of `versions`; and
//! for a whole Automation account, what to import and what to beware of (`plan`).
//! `mimigrate modules` prints these; MI602 reads the same minimums and declarations.

mod plan;
mod versions;

use std::collections::HashMap;
use std::path::PathBuf;

use crate::source::LineIndex;
use crate::syntax::model::{Command, Script};
use crate::tables;

pub use plan::{account_plan, AccountPlan, PlanWarning};
pub use versions::{declared_modules, minimum_versions, version_at_least, Declared, Minimum, KNOWN_BAD};

/// A module a script needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModuleNeed {
    pub name: String,
    /// The commands that need it, as published, in order of first use.
    pub commands: Vec<String>,
    /// 1-based line of the first of them; `None` for a module needed only by another.
    pub first_line: Option<usize>,
    /// Byte offset of the first of them, in the text analyzed.
    pub first_at: Option<usize>,
    /// In a graphical runbook, the activity of the first of them.
    pub activity: Option<String>,
    pub min_version: Option<&'static str>,
    /// Why that minimum (`Connect-MgGraph -Identity`).
    pub min_reason: Option<&'static str>,
    /// For a module needed only as a dependency: the module that needs it.
    pub required_by: Option<String>,
}

/// What one script needs imported, and what it declares.
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

/// One script's modules and where it is: what the account's plan is made of.
pub struct ScriptReport {
    pub path: PathBuf,
    pub lines: LineIndex,
    pub modules: ScriptModules,
}

impl ScriptReport {
    /// `text` is what to analyze: the file's text, or what its fixes make of it.
    pub fn new(path: PathBuf, text: &str) -> ScriptReport {
        let lines = LineIndex::new(text);
        let modules = ScriptModules::analyze(&Script::parse(text), &lines);
        ScriptReport { path, lines, modules }
    }

    /// Name the activity of each module's first use, from its offset (a graphical
    /// runbook's view, where lines are not the file's).
    pub fn name_activities(&mut self, activity_at: impl Fn(usize) -> Option<String>) {
        for need in &mut self.modules.modules {
            need.activity = need.first_at.and_then(&activity_at);
        }
    }

    /// The 1-based line of a byte offset.
    pub fn line(&self, offset: usize) -> usize {
        self.lines.line_of(offset) + 1
    }
}

/// The classic Azure Service Management module (`Add-AzureAccount`, `Get-AzureVM`,
/// `Select-AzureSubscription`, ...), which the data tables do not list: a `Verb-Azure<Noun>`
/// command they attribute to no module, and that is neither AzureRM's (`Verb-AzureRm*`) nor
/// AzureAD's (`Verb-AzureAD*`), comes from it. (The tables do list the `Verb-Azure*` names
/// of AzureAD, Azure.Storage and AzureRM's aliases such as `Get-AzureKeyVaultSecret`.) It
/// signs in with certificates or credentials only: managed identities are ARM's.
pub const CLASSIC_AZURE: &str = "Azure";

/// The Microsoft Entra PowerShell module (`Connect-Entra`, `Verb-Entra<Noun>`), which the
/// data tables do not list: MI504's fix moves AzureAD scripts onto it, and once a
/// script runs `Enable-EntraAzureADAlias` its AzureAD command names call Entra's.
pub const ENTRA: &str = "Microsoft.Entra";
const ENTRA_ALIASES: &str = "Enable-EntraAzureADAlias";

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
    if is_entra_module_command(bare) {
        return Source::Module(ENTRA.to_owned(), bare.to_owned());
    }
    if let Some((published, module)) = tables::module_of(bare).or_else(|| tables::module_of(&command.name)) {
        let azuread = module.eq_ignore_ascii_case("AzureAD") || module.eq_ignore_ascii_case("AzureADPreview");
        if azuread && script.commands_named(ENTRA_ALIASES).next().is_some() {
            return Source::Module(ENTRA.to_owned(), published.to_owned());
        }
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

/// `Connect-Entra`, `Get-EntraUser`, `Enable-EntraAzureADAlias`: `Verb-Entra<Noun>`.
fn is_entra_module_command(name: &str) -> bool {
    name.split_once('-')
        .is_some_and(|(verb, noun)| !verb.is_empty() && noun.get(..5).is_some_and(|p| p.eq_ignore_ascii_case("Entra")))
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
    if (lower.starts_with("microsoft.graph.") && lower != "microsoft.graph.authentication")
        || lower == ENTRA.to_lowercase()
    {
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
                    first_at: Some(command.range.start),
                    activity: None,
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
                        first_at: None,
                        activity: None,
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
    fn azuread_commands_run_on_entra_once_its_aliases_are_enabled() {
        let names = |text: &str| -> Vec<(String, Vec<String>)> {
            analyze(text)
                .modules
                .into_iter()
                .map(|m| (m.name, m.commands))
                .collect()
        };
        let owned = |items: &[&str]| items.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        assert_eq!(
            names("Connect-AzureAD -Credential $c\nGet-AzureADUser -Top 1\n"),
            [("AzureAD".to_owned(), owned(&["Connect-AzureAD", "Get-AzureADUser"]))]
        );
        assert_eq!(
            names("Connect-Entra -Identity\nEnable-EntraAzureADAlias\nGet-AzureADUser -Top 1\n"),
            [
                ("Microsoft.Graph.Authentication".to_owned(), Vec::new()),
                (
                    ENTRA.to_owned(),
                    owned(&["Connect-Entra", "Enable-EntraAzureADAlias", "Get-AzureADUser"])
                )
            ]
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
}
