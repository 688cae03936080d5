//! `mimigrate fix` as users and pre-commit drive it: writes, diffs, exit codes, stdin,
//! encodings and line endings kept, files that cannot be written left alone.

mod common;

use common::{mimigrate, mimigrate_with_stdin};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const RUNAS: &str = "$conn = Get-AutomationConnection -Name AzureRunAsConnection\r\n\
Connect-AzAccount -ServicePrincipal -Tenant $conn.TenantID `\r\n\
    -ApplicationId $conn.ApplicationID -CertificateThumbprint $conn.CertificateThumbprint | Out-Null\r\n\
Set-AzContext -SubscriptionId $conn.SubscriptionID\r\n";

#[test]
fn fix_rewrites_in_place_and_reports_what_is_left() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.ps1"), RUNAS).unwrap();
    let output = mimigrate(&["fix", "--format", "concise", "a.ps1"], dir.path());
    let fixed = std::fs::read_to_string(dir.path().join("a.ps1")).unwrap();
    assert_eq!(
        fixed,
        "$conn = Get-AutomationConnection -Name AzureRunAsConnection\r\n\
         Disable-AzContextAutosave -Scope Process | Out-Null\r\n\
         Connect-AzAccount -Identity | Out-Null\r\n\
         Set-AzContext -SubscriptionId $conn.SubscriptionID\r\n"
    );
    let out = text(&output.stdout);
    // What safe fixes cannot do is left for --unsafe-fixes, and said so.
    assert!(out.contains("a.ps1:4:31: MI104"), "{out}");
    assert!(
        out.contains("Fixed 2 findings in 1 file; 2 findings left (1 more fixable with --unsafe-fixes)."),
        "{out}"
    );
    assert_eq!(output.status.code(), Some(1));

    let output = mimigrate(&["fix", "--unsafe-fixes", "--format", "concise", "a.ps1"], dir.path());
    let fixed = std::fs::read_to_string(dir.path().join("a.ps1")).unwrap();
    assert!(!fixed.contains("Get-AutomationConnection"), "{fixed}");
    assert!(fixed.contains("(Get-AzContext).Subscription.Id"), "{fixed}");
    assert!(!fixed.replace("\r\n", "").contains('\n'), "line endings stay CRLF");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stdout));
}

#[test]
fn diff_and_check_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.ps1"), RUNAS).unwrap();
    let diff = mimigrate(&["fix", "--diff", "a.ps1"], dir.path());
    let out = text(&diff.stdout);
    assert!(out.starts_with("--- a/a.ps1\n+++ b/a.ps1\n@@"), "{out}");
    assert!(out.contains("+Connect-AzAccount -Identity | Out-Null\r\n"), "{out}");
    assert!(
        out.contains("Would fix 2 findings in 1 file; 2 findings left (1 more fixable with --unsafe-fixes)"),
        "{out}"
    );
    let check = mimigrate(&["fix", "--check", "a.ps1"], dir.path());
    assert_eq!(check.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(dir.path().join("a.ps1")).unwrap(), RUNAS);
    std::fs::write(
        dir.path().join("clean.ps1"),
        "Disable-AzContextAutosave -Scope Process\nConnect-AzAccount -Identity\n",
    )
    .unwrap();
    assert_eq!(
        mimigrate(&["fix", "--check", "clean.ps1"], dir.path()).status.code(),
        Some(0)
    );
}

#[test]
fn exit_non_zero_on_fix() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.ps1"), "Connect-AzAccount -Identity\n").unwrap();
    let output = mimigrate(&["fix", "--exit-non-zero-on-fix", "a.ps1"], dir.path());
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        mimigrate(&["fix", "--exit-non-zero-on-fix", "a.ps1"], dir.path())
            .status
            .code(),
        Some(0),
        "nothing left to fix"
    );
}

