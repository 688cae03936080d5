//! What the fixes migrate to: the kind of managed identity and where the subscription
//! id comes from (CLI flags and the config's `[identity]` / `[subscription]` tables).

/// The managed identity the rewritten sign-ins use.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Identity {
    /// The Automation account's system-assigned identity: `-Identity` alone.
    #[default]
    System,
    /// A user-assigned identity with a literal client id.
    UserClientId(String),
    /// A user-assigned identity whose client id is read from an Automation variable.
    UserClientIdVariable(String),
    /// A user-assigned identity whose client id the script already holds, as written
    /// there (`$clientId`): a hand-made token request named it.
    UserClientIdExpression(String),
}

/// Where a rewritten `$conn.SubscriptionID` reads the subscription from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SubscriptionSource {
    AutomationVariable(String),
    RunbookParameter(String),
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MigrationTarget {
    pub identity: Identity,
    pub subscription: Option<SubscriptionSource>,
    /// The tenant's `*.onmicrosoft.com` domain, for an Exchange Online sign-in whose
    /// `-Organization` was the Run As tenant id (Exchange wants the domain).
    pub exchange_organization: Option<String>,
}

/// An Exchange organization as given on the command line or in the config: a domain
/// name (`contoso.onmicrosoft.com`), since it is written into every Exchange sign-in.
pub fn parse_exchange_organization(text: &str) -> Result<String, String> {
    let domain = text.trim();
    let labels_ok = domain.split('.').count() >= 2
        && domain.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    if labels_ok {
        Ok(domain.to_ascii_lowercase())
    } else {
        Err(format!(
            "`{text}` is not an Exchange organization: give the tenant's domain, such as contoso.onmicrosoft.com"
        ))
    }
}

/// A user-assigned identity's client id as given on the command line or in the config:
/// it must be a GUID (`xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`), since whatever is given
/// is written into every sign-in.
pub fn parse_client_id(text: &str) -> Result<String, String> {
    let trimmed = text.trim().trim_start_matches('{').trim_end_matches('}');
    let groups: Vec<&str> = trimmed.split('-').collect();
    let shape = [8, 4, 4, 4, 12];
    let is_guid = groups.len() == shape.len()
        && groups
            .iter()
            .zip(shape)
            .all(|(g, len)| g.len() == len && g.chars().all(|c| c.is_ascii_hexdigit()));
    if is_guid {
        Ok(trimmed.to_owned())
    } else {
        Err(format!(
            "`{text}` is not a client id: give the identity's client (application) id, a GUID such as 00000000-0000-0000-0000-000000000000 (for an Automation variable holding it, use client-id-variable)"
        ))
    }
}

/// The variable a user-assigned client id is read into near the top of the script.
pub const CLIENT_ID_VARIABLE: &str = "$IdentityClientId";

impl MigrationTarget {
    /// The PowerShell expression for the client id, `None` for a system identity.
    pub fn client_id_expression(&self) -> Option<String> {
        match &self.identity {
            Identity::System => None,
            Identity::UserClientId(id) => Some(crate::syntax::single_quoted(id)),
            Identity::UserClientIdVariable(_) => Some(CLIENT_ID_VARIABLE.to_owned()),
            Identity::UserClientIdExpression(expression) => Some(expression.clone()),
        }
    }

    /// ` -Identity` plus the client id under the parameter name a service uses
    /// (`-AccountId` for Az, `-ClientId` for Graph).
    pub fn identity_arguments(&self, client_id_parameter: &str) -> String {
        self.identity_switch_arguments("-Identity", &format!("-{client_id_parameter}"))
    }

    /// The same for a service whose switch has another name: ` -ManagedIdentity
    /// -ManagedIdentityAccountId <id>` (Exchange), ` --identity --client-id <id>` (CLI).
    pub fn identity_switch_arguments(&self, switch: &str, client_id_parameter: &str) -> String {
        match self.client_id_expression() {
            None => format!(" {switch}"),
            Some(id) => format!(" {switch} {client_id_parameter} {id}"),
        }
    }

    /// This target, but with the user-assigned identity a script already names
    /// (`client_id=` in a hand-made token request).
    pub fn with_client_id(&self, client_id: Option<&str>) -> MigrationTarget {
        match client_id {
            Some(id) => MigrationTarget {
                identity: Identity::UserClientId(id.to_owned()),
                ..self.clone()
            },
            None => self.clone(),
        }
    }

    /// This target, but with the user-assigned identity whose client id the script
    /// holds in a variable (`client_id=$id` in a hand-made token request).
    pub fn with_client_id_expression(&self, expression: &str) -> MigrationTarget {
        MigrationTarget {
            identity: Identity::UserClientIdExpression(expression.to_owned()),
            ..self.clone()
        }
    }

    pub fn is_user_assigned(&self) -> bool {
        self.identity != Identity::System
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_ids_must_be_guids() {
        let id = "0f3c2b1a-9d8e-4c7b-a6f5-e4d3c2b1a098";
        assert_eq!(parse_client_id(id).as_deref(), Ok(id));
        assert_eq!(parse_client_id(&format!("{{{id}}}")).as_deref(), Ok(id));
        for bad in [
            "",
            "UAMI_ClientId",
            "0f3c2b1a-9d8e-4c7b-a6f5",
            "0f3c2b1a-9d8e-4c7b-a6f5-e4d3c2b1a09g",
            "'; Remove-Item",
        ] {
            assert!(parse_client_id(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn exchange_organizations_must_be_domains() {
        assert_eq!(
            parse_exchange_organization(" Contoso.onmicrosoft.com ").as_deref(),
            Ok("contoso.onmicrosoft.com")
        );
        for bad in [
            "",
            "contoso",
            "0f3c2b1a 9d8e",
            "a..b",
            "-a.b",
            "x.onmicrosoft.com'; Remove-Item",
        ] {
            assert!(parse_exchange_organization(bad).is_err(), "{bad}");
        }
    }
}
