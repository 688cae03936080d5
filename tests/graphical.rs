//! Graphical runbooks (`.graphrunbook`): the reader on the two real exports of
//! `../shared/corpus` and on Run As graphs built by the test-only stream writer
//! (`support/nrbf_writer.rs`), the view the engine checks, and `check`, `fix`,
//! `modules` and `view` on such files.

mod common;
#[path = "support/nrbf_writer.rs"]
mod nrbf_writer;

use std::path::{Path, PathBuf};

use common::{mimigrate, stderr, stdout};
use mimigrate::diagnostic::Diagnostic;
use mimigrate::graphical::{read_definition, read_export, GraphicalRunbook};
use mimigrate::lint::{lint, LintOptions};
use mimigrate::syntax::model::Script;
use nrbf_writer::{export, graph, run_as_template, Activity, Parameter, Source, V};

const TUTORIAL: &str =
    "azureautomation__runbooks/Utility__AzMI__AzureAutomationTutorialWithIdentityGraphical.graphrunbook";
const SEND_MAIL: &str = "azureautomation__send-mail-office-365/SendMailO365.graphrunbook";

fn real(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn runbook(stream: &[u8]) -> GraphicalRunbook {
    read_export(export(stream).as_bytes()).expect("the writer's stream reads")
}

fn findings(runbook: &GraphicalRunbook) -> Vec<Diagnostic> {
    let options = LintOptions::default();
    runbook.present(lint(&runbook.view.text, &options), &options)
}

/// Each finding as `CODE in 'activity'`, in order.
fn placed(findings: &[Diagnostic]) -> Vec<String> {
    findings
        .iter()
        .map(|d| format!("{} in '{}'", d.code, d.activity.as_deref().unwrap_or("-")))
        .collect()
}

/// The editor steps of the first finding of `code`.
fn steps<'d>(findings: &'d [Diagnostic], code: &str) -> &'d str {
    let finding = findings.iter().find(|d| d.code == code).expect("the finding is there");
    let fix = finding.fix.as_ref().expect("it says what to change");
    assert!(fix.edits.is_empty(), "a graphical runbook's fix edits nothing");
    &fix.message
}

fn connection_name() -> Source<'static> {
    Source::Constant(V::Str("AzureRunAsConnection".into()))
}

#[test]
fn the_real_exports_read_with_their_activities_and_no_run_as_finding() {
    let tutorial = read_export(&real(TUTORIAL)).unwrap();
    let names: Vec<&str> = tutorial.view.blocks.iter().map(|b| b.activity.as_str()).collect();
    assert_eq!(names, ["Connect AzAccount", "Get All Resources"]);
    assert_eq!(tutorial.graph.links.len(), 1);
    assert!(tutorial.view.text.contains("    Connect-AzAccount -Identity\n"));
    // Already on the managed identity: only the autosave line is missing.
    let found = findings(&tutorial);
    assert_eq!(placed(&found), ["MI401 in 'Connect AzAccount'"]);
    assert!(
        steps(&found, "MI401").contains(
            "in the code of activity 'Connect AzAccount', add `Disable-AzContextAutosave -Scope Process | Out-Null`"
        ),
        "{}",
        steps(&found, "MI401")
    );

    let send_mail = read_export(&real(SEND_MAIL)).unwrap();
    let names: Vec<&str> = send_mail.view.blocks.iter().map(|b| b.activity.as_str()).collect();
    assert_eq!(names, ["README", "Get Microsoft Graph token", "Send Mail"]);
    let parameters: Vec<(&str, bool)> = send_mail
        .graph
        .parameters
        .iter()
        .map(|p| (p.name.as_str(), p.optional))
        .collect();
    assert_eq!(
        parameters,
        [
            ("MsgFrom", false),
            ("Recipient", false),
            ("subject", false),
            ("body", false)
        ]
    );
    assert!(send_mail
        .view
        .text
        .contains("param(\n    [Parameter(Mandatory = $true)]\n    [string]$MsgFrom,\n"));
    // The Graph sign-in uses a plain-text Az token: not Run As, but MI204.
    let found = findings(&send_mail);
    assert_eq!(placed(&found), ["MI204 in 'Get Microsoft Graph token'"]);
    assert!(found.iter().all(|d| !d.code.starts_with("MI1")));
}

