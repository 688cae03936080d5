//! MI601 azurerm-module (docs: rules/MI601.md): AzureRM commands and modules, retired in
//! February 2024 and impossible to load beside Az. A finding at every AzureRM name; one
//! unsafe fix moves the whole file to Az at once (commands, module qualifiers,
//! `Import-Module`, `#Requires`, and the `Enable-AzureRmAlias` that served the old
//! names), or, when some name has no Az equivalent, none at all: half a file on Az and
//! half on AzureRM cannot run.
//!
//! A file is an AzureRM one when it names AzureRM itself: a `Verb-AzureRm*` command (the
//! alias switches `Enable-AzureRmAlias`/`Disable-AzureRmAlias` included), a command
//! qualified with an `AzureRM*` module, or an `AzureRM*` module in `Import-Module` or
//! `#Requires`. The AzureRM-era names without "AzureRm" in them (`New-AzureStorageContext`
//! of Azure.Storage, `Get-AzureKeyVaultSecret`) are renamed only in such a file: on
//! their own they are as likely a classic (Service Management) script's, which MI105
//! reports and which no rename to Az could fix.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::parse_error::covered_range;
use super::rewrite::{delete_statements, move_requires};
use super::{Checker, AZURERM_MODULE};
use crate::diagnostic::{Applicability, Edit, Fix};
use crate::modules::{declared_modules, Declared};
use crate::source::LineIndex;
use crate::syntax::evaluate::is_quote;
use crate::syntax::model::{Argument, Command, Script};
use crate::tables;

/// The Az.Accounts switches that make AzureRM names aliases of Az commands: pointless
/// once no AzureRM name is left.
const ALIAS_SWITCHES: &[&str] = &["Enable-AzureRmAlias", "Disable-AzureRmAlias"];

/// `Import-Module` parameters that pin an AzureRM version, meaningless for its Az successor.
const VERSION_PARAMETERS: &[&str] = &["RequiredVersion", "MinimumVersion", "MaximumVersion"];

/// One AzureRM name of the file, a finding.
struct Trace<'s> {
    /// Where the finding is: the call (as other rules report calls), the module's name.
    range: Range<usize>,
    /// The name's bytes (a command's name without quotes, a module's name or entry).
    name: Range<usize>,
    what: What<'s>,
    /// The Az name, `None` when there is none.
    target: Option<&'static str>,
}

enum What<'s> {
    Command {
        /// As written, module qualifier included.
        written: &'s str,
        /// Module-qualified: the new name is qualified with its Az module.
        qualified: bool,
    },
    Module(&'s Declared),
}

