//! Graph REST calls (`Invoke-MgGraphRequest`, and `Invoke-RestMethod`/`Invoke-WebRequest`
//! on a Graph host): the method and URI of a request, the URI resolved through the
//! script's variables, string formats and concatenations as far as they are constant,
//! and the Graph path the permission data is keyed by.

use super::needs::Call;
use super::Certainty;
use crate::syntax::model::{normalize_variable, Argument, Command, Script, Value, ValueKind};
use crate::tables;

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum RequestKind {
    /// `Invoke-MgGraphRequest`: relative URIs are Graph's.
    GraphSdk,
    /// `Invoke-RestMethod`/`Invoke-WebRequest`: only absolute Graph URIs count.
    Web,
}

/// A Graph REST call; `None` for a request of the next page of an earlier call's
/// results (its URI is an `@odata.nextLink`), which needs what that call needs.
pub(super) fn graph_request(script: &Script, command: &Command, kind: RequestKind) -> Option<Call> {
    let label = command.name.as_str();
    let (method_value, uri_value) = request_arguments(command, kind);
    if uri_value.is_some_and(|v| is_next_link(script, v)) {
        return None;
    }
    let method = match method_value {
        None => Some("GET".to_owned()),
        Some(value) => script.string_value(value).map(|m| m.trim().to_uppercase()),
    };
    let uri = uri_value.and_then(|v| uri_template(script, v, v.range.start, 0));
    let raw = |value: Option<&Value>| match (value, command.splats.first()) {
        (Some(v), _) => one_line(script.slice(&v.range)),
        (None, Some((name, _))) => format!("@{name}"),
        (None, None) => "(no URI)".to_owned(),
    };
    let unknown = |what: String| Call::graph(Vec::new(), Certainty::Unknown, what, command.range.clone());
    let suffix = if kind == RequestKind::Web {
        " (Graph REST call)"
    } else {
        ""
    };
    let Some(method) = method else {
        let method_text = method_value.map_or(String::new(), |v| one_line(script.slice(&v.range)));
        return Some(unknown(format!("{label} {method_text} {}{suffix}", raw(uri_value))));
    };
    let Some(path) = uri
        .as_deref()
        .and_then(|u| graph_path(u, kind == RequestKind::GraphSdk))
    else {
        return Some(unknown(format!("{label} {method} {}{suffix}", raw(uri_value))));
    };
    let what = format!("{label} {method} {}{suffix}", path.path);
    Some(match tables::graph_path_permissions(&method, &path.path) {
        Some(permissions) => Call::graph(
            tables::least_privileged(&permissions),
            if path.guessed {
                Certainty::Likely
            } else {
                Certainty::LeastPrivileged
            },
            what,
            command.range.clone(),
        ),
        None => unknown(what),
    })
}

/// Whether a URI is a variable that holds an earlier response's `@odata.nextLink`.
fn is_next_link(script: &Script, value: &Value) -> bool {
    let ValueKind::Variable(name) = &value.kind else {
        return false;
    };
    script
        .assignment_before(name, value.range.start)
        .is_some_and(|a| script.slice(&a.value.range).to_lowercase().contains("odata.nextlink"))
}

/// An `Invoke-RestMethod`/`Invoke-WebRequest` call counts only when its URI is Graph's.
pub(super) fn web_request(script: &Script, command: &Command) -> Option<Call> {
    let (_, uri) = request_arguments(command, RequestKind::Web);
    let template = {
        let uri = uri?;
        uri_template(script, uri, uri.range.start, 0)?
    };
    graph_path(&template, false)?;
    graph_request(script, command, RequestKind::Web)
}

const GRAPH_REQUEST_SWITCHES: &[&str] = &[
    "PassThru",
    "SkipHeaderValidation",
    "InferOutputFileName",
    "SkipHttpErrorCheck",
    "UseBasicParsing",
];

