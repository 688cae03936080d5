//! MI602 module-version-too-old (docs: rules/MI602.md): a `#Requires -Modules` or
//! `Import-Module -RequiredVersion/-MinimumVersion` pin below the version the script's
//! managed-identity sign-in needs (`Connect-MgGraph -Identity` needs
//! Microsoft.Graph.Authentication 2.0.0, ...). The minimums live with the module facts
//! in `crate::modules`, which `mimigrate modules` reports from too.

use super::{Checker, MODULE_VERSION_TOO_OLD};
use crate::diagnostic::{Applicability, Edit, Fix};
use crate::modules::{declared_modules, minimum_versions, version_at_least};

pub fn check(checker: &mut Checker) {
    let script = checker.script;
    let minimums = minimum_versions(script);
    for declared in declared_modules(script) {
        let Some(version) = declared.version.as_deref() else {
            continue;
        };
        let Some(minimum) = minimums
            .iter()
            .filter(|m| m.sign_in)
            .find(|m| m.module.eq_ignore_ascii_case(&declared.module))
        else {
            continue;
        };
        if version_at_least(version, minimum.version) {
            continue;
        }
        let how = if declared.exact { "pins" } else { "allows" };
        let message = format!(
            "`{}` {how} version {version}, but `{}` needs {} or later",
            declared.module, minimum.reason, minimum.version
        );
        // The version text appears once in the declaration: replace it.
        let written = script.slice(&declared.range);
        let fix = (written.matches(version).count() == 1).then(|| {
            let start = declared.range.start + written.find(version).unwrap_or(0);
            Fix::new(
                Applicability::Unsafe,
                format!(
                    "Require {} {} (import that version into the Automation account first)",
                    declared.module, minimum.version
                ),
                vec![Edit::replace(start..start + version.len(), minimum.version)],
            )
        });
        checker
            .diagnostics
            .push(MODULE_VERSION_TOO_OLD.diagnostic(declared.range.clone(), message, fix));
    }
}
