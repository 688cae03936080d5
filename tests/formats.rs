//! The machine formats of `mimigrate check` (sarif, github, rdjson, gitlab, azure,
//! junit, markdown): snapshots on a few runbooks, every finding carried by every
//! format, columns in each format's unit, stable fingerprints, and validation by the
//! tools the formats are for (SARIF Multitool, reviewdog's JSON schema).

mod common;

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::process::Command;

use common::{mimigrate, stderr, stdout};
use serde_json::Value;

const MACHINE_FORMATS: [&str; 7] = ["sarif", "github", "rdjson", "gitlab", "azure", "junit", "markdown"];

/// Multi-line spans with fixes, non-ASCII with safe, unsafe and display-only fixes,
/// UTF-16 with CRLF, and a clean file.
const SNAPSHOT_RUNBOOKS: [&str; 4] = [
    "corpus/en-dash-parameters.ps1",
    "corpus/encoding-utf16le.ps1",
    "corpus/migrated-system-identity.ps1",
    "corpus/runas-retry-loop-with-autosave.ps1",
];

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `mimigrate check --format FORMAT PATHS` in the repository, without the cache.
fn check(format: &str, paths: &[&str], dir: &Path) -> String {
    let mut args = vec!["check", "--no-cache", "--format", format];
    args.extend_from_slice(paths);
    let output = mimigrate(&args, dir);
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{format}: {}",
        stderr(&output)
    );
    stdout(&output)
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).expect("valid JSON")
}

/// The SARIF log with what is the same for every run of this build (the rule docs, the
/// version) checked against their sources and then left out, so the snapshot shows
/// results.
fn sarif_results_only(text: &str) -> String {
    let mut log = json(text);
    let driver = &mut log["runs"][0]["tool"]["driver"];
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    driver["version"] = "[version]".into();
    driver["semanticVersion"] = "[version]".into();
    let rules = driver["rules"].as_array_mut().unwrap();
    for rule in rules.iter_mut() {
        let code = rule["id"].as_str().unwrap().to_owned();
        let doc = std::fs::read_to_string(repo().join(format!("rules/{code}.md"))).unwrap();
        assert_eq!(rule["help"]["markdown"], doc.as_str(), "{code}");
        assert_eq!(rule["help"]["text"], doc.as_str(), "{code}");
        rule["help"] = format!("[rules/{code}.md]").into();
    }
    serde_json::to_string_pretty(&log).unwrap()
}

#[test]
fn each_format_on_a_few_runbooks() {
    for format in MACHINE_FORMATS {
        let out = check(format, &SNAPSHOT_RUNBOOKS, repo());
        let out = if format == "sarif" {
            sarif_results_only(&out)
        } else {
            out
        };
        insta::assert_snapshot!(format!("format_{format}"), out);
    }
}

/// Findings per path in one format's output.
fn counts(format: &str, out: &str) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    let mut add = |path: &str| *counts.entry(path.to_owned()).or_insert(0) += 1;
    let property = |line: &str, name: &str, end: char| {
        let start = line.find(name).unwrap_or_else(|| panic!("{name} in {line}")) + name.len();
        line[start..].split(end).next().unwrap().to_owned()
    };
    match format {
        "json" => json(out)
            .as_array()
            .unwrap()
            .iter()
            .for_each(|f| add(f["path"].as_str().unwrap())),
        "sarif" => json(out)["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .for_each(|r| {
                add(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap())
            }),
        "rdjson" => json(out)["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .for_each(|d| add(d["location"]["path"].as_str().unwrap())),
        "gitlab" => json(out)
            .as_array()
            .unwrap()
            .iter()
            .for_each(|i| add(i["location"]["path"].as_str().unwrap())),
        "github" => out.lines().for_each(|l| add(&property(l, "file=", ','))),
        "azure" => out.lines().for_each(|l| add(&property(l, "sourcepath=", ';'))),
        "junit" => {
            let mut suite = String::new();
            for line in out.lines() {
                if line.trim_start().starts_with("<testsuite ") {
                    suite = property(line, "name=\"", '"');
                } else if line.trim_start().starts_with("<failure ") {
                    add(&suite);
                }
            }
        }
        "markdown" => {
            let mut file = String::new();
            for line in out.lines() {
                if let Some(heading) = line.strip_prefix("### ") {
                    file = heading.trim_matches('`').to_owned();
                } else if line.starts_with("| ") && line[2..].starts_with(|c: char| c.is_ascii_digit()) {
                    add(&file);
                }
            }
        }
        _ => unreachable!("{format}"),
    }
    counts
}

