//! The Run As analysis several rules share, computed once per script: which
//! `Get-AutomationConnection` calls return a Run As connection, and which sign-ins use
//! its certificate, for every service (Azure, Graph, Exchange, PnP, Teams, AzureAD, the
//! Azure CLI). MI101-MI104, MI303 and MI501-MI506 all read it, so they agree on
//! what counts as Run As.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use super::azure_session_token::{session_tokens, SessionToken};
use super::token_flow::{token_requests, TokenRequest};
use crate::spans::Spans;
use crate::syntax::commands::{
    CONNECT_AZURERM_ACCOUNT, CONNECT_AZURE_AD, CONNECT_AZ_ACCOUNT, CONNECT_ENTRA, CONNECT_EXCHANGE_ONLINE,
    CONNECT_MG_GRAPH, CONNECT_MICROSOFT_TEAMS, CONNECT_PNP_ONLINE,
};
use crate::syntax::model::{Argument, BlockKind, Command, Script, Value, ValueKind};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnectionKind {
    /// `AzureRunAsConnection`, or any connection whose certificate fields feed a
    /// certificate sign-in.
    RunAs,
    /// `AzureClassicRunAsConnection` (MI105).
    ClassicRunAs,
    /// A connection asset of some other type: not retired.
    Other,
}

pub struct Connection {
    /// Index into `Script::commands` of the `Get-AutomationConnection` call.
    pub command: usize,
    pub variable: Option<String>,
    pub name: Option<String>,
    pub kind: ConnectionKind,
}

/// Which module a sign-in belongs to, so its rewrite stays in that module.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Service {
    Az,
    AzureRm,
    Graph,
    Exchange,
    PnP,
    Teams,
    AzureAd,
    /// `az login` (the Azure CLI, a program rather than a cmdlet).
    AzureCli,
}

impl Service {
    /// The service a sign-in command signs in to.
    pub fn of(command: &Command) -> Option<Service> {
        [
            (CONNECT_AZ_ACCOUNT, Service::Az),
            (CONNECT_AZURERM_ACCOUNT, Service::AzureRm),
            (CONNECT_MG_GRAPH, Service::Graph),
            (CONNECT_EXCHANGE_ONLINE, Service::Exchange),
            (CONNECT_PNP_ONLINE, Service::PnP),
            (CONNECT_MICROSOFT_TEAMS, Service::Teams),
            (CONNECT_AZURE_AD, Service::AzureAd),
        ]
        .into_iter()
        .find_map(|(name, service)| command.is(name).then_some(service))
        .or_else(|| is_az_login(command).then_some(Service::AzureCli))
    }

    /// The parameters that name the app and pass its certificate: a sign-in with both
    /// kinds is an app-only certificate sign-in, a Run As one when either comes from
    /// the Run As connection or certificate.
    fn credential_params(self) -> (&'static [&'static str], &'static [&'static str]) {
        match self {
            Service::Az | Service::AzureRm => (&["ServicePrincipal"], &["CertificateThumbprint"]),
            Service::Graph => (&["ClientId"], CERTIFICATE_PARAMS),
            Service::Exchange => (
                &["AppId"],
                &["CertificateThumbprint", "Certificate", "CertificateFilePath"],
            ),
            Service::PnP => (
                &["ClientId"],
                &["Thumbprint", "CertificatePath", "CertificateBase64Encoded"],
            ),
            Service::Teams => (&["ApplicationId"], &["CertificateThumbprint", "Certificate"]),
            Service::AzureAd => (&["ApplicationId"], &["CertificateThumbprint"]),
            // A service principal's app id is `-u`, its certificate or secret `-p`.
            Service::AzureCli => (&["service-principal"], &[]),
        }
    }

    fn is_certificate_login(self, command: &Command) -> bool {
        let (app, certificate) = self.credential_params();
        app.iter().any(|p| command.has(p)) && (certificate.is_empty() || certificate.iter().any(|p| command.has(p)))
    }

    /// The parameters whose values can come from the Run As connection or certificate.
    fn runas_params(self) -> impl Iterator<Item = &'static str> {
        let (app, certificate) = self.credential_params();
        let more: &[&str] = match self {
            Service::Az | Service::AzureRm => &["ApplicationId"],
            Service::AzureCli => &["u", "username", "p", "password", "t", "tenant"],
            _ => &[],
        };
        app.iter().chain(certificate).chain(more).copied()
    }
}

