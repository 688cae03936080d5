//! What to import into an Automation account that runs a set of scripts, and what its
//! admin should beware of (known-bad releases, the classic Azure module, AzureRM beside
//! Az); and the `#Requires -Modules` line that declares what one script needs.

use std::path::PathBuf;

use super::{
    graph_at_one_version, import_order, version_at_least, ModuleNeed, ScriptModules, ScriptReport, CLASSIC_AZURE,
    KNOWN_BAD,
};

/// The import plan of an Automation account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountPlan {
    /// Each module once (module families left out: no one can import "Az.*"), at the
    /// highest minimum any script needs, dependencies first.
    pub imports: Vec<ModuleNeed>,
    /// In this order: known-bad releases of modules to import, scripts pinning one,
    /// classic Azure scripts, AzureRM beside Az, PnP's runtime.
    pub warnings: Vec<PlanWarning>,
    /// Command uses over all scripts resolved to a module (or a module family), and not.
    pub resolved_uses: usize,
    pub unresolved_uses: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PlanWarning {
    /// A module to import (or one of its family) has a release to avoid.
    KnownBadRelease {
        module: &'static str,
        version: &'static str,
        why: &'static str,
    },
    /// A script pins a known-bad release; `line` is 1-based, of its declaration.
    PinsKnownBad {
        script: PathBuf,
        line: usize,
        module: &'static str,
        version: &'static str,
        why: &'static str,
    },
    /// Scripts using the classic Azure (Service Management) module, which cannot sign in
    /// with a managed identity.
    ClassicAzure { scripts: Vec<PathBuf> },
    /// AzureRM and Az scripts, which cannot share an account.
    AzureRmWithAz { azurerm: Vec<PathBuf>, az: Vec<PathBuf> },
    /// Scripts using PnP.PowerShell, whose 3.x releases run only on PowerShell 7.4.
    PnPRuntime { scripts: Vec<PathBuf> },
}

/// What to import into an Automation account that runs all these scripts, and why to
/// be careful.
pub fn account_plan(scripts: &[ScriptReport]) -> AccountPlan {
    let imports = imports(scripts.iter().map(|s| &s.modules));
    let mut warnings = Vec::new();
    for &(module, version, why) in KNOWN_BAD {
        let family = |name: &str| {
            name.eq_ignore_ascii_case(module) || name.to_lowercase().starts_with(&format!("{}.", module.to_lowercase()))
        };
        if imports.iter().any(|n| family(&n.name)) {
            warnings.push(PlanWarning::KnownBadRelease { module, version, why });
        }
    }
    for script in scripts {
        for declared in &script.modules.declared {
            let pinned = KNOWN_BAD.iter().find(|(module, version, _)| {
                declared.module.eq_ignore_ascii_case(module) && declared.version.as_deref() == Some(version)
            });
            if let Some(&(module, version, why)) = pinned {
                warnings.push(PlanWarning::PinsKnownBad {
                    script: script.path.clone(),
                    line: script.line(declared.range.start),
                    module,
                    version,
                    why,
                });
            }
        }
    }
    let classic = scripts_using(scripts, |name| name == CLASSIC_AZURE);
    if !classic.is_empty() {
        warnings.push(PlanWarning::ClassicAzure { scripts: classic });
    }
    let azurerm = scripts_using(scripts, |name| name.to_lowercase().starts_with("azurerm"));
    let az = scripts_using(scripts, |name| name.to_lowercase().starts_with("az."));
    if !azurerm.is_empty() && !az.is_empty() {
        warnings.push(PlanWarning::AzureRmWithAz { azurerm, az });
    }
    let pnp = scripts_using(scripts, |name| name.eq_ignore_ascii_case("PnP.PowerShell"));
    if !pnp.is_empty() {
        warnings.push(PlanWarning::PnPRuntime { scripts: pnp });
    }
    AccountPlan {
        imports,
        warnings,
        resolved_uses: scripts.iter().map(|s| s.modules.resolved_uses).sum(),
        unresolved_uses: scripts.iter().map(|s| s.modules.unresolved_uses).sum(),
    }
}

