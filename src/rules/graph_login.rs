//! MI303 graph-certificate-login, MI204 plaintext-access-token and MI304
//! graph-token-login (docs: rules/MI303.md, MI204.md, MI304.md): every
//! `Connect-MgGraph` that is not `-Identity`, and Azure tokens used as plain strings.
//! One `Connect-MgGraph -AccessToken` call gets exactly one of MI204/MI304.

use std::sync::LazyLock;

use regex::Regex;

/// `Bearer ` right before a variable: in `"Bearer $t"`, `"Bearer $($t)"`, `"Bearer " + $t`.
static BEARER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?i)Bearer\s*(?:"\s*\+\s*)?(?:\$\()?$"#).expect("valid pattern"));

use super::facts::{dropped_by_rewrite, expanded_text, Service};
use super::rewrite::{line_start, rebuild_call};
use super::{
    azure_session_token, identity_token, Checker, GRAPH_CERTIFICATE_LOGIN, GRAPH_TOKEN_LOGIN, PLAINTEXT_ACCESS_TOKEN,
};
use crate::diagnostic::{Applicability, Edit, Fix, Severity};
use crate::syntax::commands::{CONNECT_AZURERM_ACCOUNT, CONNECT_AZ_ACCOUNT, CONNECT_MG_GRAPH};
use crate::syntax::model::{Command, Script};
use crate::target::MigrationTarget;

pub fn check(checker: &mut Checker) {
    certificate_logins(checker);
    token_logins(checker);
    bearer_headers(checker);
}

/// `Connect-MgGraph -Identity [-ClientId ...]` keeping `-NoWelcome`, `-Environment` and
/// other arguments that are not app-only plumbing.
pub fn graph_identity_call(script: &Script, target: &MigrationTarget, command: &Command) -> String {
    let identity = target.identity_arguments("ClientId");
    rebuild_call(script, command, CONNECT_MG_GRAPH, &identity, |param| {
        !dropped_by_rewrite(Service::Graph, param)
            && !param.eq_ignore_ascii_case("AccessToken")
            && !param.eq_ignore_ascii_case("Identity")
    })
}

fn certificate_logins(checker: &mut Checker) {
    for login in checker
        .facts
        .certificate_logins
        .iter()
        .filter(|l| l.service == Service::Graph)
    {
        let command = &checker.script.commands[login.command];
        let call = graph_identity_call(checker.script, checker.target, command);
        let (severity, applicability, message) = if login.from_runas {
            (
                Severity::Error,
                Applicability::Safe,
                format!(
                    "`{}` signs in with the Run As certificate; Run As accounts were retired on 2023-09-30",
                    command.written_name
                ),
            )
        } else {
            (
                Severity::Warning,
                Applicability::Unsafe,
                format!("`{}` signs in with an app certificate; in Azure Automation prefer the managed identity (this changes the principal: grant it the app's Graph permissions)", command.written_name),
            )
        };
        let fix = Fix::new(
            applicability,
            format!("Sign in with the managed identity: `{call}`"),
            vec![Edit::replace(command.range.clone(), call)],
        );
        let mut diagnostic = GRAPH_CERTIFICATE_LOGIN.diagnostic(command.range.clone(), message, Some(fix));
        diagnostic.severity = severity;
        checker.diagnostics.push(diagnostic);
    }
}

fn token_logins(checker: &mut Checker) {
    let script = checker.script;
    let signs_in_with_identity = script.commands.iter().enumerate().any(|(index, c)| {
        (c.is(CONNECT_AZ_ACCOUNT) || c.is(CONNECT_AZURERM_ACCOUNT))
            && (c.has("Identity") || checker.facts.certificate_login(index).is_some_and(|l| l.from_runas))
    });
    for (index, command) in script
        .commands
        .iter()
        .enumerate()
        .filter(|(_, c)| c.is(CONNECT_MG_GRAPH))
    {
        let Some(Some(token)) = command.named("AccessToken") else {
            continue;
        };
        let source = expanded_text(script, token.range.clone()).to_lowercase();
        let call = graph_identity_call(checker.script, checker.target, command);
        let edit = vec![Edit::replace(command.range.clone(), call.clone())];
        let fix_message = format!("Sign in with the managed identity: `{call}`");
        let diagnostic = if source.contains("get-azaccesstoken") {
            let applicability = if signs_in_with_identity {
                Applicability::Safe
            } else {
                Applicability::Unsafe
            };
            PLAINTEXT_ACCESS_TOKEN.diagnostic(
                command.range.clone(),
                "`Connect-MgGraph -AccessToken` with a token from `Get-AzAccessToken`: the token is a SecureString in Az.Accounts 5 and Graph PowerShell v2; sign in with `Connect-MgGraph -Identity`",
                Some(Fix::new(applicability, fix_message, edit)),
            )
        } else {
            // A managed-identity token: the same rewrite as its request's MI201/MI202.
            let request = checker
                .facts
                .token_requests
                .iter()
                .find(|r| r.graph_logins.contains(&index));
            let session = || {
                let token = checker
                    .facts
                    .session_tokens
                    .iter()
                    .find(|t| t.graph_logins.contains(&index))?;
                azure_session_token::graph_fix(checker, token)
            };
            let fix = request.and_then(|r| identity_token::graph_identity_fix(checker, r)).or_else(session).unwrap_or_else(|| {
                let message = format!("{fix_message} (this changes the principal: grant the identity the Graph permissions the token had)");
                Fix::new(Applicability::Unsafe, message, edit)
            });
            GRAPH_TOKEN_LOGIN.diagnostic(
                command.range.clone(),
                "`Connect-MgGraph -AccessToken` with a hand-made token; Graph PowerShell v2 signs in with the managed identity itself: `Connect-MgGraph -Identity`",
                Some(fix),
            )
        };
        checker.diagnostics.push(diagnostic);
    }
}

/// `"Bearer $token"` where `$token = (Get-AzAccessToken ...).Token`.
fn bearer_headers(checker: &mut Checker) {
    let script = checker.script;
    for use_ in &script.variables {
        let Some(assignment) = script.assignment_before(&use_.name, use_.range.start) else {
            continue;
        };
        let source = expanded_text(script, assignment.value.range.clone()).to_lowercase();
        if !source.contains("get-azaccesstoken") || !source.contains(".token") || source.contains("-assecurestring") {
            continue;
        }
        if BEARER.is_match(&script.text[line_start(script.text, use_.range.start)..use_.range.start]) {
            checker.diagnostics.push(PLAINTEXT_ACCESS_TOKEN.diagnostic(
                use_.range.clone(),
                "Token from `Get-AzAccessToken` used as a plain string; `.Token` is a SecureString from Az.Accounts 5: call `Invoke-AzRestMethod`/`Invoke-MgGraphRequest`, or use `-AsSecureString` and convert it where the header is built",
                plain_token_fix(script, assignment),
            ));
        }
    }
}

/// The plain-text token of `Get-AzAccessToken ... -AsSecureString` without
/// `ConvertTo-SecureString -AsPlainText`, the same string on every Az.Accounts version:
/// `[System.Net.NetworkCredential]::new('', <secure>).Password`, in two halves.
const PLAIN_TOKEN_OPEN: &str = "[System.Net.NetworkCredential]::new('', ";
const PLAIN_TOKEN_CLOSE: &str = ").Password";

/// The expression of a plain-text token for `resource` (as written in PowerShell: a
/// quoted URL or a variable) from `Get-AzAccessToken -AsSecureString`.
pub fn plain_token_expression(resource: &str) -> String {
    format!("{PLAIN_TOKEN_OPEN}(Get-AzAccessToken -ResourceUrl {resource} -AsSecureString).Token{PLAIN_TOKEN_CLOSE}")
}

/// `$t = (Get-AzAccessToken ...).Token` -> the same string on every Az.Accounts version
/// (`plain_token_expression`; never `ConvertTo-SecureString -AsPlainText`).
fn plain_token_fix(script: &Script, assignment: &crate::syntax::model::Assignment) -> Option<Fix> {
    let value = &assignment.value.range;
    if !script.slice(value).trim_end().to_lowercase().ends_with(".token") {
        return None;
    }
    let request = script
        .commands
        .iter()
        .find(|c| c.is("Get-AzAccessToken") && value.start <= c.range.start && c.range.end <= value.end)?;
    let edits = vec![
        Edit::insert(value.start, PLAIN_TOKEN_OPEN),
        Edit::insert(request.range.end, " -AsSecureString"),
        Edit::insert(value.end, PLAIN_TOKEN_CLOSE),
    ];
    Some(Fix::new(
        Applicability::Unsafe,
        "Ask for a SecureString and read it back as plain text without `ConvertTo-SecureString -AsPlainText` (needs an Az.Accounts with `-AsSecureString`)",
        edits,
    ))
}
