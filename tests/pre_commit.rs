//! Our `.pre-commit-hooks.yaml` as users get it: the real `pre-commit` (from PyPI)
//! installs this package with `language: rust` and runs the hooks on `git commit`.
//!
//! Opt-in, since pre-commit's `cargo install` is a release build: set
//! `MIMIGRATE_TEST_PRE_COMMIT` to the `pre-commit` executable (`.ci/run` does).
//! Without it the test prints a notice and passes. The build is told not to optimise
//! (`CARGO_PROFILE_RELEASE_OPT_LEVEL=0`): what is tested is how pre-commit installs
//! and runs the hooks, not the speed of the binary, and it takes 105 s on two cores
//! instead of 310 s.
//!
//! pre-commit installs a repository at a commit, so uncommitted work would go
//! unseen if the hooks came from this checkout's HEAD. The test commits a snapshot
//! of the working tree (tracked and untracked files, as git would list them) to a
//! repository at a fixed path, with a fixed author and date: an unchanged tree gives
//! the same commit, which pre-commit finds in its cache (`PRE_COMMIT_HOME`) and does
//! not build again. `CARGO_TARGET_DIR` is fixed too, so a changed tree rebuilds
//! mimigrate but not its dependencies.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

const RUNAS: &str = "$conn = Get-AutomationConnection -Name AzureRunAsConnection\n\
Disable-AzContextAutosave -Scope Process | Out-Null\n\
Connect-AzAccount -ServicePrincipal -Tenant $conn.TenantID -ApplicationId $conn.ApplicationID -CertificateThumbprint $conn.CertificateThumbprint\n";

const MIGRATED: &str = "Disable-AzContextAutosave -Scope Process | Out-Null\nConnect-AzAccount -Identity\n";

/// A module manifest: pre-commit's `powershell` type passes `*.psd1` files too.
const MANIFEST: &str =
    "@{\n    RootModule = 'Helper.psm1'\n    ModuleVersion = '1.0.0'\n    RequiredModules = @('Az.Accounts')\n}\n";

#[test]
fn pre_commit_runs_our_hooks_on_commit() {
    let Some(pre_commit) = std::env::var_os("MIMIGRATE_TEST_PRE_COMMIT") else {
        notice("skipped: set MIMIGRATE_TEST_PRE_COMMIT to a pre-commit executable to run it");
        return;
    };
    let work = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pre-commit");
    let hooks_repo = work.join("snapshot");
    let rev = snapshot_working_tree(Path::new(env!("CARGO_MANIFEST_DIR")), &hooks_repo);
    let user = tempfile::tempdir().unwrap();
    let repo = User {
        dir: user.path().to_path_buf(),
        pre_commit: PathBuf::from(pre_commit),
        home: std::env::var_os("PRE_COMMIT_HOME").map_or_else(|| work.join("home"), PathBuf::from),
        target: work.join("build"),
    };
    repo.git(&["init", "--quiet", "--initial-branch=main"]);
    let config = format!(
        "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: mimigrate\n      - id: mimigrate-fix\n      - id: mimigrate-graphical\n",
        hooks_repo.display()
    );
    repo.write(".pre-commit-config.yaml", &config);
    repo.git(&["add", "."]);
    repo.git(&["commit", "--quiet", "-m", "pre-commit config"]);
    assert!(repo.pre_commit(&["install"]).status.success());
    let started = Instant::now();
    let installed = repo.pre_commit(&["install-hooks"]);
    assert!(installed.status.success(), "{}", text(&installed));
    notice(&format!(
        "hooks installed in {:.0} s (a build unless cached)",
        started.elapsed().as_secs_f64()
    ));

    // The check hook blocks a Run As runbook in any letter case, and a helper module.
    for name in ["runbooks/stop-vms.ps1", "runbooks/Stop-VMs.PS1", "modules/Helper.psm1"] {
        repo.write(name, RUNAS);
        let blocked = repo.commit(name, "mimigrate-fix");
        let said = text(&blocked);
        assert!(!blocked.status.success(), "{name} was committed:\n{said}");
        assert!(
            said.contains("mimigrate (check runbooks)") && said.contains("Failed"),
            "{said}"
        );
        assert!(said.contains(&format!("{name}:3:1: MI102")), "{said}");
        repo.git(&["rm", "--cached", "--quiet", name]);
        std::fs::remove_file(repo.dir.join(name)).unwrap();
    }
    // The graphical hook blocks the Run As template, naming the activity.
    let name = "runbooks/Connect.GraphRunbook";
    let template =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/graphical-run-as-template.graphrunbook"))
            .unwrap();
    std::fs::write(repo.dir.join(name), template).unwrap();
    let blocked = repo.commit(name, "mimigrate-fix");
    let said = text(&blocked);
    assert!(!blocked.status.success(), "{name} was committed:\n{said}");
    assert!(
        said.contains("mimigrate (check graphical runbooks)") && said.contains("Failed"),
        "{said}"
    );
    assert!(said.contains("MI101 in activity 'Get Run As Connection'"), "{said}");
    repo.git(&["rm", "--cached", "--quiet", name]);
    std::fs::remove_file(repo.dir.join(name)).unwrap();
    assert_eq!(repo.commits(), 1, "nothing but the config was committed");

    // A migrated runbook and a module manifest pass.
    repo.write("runbooks/Start-VMs.PS1", MIGRATED);
    repo.write("modules/Helper.psd1", MANIFEST);
    let passed = repo.commit("runbooks/Start-VMs.PS1 modules/Helper.psd1", "mimigrate-fix");
    assert!(passed.status.success(), "{}", text(&passed));
    assert!(text(&passed).contains("mimigrate (check runbooks)") && text(&passed).contains("Passed"));
    assert_eq!(repo.commits(), 2);

    // The fix hook rewrites the runbook and stops the commit so the change is seen;
    // the rewritten runbook then commits.
    let name = "runbooks/Restart-VMs.ps1";
    repo.write(name, RUNAS);
    let fixed = repo.commit(name, "mimigrate");
    let said = text(&fixed);
    assert!(!fixed.status.success(), "{said}");
    assert!(said.contains("files were modified by this hook"), "{said}");
    let rewritten = std::fs::read_to_string(repo.dir.join(name)).unwrap();
    assert!(
        rewritten.contains("Connect-AzAccount -Identity") && !rewritten.contains("AzureRunAsConnection"),
        "{rewritten}"
    );
    let again = repo.commit(name, "");
    assert!(again.status.success(), "{}", text(&again));
    assert_eq!(repo.commits(), 3);
}

