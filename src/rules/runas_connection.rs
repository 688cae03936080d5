//! MI101 runas-connection and MI104 runas-connection-property (docs:
//! rules/MI101.md, rules/MI104.md): the Run As connection asset and the reads of its
//! fields, which have no managed-identity equivalent.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

/// `$connectionName = "AzureRunAsConnection"` read only by code this fix deletes.
fn unused_name_constant(
    checker: &Checker,
    command: &crate::syntax::model::Command,
    deleted: &[Range<usize>],
) -> Option<Range<usize>> {
    let script = checker.script;
    let ValueKind::Variable(name) = &command.value_of("Name")?.kind else {
        return None;
    };
    let constant = script.assignment_before(name, command.range.start)?;
    let only = script.assignments_of(name).len() == 1;
    let standalone = script.is_whole_statement(constant);
    // Checked last: it stops at the first read this fix keeps.
    let all_uses_deleted = || {
        script
            .uses_of(name)
            .all(|u| deleted.iter().any(|d| d.start <= u.range.start && u.range.end <= d.end))
    };
    (only && standalone && !constant.is_parameter && all_uses_deleted()).then(|| constant.place.statement.clone())
}

/// `if (!$conn) { throw ... }` (also `-not`, `$null -eq`): dead once the connection is
/// gone, and it would throw. Removed with the connection; an `else` body stays, in
/// `if (!$x) {`, `if (-not ($x)) {`, `if ($null -eq $x) {`, `if ($x -eq $null) {`, and
/// the same tests of a member (`if (!$conn.ApplicationId) {`, a validation).
static NULL_TEST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?is)^if\s*\(\s*(?:(?:!|-not\s*)\s*\(?\s*\$(?:script:)?(\w+)(?:\.\w+)?\s*\)?|\$null\s*-eq\s*\$(\w+)(?:\.\w+)?|\$(\w+)(?:\.\w+)?\s*-eq\s*\$null)\s*\)\s*\{")
        .expect("valid pattern")
});
static ELSEIF: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)\}\s*elseif").expect("valid pattern"));
/// A comment line that speaks of the connection (`# Get the connection "AzureRunAsConnection"`).
static ABOUT_CONNECTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)run\s*-?\s*as|connection|service\s*principal|\bspn\b|certificate").expect("valid pattern")
});

use super::facts::ConnectionKind;
use super::rewrite::{
    add_parameter, delete_statement, delete_statements, describing_comments, indentation, insert_line_above,
    line_ending, line_start,
};
use super::{Checker, RUNAS_CONNECTION, RUNAS_CONNECTION_PROPERTY};
use crate::diagnostic::{Applicability, Edit, Fix};
use crate::syntax::commands::{CONNECT_AZURERM_ACCOUNT, CONNECT_AZ_ACCOUNT};
use crate::syntax::model::{Argument, Block, BlockKind, Script, ValueKind, VariableUse};
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
        // Only `[$x =] Get-AutomationConnection ...` on its own can be deleted.
        let alone = script.is_alone_in_statement(command);
        let range = if alone {
            command.place.statement.clone()
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
        let fix = alone.then(|| connection_fix(checker, connection.variable.as_deref(), command));
        checker
            .diagnostics
            .push(RUNAS_CONNECTION.diagnostic(range, message, fix));
    }
}

/// Delete the connection with its dead code (null tests, validations, a bare `$conn`,
/// the name constant, the comments that describe it), but only once nothing else reads
/// its variable: while the sign-in and the field reads still do, the fix waits (they are
/// rewritten first); while anything else does, the connection stays.
fn connection_fix(checker: &Checker, variable: Option<&str>, command: &crate::syntax::model::Command) -> Fix {
    let script = checker.script;
    let statement = command.place.statement.clone();
    let mut edits = Vec::new();
    let mut deleted = vec![statement.clone()];
    // Text that goes with a dead test; a kept `else` body is not part of it.
    let mut dead: Vec<Range<usize>> = vec![statement.clone()];
    let (mut pending, mut leftovers) = (0, Vec::new());
    if let Some(variable) = variable {
        // The reads this connection reaches; all of them if its assignment is not plain.
        let uses = match script
            .assignments_in_statement(&statement)
            .find(|a| a.variable == variable)
        {
            Some(assignment) => script.uses_reached_by(assignment),
            None => script.uses_of(variable).collect(),
        };
        for use_ in &uses {
            if let Some((edit, covered)) = null_test(checker, variable, use_) {
                // A plain deletion joins the others, so blank lines collapse across them.
                let known = edits.contains(&edit) || deleted.contains(&edit.range);
                if !known {
                    if edit.content.is_empty() {
                        deleted.push(edit.range);
                    } else {
                        edits.push(edit);
                    }
                    dead.extend(covered);
                }
            } else if is_bare_read(script, use_) {
                deleted.push(use_.place.statement.clone());
                dead.push(use_.place.statement.clone());
            }
        }
        for use_ in uses {
            if dead
                .iter()
                .any(|d| d.start <= use_.range.start && use_.range.end <= d.end)
            {
                continue;
            }
            if rewritten_by_safe_fix(checker, use_) || field_read_with_fix(use_) {
                pending += 1;
            } else {
                leftovers.push(use_);
            }
        }
    }
    if let Some(constant) = unused_name_constant(checker, command, &dead) {
        deleted.push(constant);
    }
    let described: Vec<Range<usize>> = deleted
        .iter()
        .flat_map(|range| describing_comments(script, range.start, &ABOUT_CONNECTION))
        .collect();
    edits.extend(delete_statements(script.text, deleted.into_iter().chain(described)));
    if let Some(first) = leftovers.first() {
        let line = script.line_of(first.range.start);
        let written = script.slice(&first.member.as_ref().map_or(first.range.clone(), |m| m.1.clone()));
        return Fix::new(
            Applicability::DisplayOnly,
            format!(
                "Remove the Run As connection by hand once nothing reads it: {} read(s) of its variable have no fix, such as `{written}` on line {line}",
                leftovers.len()
            ),
            edits,
        );
    }
    // The connection goes last: the fixes of the sign-in and of the field reads
    // recognise Run As code by it, so deleting it first would strand them.
    if pending > 0 {
        return Fix::new(Applicability::DisplayOnly, "Remove the Run As connection once its sign-in and field reads are rewritten (`mimigrate fix` does it in a later pass)", edits);
    }
    Fix::new(Applicability::Safe, "Remove the Run As connection", edits)
}

