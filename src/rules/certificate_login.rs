//! MI102 certificate-login and MI103 runas-retry-loop (docs: rules/MI102.md,
//! rules/MI103.md): `Connect-AzAccount -ServicePrincipal -CertificateThumbprint` in any
//! spelling, and the template's retry loop around it.

use std::sync::LazyLock;

use regex::Regex;

static LOOP_KEYWORD: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)^(while|do)\b").expect("valid pattern"));
/// `$logonAttempt = 0`.
static COUNTER_INIT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^\$(?:script:)?(\w+)\s*=\s*\d+\s*$").expect("valid pattern"));
/// `$logonAttempt++` or `$logonAttempt += 1`.
static COUNTER_STEP: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^\$(?:script:)?(\w+)\s*(?:\+\+|\+=\s*1)\s*$").expect("valid pattern"));

use super::facts::{dropped_by_rewrite, CertificateLogin, Service};
use super::rewrite::{delete_statement, rebuild_call};
use super::{Checker, CERTIFICATE_LOGIN, RUNAS_RETRY_LOOP};
use crate::diagnostic::{Applicability, Edit, Fix};
use crate::syntax::commands::{CONNECT_AZURERM_ACCOUNT, CONNECT_AZ_ACCOUNT};
use crate::syntax::model::{BlockKind, Command, Script, ValueKind};

pub fn check(checker: &mut Checker) {
    for login in checker
        .facts
        .certificate_logins
        .iter()
        .filter(|l| l.service != Service::Graph)
    {
        let command = &checker.script.commands[login.command];
        if let Some(diagnostic) = retry_loop(checker, login, command) {
            checker.diagnostics.push(diagnostic);
        }
        let diagnostic = certificate_login(checker, login, command);
        checker.diagnostics.push(diagnostic);
    }
}

fn certificate_login(checker: &Checker, login: &CertificateLogin, command: &Command) -> crate::diagnostic::Diagnostic {
    let script = checker.script;
    let new_call = managed_identity_call(checker, login, command);
    let mut edits = vec![Edit::replace(command.range.clone(), new_call.clone())];
    edits.extend(unused_splat_tables(script, command));
    let applicability = if login.from_runas {
        Applicability::Safe
    } else {
        Applicability::Unsafe
    };
    let mut fix_message = format!("Sign in with the managed identity: `{new_call}`");
    if !login.from_runas {
        fix_message.push_str(" (the certificate is not the Run As one: the sign-in will run as a different principal)");
    }
    let message = format!(
        "`{}` signs in with the Run As certificate; Run As accounts were retired on 2023-09-30",
        command.written_name
    );
    CERTIFICATE_LOGIN.diagnostic(
        command.range.clone(),
        message,
        Some(Fix::new(applicability, fix_message, edits)),
    )
}

/// `Connect-AzAccount -Identity` keeping every argument that is not Run As plumbing.
pub fn managed_identity_call(checker: &Checker, login: &CertificateLogin, command: &Command) -> String {
    let name = if login.service == Service::AzureRm {
        CONNECT_AZURERM_ACCOUNT
    } else {
        CONNECT_AZ_ACCOUNT
    };
    let facts = checker.facts;
    let script = checker.script;
    let tenant_from_runas = command
        .value_of("Tenant")
        .and_then(|v| super::facts::source_member(script, v))
        .is_some_and(|(variable, _)| facts.is_runas_variable(&variable))
        || login.from_runas;
    rebuild_call(
        script,
        command,
        name,
        &checker.target.identity_arguments("AccountId"),
        |param| {
            if param.eq_ignore_ascii_case("Tenant") {
                return !tenant_from_runas;
            }
            !dropped_by_rewrite(login.service, param)
        },
    )
}

/// Hashtables splatted only into this call: their entries now sit in the call or were
/// dropped, so the assignment goes.
fn unused_splat_tables(script: &Script, command: &Command) -> Vec<Edit> {
    command
        .splats
        .iter()
        .filter_map(|(variable, _)| {
            let table = script.splatted_hashtable(variable, command.range.start)?;
            let other_splats = script
                .commands
                .iter()
                .filter(|c| c.range != command.range)
                .any(|c| c.splats.iter().any(|(v, _)| v == variable));
            let other_reads = script.uses_of(variable).next().is_some();
            let alone = script.is_whole_statement(table);
            (!other_splats && !other_reads && alone && matches!(table.value.kind, ValueKind::Hashtable(_)))
                .then(|| delete_statement(script.text, table.place.statement.clone()))
        })
        .collect()
}

/// The template loop: `while (!$connectionResult -and $logonAttempt -le 10) { ... }`.
fn retry_loop(checker: &Checker, login: &CertificateLogin, command: &Command) -> Option<crate::diagnostic::Diagnostic> {
    let script = checker.script;
    let loop_block = command.place.blocks.last().filter(|b| b.kind == BlockKind::Loop)?;
    let loop_text = script.slice(&loop_block.range);
    if !LOOP_KEYWORD.is_match(loop_text) {
        return None;
    }
    let body: Vec<_> = script
        .statements
        .iter()
        .filter(|s| s.blocks.last() == Some(loop_block))
        .collect();
    let mut counters = Vec::new();
    let only_template = body.iter().all(|statement| {
        let text = script.slice(&statement.statement);
        if let Some(captures) = COUNTER_STEP.captures(text) {
            counters.push(captures[1].to_lowercase());
            return true;
        }
        statement.statement == command.place.statement
            || script.commands.iter().any(|c| {
                c.place.statement == statement.statement && c.is("Start-Sleep") && script.is_alone_in_statement(c)
            })
    });
    let loop_statement = script.statements.iter().find(|s| s.statement == loop_block.range)?;
    // `$logonAttempt = 0` just before the loop, at the same level.
    let init = script.statements.iter().rfind(|s| {
        s.statement.end <= loop_block.range.start
            && s.blocks == loop_statement.blocks
            && COUNTER_INIT
                .captures(script.slice(&s.statement))
                .is_some_and(|c| counters.iter().any(|counter| c[1].eq_ignore_ascii_case(counter)))
    });
    let message =
        "Retry loop around the Run As certificate sign-in; a managed-identity sign-in needs a single call".to_owned();
    let fix = only_template.then(|| {
        let login_call = managed_identity_call(checker, login, command);
        let assignment = command
            .assigned_to
            .as_ref()
            .map(|v| format!("${} = ", original_case(script, command, v)))
            .unwrap_or_default();
        let mut edits = vec![Edit::replace(
            loop_block.range.clone(),
            format!("{assignment}{login_call}"),
        )];
        if let Some(init) = init {
            edits.push(delete_statement(script.text, init.statement.clone()));
        }
        let applicability = if login.from_runas {
            Applicability::Safe
        } else {
            Applicability::Unsafe
        };
        Fix::new(
            applicability,
            format!("Replace the loop with one sign-in: `{assignment}{login_call}`"),
            edits,
        )
    });
    Some(RUNAS_RETRY_LOOP.diagnostic(loop_block.range.clone(), message, fix))
}

/// The assignment target as the author wrote it (`$connectionResult`).
fn original_case(script: &Script, command: &Command, lower: &str) -> String {
    let statement = script.slice(&command.place.statement);
    statement
        .strip_prefix('$')
        .and_then(|s| s.get(..lower.len()))
        .filter(|s| s.eq_ignore_ascii_case(lower))
        .unwrap_or(lower)
        .to_owned()
}