/// The `-Method` and `-Uri` values of a request, named or positional.
/// `Invoke-MgGraphRequest [[-Method] <m>] [-Uri] <uri>`; the web cmdlets take the URI first.
fn request_arguments(command: &Command, kind: RequestKind) -> (Option<&Value>, Option<&Value>) {
    let mut method = None;
    let mut uri = None;
    let mut positional = Vec::new();
    for argument in &command.arguments {
        match argument {
            Argument::Named { name, value, .. } => {
                if name.eq_ignore_ascii_case("Uri") || name.eq_ignore_ascii_case("Url") {
                    uri = value.as_ref();
                } else if name.len() >= 2 && "method".starts_with(&name.to_lowercase()) {
                    method = value.as_ref();
                } else if GRAPH_REQUEST_SWITCHES.iter().any(|s| s.eq_ignore_ascii_case(name)) {
                    // A switch of a command the parser has no spec for took the next word.
                    positional.extend(value.as_ref());
                }
            }
            Argument::Positional(value) => positional.push(value),
        }
    }
    let is_method = |v: &Value| {
        matches!(&v.kind, ValueKind::Text(t) if ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "MERGE"]
            .iter()
            .any(|m| m.eq_ignore_ascii_case(t)))
    };
    let mut rest = positional.into_iter();
    if kind == RequestKind::GraphSdk && method.is_none() && uri.is_none() {
        let mut peek = rest.clone();
        if peek.next().is_some_and(is_method) && peek.next().is_some() {
            method = rest.next();
        }
    }
    if uri.is_none() {
        uri = rest.next();
    }
    (method, uri)
}

/// The text a URI argument stands for, with every part that cannot be resolved to a
/// constant (`$id`, `${x}`, `$($user.Id)`) as a `{x}` segment. `None`: nothing known.
/// Variables in it are read as at `offset`.
fn uri_template(script: &Script, value: &Value, offset: usize, depth: usize) -> Option<String> {
    if depth > 8 {
        return None;
    }
    match &value.kind {
        ValueKind::Text(text) => Some(text.clone()),
        ValueKind::Expandable(raw) => Some(template_expandable(raw, |name| {
            variable_template(script, &normalize_variable(name), offset, depth + 1)
        })),
        ValueKind::Variable(name) => variable_template(script, name, offset, depth + 1),
        ValueKind::Other => expression_template(script, script.slice(&value.range), offset, depth + 1),
        _ => None,
    }
}

/// `("https://.../queries/{0}" -f $id)` and `"https://.../users/" + $id`: the string
/// parts kept, everything else a `{x}` segment.
fn expression_template(script: &Script, text: &str, offset: usize, depth: usize) -> Option<String> {
    let mut text = text.trim();
    while let Some(inner) = text.strip_prefix('(').and_then(|t| t.strip_suffix(')')) {
        text = inner.trim();
    }
    let (first, rest) = string_literal(text)?;
    let rest = rest.trim_start();
    let mut out = literal_template(script, first, offset, depth);
    if rest.get(..2).is_some_and(|op| op.eq_ignore_ascii_case("-f")) {
        // Every `{0}`-style placeholder becomes a wildcard.
        let mut templated = String::new();
        let mut chars = out.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '{' && chars.peek().is_some_and(char::is_ascii_digit) {
                while chars.next().is_some_and(|c| c != '}') {}
                templated.push_str("{x}");
            } else {
                templated.push(c);
            }
        }
        return Some(templated);
    }
    let mut rest = rest;
    while let Some(after) = rest.strip_prefix('+') {
        let after = after.trim_start();
        if let Some((literal, remaining)) = string_literal(after) {
            out.push_str(&literal_template(script, literal, offset, depth));
            rest = remaining.trim_start();
        } else {
            // A variable or anything else: its value is unknown here.
            let end = after.find('+').unwrap_or(after.len());
            let operand = after[..end].trim();
            let name = operand
                .strip_prefix('$')
                .filter(|n| n.chars().all(|c| c.is_alphanumeric() || c == '_'));
            let resolved = name.and_then(|n| variable_template(script, &normalize_variable(n), offset, depth));
            out.push_str(&resolved.unwrap_or_else(|| "{x}".to_owned()));
            rest = after[end..].trim_start();
        }
    }
    rest.is_empty().then_some(out)
}

/// A leading `'...'` or `"..."` literal: (its text with the quotes, the rest).
fn string_literal(text: &str) -> Option<(&str, &str)> {
    let quote = text.chars().next().filter(|c| *c == '\'' || *c == '"')?;
    let mut chars = text.char_indices().skip(1).peekable();
    while let Some((i, c)) = chars.next() {
        if c == '`' && quote == '"' {
            chars.next();
        } else if c == quote {
            if chars.peek().is_some_and(|(_, n)| *n == quote) {
                chars.next();
            } else {
                return Some((&text[..=i], &text[i + 1..]));
            }
        }
    }
    None
}

