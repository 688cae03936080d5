//! MI301 select-mgprofile and MI302 get-mgprofile (docs: rules/MI301.md, MI302.md):
//! the profile cmdlets removed in Microsoft Graph PowerShell v2.

use super::rewrite::delete_statement;
use super::{Checker, GET_MGPROFILE, SELECT_MGPROFILE};
use crate::diagnostic::{Applicability, Fix};

pub fn check(checker: &mut Checker) {
    let script = checker.script;
    for command in script.commands_named("Select-MgProfile") {
        let profile = command
            .value_of("Name")
            .and_then(|v| script.string_value(v));
        let alone = command.pipeline == command.place.statement;
        let message = format!(
            "`Select-MgProfile{}` was removed in Microsoft Graph PowerShell v2: {}",
            profile
                .as_deref()
                .map(|p| format!(" {p}"))
                .unwrap_or_default(),
            if profile
                .as_deref()
                .is_some_and(|p| p.eq_ignore_ascii_case("beta"))
            {
                "beta commands now have their own names (`Get-MgBetaUser`) in the Microsoft.Graph.Beta.* modules"
            } else {
                "v1.0 is the only profile of the Microsoft.Graph.* modules"
            }
        );
        let fix = match profile.as_deref() {
            Some(p) if p.eq_ignore_ascii_case("v1.0") && alone => {
                let applicability = if command.place.is_straight_line() {
                    Applicability::Safe
                } else {
                    Applicability::Unsafe
                };
                Some(Fix::new(
                    applicability,
                    "Remove `Select-MgProfile`: v1.0 is the default",
                    vec![delete_statement(
                        script.text,
                        command.place.statement.clone(),
                    )],
                ))
            }
            _ => None,
        };
        checker
            .diagnostics
            .push(SELECT_MGPROFILE.diagnostic(command.range.clone(), message, fix));
    }
    for command in script.commands_named("Get-MgProfile") {
        let message = "`Get-MgProfile` was removed in Microsoft Graph PowerShell v2; code that depends on the profile must be rewritten by hand (v1.0 commands are `Verb-Mg*`, beta ones `Verb-MgBeta*`)";
        checker
            .diagnostics
            .push(GET_MGPROFILE.diagnostic(command.range.clone(), message, None));
    }
}
