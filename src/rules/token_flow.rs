//! Hand-made managed-identity token requests and where their token goes, shared by
//! MI201/MI202/MI203 (the request) and MI304 (the `Connect-MgGraph -AccessToken` that
//! uses it), so both offer the same rewrite and never disagree.
//!
//! A request is an `Invoke-RestMethod`/`Invoke-WebRequest` whose `-Uri` evaluates to the
//! identity endpoint, or a call to the script's own function around one that passes it
//! that address (`Invoke-MyRest @request`). Its `resource=` and `client_id=` come from the
//! same evaluation. A request whose response is thrown away only probes the endpoint.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use crate::syntax::commands::CONNECT_MG_GRAPH;
use crate::syntax::evaluate::{Call, Part, StringValue};
use crate::syntax::model::{Assignment, Command, Script};
use crate::target::MigrationTarget;

const REQUEST_COMMANDS: &[&str] = &["Invoke-RestMethod", "Invoke-WebRequest"];

/// Query keys that name a user-assigned identity by something other than its client id:
/// `-Identity -ClientId` cannot carry them.
const OTHER_IDENTITY_KEYS: &[&str] = &["object_id", "principal_id", "mi_res_id", "msi_res_id"];

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

/// The managed identity a request asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientId {
    /// No `client_id=`: the system-assigned identity (or whatever the run targets).
    None,
    /// `client_id=<guid>`, resolved through constants.
    Literal(String),
    /// `client_id=$id` where the script reads `$id` at run time
    /// (`$id = Get-AutomationVariable ...`, a parameter): the rewrite passes the variable,
    /// whose assignment (lower-case name) the fix keeps.
    Variable { written: String, name: String },
    /// An identity the rewrite cannot name: an expression, or `object_id=`/`mi_res_id=`.
    Unresolved,
}

pub struct TokenRequest {
    /// Index into `Script::commands`: the request, or the call to the script's own
    /// function that makes it.
    pub command: usize,
    pub endpoint: Endpoint,
    /// The `resource=` the token is for, resolved through constants.
    pub resource: Option<String>,
    /// `Connect-MgGraph` calls (command indices) whose `-AccessToken` is this token.
    pub graph_logins: Vec<usize>,
    /// The statements that exist only to make the token: the request, the steps that
    /// unpack it, and the constants, header tables and splatted tables nothing else
    /// reads. `None` when the token (or the response) is also used for something other
    /// than `Connect-MgGraph`.
    pub plumbing: Option<Vec<Range<usize>>>,
    /// `client_id=` in the request: a user-assigned identity the rewrite must keep.
    pub client_id: ClientId,
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

    /// The identity the rewrite signs in with: the one the request names, if any, else
    /// `base`. `None` when the request names one the rewrite cannot.
    pub fn target(&self, base: &MigrationTarget) -> Option<MigrationTarget> {
        match &self.client_id {
            ClientId::None => Some(base.clone()),
            ClientId::Literal(id) => Some(base.with_client_id(Some(id))),
            ClientId::Variable { written, .. } => Some(base.with_client_id_expression(written)),
            ClientId::Unresolved => None,
        }
    }

    /// Variables the rewrite still reads, so their assignments are not plumbing.
    pub fn kept_variables(&self) -> Vec<&str> {
        match &self.client_id {
            ClientId::Variable { name, .. } => vec![name.as_str()],
            _ => Vec::new(),
        }
    }
}

/// The web request a token request's arguments are read from, and the call whose
/// arguments its parameters take when it sits in the script's own wrapper function.
pub struct Site<'s> {
    pub request: &'s Command,
    call: Option<Call<'s>>,
}

