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
}

/// The variable a user-assigned client id is read into near the top of the script.
pub const CLIENT_ID_VARIABLE: &str = "$IdentityClientId";

impl MigrationTarget {
    /// The PowerShell expression for the client id, `None` for a system identity.
    pub fn client_id_expression(&self) -> Option<String> {
        match &self.identity {
            Identity::System => None,
            Identity::UserClientId(id) => Some(format!("'{}'", id.replace('\'', "''"))),
            Identity::UserClientIdVariable(_) => Some(CLIENT_ID_VARIABLE.to_owned()),
            Identity::UserClientIdExpression(expression) => Some(expression.clone()),
        }
    }

    /// ` -Identity` plus the client id under the parameter name a service uses
    /// (`-AccountId` for Az, `-ClientId` for Graph).
    pub fn identity_arguments(&self, client_id_parameter: &str) -> String {
        match self.client_id_expression() {
            None => " -Identity".to_owned(),
            Some(id) => format!(" -Identity -{client_id_parameter} {id}"),
        }
    }

    /// This target, but with the user-assigned identity a script already names
    /// (`client_id=` in a hand-made token request).
    pub fn with_client_id(&self, client_id: Option<&str>) -> MigrationTarget {
        match client_id {
            Some(id) => MigrationTarget {
                identity: Identity::UserClientId(id.to_owned()),
                subscription: self.subscription.clone(),
            },
            None => self.clone(),
        }
    }

    /// This target, but with the user-assigned identity whose client id the script
    /// holds in a variable (`client_id=$id` in a hand-made token request).
    pub fn with_client_id_expression(&self, expression: &str) -> MigrationTarget {
        MigrationTarget {
            identity: Identity::UserClientIdExpression(expression.to_owned()),
            subscription: self.subscription.clone(),
        }
    }

    pub fn is_user_assigned(&self) -> bool {
        self.identity != Identity::System
    }
}
