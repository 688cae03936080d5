//! What a script's managed identity must be granted: Microsoft Graph application
//! permissions (app roles) for its Graph commands and literal Graph REST calls, and the
//! app roles and Entra directory roles that Exchange Online, PnP (SharePoint) and
//! Microsoft Teams need for an app-only sign-in.
//!
//! Only data is reported as certain: a Graph call the tables do not cover is listed as
//! `Unknown` (check by hand), never dropped and never read as "no permission needed".
//!
//! This module holds the vocabulary (resources, needs, certainty); `needs` finds what
//! one script needs (`graph_rest` for its Graph REST calls), `grants` merges every
//! script's needs into what to grant the account's identity, and `grant_script` writes
//! the PowerShell script that grants it. `mimigrate permissions` prints all of these.

mod grant_script;
mod grants;
mod graph_rest;
mod needs;

use std::ops::Range;
use std::path::PathBuf;

use crate::source::LineIndex;
use crate::syntax::model::Script;
use crate::tables;

pub use grant_script::grant_script;
pub use grants::{account_grants, AccountGrants, Grant, UNKNOWN_MEANS};
pub use needs::analyze;

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

/// One script's permissions and where it is: what the account's grants are merged from.
pub struct ScriptReport {
    pub path: PathBuf,
    pub lines: LineIndex,
    pub permissions: ScriptPermissions,
}

impl ScriptReport {
    pub fn new(path: PathBuf, text: &str) -> ScriptReport {
        ScriptReport {
            path,
            lines: LineIndex::new(text),
            permissions: analyze(&Script::parse(text)),
        }
    }

    /// The 1-based line of a byte offset.
    pub fn line(&self, offset: usize) -> usize {
        self.lines.line_of(offset) + 1
    }
}
