//! The `mimigrate` binary as users and CI drive it: exit codes, formats, bad input,
//! configuration and selection.

mod common;

use common::{mimigrate, mimigrate_with_stdin, stderr, stdout};

const RUNAS: &str = "$conn = Get-AutomationConnection -Name AzureRunAsConnection\n\
Disable-AzContextAutosave -Scope Process | Out-Null\n\
Connect-AzAccount -ServicePrincipal -Tenant $conn.TenantID -ApplicationId $conn.ApplicationID -CertificateThumbprint $conn.CertificateThumbprint\n";

const MIGRATED: &str = "Disable-AzContextAutosave -Scope Process | Out-Null\nConnect-AzAccount -Identity\n";

#[test]
fn bad_files_are_reported_and_the_rest_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("binary.ps1"), b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap();
    std::fs::write(root.join("empty.ps1"), b"").unwrap();
    std::fs::write(
        root.join("ansi.ps1"),
        b"# caf\xe9\r\n$c = Get-AutomationConnection \x96Name AzureRunAsConnection\r\n",
    )
    .unwrap();
    std::fs::write(root.join("broken-utf16.ps1"), b"\xff\xfeA").unwrap();
    std::fs::write(root.join("runas.ps1"), RUNAS).unwrap();
    std::os::unix::fs::symlink(root.join("missing-target.ps1"), root.join("dangling.ps1")).unwrap();
    std::fs::create_dir(root.join("loop")).unwrap();
    std::os::unix::fs::symlink(root.join("loop"), root.join("loop").join("again")).unwrap();
    std::fs::write(root.join("notes.txt"), RUNAS).unwrap();

    let output = mimigrate(&["check", "--format", "concise", "."], root);
    let (out, err) = (stdout(&output), stderr(&output));
    assert_eq!(output.status.code(), Some(1), "{out}\n{err}");
    assert!(err.contains("binary.ps1: skipped: binary file"), "{err}");
    assert!(err.contains("broken-utf16.ps1: skipped: invalid UTF-16"), "{err}");
    assert!(
        err.contains("mimigrate: dangling.ps1: skipped: dangling symbolic link"),
        "{err}"
    );
    assert!(err.contains("symlink loop"), "{err}");
    assert!(err.contains("ansi.ps1: not valid UTF-8, read as Windows-1252"), "{err}");
    // The en-dash read from Windows-1252 byte 0x96 is still a parameter dash.
    assert!(out.contains("ansi.ps1:2:1: MI101"), "{out}");
    // The connection's own fix waits for its sign-in to be rewritten, but `fix` removes
    // it in the same run, so `[*]` says it is fixable.
    assert!(out.contains("runas.ps1:1:1: MI101 [*] Run As connection"), "{out}");
    assert!(out.contains("runas.ps1:3:1: MI102 [*]"), "{out}");
    assert!(!out.contains("empty.ps1") && !out.contains("notes.txt"), "{out}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn exit_codes_follow_the_findings() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("clean.ps1"), MIGRATED).unwrap();
    assert_eq!(mimigrate(&["check", "clean.ps1"], dir.path()).status.code(), Some(0));
    std::fs::write(dir.path().join("runas.ps1"), RUNAS).unwrap();
    assert_eq!(mimigrate(&["check", "."], dir.path()).status.code(), Some(1));
    assert_eq!(
        mimigrate(&["check", "--exit-zero", "."], dir.path()).status.code(),
        Some(0)
    );
    assert_eq!(
        mimigrate(&["."], dir.path()).status.code(),
        Some(1),
        "check is the default command"
    );
    let usage = mimigrate(&["check", "--select", "MI10O", "."], dir.path());
    assert_eq!(usage.status.code(), Some(2));
    assert!(stderr(&usage).contains("MI10O"));
}

