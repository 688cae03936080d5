//! MI902 parse-error (docs: rules/MI902.md): the file has syntax the parser could not
//! read, where that matters. The engine withholds every fix touching an unreadable
//! region (`lint::withhold_fix_near_errors`); this rule then reports the regions that
//! matter, once per file, at the first of them.
//!
//! A region matters when
//! - the whole lines it covers hold a migration word (`MIGRATION_WORDS`): its text could
//!   hide a finding the rules would otherwise make; the lines, not the region alone,
//!   because a region can be a single byte while the line around it is what the tree
//!   lost; or
//! - a fix was withheld because it touches the region.
//!
//! A grammar gap in code with nothing to migrate is not reported: nothing mimigrate
//! looks for can be hiding there, and nothing it would change is held back.

use std::ops::Range;
use std::sync::LazyLock;

use regex::{Regex, RegexBuilder};

use super::PARSE_ERROR;
use crate::diagnostic::Diagnostic;
use crate::source::LineIndex;
use crate::syntax::model::Script;

/// The words that make an unreadable region matter, matched case-insensitively as
/// substrings of the region's lines (dashes as PowerShell reads them: an en or em dash
/// counts as `-`). Each names something a rule looks for; rules/MI902.md lists them.
pub const MIGRATION_WORDS: &[&str] = &[
    // Sign-ins (Az, AzureRM and classic forms, Graph, Exchange, PnP, Teams, Azure AD, MSOnline, CLI).
    "Connect-AzAccount",
    "Login-AzAccount",
    "Add-AzAccount",
    "Connect-AzureRmAccount",
    "Login-AzureRmAccount",
    "Add-AzureRmAccount",
    "Add-AzureAccount",
    "Connect-MgGraph",
    "Connect-Graph",
    "Connect-ExchangeOnline",
    "Connect-PnPOnline",
    "Connect-MicrosoftTeams",
    "Connect-AzureAD",
    "Connect-MsolService",
    "az login",
    // Tokens (`AccessToken` also covers `Get-AzAccessToken` and `-AccessToken`).
    "access_token",
    "Get-AzAccessToken",
    "AccessToken",
    "Bearer",
    // Run As connections and certificates.
    "Get-AutomationConnection",
    "RunAs",
    "CertificateThumbprint",
    "Get-AutomationCertificate",
    // Tokens made by hand with ADAL (MI106; MSAL ones need `Get-AutomationCertificate`).
    "IdentityModel.Clients.ActiveDirectory",
    "AuthenticationContext",
    "ClientAssertionCertificate",
    "AcquireToken",
    // Tokens made by hand with a client assertion signed with the Run As certificate (MI106).
    "client_assertion",
    // Run As accounts created or renewed (MI107; `ConnectionFieldValue` also covers
    // `Set-AzAutomationConnectionFieldValue` and its AzureRM name).
    "New-AzAutomationConnection",
    "New-AzureRmAutomationConnection",
    "ConnectionFieldValue",
    "New-AzAutomationCertificate",
    "New-AzureRmAutomationCertificate",
    "Set-AzAutomationCertificate",
    "Set-AzureRmAutomationCertificate",
    // Tokens from Az.Accounts' internals (MI205).
    "AzureSession",
    "TokenCache",
    // Classic (Service Management) subscriptions (MI105).
    "Select-AzureSubscription",
    "Set-AzureSubscription",
    // Managed-identity endpoints.
    "IDENTITY_ENDPOINT",
    "MSI_ENDPOINT",
    "169.254.169.254",
    // Graph profiles (`Select-MgProfile`, `Get-MgProfile`).
    "MgProfile",
    // Context autosave (`Disable-AzContextAutosave`, `Disable-AzureRmContextAutosave`).
    "ContextAutosave",
    // AzureRM commands and modules (`Get-AzureRmVM`, `AzureRM.Profile`, `Enable-AzureRmAlias`).
    "AzureRm",
    // Suppression comments: an unread one may leave a finding unsuppressed or flag itself unused.
    "mimigrate:",
];

/// Which unreadable regions held back a fix, filled by the engine while it withholds
/// fixes (`lint::withhold_fix_near_errors`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WithheldFixes {
    /// Per region of `Script::errors`: a fix touching it was withheld.
    pub regions: Vec<bool>,
    /// How many fixes were withheld.
    pub fixes: usize,
}

impl WithheldFixes {
    pub fn new(script: &Script) -> Self {
        WithheldFixes {
            regions: vec![false; script.errors.len()],
            fixes: 0,
        }
    }

    /// Record a withheld fix whose edits touch the regions `touched` (indices into
    /// `Script::errors`).
    pub fn record(&mut self, touched: impl IntoIterator<Item = usize>) {
        for region in touched {
            if let Some(flag) = self.regions.get_mut(region) {
                *flag = true;
            }
        }
        self.fixes += 1;
    }