/// `$conn` alone as a statement: it only prints the connection.
fn is_bare_read(script: &Script, use_: &VariableUse) -> bool {
    use_.member.is_none() && script.slice(&use_.place.statement).trim() == script.slice(&use_.range)
}

/// place of the whole `if`.
fn null_test(checker: &Checker, variable: &str, use_: &VariableUse) -> Option<(Edit, Vec<Range<usize>>)> {
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
        .statements_in(&if_range)
        .iter()
        .flat_map(|s| s.blocks.iter())
        .find(|b| is_else(b));
    let if_indent = indentation(script.text, if_range.start);
    let ending = line_ending(script.text);
    let Some(else_block) = else_block else {
        let kept = kept_assignments(script, &if_range, std::slice::from_ref(&if_range), if_indent, ending);
        return Some((Edit::replace(removal.range, kept), vec![if_range]));
    };
    let covered = vec![
        if_range.start..else_block.range.start,
        else_block.range.end..if_range.end,
    ];
    // The else body's statements, re-indented to the `if`'s level.
    let body: Vec<_> = script
        .statements_in(&else_block.range)
        .iter()
        .filter(|s| s.blocks.last() == Some(else_block))
        .collect();
    let (Some(first), Some(last)) = (body.first(), body.last()) else {
        let kept = kept_assignments(script, &if_range, &covered, if_indent, ending);
        return Some((Edit::replace(removal.range, kept), covered));
    };
    if removal.range.start + if_indent.len() != if_range.start {
        return None; // the `if` shares its line with other code: leave it to a human
    }
    let body_start = line_start(script.text, first.statement.start);
    let body_indent = &script.text[body_start..first.statement.start];
    if !body_indent.trim_matches([' ', '\t']).is_empty() {
        return None; // the body starts on a line with other code: leave it to a human
    }
    let mut kept = kept_assignments(script, &if_range, &covered, if_indent, ending);
    for line in script.text[body_start..last.statement.end].lines() {
        match line.strip_prefix(body_indent) {
            Some(rest) => kept.push_str(&format!("{if_indent}{rest}")),
            None => kept.push_str(line),
        }
        kept.push_str(ending);
    }
    Some((Edit::replace(removal.range, kept), covered))
}

/// The variables assigned only inside a removed test but read after it
/// (`$ErrorMessage = "..."` in the dead not-found branch, read by a mail sent later):
/// set to `$null` in its place, the value they had whenever the branch did not run, so
/// no read is left without an assignment (and strict mode stays happy).
fn kept_assignments(
    script: &Script,
    removed: &Range<usize>,
    covered: &[Range<usize>],
    indent: &str,
    ending: &str,
) -> String {
    let inside = |r: &Range<usize>| covered.iter().any(|c| c.start <= r.start && r.end <= c.end);
    let mut kept = String::new();
    let mut done: Vec<&str> = Vec::new();
    let assigned = covered.iter().flat_map(|c| script.assignments_in(c));
    for assignment in assigned.filter(|a| inside(&a.place.statement)) {
        let read_outside = script.uses_of(&assignment.variable).any(|u| !inside(&u.range));
        let only_here = script
            .assignments_of(&assignment.variable)
            .iter()
            .all(|a| inside(&a.place.statement));
        if read_outside
            && only_here
            && removed.start <= assignment.target.start
            && !done.contains(&assignment.variable.as_str())
        {
            done.push(&assignment.variable);
            kept.push_str(&format!("{indent}{} = $null{ending}", script.slice(&assignment.target)));
        }
    }
    kept
}