#[test]
fn json_output_has_the_documented_schema() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("runas.ps1"), RUNAS).unwrap();
    let output = mimigrate(&["check", "--format", "json", "runas.ps1"], dir.path());
    let findings: serde_json::Value = serde_json::from_slice(&output.stdout).expect("a JSON array");
    let findings = findings.as_array().unwrap();
    assert_eq!(findings.len(), 2);
    let login = &findings[1];
    assert_eq!(login["path"], "runas.ps1");
    assert_eq!(login["code"], "MI102");
    assert_eq!(login["name"], "certificate-login");
    assert_eq!(login["severity"], "error");
    assert_eq!(login["start"], serde_json::json!({"line": 3, "column": 1}));
    assert_eq!(login["end"]["line"], 3);
    assert_eq!(
        login["url"],
        format!("{}/blob/main/rules/MI102.md", env!("CARGO_PKG_REPOSITORY"))
    );
    assert_eq!(login["fix"]["applicability"], "safe");
    assert_eq!(login["fix"]["edits"][0]["content"], "Connect-AzAccount -Identity");
    let lines = stdout(&mimigrate(
        &["check", "--format", "json-lines", "runas.ps1"],
        dir.path(),
    ));
    assert_eq!(lines.lines().count(), 2);
    assert!(lines
        .lines()
        .all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok()));
}

#[test]
fn columns_count_characters_not_bytes() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("dash.ps1"),
        "Write-Output 'é' ; $c = Get-AutomationConnection \u{2013}Name AzureRunAsConnection\n",
    )
    .unwrap();
    let output = mimigrate(&["check", "--format", "json", "dash.ps1"], dir.path());
    let findings: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(findings[0]["start"], serde_json::json!({"line": 1, "column": 20}));
}

