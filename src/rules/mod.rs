//! The rule catalog (RULES.md tiers 1 and 2). Each rule family lives in its own module that
//! starts with its documentation; this module lists them and runs them over a script.

mod azure_cli;
mod azure_session_token;
mod azurerm_module;
mod certificate_login;
mod certificate_token;
mod classic_runas;
mod client_id;
mod context_autosave;
mod facts;
mod graph_login;
mod graph_profile;
mod identity_token;
mod module_version;
pub mod parse_error;
mod retired_directory;
mod retry_loop;
mod rewrite;
mod runas_account_creation;
mod runas_connection;
mod service_login;
pub mod suppression;
mod token_flow;

use crate::diagnostic::{Diagnostic, Fix, Severity};
use crate::syntax::model::Script;
use crate::target::MigrationTarget;

pub use facts::{Facts, RunAsMemory};

/// Whether a rule can rewrite what it finds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FixAvailability {
    Always,
    Sometimes,
    None,
}

/// A rule's metadata and documentation (`rules/<CODE>.md`, embedded).
pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub fix: FixAvailability,
    pub summary: &'static str,
    pub documentation: &'static str,
}

/// Where the project's source lives (Cargo.toml's `repository`), when it says.
pub const REPOSITORY: Option<&str> = match env!("CARGO_PKG_REPOSITORY").as_bytes() {
    [] => None,
    _ => Some(env!("CARGO_PKG_REPOSITORY")),
};