impl Site<'_> {
    /// The request's argument for `parameter`; a wrapper that forwards its own
    /// arguments (`Invoke-RestMethod @PSBoundParameters`) passes the call's.
    pub fn value(&self, script: &Script, parameter: &str) -> Option<StringValue> {
        if let Some(value) = self.request.value_of(parameter) {
            return Some(script.evaluate_range(&value.range, self.call.as_ref()));
        }
        let call = self.call.as_ref()?;
        let forwards = self.request.splats.iter().any(|(s, _)| s == "psboundparameters");
        let value = call.argument(&parameter.to_lowercase()).filter(|_| forwards)?;
        Some(script.evaluate(value))
    }

    fn endpoint(&self, script: &Script) -> Option<Endpoint> {
        let address = self.value(script, "Uri")?;
        if address.has_env("identity_endpoint") {
            Some(Endpoint::Identity)
        } else if address.has_env("msi_endpoint") {
            Some(Endpoint::Msi)
        } else if address.contains("169.254.169.254/metadata/identity") {
            Some(Endpoint::Imds)
        } else {
            None
        }
    }

    /// `key=` in the address's query, else in the body: a form string or a hashtable
    /// (inline, in a variable, or passed to the wrapper) with that key.
    pub fn parameter(&self, script: &Script, key: &str) -> Option<StringValue> {
        if let Some(found) = self.value(script, "Uri").and_then(|a| a.query(key)) {
            return Some(found);
        }
        let body = self.request.value_of("Body")?;
        let tables = script.hashtables_of(body, self.call.as_ref());
        if tables.is_empty() {
            return self.value(script, "Body")?.query(key);
        }
        tables.into_iter().find_map(|entries| {
            let (_, value) = entries.iter().find(|(k, _)| k.eq_ignore_ascii_case(key))?;
            Some(script.evaluate_range(&value.range, self.call.as_ref()))
        })
    }
}

fn is_request(command: &Command) -> bool {
    REQUEST_COMMANDS.iter().any(|r| command.is(r))
}

/// The web request `command` makes and what `property` finds in it: the request
/// itself, or the web request inside the script's own function it calls, when only the
/// call's arguments give it that property (a wrapper whose request always has it is
/// found at its own request, once).
pub fn request_site<'s, T>(
    script: &'s Script,
    command: &'s Command,
    property: impl Fn(&Site<'s>) -> Option<T>,
) -> Option<(Site<'s>, T)> {
    if is_request(command) {
        let site = Site {
            request: command,
            call: None,
        };
        let found = property(&site)?;
        return Some((site, found));
    }
    let call = script.bind_call(command)?;
    script
        .commands
        .iter()
        .filter(|c| is_request(c) && call.function.contains(&c.range.start))
        .find_map(|request| {
            let alone = Site { request, call: None };
            if property(&alone).is_some() {
                return None;
            }
            let site = Site {
                request,
                call: Some(call.clone()),
            };
            let found = property(&site)?;
            Some((site, found))
        })
}

pub fn token_requests(script: &Script) -> Vec<TokenRequest> {
    script
        .commands
        .iter()
        .enumerate()
        .filter_map(|(index, command)| {
            let (site, endpoint) = request_site(script, command, |site| site.endpoint(script))?;
            if is_probe(script, command) {
                return None;
            }
            let (graph_logins, chain) = follow_token(script, &command.place.statement, GRAPH_TOKEN_LOGIN);
            let client_id = client_id(script, &site, &graph_logins);
            let request = TokenRequest {
                command: index,
                endpoint,
                resource: site.parameter(script, "resource").and_then(|v| v.literal()),
                graph_logins,
                plumbing: None,
                client_id,
                token_variable: unpacked_token(script, command),
            };
            let plumbing = chain.map(|mut statements| {
                statements.extend(feeding_statements(script, &statements, &request.kept_variables()));
                statements
            });
            Some(TokenRequest { plumbing, ..request })
        })
        .collect()
}

/// The response goes nowhere (`| Out-Null`, `$null =`, `[void]`, `> $null`, or a
/// variable nothing reads): the request only checks that the endpoint answers.
fn is_probe(script: &Script, command: &Command) -> bool {
    script.discards_output(command)
        || assigned_by(script, &command.place.statement).is_some_and(|v| script.reads_of(&v).next().is_none())
}