#[test]
fn select_ignore_and_config() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("archive")).unwrap();
    std::fs::create_dir_all(root.join("legacy")).unwrap();
    std::fs::write(root.join("archive/old.ps1"), RUNAS).unwrap();
    std::fs::write(root.join("legacy/login.ps1"), "Connect-AzAccount -Identity\n").unwrap();
    std::fs::write(root.join("runas.ps1"), RUNAS).unwrap();
    std::fs::write(
        root.join("mimigrate.toml"),
        "exclude = [\"archive/**\"]\n[lint.per-file-ignores]\n\"legacy/**\" = [\"MI401\"]\n",
    )
    .unwrap();
    let out = stdout(&mimigrate(&["check", "--format", "concise", "."], root));
    assert!(!out.contains("archive"), "{out}");
    assert!(!out.contains("legacy"), "{out}");
    assert!(out.contains("runas.ps1:1:1: MI101"), "{out}");

    let out = stdout(&mimigrate(
        &[
            "check", "--format", "concise", "--select", "MI1", "--ignore", "MI101", ".",
        ],
        root,
    ));
    assert!(out.contains("MI102") && !out.contains("MI101"), "{out}");

    // Named explicitly, an excluded file is checked unless --force-exclude (pre-commit).
    assert!(stdout(&mimigrate(&["check", "--format", "concise", "archive/old.ps1"], root)).contains("MI101"));
    let forced = mimigrate(
        &["check", "--format", "concise", "--force-exclude", "archive/old.ps1"],
        root,
    );
    assert!(!stdout(&forced).contains("MI101"));

    std::fs::write(
        root.join("mimigrate.toml"),
        "[lint]\nselect = [\"MI\"]\nignroe = [\"MI401\"]\n",
    )
    .unwrap();
    let bad = mimigrate(&["check", "."], root);
    assert_eq!(bad.status.code(), Some(2));
    let err = stderr(&bad);
    assert!(err.contains("mimigrate.toml") && err.contains("ignroe"), "{err}");
    assert_eq!(
        mimigrate(&["check", "--no-config", "--format", "concise", "runas.ps1"], root)
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn suppressions_and_unused_suppressions() {
    let dir = tempfile::tempdir().unwrap();
    let text = "# mimigrate: file-ignore[MI401]\n$conn = Get-AutomationConnection -Name AzureRunAsConnection # mimigrate: ignore[MI101]\n\
                # mimigrate: ignore[MI102]\nConnect-AzAccount -ServicePrincipal -CertificateThumbprint $conn.CertificateThumbprint `\n  -ApplicationId $conn.ApplicationID\n\
                Get-AzVM # mimigrate: ignore[MI104]\n";
    std::fs::write(dir.path().join("s.ps1"), text).unwrap();
    let out = stdout(&mimigrate(&["check", "--format", "concise", "s.ps1"], dir.path()));
    assert_eq!(
        out.lines().filter(|l| l.contains(": MI")).collect::<Vec<_>>(),
        ["s.ps1:6:10: MI901 [*] suppression of MI104 suppresses nothing"],
        "{out}"
    );
    std::fs::write(dir.path().join("s.ps1"), "Get-AzVM # mimigrate: ignore[MI104, MI1O4]\n").unwrap();
    let out = stdout(&mimigrate(&["check", "--format", "concise", "s.ps1"], dir.path()));
    assert!(
        out.contains("suppression of MI104, MI1O4 suppresses nothing: MI1O4 is not a rule of this version"),
        "a typo in a suppression is named: {out}"
    );
}

#[test]
fn stdin_is_checked_under_its_given_name() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "check",
        "--format",
        "concise",
        "--stdin-filename",
        "runbooks/x.ps1",
        "-",
    ];
    let output = mimigrate_with_stdin(&args, dir.path(), RUNAS.as_bytes());
    assert!(
        stdout(&output).contains("runbooks/x.ps1:3:1: MI102"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn rule_prints_documentation_and_lists_rules() {
    let dir = tempfile::tempdir().unwrap();
    let doc = stdout(&mimigrate(&["rule", "mi102"], dir.path()));
    assert!(doc.starts_with("# MI102 certificate-login"));
    let list = stdout(&mimigrate(&["rule"], dir.path()));
    for code in ["MI101", "MI106", "MI204", "MI304", "MI401", "MI901", "MI902"] {
        assert!(list.contains(code), "{list}");
    }
    assert_eq!(mimigrate(&["rule", "MI999"], dir.path()).status.code(), Some(2));
    let by_name = stdout(&mimigrate(&["rule", "Certificate-Login"], dir.path()));
    assert_eq!(by_name, doc, "a rule's name finds it as its code does");
}

#[test]
fn a_mistyped_command_is_named_and_a_path_of_that_name_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    let typo = mimigrate(&["chek"], dir.path());
    assert_eq!(typo.status.code(), Some(2));
    assert!(
        stderr(&typo).contains("unknown command `chek`") && stderr(&typo).contains("did you mean `check`?"),
        "{}",
        stderr(&typo)
    );
    // A folder that happens to be named like a typo is a folder.
    std::fs::create_dir(dir.path().join("fixx")).unwrap();
    std::fs::write(dir.path().join("fixx/a.ps1"), RUNAS).unwrap();
    let folder = mimigrate(&["fixx", "--format", "concise"], dir.path());
    assert!(stdout(&folder).contains("MI102"), "{}", stderr(&folder));
    // Not like any command: a missing path, as before.
    let missing = mimigrate(&["runbooks"], dir.path());
    assert!(
        stderr(&missing).contains("runbooks: no such file or folder"),
        "{}",
        stderr(&missing)
    );
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn output_format_is_accepted_as_ruff_spells_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.ps1"), RUNAS).unwrap();
    let json = stdout(&mimigrate(&["check", "--output-format", "json"], dir.path()));
    assert!(
        json.trim_start().starts_with('[') && json.contains("\"MI102\""),
        "{json}"
    );
}

#[test]
fn full_format_shows_the_snippet_and_the_suggested_fix() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("runas.ps1"), RUNAS).unwrap();
    let out = stdout(&mimigrate(
        &["check", "--format", "full", "--color", "never", "runas.ps1"],
        dir.path(),
    ));
    assert!(out.contains("MI102 certificate-login"), "{out}");
    assert!(out.contains("[safe fix]"), "{out}");
    assert!(out.contains("+ Connect-AzAccount -Identity"), "{out}");
    assert!(
        out.contains("Found 2 findings in 1 of 1 file checked; 2 fixable with `mimigrate fix`"),
        "{out}"
    );
}

