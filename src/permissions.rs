//! What a script's managed identity must be granted: Microsoft Graph application
//! permissions (app roles) for its Graph commands and literal Graph REST calls, and the
//! app roles and Entra directory roles that Exchange Online, PnP (SharePoint) and
//! Microsoft Teams need for an app-only sign-in.
//!
//! Only data is reported as certain: a Graph call the tables do not cover is listed as
//! `Unknown` (check by hand), never dropped and never read as "no permission needed".

use std::collections::{BTreeMap, HashSet};
use std::ops::Range;

use crate::syntax::model::{normalize_variable, Argument, Command, Script, Value, ValueKind};
use crate::tables;

/// Microsoft Graph's application id (the resource of every Graph app role).
pub const GRAPH_APP_ID: &str = "00000003-0000-0000-c000-000000000000";
/// Office 365 Exchange Online.
pub const EXCHANGE_APP_ID: &str = "00000002-0000-0ff1-ce00-000000000000";
/// Office 365 SharePoint Online.
pub const SHAREPOINT_APP_ID: &str = "00000003-0000-0ff1-ce00-000000000000";

pub const EXCHANGE_APP_ROLE: &str = "Exchange.ManageAsApp";
pub const EXCHANGE_DIRECTORY_ROLE: &str = "Exchange Administrator";
pub const SHAREPOINT_APP_ROLE: &str = "Sites.FullControl.All";
pub const TEAMS_DIRECTORY_ROLE: &str = "Teams Administrator";

/// What a permission is granted on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Resource {
    Graph,
    Exchange,
    SharePoint,
    /// Entra ID directory roles (not app roles).
    Directory,
}

impl Resource {
    pub fn display_name(self) -> &'static str {
        match self {
            Resource::Graph => "Microsoft Graph",
            Resource::Exchange => "Office 365 Exchange Online",
            Resource::SharePoint => "Office 365 SharePoint Online",
            Resource::Directory => "Microsoft Entra ID",
        }
    }

    /// The application id of the service principal that owns the app roles.
    pub fn app_id(self) -> Option<&'static str> {
        match self {
            Resource::Graph => Some(GRAPH_APP_ID),
            Resource::Exchange => Some(EXCHANGE_APP_ID),
            Resource::SharePoint => Some(SHAREPOINT_APP_ID),
            Resource::Directory => None,
        }
    }

    pub fn kind(self) -> Kind {
        match self {
            Resource::Directory => Kind::DirectoryRole,
            _ => Kind::AppRole,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    AppRole,
    DirectoryRole,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::AppRole => "app-role",
            Kind::DirectoryRole => "directory-role",
        }
    }
}

/// How sure the analysis is; better first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Certainty {
    /// The data's least-privileged permission for a known command or path.
    LeastPrivileged,
    /// The data's least-privileged permission for an endpoint that was inferred (the
    /// command's REST path, or an unresolved part of a URI).
    Likely,
    /// No data covers the call: someone must check it by hand.
    Unknown,
}

impl Certainty {
    pub fn as_str(self) -> &'static str {
        match self {
            Certainty::LeastPrivileged => "least-privileged",
            Certainty::Likely => "likely",
            Certainty::Unknown => "unknown",
        }
    }
}

/// The code that causes a need: `Get-MgUser`, `Invoke-MgGraphRequest GET /users/{x}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reason {
    pub what: String,
    /// Byte range of the command in the script.
    pub range: Range<usize>,
}

/// One permission a script needs (or, with `permission: None`, Graph calls whose
/// permission is unknown), with every call that needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Need {
    pub resource: Resource,
    /// `None` only with `Certainty::Unknown`.
    pub permission: Option<&'static str>,
    pub certainty: Certainty,
    pub reasons: Vec<Reason>,
    /// A narrower alternative or a caveat worth telling the admin.
    pub note: Option<&'static str>,
}

impl Need {
    pub fn kind(&self) -> Kind {
        self.resource.kind()
    }

    /// The Graph app role id from the data (other resources' ids are looked up at run
    /// time by the generated script).
    pub fn app_role_id(&self) -> Option<&'static str> {
        match (self.resource, self.permission) {
            (Resource::Graph, Some(permission)) => graph_app_role_id(permission),
            _ => None,
        }
    }
}

/// A Graph application permission's app role id, when the data has one (newer
/// permissions are listed without their id).
pub fn graph_app_role_id(permission: &str) -> Option<&'static str> {
    tables::graph_app_role(permission)
        .map(|(id, _)| id)
        .filter(|id| !id.is_empty())
}

