//! MI301 select-mgprofile and MI302 get-mgprofile (docs: rules/MI301.md, MI302.md):
//! the profile cmdlets removed in Microsoft Graph PowerShell v2. Removing a `beta`
//! switch renames what ran under it: commands (`Get-MgUser` -> `Get-MgBetaUser`),
//! their modules in `Import-Module`/`#Requires`, and model type names.

use std::ops::Range;

use regex::Regex;

use super::rewrite::delete_statement;
use super::{Checker, GET_MGPROFILE, SELECT_MGPROFILE};
use crate::diagnostic::{Applicability, Edit, Fix};
use crate::syntax::model::{Command, Script};
use crate::tables;

/// Microsoft.Graph.Authentication is not split by profile: never renamed.
const AUTHENTICATION_COMMANDS: &[&str] = &[
    "Connect-MgGraph",
    "Disconnect-MgGraph",
    "Get-MgContext",
    "Invoke-MgGraphRequest",
    "Get-MgEnvironment",
    "Add-MgEnvironment",
    "Set-MgEnvironment",
    "Remove-MgEnvironment",
    "Find-MgGraphCommand",
    "Find-MgGraphPermission",
    "Get-MgGraphOption",
    "Set-MgGraphOption",
    "Get-MgRequestContext",
    "Set-MgRequestContext",
    "Connect-Graph",
    "Disconnect-Graph",
    "Invoke-GraphRequest",
];

pub fn check(checker: &mut Checker) {
    let script = checker.script;
    let switches: Vec<(&Command, Option<String>)> = script
        .commands_named("Select-MgProfile")
        .map(|c| (c, c.value_of("Name").and_then(|v| script.string_value(v))))
        .collect();
    for (index, (command, profile)) in switches.iter().enumerate() {
        let is_beta = profile.as_deref().is_some_and(|p| p.eq_ignore_ascii_case("beta"));
        let is_v1 = profile.as_deref().is_some_and(|p| p.eq_ignore_ascii_case("v1.0"));
        let message = format!(
            "`Select-MgProfile{}` was removed in Microsoft Graph PowerShell v2: {}",
            profile.as_deref().map(|p| format!(" {p}")).unwrap_or_default(),
            if is_beta {
                "beta commands have their own names (`Get-MgBetaUser`) in the Microsoft.Graph.Beta.* modules"
            } else {
                "v1.0 is the only profile of the Microsoft.Graph.* modules"
            }
        );
        let alone = script.is_alone_in_statement(command);
        let fix = (alone && (is_v1 || is_beta)).then(|| {
            let mut edits = vec![delete_statement(script.text, command.place.statement.clone())];
            let mut message = "Remove `Select-MgProfile`: v1.0 is the default".to_owned();
            if is_beta {
                // The beta profile reaches until the next switch, or the end of the function
                // that switched (what runs after a call is unknowable here: unsafe anyway).
                let next_switch = switches
                    .get(index + 1)
                    .map_or(script.text.len(), |(next, _)| next.range.start);
                let function_end = script
                    .function_at(command.range.start)
                    .map_or(script.text.len(), |f| f.end);
                let end = next_switch.min(function_end);
                let renames = beta_renames(script, command.range.end..end);
                message = format!(
                    "Remove `Select-MgProfile` and rename {} beta command(s), module(s) and type(s)",
                    renames.len()
                );
                edits.extend(renames);
            }
            let straight = command.place.is_straight_line();
            Fix::new(
                if straight {
                    Applicability::Safe
                } else {
                    Applicability::Unsafe
                },
                message,
                edits,
            )
        });
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

/// Renames for everything that runs under a beta profile in `region`, plus the
/// `Import-Module`/`#Requires` of modules whose every command the script uses moved.
fn beta_renames(script: &Script, region: Range<usize>) -> Vec<Edit> {
    let mut edits = Vec::new();
    let mut beta_modules: Vec<&str> = Vec::new();
    let mut v1_modules_still_used: Vec<String> = Vec::new();
    for command in &script.commands {
        if AUTHENTICATION_COMMANDS.iter().any(|a| command.is(a)) {
            continue;
        }
        let Some((beta_name, beta_module)) = tables::graph_beta_command(&command.name) else {
            continue;
        };
        if !region.contains(&command.range.start) {
            v1_modules_still_used.push(beta_module.replace(".Beta.", "."));
            continue;
        }
        let written = script.slice(&command.name_range);
        let content = match written.rsplit_once('\\') {
            Some((_, _)) => format!("{}\\{beta_name}", beta_module),
            None => beta_name.to_owned(),
        };
        edits.push(Edit::replace(command.name_range.clone(), content));
        beta_modules.push(beta_module);
    }
    for module in beta_modules.iter().copied().collect::<std::collections::BTreeSet<_>>() {
        let v1 = module.replace(".Beta.", ".");
        if v1_modules_still_used.iter().any(|m| m.eq_ignore_ascii_case(&v1)) {
            continue;
        }
        edits.extend(module_mentions(script, &v1, module));
    }
    let model_prefix = "Microsoft.Graph.PowerShell.Models.";
    for ty in script.types.iter().filter(|t| region.contains(&t.range.start)) {
        let written = script.slice(&ty.range);
        if let Some(at) = written.to_lowercase().find(&model_prefix.to_lowercase()) {
            let insert = ty.range.start + at + "Microsoft.Graph.".len();
            edits.push(Edit::insert(insert, "Beta."));
        }
    }
    edits
}

/// `Import-Module <v1>` arguments and `#Requires -Modules` mentions of `v1`, renamed.
fn module_mentions(script: &Script, v1: &str, beta: &str) -> Vec<Edit> {
    let mut edits = Vec::new();
    for import in script.commands_named("Import-Module") {
        if let Some(value) = import.value_of("Name") {
            if script.string_value(value).is_some_and(|n| n.eq_ignore_ascii_case(v1)) {
                let written = script.slice(&value.range);
                let at = written.to_lowercase().find(&v1.to_lowercase()).unwrap_or(0);
                let start = value.range.start + at;
                edits.push(Edit::replace(start..start + v1.len(), beta));
            }
        }
    }
    let Ok(name) = Regex::new(&format!(r"(?i)\b{}\b(?:[^.\w]|$)", regex::escape(v1))) else {
        return edits;
    };
    for comment in &script.comments {
        let text = script.slice(comment);
        if !text.to_lowercase().starts_with("#requires") {
            continue;
        }
        for found in name.find_iter(text) {
            let start = comment.start + found.start();
            edits.push(Edit::replace(start..start + v1.len(), beta));
        }
    }
    edits
}
