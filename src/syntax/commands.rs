//! What the rules need to know about the commands they inspect: aliases and parameter
//! names, so `Login-AzAccount -Cert x` reads as
//! `Connect-AzAccount -CertificateThumbprint x`.

/// A parameter of a known command: canonical name, its aliases, and whether it is a
/// switch (takes no value unless colon-bound).
pub struct ParamSpec {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    pub switch: bool,
}

/// A command whose parameters the rules read.
pub struct CommandSpec {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    /// In the order PowerShell tries them for an abbreviated name; where the real
    /// command would call a prefix ambiguous, the parameter Run As-era runbooks meant
    /// comes first (`-Cert` was `-CertificateThumbprint` before `-CertificatePath`).
    pub params: &'static [ParamSpec],
    /// Parameters bound by position, in order.
    pub positional: &'static [&'static str],
}

const fn p(name: &'static str, aliases: &'static [&'static str]) -> ParamSpec {
    ParamSpec {
        name,
        aliases,
        switch: false,
    }
}
const fn switch(name: &'static str, aliases: &'static [&'static str]) -> ParamSpec {
    ParamSpec {
        name,
        aliases,
        switch: true,
    }
}

/// PowerShell's common parameters, accepted by every cmdlet.
pub const COMMON_PARAMS: &[ParamSpec] = &[
    switch("Verbose", &["vb"]),
    switch("Debug", &["db"]),
    p("ErrorAction", &["ea"]),
    p("WarningAction", &["wa"]),
    p("InformationAction", &["infa"]),
    p("ProgressAction", &["proga"]),
    p("ErrorVariable", &["ev"]),
    p("WarningVariable", &["wv"]),
    p("InformationVariable", &["iv"]),
    p("OutVariable", &["ov"]),
    p("OutBuffer", &["ob"]),
    p("PipelineVariable", &["pv"]),
    switch("WhatIf", &["wi"]),
    switch("Confirm", &["cf"]),
];

pub const CONNECT_AZ_ACCOUNT: &str = "Connect-AzAccount";
pub const CONNECT_AZURERM_ACCOUNT: &str = "Connect-AzureRmAccount";
pub const CONNECT_MG_GRAPH: &str = "Connect-MgGraph";
pub const CONNECT_EXCHANGE_ONLINE: &str = "Connect-ExchangeOnline";
pub const CONNECT_PNP_ONLINE: &str = "Connect-PnPOnline";
pub const CONNECT_MICROSOFT_TEAMS: &str = "Connect-MicrosoftTeams";
pub const CONNECT_AZURE_AD: &str = "Connect-AzureAD";
pub const CONNECT_MSOL_SERVICE: &str = "Connect-MsolService";
pub const CONNECT_ENTRA: &str = "Connect-Entra";

const AZ_ACCOUNT_PARAMS: &[ParamSpec] = &[
    p("Environment", &["EnvironmentName"]),
    p("Tenant", &["Domain", "TenantId"]),
    p("AccountId", &["Id"]),
    switch("Identity", &[]),
    switch("ServicePrincipal", &[]),
    p("CertificateThumbprint", &[]),
    p("ApplicationId", &[]),
    p("Subscription", &["SubscriptionName", "SubscriptionId"]),
    p("Credential", &[]),
    p("AccessToken", &[]),
    p("GraphAccessToken", &[]),
    p("MicrosoftGraphAccessToken", &[]),
    p("KeyVaultAccessToken", &[]),
    p("ContextName", &[]),
    switch("SkipContextPopulation", &[]),
    switch("SkipValidation", &[]),
    p("MaxContextPopulation", &[]),
    switch("Force", &[]),
    p("Scope", &[]),
    switch("UseDeviceAuthentication", &["DeviceCode", "DeviceAuth", "Device"]),
    p("FederatedToken", &[]),
    p("CertificatePath", &[]),
    p("CertificatePassword", &[]),
    switch("SendCertificateChain", &[]),
    p("AuthScope", &["AuthScopeTypeName"]),
];

pub const KNOWN_COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: CONNECT_AZ_ACCOUNT,
        aliases: &["Login-AzAccount", "Add-AzAccount"],
        params: AZ_ACCOUNT_PARAMS,
        positional: &[],
    },
    CommandSpec {
        name: CONNECT_AZURERM_ACCOUNT,
        aliases: &["Login-AzureRmAccount", "Add-AzureRmAccount"],
        params: AZ_ACCOUNT_PARAMS,
        positional: &[],
    },
    CommandSpec {
        name: CONNECT_MG_GRAPH,
        aliases: &["Connect-Graph"],
        params: &[
            p("ClientId", &["AppId", "ApplicationId"]),
            p("CertificateThumbprint", &["Thumbprint"]),
            p("CertificateSubjectName", &["CertificateSubject", "CertificateName"]),
            p("Certificate", &[]),
            p("TenantId", &["Audience", "Tenant"]),
            p("Scopes", &[]),
            p("AccessToken", &[]),
            switch("Identity", &["ManagedIdentity"]),
            p("ClientSecretCredential", &["SecretCredential"]),
            switch(
                "UseDeviceCode",
                &["UseDeviceAuthentication", "DeviceCode", "DeviceAuth", "Device"],
            ),
            p("ContextScope", &[]),
            p("Environment", &["EnvironmentName", "NationalCloud"]),
            p("ClientTimeout", &[]),
            switch("NoWelcome", &[]),
            switch("SendCertificateChain", &[]),
            switch("EnvironmentVariable", &["EnvVar"]),
        ],
        positional: &["Scopes"],
    },
    CommandSpec {
        name: CONNECT_EXCHANGE_ONLINE,
        aliases: &[],
        params: &[
            p("CertificateThumbprint", &[]),
            p("Certificate", &[]),
            p("CertificateFilePath", &[]),
            p("CertificatePassword", &[]),
            p("AppId", &[]),
            p("Organization", &[]),
            switch("ManagedIdentity", &[]),
            p("ManagedIdentityAccountId", &[]),
            switch("ShowBanner", &[]),
            switch("ShowProgress", &[]),
            p("ConnectionUri", &[]),
            p("AzureADAuthorizationEndpointUri", &[]),
            p("ExchangeEnvironmentName", &[]),
            p("DelegatedOrganization", &[]),
            p("Prefix", &[]),
            p("CommandName", &[]),
            p("FormatTypeName", &[]),
            p("AccessToken", &[]),
            p("Credential", &[]),
            switch("Device", &[]),
            switch("InlineCredential", &[]),
            p("UserPrincipalName", &[]),
            p("PSSessionOption", &[]),
            switch("SkipLoadingFormatData", &[]),
            switch("SkipLoadingCmdletHelp", &[]),
            switch("LoadCmdletHelp", &[]),
            switch("DisableWAM", &[]),
            switch("EnableErrorReporting", &[]),
            p("LogDirectoryPath", &[]),
            p("LogLevel", &[]),
            p("PageSize", &[]),
            p("TrackPerformance", &[]),
            p("UseMultithreading", &[]),
            switch("UseRPSSession", &[]),
            switch("BypassMailboxAnchoring", &[]),
            p("SigningCertificate", &[]),
        ],
        positional: &[],
    },
    CommandSpec {
        name: CONNECT_PNP_ONLINE,
        aliases: &[],
        params: &[
            p("Url", &[]),
            // SharePointPnPPowerShellOnline, PnP.PowerShell's predecessor, called it `-AppId`.
            p("ClientId", &["AppId", "ApplicationId"]),
            p("Thumbprint", &[]),
            p("Tenant", &[]),
            p("CertificatePath", &[]),
            p("CertificateBase64Encoded", &[]),
            p("CertificatePassword", &[]),
            switch("ManagedIdentity", &[]),
            p("UserAssignedManagedIdentityClientId", &[]),
            p("UserAssignedManagedIdentityObjectId", &[]),
            p("UserAssignedManagedIdentityAzureResourceId", &[]),
            p("ClientSecret", &[]),
            p("Credentials", &[]),
            switch("CurrentCredentials", &[]),
            switch("Interactive", &[]),
            switch("DeviceLogin", &[]),
            switch("UseWebLogin", &[]),
            switch("LaunchBrowser", &[]),
            switch("OSLogin", &[]),
            p("AccessToken", &[]),
            p("AzureEnvironment", &[]),
            switch("ReturnConnection", &[]),
            p("TenantAdminUrl", &[]),
            p("Connection", &[]),
            switch("ValidateConnection", &[]),
            switch("CreateDrive", &[]),
            p("DriveName", &[]),
            switch("PersistLogin", &[]),
            switch("ForceAuthentication", &[]),
            p("Realm", &[]),
            p("RedirectUri", &[]),
            p("MicrosoftGraphEndPoint", &[]),
            p("AzureADLoginEndPoint", &[]),
        ],
        positional: &["Url"],
    },
    CommandSpec {
        name: CONNECT_MICROSOFT_TEAMS,
        aliases: &[],
        params: &[
            p("TenantId", &[]),
            p("CertificateThumbprint", &[]),
            p("Certificate", &[]),
            p("ApplicationId", &[]),
            switch("Identity", &[]),
            p("AccountId", &[]),
            p("Credential", &[]),
            p("AccessTokens", &[]),
            p("AadAccessToken", &[]),
            p("MsAccessToken", &[]),
            switch("UseDeviceAuthentication", &[]),
            p("TeamsEnvironmentName", &[]),
            p("LogLevel", &[]),
            p("LogFilePath", &[]),
        ],
        positional: &[],
    },
    CommandSpec {
        name: CONNECT_AZURE_AD,
        aliases: &[],
        params: &[
            p("TenantId", &["Domain", "TenantDomain"]),
            p("CertificateThumbprint", &[]),
            p("ApplicationId", &[]),
            p("AadAccessToken", &[]),
            p("MsAccessToken", &[]),
            p("AccountId", &[]),
            p("Credential", &[]),
            p("AzureEnvironmentName", &[]),
            p("LogLevel", &[]),
            p("LogFilePath", &[]),
        ],
        positional: &[],
    },
    CommandSpec {
        name: CONNECT_MSOL_SERVICE,
        aliases: &[],
        params: &[
            p("Credential", &[]),
            p("AdGraphAccessToken", &[]),
            p("MsGraphAccessToken", &[]),
            p("AzureEnvironment", &[]),
        ],
        positional: &[],
    },
    CommandSpec {
        name: "Get-AutomationConnection",
        aliases: &[],
        params: &[p("Name", &[])],
        positional: &["Name"],
    },
    CommandSpec {
        name: "Get-AutomationCertificate",
        aliases: &[],
        params: &[p("Name", &[])],
        positional: &["Name"],
    },
    CommandSpec {
        name: "Select-MgProfile",
        aliases: &[],
        params: &[p("Name", &[])],
        positional: &["Name"],
    },
    CommandSpec {
        name: "Get-AzAccessToken",
        aliases: &[],
        params: &[
            p("ResourceTypeName", &[]),
            p("ResourceUrl", &["Resource", "ResourceUri"]),
            p("TenantId", &[]),
            switch("AsSecureString", &[]),
        ],
        positional: &[],
    },
    CommandSpec {
        name: "Set-AzContext",
        aliases: &[
            "Select-AzSubscription",
            "Set-AzureRmContext",
            "Select-AzureRmSubscription",
        ],
        params: &[
            p("Subscription", &["SubscriptionId", "SubscriptionName"]),
            p("Tenant", &["Domain", "TenantId"]),
            p("Context", &[]),
            p("Name", &[]),
            switch("Force", &[]),
            p("Scope", &[]),
            p("DefaultProfile", &["AzContext", "AzureRmContext", "AzureCredential"]),
        ],
        positional: &[],
    },
    CommandSpec {
        name: "Disable-AzContextAutosave",
        aliases: &["Disable-AzureRmContextAutosave"],
        params: &[
            p("Scope", &[]),
            p("DefaultProfile", &["AzContext", "AzureRmContext", "AzureCredential"]),
        ],
        positional: &[],
    },
    CommandSpec {
        name: "Import-Module",
        aliases: &["ipmo"],
        params: &[
            p("Name", &[]),
            p("MinimumVersion", &["Version"]),
            p("RequiredVersion", &[]),
            p("MaximumVersion", &[]),
            switch("Force", &[]),
            switch("Global", &[]),
            p("Scope", &[]),
            p("Prefix", &[]),
            switch("PassThru", &[]),
            switch("DisableNameChecking", &[]),
        ],
        positional: &["Name"],
    },
    CommandSpec {
        name: "New-AzAutomationConnection",
        aliases: &["New-AzureRmAutomationConnection"],
        params: NEW_CONNECTION_PARAMS,
        positional: &[
            AUTOMATION_POSITIONS[0],
            AUTOMATION_POSITIONS[1],
            AUTOMATION_POSITIONS[2],
            "ConnectionTypeName",
            "ConnectionFieldValues",
        ],
    },
    CommandSpec {
        name: "Set-AzAutomationConnectionFieldValue",
        aliases: &["Set-AzureRmAutomationConnectionFieldValue"],
        params: CONNECTION_FIELD_PARAMS,
        positional: &[
            AUTOMATION_POSITIONS[0],
            AUTOMATION_POSITIONS[1],
            AUTOMATION_POSITIONS[2],
            "ConnectionFieldName",
            "Value",
        ],
    },
    CommandSpec {
        name: "Get-AzAutomationConnection",
        aliases: &["Get-AzureRmAutomationConnection"],
        params: &[
            p("Name", &[]),
            p("ConnectionTypeName", &[]),
            p("ResourceGroupName", &[]),
            p("AutomationAccountName", &[]),
            p("DefaultProfile", &["AzContext", "AzureRmContext", "AzureCredential"]),
        ],
        positional: &AUTOMATION_POSITIONS,
    },
    CommandSpec {
        name: "New-AzAutomationCertificate",
        aliases: &["New-AzureRmAutomationCertificate"],
        params: NEW_CERTIFICATE_PARAMS,
        positional: &[
            AUTOMATION_POSITIONS[0],
            AUTOMATION_POSITIONS[1],
            AUTOMATION_POSITIONS[2],
            "Path",
        ],
    },
    CommandSpec {
        name: "Set-AzAutomationCertificate",
        aliases: &["Set-AzureRmAutomationCertificate"],
        params: SET_CERTIFICATE_PARAMS,
        positional: &AUTOMATION_POSITIONS,
    },
    CommandSpec {
        name: "Invoke-RestMethod",
        aliases: &["irm"],
        params: WEB_REQUEST_PARAMS,
        positional: &["Uri"],
    },
    CommandSpec {
        name: "Invoke-WebRequest",
        aliases: &["iwr", "curl", "wget"],
        params: WEB_REQUEST_PARAMS,
        positional: &["Uri"],
    },
];

