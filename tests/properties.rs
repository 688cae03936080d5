//! Property tests: runbooks generated from the shapes real ones take (any casing,
//! dashes, backticks, splats, loops, workflows, line endings, encodings), then mutated
//! with stray brackets, quotes and backticks. Whatever the input, `fix` must not panic,
//! must not add parse errors, must be idempotent, must keep the file's line endings,
//! and must leave every byte outside the text it changed identical after re-encoding.

use mimigrate::fix::{fix_text, FixMode};
use mimigrate::lint::{lint, LintOptions};
use mimigrate::source::{Encoding, SourceText};
use mimigrate::syntax::model::Script;
use mimigrate::target::{Identity, MigrationTarget};
use proptest::prelude::*;

/// Statement shapes, `{c}` standing for the connection variable.
const SHAPES: &[&str] = &[
    "$connectionName = 'AzureRunAsConnection'",
    "${c} = Get-AutomationConnection -Name AzureRunAsConnection",
    "${c} = Get-AutomationConnection \u{2013}Name $connectionName",
    "${c} = get-automationconnection 'AzureRunAsConnection'",
    "Connect-AzAccount -ServicePrincipal -Tenant ${c}.TenantID -ApplicationId ${c}.ApplicationID -CertificateThumbprint ${c}.CertificateThumbprint | Out-Null",
    "$null = Login-AzAccount -ServicePrincipal `\n    -Tenant ${c}.TenantId `\n    -ApplicationId ${c}.ApplicationId `\n    -CertificateThumbprint ${c}.CertificateThumbprint",
    "Add-AzureRmAccount \u{2013}ServicePrincipal \u{2013}TenantId ${c}.TenantId \u{2013}ApplicationId ${c}.ApplicationId \u{2013}CertificateThumbprint ${c}.CertificateThumbprint",
    "$p = @{ ServicePrincipal = $true; Tenant = ${c}.TenantId; ApplicationId = ${c}.ApplicationId; CertificateThumbprint = ${c}.CertificateThumbprint }\nConnect-AzAccount @p",
    "$logonAttempt = 0\nwhile (!($connectionResult) -and ($logonAttempt -le 10)) {\n    $LogonAttempt++\n    $connectionResult = Connect-AzAccount -ServicePrincipal -Tenant ${c}.TenantID -ApplicationId ${c}.ApplicationID -CertificateThumbprint ${c}.CertificateThumbprint\n    Start-Sleep -Seconds 30\n}",
    "try {\n    Connect-AzAccount -Identity\n} catch {\n    if (!${c}) { throw 'missing' } else { throw $_ }\n}",
    "Set-AzContext -SubscriptionId ${c}.SubscriptionID | Out-Null",
    "$tenant = ${c}.TenantID",
    "Disable-AzContextAutosave -Scope Process | Out-Null",
    "Connect-AzAccount -Identity",
    "Connect-MgGraph -ClientId ${c}.ApplicationId -TenantId ${c}.TenantId -CertificateThumbprint ${c}.CertificateThumbprint -NoWelcome",
    "Select-MgProfile -Name beta\nImport-Module Microsoft.Graph.Users\nGet-MgUser -All",
    "Select-MgProfile v1.0",
    "$r = Invoke-RestMethod -Uri \"$($env:IDENTITY_ENDPOINT)?resource=https://graph.microsoft.com\" -Headers @{ 'X-IDENTITY-HEADER' = $env:IDENTITY_HEADER }\nConnect-MgGraph -AccessToken $r.access_token",
    "$t = (Get-AzAccessToken -ResourceUrl 'https://management.azure.com').Token\nInvoke-RestMethod -Uri $u -Headers @{ Authorization = \"Bearer $t\" }",
    "# Connect-AzAccount -ServicePrincipal in a comment",
    "Write-Output 'Get-AutomationConnection -Name AzureRunAsConnection'",
    "# mimigrate: ignore[MI102]",
    "Get-AzVM | Stop-AzVM -Force",
    "$x = $y ?? 'default'",
];

/// Blocks a statement may be wrapped in.
const WRAPPERS: &[(&str, &str)] = &[
    ("", ""),
    ("function Invoke-Work {\n", "\n}"),
    ("workflow Stop-Things {\n", "\n}"),
    ("if ($Force) {\n", "\n}"),
    ("try {\n", "\n} catch { throw }"),
    ("foreach ($i in 1..2) {\n", "\n}"),
];

/// Bytes that break syntax in interesting ways.
const NOISE: &[&str] = &[
    "{", "}", "(", ")", "\"", "'", "`", "\n", "#", "$", "-", "@", "\u{2013}", "<#", "@\"\n",
];

fn runbook() -> impl Strategy<Value = String> {
    let statement = (0..SHAPES.len(), 0..WRAPPERS.len(), prop::bool::ANY);
    (
        prop::collection::vec(statement, 1..8),
        prop::sample::select(vec!["conn", "RunAs", "sp"]),
        prop::bool::ANY,
        prop::bool::ANY,
    )
        .prop_map(|(statements, connection, crlf, upper)| {
            let mut text = String::new();
            for (shape, wrapper, indent) in statements {
                let (open, close) = WRAPPERS[wrapper];
                let body = SHAPES[shape].replace("{c}", connection);
                let body = if indent { body.replace('\n', "\n    ") } else { body };
                text.push_str(&format!("{open}{body}{close}\n"));
            }
            let text = if upper { text.to_uppercase() } else { text };
            if crlf {
                text.replace('\n', "\r\n")
            } else {
                text
            }
        })
}

