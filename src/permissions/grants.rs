//! What to grant an Automation account's managed identity for all its scripts at once:
//! every script's permissions merged, each once, with the calls that need it.

use std::collections::BTreeMap;

use super::{graph_app_role_id, Certainty, Resource, ScriptReport};

/// What an unknown permission means, for everything that lists them.
pub const UNKNOWN_MEANS: &str =
    "\"unknown\" means mimigrate's data does not cover the call: check it by hand; it never means that no permission is needed";

/// A permission to grant, over every script.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    pub resource: Resource,
    pub permission: &'static str,
    /// The best certainty any script has for it.
    pub certainty: Certainty,
    pub note: Option<&'static str>,
    /// `path line N: what`, one per call that needs it.
    pub reasons: Vec<String>,
}

impl Grant {
    /// The Graph app role id from the data; `None` for other resources, and for Graph
    /// permissions the data lists without an id (the grant script looks those up by name).
    pub fn app_role_id(&self) -> Option<&'static str> {
        match self.resource {
            Resource::Graph => graph_app_role_id(self.permission),
            _ => None,
        }
    }
}

/// Every script's grants, merged.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AccountGrants {
    /// Sorted by resource, then permission.
    pub grants: Vec<Grant>,
    /// `path line N: what` of each call whose permission no data covers.
    pub unknown: Vec<String>,
}

/// The union of every script's grants (deduplicated: each script already chose the
/// lowest-privilege permission for each call), and the calls no data covers.
pub fn account_grants(scripts: &[ScriptReport]) -> AccountGrants {
    let mut grants: BTreeMap<(Resource, &'static str), Grant> = BTreeMap::new();
    let mut unknown = Vec::new();
    for script in scripts {
        for need in &script.permissions.needs {
            let located = need.reasons.iter().map(|r| {
                format!(
                    "{} line {}: {}",
                    script.path.display(),
                    script.line(r.range.start),
                    r.what
                )
            });
            let Some(permission) = need.permission else {
                unknown.extend(located);
                continue;
            };
            let grant = grants.entry((need.resource, permission)).or_insert_with(|| Grant {
                resource: need.resource,
                permission,
                certainty: need.certainty,
                note: need.note,
                reasons: Vec::new(),
            });
            grant.certainty = grant.certainty.min(need.certainty);
            grant.reasons.extend(located);
        }
    }
    AccountGrants {
        grants: grants.into_values().collect(),
        unknown,
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn report(path: &str, text: &str) -> ScriptReport {
        ScriptReport::new(PathBuf::from(path), text)
    }

    #[test]
    fn scripts_share_a_grant_and_unknown_calls_stay_listed() {
        let scripts = [
            report("a.ps1", "Connect-MgGraph -Identity\nGet-MgUser -All\n"),
            report("b.ps1", "Get-MgSomethingNobodyKnows\n\n\nGet-MgUser -UserId $id\n"),
        ];
        let account = account_grants(&scripts);
        let users: Vec<&Grant> = account
            .grants
            .iter()
            .filter(|g| g.permission == "User.ReadBasic.All")
            .collect();
        assert_eq!(users.len(), 1, "one grant for both scripts: {account:?}");
        assert_eq!(
            users[0].reasons,
            ["a.ps1 line 2: Get-MgUser", "b.ps1 line 4: Get-MgUser"]
        );
        assert_eq!(users[0].certainty, Certainty::LeastPrivileged);
        assert!(users[0].app_role_id().is_some());
        assert_eq!(account.unknown, ["b.ps1 line 1: Get-MgSomethingNobodyKnows"]);
    }
}