/// Everything `analyze` found in one script.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScriptPermissions {
    /// Sorted by resource, certainty, then permission.
    pub needs: Vec<Need>,
    /// Things the admin should know that are not grants (user sign-ins, Azure RBAC).
    pub notes: Vec<Note>,
}

/// Something to tell the admin about a script, at a place in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    pub text: String,
    /// Byte range of the command it is about.
    pub range: Range<usize>,
}

/// One call's requirement before the choice between equally least-privileged
/// permissions is made.
struct Call {
    resource: Resource,
    /// Empty: unknown.
    candidates: Vec<&'static str>,
    certainty: Certainty,
    reason: Reason,
    note: Option<&'static str>,
}

impl Call {
    /// A Microsoft Graph requirement (no candidates: unknown).
    fn graph(candidates: Vec<&'static str>, certainty: Certainty, what: String, range: Range<usize>) -> Call {
        Call {
            resource: Resource::Graph,
            candidates,
            certainty,
            reason: Reason { what, range },
            note: None,
        }
    }
}

const EXCHANGE_NOTE: &str =
    "Exchange Recipient Administrator is enough when the runbook only manages recipients (mailboxes, groups, contacts)";
const SHAREPOINT_NOTE: &str = "least-privileged alternative: Sites.Selected plus a grant on each site the runbook uses";
const READ_BASIC_NOTE: &str =
    "ReadBasic returns only basic properties (id, displayName, mail, ...): reading or filtering on other properties needs the matching Read.All permission";
const FEATURE_NOTE: &str =
    "a feature-scoped permission (the name before the dot says which feature): the data lists it as least-privileged for this call, but it may cover only that feature's properties; if the call is refused, grant the general permission instead";
const RSC_NOTE: &str =
    "the data's least-privileged permission here is resource-specific consent (granted per team or chat, never to a managed identity): this is its tenant-wide form";
const TEAMS_NOTE: &str = "needed by the *-Cs* (Teams admin) cmdlets with an app-only sign-in";
const OWNED_BY_NOTE: &str =
    "OwnedBy covers only the applications and service principals the identity owns or created: to manage others, grant Application.ReadWrite.All instead";

/// Graph commands of the Authentication module that call no Graph API of their own
/// (beyond those in the data: the SDK v1 profile commands).
const GRAPH_SESSION_COMMANDS: &[&str] = &["Select-MgProfile", "Get-MgProfile"];