/// Az.Automation's asset cmdlets take the resource group and account first by position,
/// then the asset's name (`New-AzAutomationConnection rg account name type fields`).
const AUTOMATION_POSITIONS: [&str; 3] = ["ResourceGroupName", "AutomationAccountName", "Name"];

const NEW_CONNECTION_PARAMS: &[ParamSpec] = &[
    p("Name", &[]),
    p("ConnectionTypeName", &[]),
    p("ConnectionFieldValues", &[]),
    p("Description", &[]),
    p("ResourceGroupName", &[]),
    p("AutomationAccountName", &[]),
    p("DefaultProfile", &["AzContext", "AzureRmContext", "AzureCredential"]),
];

const CONNECTION_FIELD_PARAMS: &[ParamSpec] = &[
    p("Name", &[]),
    p("ConnectionFieldName", &[]),
    p("Value", &[]),
    p("ResourceGroupName", &[]),
    p("AutomationAccountName", &[]),
    p("DefaultProfile", &["AzContext", "AzureRmContext", "AzureCredential"]),
];

const NEW_CERTIFICATE_PARAMS: &[ParamSpec] = &[
    p("Name", &[]),
    p("Description", &[]),
    p("Password", &[]),
    p("Path", &[]),
    switch("Exportable", &[]),
    p("ResourceGroupName", &[]),
    p("AutomationAccountName", &[]),
    p("DefaultProfile", &["AzContext", "AzureRmContext", "AzureCredential"]),
];