/// The identity in `client_id=`, carried as a literal or as the variable the script
/// reads it into, when every sign-in the rewrite touches sees that same variable.
fn client_id(script: &Script, site: &Site, logins: &[usize]) -> ClientId {
    if OTHER_IDENTITY_KEYS.iter().any(|k| site.parameter(script, k).is_some()) {
        return ClientId::Unresolved;
    }
    let Some(value) = site.parameter(script, "client_id") else {
        return ClientId::None;
    };
    if let Some(id) = value.literal() {
        // Only a GUID names a user-assigned identity: anything else (a typo, text
        // pasted into the URL) is not written onto the rewritten sign-in.
        return crate::target::parse_client_id(&id).map_or(ClientId::Unresolved, ClientId::Literal);
    }
    let [Part::Unknown(unknown)] = value.parts.as_slice() else {
        return ClientId::Unresolved;
    };
    // The unknown part is a run-time value assigned to a variable, or a parameter read.
    let holder = script
        .assignments
        .iter()
        .find(|a| a.value.range == *unknown && !a.is_parameter)
        .or_else(|| {
            let read = script.variables.iter().find(|v| v.range == *unknown)?;
            script
                .assignment_seen(&read.name, read.range.start)
                .filter(|a| a.is_parameter)
        });
    let Some(holder) = holder else {
        return ClientId::Unresolved;
    };
    let seen_by_every_login = logins.iter().all(|&login| {
        let at = script.commands[login].range.start;
        script
            .assignment_seen(&holder.variable, at)
            .is_some_and(|a| a.target == holder.target)
    });
    if !seen_by_every_login {
        return ClientId::Unresolved;
    }
    ClientId::Variable {
        written: script.slice(&holder.target).to_owned(),
        name: holder.variable.clone(),
    }
}

/// `$t = (request).access_token`, or the response unpacked step by step into the
/// variable that holds the token (`$r = request; $t = ($r.Content | ConvertFrom-Json).access_token`).
fn unpacked_token(script: &Script, request: &Command) -> Option<(String, Vec<Range<usize>>)> {
    let mut statements = vec![request.place.statement.clone()];
    for _ in 0..4 {
        let last = statements.last()?;
        let assignment = script.whole_assignment(last)?;
        if script
            .slice(&assignment.value.range)
            .trim_end()
            .to_lowercase()
            .ends_with(".access_token")
        {
            return Some((assignment.variable.clone(), statements));
        }
        let reads: Vec<Range<usize>> = script
            .reads_of(&assignment.variable)
            .filter(|r| !within(r, &statements))
            .collect();
        let [only] = reads.as_slice() else { return None };
        statements.push(statement_at(script, only.start)?.clone());
    }
    None
}

/// `Connect-MgGraph -AccessToken`: where a Graph token signs in.
pub const GRAPH_TOKEN_LOGIN: &[(&str, &str)] = &[(CONNECT_MG_GRAPH, "AccessToken")];

/// Follow the result of `statement` (`$r = <token request>`) through plain assignments
/// to the sign-ins that use it, `logins` naming each sign-in command and its token
/// parameter: those calls (command indices), and the statements on the way when nothing
/// else reads any of them.
pub fn follow_token(
    script: &Script,
    statement: &Range<usize>,
    logins: &[(&str, &str)],
) -> (Vec<usize>, Option<Vec<Range<usize>>>) {
    let token_values: Vec<(usize, Range<usize>)> = token_arguments(script, logins).collect();
    let mut statements = vec![statement.clone()];
    let mut found = Vec::new();
    let mut variable = assigned_by(script, statement);
    let mut complete = variable.is_some();
    for _ in 0..4 {
        let Some(current) = variable.take() else {
            break;
        };
        let reads: Vec<Range<usize>> = script.reads_of(&current).filter(|r| !within(r, &statements)).collect();
        let mut others = Vec::new();
        for read in reads {
            match token_values
                .iter()
                .find(|(_, value)| within(&read, std::slice::from_ref(value)))
            {
                Some((login, _)) => found.push(*login),
                None => others.push(read),
            }
        }
        match others.as_slice() {
            [] => break,
            [next] if found.is_empty() => {
                let statement = statement_at(script, next.start);
                match statement.and_then(|s| assigned_by(script, s).map(|v| (s, v))) {
                    Some((statement, next_variable)) => {
                        statements.push(statement.clone());
                        variable = Some(next_variable);
                    }
                    None => complete = false,
                }
            }
            _ => complete = false,
        }
    }
    found.sort_unstable();
    found.dedup();
    if !complete || found.is_empty() {
        return (found, None);
    }
    (found, Some(statements))
}