#[test]
fn a_second_check_reuses_findings_only_for_unchanged_text_and_options() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.ps1"), RUNAS).unwrap();
    let check = |extra: &[&str]| {
        let args: Vec<&str> = ["check", "--format", "concise"].iter().chain(extra).copied().collect();
        stdout(&mimigrate(&args, dir.path()))
    };
    let first = check(&[]);
    assert!(first.contains("a.ps1:3:1: MI102"), "{first}");
    let cache = dir.path().join(".mimigrate_cache");
    let stored = std::fs::read_to_string(cache.join("check.json")).expect("the run saved its cache");
    assert!(std::fs::read_to_string(cache.join(".gitignore")).unwrap().contains('*'));

    // A second run reads the cache: what it prints comes from there (shown by a
    // message edited in the cache), not from checking the file again.
    let marked = stored.replacen("Run As", "CACHED Run As", 1);
    assert_ne!(marked, stored, "the cache holds the messages");
    std::fs::write(cache.join("check.json"), marked).unwrap();
    assert!(check(&[]).contains("CACHED"), "an unchanged file is not checked again");
    assert!(!check(&["--no-cache"]).contains("CACHED"), "--no-cache reads no cache");
    assert!(
        !check(&["--ignore", "MI104"]).contains("CACHED"),
        "other options, other key"
    );

    // Changed text is checked again, and the cache learns the new findings.
    std::fs::write(dir.path().join("a.ps1"), MIGRATED).unwrap();
    let after = check(&[]);
    assert!(!after.contains("MI102") && !after.contains("CACHED"), "{after}");
    std::fs::write(cache.join("check.json"), b"\xff not a cache").unwrap();
    assert_eq!(check(&[]), after, "a corrupt cache is a miss");

    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::write(elsewhere.path().join("a.ps1"), RUNAS).unwrap();
    mimigrate(&["check", "--no-cache"], elsewhere.path());
    assert!(
        !elsewhere.path().join(".mimigrate_cache").exists(),
        "--no-cache writes none"
    );
}

#[test]
fn each_command_s_help_lists_its_own_options() {
    let dir = tempfile::tempdir().unwrap();
    let help = |command: &str| stdout(&mimigrate(&[command, "--help"], dir.path()));
    let has = |command: &str, flag: &str| help(command).contains(flag);
    for command in ["check", "fix", "modules"] {
        assert!(
            has(command, "--identity") && has(command, "--select"),
            "{}",
            help(command)
        );
    }
    assert!(has("fix", "--unsafe-fixes") && !has("check", "--unsafe-fixes"));
    assert!(has("check", "--exit-zero") && !has("fix", "--exit-zero"));
    assert!(
        !has("permissions", "--identity"),
        "permissions does not depend on the fixes"
    );
    assert!(!has("rule", "--select") && !has("rule", "PATHS"), "{}", help("rule"));
    assert!(help("check").contains("Global options:"));
}

#[test]
fn full_fix_previews_never_wrap_a_line() {
    let dir = tempfile::tempdir().unwrap();
    let long = format!(
        "$conn = Get-AutomationConnection -Name AzureRunAsConnection\n\
         Connect-AzAccount -ServicePrincipal -Tenant $conn.TenantID -ApplicationId $conn.ApplicationID -CertificateThumbprint $conn.CertificateThumbprint -Environment AzureCloud {}\n",
        "-WarningAction SilentlyContinue ".repeat(6)
    );
    std::fs::write(dir.path().join("a.ps1"), long).unwrap();
    let out = stdout(&mimigrate(&["check", "--format", "full", "a.ps1"], dir.path()));
    let removed: Vec<&str> = out
        .lines()
        .filter(|l| l.trim_start().starts_with("- Connect-AzAccount"))
        .collect();
    assert!(!removed.is_empty(), "{out}");
    for line in &removed {
        assert!(line.ends_with('…'), "a long preview line is cut, not wrapped: {line:?}");
    }
    let previews = out.lines().filter(|l| {
        let body = l.trim_start();
        body.starts_with("- ") || body.starts_with("+ ")
    });
    for line in previews {
        assert!(line.chars().count() <= 110, "a preview line fits the report: {line:?}");
    }
}