pub struct CertificateLogin {
    pub command: usize,
    pub service: Service,
    /// The certificate or client id comes from a Run As connection.
    pub from_runas: bool,
}

/// The Run As connections of a text, by the variables that hold them and by their
/// names, so that a later version of the text (after some fixes) still knows them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunAsMemory {
    /// Lower-case variable names.
    pub variables: Vec<String>,
    /// Connection asset names, as written.
    pub names: Vec<String>,
}

impl RunAsMemory {
    /// The variables and asset names of the Run As ones among `connections`, each once.
    fn of(connections: &[Connection]) -> Self {
        let runas = || connections.iter().filter(|c| c.kind == ConnectionKind::RunAs);
        let distinct = |mut all: Vec<String>| {
            all.sort_unstable();
            all.dedup();
            all
        };
        RunAsMemory {
            variables: distinct(runas().filter_map(|c| c.variable.clone()).collect()),
            names: distinct(runas().filter_map(|c| c.name.clone()).collect()),
        }
    }

    fn knows(&self, connection: &Connection) -> bool {
        connection.variable.as_ref().is_some_and(|v| self.variables.contains(v))
            || connection
                .name
                .as_ref()
                .is_some_and(|n| self.names.iter().any(|known| known.eq_ignore_ascii_case(n)))
    }
}

pub struct Facts {
    pub connections: Vec<Connection>,
    /// In text order.
    pub certificate_logins: Vec<CertificateLogin>,
    pub token_requests: Vec<TokenRequest>,
    /// Tokens taken from Az.Accounts' internals (MI205, and MI304 where they sign in).
    pub session_tokens: Vec<SessionToken>,
    /// Variables holding a Run As connection.
    runas_variables: HashSet<String>,
    /// Some command is AzureRM's (rewrites then stay in that module).
    pub uses_azurerm: bool,
    /// Where the first Azure sign-in (Az or AzureRM) starts.
    pub first_azure_signin: Option<usize>,
    /// The values of the certificate sign-ins' arguments that their rewrite drops
    /// (splatted ones where the hashtable holds them).
    pub dropped_values: Spans<()>,
}

const CERTIFICATE_PARAMS: &[&str] = &["CertificateThumbprint", "Certificate", "CertificateSubjectName"];

