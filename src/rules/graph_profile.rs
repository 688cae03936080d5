//! MI301 select-mgprofile and MI302 get-mgprofile (docs: rules/MI301.md, MI302.md):
//! the profile cmdlets removed in Microsoft Graph PowerShell v2. Removing a `beta`
//! switch renames what ran under it: commands (`Get-MgUser` -> `Get-MgBetaUser`),
//! their modules in `Import-Module`/`#Requires`, and model type names.

use std::ops::Range;

use regex::Regex;

use std::sync::LazyLock;

use super::rewrite::{delete_statement, delete_statements, describing_comments, move_requires};
use super::{Checker, GET_MGPROFILE, SELECT_MGPROFILE};
use crate::diagnostic::{Applicability, Edit, Fix};
use crate::modules::{declared_modules, Declared};
use crate::syntax::model::{BlockKind, Command, Script};
use crate::tables;

/// A comment line about the profile switch (`# Make sure we use the beta endpoint`).
static ABOUT_PROFILE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)\bbeta\b|profile").expect("valid pattern"));

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
    // Looked up once per script, not once per switch: each lookup builds a name.
    let beta_forms = std::cell::OnceCell::new();
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
        let idiom = is_beta.then(|| ensure_beta(script, command)).flatten();
        let fix = (alone && (is_v1 || is_beta)).then(|| {
            let mut edits = match &idiom {
                Some(statements) => delete_statements(script.text, statements.iter().cloned()),
                None => vec![delete_statement(script.text, command.place.statement.clone())],
            };
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
                let forms = beta_forms.get_or_init(|| beta_forms_of(script));
                let renames = beta_renames(script, forms, command.range.end..end);
                message = format!(
                    "Remove `Select-MgProfile` and rename {} beta command(s), module(s) and type(s)",
                    renames.len()
                );
                edits.extend(renames);
            }
            // The "ensure beta" idiom switches unconditionally in effect: as straight as its `if`.
            let straight = match &idiom {
                Some(statements) => script
                    .statements
                    .iter()
                    .find(|s| s.statement == statements[0])
                    .is_some_and(|s| s.is_straight_line()),
                None => command.place.is_straight_line(),
            };
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

/// The "ensure beta" idiom: `$p = (Get-MgProfile).Name; if ($p -ne 'beta') {
/// Select-MgProfile beta }`. Once the profile is gone the whole idiom is dead: the `if`
/// (whose body is only the switch, with no `else`), the profile reads its condition
/// alone uses, and the comments above that speak of the profile. The `if` comes first.
fn ensure_beta(script: &Script, command: &Command) -> Option<Vec<Range<usize>>> {
    let blocks = &command.place.blocks;
    let body = blocks.last().filter(|b| b.kind == BlockKind::Branch)?;
    let alone_in_body = script
        .statements
        .iter()
        .filter(|s| s.blocks.last() == Some(body))
        .all(|s| s.statement == command.place.statement);
    let outer = &blocks[..blocks.len() - 1];
    let if_statement = script
        .statements
        .iter()
        .find(|s| &*s.blocks == outer && s.statement.start <= body.range.start && body.range.end <= s.statement.end)?;
    let if_range = if_statement.statement.clone();
    let no_else = script.text[body.range.end..if_range.end].trim().is_empty();
    if !alone_in_body || !no_else || !script.slice(&if_range).get(..2)?.eq_ignore_ascii_case("if") {
        return None;
    }
    let condition = if_range.start..body.range.start;
    let mut statements = vec![if_range.clone()];
    for read in script.variables.iter().filter(|v| condition.contains(&v.range.start)) {
        let Some(assignment) = script.assignment_before(&read.name, read.range.start) else {
            continue;
        };
        let from_profile = script
            .slice(&assignment.value.range)
            .to_lowercase()
            .contains("get-mgprofile");
        let only_here = script.uses_of(&read.name).all(|u| condition.contains(&u.range.start));
        if from_profile && only_here && script.is_whole_statement(assignment) {
            statements.push(assignment.place.statement.clone());
        }
    }
    let described: Vec<Range<usize>> = statements
        .iter()
        .map(|s| s.start)
        .min()
        .map(|first| describing_comments(script, first, &ABOUT_PROFILE))
        .unwrap_or_default();
    statements.extend(described);
    Some(statements)
}

/// A v1.0 Graph command of the script with its beta name and module.
struct BetaForm<'s> {
    command: &'s Command,
    name: &'static str,
    module: &'static str,
}