    fn region(&self, index: usize) -> bool {
        self.regions.get(index).copied().unwrap_or(false)
    }
}

pub fn check(script: &Script, lines: &LineIndex, withheld: &WithheldFixes) -> Option<Diagnostic> {
    let mattering: Vec<&Range<usize>> = script
        .errors
        .iter()
        .enumerate()
        .filter(|(index, region)| withheld.region(*index) || holds_migration_word(script.text, lines, region))
        .map(|(_, region)| region)
        .collect();
    let first = *mattering.first()?;
    let regions = mattering.len();
    let fixes = match withheld.fixes {
        0 => "no fix was withheld".to_owned(),
        1 => "1 fix touching it was withheld".to_owned(),
        n => format!("{n} fixes touching it were withheld"),
    };
    let message = format!(
        "the parser could not read this syntax ({regions} region{} in migration code); findings inside it may be missed; {fixes}",
        if regions == 1 { "" } else { "s" }
    );
    Some(PARSE_ERROR.diagnostic(first.clone(), message, None))
}

/// Whether the whole lines `region` covers hold one of `MIGRATION_WORDS`.
fn holds_migration_word(text: &str, lines: &LineIndex, region: &Range<usize>) -> bool {
    mentions_migration_word(covered_lines(text, lines, region))
}

/// Whether `text` holds one of `MIGRATION_WORDS` (case-insensitively, any dash as `-`).
/// A script that holds none can have no finding: the engine does not even parse it.
pub fn mentions_migration_word(text: &str) -> bool {
    static WORDS: LazyLock<Regex> = LazyLock::new(|| {
        let words: Vec<String> = MIGRATION_WORDS
            .iter()
            .map(|word| regex::escape(word).replace("\\-", "(?:-|\u{2013}|\u{2014}|\u{2015})"))
            .collect();
        // ASCII case folding only: Unicode's (`k` as the Kelvin sign) would defeat the
        // literal search that makes this cheaper than parsing.
        RegexBuilder::new(&words.join("|"))
            .case_insensitive(true)
            .unicode(false)
            .build()
            .expect("valid pattern")
    });
    WORDS.is_match(text)
}

/// The text of the lines from the one where `region` starts to the one holding its last
/// byte (a region ending with a line break does not reach into the next line).
fn covered_lines<'t>(text: &'t str, lines: &LineIndex, region: &Range<usize>) -> &'t str {
    text.get(covered_range(text, lines, region)).unwrap_or("")
}