pub fn check(checker: &mut Checker) {
    let script = checker.script;
    let declared = declared_modules(script);
    let mut traces: Vec<Trace> = Vec::new();
    let mut switches: Vec<&Command> = Vec::new();
    let mut names_azurerm = false;
    for command in &script.commands {
        let Some((name, qualifier, bare)) = plain_name(script, command) else {
            continue;
        };
        if script.defined_commands.iter().any(|d| d.eq_ignore_ascii_case(bare)) {
            continue;
        }
        names_azurerm |= is_azurerm_command(bare) || qualifier.is_some_and(is_azurerm_module);
        if ALIAS_SWITCHES.iter().any(|s| s.eq_ignore_ascii_case(bare)) {
            switches.push(command);
            continue;
        }
        let target = match tables::azurerm_command(bare) {
            Some(target) => target,
            // A `Verb-AzureRm*` name the table lacks is AzureRM's all the same (one removed
            // before AzureRM 6, such as `Find-AzureRmResourceGroup`): no known equivalent.
            None if is_azurerm_command(bare) => None,
            None => continue,
        };
        traces.push(Trace {
            range: command.range.clone(),
            name,
            what: What::Command {
                written: script.slice(&command.name_range),
                qualified: qualifier.is_some(),
            },
            target,
        });
    }
    for entry in &declared {
        names_azurerm |= is_azurerm_module(&entry.module);
        let target = match tables::azurerm_module(&entry.module) {
            Some(target) => target,
            None if is_azurerm_module(&entry.module) => None,
            None => continue,
        };
        let name = entry.name.clone().unwrap_or_else(|| entry.entry.clone());
        traces.push(Trace {
            range: name.clone(),
            name,
            what: What::Module(entry),
            target,
        });
    }
    if !names_azurerm || traces.is_empty() {
        return;
    }
    traces.sort_by_key(|t| t.range.start);
    let mut blockers: Vec<String> = traces.iter().filter_map(blocker).collect();
    blockers.extend(unread_commands(script, &traces));
    blockers.sort_by_key(|b| b.to_lowercase());
    blockers.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    let aliased = !switches.is_empty();
    let fix = if blockers.is_empty() {
        whole_file_fix(script, &traces, &switches)
    } else {
        Fix::new(
            Applicability::DisplayOnly,
            format!(
                "No automatic move to Az: {} cannot be renamed; rewrite {} by hand, then every other AzureRM name moves to Az in one fix",
                blockers.join(", "),
                if blockers.len() == 1 { "it" } else { "them" }
            ),
            Vec::new(),
        )
    };
    let fix_line = script.line_of(traces[0].range.start);
    let mut fix = Some(fix);
    for trace in &traces {
        let mut message = message(trace, aliased);
        // The one fix sits on the first finding: a copy on each of thousands of findings
        // would make the engine and the JSON output quadratic in the file's AzureRM names.
        let carried = fix.take();
        match (&carried, blockers.as_slice()) {
            (Some(_), []) => {}
            (Some(_), [only]) if blocker(trace).as_ref() == Some(only) => {}
            (Some(_), _) => message.push_str(&format!(
                " (the file cannot move to Az automatically until {} {} rewritten by hand)",
                blockers.join(", "),
                if blockers.len() == 1 { "is" } else { "are" }
            )),
            (None, []) => message.push_str(&format!(" (the fix on line {fix_line} moves the whole file to Az)")),
            (None, _) => message.push_str(&format!(" (no automatic fix: see line {fix_line})")),
        }
        checker
            .diagnostics
            .push(AZURERM_MODULE.diagnostic(trace.range.clone(), message, carried));
    }
}

/// `Verb-AzureRm*` names on lines the parser could not read that are no command it saw:
/// renaming everything else would leave them behind.
fn unread_commands(script: &Script, traces: &[Trace]) -> Vec<String> {
    static NAME: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?i)\b[a-z]+-azurerm[a-z0-9]*\b").expect("valid pattern"));
    if script.errors.is_empty() {
        return Vec::new();
    }
    let lines = LineIndex::new(script.text);
    let seen = |at: usize| traces.iter().any(|t| t.name.contains(&at));
    let in_comment = |at: usize| script.comments.iter().any(|c| c.contains(&at));
    let mut unread = Vec::new();
    for region in &script.errors {
        let covered = covered_range(script.text, &lines, region);
        let base = covered.start;
        for found in NAME.find_iter(script.text.get(covered).unwrap_or("")) {
            let at = base + found.start();
            if !seen(at) && !in_comment(at) {
                unread.push(format!(
                    "`{}` (line {}, unreadable to the parser)",
                    found.as_str(),
                    script.line_of(at)
                ));
            }
        }
    }
    unread
}

/// A command's name as written, when it is a plain name (possibly quoted, possibly
/// module-qualified): its bytes, the qualifier, and the bare name.
fn plain_name<'s>(script: &'s Script, command: &Command) -> Option<(Range<usize>, Option<&'s str>, &'s str)> {
    let written = script.slice(&command.name_range);
    let inner = written.trim_matches(is_quote);
    let start = command.name_range.start + written.find(inner)?;
    let (qualifier, bare) = match inner.rsplit_once('\\') {
        Some((qualifier, bare)) => (Some(qualifier), bare),
        None => (None, inner),
    };
    let is_name = |s: &str| {
        s.starts_with(|c: char| c.is_ascii_alphabetic())
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    };
    (is_name(bare) && bare.contains('-') && qualifier.is_none_or(is_name)).then_some((
        start..start + inner.len(),
        qualifier,
        bare,
    ))
}