#[test]
fn stdin_to_stdout_keeps_the_encoding() {
    let dir = tempfile::tempdir().unwrap();
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(
            "Connect-AzAccount -Identity\r\n"
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        )
        .collect();
    let output = mimigrate_with_stdin(&["fix", "--stdin-filename", "x.ps1", "-"], dir.path(), &utf16);
    let expected: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(
            "Disable-AzContextAutosave -Scope Process | Out-Null\r\nConnect-AzAccount -Identity\r\n"
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        )
        .collect();
    assert_eq!(output.stdout, expected);
    assert!(
        text(&output.stderr).contains("Fixed 1 finding in 1 file"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn every_encoding_survives_a_fix_byte_for_byte_outside_the_edit() {
    let dir = tempfile::tempdir().unwrap();
    let body = "# caf\u{e9} \u{2013} r\u{e9}sum\u{e9}\r\n\r\nConnect-AzAccount -Identity\r\nWrite-Output 'fin'\r\n";
    let utf8_bom = [b"\xEF\xBB\xBF".as_slice(), body.as_bytes()].concat();
    let utf16be: Vec<u8> = [0xFE, 0xFF]
        .into_iter()
        .chain(body.encode_utf16().flat_map(u16::to_be_bytes))
        .collect();
    let cp1252: Vec<u8> =
        b"# caf\xe9 \x96 r\xe9sum\xe9\r\n\r\nConnect-AzAccount -Identity\r\nWrite-Output 'fin'\r\n".to_vec();
    for (name, bytes) in [("bom.ps1", utf8_bom), ("be.ps1", utf16be), ("ansi.ps1", cp1252)] {
        let path = dir.path().join(name);
        std::fs::write(&path, &bytes).unwrap();
        mimigrate(&["fix", name], dir.path());
        let after = std::fs::read(&path).unwrap();
        let source = mimigrate::source::SourceText::decode(&bytes).unwrap();
        let expected_text = source.text.replace(
            "Connect-AzAccount",
            "Disable-AzContextAutosave -Scope Process | Out-Null\r\nConnect-AzAccount",
        );
        assert_eq!(after, source.encode(&expected_text).unwrap(), "{name}");
    }
}

#[test]
fn a_link_out_of_the_tree_is_not_written() {
    let outside = tempfile::tempdir().unwrap();
    let tree = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("shared.ps1"), "Connect-AzAccount -Identity\n").unwrap();
    std::os::unix::fs::symlink(outside.path().join("shared.ps1"), tree.path().join("link.ps1")).unwrap();
    let output = mimigrate(&["fix", "."], tree.path());
    assert!(
        text(&output.stderr).contains("link.ps1: skipped: symbolic link to"),
        "{}",
        text(&output.stderr)
    );
    assert_eq!(
        std::fs::read_to_string(outside.path().join("shared.ps1")).unwrap(),
        "Connect-AzAccount -Identity\n"
    );
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn user_assigned_identity_from_the_config() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("mimigrate.toml"),
        "[identity]\nkind = \"user\"\nclient-id-variable = \"UAMI\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("a.ps1"),
        "param([string]$x)\nConnect-MgGraph -AccessToken (Get-AzAccessToken -ResourceTypeName MSGraph).Token\n",
    )
    .unwrap();
    mimigrate(&["fix", "--unsafe-fixes", "a.ps1"], dir.path());
    assert_eq!(
        std::fs::read_to_string(dir.path().join("a.ps1")).unwrap(),
        "param([string]$x)\n$IdentityClientId = Get-AutomationVariable -Name 'UAMI'\nConnect-MgGraph -Identity -ClientId $IdentityClientId\n"
    );
}

#[test]
fn a_client_id_that_is_not_a_guid_is_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let script = "Connect-AzAccount -ServicePrincipal -CertificateThumbprint $c.CertificateThumbprint -ApplicationId $c.ApplicationId\n";
    std::fs::write(dir.path().join("a.ps1"), script).unwrap();
    let output = mimigrate(
        &["fix", "--identity", "user", "--client-id", "my-uami", "a.ps1"],
        dir.path(),
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("`my-uami` is not a client id"));
    std::fs::write(
        dir.path().join("mimigrate.toml"),
        "[identity]\nkind = \"user\"\nclient-id = \"UAMI_ClientId\"\n",
    )
    .unwrap();
    let output = mimigrate(&["fix", "a.ps1"], dir.path());
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("identity.client-id"));
    assert_eq!(std::fs::read_to_string(dir.path().join("a.ps1")).unwrap(), script);
}

#[test]
fn a_module_qualified_sign_in_stays_qualified() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.ps1"),
        "$c = Get-AutomationConnection -Name AzureRunAsConnection\nAz.Accounts\\Login-AzAccount -ServicePrincipal -Tenant $c.TenantId -ApplicationId $c.ApplicationId -CertificateThumbprint $c.CertificateThumbprint\n",
    )
    .unwrap();
    mimigrate(
        &[
            "fix",
            "--identity",
            "user",
            "--client-id",
            "{0F3C2B1A-9D8E-4C7B-A6F5-E4D3C2B1A098}",
            "a.ps1",
        ],
        dir.path(),
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("a.ps1")).unwrap(),
        "Disable-AzContextAutosave -Scope Process | Out-Null\nAz.Accounts\\Connect-AzAccount -Identity -AccountId '0F3C2B1A-9D8E-4C7B-A6F5-E4D3C2B1A098'\n"
    );
}

#[test]
fn an_exchange_organization_from_the_command_line_replaces_the_tenant_id() {
    let dir = tempfile::tempdir().unwrap();
    let script = "$conn = Get-AutomationConnection -Name AzureRunAsConnection\nConnect-ExchangeOnline -AppId $conn.ApplicationId -CertificateThumbprint $conn.CertificateThumbprint -Organization $conn.TenantId\n";
    std::fs::write(dir.path().join("a.ps1"), script).unwrap();
    let output = mimigrate(&["fix", "--exchange-organization", "contoso", "a.ps1"], dir.path());
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not an Exchange organization"));
    mimigrate(
        &["fix", "--exchange-organization", "contoso.onmicrosoft.com", "a.ps1"],
        dir.path(),
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("a.ps1")).unwrap(),
        "Connect-ExchangeOnline -ManagedIdentity -Organization 'contoso.onmicrosoft.com'\n"
    );
}

