//! MI101 runas-connection and MI104 runas-connection-property (docs:
//! rules/MI101.md, rules/MI104.md): the Run As connection asset and the reads of its
//! fields, which have no managed-identity equivalent.

use std::sync::LazyLock;

use regex::Regex;

/// `if (!$x) {`, `if (-not ($x)) {`, `if ($null -eq $x) {`, `if ($x -eq $null) {`.
static NULL_TEST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?is)^if\s*\(\s*(?:(?:!|-not\s*)\s*\(?\s*\$(?:script:)?(\w+)\s*\)?|\$null\s*-eq\s*\$(\w+)|\$(\w+)\s*-eq\s*\$null)\s*\)\s*\{")
        .expect("valid pattern")
});
static ELSEIF: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)\}\s*elseif").expect("valid pattern"));

use super::facts::{dropped_by_rewrite, ConnectionKind};
use super::rewrite::{attached_comments, delete_statement, indentation, insert_line_above, line_ending};
use super::{Checker, RUNAS_CONNECTION, RUNAS_CONNECTION_PROPERTY};
use crate::diagnostic::{Applicability, Edit, Fix};
use crate::syntax::model::{Argument, Block, BlockKind, VariableUse};
use crate::target::SubscriptionSource;

pub fn check(checker: &mut Checker) {
    runas_connections(checker);
    connection_properties(checker);
}

fn runas_connections(checker: &mut Checker) {
    let script = checker.script;
    for connection in checker
        .facts
        .connections
        .iter()
        .filter(|c| c.kind == ConnectionKind::RunAs)
    {
        let command = &script.commands[connection.command];
        let statement = &command.place.statement;
        // Only `[$x =] Get-AutomationConnection ...` on its own can be deleted.
        let alone = command.pipeline.end == statement.end && command.pipeline.start >= statement.start;
        let range = if alone {
            statement.clone()
        } else {
            command.range.clone()
        };
        let name = connection
            .name
            .as_deref()
            .unwrap_or("a connection whose certificate signs in");
        let message = format!(
            "Run As connection `{name}`: Run As accounts were retired on 2023-09-30; sign in with the Automation account's managed identity instead"
        );
        let fix = alone.then(|| {
            let mut edits = vec![delete_statement(script.text, statement.clone())];
            let (mut pending, mut leftovers) = (0, 0);
            if let Some(variable) = &connection.variable {
                for use_ in script.uses_of(variable) {
                    if let Some(test) = null_test(checker, variable, use_) {
                        if !edits.contains(&test) {
                            edits.push(test);
                        }
                    } else if rewritten_by_safe_fix(checker, use_) || field_read_with_fix(use_) {
                        pending += 1;
                    } else {
                        leftovers += 1;
                    }
                }
            }
            // The connection goes last: the fixes of the sign-in and of the field reads
            // recognise Run As code by it, so deleting it first would strand them.
            let (applicability, message) = if pending > 0 {
                (Applicability::DisplayOnly, "Remove the Run As connection once its sign-in and field reads are rewritten (`mimigrate fix` does it in a later pass)".to_owned())
            } else if leftovers == 0 {
                (Applicability::Safe, "Remove the Run As connection".to_owned())
            } else {
                (Applicability::Unsafe, format!("Remove the Run As connection ({leftovers} other use(s) of its variable remain to be rewritten by hand)"))
            };
            Fix::new(applicability, message, edits)
        });
        checker
            .diagnostics
            .push(RUNAS_CONNECTION.diagnostic(range, message, fix));
    }
}

/// `if (!$conn) { throw ... }` (also `-not`, `$null -eq`): dead once the connection is
/// gone, and it would throw. Removed with the connection; an `else` body stays, in
/// place of the whole `if`.
fn null_test(checker: &Checker, variable: &str, use_: &VariableUse) -> Option<Edit> {
    let script = checker.script;
    let if_range = use_.place.statement.clone();
    let statement = script.slice(&if_range);
    let tested = NULL_TEST.captures(statement)?;
    let name = tested.iter().skip(1).flatten().next()?.as_str();
    if !name.eq_ignore_ascii_case(variable) || ELSEIF.is_match(statement) {
        return None;
    }
    let removal = delete_statement(script.text, if_range.clone());
    let is_else = |b: &Block| {
        b.kind == BlockKind::Branch
            && if_range.start < b.range.start
            && b.range.end <= if_range.end
            && script
                .slice(&b.range)
                .get(..4)
                .is_some_and(|w| w.eq_ignore_ascii_case("else"))
    };
    let else_block = script
        .statements
        .iter()
        .flat_map(|s| s.blocks.iter())
        .find(|b| is_else(b));
    let Some(else_block) = else_block else {
        return Some(removal);
    };
    // The else body's statements, re-indented to the `if`'s level.
    let body: Vec<_> = script
        .statements
        .iter()
        .filter(|s| s.blocks.last() == Some(else_block))
        .collect();
    let (Some(first), Some(last)) = (body.first(), body.last()) else {
        return Some(removal);
    };
    let if_indent = indentation(script.text, if_range.start);
    if removal.range.start + if_indent.len() != if_range.start {
        return None; // the `if` shares its line with other code: leave it to a human
    }
    let body_indent = indentation(script.text, first.statement.start);
    let body_start = first.statement.start - body_indent.len();
    let ending = line_ending(script.text);
    let mut kept = String::new();
    for line in script.text[body_start..last.statement.end].lines() {
        match line.strip_prefix(body_indent) {
            Some(rest) => kept.push_str(&format!("{if_indent}{rest}")),
            None => kept.push_str(line),
        }
        kept.push_str(ending);
    }
    Some(Edit::replace(removal.range, kept))
}