fn literal_template(script: &Script, literal: &str, offset: usize, depth: usize) -> String {
    let inner = &literal[1..literal.len() - 1];
    if literal.starts_with('\'') {
        inner.replace("''", "'")
    } else {
        template_expandable(inner, |name| {
            variable_template(script, &normalize_variable(name), offset, depth)
        })
    }
}

/// What a variable read at `offset` holds, as a URI template: the assignment it sees,
/// itself templated.
fn variable_template(script: &Script, variable: &str, offset: usize, depth: usize) -> Option<String> {
    let assignment = script.assignment_seen(variable, offset)?;
    // Variables inside the assigned value are read where the assignment is, before it
    // (`$uri = "$uri/next"` reads the previous `$uri`).
    uri_template(script, &assignment.value, assignment.target.start, depth)
}

/// An expandable string's text with `$name`/`${name}` replaced by `resolve` where it
/// knows them and `$(...)` and everything else by `{x}`; backtick escapes undone.
fn template_expandable(raw: &str, resolve: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::new();
    let mut chars = raw.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '`' => {
                if let Some((_, next)) = chars.next() {
                    out.push(next);
                }
            }
            '"' if chars.peek().is_some_and(|(_, n)| *n == '"') => {
                chars.next();
                out.push('"');
            }
            '$' => match chars.peek().map(|(_, n)| *n) {
                Some('(') => {
                    let mut depth = 0usize;
                    for (_, inner) in chars.by_ref() {
                        match inner {
                            '(' => depth += 1,
                            ')' => {
                                depth -= 1;
                                if depth == 0 {
                                    break;
                                }
                            }
                            _ => {}
                        }
                    }
                    out.push_str("{x}");
                }
                Some('{') => {
                    let start = i + 2;
                    let end = raw[start..].find('}').map_or(raw.len(), |e| start + e);
                    let name = &raw[start..end];
                    while chars.peek().is_some_and(|(j, _)| *j <= end) {
                        chars.next();
                    }
                    out.push_str(&resolve(name).unwrap_or_else(|| "{x}".to_owned()));
                }
                Some(n) if n.is_alphanumeric() || n == '_' => {
                    let start = i + 1;
                    let end = raw[start..]
                        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                        .map_or(raw.len(), |e| start + e);
                    // `$host:` and `$user:` are not scope prefixes without a name after.
                    let end = if raw[start..end].ends_with(':') { end - 1 } else { end };
                    let name = &raw[start..end];
                    while chars.peek().is_some_and(|(j, _)| *j < end) {
                        chars.next();
                    }
                    out.push_str(&resolve(name).unwrap_or_else(|| "{x}".to_owned()));
                }
                _ => out.push('$'),
            },
            other => out.push(other),
        }
    }
    out
}

/// A Graph REST path from a URI, ready for `tables::graph_path_permissions`.
#[derive(Debug, PartialEq, Eq)]
struct GraphPath {
    /// `/users/{x}/memberOf`: no host, version or query.
    path: String,
    /// Part of the URI before the path was unresolved and assumed to be Graph's base
    /// (`"$base/users"`) or version: report as likely.
    guessed: bool,
}

const GRAPH_HOSTS: &[&str] = &[
    "graph.microsoft.com",
    "graph.microsoft.us",
    "dod-graph.microsoft.us",
    "microsoftgraph.chinacloudapi.cn",
    "graph.microsoft.de",
];

