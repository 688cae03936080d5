//! `check`'s cache of findings, so a second run over an unchanged repository (a
//! pre-commit hook on every commit, `check .` after each edit) does not parse again.
//!
//! One JSON file, `check.json` in the cache folder (`.mimigrate_cache/` by default), maps
//! each path to the key its findings were computed under and the findings. The key
//! hashes everything the findings depend on: the decoded text, the lint options
//! (selection, target, per-file config) and whether fixability was asked for. The file
//! as a whole belongs to one build of mimigrate (`MIMIGRATE_BUILD_ID`, set by
//! `build.rs` whenever the sources change): another build starts from nothing. The
//! cache is an optimisation only: a missing, unreadable or corrupt file is a miss, and
//! a failed save is silent.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::Xxh3;

use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Severity};
use crate::lint::LintOptions;
use crate::rules;

/// The build the cached findings came from: another build may find other things.
const BUILD: &str = concat!(env!("CARGO_PKG_VERSION"), "+", env!("MIMIGRATE_BUILD_ID"));
const FILE_NAME: &str = "check.json";
/// Leftovers of a save that was killed before its rename are removed after this long.
const STALE_TEMPORARY_SECONDS: u64 = 3600;

/// What a file's findings were computed from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Key(u128);

impl Key {
    pub fn of(text: &str, options: &LintOptions, fixability: bool) -> Key {
        let mut hasher = Xxh3::new();
        // The options' Debug form names every field; it may change between builds,
        // which never share a cache.
        hasher.update(format!("{options:?}").as_bytes());
        hasher.update(&[u8::from(fixability), 0xff]);
        hasher.update(text.as_bytes());
        Key(hasher.digest128())
    }
}

/// The cache of one run: read when opened, written back by `save`.
pub struct Cache {
    folder: PathBuf,
    /// From the file, for paths this run has not checked yet.
    stored: HashMap<PathBuf, Entry>,
    /// What this run checked or reused.
    current: Mutex<HashMap<PathBuf, Entry>>,
}

#[derive(Serialize, Deserialize)]
struct CacheFile {
    build: String,
    files: HashMap<PathBuf, Entry>,
}

#[derive(Clone, Serialize, Deserialize)]
struct Entry {
    /// `Key` as 32 hex digits (JSON numbers stop at 64 bits).
    key: String,
    findings: Vec<Finding>,
}

#[derive(Clone, Serialize, Deserialize)]
struct Finding {
    code: String,
    severity: Severity,
    message: String,
    range: Range<usize>,
    fix: Option<StoredFix>,
    fixable: bool,
}

#[derive(Clone, Serialize, Deserialize)]
struct StoredFix {
    applicability: Applicability,
    message: String,
    edits: Vec<(Range<usize>, String)>,
}

impl Cache {
    /// The cache in `folder`; empty when there is none yet, or it is unreadable, or it
    /// was written by another build.
    pub fn open(folder: &Path) -> Cache {
        let stored = std::fs::read(folder.join(FILE_NAME))
            .ok()
            .and_then(|bytes| serde_json::from_slice::<CacheFile>(&bytes).ok())
            .filter(|file| file.build == BUILD)
            .map(|file| file.files)
            .unwrap_or_default();
        Cache {
            folder: folder.to_path_buf(),
            stored,
            current: Mutex::new(HashMap::new()),
        }
    }

    /// The findings of `path` and whether `fix` resolves each, when they were computed
    /// under `key`.
    pub fn get(&self, path: &Path, key: Key) -> Option<(Vec<Diagnostic>, Vec<bool>)> {
        let entry = self.stored.get(path).filter(|e| e.key == hex(key))?;
        let found = entry
            .findings
            .iter()
            .map(Finding::restore)
            .collect::<Option<Vec<_>>>()?;
        self.lock().insert(path.to_path_buf(), entry.clone());
        Some(found.into_iter().unzip())
    }

    pub fn put(&self, path: &Path, key: Key, diagnostics: &[Diagnostic], fixable: &[bool]) {
        let findings = diagnostics
            .iter()
            .zip(fixable.iter().copied().chain(std::iter::repeat(false)))
            .map(|(d, fixable)| Finding::store(d, fixable))
            .collect();
        let entry = Entry {
            key: hex(key),
            findings,
        };
        self.lock().insert(path.to_path_buf(), entry);
    }