/// A read inside a certificate sign-in, in a parameter its safe rewrite drops.
fn rewritten_by_safe_fix(checker: &Checker, use_: &VariableUse) -> bool {
    checker.facts.certificate_logins.iter().any(|login| {
        let command = &checker.script.commands[login.command];
        command.arguments.iter().any(|argument| match argument {
            Argument::Named {
                name,
                value: Some(value),
                ..
            } => {
                dropped_by_rewrite(login.service, name)
                    && value.range.start <= use_.range.start
                    && use_.range.end <= value.range.end
            }
            _ => false,
        })
    })
}

const CONNECTION_FIELDS: &[&str] = &["SubscriptionID", "TenantID", "ApplicationID", "CertificateThumbprint"];

/// `$conn.SubscriptionID` and `$conn.TenantID` have a rewrite (MI104); the certificate
/// fields do not.
fn field_read_with_fix(use_: &VariableUse) -> bool {
    use_.member.as_ref().is_some_and(|(member, _)| {
        ["SubscriptionID", "TenantID"]
            .iter()
            .any(|f| f.eq_ignore_ascii_case(member))
    })
}

fn connection_properties(checker: &mut Checker) {
    let script = checker.script;
    for use_ in &script.variables {
        let Some((member, access)) = &use_.member else {
            continue;
        };
        let Some(field) = CONNECTION_FIELDS.iter().find(|f| f.eq_ignore_ascii_case(member)) else {
            continue;
        };
        if !checker.facts.is_runas_variable(&use_.name) || rewritten_by_safe_fix(checker, use_) {
            continue;
        }
        let written = script.slice(access);
        let (message, fix) = match *field {
            "SubscriptionID" => (
                format!("`{written}` reads the retired Run As connection; a managed identity has no subscription of its own"),
                Some(subscription_fix(checker, use_, access.clone())),
            ),
            "TenantID" => (
                format!("`{written}` reads the retired Run As connection; after `Connect-AzAccount -Identity` the tenant is `(Get-AzContext).Tenant.Id`"),
                Some(Fix::new(
                    Applicability::Unsafe,
                    "Read the tenant from the signed-in context",
                    vec![Edit::replace(access.clone(), "(Get-AzContext).Tenant.Id")],
                )),
            ),
            _ => (format!("`{written}` reads the retired Run As connection's certificate identity; a managed identity has none, remove this code by hand"), None),
        };
        checker
            .diagnostics
            .push(RUNAS_CONNECTION_PROPERTY.diagnostic(access.clone(), message, fix));
    }
}

const SUBSCRIPTION_TODO: &str =
    "# TODO(mimigrate): the managed identity may have access to several subscriptions; set the subscription explicitly";

fn subscription_fix(checker: &Checker, use_: &VariableUse, access: std::ops::Range<usize>) -> Fix {
    let script = checker.script;
    match &checker.target.subscription {
        Some(SubscriptionSource::AutomationVariable(name)) => Fix::new(
            Applicability::Unsafe,
            format!("Read the subscription id from the Automation variable `{name}`"),
            vec![Edit::replace(
                access,
                format!("(Get-AutomationVariable -Name '{}')", name.replace('\'', "''")),
            )],
        ),
        Some(SubscriptionSource::RunbookParameter(name)) => Fix::new(
            Applicability::Unsafe,
            format!("Read the subscription id from the runbook parameter `${name}`"),
            vec![Edit::replace(access, format!("${name}"))],
        ),
        None => {
            let mut edits = vec![Edit::replace(access, "(Get-AzContext).Subscription.Id")];
            let statement = use_.place.statement.start;
            if !attached_comments(script.text, statement).contains(SUBSCRIPTION_TODO) {
                edits.push(insert_line_above(script.text, statement, SUBSCRIPTION_TODO));
            }
            Fix::new(
                Applicability::Unsafe,
                "Use the subscription of the signed-in context (review: the identity may see several)",
                edits,
            )
        }
    }
}