/// Where the whole lines `region` covers start and end.
pub(super) fn covered_range(text: &str, lines: &LineIndex, region: &Range<usize>) -> Range<usize> {
    let start = region.start.min(text.len());
    let last = region.end.saturating_sub(1).max(start).min(text.len());
    let from = lines.line_start(lines.line_of(start));
    let next = lines.line_of(last) + 1;
    let to = if next < lines.line_count() {
        lines.line_start(next)
    } else {
        text.len()
    };
    from..to
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::{lint, LintOptions};

    fn mi902(text: &str) -> Vec<Diagnostic> {
        lint(text, &LintOptions::default())
            .into_iter()
            .filter(|d| d.code == "MI902")
            .collect()
    }

    /// A PowerShell 7 ternary, a gap in the pinned grammar (grammar/gaps/ternary-operator.ps1).
    const TERNARY_WITH_SIGN_IN: &str = "\
Disable-AzContextAutosave -Scope Process | Out-Null
$account = $env:ClientId ? (Connect-AzAccount -Identity -AccountId $env:ClientId) : (Connect-AzAccount -Identity)
Get-AzVM | Stop-AzVM -Force
";

    const TERNARY_WITHOUT_MIGRATION: &str = "\
Disable-AzContextAutosave -Scope Process | Out-Null
Connect-AzAccount -Identity | Out-Null

$vms = Get-AzVM -Status
foreach ($vm in $vms) {
    $state = $vm.PowerState -eq 'VM running' ? 'running' : 'stopped'
    Write-Output \"$($vm.Name): $state\"
}
";

    #[test]
    fn a_region_holding_a_sign_in_is_reported() {
        let script = Script::parse(TERNARY_WITH_SIGN_IN);
        assert!(!script.errors.is_empty(), "the ternary is a grammar gap");
        let found = mi902(TERNARY_WITH_SIGN_IN);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            LineIndex::new(TERNARY_WITH_SIGN_IN).line_of(found[0].range.start),
            1,
            "at the region on the sign-in line"
        );
        assert!(found[0].message.contains("in migration code"), "{}", found[0].message);
        assert!(found[0].message.contains("no fix was withheld"), "{}", found[0].message);
    }

    #[test]
    fn a_region_in_code_with_nothing_to_migrate_is_not_reported() {
        let script = Script::parse(TERNARY_WITHOUT_MIGRATION);
        assert!(!script.errors.is_empty(), "the ternary is a grammar gap");
        assert_eq!(mi902(TERNARY_WITHOUT_MIGRATION), Vec::new());
    }

    #[test]
    fn a_region_that_held_back_a_fix_is_reported_without_a_migration_word() {
        let script = Script::parse(TERNARY_WITHOUT_MIGRATION);
        let lines = LineIndex::new(TERNARY_WITHOUT_MIGRATION);
        assert_eq!(check(&script, &lines, &WithheldFixes::new(&script)), None);
        let mut withheld = WithheldFixes::new(&script);
        withheld.record([script.errors.len() - 1]);
        let found = check(&script, &lines, &withheld).expect("reported");
        assert_eq!(&found.range, script.errors.last().unwrap());
        assert!(
            found.message.contains("1 fix touching it was withheld"),
            "{}",
            found.message
        );
    }

    #[test]
    fn a_fix_withheld_by_the_engine_is_reported_at_its_region() {
        // The Run As sign-in's last argument is a grammar gap (a bare word starting with a
        // variable) on a line with no migration word; the MI102 rewrite of the whole
        // command touches it and is withheld, which alone makes the region matter.
        let text = "\
$conn = Get-AutomationConnection -Name 'AzureRunAsConnection'
Connect-AzAccount -ServicePrincipal -Tenant $conn.TenantId -ApplicationId $conn.ApplicationId `
    -CertificateThumbprint $conn.CertificateThumbprint `
    -Subscription $env:Subscriptions\\prod | Out-Null
";
        let script = Script::parse(text);
        let lines = LineIndex::new(text);
        assert_eq!(script.errors.len(), 1, "{:?}", script.errors);
        assert_eq!(lines.line_of(script.errors[0].start), 3);
        assert!(!holds_migration_word(text, &lines, &script.errors[0]));
        let found = lint(text, &LintOptions::default());
        let mi102 = found.iter().find(|d| d.code == "MI102").expect("MI102");
        assert!(mi102.fix.as_ref().unwrap().message.contains("withheld"), "{mi102:?}");
        let mi902: Vec<_> = found.iter().filter(|d| d.code == "MI902").collect();
        assert_eq!(mi902.len(), 1, "{found:?}");
        assert_eq!(mi902[0].range, script.errors[0]);
        assert!(
            mi902[0].message.contains("1 fix touching it was withheld"),
            "{}",
            mi902[0].message
        );
    }

    #[test]
    fn one_finding_at_the_first_region_that_matters_with_their_count() {
        // Three bare words starting with a variable (a grammar gap); the first names
        // nothing to migrate, the other two a token helper and a sign-in script.
        let text = "\
Disable-AzContextAutosave -Scope Process | Out-Null
Connect-AzAccount -Identity | Out-Null
Expand-Archive -Path $LocalFolder\\Reports.zip -DestinationPath $env:TEMP
Import-Module $LocalFolder\\Tokens\\AccessTokenHelper.psd1
Unblock-File $LocalFolder\\Connect-AzAccount.ps1
";
        let script = Script::parse(text);
        assert_eq!(script.errors.len(), 3, "{:?}", script.errors);
        let found = mi902(text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].range, script.errors[1]);
        assert!(
            found[0].message.contains("(2 regions in migration code)"),
            "{}",
            found[0].message
        );
    }

    #[test]
    fn words_match_whole_lines_case_insensitively() {
        let text = "$a = 1\n$ctx = CONNECT-AZACCOUNT -identity; $x = 2\n$b = 3\r\n";
        let lines = LineIndex::new(text);
        let at = text.find("$x").unwrap();
        assert!(holds_migration_word(text, &lines, &(at..at + 2)));
        assert!(holds_migration_word(text, &lines, &(at..at)));
        assert!(!holds_migration_word(text, &lines, &(0..2)));
        // A region ending with its line break stays on its line.
        assert!(!holds_migration_word(text, &lines, &(0..7)));
        assert!(holds_migration_word(text, &lines, &(0..8)));
        let dashed = "Connect\u{2013}MgGraph -Identity";
        assert!(holds_migration_word(dashed, &LineIndex::new(dashed), &(0..1)));
    }

    #[test]
    fn every_word_is_documented() {
        for word in MIGRATION_WORDS {
            assert!(
                PARSE_ERROR.documentation.contains(&format!("`{word}`")),
                "rules/MI902.md does not list `{word}`"
            );
        }
    }
}