    /// Write the cache back: this run's entries, and the earlier ones whose file still
    /// exists. Atomic (a temporary file renamed over the old), so a concurrent run
    /// reads one whole cache or the other; the last to save wins.
    pub fn save(self) {
        let mut files = self.current.into_inner().unwrap_or_else(|e| e.into_inner());
        for (path, entry) in self.stored {
            if !files.contains_key(&path) && path.is_file() {
                files.insert(path, entry);
            }
        }
        let file = CacheFile {
            build: BUILD.to_string(),
            files,
        };
        let _ = write(&self.folder, &file);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<PathBuf, Entry>> {
        self.current.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn write(folder: &Path, file: &CacheFile) -> std::io::Result<()> {
    std::fs::create_dir_all(folder)?;
    // Git (and so pre-commit and most editors) then leaves the folder alone.
    let ignore = folder.join(".gitignore");
    if !ignore.exists() {
        std::fs::write(&ignore, "# Made by mimigrate: its cache, never to be committed.\n*\n")?;
    }
    sweep_stale_temporaries(folder);
    let temporary = folder.join(format!("{FILE_NAME}.{}.tmp", std::process::id()));
    let written = serde_json::to_vec(file)
        .map_err(std::io::Error::other)
        .and_then(|bytes| std::fs::write(&temporary, bytes))
        .and_then(|()| std::fs::rename(&temporary, folder.join(FILE_NAME)));
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written
}

/// A save killed between write and rename leaves its temporary file; remove such
/// files once they are old enough that no live run can be writing them.
fn sweep_stale_temporaries(folder: &Path) {
    let Ok(entries) = std::fs::read_dir(folder) else { return };
    for entry in entries.flatten() {
        let is_ours = entry.file_name().to_string_lossy().starts_with(FILE_NAME)
            && entry.file_name().to_string_lossy().ends_with(".tmp");
        let age = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|modified| modified.elapsed().ok());
        if is_ours && age.is_some_and(|age| age.as_secs() > STALE_TEMPORARY_SECONDS) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

fn hex(key: Key) -> String {
    format!("{:032x}", key.0)
}

impl Finding {
    fn store(diagnostic: &Diagnostic, fixable: bool) -> Finding {
        Finding {
            code: diagnostic.code.to_string(),
            severity: diagnostic.severity,
            message: diagnostic.message.clone(),
            range: diagnostic.range.clone(),
            fix: diagnostic.fix.as_ref().map(|fix| StoredFix {
                applicability: fix.applicability,
                message: fix.message.clone(),
                edits: fix.edits.iter().map(|e| (e.range.clone(), e.content.clone())).collect(),
            }),
            fixable,
        }
    }

    /// None when this build has no rule of that code (then the entry is a miss).
    fn restore(&self) -> Option<(Diagnostic, bool)> {
        let rule = rules::by_code(&self.code)?;
        let diagnostic = Diagnostic {
            code: rule.code,
            name: rule.name,
            severity: self.severity,
            message: self.message.clone(),
            range: self.range.clone(),
            fix: self.fix.as_ref().map(|fix| Fix {
                applicability: fix.applicability,
                message: fix.message.clone(),
                edits: fix
                    .edits
                    .iter()
                    .map(|(range, content)| Edit::replace(range.clone(), content.clone()))
                    .collect(),
            }),
            activity: None,
        };
        Some((diagnostic, self.fixable))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::lint;

    const RUNBOOK: &str = "$c = Get-AutomationConnection -Name AzureRunAsConnection\n\
        Connect-AzAccount -ServicePrincipal -Tenant $c.TenantID -ApplicationId $c.ApplicationID \
        -CertificateThumbprint $c.CertificateThumbprint\n";

    #[test]
    fn findings_come_back_as_they_went_in() {
        let folder = tempfile::tempdir().unwrap();
        let options = LintOptions::default();
        let diagnostics = lint(RUNBOOK, &options);
        assert!(diagnostics.iter().any(|d| d.fix.is_some()), "the example has a fix");
        let fixable: Vec<bool> = diagnostics.iter().map(|d| d.code == "MI102").collect();
        let key = Key::of(RUNBOOK, &options, true);
        let cache = Cache::open(folder.path());
        cache.put(Path::new("a.ps1"), key, &diagnostics, &fixable);
        cache.save();

        let cache = Cache::open(folder.path());
        assert_eq!(cache.get(Path::new("a.ps1"), key), Some((diagnostics, fixable)));
        assert_eq!(cache.get(Path::new("b.ps1"), key), None, "another path");
        let edited = format!("{RUNBOOK}# edited\n");
        assert_eq!(cache.get(Path::new("a.ps1"), Key::of(&edited, &options, true)), None);
        assert_eq!(cache.get(Path::new("a.ps1"), Key::of(RUNBOOK, &options, false)), None);
    }

    #[test]
    fn every_option_is_in_the_key() {
        let options = LintOptions::default();
        let mut narrower = options.clone();
        narrower.selection.ignore.push("MI104".into());
        assert_ne!(Key::of(RUNBOOK, &options, true), Key::of(RUNBOOK, &narrower, true));
    }

    #[test]
    fn a_corrupt_or_foreign_cache_is_empty() {
        let folder = tempfile::tempdir().unwrap();
        let key = Key::of(RUNBOOK, &LintOptions::default(), true);
        std::fs::write(
            folder.path().join(FILE_NAME),
            b"{\"build\": \"0.0.0+1\", \"files\": {}}",
        )
        .unwrap();
        assert!(Cache::open(folder.path()).stored.is_empty());
        std::fs::write(folder.path().join(FILE_NAME), b"\x00not json").unwrap();
        let cache = Cache::open(folder.path());
        assert_eq!(cache.get(Path::new("a.ps1"), key), None);
        cache.put(Path::new("a.ps1"), key, &[], &[]);
        cache.save();
        assert_eq!(
            Cache::open(folder.path()).get(Path::new("a.ps1"), key),
            Some((vec![], vec![]))
        );
        let ignore = std::fs::read_to_string(folder.path().join(".gitignore")).unwrap();
        assert!(ignore.lines().any(|l| l == "*"));
    }
}