#[test]
fn every_format_carries_every_finding_of_every_corpus_runbook() {
    let expected = counts("json", &check("json", &["corpus"], repo()));
    assert!(expected.len() > 50, "the corpus has findings in most runbooks");
    for format in MACHINE_FORMATS {
        let found = counts(format, &check(format, &["corpus"], repo()));
        // SARIF's URIs are percent-encoded; corpus names need no encoding.
        assert_eq!(found, expected, "{format}");
    }
}

#[test]
fn markdown_totals_add_up() {
    let out = check("markdown", &["corpus"], repo());
    let total = json(&check("json", &["corpus"], repo())).as_array().unwrap().len();
    assert!(out.starts_with(&format!("## mimigrate: {total} findings in ")), "{out}");
    let per_rule: usize = out
        .lines()
        .filter(|l| l.starts_with("| MI"))
        .map(|l| l.split('|').nth(3).unwrap().trim().parse::<usize>().unwrap())
        .sum();
    assert_eq!(per_rule, total);
}

#[test]
fn gitlab_fingerprints_are_unique_over_the_corpus() {
    let issues = json(&check("gitlab", &["corpus"], repo()));
    let issues = issues.as_array().unwrap();
    let fingerprints: HashSet<&str> = issues.iter().map(|i| i["fingerprint"].as_str().unwrap()).collect();
    assert_eq!(fingerprints.len(), issues.len());
}

/// (fingerprint, start line) of every SARIF result.
fn sarif_fingerprints(dir: &Path) -> Vec<(String, u64)> {
    let log = json(&check("sarif", &["runbook.ps1"], dir));
    log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["partialFingerprints"]["mimigrateFinding/v1"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
                r["locations"][0]["physicalLocation"]["region"]["startLine"]
                    .as_u64()
                    .unwrap(),
            )
        })
        .collect()
}

#[test]
fn sarif_fingerprints_stay_when_a_line_is_inserted_above() {
    // `$conn.ApplicationId` is read twice: the two are told apart by their order.
    let text = std::fs::read_to_string(repo().join("corpus/runas-connection-still-read.ps1")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("runbook.ps1"), &text).unwrap();
    let before = sarif_fingerprints(dir.path());
    std::fs::write(dir.path().join("runbook.ps1"), format!("\n{text}")).unwrap();
    let after = sarif_fingerprints(dir.path());
    assert!(before.len() >= 3, "{before:?}");
    let moved: Vec<_> = before.iter().map(|(f, line)| (f.clone(), line + 1)).collect();
    assert_eq!(after, moved);
    let unique: HashSet<_> = before.iter().map(|(f, _)| f).collect();
    assert_eq!(unique.len(), before.len());
}

#[test]
fn columns_are_counted_in_each_formats_unit() {
    // Before the sign-in on its line: an emoji (1 character, 2 UTF-16 units, 4 bytes)
    // and an e-acute (1, 1, 2).
    let dir = tempfile::tempdir().unwrap();
    let script = "$c = Get-AutomationConnection -Name AzureRunAsConnection\n\
                  $s = '\u{1F600}\u{e9}'; Connect-AzAccount -ServicePrincipal -Tenant $c.TenantID \
                  -ApplicationId $c.ApplicationID -CertificateThumbprint $c.CertificateThumbprint\n";
    std::fs::write(dir.path().join("runbook.ps1"), script).unwrap();
    let prefix = "$s = '\u{1F600}\u{e9}'; ";
    let column = |units: usize| units as u64 + 1;
    let login = |findings: &Value, code: &str| -> Value {
        findings
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f.to_string().contains(code))
            .cloned()
            .unwrap()
    };
    let json_out = json(&check("json", &["runbook.ps1"], dir.path()));
    let chars = prefix.chars().count();
    assert_eq!(login(&json_out, "MI102")["start"]["column"], column(chars));
    let sarif = json(&check("sarif", &["runbook.ps1"], dir.path()));
    let result = login(&sarif["runs"][0]["results"], "MI102");
    assert_eq!(sarif["runs"][0]["columnKind"], "utf16CodeUnits");
    assert_eq!(
        result["locations"][0]["physicalLocation"]["region"]["startColumn"],
        column(prefix.encode_utf16().count())
    );
    let rdjson = json(&check("rdjson", &["runbook.ps1"], dir.path()));
    let diagnostic = login(&rdjson["diagnostics"], "MI102");
    assert_eq!(diagnostic["location"]["range"]["start"]["column"], column(prefix.len()));
    let github = check("github", &["runbook.ps1"], dir.path());
    let line = github.lines().find(|l| l.contains("MI102")).unwrap();
    assert!(line.contains(&format!(",col={},", column(chars))), "{line}");
}