#[test]
fn the_view_is_deterministic_and_parses() {
    for name in [TUTORIAL, SEND_MAIL] {
        let first = read_export(&real(name)).unwrap();
        let second = read_export(&real(name)).unwrap();
        assert_eq!(first.view, second.view);
        let script = Script::parse(&first.view.text);
        assert!(script.errors.is_empty(), "{name}: {:?}", script.errors);
    }
    let template = runbook(&run_as_template(connection_name(), &[]));
    assert!(Script::parse(&template.view.text).errors.is_empty());
    assert_eq!(template.view, runbook(&run_as_template(connection_name(), &[])).view);
}

#[test]
fn the_run_as_template_is_found_and_the_editor_steps_replace_the_fix() {
    let template = runbook(&run_as_template(connection_name(), &[]));
    let view = &template.view.text;
    assert!(
        view.contains("$GetRunAsConnection = Get-AutomationConnection -Name 'AzureRunAsConnection'\n"),
        "{view}"
    );
    assert!(
        view.contains("Add-AzureRmAccount -ServicePrincipal:$true -ApplicationId $GetRunAsConnection.ApplicationId -CertificateThumbprint $GetRunAsConnection.CertificateThumbprint -TenantId $GetRunAsConnection.TenantId\n"),
        "{view}"
    );
    let found = findings(&template);
    assert_eq!(
        placed(&found),
        [
            "MI101 in 'Get Run As Connection'",
            "MI102 in 'Connect to Azure'",
            "MI401 in 'Connect to Azure'",
            "MI601 in 'Connect to Azure'",
        ]
    );
    // The not-found branch is an activity behind a conditional link: the view puts the
    // condition in code, so it goes with the connection.
    assert!(
        view.contains("if (!$GetRunAsConnection) {\n    Write-Error -Message (\"The connection asset"),
        "{view}"
    );
    assert_eq!(
        steps(&found, "MI101"),
        "In the graphical editor: delete activity 'Get Run As Connection' and its links; \
delete activity 'Connection Not Found' and its links"
    );
    let sign_in = steps(&found, "MI102");
    assert!(
        sign_in.contains("make activity 'Connect to Azure' run `Connect-AzAccount` with `-Identity`"),
        "{sign_in}"
    );
    assert!(
        sign_in.contains("add a code activity linked before 'Connect to Azure' with `Disable-AzContextAutosave -Scope Process | Out-Null`"),
        "{sign_in}"
    );
    // Every finding of an activity leads to the same end.
    assert!(steps(&found, "MI601").ends_with(sign_in.split("In the graphical editor: ").nth(1).unwrap()));
}

/// A user-assigned identity: the fix declares `$IdentityClientId` where the deleted
/// connection was, which is code of its own, not the connection activity's new command.
#[test]
fn a_declaration_in_the_place_of_a_deleted_activity_is_a_code_activity_of_its_own() {
    use mimigrate::target::{Identity, MigrationTarget};
    let template = runbook(&run_as_template(connection_name(), &[]));
    let options = LintOptions {
        target: MigrationTarget {
            identity: Identity::UserClientIdVariable("UAMI".into()),
            ..MigrationTarget::default()
        },
        ..LintOptions::default()
    };
    let found = template.present(lint(&template.view.text, &options), &options);
    assert_eq!(
        steps(&found, "MI101"),
        "In the graphical editor: delete activity 'Get Run As Connection' and its links; \
add a code activity in its place with `$IdentityClientId = Get-AutomationVariable -Name 'UAMI'`; \
delete activity 'Connection Not Found' and its links"
    );
    assert!(steps(&found, "MI102").ends_with(
        "make activity 'Connect to Azure' run `Connect-AzAccount` with `-Identity -AccountId $IdentityClientId`"
    ));
}

#[test]
fn a_connection_named_by_a_parameter_default_is_run_as() {
    let template = runbook(&run_as_template(
        Source::Parameter("ConnectionName"),
        &[Parameter {
            name: "ConnectionName",
            default: Some("AzureRunAsConnection"),
        }],
    ));
    assert!(template
        .view
        .text
        .contains("param(\n    [string]$ConnectionName = 'AzureRunAsConnection'\n)\n"));
    assert!(template
        .view
        .text
        .contains("Get-AutomationConnection -Name $ConnectionName\n"));
    let found = findings(&template);
    assert_eq!(
        placed(&found)[..2],
        ["MI101 in 'Get Run As Connection'", "MI102 in 'Connect to Azure'"]
    );
    assert!(
        found[0].message.contains("`AzureRunAsConnection`"),
        "{}",
        found[0].message
    );
}

