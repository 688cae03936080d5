//! MI401 missing-context-autosave (docs: rules/MI401.md): an Azure sign-in with no
//! `Disable-AzContextAutosave -Scope Process` before it, so a job can pick up another
//! job's context in a shared sandbox. One finding per file, at the first sign-in.

use super::rewrite::insert_before_statement;
use super::{Checker, MISSING_CONTEXT_AUTOSAVE};
use crate::diagnostic::{Applicability, Fix};
use crate::syntax::commands::{CONNECT_AZURERM_ACCOUNT, CONNECT_AZ_ACCOUNT};
use crate::syntax::model::{BlockKind, Place, Script};

pub fn check(checker: &mut Checker) {
    let script = checker.script;
    let Some(first_login) = script
        .commands
        .iter()
        .find(|c| c.is(CONNECT_AZ_ACCOUNT) || c.is(CONNECT_AZURERM_ACCOUNT))
    else {
        return;
    };
    let disabled_before = script.commands_named("Disable-AzContextAutosave").any(|disable| {
        let process_scope = disable
            .value_of("Scope")
            .and_then(|v| script.string_value(v))
            .is_some_and(|s| s.eq_ignore_ascii_case("Process"));
        let runs_first =
            disable.range.start < first_login.range.start && disable.place.encloses_blocks_of(&first_login.place);
        // A sign-in wrapped in a function runs when called, after top-level code.
        let top_level_before_call = disable.place.is_straight_line() && !first_login.place.is_straight_line();
        process_scope && (runs_first || top_level_before_call)
    });
    if disabled_before {
        return;
    }
    let disable = if first_login.is(CONNECT_AZURERM_ACCOUNT) {
        "Disable-AzureRmContextAutosave"
    } else {
        "Disable-AzContextAutosave"
    };
    let line = format!("{disable} -Scope Process | Out-Null");
    let fix = Fix::new(
        Applicability::Safe,
        format!("Insert `{line}` before the first sign-in"),
        vec![insert_before_statement(
            script,
            insertion_point(script, &first_login.place),
            &line,
        )],
    );
    let message = format!(
        "`{}` without `{disable} -Scope Process` first: the job can inherit another job's Azure context in a shared sandbox",
        first_login.written_name
    );
    checker
        .diagnostics
        .push(MISSING_CONTEXT_AUTOSAVE.diagnostic(first_login.range.clone(), message, Some(fix)));
}

/// Where the autosave call goes: before the sign-in's statement, or, when the sign-in
/// sits in an `if`, loop or `try` of its function (or of the script), before that whole
/// construct, so every branch and every iteration runs after it.
fn insertion_point(script: &Script, signin: &Place) -> usize {
    let scope_depth = signin
        .blocks
        .iter()
        .rposition(|b| {
            !matches!(
                b.kind,
                BlockKind::Branch | BlockKind::Loop | BlockKind::Try | BlockKind::Catch | BlockKind::Finally
            )
        })
        .map_or(0, |i| i + 1);
    let outer = &signin.blocks[..scope_depth];
    script
        .statements
        .iter()
        .find(|s| {
            &*s.blocks == outer
                && s.statement.start <= signin.statement.start
                && signin.statement.end <= s.statement.end
        })
        .map_or(signin.statement.start, |s| s.statement.start)
}
