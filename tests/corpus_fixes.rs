//! The expected fixed output of every corpus runbook (golden files under
//! corpus/fixed/<profile>/), for a system-assigned identity with safe fixes (what
//! `mimigrate fix` does by default), with unsafe fixes too, and for a user-assigned
//! identity read from an Automation variable. Every fixed file must also parse with no
//! more errors than before, keep its encoding and line endings, and not change when
//! fixed again. `MIMIGRATE_BLESS=1 cargo test --test corpus_fixes` rewrites the golden
//! files; review them with `git diff` before committing.

use std::path::{Path, PathBuf};

use mimigrate::fix::{fix_text, FixMode};
use mimigrate::lint::LintOptions;
use mimigrate::source::SourceText;
use mimigrate::syntax::model::Script;
use mimigrate::target::{Identity, MigrationTarget};

struct Profile {
    name: &'static str,
    target: MigrationTarget,
    mode: FixMode,
}

fn profiles() -> Vec<Profile> {
    vec![
        Profile {
            name: "system",
            target: MigrationTarget::default(),
            mode: FixMode { unsafe_fixes: false },
        },
        Profile {
            name: "system-unsafe",
            target: MigrationTarget::default(),
            mode: FixMode { unsafe_fixes: true },
        },
        Profile {
            name: "user-variable",
            target: MigrationTarget {
                identity: Identity::UserClientIdVariable("UAMI_ClientId".into()),
                ..MigrationTarget::default()
            },
            mode: FixMode { unsafe_fixes: true },
        },
    ]
}

fn corpus() -> Vec<PathBuf> {
    let mut paths: Vec<_> = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ps1"))
        .collect();
    paths.sort();
    paths
}

/// Line-ending style: which of CRLF, LF, CR occur.
fn line_endings(text: &str) -> (bool, bool, bool) {
    let crlf = text.matches("\r\n").count();
    let lf = text.matches('\n').count() - crlf;
    let cr = text.matches('\r').count() - crlf;
    (crlf > 0, lf > 0, cr > 0)
}

#[test]
fn every_runbook_fixes_to_its_golden_file() {
    let bless = std::env::var_os("MIMIGRATE_BLESS").is_some();
    let mut failures = Vec::new();
    for profile in profiles() {
        let options = LintOptions {
            target: profile.target.clone(),
            ..LintOptions::default()
        };
        let golden_dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("corpus/fixed")
            .join(profile.name);
        for path in corpus() {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let what = format!("{}/{name}", profile.name);
            let original = std::fs::read(&path).unwrap();
            let source = SourceText::decode(&original).unwrap();
            let outcome = fix_text(&source.text, &options, profile.mode);
            let bytes = source.encode(&outcome.text).expect("fixed text stays encodable");
            let golden_path = golden_dir.join(&name);
            if bless {
                std::fs::create_dir_all(&golden_dir).unwrap();
                std::fs::write(&golden_path, &bytes).unwrap();
            } else if std::fs::read(&golden_path).ok().as_deref() != Some(bytes.as_slice()) {
                failures.push(format!(
                    "{what}: differs from its golden file (MIMIGRATE_BLESS=1 to rewrite, then review)"
                ));
            }
            assert!(outcome.converged, "{what}: fixes did not settle");
            let errors_before = Script::parse(&source.text).errors.len();
            let errors_after = Script::parse(&outcome.text).errors.len();
            assert!(
                errors_after <= errors_before,
                "{what}: {errors_before} parse errors before, {errors_after} after"
            );
            let reread = SourceText::decode(&bytes).unwrap();
            assert_eq!(reread.encoding, source.encoding, "{what}: encoding changed");
            let (before, after) = (line_endings(&source.text), line_endings(&outcome.text));
            assert!(
                (after.0 <= before.0 || !before.1) && (after.1 <= before.1 || !before.0),
                "{what}: line endings changed from {before:?} to {after:?}"
            );
            let again = fix_text(&outcome.text, &options, profile.mode);
            assert_eq!(again.text, outcome.text, "{what}: a second fix changed the file");
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