#[test]
fn run_as_code_in_a_script_activity_is_found_in_that_activity() {
    let code = "$conn = Get-AutomationConnection -Name AzureRunAsConnection\r\n\
Connect-AzAccount -ServicePrincipal -Tenant $conn.TenantId -ApplicationId $conn.ApplicationId -CertificateThumbprint $conn.CertificateThumbprint\r\n\
Select-MgProfile -Name beta";
    let stream = graph(
        &[],
        &[
            Activity::Script {
                name: "Sign in",
                process: code,
            },
            Activity::Command {
                name: "List VMs",
                command: "Get-AzVM",
                module: "Az.Compute",
                parameters: vec![("Status", Source::Constant(V::Bool(true)))],
            },
        ],
        &[(0, 1, None)],
    );
    let script = runbook(&stream);
    let found = findings(&script);
    let codes = placed(&found);
    for expected in ["MI101 in 'Sign in'", "MI102 in 'Sign in'", "MI301 in 'Sign in'"] {
        assert!(codes.iter().any(|c| c == expected), "{codes:?}");
    }
    let sign_in = steps(&found, "MI102");
    assert!(
        sign_in.ends_with(
            "In the graphical editor: in the code of activity 'Sign in', \
delete `$conn = Get-AutomationConnection -Name AzureRunAsConnection`, \
delete `Select-MgProfile -Name beta`, \
change `Connect-AzAccount -ServicePrincipal -Tenant $conn.TenantId -ApplicationId $conn.ApplicationId -CertificateThumbprint $conn.CertificateThumbprint` to `Connect-AzAccount -Identity`, \
add `Disable-AzContextAutosave -Scope Process | Out-Null` before `Connect-AzAccount -Identity`"
        ),
        "{sign_in}"
    );
}

#[test]
fn activity_output_read_in_expressions_and_code_is_followed() {
    let stream = graph(
        &[],
        &[
            Activity::Command {
                name: "Get Run As Connection",
                command: "Get-AutomationConnection",
                module: "Orchestrator.AssetManagement.Cmdlets",
                parameters: vec![("Name", connection_name())],
            },
            Activity::Command {
                name: "Connect to Azure",
                command: "Connect-AzAccount",
                module: "Az.Accounts",
                parameters: vec![
                    ("ServicePrincipal", Source::Constant(V::Bool(true))),
                    (
                        "CertificateThumbprint",
                        Source::Expression("$ActivityOutput['Get Run As Connection'].CertificateThumbprint"),
                    ),
                    (
                        "ApplicationId",
                        Source::Expression("$ActivityOutput[\"Get Run As Connection\"].ApplicationId"),
                    ),
                    ("Tenant", Source::Output("Get Run As Connection", &["TenantId"])),
                ],
            },
        ],
        &[(0, 1, Some("$ActivityOutput['Get Run As Connection'] -ne $null"))],
    );
    let read = runbook(&stream);
    assert!(
        read.view
            .text
            .contains("-CertificateThumbprint ($GetRunAsConnection.CertificateThumbprint)"),
        "{}",
        read.view.text
    );
    assert!(read
        .view
        .text
        .contains("after 'Get Run As Connection' when $ActivityOutput['Get Run As Connection'] -ne $null"));
    let codes = placed(&findings(&read));
    assert!(codes.contains(&"MI102 in 'Connect to Azure'".to_owned()), "{codes:?}");
}

#[test]
fn a_command_from_a_module_the_table_does_not_know_names_that_module() {
    let stream = graph(
        &[],
        &[Activity::Command {
            name: "Tag",
            command: "Set-ContosoTag",
            module: "Contoso.Tagging",
            parameters: vec![("Name", Source::Constant(V::Str("it's".into())))],
        }],
        &[],
    );
    let view = runbook(&stream).view.text;
    assert!(
        view.contains("\nContoso.Tagging\\Set-ContosoTag -Name 'it''s'\n"),
        "{view}"
    );
}

#[test]
fn what_is_no_graphical_runbook_is_a_clear_error() {
    let not = |bytes: &[u8]| {
        let error = read_export(bytes).unwrap_err();
        assert!(
            error.starts_with("not a graphical runbook mimigrate can read: "),
            "{error}"
        );
        error
    };
    assert!(not(b"\xff\xfe\x00binary").contains("not UTF-8"));
    assert!(not(b"{\"SchemaVersion\": \"1.10\"").contains("not JSON"));
    assert!(not(b"{\"SchemaVersion\": \"1.10\"}").contains("no \"RunbookDefinition\""));
    assert!(not(b"{\"RunbookDefinition\": \"%%%\"}").contains("not base64"));
    assert!(not(export(b"not a stream").as_bytes()).contains("not a .NET binary stream"));
    // A stream of something else than a graphical runbook.
    let other = nrbf_writer::stream(nrbf_writer::obj(
        "Contoso.Settings",
        vec![("name", nrbf_writer::s("x"))],
    ));
    assert!(not(export(&other).as_bytes()).contains("not an Orchestrator.GraphRunbook.Model.GraphRunbook"));
}