/// A read inside a certificate sign-in, in a parameter its safe rewrite drops.
fn rewritten_by_safe_fix(checker: &Checker, use_: &VariableUse) -> bool {
    checker.facts.dropped_values.containing(&use_.range).next().is_some()
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
            "TenantID" => {
                let tenant = format!("({}).Tenant.Id", context_command(checker));
                let fix = Fix::new(Applicability::Unsafe, "Read the tenant from the signed-in context", vec![Edit::replace(access.clone(), tenant.clone())]);
                (
                    format!("`{written}` reads the retired Run As connection; after the managed-identity sign-in the tenant is `{tenant}`"),
                    Some(only_after_signin(checker, use_, fix)),
                )
            }
            _ => (format!("`{written}` reads the retired Run As connection's certificate identity; a managed identity has none, remove this code by hand"), None),
        };
        checker
            .diagnostics
            .push(RUNAS_CONNECTION_PROPERTY.diagnostic(access.clone(), message, fix));
    }
}

/// `Get-AzureRmContext` in an AzureRM script (keeping it in one module, as MI102 does),
/// `Get-AzContext` otherwise.
fn context_command(checker: &Checker) -> &'static str {
    if checker.facts.uses_azurerm {
        "Get-AzureRmContext"
    } else {
        "Get-AzContext"
    }
}

const SUBSCRIPTION_TODO: &str =
    "# TODO(mimigrate): the managed identity may have access to several subscriptions; set the subscription explicitly";

/// A read of the signed-in context before the sign-in would find none: such a fix is
/// shown, with what to do, but never applied.
fn only_after_signin(checker: &Checker, use_: &VariableUse, mut fix: Fix) -> Fix {
    let in_function = use_.place.in_block(&BlockKind::Function);
    if !in_function
        && checker
            .facts
            .first_azure_signin
            .is_none_or(|start| use_.range.start < start)
    {
        fix.applicability = Applicability::DisplayOnly;
        fix.message
            .push_str(" (move this code after the managed-identity sign-in first: before it there is no context)");
    }
    fix
}

/// The `-Subscription $conn.SubscriptionID` argument of a sign-in, when `use_` is its value.
fn signin_subscription_argument(script: &Script, use_: &VariableUse) -> Option<Range<usize>> {
    script
        .commands_around(use_.range.start)
        .map(|(_, c)| c)
        .filter(|c| c.is(CONNECT_AZ_ACCOUNT) || c.is(CONNECT_AZURERM_ACCOUNT))
        .find_map(|c| {
            c.arguments.iter().find_map(|a| match a {
                Argument::Named {
                    name,
                    value: Some(value),
                    via_splat: false,
                    ..
                } if name == "Subscription"
                    && value.range.start <= use_.range.start
                    && use_.range.end <= value.range.end =>
                {
                    Some(a.range())
                }
                _ => None,
            })
        })
}

fn subscription_fix(checker: &Checker, use_: &VariableUse, access: std::ops::Range<usize>) -> Fix {
    let script = checker.script;
    if checker.target.subscription.is_none() {
        if let Some(argument) = signin_subscription_argument(script, use_) {
            // Signing in picks the identity's default subscription; the TODO says to choose.
            // Back to the previous argument, across any backtick line continuation.
            let before = script.text[..argument.start]
                .trim_end_matches([' ', '\t', '\r', '\n', '`'])
                .len();
            let mut edits = vec![Edit::delete(before..argument.end)];
            edits.extend(insert_line_above(script, use_.range.start, SUBSCRIPTION_TODO));
            return Fix::new(
                Applicability::Unsafe,
                "Sign in without `-Subscription`: the identity has no subscription of its own",
                edits,
            );
        }
    }
    match &checker.target.subscription {
        Some(SubscriptionSource::AutomationVariable(name)) => Fix::new(
            Applicability::Unsafe,
            format!("Read the subscription id from the Automation variable `{name}`"),
            vec![Edit::replace(
                access,
                format!("(Get-AutomationVariable -Name {})", crate::syntax::single_quoted(name)),
            )],
        ),
        Some(SubscriptionSource::RunbookParameter(name)) => {
            let mut edits = vec![Edit::replace(access, format!("${name}"))];
            edits.extend(add_parameter(script, use_.range.start, name));
            Fix::new(
                Applicability::Unsafe,
                format!("Read the subscription id from the runbook parameter `${name}`"),
                edits,
            )
        }
        None => {
            let context = context_command(checker);
            let mut edits = vec![Edit::replace(access, format!("({context}).Subscription.Id"))];
            edits.extend(insert_line_above(script, use_.range.start, SUBSCRIPTION_TODO));
            let fix = Fix::new(
                Applicability::Unsafe,
                "Use the subscription of the signed-in context (review: the identity may see several)",
                edits,
            );
            only_after_signin(checker, use_, fix)
        }
    }
}