impl Facts {
    pub fn new(script: &Script, known: &RunAsMemory) -> Self {
        let mut connections: Vec<Connection> = script
            .commands
            .iter()
            .enumerate()
            .filter(|(_, c)| c.is("Get-AutomationConnection"))
            .map(|(index, command)| {
                let name = command.value_of("Name").and_then(|v| script.string_value(v));
                let kind = match name.as_deref() {
                    Some(n) if n.eq_ignore_ascii_case("AzureRunAsConnection") => ConnectionKind::RunAs,
                    Some(n) if n.eq_ignore_ascii_case("AzureClassicRunAsConnection") => ConnectionKind::ClassicRunAs,
                    _ => ConnectionKind::Other,
                };
                Connection {
                    command: index,
                    variable: command.assigned_to.clone(),
                    name,
                    kind,
                }
            })
            .collect();
        let connection_variables: HashSet<&str> = connections.iter().filter_map(|c| c.variable.as_deref()).collect();
        let certificate_variables = runas_certificate_variables(script);
        let runas_sources: HashSet<&str> = connection_variables
            .iter()
            .copied()
            .chain(certificate_variables.iter().map(String::as_str))
            .collect();
        let from_runas_value =
            |value: Option<&Value>| value.is_some_and(|v| reads_any(script, &v.range, &runas_sources, 3));
        let mut certificate_logins = Vec::new();
        for (index, command) in script.commands.iter().enumerate() {
            let Some(service) = Service::of(command) else {
                continue;
            };
            if !service.is_certificate_login(command) {
                continue;
            }
            let from_runas = service.runas_params().any(|p| from_runas_value(command.value_of(p)));
            certificate_logins.push(CertificateLogin {
                command: index,
                service,
                from_runas,
            });
        }
        // A connection of any name is a Run As connection when its certificate signs in
        // (or signed in, in the text the fixes started from).
        let feeding_logins: HashSet<String> = certificate_logins
            .iter()
            .flat_map(|login| {
                let command = &script.commands[login.command];
                login
                    .service
                    .runas_params()
                    .filter_map(|p| source_member(script, command.value_of(p)?))
                    .map(|(variable, _)| variable)
            })
            .collect();
        let mut leftovers = Leftovers::new(script);
        for connection in connections.iter_mut().filter(|c| c.kind == ConnectionKind::Other) {
            let feeds_login = connection.variable.as_ref().is_some_and(|v| feeding_logins.contains(v));
            if feeds_login || known.knows(connection) || leftovers.left_after_migration(script, connection) {
                connection.kind = ConnectionKind::RunAs;
            }
        }
        // The same asset or variable as a Run As connection is one too: so a later pass,
        // which remembers this script's Run As connections, decides as this one did.
        let runas = RunAsMemory::of(&connections);
        for connection in connections.iter_mut().filter(|c| c.kind == ConnectionKind::Other) {
            if runas.knows(connection) {
                connection.kind = ConnectionKind::RunAs;
            }
        }
        let runas_variables = connections
            .iter()
            .filter(|c| c.kind == ConnectionKind::RunAs)
            .filter_map(|c| c.variable.clone())
            .collect();
        let dropped_values = Spans::new(certificate_logins.iter().flat_map(|login| {
            script.commands[login.command]
                .arguments
                .iter()
                .filter_map(move |argument| match argument {
                    Argument::Named {
                        name,
                        value: Some(value),
                        ..
                    } if dropped_by_rewrite(login.service, name) => Some((value.range.clone(), ())),
                    _ => None,
                })
        }));
        Facts {
            dropped_values,
            connections,
            certificate_logins,
            token_requests: token_requests(script),
            session_tokens: session_tokens(script),
            runas_variables,
            uses_azurerm: script
                .commands
                .iter()
                .any(|c| c.written_name.to_lowercase().contains("azurerm")),
            first_azure_signin: [CONNECT_AZ_ACCOUNT, CONNECT_AZURERM_ACCOUNT]
                .iter()
                .filter_map(|name| script.commands_named(name).map(|c| c.range.start).min())
                .min(),
        }
    }

    /// The Run As connections, to be remembered across fixes.
    pub fn memory(&self) -> RunAsMemory {
        RunAsMemory::of(&self.connections)
    }

    pub fn is_runas_variable(&self, variable: &str) -> bool {
        self.runas_variables.contains(variable)
    }

    /// The certificate sign-in a command is, if any.
    pub fn certificate_login(&self, command: usize) -> Option<&CertificateLogin> {
        let at = self.certificate_logins.partition_point(|l| l.command < command);
        self.certificate_logins.get(at).filter(|l| l.command == command)
    }
}

/// A connection whose tenant or subscription is still read in a script that already
/// signs in with a managed identity (to Azure or any other service): only the service-principal (Run As)
/// connection type has those fields, and this is what a migration that rewrote the
/// sign-in leaves behind. Deciding it from the text itself lets a later `check` of a
/// fixed file keep knowing what the fix run knew. A connection fetched in a loop is a
/// script walking every connection asset (copying them to another account, say).
/// The answers are per variable, asked once each.
struct Leftovers {
    identity_signin: bool,
    fields_read: HashMap<String, bool>,
}