pub fn analyze(script: &Script) -> ScriptPermissions {
    let defined: HashSet<&str> = script.defined_commands.iter().map(String::as_str).collect();
    let mut calls = Vec::new();
    let mut notes = Vec::new();
    let mut services: BTreeMap<Service, Vec<&Command>> = BTreeMap::new();
    let mut az_commands: Vec<&Command> = Vec::new();

    for command in &script.commands {
        if defined.contains(command.name.to_lowercase().as_str()) {
            continue;
        }
        let module = tables::module_of(&command.name);
        let published = module.map_or(command.name.as_str(), |(name, _)| name);
        let module = module.map(|(_, module)| module);
        if is_graph_request(&command.name) {
            calls.extend(graph_request(script, command, RequestKind::GraphSdk));
        } else if is_web_request(&command.name) {
            calls.extend(web_request(script, command));
        } else if let Some(module) = module {
            if module.starts_with("Microsoft.Graph.") && module != "Microsoft.Graph.Authentication" {
                calls.push(graph_command(published, command.range.clone()));
            } else if module == "ExchangeOnlineManagement" {
                services.entry(Service::Exchange).or_default().push(command);
            } else if module == "PnP.PowerShell" {
                services.entry(Service::PnP).or_default().push(command);
            } else if module == "MicrosoftTeams" {
                services.entry(Service::Teams).or_default().push(command);
                if teams_command_calls_graph(published) {
                    calls.push(Call::graph(
                        Vec::new(),
                        Certainty::Unknown,
                        format!("{published} (Teams cmdlet, calls Microsoft Graph)"),
                        command.range.clone(),
                    ));
                }
            } else if module == "Az.Resources" && is_entra_command(published) {
                calls.push(entra_command(published, command.range.clone()));
            } else if module.starts_with("Az.") && module != "Az.Accounts" {
                az_commands.push(command);
            }
        } else if is_entra_command(&command.name) {
            // A newer `Verb-AzAD*` command than the data: it calls Graph all the same.
            calls.push(entra_command(&command.name, command.range.clone()));
        } else if looks_like_graph_command(&command.name)
            && !GRAPH_SESSION_COMMANDS
                .iter()
                .any(|c| c.eq_ignore_ascii_case(&command.name))
        {
            // A `Verb-Mg*` command the data does not know: still a Graph call.
            calls.push(graph_command(&command.name, command.range.clone()));
        }
    }

    for (service, commands) in &services {
        service_needs(*service, commands, &mut calls, &mut notes);
    }
    if let Some(first) = az_commands.first() {
        notes.push(Note {
            text: format!(
                "Azure commands (first: {}): the identity also needs Azure RBAC roles on the resources they use; not covered here",
                first.name
            ),
            range: first.range.clone(),
        });
    }
    for call in &mut calls {
        tenant_wide(call);
    }
    notes.sort_by_key(|n| n.range.start);
    ScriptPermissions {
        needs: group(choose(calls)),
        notes,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Service {
    Exchange,
    PnP,
    Teams,
}

impl Service {
    fn connect(self) -> &'static str {
        match self {
            Service::Exchange => "Connect-ExchangeOnline",
            Service::PnP => "Connect-PnPOnline",
            Service::Teams => "Connect-MicrosoftTeams",
        }
    }

    /// Parameters that make the sign-in a user's rather than the app's.
    fn user_sign_in_params(self) -> &'static [&'static str] {
        match self {
            Service::Exchange => &["Credential", "UserPrincipalName", "Device", "InlineCredential"],
            Service::PnP => &[
                "Credentials",
                "Interactive",
                "DeviceLogin",
                "UseWebLogin",
                "LaunchBrowser",
                "OSLogin",
            ],
            Service::Teams => &["Credential", "UseDeviceAuthentication"],
        }
    }

    fn roles(self) -> &'static str {
        match self {
            Service::Exchange => "Exchange.ManageAsApp and Exchange Administrator",
            Service::PnP => "Sites.FullControl.All on SharePoint",
            Service::Teams => "Teams Administrator",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Service::Exchange => "Exchange Online",
            Service::PnP => "SharePoint (PnP)",
            Service::Teams => "Microsoft Teams",
        }
    }
}

/// The app and directory roles of a service, unless every sign-in to it is a user's
/// (then the commands run as that user, and the identity needs nothing for them).
fn service_needs(service: Service, commands: &[&Command], calls: &mut Vec<Call>, notes: &mut Vec<Note>) {
    let connects: Vec<&&Command> = commands.iter().filter(|c| c.is(service.connect())).collect();
    let user_sign_in = |c: &Command| service.user_sign_in_params().iter().find(|p| has_param(c, p)).copied();
    if !connects.is_empty() && connects.iter().all(|c| user_sign_in(c).is_some()) {
        let first = connects[0];
        notes.push(Note {
            text: format!(
                "{}: {} signs in as a user (-{}), so its commands run as that user: nothing to grant the identity for them (signing in as the identity instead would need {})",
                service.label(),
                service.connect(),
                user_sign_in(first).unwrap_or_default(),
                service.roles(),
            ),
            range: first.range.clone(),
        });
        return;
    }
    // The sign-ins are what the roles are for; without one in the file, every command.
    let reasons: Vec<&Command> = if connects.is_empty() {
        commands.to_vec()
    } else {
        connects.into_iter().copied().collect()
    };
    let mut push = |resource, permission, note| {
        for command in &reasons {
            calls.push(Call {
                resource,
                candidates: vec![permission],
                certainty: Certainty::LeastPrivileged,
                reason: Reason {
                    what: tables::module_of(&command.name).map_or(command.name.clone(), |(name, _)| name.to_owned()),
                    range: command.range.clone(),
                },
                note,
            });
        }
    };
    match service {
        Service::Exchange => {
            push(Resource::Exchange, EXCHANGE_APP_ROLE, None);
            push(Resource::Directory, EXCHANGE_DIRECTORY_ROLE, Some(EXCHANGE_NOTE));
        }
        Service::PnP => {
            push(Resource::SharePoint, SHAREPOINT_APP_ROLE, Some(SHAREPOINT_NOTE));
            notes.push(Note {
                text: "SharePoint (PnP): PnP cmdlets for Teams, Planner or Microsoft 365 groups call Microsoft Graph and need Graph app roles too; not covered here".to_owned(),
                range: reasons[0].range.clone(),
            });
        }
        Service::Teams => push(Resource::Directory, TEAMS_DIRECTORY_ROLE, Some(TEAMS_NOTE)),
    }
}