#[test]
fn folders_give_scripts_and_modules_in_any_case_and_include_changes_the_list() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir(root.join("modules")).unwrap();
    for name in [
        "Stop-VMs.PS1",
        "modules/Helper.Psm1",
        "Flow.graphrunbook",
        "notes.txt",
        "Data.psd1",
    ] {
        std::fs::write(root.join(name), RUNAS).unwrap();
    }
    let files_with_findings = |args: &[&str]| {
        let output = mimigrate(&[&["check", "--format", "concise"], args].concat(), root);
        let mut files: Vec<String> = stdout(&output)
            .lines()
            .filter_map(|l| l.split_once(':').map(|(file, _)| file.to_owned()))
            .filter(|file| !file.starts_with("Found"))
            .collect();
        files.dedup();
        (files, output)
    };
    let (walked, output) = files_with_findings(&["."]);
    assert_eq!(walked, ["Stop-VMs.PS1", "modules/Helper.Psm1"]);
    // A graphical runbook is walked too; this one is a script under that name, so it
    // is skipped with the reason.
    assert!(
        stderr(&output)
            .contains("Flow.graphrunbook: skipped: not a graphical runbook mimigrate can read: the file is not JSON"),
        "{}",
        stderr(&output)
    );

    // Named explicitly, a file is checked whatever its extension: pre-commit's
    // `powershell` type passes `*.psd1` data files too.
    let (named, output) = files_with_findings(&["notes.txt", "Data.psd1"]);
    assert_eq!(named, ["Data.psd1", "notes.txt"], "{}", stderr(&output));

    // `include` replaces the list; its patterns ignore case and may name folders.
    std::fs::write(root.join("mimigrate.toml"), "include = [\"*.TXT\", \"modules/*\"]\n").unwrap();
    assert_eq!(files_with_findings(&["."]).0, ["modules/Helper.Psm1", "notes.txt"]);
    // `include` may name graphical runbooks alone.
    std::fs::write(root.join("mimigrate.toml"), "include = [\"*.graphrunbook\"]\n").unwrap();
    let (none, output) = files_with_findings(&["."]);
    assert!(none.is_empty(), "{none:?}");
    assert!(
        stderr(&output).contains("Flow.graphrunbook: skipped"),
        "{}",
        stderr(&output)
    );

    std::fs::write(root.join("mimigrate.toml"), "include = \"*.ps1\"\n").unwrap();
    let bad = mimigrate(&["check", "."], root);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("mimigrate.toml: `include`: "), "{}", stderr(&bad));
    std::fs::write(root.join("mimigrate.toml"), "includes = [\"*.ps1\"]\n").unwrap();
    let bad = mimigrate(&["check", "."], root);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        stderr(&bad).contains("mimigrate.toml: `includes`: "),
        "{}",
        stderr(&bad)
    );
}

/// Runs `mimigrate args` in `dir` under a pseudo-terminal (util-linux `script`), with
/// stdout sent to /dev/null: what it prints is what reached the terminal on stderr.
fn on_a_terminal(args: &str, dir: &std::path::Path) -> Option<String> {
    let command = format!("{} {args} >/dev/null", env!("CARGO_BIN_EXE_mimigrate"));
    let output = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .current_dir(dir)
        .output()
        .ok()?;
    Some(String::from_utf8_lossy(&output.stdout).into_owned())
}

#[test]
fn the_progress_bar_shows_on_a_terminal_and_never_with_machine_formats() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..150 {
        std::fs::write(dir.path().join(format!("r{i}.ps1")), MIGRATED).unwrap();
    }
    let Some(human) = on_a_terminal("check --no-cache --format concise .", dir.path()) else {
        eprintln!("skipped: no `script` command to make a terminal with");
        return;
    };
    assert!(
        human.contains("150/150 files") || human.contains("/150 files"),
        "{human:?}"
    );
    for format in ["json", "sarif", "github"] {
        let machine = on_a_terminal(&format!("check --no-cache --format {format} ."), dir.path()).unwrap();
        assert!(!machine.contains("files"), "--format {format}: {machine:?}");
    }
    let quiet = on_a_terminal("check --no-cache --quiet --format concise .", dir.path()).unwrap();
    assert!(!quiet.contains("/150 files"), "{quiet:?}");
}