/// Every cut and every one-byte change of a real stream is read or refused, never a
/// panic (the fuzz target `graphical` does this at random and at length).
#[test]
fn every_truncation_and_byte_flip_of_a_real_stream_is_read_or_refused() {
    use base64::Engine;
    let export: serde_json::Value = serde_json::from_slice(&real(SEND_MAIL)).unwrap();
    let stream = base64::engine::general_purpose::STANDARD
        .decode(export["RunbookDefinition"].as_str().unwrap())
        .unwrap();
    let end = stream.iter().rposition(|&b| b != 0).unwrap() + 1;
    for cut in 0..end {
        assert!(
            read_definition(&stream[..cut]).is_err(),
            "a stream cut at {cut} is incomplete"
        );
    }
    for at in 0..end {
        for flip in [0x01u8, 0x80, 0xff] {
            let mut bytes = stream[..end].to_vec();
            bytes[at] ^= flip;
            let _ = read_definition(&bytes);
        }
    }
}

/// `corpus/graphical-run-as-template.graphrunbook` is the writer's Run As template, so
/// `mimigrate check corpus/` and the format tests see a graphical runbook too; the file
/// is made here (`MIMIGRATE_BLESS=1` rewrites it), never by hand.
#[test]
fn the_corpus_graphical_runbook_is_the_writers_template() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/graphical-run-as-template.graphrunbook");
    let made = export(&run_as_template(
        Source::Parameter("ConnectionName"),
        &[Parameter {
            name: "ConnectionName",
            default: Some("AzureRunAsConnection"),
        }],
    ));
    if std::env::var_os("MIMIGRATE_BLESS").is_some() {
        std::fs::write(&path, &made).unwrap();
    }
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        made,
        "MIMIGRATE_BLESS=1 to rewrite"
    );
    let codes = placed(&findings(&read_export(made.as_bytes()).unwrap()));
    assert_eq!(
        codes,
        [
            "MI101 in 'Get Run As Connection'",
            "MI102 in 'Connect to Azure'",
            "MI401 in 'Connect to Azure'",
            "MI601 in 'Connect to Azure'",
        ]
    );
}

// --- The command line ----------------------------------------------------------------

fn folder() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("Connect-RunAs.graphrunbook");
    std::fs::write(&file, export(&run_as_template(connection_name(), &[]))).unwrap();
    std::fs::write(dir.path().join("Send.graphrunbook"), real(SEND_MAIL)).unwrap();
    (dir, file)
}

#[test]
fn check_walks_graphical_runbooks_and_names_the_activity_in_every_format() {
    let (dir, _) = folder();
    let concise = mimigrate(&["check", "--no-cache", "--format", "concise", "."], dir.path());
    assert_eq!(concise.status.code(), Some(1));
    let text = stdout(&concise);
    assert!(
        text.contains("Connect-RunAs.graphrunbook:6:1: MI101 in activity 'Get Run As Connection': Run As connection `AzureRunAsConnection`"),
        "{text}"
    );
    assert!(text.contains("Send.graphrunbook:"), "{text}");
    // Never fixable by `fix`: no `[*]`.
    assert!(!text.contains("[*]"), "{text}");

    let json = mimigrate(&["check", "--no-cache", "--format", "json", "."], dir.path());
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let first = &json[0];
    assert_eq!(first["activity"], "Get Run As Connection");
    assert_eq!(first["fix"]["applicability"], "display-only");
    assert!(first["fix"]["message"]
        .as_str()
        .unwrap()
        .contains("delete activity 'Get Run As Connection' and its links"));

    let sarif = mimigrate(&["check", "--no-cache", "--format", "sarif", "."], dir.path());
    let sarif: serde_json::Value = serde_json::from_slice(&sarif.stdout).unwrap();
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(
        result["locations"][0]["logicalLocations"][0]["name"],
        "Get Run As Connection"
    );
    assert!(result["message"]["text"]
        .as_str()
        .unwrap()
        .contains("In the graphical editor: delete activity"));
    assert!(result.get("fixes").is_none());

    // Pull-request annotations point at the exported file's one line (the view's lines
    // are not the file's) and carry the editor steps, which no suggestion can.
    let github = stdout(&mimigrate(
        &[
            "check",
            "--no-cache",
            "--format",
            "github",
            "Connect-RunAs.graphrunbook",
        ],
        dir.path(),
    ));
    let first = github.lines().next().unwrap();
    assert!(
        first.starts_with("::error file=Connect-RunAs.graphrunbook,line=1,endLine=1,col=1,endColumn=1,title=MI101"),
        "{first}"
    );
    assert!(first.ends_with("In the graphical editor: delete activity 'Get Run As Connection' and its links; delete activity 'Connection Not Found' and its links"), "{first}");
}