/// The sign-ins named in `logins` (command, token parameter) with the range of the
/// token each is given.
pub fn token_arguments<'s>(
    script: &'s Script,
    logins: &'s [(&str, &str)],
) -> impl Iterator<Item = (usize, Range<usize>)> + 's {
    script.commands.iter().enumerate().filter_map(move |(i, c)| {
        logins.iter().find_map(|(command, parameter)| match c.named(parameter) {
            Some(Some(value)) if c.is(command) => Some((i, value.range.clone())),
            _ => None,
        })
    })
}

/// `$x = ...` as a whole statement: the variable it assigns.
fn assigned_by(script: &Script, statement: &Range<usize>) -> Option<String> {
    script.whole_assignment(statement).map(|a| a.variable.clone())
}

fn within(range: &Range<usize>, statements: &[Range<usize>]) -> bool {
    statements.iter().any(|s| s.start <= range.start && range.end <= s.end)
}

/// The statements that only feed `doomed` ones, so they go with them: assignments of
/// variables read nowhere else (`$resource = '...'`, `$headers = @{...}`, a splatted
/// request table), with the statements that fill them in (`$headers.Add(...)`,
/// `$headers['Metadata'] = 'true'`), and so on for what those read. A variable assigned
/// more than once, a parameter, or one in `keep` is never plumbing.
pub fn feeding_statements(script: &Script, doomed: &[Range<usize>], keep: &[&str]) -> Vec<Range<usize>> {
    let mut all = doomed.to_vec();
    let mut feeding = Vec::new();
    for _ in 0..4 {
        let mut names: Vec<&str> = all
            .iter()
            .flat_map(|range| {
                let reads = script.variables_in(range).iter().map(|v| (v.name.as_str(), &v.range));
                let splats = script.commands_in(range).iter().flat_map(|c| &c.splats);
                reads.chain(splats.map(|(n, r)| (n.as_str(), r)))
            })
            .filter(|(name, range)| within(range, &all) && !name.starts_with("env:") && !keep.contains(name))
            .map(|(name, _)| name)
            .collect();
        names.sort_unstable();
        names.dedup();
        let mut found = Vec::new();
        for name in names {
            let mut assignments = script.assignments_of(name).iter();
            let (Some(assignment), None) = (assignments.next(), assignments.next()) else {
                continue;
            };
            let statement = &assignment.place.statement;
            if assignment.is_parameter || !script.is_whole_statement(assignment) || within(statement, &all) {
                continue;
            }
            let mut statements = vec![statement.clone()];
            statements.extend(fillers(script, name, assignment));
            if script
                .reads_of(name)
                .all(|r| within(&r, &all) || within(&r, &statements))
            {
                found.extend(statements);
            }
        }
        if found.is_empty() {
            break;
        }
        all.extend(found.iter().cloned());
        feeding.extend(found);
    }
    feeding.sort_by_key(|r| r.start);
    feeding.dedup();
    feeding
}