/// Every module the scripts need, each once at the highest minimum any of them needs
/// (module families left out), dependencies first.
fn imports<'a>(scripts: impl IntoIterator<Item = &'a ScriptModules>) -> Vec<ModuleNeed> {
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

/// The scripts that need a module whose name `uses` accepts.
fn scripts_using(scripts: &[ScriptReport], uses: impl Fn(&str) -> bool) -> Vec<PathBuf> {
    scripts
        .iter()
        .filter(|s| s.modules.modules.iter().any(|m| uses(&m.name)))
        .map(|s| s.path.clone())
        .collect()
}

impl ScriptModules {
    /// `#Requires -Modules A, @{ ModuleName = 'B'; ModuleVersion = '2.0.0' }` for the
    /// modules the script needs (module families left out); `None` when there are none.
    pub fn requires_line(&self) -> Option<String> {
        let modules: Vec<String> = self
            .modules
            .iter()
            .filter(|m| !m.name.contains('*'))
            .map(|m| match m.min_version {
                Some(version) => format!("@{{ ModuleName = '{}'; ModuleVersion = '{version}' }}", m.name),
                None => m.name.clone(),
            })
            .collect();
        (!modules.is_empty()).then(|| format!("#Requires -Modules {}", modules.join(", ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(path: &str, text: &str) -> ScriptReport {
        ScriptReport::new(PathBuf::from(path), text)
    }

    #[test]
    fn the_plan_takes_each_module_once_at_its_highest_minimum() {
        let scripts = [
            report("a.ps1", "Connect-AzAccount\nGet-AzVM\nGet-AzBrandNewThing\n"),
            report("b.ps1", "Connect-AzAccount -Identity\nGet-AzVM\n"),
        ];
        let plan = account_plan(&scripts);
        let imports: Vec<_> = plan.imports.iter().map(|m| (m.name.as_str(), m.min_version)).collect();
        assert_eq!(imports, [("Az.Accounts", Some("2.0.0")), ("Az.Compute", None)]);
        assert_eq!(plan.resolved_uses, 5);
        assert_eq!(plan.unresolved_uses, 0);
        assert_eq!(
            plan.warnings,
            [
                PlanWarning::KnownBadRelease {
                    module: "Az.Accounts",
                    version: "5.3.2",
                    why: "managed-identity sign-in fails on PowerShell 5.1"
                },
                PlanWarning::KnownBadRelease {
                    module: "Az.Accounts",
                    version: "5.3.3",
                    why: "managed-identity sign-in fails on PowerShell 5.1"
                }
            ]
        );
        assert_eq!(
            scripts[1].modules.requires_line().as_deref(),
            Some("#Requires -Modules @{ ModuleName = 'Az.Accounts'; ModuleVersion = '2.0.0' }, Az.Compute")
        );
        assert_eq!(report("c.ps1", "Write-Output x\n").modules.requires_line(), None);
    }

    #[test]
    fn pinned_bad_releases_classic_azure_and_azurerm_beside_az_are_warned_of() {
        let scripts = [
            report(
                "az.ps1",
                "#Requires -Modules @{ ModuleName = 'Az.Accounts'; RequiredVersion = '5.3.2' }\nGet-AzVM\n",
            ),
            report("rm.ps1", "Get-AzureRmVM\n"),
            report("classic.ps1", "Add-AzureAccount -Credential $c\n"),
        ];
        let warnings = account_plan(&scripts).warnings;
        assert!(warnings.contains(&PlanWarning::PinsKnownBad {
            script: "az.ps1".into(),
            line: 1,
            module: "Az.Accounts",
            version: "5.3.2",
            why: "managed-identity sign-in fails on PowerShell 5.1"
        }));
        assert!(warnings.contains(&PlanWarning::ClassicAzure {
            scripts: vec!["classic.ps1".into()]
        }));
        assert_eq!(
            warnings.last(),
            Some(&PlanWarning::AzureRmWithAz {
                azurerm: vec!["rm.ps1".into()],
                az: vec!["az.ps1".into()]
            })
        );
    }

    #[test]
    fn pnp_scripts_are_warned_of_its_runtime() {
        let scripts = [
            report("pnp.ps1", "Connect-PnPOnline -Url $u -ManagedIdentity\nGet-PnPList\n"),
            report("teams.ps1", "Connect-MicrosoftTeams -Identity\n"),
        ];
        assert_eq!(
            account_plan(&scripts).warnings,
            [PlanWarning::PnPRuntime {
                scripts: vec!["pnp.ps1".into()]
            }]
        );
    }
}