impl Leftovers {
    fn new(script: &Script) -> Self {
        let identity_signin = script.commands.iter().any(is_identity_signin);
        Leftovers {
            identity_signin,
            fields_read: HashMap::new(),
        }
    }

    fn left_after_migration(&mut self, script: &Script, connection: &Connection) -> bool {
        let Some(variable) = &connection.variable else {
            return false;
        };
        if !self.identity_signin || script.commands[connection.command].place.in_block(&BlockKind::Loop) {
            return false;
        }
        *self.fields_read.entry(variable.clone()).or_insert_with(|| {
            script.uses_of(variable).any(|u| {
                u.member.as_ref().is_some_and(|(member, _)| {
                    ["TenantId", "SubscriptionId"]
                        .iter()
                        .any(|f| f.eq_ignore_ascii_case(member))
                })
            })
        })
    }
}

/// The parameters a certificate sign-in's rewrite drops: their values are Run As
/// plumbing, not reads MI104 must rewrite.
pub fn dropped_by_rewrite(service: Service, parameter: &str) -> bool {
    let dropped: &[&str] = match service {
        Service::Az | Service::AzureRm => &["ServicePrincipal", "CertificateThumbprint", "ApplicationId", "Tenant"],
        Service::Graph => &[
            "ClientId",
            "CertificateThumbprint",
            "Certificate",
            "CertificateSubjectName",
            "TenantId",
            "Scopes",
        ],
        // `-Organization` is rebuilt: a tenant id read off the connection is replaced. The
        // identity parameters are written anew (a half-edited call may have them already).
        Service::Exchange => &[
            "AppId",
            "CertificateThumbprint",
            "Certificate",
            "CertificateFilePath",
            "CertificatePassword",
            "Organization",
            "ManagedIdentity",
            "ManagedIdentityAccountId",
        ],
        // `-Url` is rebuilt in front of `-ManagedIdentity`.
        Service::PnP => &[
            "ClientId",
            "Thumbprint",
            "Tenant",
            "CertificatePath",
            "CertificateBase64Encoded",
            "CertificatePassword",
            "Url",
            "ManagedIdentity",
            "UserAssignedManagedIdentityClientId",
        ],
        Service::Teams => &[
            "TenantId",
            "CertificateThumbprint",
            "Certificate",
            "ApplicationId",
            "Identity",
            "AccountId",
        ],
        // `Connect-Entra -Identity` shares none of Connect-AzureAD's parameters.
        Service::AzureAd => &[
            "TenantId",
            "CertificateThumbprint",
            "ApplicationId",
            "AadAccessToken",
            "MsAccessToken",
            "AccountId",
            "Credential",
            "AzureEnvironmentName",
            "LogLevel",
            "LogFilePath",
        ],
        Service::AzureCli => &[
            "service-principal",
            "u",
            "username",
            "p",
            "password",
            "t",
            "tenant",
            "certificate",
            "client-secret",
            "federated-token",
            "use-cert-sn-issuer",
        ],
    };
    dropped.iter().any(|d| d.eq_ignore_ascii_case(parameter))
}

/// `az login ...` (also `az.cmd`, `az.exe`): the Azure CLI with `login` first.
pub fn is_az_login(command: &Command) -> bool {
    let program = command.name.trim_end_matches(".cmd").trim_end_matches(".exe");
    program.eq_ignore_ascii_case("az")
        && command
            .arguments
            .iter()
            .find_map(|a| match a {
                Argument::Positional(value) => Some(value),
                Argument::Named { .. } => None,
            })
            .is_some_and(|value| matches!(&value.kind, ValueKind::Text(sub) if sub.eq_ignore_ascii_case("login")))
}