/// Statements after `assignment`, in the same blocks, that only fill in the table or
/// dictionary it made: `$h.Add(k, v)` (also with `[void]` or `$null =` in front),
/// `$h[k] = v`, `$h.Key = v`.
fn fillers(script: &Script, name: &str, assignment: &Assignment) -> Vec<Range<usize>> {
    static METHOD: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?is)^(?:\[void\]\s*|\$null\s*=\s*)?(\$\{?(?:(?:script|global|local|private):)?([\w-]+)\}?\.(?:add|remove)\s*\()")
            .expect("valid pattern")
    });
    static ELEMENT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?is)^\$\{?(?:(?:script|global|local|private):)?([\w-]+)\}?\s*(?:\[[^\]]*\]|\.[a-z_][\w-]*)\s*=(?:[^=]|$)")
            .expect("valid pattern")
    });
    let names =
        |found: &regex::Captures, group: usize| found.get(group).is_some_and(|n| n.as_str().eq_ignore_ascii_case(name));
    let blocks = &assignment.place.blocks;
    let block_end = blocks.last().map_or(script.text.len(), |b| b.range.end);
    script
        .statements_in(&(assignment.place.statement.end + 1..block_end))
        .iter()
        .filter(|s| s.blocks == *blocks)
        .filter(|s| {
            let text = script.slice(&s.statement).trim_end();
            let end = s.statement.start + text.len();
            // `$h.Add(...)` must be the whole statement, not the start of a longer expression.
            let whole_call = METHOD
                .captures(text)
                .filter(|c| names(c, 2))
                .and_then(|c| c.get(1))
                .is_some_and(|call| {
                    let start = s.statement.start + call.start();
                    script.method_call_at(&(start..end)).is_some()
                });
            whole_call || ELEMENT.captures(text).is_some_and(|c| names(&c, 1))
        })
        .map(|s| s.statement.clone())
        .collect()
}

