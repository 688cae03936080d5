//! MI103 runas-retry-loop (docs: rules/MI103.md): a loop whose only job is retrying an
//! Azure sign-in (the template's `while (!$connectionResult -and $logonAttempt -le 10)`,
//! or any `while`/`do`/`for` loop with a counter, a sleep, logging and result tests). A
//! managed-identity sign-in needs one call; a loop left around `-Identity` after only the
//! sign-in was rewritten is still reported.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::certificate_login::managed_identity_call;
use super::rewrite::delete_statements;
use super::{Checker, RUNAS_RETRY_LOOP};
use crate::diagnostic::{Applicability, Edit, Fix};
use crate::syntax::commands::{CONNECT_AZURERM_ACCOUNT, CONNECT_AZ_ACCOUNT};
use crate::syntax::model::{Block, BlockKind, Command, Place, Script};

/// `while`, `do` and `for` loops retry; `foreach` walks a collection.
static LOOP_KEYWORD: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?i)^(while|do|for)\b").expect("valid pattern"));
/// `$logonAttempt++`, `$i += 1`, `$tries--`.
static COUNTER_STEP: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)^\$(?:script:)?\w+\s*(?:\+\+|--|[+-]=\s*\d+)\s*;?$").expect("valid pattern"));
/// `$ok = $true`, `$i = 0`, `$result = $null`: a flag or counter set to a constant.
static CONSTANT_ASSIGNMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\$(?:script:)?(\w+)\s*=\s*(?:\$true|\$false|\$null|-?\d+|'[^']*'|\x22[^\x22$]*\x22)\s*;?$")
        .expect("valid pattern")
});
/// Statements that only log, wait or steer the loop: retry material.
static LOGGING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:write-(?:output|verbose|warning|host|error|information|debug)\b|throw\b|break\b|continue\b|if\b|elseif\b|else\b|try\b)")
        .expect("valid pattern")
});

pub fn check(checker: &mut Checker) {
    let script = checker.script;
    for (index, command) in script.commands.iter().enumerate() {
        if !(command.is(CONNECT_AZ_ACCOUNT) || command.is(CONNECT_AZURERM_ACCOUNT)) {
            continue;
        }
        let certificate = checker
            .facts
            .certificate_login(index)
            .filter(|_| command.has("CertificateThumbprint"));
        if certificate.is_none() && !command.has("Identity") {
            continue;
        }
        let Some(retry) = RetryLoop::around(script, command) else {
            continue;
        };
        // The sign-in the loop collapses to: rewritten (certificate) or as it is (identity).
        let (call, from_runas, message) = match certificate {
            Some(login) => (
                managed_identity_call(checker, login, command),
                login.from_runas,
                "Retry loop around the Run As certificate sign-in; a managed-identity sign-in needs a single call",
            ),
            None => (
                script.slice(&command.range).to_owned(),
                true,
                "Retry loop around the managed-identity sign-in, left from the Run As template; a managed-identity sign-in needs a single call",
            ),
        };
        let statement = &command.place.statement;
        let single = format!(
            "{}{call}{}",
            &script.text[statement.start..command.range.start],
            &script.text[command.range.end..statement.end]
        );
        let mut edits = vec![Edit::replace(retry.block.range.clone(), single.clone())];
        edits.extend(delete_statements(script.text, retry.setup.iter().cloned()));
        let safe = retry.template_only && from_runas;
        let fix = Fix::new(
            if safe {
                Applicability::Safe
            } else {
                Applicability::Unsafe
            },
            if retry.template_only {
                format!("Replace the loop with one sign-in: `{single}`")
            } else {
                format!("Replace the loop, its logging and result tests with one sign-in: `{single}` (review: a failure now stops at the first attempt)")
            },
            edits,
        );
        checker
            .diagnostics
            .push(RUNAS_RETRY_LOOP.diagnostic(retry.block.range.clone(), message, Some(fix)));
    }
}

struct RetryLoop<'s> {
    block: &'s Block,
    /// Only the counter, the sign-in and `Start-Sleep`, straight in the loop body.
    template_only: bool,
    /// `$logonAttempt = 0`-style statements right before the loop that only it reads.
    setup: Vec<Range<usize>>,
}

impl<'s> RetryLoop<'s> {
    /// The innermost `while`/`do`/`for` loop around `command` (through `if`/`try`
    /// only), when everything in it is retry material.
    fn around(script: &'s Script, command: &'s Command) -> Option<Self> {
        let blocks = &command.place.blocks;
        let depth = blocks.iter().rposition(|b| b.kind == BlockKind::Loop)?;
        let between_ok = blocks[depth + 1..].iter().all(|b| {
            matches!(
                b.kind,
                BlockKind::Branch | BlockKind::Try | BlockKind::Catch | BlockKind::Finally
            )
        });
        let block = &blocks[depth];
        if !between_ok || !LOOP_KEYWORD.is_match(script.slice(&block.range)) {
            return None;
        }
        let inside = |place: &Place| place.blocks.get(depth) == Some(block) && place.blocks.len() > depth;
        let mut template_only = blocks.len() == depth + 1;
        let statements: Vec<&Place> = script.statements.iter().filter(|s| inside(s)).collect();
        // A `$(...)` in a string holds statements of its own: part of the one around it.
        let nested = |s: &Place| {
            statements.iter().any(|t| {
                t.statement != s.statement
                    && t.blocks == s.blocks
                    && t.statement.start <= s.statement.start
                    && s.statement.end <= t.statement.end
            })
        };
        for statement in statements.iter().filter(|s| !nested(s)) {
            let text = script.slice(&statement.statement).trim();
            let direct = statement.blocks.len() == depth + 1;
            let sleep = script
                .commands_named("Start-Sleep")
                .any(|c| c.place.statement == statement.statement && script.is_alone_in_statement(c));
            if statement.statement == command.place.statement || sleep || COUNTER_STEP.is_match(text) {
                template_only &= direct;
            } else if LOGGING.is_match(text) || CONSTANT_ASSIGNMENT.is_match(text) {
                template_only = false;
            } else {
                return None;
            }
        }
        Some(RetryLoop {
            block,
            template_only,
            // The variable the sign-in's statement assigns (`$ctx = (Connect-AzAccount ...).Context`).
            setup: setup_before(
                script,
                block,
                &blocks[..depth],
                script
                    .whole_assignment(&command.place.statement)
                    .map(|a| a.variable.as_str()),
            ),
        })
    }
}

/// The constant assignments right before the loop, at its level, whose variables are
/// read only inside the loop, or which the one sign-in left assigns again: the counter
/// and flags it starts from.
fn setup_before(script: &Script, block: &Block, outer: &[Block], reassigned: Option<&str>) -> Vec<Range<usize>> {
    let mut setup = Vec::new();
    let mut siblings = script
        .statements
        .iter()
        .rev()
        .filter(|s| s.statement.end <= block.range.start && &*s.blocks == outer);
    for statement in siblings.by_ref().take(3) {
        let text = script.slice(&statement.statement).trim();
        let Some(variable) = CONSTANT_ASSIGNMENT.captures(text).map(|c| c[1].to_lowercase()) else {
            break;
        };
        let only_in_loop = script
            .uses_of(&variable)
            .all(|u| block.range.start <= u.range.start && u.range.end <= block.range.end);
        // A flag read after the loop stays (its value still matters); look further up.
        if only_in_loop || reassigned == Some(variable.as_str()) {
            setup.push(statement.statement.clone());
        }
    }
    setup
}