/// The Graph path of a URI template (see `uri_template`). `relative_ok`: a URI without a
/// host is Graph's (Invoke-MgGraphRequest); otherwise only Graph hosts count. `None`:
/// not a Graph URI, or nothing left to look up.
fn graph_path(uri: &str, relative_ok: bool) -> Option<GraphPath> {
    let uri = uri.trim();
    let mut guessed = false;
    let mut rest = match uri.split_once("://") {
        Some((scheme, after)) if scheme.eq_ignore_ascii_case("https") || scheme.eq_ignore_ascii_case("http") => {
            let (host, path) = after.split_at(after.find(['/', '?']).unwrap_or(after.len()));
            let host = host.rsplit('@').next().unwrap_or(host);
            let host = host.split(':').next().unwrap_or(host);
            if !GRAPH_HOSTS.iter().any(|h| h.eq_ignore_ascii_case(host)) {
                return None;
            }
            path
        }
        Some(_) => return None,
        None if !relative_ok => return None,
        None => match uri.strip_prefix("{x}") {
            // `"$base/users"`: the unresolved start is taken to be Graph's base URL.
            Some(after) if after.starts_with('/') => {
                guessed = true;
                after
            }
            Some(_) => return None,
            None => uri,
        },
    };
    rest = rest.split(['?', '#']).next().unwrap_or("");
    let mut segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    match segments.first() {
        Some(first) if first.eq_ignore_ascii_case("v1.0") || first.eq_ignore_ascii_case("beta") => {
            segments.remove(0);
        }
        // `.../$version/users`: an unresolved version segment.
        Some(&"{x}") if segments.len() > 1 => {
            segments.remove(0);
            guessed = true;
        }
        _ => {}
    }
    if segments.is_empty() {
        return None;
    }
    let path = segments
        .iter()
        .map(|s| format!("/{}", key_arguments(s)))
        .collect::<String>();
    Some(GraphPath { path, guessed })
}

/// `getOffice365ActiveUserDetail(period='D7')` -> `getOffice365ActiveUserDetail(period={value})`,
/// the form the path data uses for function arguments and alternate keys; an OData key
/// (`managedDevices('id')`) is the path segment it stands for (`managedDevices/{x}`).
fn key_arguments(segment: &str) -> String {
    let Some((name, args)) = segment.split_once('(') else {
        return segment.to_owned();
    };
    let Some(args) = args.strip_suffix(')') else {
        return segment.to_owned();
    };
    if args.is_empty() {
        return segment.to_owned();
    }
    if !args.contains('=') && !args.contains(',') {
        return format!("{name}/{{x}}");
    }
    let args: Vec<String> = args
        .split(',')
        .map(|arg| match arg.split_once('=') {
            Some((key, _)) => format!("{}={{value}}", key.trim()),
            None => "{value}".to_owned(),
        })
        .collect();
    format!("{name}({})", args.join(","))
}