impl Rule {
    /// The documentation's first paragraph (after the `# CODE name` heading), on one line.
    pub fn description(&self) -> String {
        let mut paragraphs = self.documentation.split("\n\n").map(str::trim);
        let body = paragraphs.find(|p| !p.is_empty() && !p.starts_with('#'));
        body.unwrap_or(self.summary)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Where this rule's documentation can be read online: `rules/CODE.md` in the
    /// repository, when Cargo.toml names one.
    pub fn url(&self) -> Option<String> {
        REPOSITORY.map(|repository| format!("{}/blob/main/rules/{}.md", repository.trim_end_matches('/'), self.code))
    }

    /// Build a finding of this rule.
    pub fn diagnostic(
        &'static self,
        range: std::ops::Range<usize>,
        message: impl Into<String>,
        fix: Option<Fix>,
    ) -> Diagnostic {
        Diagnostic {
            code: self.code,
            name: self.name,
            severity: self.severity,
            message: message.into(),
            range,
            fix,
            activity: None,
        }
    }
}

macro_rules! rule {
    ($ident:ident, $code:literal, $name:literal, $severity:ident, $fix:ident, $summary:literal) => {
        pub static $ident: Rule = Rule {
            code: $code,
            name: $name,
            severity: Severity::$severity,
            fix: FixAvailability::$fix,
            summary: $summary,
            documentation: include_str!(concat!("../../rules/", $code, ".md")),
        };
    };
}

rule!(
    RUNAS_CONNECTION,
    "MI101",
    "runas-connection",
    Error,
    Sometimes,
    "Run As connection read with Get-AutomationConnection"
);
rule!(
    CERTIFICATE_LOGIN,
    "MI102",
    "certificate-login",
    Error,
    Always,
    "Azure sign-in with the Run As certificate"
);
rule!(
    RUNAS_RETRY_LOOP,
    "MI103",
    "runas-retry-loop",
    Warning,
    Sometimes,
    "Template retry loop around a certificate sign-in"
);
rule!(
    RUNAS_CONNECTION_PROPERTY,
    "MI104",
    "runas-connection-property",
    Error,
    Sometimes,
    "Run As connection field read outside the sign-in"
);
rule!(
    CLASSIC_RUNAS,
    "MI105",
    "classic-runas",
    Error,
    None,
    "Classic (Service Management) Run As account or certificate"
);
rule!(
    RUNAS_CERTIFICATE_TOKEN,
    "MI106",
    "runas-certificate-token",
    Error,
    None,
    "Token made by hand from the Run As certificate (ADAL, MSAL or a signed assertion)"
);
rule!(
    RUNAS_ACCOUNT_CREATION,
    "MI107",
    "runas-account-creation",
    Error,
    None,
    "Script that creates or renews a Run As account"
);
rule!(
    IDENTITY_ENDPOINT_TOKEN,
    "MI201",
    "identity-endpoint-token",
    Warning,
    Sometimes,
    "Managed-identity token requested by hand from IDENTITY_ENDPOINT"
);
rule!(
    MSI_ENDPOINT_TOKEN,
    "MI202",
    "msi-endpoint-token",
    Warning,
    Sometimes,
    "Managed-identity token requested by hand from MSI_ENDPOINT"
);
rule!(
    IMDS_TOKEN,
    "MI203",
    "imds-token",
    Warning,
    None,
    "Token requested from the VM's instance metadata service"
);
rule!(
    PLAINTEXT_ACCESS_TOKEN,
    "MI204",
    "plaintext-access-token",
    Warning,
    Sometimes,
    "Get-AzAccessToken token used as a plain string"
);
rule!(
    AZURE_SESSION_TOKEN,
    "MI205",
    "azure-session-token",
    Warning,
    Sometimes,
    "Token taken from Az.Accounts' internal AzureSession or TokenCache"
);
rule!(
    SELECT_MGPROFILE,
    "MI301",
    "select-mgprofile",
    Error,
    Always,
    "Select-MgProfile, removed in Microsoft Graph PowerShell v2"
);
rule!(
    GET_MGPROFILE,
    "MI302",
    "get-mgprofile",
    Error,
    None,
    "Get-MgProfile, removed in Microsoft Graph PowerShell v2"
);
rule!(
    GRAPH_CERTIFICATE_LOGIN,
    "MI303",
    "graph-certificate-login",
    Error,
    Always,
    "Connect-MgGraph with the Run As certificate"
);
rule!(
    GRAPH_TOKEN_LOGIN,
    "MI304",
    "graph-token-login",
    Error,
    Sometimes,
    "Connect-MgGraph with a hand-made access token"
);
rule!(
    MISSING_CONTEXT_AUTOSAVE,
    "MI401",
    "missing-context-autosave",
    Warning,
    Always,
    "Azure sign-in without Disable-AzContextAutosave -Scope Process first"
);
rule!(
    EXCHANGE_CERTIFICATE_LOGIN,
    "MI501",
    "exchange-certificate-login",
    Error,
    Always,
    "Connect-ExchangeOnline with the Run As certificate"
);
rule!(
    PNP_CERTIFICATE_LOGIN,
    "MI502",
    "pnp-certificate-login",
    Error,
    Always,
    "Connect-PnPOnline with the Run As certificate"
);
rule!(
    TEAMS_CERTIFICATE_LOGIN,
    "MI503",
    "teams-certificate-login",
    Error,
    Always,
    "Connect-MicrosoftTeams with the Run As certificate"
);
rule!(
    AZUREAD_LOGIN,
    "MI504",
    "azuread-login",
    Error,
    Always,
    "Connect-AzureAD, from the retired AzureAD module"
);
rule!(
    MSONLINE_LOGIN,
    "MI505",
    "msonline-login",
    Error,
    None,
    "Connect-MsolService, from the retired MSOnline module"
);
rule!(
    AZURE_CLI_LOGIN,
    "MI506",
    "azure-cli-login",
    Error,
    Sometimes,
    "az login as a service principal, or with the removed --username for an identity"
);
rule!(
    AZURERM_MODULE,
    "MI601",
    "azurerm-module",
    Warning,
    Sometimes,
    "AzureRM command or module, retired and impossible to load beside Az"
);
rule!(
    MODULE_VERSION_TOO_OLD,
    "MI602",
    "module-version-too-old",
    Error,
    Sometimes,
    "Module pinned below the version its managed-identity sign-in needs"
);
rule!(
    UNUSED_SUPPRESSION,
    "MI901",
    "unused-suppression",
    Warning,
    Always,
    "Suppression comment that suppresses nothing"
);
rule!(
    PARSE_ERROR,
    "MI902",
    "parse-error",
    Info,
    None,
    "Syntax the parser could not read, where it could hide a finding or held back a fix"
);

/// Every rule, in code order.
pub static ALL: &[&Rule] = &[
    &RUNAS_CONNECTION,
    &CERTIFICATE_LOGIN,
    &RUNAS_RETRY_LOOP,
    &RUNAS_CONNECTION_PROPERTY,
    &CLASSIC_RUNAS,
    &RUNAS_CERTIFICATE_TOKEN,
    &RUNAS_ACCOUNT_CREATION,
    &IDENTITY_ENDPOINT_TOKEN,
    &MSI_ENDPOINT_TOKEN,
    &IMDS_TOKEN,
    &PLAINTEXT_ACCESS_TOKEN,
    &AZURE_SESSION_TOKEN,
    &SELECT_MGPROFILE,
    &GET_MGPROFILE,
    &GRAPH_CERTIFICATE_LOGIN,
    &GRAPH_TOKEN_LOGIN,
    &MISSING_CONTEXT_AUTOSAVE,
    &EXCHANGE_CERTIFICATE_LOGIN,
    &PNP_CERTIFICATE_LOGIN,
    &TEAMS_CERTIFICATE_LOGIN,
    &AZUREAD_LOGIN,
    &MSONLINE_LOGIN,
    &AZURE_CLI_LOGIN,
    &AZURERM_MODULE,
    &MODULE_VERSION_TOO_OLD,
    &UNUSED_SUPPRESSION,
    &PARSE_ERROR,
];

/// A rule by code, case-insensitive.
pub fn by_code(code: &str) -> Option<&'static Rule> {
    ALL.iter().copied().find(|r| r.code.eq_ignore_ascii_case(code))
}