#[test]
fn fix_never_writes_a_graphical_runbook_and_says_so() {
    let (dir, file) = folder();
    let before = std::fs::read(&file).unwrap();
    let output = mimigrate(&["fix", "--unsafe-fixes", "."], dir.path());
    assert_eq!(std::fs::read(&file).unwrap(), before);
    assert_eq!(output.status.code(), Some(1), "findings remain");
    assert!(
        stderr(&output).contains("Connect-RunAs.graphrunbook: a graphical runbook is never rewritten; change its 4 findings in the graphical editor"),
        "{}",
        stderr(&output)
    );
    let diff = mimigrate(&["fix", "--diff", "."], dir.path());
    assert!(!stdout(&diff).contains("graphrunbook"), "{}", stdout(&diff));
}

#[test]
fn view_prints_what_check_reads() {
    let (dir, file) = folder();
    let output = mimigrate(&["view", file.to_str().unwrap()], dir.path());
    assert!(output.status.success(), "{}", stderr(&output));
    let expected = read_export(&std::fs::read(&file).unwrap()).unwrap().view.text;
    assert_eq!(stdout(&output), expected);

    std::fs::write(dir.path().join("bad.graphrunbook"), "{}").unwrap();
    let bad = mimigrate(&["view", "bad.graphrunbook"], dir.path());
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("bad.graphrunbook: not a graphical runbook mimigrate can read"));
    // `check` skips such a file with the same reason and goes on.
    let check = mimigrate(&["check", "--no-cache", "--format", "concise", "."], dir.path());
    assert!(stderr(&check).contains("bad.graphrunbook: skipped: not a graphical runbook mimigrate can read"));
    assert!(stdout(&check).contains("Connect-RunAs.graphrunbook:"));
}

#[test]
fn modules_and_permissions_read_graphical_runbooks() {
    let (dir, _) = folder();
    let output = mimigrate(&["modules", "--format", "json", "Send.graphrunbook"], dir.path());
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let text = json.to_string();
    for module in [
        "Az.Accounts",
        "Microsoft.Graph.Authentication",
        "Microsoft.Graph.Users.Actions",
    ] {
        assert!(text.contains(module), "{module}: {text}");
    }
    let send_mail: Vec<(&str, &str)> = json[0]["modules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["name"].as_str().unwrap(), m["activity"].as_str().unwrap()))
        .collect();
    assert!(
        send_mail.contains(&("Microsoft.Graph.Users.Actions", "Send Mail")),
        "{send_mail:?}"
    );
    // The view's lines are not the file's: each module names the activity using it,
    // before the fix and in the view as the fix leaves it.
    let template = stdout(&mimigrate(&["modules", "Connect-RunAs.graphrunbook"], dir.path()));
    assert!(
        template.contains("AzureRM.profile") && template.contains("Add-AzureRmAccount (activity 'Connect to Azure')"),
        "{template}"
    );
    let after = stdout(&mimigrate(
        &["modules", "--after-fix", "--unsafe-fixes", "Connect-RunAs.graphrunbook"],
        dir.path(),
    ));
    assert!(
        after.contains("Connect-AzAccount (activity 'Connect to Azure')") && !after.contains("AzureRM"),
        "{after}"
    );
    let requires = stdout(&mimigrate(
        &["modules", "--format", "requires", "Connect-RunAs.graphrunbook"],
        dir.path(),
    ));
    assert!(
        !requires.contains("#Requires") && requires.contains("import AzureRM.profile into the Automation account"),
        "{requires}"
    );
    let permissions = stdout(&mimigrate(&["permissions", "Send.graphrunbook"], dir.path()));
    assert!(permissions.contains("Mail.Send"), "{permissions}");
}