/// The Teams cmdlets that are not `*-Cs*` (Get-Team, Add-TeamUser, ...) call Microsoft
/// Graph with the identity's Graph app roles, which the data does not cover.
fn teams_command_calls_graph(name: &str) -> bool {
    let Some((verb, noun)) = name.split_once('-') else {
        return false;
    };
    let session = ["Connect", "Disconnect"].iter().any(|v| v.eq_ignore_ascii_case(verb));
    !session && !noun.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("Cs"))
}

/// `Verb-MgNoun` (or `Verb-MgBetaNoun`).
/// `Verb-MgNoun` (or `Verb-MgBetaNoun`), but not a script path (`./Get-MgX.ps1`) nor a
/// `*-MgGraph*` command: those are sign-in and session helpers (Connect-MgGraph, and
/// community modules' look-alikes), not Graph data calls.
fn looks_like_graph_command(name: &str) -> bool {
    name.split_once('-').is_some_and(|(verb, noun)| {
        !verb.is_empty()
            && verb.chars().all(|c| c.is_ascii_alphabetic())
            && noun.chars().all(|c| c.is_ascii_alphanumeric())
            && noun.len() > 2
            && noun[..2].eq_ignore_ascii_case("Mg")
            && noun[2..].starts_with(|c: char| c.is_ascii_alphabetic())
            && !noun.get(..7).is_some_and(|p| p.eq_ignore_ascii_case("MgGraph"))
    })
}

fn is_graph_request(name: &str) -> bool {
    name.eq_ignore_ascii_case("Invoke-MgGraphRequest") || name.eq_ignore_ascii_case("Invoke-GraphRequest")
}

fn is_web_request(name: &str) -> bool {
    name.eq_ignore_ascii_case("Invoke-RestMethod") || name.eq_ignore_ascii_case("Invoke-WebRequest")
}

/// `Verb-AzAD<Noun>`: Az.Resources' Entra ID commands (not `Get-AzAdvisor*`).
fn is_entra_command(name: &str) -> bool {
    name.split_once('-')
        .is_some_and(|(_, noun)| noun.starts_with("AzAD") && noun[4..].starts_with(|c: char| c.is_ascii_uppercase()))
}

/// An Az.Resources Entra ID command: since Az.Resources 5.0 it calls Microsoft Graph with
/// the identity's token, so it needs Graph app roles like the Graph SDK's commands. The
/// permission and request come from scripts/data/azad-graph.tsv (via the generated
/// tables); a command that table lacks is unknown.
fn entra_command(name: &str, range: Range<usize>) -> Call {
    let known = tables::graph_command_permissions(name).zip(tables::graph_command_path(name));
    let (candidates, certainty, what) = match known {
        Some((permissions, (method, path, _))) => (
            tables::least_privileged(&permissions),
            Certainty::LeastPrivileged,
            format!("{name} (Az.Resources: {method} {path})"),
        ),
        None => (
            Vec::new(),
            Certainty::Unknown,
            format!("{name} (Az.Resources, calls Microsoft Graph)"),
        ),
    };
    Call::graph(candidates, certainty, what, range)
}

/// A Graph PowerShell command: the data's permissions for the command, else for its
/// REST path, else (beta commands) those of its v1.0 twin.
fn graph_command(name: &str, range: Range<usize>) -> Call {
    let (candidates, certainty, what) = graph_command_permissions(name)
        .or_else(|| {
            let v1 = beta_twin(name)?;
            graph_command_permissions(&v1).map(|(p, _, what)| (p, Certainty::Likely, format!("{name} (as {what})")))
        })
        .or_else(|| graph_action(beta_twin(name).as_deref().unwrap_or(name)))
        .unwrap_or_else(|| (Vec::new(), Certainty::Unknown, name.to_owned()));
    Call::graph(candidates, certainty, what, range)
}