/// The Run As connections of `script` as a memory for later passes over its fixed
/// text, added to what `known` already held.
pub fn runas_memory(script: &Script, known: &RunAsMemory) -> RunAsMemory {
    Facts::new(script, known).memory()
}

/// What every rule reads: the script, the shared Run As analysis, the fix target.
pub struct Checker<'a, 't> {
    pub script: &'a Script<'t>,
    pub facts: &'a Facts,
    pub target: &'a MigrationTarget,
    pub diagnostics: Vec<Diagnostic>,
}

/// Run the code rules (everything but MI901/MI902, which look at the others' results).
pub fn check(script: &Script, target: &MigrationTarget, runas: &RunAsMemory) -> Vec<Diagnostic> {
    let facts = Facts::new(script, runas);
    let run = |rules: &[fn(&mut Checker)]| {
        let mut checker = Checker {
            script,
            facts: &facts,
            target,
            diagnostics: Vec::new(),
        };
        for rule in rules {
            rule(&mut checker);
        }
        checker.diagnostics
    };
    // Two groups of about equal cost, on two threads: the language server lints the
    // whole script after every keystroke. Each rule reads only the script and facts.
    let (mut diagnostics, others) = rayon::join(
        || {
            run(&[
                runas_connection::check,
                certificate_login::check,
                retry_loop::check,
                classic_runas::check,
                certificate_token::check,
                service_login::check,
                runas_account_creation::check,
                azurerm_module::check,
            ])
        },
        || {
            run(&[
                identity_token::check,
                azure_session_token::check,
                graph_login::check,
                graph_profile::check,
                context_autosave::check,
                module_version::check,
                retired_directory::check,
                azure_cli::check,
            ])
        },
    );
    diagnostics.extend(others);
    client_id::add_declarations(script, target, &mut diagnostics);
    diagnostics
}