/// `Verb-AzureRm<Noun>`.
fn is_azurerm_command(name: &str) -> bool {
    name.split_once('-')
        .is_some_and(|(_, noun)| noun.get(..7).is_some_and(|p| p.eq_ignore_ascii_case("AzureRm")))
}

/// `AzureRM`, `AzureRM.<Service>`.
fn is_azurerm_module(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower == "azurerm" || lower.starts_with("azurerm.")
}

/// Why a trace cannot be renamed, naming it; `None` when it can.
fn blocker(trace: &Trace) -> Option<String> {
    match (&trace.what, trace.target) {
        (What::Command { written, .. }, None) => Some(format!("`{}`", written.trim_matches(is_quote))),
        (What::Module(entry), None) => Some(format!("module `{}`", entry.module)),
        (What::Module(entry), Some(_)) if entry.name.is_none() => {
            Some(format!("module `{}` (named through a variable)", entry.module))
        }
        _ => None,
    }
}

fn message(trace: &Trace, aliased: bool) -> String {
    match (&trace.what, trace.target) {
        (What::Command { written, .. }, Some(target)) => {
            let name = written.trim_matches(is_quote);
            let module = tables::module_of(target).map_or("Az", |(_, module)| module);
            if aliased {
                format!("`{name}` is an AzureRM name that only works through `Enable-AzureRmAlias`: call `{target}` ({module}) itself")
            } else {
                format!("`{name}` {}: use `{target}` ({module})", retired(unqualified(name)))
            }
        }
        (What::Command { written, .. }, None) => {
            let name = written.trim_matches(is_quote);
            format!(
                "`{name}` {}, and the AzureRM -> Az mapping has no Az equivalent for it: rewrite it with Az commands by hand",
                retired(unqualified(name))
            )
        }
        (What::Module(entry), target) => {
            let how = if entry.by_requires {
                "`#Requires -Modules`"
            } else {
                "`Import-Module`"
            };
            let instead = match target {
                Some(az) => format!("use `{az}` instead"),
                None => "Az has no equivalent module: rewrite its commands by hand".to_owned(),
            };
            format!(
                "{how} names `{}`, an AzureRM module (retired in February 2024, and it cannot be loaded beside Az): {instead}",
                entry.module
            )
        }
    }
}

/// A command name without its module qualifier.
fn unqualified(name: &str) -> &str {
    name.rsplit('\\').next().unwrap_or(name)
}

/// What AzureRM command `name` is: `comes from AzureRM.Compute, retired ...`.
fn retired(name: &str) -> String {
    let module = tables::module_of(name)
        .map(|(_, module)| module)
        .filter(|module| !module.to_ascii_lowercase().starts_with("az."));
    match module {
        Some(module) => format!(
            "comes from {module}, retired in February 2024 with the rest of AzureRM (which cannot be loaded beside Az)"
        ),
        None => "is an AzureRM command, retired in February 2024 (AzureRM cannot be loaded beside Az)".to_owned(),
    }
}