fn beta_forms_of<'s>(script: &'s Script) -> Vec<BetaForm<'s>> {
    script
        .commands
        .iter()
        .filter(|command| !AUTHENTICATION_COMMANDS.iter().any(|a| command.is(a)))
        .filter_map(|command| {
            let (name, module) = tables::graph_beta_command(&command.name)?;
            Some(BetaForm { command, name, module })
        })
        .collect()
}

/// Renames for everything that runs under a beta profile in `region`, plus the
/// `Import-Module`/`#Requires` of modules whose every command the script uses moved.
fn beta_renames(script: &Script, forms: &[BetaForm], region: Range<usize>) -> Vec<Edit> {
    let mut edits = Vec::new();
    let mut beta_modules: Vec<&str> = Vec::new();
    let mut v1_modules_still_used: Vec<String> = Vec::new();
    for &BetaForm {
        command,
        name: beta_name,
        module: beta_module,
    } in forms
    {
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
    let moved: Vec<(String, &str)> = beta_modules
        .iter()
        .copied()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .map(|module| (module.replace(".Beta.", "."), module))
        .filter(|(v1, _)| !v1_modules_still_used.iter().any(|m| m.eq_ignore_ascii_case(v1)))
        .collect();
    edits.extend(module_mentions(script, &moved));
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

/// `Import-Module <v1>` arguments renamed to their beta modules, and the `#Requires
/// -Modules` mentions moved the way `move_requires` moves them (a version pin stays: v1.0
/// and beta modules are released together).
fn module_mentions(script: &Script, moved: &[(String, &str)]) -> Vec<Edit> {
    let declared = declared_modules(script);
    let beta_of = |d: &Declared| {
        moved
            .iter()
            .find(|(v1, _)| d.module.eq_ignore_ascii_case(v1))
            .map(|(_, beta)| *beta)
    };
    let mut edits = Vec::new();
    let mut requires: Vec<(&Declared, String)> = Vec::new();
    for (entry, beta) in declared.iter().filter_map(|d| Some((d, beta_of(d)?))) {
        match (&entry.name, entry.by_requires) {
            (Some(name), true) => {
                // The entry as written, with the name replaced: a hashtable keeps its pin.
                let written = script.slice(&entry.entry);
                let at = name.start - entry.entry.start;
                let text = format!("{}{beta}{}", &written[..at], &written[at + name.len()..]);
                requires.push((entry, text));
            }
            (Some(name), false) => edits.push(Edit::replace(name.clone(), beta)),
            (None, _) => {}
        }
    }
    let (renamed, deleted) = move_requires(script, &requires);
    edits.extend(renamed);
    edits.extend(delete_statements(script.text, deleted));
    edits
}

#[cfg(test)]
mod tests {
    use crate::fix::{fix_text, FixMode};
    use crate::lint::LintOptions;

    #[test]
    fn requires_lines_of_moved_modules_go_and_mixed_ones_are_renamed() {
        let text = "#Requires -Modules Microsoft.Graph.Users, Microsoft.Graph.Groups\n#Requires -Modules @{ ModuleName = 'Microsoft.Graph.Users'; ModuleVersion = '2.10.0' }, Pester\n\nImport-Module Microsoft.Graph.Users\nSelect-MgProfile -Name beta\nGet-MgUser -Top 1\nGet-MgGroup -Top 1\n";
        let fixed = fix_text(text, &LintOptions::default(), FixMode::default()).text;
        assert_eq!(
            fixed,
            "#Requires -Modules @{ ModuleName = 'Microsoft.Graph.Beta.Users'; ModuleVersion = '2.10.0' }, Pester\n\nImport-Module Microsoft.Graph.Beta.Users\nGet-MgBetaUser -Top 1\nGet-MgBetaGroup -Top 1\n"
        );
    }
}