fn graph_command_permissions(name: &str) -> Option<(Vec<&'static str>, Certainty, String)> {
    if let Some(permissions) = tables::graph_command_permissions(name) {
        return Some((
            tables::least_privileged(&permissions),
            Certainty::LeastPrivileged,
            name.to_owned(),
        ));
    }
    let (method, path, known) = tables::graph_command_path(name)?;
    let permissions = tables::graph_path_permissions(method, path)?;
    let (certainty, what) = if known {
        (Certainty::LeastPrivileged, format!("{name} ({method} {path})"))
    } else {
        (Certainty::Likely, format!("{name} ({method} {path}, inferred)"))
    };
    Some((tables::least_privileged(&permissions), certainty, what))
}

/// Verbs whose Graph commands the data's inferred paths cover (plain CRUD); other
/// verbs name actions.
const CRUD_VERBS: &[&str] = &["Get", "New", "Update", "Remove", "Set"];

/// An action command the data has no path for, e.g. `Send-MgUserMail`: the SDK names
/// it after `POST /users/{id}/sendMail`. Only an exact match in the path data counts
/// (likely: the path is inferred here).
fn graph_action(name: &str) -> Option<(Vec<&'static str>, Certainty, String)> {
    let (verb, noun) = name.split_once('-')?;
    if CRUD_VERBS.iter().any(|v| v.eq_ignore_ascii_case(verb)) {
        return None;
    }
    let noun = noun.get(2..).filter(|_| noun[..2].eq_ignore_ascii_case("Mg"))?;
    let words = camel_words(noun);
    for split in 1..words.len() {
        let entity = words[..split].concat();
        let action = format!("{}{}", verb.to_lowercase(), words[split..].concat());
        for action in [action.clone(), format!("{action}s")] {
            let path = format!("/{}{}s/{{id}}/{action}", entity[..1].to_lowercase(), &entity[1..]);
            if let Some(permissions) = tables::graph_path_permissions("POST", &path) {
                let what = format!("{name} (POST {path}, inferred)");
                return Some((tables::least_privileged(&permissions), Certainty::Likely, what));
            }
        }
    }
    None
}

/// `UserSignInSession` -> `User`, `Sign`, `In`, `Session`.
fn camel_words(text: &str) -> Vec<&str> {
    let mut words = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices().skip(1) {
        if c.is_ascii_uppercase() {
            words.push(&text[start..i]);
            start = i;
        }
    }
    words.push(&text[start..]);
    words
}