/// Variables holding the Run As certificate asset
/// (`$cert = Get-AutomationCertificate -Name 'AzureRunAsCertificate'`), which some
/// sign-ins take as `-Certificate $cert` instead of its thumbprint.
fn runas_certificate_variables(script: &Script) -> HashSet<String> {
    script
        .commands_named("Get-AutomationCertificate")
        .filter(|c| {
            c.value_of("Name")
                .and_then(|v| script.string_value(v))
                .is_some_and(|name| name.eq_ignore_ascii_case("AzureRunAsCertificate"))
        })
        .filter_map(|c| c.assigned_to.clone())
        .collect()
}

/// Whether the code at `range`, or the value of a variable it reads (`depth` assignments
/// deep: `$cert = Get-Item "Cert:\CurrentUser\My\$($conn.CertificateThumbprint)"`), reads
/// one of `variables`.
fn reads_any(script: &Script, range: &Range<usize>, variables: &HashSet<&str>, depth: usize) -> bool {
    script
        .variables_in(range)
        .iter()
        .filter(|v| v.range.end <= range.end)
        .any(|v| {
            variables.contains(v.name.as_str())
                || (depth > 0
                    && script
                        .assignment_before(&v.name, v.range.start)
                        .is_some_and(|a| reads_any(script, &a.value.range, variables, depth - 1)))
        })
}

/// The managed-identity sign-ins: a script that has one has been (partly) migrated.
pub fn is_identity_signin(command: &Command) -> bool {
    let switch = match Service::of(command) {
        Some(Service::Exchange | Service::PnP) => "ManagedIdentity",
        Some(Service::AzureCli) => "identity",
        Some(_) => "Identity",
        None if command.is(CONNECT_ENTRA) => "Identity",
        None => return false,
    };
    command.has(switch)
}

/// `$conn.CertificateThumbprint`, or `$thumb` where `$thumb = $conn.CertificateThumbprint`:
/// the variable and member a value reads.
pub fn source_member(script: &Script, value: &Value) -> Option<(String, String)> {
    match &value.kind {
        ValueKind::Member { variable, member } => Some((variable.clone(), member.clone())),
        ValueKind::Variable(name) => {
            let assignment = script.assignment_before(name, value.range.start)?;
            match &assignment.value.kind {
                ValueKind::Member { variable, member } => Some((variable.clone(), member.clone())),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The source text of `range` followed by the text of the last assignment of every
/// variable it reads (three levels deep), so `Connect-MgGraph -AccessToken $t` shows
/// what `$t` was made from. Only for asking which commands a value comes from (a
/// `Get-AzAccessToken` token): string values come from the evaluator
/// (`Script::evaluate`), which stops at command output. Never shown or edited.
pub fn expanded_text(script: &Script, range: Range<usize>) -> String {
    let sources = value_sources(script, range, 3);
    let texts: Vec<&str> = sources.iter().map(|r| script.slice(r)).collect();
    texts.join("\n")
}

/// Most code ranges `value_sources` collects: a script of many chained assignments
/// must not make one question cost the whole script many times over.
const MAX_SOURCES: usize = 256;

/// `range`, then the value of the assignment each variable read in it sees, and so on
/// `depth` levels deep, each once: the code a value is made from, for asking which
/// commands, types and reads it comes from (`commands_in`, `types_in`, `variables_in`).
pub fn value_sources(script: &Script, range: Range<usize>, depth: usize) -> Vec<Range<usize>> {
    let mut sources = vec![range];
    let mut level = 0..1;
    for _ in 0..depth {
        let mut next = Vec::new();
        for source in &sources[level.clone()] {
            for variable in script.variables_in(source).iter().filter(|v| v.range.end <= source.end) {
                if let Some(assignment) = script.assignment_before(&variable.name, variable.range.start) {
                    let value = assignment.value.range.clone();
                    if !sources.contains(&value) && !next.contains(&value) {
                        next.push(value);
                    }
                }
            }
        }
        if next.is_empty() || sources.len() + next.len() > MAX_SOURCES {
            break;
        }
        level = sources.len()..sources.len() + next.len();
        sources.extend(next);
    }
    sources
}
