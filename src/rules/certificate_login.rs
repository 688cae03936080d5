//! MI102 certificate-login (docs: rules/MI102.md): `Connect-AzAccount -ServicePrincipal
//! -CertificateThumbprint` in any spelling, rewritten to the managed identity.

use std::ops::Range;

use super::facts::{dropped_by_rewrite, CertificateLogin, Service};
use super::rewrite::{delete_statement, rebuild_call};
use super::{Checker, CERTIFICATE_LOGIN};
use crate::diagnostic::{Applicability, Edit, Fix};
use crate::syntax::commands::{CONNECT_AZURERM_ACCOUNT, CONNECT_AZ_ACCOUNT};
use crate::syntax::model::{BlockKind, Command, Script, ValueKind};

pub fn check(checker: &mut Checker) {
    for login in checker
        .facts
        .certificate_logins
        .iter()
        .filter(|l| matches!(l.service, Service::Az | Service::AzureRm))
    {
        let command = &checker.script.commands[login.command];
        let diagnostic = certificate_login(checker, login, command);
        checker.diagnostics.push(diagnostic);
    }
}

fn certificate_login(checker: &Checker, login: &CertificateLogin, command: &Command) -> crate::diagnostic::Diagnostic {
    let script = checker.script;
    let message = format!(
        "`{}` signs in with the Run As certificate; Run As accounts were retired on 2023-09-30",
        command.written_name
    );
    if let Some(fix) = fallback_removal(script, login, command) {
        return CERTIFICATE_LOGIN.diagnostic(command.range.clone(), message, Some(fix));
    }
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
    CERTIFICATE_LOGIN.diagnostic(
        command.range.clone(),
        message,
        Some(Fix::new(applicability, fix_message, edits)),
    )
}

/// A Run As sign-in in the `catch` of a `try` that already signs in with the managed
/// identity is a fallback: rewriting it would sign in with the same identity again.
/// The whole catch body goes, and `throw` rethrows the error so the job still fails.
fn fallback_removal(script: &Script, login: &CertificateLogin, command: &Command) -> Option<Fix> {
    let blocks = &command.place.blocks;
    let catch_depth = blocks.iter().rposition(|b| b.kind == BlockKind::Catch)?;
    let catch = &blocks[catch_depth];
    let outer = &blocks[..catch_depth];
    // The body of the `try` this catch belongs to, from the tree: the catch clause's
    // parent lists the clauses, and its parent is the `try` statement.
    let try_body: Range<usize> = script
        .tree
        .root_node()
        .descendant_for_byte_range(catch.range.start, catch.range.end)
        .filter(|node| node.kind() == "catch_clause")
        .and_then(|clause| clause.parent()?.parent())
        .filter(|statement| statement.kind() == "try_statement")
        .and_then(|statement| {
            let mut cursor = statement.walk();
            let body = statement
                .named_children(&mut cursor)
                .find(|c| c.kind() == "statement_block");
            body.map(|b| b.byte_range())
        })?;
    let guarded_by_identity = script.commands_in(&try_body).iter().any(|other| {
        let same_service = if login.service == Service::AzureRm {
            other.is(CONNECT_AZURERM_ACCOUNT)
        } else {
            other.is(CONNECT_AZ_ACCOUNT)
        };
        same_service
            && other.has("Identity")
            && other.place.blocks.get(..catch_depth) == Some(outer)
            && other
                .place
                .blocks
                .get(catch_depth)
                .is_some_and(|b| b.kind == BlockKind::Try && b.range == try_body)
    });
    if !guarded_by_identity {
        return None;
    }
    let body: Vec<_> = script
        .statements_in(&catch.range)
        .iter()
        .filter(|s| s.blocks.len() == catch_depth + 1 && s.blocks.last() == Some(catch))
        .collect();
    let (first, last) = (body.first()?, body.last()?);
    Some(Fix::new(
        if login.from_runas {
            Applicability::Safe
        } else {
            Applicability::Unsafe
        },
        "Remove the Run As fallback: the `try` already signs in with the managed identity; the `catch` rethrows so the job still fails",
        vec![Edit::replace(first.statement.start..last.statement.end, "throw")],
    ))
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
pub(super) fn unused_splat_tables(script: &Script, command: &Command) -> Vec<Edit> {
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