fn one_line(text: &str) -> String {
    let mut line: String = text
        .split(['\r', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if line.chars().count() > 120 {
        line = line.chars().take(117).collect::<String>() + "...";
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::permissions::{analyze, Certainty, ScriptPermissions};

    fn path(uri: &str) -> Option<String> {
        graph_path(uri, true).map(|p| p.path)
    }

    #[test]
    fn uris_lose_host_version_and_query() {
        assert_eq!(
            path("https://graph.microsoft.com/v1.0/users/{x}/memberOf").as_deref(),
            Some("/users/{x}/memberOf")
        );
        assert_eq!(path("v1.0/groups?$top=5").as_deref(), Some("/groups"));
        assert_eq!(path("/beta/users").as_deref(), Some("/users"));
        assert_eq!(
            path("HTTPS://Graph.Microsoft.com/beta/users/").as_deref(),
            Some("/users")
        );
        assert_eq!(path("users#x").as_deref(), Some("/users"));
        assert_eq!(
            path("https://graph.microsoft.us/v1.0/groups").as_deref(),
            Some("/groups")
        );
        assert_eq!(path("https://graph.microsoft.com/v1.0/"), None);
        assert_eq!(path("https://management.azure.com/subscriptions"), None);
        assert_eq!(
            graph_path("v1.0/users", false),
            None,
            "relative URIs are Graph's only for the SDK"
        );
        assert!(graph_path("https://graph.microsoft.com/v1.0/users", false).is_some());
    }

    #[test]
    fn unresolved_bases_and_versions_are_guesses() {
        assert_eq!(
            graph_path("{x}/users", true),
            Some(GraphPath {
                path: "/users".into(),
                guessed: true
            })
        );
        assert_eq!(graph_path("{x}/users", false), None);
        assert_eq!(
            graph_path("https://graph.microsoft.com/{x}/groups/{x}", true),
            Some(GraphPath {
                path: "/groups/{x}".into(),
                guessed: true
            })
        );
        assert_eq!(graph_path("{x}", true), None);
        assert_eq!(graph_path("{x}?resource=https://graph.microsoft.com/", false), None);
    }

    #[test]
    fn function_arguments_become_value_placeholders() {
        assert_eq!(
            path("https://graph.microsoft.com/v1.0/reports/getOffice365ActiveUserDetail(period='D7')").as_deref(),
            Some("/reports/getOffice365ActiveUserDetail(period={value})")
        );
        let permissions =
            tables::graph_path_permissions("GET", "/reports/getOffice365ActiveUserDetail(period={value})");
        assert_eq!(permissions, Some(vec!["Reports.Read.All"]));
        assert_eq!(
            key_arguments("applications(appId='abc')"),
            "applications(appId={value})"
        );
        assert_eq!(key_arguments("users"), "users");
        assert_eq!(
            path("v1.0/deviceManagement/managedDevices('abc')").as_deref(),
            Some("/deviceManagement/managedDevices/{x}")
        );
    }

    #[test]
    fn expandable_strings_keep_constants_and_template_the_rest() {
        let known = |name: &str| (name == "ver").then(|| "v1.0".to_owned());
        assert_eq!(
            template_expandable("https://graph.microsoft.com/$ver/users/$id/memberOf", known),
            "https://graph.microsoft.com/v1.0/users/{x}/memberOf"
        );
        assert_eq!(
            template_expandable("v1.0/groups/$($group.Id)/members?`$top=5", known),
            "v1.0/groups/{x}/members?$top=5"
        );
        assert_eq!(
            template_expandable("v1.0/users/${user id}/x", known),
            "v1.0/users/{x}/x"
        );
        assert_eq!(template_expandable("v1.0/users/$($a.(b))/x", known), "v1.0/users/{x}/x");
        assert_eq!(template_expandable("cost: 5$ and $", known), "cost: 5$ and $");
        assert_eq!(template_expandable("$env:BASE/users", known), "{x}/users");
    }

    fn needs(text: &str) -> ScriptPermissions {
        analyze(&Script::parse(text))
    }

    #[test]
    fn uris_resolve_through_variables_and_constants() {
        let result = needs(
            "param([string] $Base, [string] $GroupId)\n\
             $graph = 'https://graph.microsoft.com/v1.0'\n\
             $uri = \"$graph/groups/$GroupId/members\"\n\
             Invoke-RestMethod -Uri $uri -Headers $h\n\
             Invoke-MgGraphRequest -Uri \"$Base/users\"\n\
             $next = 'v1.0/devices'\n\
             $next = \"$next/$($d.Id)\"\n\
             Invoke-MgGraphRequest $next\n",
        );
        let whats: Vec<(&str, Certainty)> = result
            .needs
            .iter()
            .flat_map(|n| n.reasons.iter().map(move |r| (r.what.as_str(), n.certainty)))
            .collect();
        assert!(
            whats.contains(&(
                "Invoke-RestMethod GET /groups/{x}/members (Graph REST call)",
                Certainty::LeastPrivileged
            )),
            "{whats:?}"
        );
        assert!(
            whats.contains(&("Invoke-MgGraphRequest GET /users", Certainty::Likely)),
            "an unresolved base is assumed to be Graph's: {whats:?}"
        );
        assert!(
            whats.contains(&("Invoke-MgGraphRequest GET /devices/{x}", Certainty::LeastPrivileged)),
            "a variable built from its own earlier value: {whats:?}"
        );
    }

    #[test]
    fn rest_calls_count_only_for_graph_hosts() {
        let result = needs(
            "$token = Get-AzAccessToken -ResourceUrl https://graph.microsoft.com\n\
             Invoke-RestMethod -Uri 'https://graph.microsoft.com/v1.0/groups' -Headers $h\n\
             Invoke-RestMethod -Uri \"$($env:IDENTITY_ENDPOINT)?resource=https://graph.microsoft.com/\"\n\
             Invoke-WebRequest https://management.azure.com/subscriptions\n",
        );
        assert_eq!(result.needs.len(), 1, "{result:?}");
        assert_eq!(
            result.needs[0].reasons[0].what,
            "Invoke-RestMethod GET /groups (Graph REST call)"
        );
    }
}