/// `check`'s `[*]` marks and "N fixable" count say exactly what `fix` then does.
#[test]
fn check_counts_what_fix_resolves() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    for entry in std::fs::read_dir(&corpus).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "ps1") {
            std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
        }
    }
    let check = String::from_utf8(mimigrate(&["check", "--format", "concise", "."], dir.path()).stdout).unwrap();
    let marked = check.lines().filter(|l| l.contains(" [*] ")).count();
    let fixable = check
        .lines()
        .last()
        .and_then(|l| l.split("; ").nth(1))
        .and_then(|part| part.split(' ').next())
        .and_then(|n| n.parse::<usize>().ok())
        .expect("a fixable count");
    assert_eq!(marked, fixable, "{check}");
    let fix = String::from_utf8(mimigrate(&["fix", "--format", "concise", "."], dir.path()).stdout).unwrap();
    let summary = fix.lines().last().unwrap();
    assert!(
        summary.starts_with(&format!("Fixed {fixable} finding")),
        "{summary}\n{check}"
    );
    // Every finding `check` marked is gone, and no finding left is marked fixable.
    let after = String::from_utf8(mimigrate(&["check", "--format", "concise", "."], dir.path()).stdout).unwrap();
    assert!(!after.contains(" [*] "), "{after}");
}

/// What `fix` says is left is what a later `check` of the fixed file finds: a custom
/// connection whose sign-in was rewritten is still known as Run As.
#[test]
fn a_later_check_finds_what_fix_said_was_left() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    std::fs::copy(
        corpus.join("custom-connection-remembered.ps1"),
        dir.path().join("a.ps1"),
    )
    .unwrap();
    let fix = String::from_utf8(mimigrate(&["fix", "--format", "concise", "a.ps1"], dir.path()).stdout).unwrap();
    assert!(fix.lines().last().unwrap().contains("; 2 findings left"), "{fix}");
    let check = String::from_utf8(mimigrate(&["check", "--format", "concise", "a.ps1"], dir.path()).stdout).unwrap();
    let codes: Vec<&str> = check.lines().filter_map(|l| l.split(": ").nth(1)).collect();
    assert_eq!(codes.len(), 2, "{check}");
    assert!(check.contains("MI101") && check.contains("MI104"), "{check}");
}

#[test]
fn a_diff_exits_like_the_fix_and_git_applies_it_to_crlf_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("runbooks")).unwrap();
    std::fs::write(dir.path().join("runbooks/a.ps1"), RUNAS).unwrap();
    let diff = mimigrate(&["fix", "--diff", "--quiet", "runbooks/a.ps1"], dir.path());
    std::fs::write(dir.path().join("fix.patch"), &diff.stdout).unwrap();

    let fixed = tempfile::tempdir().unwrap();
    std::fs::create_dir(fixed.path().join("runbooks")).unwrap();
    std::fs::write(fixed.path().join("runbooks/a.ps1"), RUNAS).unwrap();
    let fix = mimigrate(&["fix", "--quiet", "runbooks/a.ps1"], fixed.path());
    assert_eq!(diff.status.code(), fix.status.code(), "--diff exits as fix would");
    assert_eq!(fix.status.code(), Some(1), "a finding is left");

    let apply = std::process::Command::new("git")
        .args(["apply", "--verbose", "fix.patch"])
        .current_dir(dir.path())
        .output()
        .expect("git runs");
    assert!(apply.status.success(), "git apply: {}", text(&apply.stderr));
    assert_eq!(
        std::fs::read(dir.path().join("runbooks/a.ps1")).unwrap(),
        std::fs::read(fixed.path().join("runbooks/a.ps1")).unwrap(),
        "the applied diff gives what fix writes, CRLF and all"
    );
}

#[test]
fn the_summary_counts_what_unsafe_fixes_would_add() {
    let dir = tempfile::tempdir().unwrap();
    let retry = "$attempt = 0\nwhile ($attempt -lt 3) {\n    $attempt++\n    Write-Output \"try $attempt\"\n    Connect-AzAccount -Identity\n    Start-Sleep -Seconds 5\n}\n";
    std::fs::write(dir.path().join("a.ps1"), retry).unwrap();
    for args in [&["fix", "--diff", "a.ps1"][..], &["fix", "a.ps1"]] {
        let output = mimigrate(args, dir.path());
        let out = text(&output.stdout);
        assert!(out.contains("more fixable with --unsafe-fixes"), "{args:?}: {out}");
    }
}