/// A runbook with a few bytes of noise spliced in at character boundaries.
fn mutated_runbook() -> impl Strategy<Value = String> {
    (
        runbook(),
        prop::collection::vec((any::<prop::sample::Index>(), 0..NOISE.len(), prop::bool::ANY), 0..4),
    )
        .prop_map(|(mut text, mutations)| {
            for (at, noise, delete) in mutations {
                let boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
                let at = boundaries[at.index(boundaries.len())];
                if delete && at < text.len() {
                    let next = boundaries.iter().find(|&&b| b > at).copied().unwrap_or(text.len());
                    text.replace_range(at..next, "");
                } else {
                    text.insert_str(at, NOISE[noise]);
                }
            }
            text
        })
}

fn options(user: bool) -> LintOptions {
    let identity = if user {
        Identity::UserClientIdVariable("UAMI".into())
    } else {
        Identity::System
    };
    LintOptions {
        target: MigrationTarget {
            identity,
            subscription: None,
        },
        ..LintOptions::default()
    }
}

fn check_fix(text: &str, user: bool, unsafe_fixes: bool) -> Result<(), TestCaseError> {
    let options = options(user);
    let mode = FixMode { unsafe_fixes };
    let outcome = fix_text(text, &options, mode);
    let errors_before = Script::parse(text).errors.len();
    let errors_after = Script::parse(&outcome.text).errors.len();
    prop_assert!(
        errors_after <= errors_before,
        "parse errors {errors_before} -> {errors_after}\n{text}\n---\n{}",
        outcome.text
    );
    prop_assert!(
        outcome.converged,
        "fixes did not settle on\n{}\n---\n{}",
        text,
        outcome.text
    );
    let again = fix_text(&outcome.text, &options, mode);
    prop_assert_eq!(&again.text, &outcome.text, "a second fix changed the text of\n{}", text);
    let crlf_only = text.contains("\r\n") && !text.replace("\r\n", "").contains('\n');
    if crlf_only {
        prop_assert!(
            !outcome.text.replace("\r\n", "").contains('\n'),
            "a lone LF was added to a CRLF file"
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 160, ..ProptestConfig::default() })]

    #[test]
    fn generated_runbooks_fix_safely(text in runbook(), user in any::<bool>(), unsafe_fixes in any::<bool>()) {
        check_fix(&text, user, unsafe_fixes)?;
    }

    #[test]
    fn mutated_runbooks_fix_safely(text in mutated_runbook(), unsafe_fixes in any::<bool>()) {
        check_fix(&text, false, unsafe_fixes)?;
    }

    #[test]
    fn any_text_lints_without_panicking(text in "\\PC{0,200}") {
        let _ = lint(&text, &LintOptions::default());
        let _ = fix_text(&text, &LintOptions::default(), FixMode { unsafe_fixes: true });
    }

    #[test]
    fn bytes_outside_the_changed_text_are_kept_in_every_encoding(text in runbook(), encoding in 0..4usize) {
        let bytes: Vec<u8> = match encoding {
            0 => [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat(),
            1 => [0xFF, 0xFE].into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect(),
            2 => [0xFE, 0xFF].into_iter().chain(text.encode_utf16().flat_map(u16::to_be_bytes)).collect(),
            _ => text.as_bytes().to_vec(),
        };
        let source = SourceText::decode(&bytes).unwrap();
        let fixed = fix_text(&source.text, &LintOptions::default(), FixMode { unsafe_fixes: true }).text;
        let output = source.encode(&fixed).unwrap();
        // The text that did not change, before and after the first and last change...
        let prefix = source.text.char_indices().zip(fixed.chars()).take_while(|((_, a), b)| a == b).last().map_or(0, |((i, c), _)| i + c.len_utf8());
        let suffix = source.text[prefix..].chars().rev().zip(fixed[prefix..].chars().rev()).take_while(|(a, b)| a == b).map(|(c, _)| c.len_utf8()).sum::<usize>();
        // ...is the same bytes in the file.
        let head = source.encode(&source.text[..prefix]).unwrap();
        let tail = SourceText { text: String::new(), encoding: if source.encoding == Encoding::Utf8Bom { Encoding::Utf8 } else { source.encoding } }
            .encode(&source.text[source.text.len() - suffix..])
            .unwrap();
        let tail = match source.encoding {
            Encoding::Utf16Le | Encoding::Utf16Be => tail[2..].to_vec(),
            _ => tail,
        };
        prop_assert!(bytes.starts_with(&head) && output.starts_with(&head));
        prop_assert!(bytes.ends_with(&tail) && output.ends_with(&tail));
        prop_assert_eq!(SourceText::decode(&output).unwrap().encoding, source.encoding);
    }
}