#[test]
fn rdjson_suggestions_replace_whole_lines_with_the_fixed_text() {
    let rdjson = json(&check("rdjson", &["corpus/en-dash-parameters.ps1"], repo()));
    let text = std::fs::read_to_string(repo().join("corpus/en-dash-parameters.ps1")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut suggested = 0;
    for diagnostic in rdjson["diagnostics"].as_array().unwrap() {
        for suggestion in diagnostic["suggestions"].as_array().unwrap() {
            let range = &suggestion["range"];
            assert!(range["start"].get("column").is_none() && range["end"].get("column").is_none());
            let first = range["start"]["line"].as_u64().unwrap() as usize;
            let last = range["end"]["line"].as_u64().unwrap() as usize;
            assert!(first <= last && last <= lines.len());
            suggested += 1;
        }
    }
    // MI102 (safe) and MI104 (unsafe); MI101's fix is display-only.
    assert_eq!(suggested, 2);
}

/// The validator an environment variable names, else what `fallback` finds; `None`
/// (and a note that the test was skipped) when neither.
fn validator(variable: &str, fallback: impl FnOnce() -> Option<String>) -> Option<String> {
    let found = std::env::var(variable).ok().or_else(fallback);
    if found.is_none() {
        eprintln!("skipped: set {variable} to run this validation (.ci/run does)");
    }
    found
}

#[test]
fn sarif_passes_the_sarif_multitool() {
    let Some(multitool) = validator("SARIF_MULTITOOL", || None) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("corpus.sarif");
    std::fs::write(&log, check("sarif", &["corpus"], repo())).unwrap();
    let report = dir.path().join("validation.sarif");
    let output = Command::new(&multitool)
        .arg("validate")
        .arg(&log)
        .arg("--output")
        .arg(&report)
        .args(["--log", "ForceOverwrite"])
        .output()
        .unwrap_or_else(|e| panic!("{multitool}: {e}"));
    assert!(output.status.success(), "{}", stdout(&output));
    let report = json(&std::fs::read_to_string(&report).unwrap());
    let mut errors = Vec::new();
    for result in report["runs"][0]["results"].as_array().unwrap() {
        // The multitool's own results: a missing level means "warning".
        let level = result["level"].as_str().unwrap_or("warning").to_owned();
        let what = format!("{level} {} {}", result["ruleId"], result["message"]);
        eprintln!("sarif-multitool: {what}");
        if level == "error" {
            errors.push(what);
        }
    }
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn rdjson_matches_reviewdogs_schema() {
    // Python's jsonschema, the reference validator; .ci/run installs it.
    let python = validator("JSONSCHEMA_PYTHON", || {
        let has = Command::new("python3").args(["-c", "import jsonschema"]).output();
        has.is_ok_and(|o| o.status.success()).then(|| "python3".to_owned())
    });
    let Some(python) = python else { return };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("corpus.rdjson");
    std::fs::write(&out, check("rdjson", &["corpus"], repo())).unwrap();
    let schema = repo().join("tests/schemas/DiagnosticResult.jsonschema");
    let script = "import json, sys, jsonschema\n\
                  schema = json.load(open(sys.argv[1], encoding='utf-8'))\n\
                  result = json.load(open(sys.argv[2], encoding='utf-8'))\n\
                  errors = list(jsonschema.Draft4Validator(schema).iter_errors(result))\n\
                  for e in errors: print(e.json_path, e.message)\n\
                  print(len(result['diagnostics']), 'diagnostics')\n\
                  sys.exit(1 if errors else 0)\n";
    let output = Command::new(&python)
        .args(["-c", script])
        .arg(&schema)
        .arg(&out)
        .output()
        .unwrap_or_else(|e| panic!("{python}: {e}"));
    assert!(output.status.success(), "{}{}", stdout(&output), stderr(&output));
}

#[test]
fn junit_is_well_formed_xml() {
    // Any Python parses XML: the one .ci/run installs, else python3.
    let python = validator("JSONSCHEMA_PYTHON", || {
        let has = Command::new("python3").arg("--version").output();
        has.is_ok_and(|o| o.status.success()).then(|| "python3".to_owned())
    });
    let Some(python) = python else { return };
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("corpus.xml");
    std::fs::write(&out, check("junit", &["corpus"], repo())).unwrap();
    let script = "import sys, xml.etree.ElementTree as ET\n\
                  root = ET.parse(sys.argv[1]).getroot()\n\
                  failures = root.findall('./testsuite/testcase/failure')\n\
                  assert root.tag == 'testsuites' and int(root.get('failures')) == len(failures)\n";
    let output = Command::new(&python)
        .args(["-c", script])
        .arg(&out)
        .output()
        .unwrap_or_else(|e| panic!("{python}: {e}"));
    assert!(output.status.success(), "{}", stderr(&output));
}
