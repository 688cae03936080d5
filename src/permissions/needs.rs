//! What one script needs granted: each Graph command, Graph REST call (`graph_rest`)
//! and Entra command of Az.Resources mapped to the data's least-privileged permission,
//! the roles of the Exchange Online, PnP and Teams sign-ins, and notes for the admin.
//! Where a call has several equally least-privileged permissions, one is chosen for
//! the whole script.

use std::collections::{BTreeMap, HashSet};
use std::ops::Range;

use super::graph_rest::{graph_request, web_request, RequestKind};
use super::{
    Certainty, Need, Note, Reason, Resource, ScriptPermissions, EXCHANGE_APP_ROLE, EXCHANGE_DIRECTORY_ROLE,
    SHAREPOINT_APP_ROLE, TEAMS_DIRECTORY_ROLE,
};
use crate::syntax::model::{Argument, Command, Script};
use crate::tables;

/// One call's requirement before the choice between equally least-privileged
/// permissions is made.
pub(super) struct Call {
    resource: Resource,
    /// Empty: unknown.
    candidates: Vec<&'static str>,
    certainty: Certainty,
    reason: Reason,
    note: Option<&'static str>,
}

impl Call {
    /// A Microsoft Graph requirement (no candidates: unknown).
    pub(super) fn graph(
        candidates: Vec<&'static str>,
        certainty: Certainty,
        what: String,
        range: Range<usize>,
    ) -> Call {
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

/// What one script's managed identity must be granted, and what to tell the admin.
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
            } else if LEGACY_DIRECTORY_MODULES.contains(&module) {
                calls.extend(legacy_directory_command(published, module, command.range.clone()));
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

/// The retired directory modules (MI504, MI505), which cannot sign in as a managed
/// identity at all: their commands are reported with what their Graph equivalents need,
/// which is what the identity needs once the script runs on Microsoft Graph, or on the
/// Entra module's aliases (MI504's fix), which call the same API.
const LEGACY_DIRECTORY_MODULES: &[&str] = &["AzureAD", "AzureADPreview", "MSOnline"];

fn legacy_directory_command(name: &str, module: &str, range: Range<usize>) -> Option<Call> {
    if name.to_lowercase().starts_with("connect-") || name.to_lowercase().starts_with("disconnect-") {
        return None;
    }
    let Some(graph) = tables::graph_equivalent(name) else {
        return Some(Call::graph(
            Vec::new(),
            Certainty::Unknown,
            format!("{name} ({module}, retired: no Graph equivalent in the data)"),
            range,
        ));
    };
    let permissions = tables::graph_command_permissions(graph).unwrap_or_default();
    let certainty = if permissions.is_empty() {
        Certainty::Unknown
    } else {
        Certainty::Likely
    };
    Some(Call::graph(
        tables::least_privileged(&permissions),
        certainty,
        format!("{name} ({module}, retired; on Microsoft Graph: {graph})"),
        range,
    ))
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

fn has_param(command: &Command, param: &str) -> bool {
    command.arguments.iter().any(|a| match a {
        Argument::Named { name, .. } => {
            name.eq_ignore_ascii_case(param)
                || (name.len() >= 3 && param.to_lowercase().starts_with(&name.to_lowercase()))
        }
        Argument::Positional(_) => false,
    })
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
    use crate::permissions::Resource;

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

    /// Each reason of the result with the permission and certainty of its need.
    fn reasons(result: &ScriptPermissions) -> Vec<(&str, Option<&str>, Certainty)> {
        result
            .needs
            .iter()
            .flat_map(|n| {
                n.reasons
                    .iter()
                    .map(move |r| (r.what.as_str(), n.permission, n.certainty))
            })
            .collect()
    }

    #[test]
    fn retired_directory_commands_need_what_their_graph_equivalents_need() {
        let result = needs(
            "Connect-AzureAD -Credential $c\nGet-AzureADUser -All $true\nGet-MsolAccountSku\nGet-AzureADBrandNewThing\n",
        );
        let whats = reasons(&result);
        assert!(
            whats.contains(&(
                "Get-AzureADUser (AzureAD, retired; on Microsoft Graph: Get-MgUser)",
                Some("User.ReadBasic.All"),
                Certainty::Likely
            )),
            "{whats:?}"
        );
        assert!(
            whats.contains(&(
                "Get-MsolAccountSku (MSOnline, retired; on Microsoft Graph: Get-MgSubscribedSku)",
                Some("LicenseAssignment.Read.All"),
                Certainty::Likely
            )),
            "{whats:?}"
        );
        assert!(
            !whats.iter().any(|(what, _, _)| what.starts_with("Connect-")),
            "{whats:?}"
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
        let whats = reasons(&result);
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