/// The move to Az: every trace renamed (each has a target here), the version pins of
/// the `Import-Module`s that only load AzureRM modules dropped, and the alias switches
/// deleted.
fn whole_file_fix(script: &Script, traces: &[Trace], switches: &[&Command]) -> Fix {
    let removed: Vec<&&Command> = switches.iter().filter(|s| deletable(script, s)).collect();
    let requires_moves: Vec<(&Declared, String)> = traces
        .iter()
        .filter_map(|t| match (&t.what, t.target) {
            (What::Module(entry), Some(target)) if entry.by_requires => Some((*entry, target.to_owned())),
            _ => None,
        })
        .collect();
    // A `#Requires` entry loses its AzureRM version pin with its hashtable.
    let (requires_renamed, requires_deleted) = move_requires(script, &requires_moves);
    let deleted = delete_statements(
        script.text,
        removed
            .iter()
            .map(|s| s.place.statement.clone())
            .chain(requires_deleted.iter().cloned()),
    );
    let inside_deleted = |range: &Range<usize>| {
        deleted
            .iter()
            .any(|d| d.range.start <= range.start && range.end <= d.range.end)
    };
    let (mut commands, mut modules) = (0, requires_renamed.len());
    let mut edits: Vec<Edit> = requires_renamed;
    for trace in traces.iter().filter(|t| !inside_deleted(&t.name)) {
        let Some(target) = trace.target else { continue };
        match &trace.what {
            What::Command { qualified, .. } => {
                let content = match tables::module_of(target) {
                    Some((_, module)) if *qualified => format!("{module}\\{target}"),
                    _ => target.to_owned(),
                };
                edits.push(Edit::replace(trace.name.clone(), content));
                commands += 1;
            }
            What::Module(entry) if entry.by_requires => {}
            What::Module(entry) => {
                if let Some(name) = &entry.name {
                    edits.push(Edit::replace(name.clone(), target));
                    modules += 1;
                }
            }
        }
    }
    edits.extend(version_pins(script, traces));
    let commands = (commands > 0).then(|| format!("{commands} AzureRM command{}", plural(commands)));
    let modules = (modules > 0).then(|| format!("{modules} AzureRM module name{}", plural(modules)));
    let mut parts: Vec<String> = match (commands, modules) {
        (Some(c), Some(m)) => vec![format!("rename {c} and {m}")],
        (Some(one), None) | (None, Some(one)) => vec![format!("rename {one}")],
        (None, None) => Vec::new(),
    };
    let mut names: Vec<String> = removed
        .iter()
        .map(|s| format!("`{}`", unqualified(&s.written_name)))
        .collect();
    names.sort_unstable_by_key(|s| s.to_ascii_lowercase());
    names.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    if !names.is_empty() {
        parts.push(format!("remove {}", names.join(" and ")));
    }
    if !requires_deleted.is_empty() {
        parts.push(format!(
            "delete the `#Requires` line{} of AzureRM modules (`mimigrate modules --format requires` prints the Az ones)",
            plural(requires_deleted.len())
        ));
    }
    edits.extend(deleted);
    Fix::new(
        Applicability::Unsafe,
        format!("Move the file to Az: {}", parts.join(", and ")),
        edits,
    )
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// An alias switch whose statement is only the switch (maybe `| Out-Null`, `$null =`):
/// deleting it removes nothing else.
fn deletable(script: &Script, switch: &Command) -> bool {
    let pipeline_rest_is_out_null = script
        .commands_in(&switch.pipeline)
        .iter()
        .filter(|c| c.range != switch.range)
        .all(|c| c.is("Out-Null"));
    script.is_alone_in_statement(switch)
        && switch.assigned_to.as_deref().is_none_or(|v| v == "null")
        && pipeline_rest_is_out_null
}

/// The version arguments of each `Import-Module` whose every module is an AzureRM one
/// being renamed: the AzureRM version means nothing for the Az module.
fn version_pins(script: &Script, traces: &[Trace]) -> Vec<Edit> {
    let renamed: Vec<&Declared> = traces
        .iter()
        .filter_map(|t| match t.what {
            What::Module(entry) if !entry.by_requires && t.target.is_some() => Some(entry),
            _ => None,
        })
        .collect();
    let mut edits = Vec::new();
    for import in script.commands_named("Import-Module") {
        let names: Vec<&&Declared> = renamed.iter().filter(|d| d.range == import.range).collect();
        let named = import.arguments.iter().filter(|a| is_module_name_argument(a)).count();
        if names.is_empty() || names.len() != named {
            continue;
        }
        for argument in &import.arguments {
            if let Argument::Named {
                name, via_splat: false, ..
            } = argument
            {
                if VERSION_PARAMETERS.iter().any(|p| p.eq_ignore_ascii_case(name)) {
                    edits.push(Edit::delete(with_leading_blanks(script.text, argument.range())));
                }
            }
        }
    }
    edits
}

/// An `Import-Module` argument that names a module (`-Name` or positional).
fn is_module_name_argument(argument: &Argument) -> bool {
    match argument {
        Argument::Named { name, .. } => name.eq_ignore_ascii_case("Name"),
        Argument::Positional(_) => true,
    }
}

/// `range` with the blanks before it, line continuations (`` ` `` at a line end) too,
/// so deleting it leaves the call as if the argument had never been written.
fn with_leading_blanks(text: &str, range: Range<usize>) -> Range<usize> {
    let mut start = range.start;
    loop {
        let before = text[..start].trim_end_matches([' ', '\t']);
        let continued = before
            .strip_suffix("\r\n")
            .or_else(|| before.strip_suffix('\n'))
            .and_then(|b| b.strip_suffix('`'));
        match continued {
            Some(rest) => start = rest.len(),
            None => {
                start = before.len();
                break;
            }
        }
    }
    start..range.end
}

#[cfg(test)]
mod tests {
    use crate::fix::{fix_text, FixMode};
    use crate::lint::{lint, LintOptions};

    fn findings(text: &str) -> Vec<crate::diagnostic::Diagnostic> {
        lint(text, &LintOptions::default())
            .into_iter()
            .filter(|d| d.code == "MI601")
            .collect()
    }

    fn fixed(text: &str) -> String {
        let outcome = fix_text(text, &LintOptions::default(), FixMode { unsafe_fixes: true });
        assert!(outcome.converged, "{text}");
        outcome.text
    }

    #[test]
    fn every_azurerm_name_is_a_finding_and_only_the_first_carries_the_fix() {
        let text = "#Requires -Modules AzureRM.Profile\nGet-AzureRmVM | Stop-AzureRmVM -Force\n";
        let found = findings(text);
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(found[0].fix.is_some() && found[1..].iter().all(|d| d.fix.is_none()));
        assert!(
            found[1].message.contains("`Get-AzVM` (Az.Compute)"),
            "{}",
            found[1].message
        );
        assert!(found[2].message.contains("the fix on line 1"), "{}", found[2].message);
    }

    #[test]
    fn the_whole_file_moves_to_az_qualifiers_modules_and_aliases_included() {
        let text = "#Requires -Module @{ModuleName = 'AzureRM.Profile'; ModuleVersion = '4.6.0'}, AzureRM.Compute\r\n\
                    Import-Module -Name AzureRM.Profile, 'Azure.Storage' `\r\n    -RequiredVersion 4.6.0 -ErrorAction Stop\r\n\
                    Enable-AzureRmAlias -Scope Process | Out-Null\r\n\
                    Login-AzureRmAccount -Identity\r\n\
                    AzureRM.Compute\\Get-AzureRmVM -Name x\r\n\
                    $ctx = New-AzureStorageContext -StorageAccountName a\r\n\
                    & 'Select-AzureRmSubscription' -SubscriptionId $s\r\n\
                    Write-Output \"Get-AzureRmVM stays in a string\" # and Get-AzureRmVM in a comment\r\n";
        let after = fixed(text);
        assert_eq!(
            after,
            "Import-Module -Name Az.Accounts, 'Az.Storage' -ErrorAction Stop\r\n\
             Disable-AzContextAutosave -Scope Process | Out-Null\r\n\
             Connect-AzAccount -Identity\r\n\
             Az.Compute\\Get-AzVM -Name x\r\n\
             $ctx = New-AzStorageContext -StorageAccountName a\r\n\
             & 'Set-AzContext' -SubscriptionId $s\r\n\
             Write-Output \"Get-AzureRmVM stays in a string\" # and Get-AzureRmVM in a comment\r\n"
        );
        assert_eq!(fixed(&after), after, "a second fix changes nothing");
    }

    #[test]
    fn a_requires_line_is_deleted_when_all_it_names_moves_and_renamed_when_some_stays() {
        let text = "#Requires -Modules AzureRM.Profile\n#Requires -Modules AzureRM.Compute, Pester\nGet-AzureRmVM\n";
        assert_eq!(fixed(text), "#Requires -Modules Az.Compute, Pester\nGet-AzVM\n");
        let fix = findings(text).into_iter().find_map(|d| d.fix).expect("the fix");
        assert!(
            fix.message.contains("delete the `#Requires` line of AzureRM modules"),
            "{}",
            fix.message
        );
    }

    #[test]
    fn a_command_without_an_az_equivalent_leaves_no_fix_at_all() {
        let text =
            "Add-AzureRmAccount -Identity\nFind-AzureRmResourceGroup -Tag @{ a = 1 }\nGet-AzureRmAks\nGet-AzureRmVM\n";
        let found = findings(text);
        assert_eq!(found.len(), 4);
        let fix = found[0].fix.as_ref().expect("a fix that explains");
        assert_eq!(fix.applicability, crate::diagnostic::Applicability::DisplayOnly);
        assert!(fix.edits.is_empty());
        assert!(
            fix.message.contains("`Find-AzureRmResourceGroup`, `Get-AzureRmAks`"),
            "{}",
            fix.message
        );
        assert!(found[1].message.contains("no Az equivalent"), "{}", found[1].message);
        assert!(!fixed(text).contains("Get-AzVM"), "never a partial rename");
    }

    #[test]
    fn classic_scripts_and_script_functions_are_not_azurerm() {
        let classic = "Add-AzureAccount -Credential $c\nSelect-AzureSubscription -SubscriptionName s\n\
                       $ctx = New-AzureStorageContext -StorageAccountName a -StorageAccountKey k\n\
                       Set-AzureStorageBlobContent -File f -Container c -Context $ctx\n";
        assert!(findings(classic).is_empty());
        let own = "function Stop-AzureRmVMInParallel { param($n) Stop-AzVM -Name $n }\nStop-AzureRmVMInParallel -n x\n";
        assert!(findings(own).is_empty());
        let storage_on_rm = format!("Add-AzureRmAccount -Identity\n{classic}");
        let names: Vec<String> = findings(&storage_on_rm).iter().map(|d| d.message.clone()).collect();
        assert!(
            names.iter().any(|m| m.contains("`New-AzStorageContext`")),
            "Azure.Storage moves with an AzureRM file: {names:?}"
        );
    }

    #[test]
    fn a_name_the_parser_could_not_read_blocks_the_fix() {
        let text = "Get-AzureRmVM\n$x = @{ a = (Get-AzureRmContext\n";
        let found = findings(text);
        let fix = found[0].fix.as_ref().expect("a fix that explains");
        assert_eq!(fix.applicability, crate::diagnostic::Applicability::DisplayOnly);
        assert!(
            fix.message
                .contains("`Get-AzureRmContext` (line 2, unreadable to the parser)"),
            "{}",
            fix.message
        );
    }

    #[test]
    fn an_import_is_enough_and_a_variable_import_blocks_the_fix() {
        let text = "Import-Module AzureRM -RequiredVersion 6.13.1\nGet-AutomationVariable -Name x\n";
        assert_eq!(fixed(text), "Import-Module Az\nGet-AutomationVariable -Name x\n");
        let hidden = "$m = 'AzureRM.Profile'\nImport-Module $m\nGet-AzureRmContext\n";
        let found = findings(hidden);
        let fix = found[0].fix.as_ref().unwrap();
        assert!(fix.message.contains("through a variable"), "{}", fix.message);
    }

    #[test]
    fn alias_switches_are_removed_only_when_nothing_else_goes_with_them() {
        let text = "Enable-AzureRmAlias\n$r = Enable-AzureRmAlias -PassThru\nGet-AzureRmVM\n";
        assert_eq!(fixed(text), "$r = Enable-AzureRmAlias -PassThru\nGet-AzVM\n");
        let message = &findings(text)[0].message;
        assert!(message.contains("Enable-AzureRmAlias"), "{message}");
        // Only the switch and no AzureRM name: nothing to move, nothing to say.
        assert!(findings("Enable-AzureRmAlias\nGet-AzVM\n").is_empty());
    }
}
