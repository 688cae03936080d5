//! Hand-made managed-identity token requests and where their token goes, shared by
//! MI201/MI202/MI203 (the request) and MI304 (the `Connect-MgGraph -AccessToken` that
//! uses it), so both offer the same rewrite and never disagree.

use std::ops::Range;

use std::sync::LazyLock;

use regex::Regex;

/// `client_id=<guid>` or `client_id=$variable` in a query string or body.
static CLIENT_ID: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?i)client_id\s*=\s*['"]?(\$\{?[\w:]+\}?|[^&'"\s;}]+)"#).expect("valid pattern"));
/// `resource=https://...` or `resource=$variable` in a query string or body.
static RESOURCE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?i)resource\s*=\s*['"]?(\$\{?[\w:]+\}?|[^&'"\s;}]+)"#).expect("valid pattern"));

use super::facts::expanded_text;
use crate::syntax::commands::CONNECT_MG_GRAPH;
use crate::syntax::model::{Argument, Command, Script};

const REQUEST_COMMANDS: &[&str] = &["Invoke-RestMethod", "Invoke-WebRequest"];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// `$env:IDENTITY_ENDPOINT` (MI201).
    Identity,
    /// `$env:MSI_ENDPOINT` (MI202).
    Msi,
    /// The VM's instance metadata service (MI203).
    Imds,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resource {
    Graph,
    Arm,
    Other,
}

pub struct TokenRequest {
    /// Index into `Script::commands`.
    pub command: usize,
    pub endpoint: Endpoint,
    /// The `resource=` the token is for, resolved through constants.
    pub resource: Option<String>,
    /// `Connect-MgGraph` calls (command indices) whose `-AccessToken` is this token.
    pub graph_logins: Vec<usize>,
    /// The statements that exist only to make the token: the request, the steps that
    /// unpack it, and a resource constant nothing else reads. `None` when the token
    /// (or the response) is also used for something other than `Connect-MgGraph`.
    pub plumbing: Option<Vec<Range<usize>>>,
    /// `client_id=` in the request: a user-assigned identity the rewrite must keep.
    pub client_id: Option<String>,
    /// The variable that ends up holding the token, and the statements that make it
    /// (`$r = Invoke-RestMethod ...; $t = $r.access_token`).
    pub token_variable: Option<(String, Vec<Range<usize>>)>,
}

impl TokenRequest {
    pub fn resource_kind(&self) -> Resource {
        match self.resource.as_deref().map(str::to_lowercase) {
            Some(r) if r.contains("graph.microsoft.com") => Resource::Graph,
            Some(r) if r.contains("management.azure.com") || r.contains("management.core.windows.net") => Resource::Arm,
            _ => Resource::Other,
        }
    }
}

pub fn token_requests(script: &Script) -> Vec<TokenRequest> {
    script
        .commands
        .iter()
        .enumerate()
        .filter(|(_, c)| REQUEST_COMMANDS.iter().any(|r| c.is(r)))
        .filter_map(|(index, command)| {
            // Only the address counts: the token flows into later requests' headers,
            // which are not token requests themselves.
            let uri = command.value_of("Uri")?;
            let address = expanded_text(script, uri.range.clone()).to_lowercase();
            let endpoint = if address.contains("identity_endpoint") {
                Endpoint::Identity
            } else if address.contains("msi_endpoint") {
                Endpoint::Msi
            } else if address.contains("169.254.169.254/metadata/identity") {
                Endpoint::Imds
            } else {
                return None;
            };
            let (graph_logins, plumbing) = follow_token(script, command);
            Some(TokenRequest {
                command: index,
                endpoint,
                resource: query_value(script, command, &RESOURCE),
                graph_logins,
                plumbing,
                client_id: query_value(script, command, &CLIENT_ID),
                token_variable: unpacked_token(script, command),
            })
        })
        .collect()
}

/// `$t = (request).access_token`, or `$r = request` then `$t = $r.access_token`.
fn unpacked_token(script: &Script, request: &Command) -> Option<(String, Vec<Range<usize>>)> {
    let first = &request.place.statement;
    let response = assigned_by(script, first)?;
    let value = script
        .assignments
        .iter()
        .find(|a| &a.place.statement == first && script.is_whole_statement(a))?;
    if script
        .slice(&value.value.range)
        .trim_end()
        .to_lowercase()
        .ends_with(".access_token")
    {
        return Some((response, vec![first.clone()]));
    }
    let uses: Vec<_> = script
        .uses_of(&response)
        .filter(|u| !(first.start <= u.range.start && u.range.end <= first.end))
        .collect();
    let [only] = uses.as_slice() else { return None };
    let (member, access) = only.member.as_ref()?;
    let unpack = script
        .assignments
        .iter()
        .find(|a| a.place.statement == only.place.statement && script.is_whole_statement(a))?;
    (member.eq_ignore_ascii_case("access_token") && unpack.value.range == *access).then(|| {
        (
            unpack.variable.clone(),
            vec![first.clone(), only.place.statement.clone()],
        )
    })
}

/// `key=<value or $variable>` (`resource=`, `client_id=`) in the request's address or
/// body, resolved through constants and URL-decoded.
fn query_value(script: &Script, command: &Command, key: &Regex) -> Option<String> {
    // The address as built, through the variables it was built from.
    let text: String = command
        .arguments
        .iter()
        .map(|a| match a {
            Argument::Named { value: Some(value), .. } | Argument::Positional(value) => {
                expanded_text(script, value.range.clone())
            }
            Argument::Named { range, .. } => script.slice(range).to_owned(),
        })
        .collect::<Vec<_>>()
        .join(" ");
    let found = key.captures(&text)?.get(1)?.as_str().to_owned();
    let value = match found.strip_prefix('$') {
        Some(variable) => script.constant(&crate::syntax::model::normalize_variable(variable), command.range.start)?,
        None => found,
    };
    Some(
        value
            .replace("%3A", ":")
            .replace("%3a", ":")
            .replace("%2F", "/")
            .replace("%2f", "/"),
    )
}

/// Follow the request's result through plain assignments to the `Connect-MgGraph
/// -AccessToken` calls that use it.
fn follow_token(script: &Script, request: &Command) -> (Vec<usize>, Option<Vec<Range<usize>>>) {
    let token_values: Vec<(usize, Range<usize>)> = script
        .commands
        .iter()
        .enumerate()
        .filter(|(_, c)| c.is(CONNECT_MG_GRAPH))
        .filter_map(|(i, c)| match c.named("AccessToken") {
            Some(Some(value)) => Some((i, value.range.clone())),
            _ => None,
        })
        .collect();
    let mut statements = vec![request.place.statement.clone()];
    let mut logins = Vec::new();
    let mut variable = assigned_by(script, &request.place.statement);
    let mut complete = variable.is_some();
    for _ in 0..4 {
        let Some(current) = variable.take() else {
            break;
        };
        let uses: Vec<_> = script
            .uses_of(&current)
            .filter(|u| {
                !statements
                    .iter()
                    .any(|s| s.start <= u.range.start && u.range.end <= s.end)
            })
            .collect();
        let mut others = Vec::new();
        for use_ in uses {
            match token_values
                .iter()
                .find(|(_, value)| value.start <= use_.range.start && use_.range.end <= value.end)
            {
                Some((login, _)) => logins.push(*login),
                None => others.push(use_),
            }
        }
        match others.as_slice() {
            [] => break,
            [next] if logins.is_empty() => match assigned_by(script, &next.place.statement) {
                Some(next_variable) => {
                    statements.push(next.place.statement.clone());
                    variable = Some(next_variable);
                }
                None => complete = false,
            },
            _ => complete = false,
        }
    }
    logins.sort_unstable();
    logins.dedup();
    if !complete || logins.is_empty() {
        return (logins, None);
    }
    statements.extend(resource_constants(script, request));
    (logins, Some(statements))
}

/// `$x = ...` as a whole statement: the variable it assigns.
fn assigned_by(script: &Script, statement: &Range<usize>) -> Option<String> {
    script
        .assignments
        .iter()
        .find(|a| &a.place.statement == statement && script.is_whole_statement(a))
        .map(|a| a.variable.clone())
}

/// Constants read only by the request, or only by such constants
/// (`$resource = 'https://graph...'; $uri = "$env:IDENTITY_ENDPOINT?resource=$resource"`).
pub fn resource_constants(script: &Script, request: &Command) -> Vec<Range<usize>> {
    let mut doomed = vec![request.place.statement.clone()];
    let mut constants: Vec<Range<usize>> = Vec::new();
    for _ in 0..3 {
        let inside =
            |r: &Range<usize>, doomed: &[Range<usize>]| doomed.iter().any(|d| d.start <= r.start && r.end <= d.end);
        let found: Vec<Range<usize>> = script
            .variables
            .iter()
            .filter(|v| !v.name.starts_with("env:") && inside(&v.range, &doomed))
            .filter(|v| script.uses_of(&v.name).all(|u| inside(&u.range, &doomed)))
            .filter(|v| script.assignments.iter().filter(|a| a.variable == v.name).count() == 1)
            .filter_map(|v| script.assignment_before(&v.name, v.range.start))
            .filter(|a| !a.is_parameter && assigned_by(script, &a.place.statement).is_some())
            .map(|a| a.place.statement.clone())
            .filter(|s| !doomed.contains(s))
            .collect();
        if found.is_empty() {
            break;
        }
        doomed.extend(found.iter().cloned());
        constants.extend(found);
    }
    constants.sort_by_key(|r| r.start);
    constants.dedup();
    constants
}