/// `Get-MgBetaUser` -> `Get-MgUser`.
fn beta_twin(name: &str) -> Option<String> {
    let (verb, noun) = name.split_once('-')?;
    let rest = noun.get(..6).filter(|p| p.eq_ignore_ascii_case("MgBeta"))?;
    Some(format!("{verb}-Mg{}", &noun[rest.len()..]))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum RequestKind {
    /// `Invoke-MgGraphRequest`: relative URIs are Graph's.
    GraphSdk,
    /// `Invoke-RestMethod`/`Invoke-WebRequest`: only absolute Graph URIs count.
    Web,
}

/// A Graph REST call; `None` for a request of the next page of an earlier call's
/// results (its URI is an `@odata.nextLink`), which needs what that call needs.
fn graph_request(script: &Script, command: &Command, kind: RequestKind) -> Option<Call> {
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
fn web_request(script: &Script, command: &Command) -> Option<Call> {
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

fn has_param(command: &Command, param: &str) -> bool {
    command.arguments.iter().any(|a| match a {
        Argument::Named { name, .. } => {
            name.eq_ignore_ascii_case(param)
                || (name.len() >= 3 && param.to_lowercase().starts_with(&name.to_lowercase()))
        }
        Argument::Positional(_) => false,
    })
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

/// What a variable read at `offset` holds, as a URI template: the assignment it sees
/// (as `Script::constant` chooses it), itself templated.
fn variable_template(script: &Script, variable: &str, offset: usize, depth: usize) -> Option<String> {
    let assignment = script.assignment_before(variable, offset).or_else(|| {
        let mut all = script.assignments.iter().filter(|a| a.variable == variable);
        let only = all.next();
        all.next().is_none().then_some(only).flatten()
    })?;
    // Variables inside the assigned value are read where the assignment is, before it
    // (`$uri = "$uri/next"` reads the previous `$uri`).
    uri_template(script, &assignment.value, assignment.target.start, depth)
}

/// An expandable string's text with `$name`/`${name}` replaced by `resolve` where it
/// knows them and `$(...)` and everything else by `{x}`; backtick escapes undone.
pub fn template_expandable(raw: &str, resolve: impl Fn(&str) -> Option<String>) -> String {
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
pub struct GraphPath {
    /// `/users/{x}/memberOf`: no host, version or query.
    pub path: String,
    /// Part of the URI before the path was unresolved and assumed to be Graph's base
    /// (`"$base/users"`) or version: report as likely.
    pub guessed: bool,
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
pub fn graph_path(uri: &str, relative_ok: bool) -> Option<GraphPath> {
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

/// Narrow permissions first: read-only, then a specific action, then ReadWrite.
fn breadth(permission: &str) -> u8 {
    if permission.contains("ReadWrite") {
        2
    } else if permission.split('.').any(|s| s.starts_with("Read")) {
        0
    } else {
        1
    }
}

/// Resource-specific consent permissions (`ChatMessage.Read.Chat`,
/// `ChannelMember.Read.Group`) are consented per team or chat for a Teams app; a managed
/// identity can only hold tenant-wide app roles. Drop them where the call has another
/// candidate, else use their `.All` form where the data has that app role (likely).
fn tenant_wide(call: &mut Call) {
    let is_rsc = |p: &&str| p.ends_with(".Group") || p.ends_with(".Chat");
    if call.resource != Resource::Graph || !call.candidates.iter().any(is_rsc) {
        return;
    }
    if call.candidates.iter().any(|p| !is_rsc(p)) {
        call.candidates.retain(|p| !is_rsc(p));
        return;
    }
    let mut wide: Vec<&'static str> = call
        .candidates
        .iter()
        .filter_map(|p| {
            let (base, _) = p.rsplit_once('.')?;
            tables::graph_permission_name(&format!("{base}.All"))
        })
        .collect();
    wide.sort_unstable();
    wide.dedup();
    if !wide.is_empty() {
        call.candidates = tables::least_privileged(&wide);
        call.certainty = call.certainty.max(Certainty::Likely);
        call.note = Some(RSC_NOTE);
    }
}

/// What the admin should know about a Graph permission the data chose.
fn permission_note(permission: &str) -> Option<&'static str> {
    let (name, _) = permission.split_once('.')?;
    if name.contains('-') {
        Some(FEATURE_NOTE)
    } else if permission.contains(".ReadBasic.") {
        Some(READ_BASIC_NOTE)
    } else if permission.ends_with(".OwnedBy") {
        Some(OWNED_BY_NOTE)
    } else {
        None
    }
}

/// Where one call has several equally least-privileged permissions, any one is enough:
/// take one another call needs anyway, else the narrowest.
fn choose(calls: Vec<Call>) -> Vec<(Call, Option<&'static str>)> {
    let mut chosen: HashSet<(Resource, &'static str)> = calls
        .iter()
        .filter(|c| c.candidates.len() == 1)
        .map(|c| (c.resource, c.candidates[0]))
        .collect();
    calls
        .into_iter()
        .map(|call| {
            let mut candidates = call.candidates.clone();
            candidates.sort_by_key(|p| (!chosen.contains(&(call.resource, *p)), breadth(p), *p));
            let pick = candidates.first().copied();
            if let Some(p) = pick {
                chosen.insert((call.resource, p));
            }
            (call, pick)
        })
        .collect()
}

fn group(calls: Vec<(Call, Option<&'static str>)>) -> Vec<Need> {
    let mut needs: BTreeMap<(Resource, Certainty, Option<&'static str>), Need> = BTreeMap::new();
    for (call, permission) in calls {
        let certainty = if permission.is_none() {
            Certainty::Unknown
        } else {
            call.certainty
        };
        needs
            .entry((call.resource, certainty, permission))
            .or_insert_with(|| Need {
                resource: call.resource,
                permission,
                certainty,
                reasons: Vec::new(),
                note: call.note.or_else(|| permission.and_then(permission_note)),
            })
            .reasons
            .push(call.reason);
    }
    let mut needs: Vec<Need> = needs.into_values().collect();
    for need in &mut needs {
        need.reasons.sort_by_key(|r| r.range.start);
    }
    needs
}

#[cfg(test)]
mod tests {
    use super::*;

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

    fn permissions(result: &ScriptPermissions) -> Vec<(Resource, Option<&'static str>, Certainty)> {
        result
            .needs
            .iter()
            .map(|n| (n.resource, n.permission, n.certainty))
            .collect()
    }

    #[test]
    fn graph_commands_and_requests() {
        let result = needs(
            "Connect-MgGraph -Identity\n\
             $id = $args[0]\n\
             Get-MgUser -All\n\
             Invoke-MgGraphRequest -Method GET -Uri \"https://graph.microsoft.com/v1.0/users/$id/memberOf\"\n\
             Invoke-MgGraphRequest 'v1.0/groups?$top=5'\n\
             Invoke-GraphRequest POST $uri\n\
             Get-MgSomethingNobodyKnows\n",
        );
        let found = permissions(&result);
        assert!(found.contains(&(Resource::Graph, Some("User.ReadBasic.All"), Certainty::LeastPrivileged)));
        assert!(found.contains(&(Resource::Graph, Some("Directory.Read.All"), Certainty::LeastPrivileged)));
        let member_of = result
            .needs
            .iter()
            .find(|n| n.permission == Some("Directory.Read.All"))
            .unwrap();
        assert_eq!(
            member_of.reasons[0].what,
            "Invoke-MgGraphRequest GET /users/{x}/memberOf"
        );
        assert!(found.contains(&(Resource::Graph, Some("Group.ReadBasic.All"), Certainty::LeastPrivileged)));
        let unknown = result.needs.iter().find(|n| n.certainty == Certainty::Unknown).unwrap();
        let whats: Vec<&str> = unknown.reasons.iter().map(|r| r.what.as_str()).collect();
        assert_eq!(
            whats,
            ["Invoke-GraphRequest POST $uri", "Get-MgSomethingNobodyKnows"],
            "{unknown:?}"
        );
        assert!(!found
            .iter()
            .any(|(_, p, _)| p.is_some_and(|p| p.contains("Group-Nesting"))));
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
    fn pagination_formats_concatenation_and_actions() {
        let result = needs(
            "$r = Invoke-MgGraphRequest -Uri 'v1.0/users'\n\
             $next = $r.'@odata.nextLink'\n\
             while ($next) { $r = Invoke-MgGraphRequest -Uri $next; $next = $r.'@odata.nextLink' }\n\
             $q = (\"https://graph.microsoft.com/beta/groups/{0}/members\" -f $g.Id)\n\
             Invoke-MgGraphRequest -Uri $q\n\
             Invoke-RestMethod -Uri ('https://graph.microsoft.com/v1.0/devices/' + $d.Id) -Headers $h\n\
             Send-MgUserMail -UserId $from -BodyParameter $mail\n\
             ./Get-MgHelper.ps1\n\
             Connect-MgGraphCommunity\n",
        );
        let whats: Vec<(&str, Certainty)> = result
            .needs
            .iter()
            .flat_map(|n| n.reasons.iter().map(move |r| (r.what.as_str(), n.certainty)))
            .collect();
        assert_eq!(
            whats
                .iter()
                .filter(|(w, _)| w.contains("Invoke-MgGraphRequest GET /users"))
                .count(),
            1,
            "the next pages need what the first does: {whats:?}"
        );
        assert!(
            whats.contains(&(
                "Invoke-MgGraphRequest GET /groups/{x}/members",
                Certainty::LeastPrivileged
            )),
            "{whats:?}"
        );
        assert!(whats.contains(&(
            "Invoke-RestMethod GET /devices/{x} (Graph REST call)",
            Certainty::LeastPrivileged
        )));
        assert!(whats.contains(&(
            "Send-MgUserMail (POST /users/{id}/sendMail, inferred)",
            Certainty::Likely
        )));
        let mail = result.needs.iter().find(|n| n.certainty == Certainty::Likely).unwrap();
        assert_eq!(mail.permission, Some("Mail.Send"));
        assert_eq!(
            permission_note("Group-NestingSupport.ReadWrite.All"),
            Some(FEATURE_NOTE)
        );
        assert_eq!(permission_note("User.ReadBasic.All"), Some(READ_BASIC_NOTE));
        assert_eq!(permission_note("User.Read.All"), None);
        assert!(
            !whats
                .iter()
                .any(|(w, _)| w.contains("Helper") || w.contains("Community")),
            "{whats:?}"
        );
    }

    #[test]
    fn resource_specific_consent_becomes_the_tenant_wide_role() {
        assert_eq!(
            tables::graph_path_permissions("GET", "/chats/{id}/messages"),
            Some(vec!["ChatMessage.Read.Chat"]),
            "the data's least-privileged permission is RSC"
        );
        let result = needs("Invoke-MgGraphRequest -Uri \"v1.0/chats/$chat/messages\"\n");
        let found = permissions(&result);
        assert_eq!(
            found,
            [(Resource::Graph, Some("ChatMessage.Read.All"), Certainty::Likely)]
        );
        assert_eq!(result.needs[0].note, Some(RSC_NOTE));
        assert!(result.needs[0].app_role_id().is_some());
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

    #[test]
    fn services_need_their_roles_unless_a_user_signs_in() {
        let exchange =
            needs("Connect-ExchangeOnline -ManagedIdentity -Organization contoso.onmicrosoft.com\nGet-Mailbox\n");
        assert_eq!(
            permissions(&exchange),
            [
                (
                    Resource::Exchange,
                    Some("Exchange.ManageAsApp"),
                    Certainty::LeastPrivileged
                ),
                (
                    Resource::Directory,
                    Some("Exchange Administrator"),
                    Certainty::LeastPrivileged
                ),
            ]
        );
        let user = needs("Connect-PnPOnline $url -Credentials $cred\nGet-PnPList\n");
        assert!(user.needs.is_empty(), "{user:?}");
        assert!(user.notes[0].text.contains("signs in as a user"), "{user:?}");
        let teams = needs("Connect-MicrosoftTeams -Identity\nGet-Team\nGet-CsOnlineUser\n");
        let found = permissions(&teams);
        assert!(found.contains(&(
            Resource::Directory,
            Some("Teams Administrator"),
            Certainty::LeastPrivileged
        )));
        assert!(
            found.contains(&(Resource::Graph, None, Certainty::Unknown)),
            "{found:?}"
        );
    }

    #[test]
    fn entra_commands_of_az_resources_need_graph_app_roles() {
        let result = needs(
            "Connect-AzAccount -Identity\n\
             $users = Get-AzADUser -Filter \"startsWith(displayName,'a')\"\n\
             Add-AzADGroupMember -TargetGroupObjectId $g -MemberObjectId $users[0].Id\n\
             Set-AzADUser -ObjectId $u -AccountEnabled $false\n\
             New-AzADAppCredential -ObjectId $app -EndDate (Get-Date).AddDays(30)\n\
             Get-AzADBrandNewThing\n\
             Get-AzAdvisorRecommendation\n",
        );
        let whats: Vec<(&str, Option<&str>, Certainty)> = result
            .needs
            .iter()
            .flat_map(|n| {
                n.reasons
                    .iter()
                    .map(move |r| (r.what.as_str(), n.permission, n.certainty))
            })
            .collect();
        for expected in [
            (
                "Get-AzADUser (Az.Resources: GET /users)",
                Some("User.ReadBasic.All"),
                Certainty::LeastPrivileged,
            ),
            (
                "Add-AzADGroupMember (Az.Resources: POST /groups/{id}/members/$ref)",
                Some("GroupMember.ReadWrite.All"),
                Certainty::LeastPrivileged,
            ),
            (
                "Set-AzADUser (Az.Resources: PATCH /users/{id})",
                Some("User.ReadWrite.All"),
                Certainty::LeastPrivileged,
            ),
            (
                "New-AzADAppCredential (Az.Resources: POST /applications/{id}/addPassword)",
                Some("Application.ReadWrite.OwnedBy"),
                Certainty::LeastPrivileged,
            ),
            (
                "Get-AzADBrandNewThing (Az.Resources, calls Microsoft Graph)",
                None,
                Certainty::Unknown,
            ),
        ] {
            assert!(whats.contains(&expected), "{expected:?} not in {whats:?}");
        }
        let owned_by = result
            .needs
            .iter()
            .find(|n| n.permission == Some("Application.ReadWrite.OwnedBy"))
            .unwrap();
        assert_eq!(owned_by.note, Some(OWNED_BY_NOTE));
        assert!(result
            .needs
            .iter()
            .all(|n| n.permission.is_none() || n.app_role_id().is_some()));
        // Advisor is an Azure (RBAC) command, not an Entra one.
        assert!(!whats.iter().any(|(w, _, _)| w.contains("Advisor")), "{whats:?}");
        assert!(result
            .notes
            .iter()
            .any(|n| n.text.contains("Get-AzAdvisorRecommendation")));
        assert!(!is_entra_command("Get-AzAdvisorRecommendation"));
    }

    #[test]
    fn functions_and_session_commands_are_not_calls() {
        let result = needs("function Get-MgThing { 'x' }\nGet-MgThing\nSelect-MgProfile beta\nGet-MgContext\n");
        assert!(result.needs.is_empty(), "{result:?}");
    }
}