/// `Set-AzAutomationCertificate -Exportable` takes a boolean, not a switch.
const SET_CERTIFICATE_PARAMS: &[ParamSpec] = &[
    p("Name", &[]),
    p("Description", &[]),
    p("Password", &[]),
    p("Path", &[]),
    p("Exportable", &[]),
    p("ResourceGroupName", &[]),
    p("AutomationAccountName", &[]),
    p("DefaultProfile", &["AzContext", "AzureRmContext", "AzureCredential"]),
];

const WEB_REQUEST_PARAMS: &[ParamSpec] = &[
    p("Uri", &["Url"]),
    p("Method", &[]),
    p("Headers", &[]),
    p("Body", &[]),
    switch("UseBasicParsing", &[]),
    p("ContentType", &[]),
    p("OutFile", &[]),
];

/// The spec of a command by any of its names (case-insensitive, no module qualifier).
pub fn lookup(name: &str) -> Option<&'static CommandSpec> {
    KNOWN_COMMANDS
        .iter()
        .find(|spec| spec.name.eq_ignore_ascii_case(name) || spec.aliases.iter().any(|a| a.eq_ignore_ascii_case(name)))
}

/// The canonical parameter a written name (no dash) means for a command, following
/// PowerShell: an exact name or alias wins, else the unambiguous (see `CommandSpec`)
/// prefix. Unknown commands and unknown names keep the written name.
pub fn resolve_param(spec: Option<&'static CommandSpec>, written: &str) -> (String, bool) {
    let all = spec.map_or(&[][..], |s| s.params).iter().chain(COMMON_PARAMS);
    let exact = |p: &&ParamSpec| {
        p.name.eq_ignore_ascii_case(written) || p.aliases.iter().any(|a| a.eq_ignore_ascii_case(written))
    };
    if let Some(found) = all.clone().find(exact) {
        return (found.name.to_owned(), found.switch);
    }
    if spec.is_some() && !written.is_empty() {
        let prefix = |name: &str| name.len() >= written.len() && name[..written.len()].eq_ignore_ascii_case(written);
        if let Some(found) = all
            .clone()
            .find(|p| prefix(p.name) || p.aliases.iter().any(|a| prefix(a)))
        {
            return (found.name.to_owned(), found.switch);
        }
    }
    (written.to_owned(), false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_and_prefixes_resolve_like_powershell() {
        let spec = lookup("login-azaccount");
        assert_eq!(spec.map(|s| s.name), Some(CONNECT_AZ_ACCOUNT));
        assert_eq!(resolve_param(spec, "Cert"), ("CertificateThumbprint".into(), false));
        assert_eq!(resolve_param(spec, "TenantId"), ("Tenant".into(), false));
        assert_eq!(resolve_param(spec, "servicep"), ("ServicePrincipal".into(), true));
        assert_eq!(resolve_param(spec, "ea"), ("ErrorAction".into(), false));
        assert_eq!(
            resolve_param(lookup("Connect-Graph"), "AppId"),
            ("ClientId".into(), false)
        );
        assert_eq!(resolve_param(None, "Whatever"), ("Whatever".into(), false));
    }
}