/// The innermost statement holding `offset`.
fn statement_at<'s>(script: &'s Script, offset: usize) -> Option<&'s Range<usize>> {
    script.statement_at(offset).map(|s| &s.statement)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn requests(text: &str) -> (Script<'_>, Vec<TokenRequest>) {
        let script = Script::parse(text);
        assert!(script.errors.is_empty(), "{:?}", script.errors);
        let found = token_requests(&script);
        (script, found)
    }

    /// The first line of each plumbing statement.
    fn plumbing<'t>(script: &Script<'t>, request: &TokenRequest) -> Vec<&'t str> {
        let statements = request.plumbing.as_ref().expect("plumbing");
        statements
            .iter()
            .map(|s| script.slice(s).lines().next().unwrap_or(""))
            .collect()
    }

    const LOGIN: &str = "Connect-MgGraph -AccessToken ($r.access_token | ConvertTo-SecureString -AsPlainText -Force)\n";

    #[test]
    fn headers_filled_by_add_go_with_the_request_unless_read_elsewhere() {
        let text = format!(
            "$h = New-Object 'System.Collections.Generic.Dictionary[[String],[String]]'\n$h.Add('X-IDENTITY-HEADER', $env:IDENTITY_HEADER)\n\
             $r = Invoke-RestMethod -Uri \"$($env:IDENTITY_ENDPOINT)?resource=https://graph.microsoft.com\" -Headers $h\n{LOGIN}"
        );
        let (script, found) = requests(&text);
        assert_eq!(found[0].resource_kind(), Resource::Graph);
        assert_eq!(
            plumbing(&script, &found[0]),
            [
                "$r = Invoke-RestMethod -Uri \"$($env:IDENTITY_ENDPOINT)?resource=https://graph.microsoft.com\" -Headers $h",
                "$h = New-Object 'System.Collections.Generic.Dictionary[[String],[String]]'",
                "$h.Add('X-IDENTITY-HEADER', $env:IDENTITY_HEADER)",
            ]
        );
        // Another request reads the same headers: they stay.
        let shared = format!("{text}Invoke-RestMethod -Uri 'https://example.org/health' -Headers $h\n");
        let (script, found) = requests(&shared);
        assert_eq!(plumbing(&script, &found[0]).len(), 1);
        // A fill line inside a branch is not deleted, so the table is not either.
        let branch = text.replace(
            "$h.Add('X-IDENTITY-HEADER', $env:IDENTITY_HEADER)",
            "if ($env:IDENTITY_HEADER) { $h.Add('X-IDENTITY-HEADER', $env:IDENTITY_HEADER) }",
        );
        let (script, found) = requests(&branch);
        assert_eq!(plumbing(&script, &found[0]).len(), 1);
    }

    #[test]
    fn a_splat_table_splatted_twice_stays() {
        let text = format!(
            "$p = @{{ Uri = \"$($env:IDENTITY_ENDPOINT)?resource=https://graph.microsoft.com\"; Headers = @{{ 'X-IDENTITY-HEADER' = $env:IDENTITY_HEADER }} }}\n\
             $r = Invoke-RestMethod @p\n{LOGIN}"
        );
        let (script, found) = requests(&text);
        assert_eq!(
            plumbing(&script, &found[0])[1],
            script.slice(&(0..text.find('\n').unwrap()))
        );
        let twice = format!("{text}$check = Invoke-WebRequest @p -UseBasicParsing\nWrite-Output $check.StatusCode\n");
        let (script, found) = requests(&twice);
        assert_eq!(found.len(), 2);
        assert_eq!(plumbing(&script, &found[0]).len(), 1);
    }

    #[test]
    fn wrappers_forwarding_their_parameters_make_the_call_the_request() {
        let text = format!(
            "function Invoke-Api {{\n    param([string] $Uri, [hashtable] $Headers)\n    Invoke-RestMethod @PSBoundParameters -Method Get\n}}\n\
             $resource = 'https://graph.microsoft.com'\n\
             $r = Invoke-Api -Uri ('{{0}}?resource={{1}}' -f $env:IDENTITY_ENDPOINT, $resource) -Headers @{{ 'X-IDENTITY-HEADER' = $env:IDENTITY_HEADER }}\n{LOGIN}"
        );
        let (script, found) = requests(&text);
        assert_eq!(found.len(), 1);
        assert_eq!(script.commands[found[0].command].name, "Invoke-Api");
        assert_eq!(found[0].resource.as_deref(), Some("https://graph.microsoft.com"));
        assert_eq!(plumbing(&script, &found[0]).len(), 2);
    }

    #[test]
    fn discarded_or_unread_responses_are_probes() {
        let uri = "\"$($env:IDENTITY_ENDPOINT)?resource=https://management.azure.com/\"";
        for probe in [
            format!("Invoke-RestMethod -Uri {uri} | Out-Null\n"),
            format!("$null = Invoke-RestMethod -Uri {uri}\n"),
            format!("try {{ $reply = Invoke-RestMethod -Uri {uri}; $ok = $true }} catch {{ $ok = $false }}\n"),
        ] {
            assert!(requests(&probe).1.is_empty(), "{probe}");
        }
        let used = format!("$reply = Invoke-RestMethod -Uri {uri}\nWrite-Output $reply.expires_on\n");
        assert_eq!(requests(&used).1.len(), 1);
    }

    #[test]
    fn client_ids_are_literal_carried_in_their_variable_or_unresolved() {
        let request = |query: &str, between: &str| {
            format!(
                "param([string] $AppId)\n$id = Get-AutomationVariable -Name 'UamiClientId'\n\
                 $r = Invoke-RestMethod -Uri \"$($env:IDENTITY_ENDPOINT)?resource=https://graph.microsoft.com&{query}\"\n{between}{LOGIN}"
            )
        };
        let client = |text: &str| requests(text).1.remove(0).client_id;
        assert_eq!(
            client(&request("client_id=0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b", "")),
            ClientId::Literal("0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b".into())
        );
        assert_eq!(
            client(&request("client_id=$id", "")),
            ClientId::Variable {
                written: "$id".into(),
                name: "id".into()
            }
        );
        assert_eq!(
            client(&request("client_id=$($AppId)", "")),
            ClientId::Variable {
                written: "$AppId".into(),
                name: "appid".into()
            }
        );
        // The sign-in would read another value than the request did.
        assert_eq!(
            client(&request("client_id=$id", "$id = 'other'\n")),
            ClientId::Unresolved
        );
        assert_eq!(client(&request("object_id=$id", "")), ClientId::Unresolved);
        assert_eq!(client(&request("api-version=2019-08-01", "")), ClientId::None);
        // A constant that is no GUID names no identity.
        assert_eq!(client(&request("client_id=my-identity", "")), ClientId::Unresolved);
        // The variable the sign-in keeps reading is not plumbing.
        let text = request("client_id=$id", "");
        let (script, found) = requests(&text);
        assert!(!plumbing(&script, &found[0]).iter().any(|s| s.starts_with("$id")));
    }

    #[test]
    fn responses_unpacked_in_the_usual_shapes_reach_the_sign_in() {
        let uri = "\"$($env:IDENTITY_ENDPOINT)?resource=https://graph.microsoft.com\"";
        let headers = "@{ 'X-IDENTITY-HEADER' = $env:IDENTITY_HEADER }";
        let connect = "Connect-MgGraph -AccessToken ($t | ConvertTo-SecureString -AsPlainText -Force)\n";
        for (steps, shape) in [
            (1, format!("$t = (Invoke-RestMethod -Uri {uri} -Headers {headers}).access_token\n")),
            (2, format!("$r = Invoke-RestMethod -Uri {uri} -Headers {headers}\n$t = $r.access_token\n")),
            (2, format!("$r = Invoke-WebRequest -Uri {uri} -Headers {headers} -UseBasicParsing\n$t = ($r.Content | ConvertFrom-Json).access_token\n")),
            (2, format!("$r = (Invoke-WebRequest -Uri {uri} -Headers {headers} -UseBasicParsing).Content | ConvertFrom-Json\n$t = $r.access_token\n")),
            (3, format!("$w = iwr {uri} -Headers {headers} -UseBasicParsing\n$j = $w.Content | ConvertFrom-Json\n$t = $j.access_token\n")),
            (2, format!("$r = [Text.Encoding]::UTF8.GetString((Invoke-WebRequest -Uri {uri} -Headers {headers}).RawContentStream.ToArray()) | ConvertFrom-Json\n$t = $r.access_token\n")),
        ] {
            let text = format!("{shape}{connect}");
            let (script, found) = requests(&text);
            let [request] = found.as_slice() else { panic!("{text}") };
            assert_eq!(request.graph_logins.len(), 1, "{text}");
            assert_eq!(request.token_variable.as_ref().map(|(v, s)| (v.as_str(), s.len())), Some(("t", steps)), "{text}");
            assert_eq!(plumbing(&script, request).len(), steps, "{text}");
        }
    }

    #[test]
    fn resources_in_bodies_and_uris_built_step_by_step() {
        let text = "$uri = $env:MSI_ENDPOINT\n$uri += '?api-version=2017-09-01'\n$uri = $uri + '&resource=https%3A%2F%2Fvault.azure.net'\n\
                    $t = (Invoke-RestMethod -Uri $uri -Headers @{ Secret = $env:MSI_SECRET }).access_token\n\
                    $body = @{ resource = 'https://management.azure.com/'; client_id = '11111111-2222-3333-4444-555555555555' }\n\
                    $a = Invoke-RestMethod -Method Post -Uri $env:IDENTITY_ENDPOINT -Body $body\nWrite-Output $a.access_token $t\n";
        let (_, found) = requests(text);
        assert_eq!(found[0].endpoint, Endpoint::Msi);
        assert_eq!(found[0].resource.as_deref(), Some("https://vault.azure.net"));
        assert_eq!(found[0].token_variable.as_ref().map(|t| t.0.as_str()), Some("t"));
        assert_eq!(found[1].endpoint, Endpoint::Identity);
        assert_eq!(found[1].resource_kind(), Resource::Arm);
        assert_eq!(
            found[1].client_id,
            ClientId::Literal("11111111-2222-3333-4444-555555555555".into())
        );
    }
}