/// A git repository of a user of the hooks, with git and pre-commit kept from this
/// machine's git configuration (a global `core.hooksPath` would stop `install`).
struct User {
    dir: PathBuf,
    pre_commit: PathBuf,
    home: PathBuf,
    target: PathBuf,
}

impl User {
    fn command(&self, program: &Path) -> Command {
        let mut command = Command::new(program);
        command
            .current_dir(&self.dir)
            .env("PRE_COMMIT_HOME", &self.home)
            .env("CARGO_TARGET_DIR", &self.target)
            .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
            .env_remove("MIMIGRATE_FORMAT");
        hermetic_git(&mut command);
        command
    }

    fn git(&self, args: &[&str]) -> Output {
        let output = self.command(Path::new("git")).args(args).output().expect("git runs");
        assert!(output.status.success(), "git {args:?}: {}", text(&output));
        output
    }

    fn pre_commit(&self, args: &[&str]) -> Output {
        self.command(&self.pre_commit)
            .args(args)
            .output()
            .expect("pre-commit runs")
    }

    fn write(&self, name: &str, content: &str) {
        let path = self.dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }

    /// `git add` the space-separated `names` and `git commit`, through the installed
    /// hook, skipping the hook `skip` (pre-commit's `SKIP`).
    fn commit(&self, names: &str, skip: &str) -> Output {
        let names: Vec<&str> = names.split(' ').collect();
        self.git(&[&["add", "--"][..], &names].concat());
        self.command(Path::new("git"))
            .args(["commit", "-m", "runbooks"])
            .env("SKIP", skip)
            .output()
            .expect("git runs")
    }

    fn commits(&self) -> usize {
        let output = self.git(&["rev-list", "--count", "HEAD"]);
        String::from_utf8_lossy(&output.stdout).trim().parse().unwrap()
    }
}

/// Commit the files of `checkout`'s working tree (what `git ls-files` lists, changed
/// or not yet added) to a fresh repository at `snapshot`; its commit id.
fn snapshot_working_tree(checkout: &Path, snapshot: &Path) -> String {
    let listed = Command::new("git")
        .args(["ls-files", "-z", "--cached", "--others", "--exclude-standard"])
        .current_dir(checkout)
        .output()
        .expect("git runs");
    assert!(listed.status.success(), "{}", text(&listed));
    if snapshot.exists() {
        std::fs::remove_dir_all(snapshot).unwrap();
    }
    for name in listed.stdout.split(|&b| b == 0).filter(|n| !n.is_empty()) {
        let name = Path::new(std::str::from_utf8(name).expect("UTF-8 file names"));
        let from = checkout.join(name);
        // Listed but deleted in the working tree: not part of it.
        if !from.exists() {
            continue;
        }
        let to = snapshot.join(name);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(&from, &to).unwrap();
    }
    let git = |args: &[&str]| {
        let mut command = Command::new("git");
        command.args(args).current_dir(snapshot);
        hermetic_git(&mut command);
        for variable in ["GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE"] {
            command.env(variable, "2026-01-01T00:00:00Z");
        }
        let output = command.output().expect("git runs");
        assert!(output.status.success(), "git {args:?}: {}", text(&output));
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    };
    git(&["init", "--quiet", "--initial-branch=main"]);
    git(&["add", "--all"]);
    git(&["commit", "--quiet", "--no-verify", "-m", "working tree"]);
    git(&["rev-parse", "HEAD"])
}

/// No global or system git configuration, and a fixed identity.
fn hermetic_git(command: &mut Command) {
    command
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "mimigrate tests")
        .env("GIT_AUTHOR_EMAIL", "tests@mimigrate.invalid")
        .env("GIT_COMMITTER_NAME", "mimigrate tests")
        .env("GIT_COMMITTER_EMAIL", "tests@mimigrate.invalid");
}

/// A line on stderr that `cargo test` shows: `eprintln!` output is captured and
/// hidden for a passing test, a direct write is not.
fn notice(line: &str) {
    let _ = writeln!(std::io::stderr(), "pre_commit: {line}");
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}
