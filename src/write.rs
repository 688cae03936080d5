//! Writing a fixed runbook back without ever leaving a user's file damaged: through a
//! temporary file in the same folder and a rename (the file is either the old bytes or
//! the new ones, never half), keeping its permissions, only if nobody changed it since
//! it was read, and never through a symbolic link that points out of the checked tree.
//!
//! Nor is a temporary file left behind: Ctrl-C or SIGTERM during a write waits for the
//! rename, and what SIGKILL or a power cut leaves (`.NAME.mimigrate-PID.tmp`, PID no
//! longer running) is removed by the next `fix` that writes to that folder.

use std::collections::HashSet;
use std::fmt;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use crate::source::{read_regular, ReadError};

#[derive(Debug)]
pub enum WriteError {
    /// The file's bytes are no longer the ones that were fixed.
    ChangedOnDisk,
    /// The file was deleted after it was read.
    Gone,
    /// The path is a link to a file outside the folder being fixed.
    LinkLeavesTree(PathBuf),
    Io(std::io::Error),
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WriteError::ChangedOnDisk => f.write_str("changed on disk while it was being fixed; left as it is"),
            WriteError::Gone => f.write_str("deleted while it was being fixed; not written"),
            WriteError::LinkLeavesTree(target) => {
                write!(
                    f,
                    "symbolic link to {}, outside the folder being fixed; left as it is",
                    target.display()
                )
            }
            WriteError::Io(error) => write!(f, "cannot write: {error}"),
        }
    }
}

impl From<std::io::Error> for WriteError {
    fn from(error: std::io::Error) -> Self {
        match error.kind() {
            std::io::ErrorKind::NotFound => WriteError::Gone,
            _ => WriteError::Io(error),
        }
    }
}

/// Held from the creation of a temporary file until it is renamed or removed.
static WRITING: Mutex<()> = Mutex::new(());

/// A termination signal that arrived while a temporary file existed.
#[cfg(unix)]
static PENDING: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(0);

/// `.NAME.mimigrate-PID.tmp`: hidden, and telling who made it.
const TEMPORARY_MARK: &str = ".mimigrate-";

fn temporary_name(name: &str, pid: u32) -> String {
    format!(".{name}{TEMPORARY_MARK}{pid}.tmp")
}

/// The PID in a temporary file's name, when it is one of ours.
fn temporary_pid(name: &str) -> Option<u32> {
    let rest = name.strip_prefix('.')?.strip_suffix(".tmp")?;
    let (file, pid) = rest.rsplit_once(TEMPORARY_MARK)?;
    if file.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    pid.parse().ok()
}

/// Writes fixed runbooks, one at a time.
#[derive(Default)]
pub struct Writer {
    /// Folders already cleared of stale temporary files.
    swept: HashSet<PathBuf>,
    /// Stale temporary files removed, for the user to hear about.
    pub removed: Vec<PathBuf>,
}

impl Writer {
    /// Replace the contents of `path` (read as `original`) with `fixed`. `tree` is the
    /// folder the run was asked to fix: a link may point anywhere inside it.
    pub fn write_fixed(&mut self, path: &Path, tree: &Path, original: &[u8], fixed: &[u8]) -> Result<(), WriteError> {
        let target = std::fs::canonicalize(path)?;
        let tree = std::fs::canonicalize(tree)?;
        if !target.starts_with(&tree) {
            return Err(WriteError::LinkLeavesTree(target));
        }
        unchanged(&target, original)?;
        let folder = target.parent().unwrap_or(Path::new("."));
        self.sweep(folder);
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let temporary = folder.join(temporary_name(&name, std::process::id()));
        defer_termination_while_writing();
        let _writing = WRITING.lock().unwrap_or_else(PoisonError::into_inner);
        let written = (|| -> Result<(), WriteError> {
            let mut file = create_new(&temporary)?;
            file.write_all(fixed)?;
            file.set_permissions(std::fs::metadata(&target)?.permissions())?;
            file.sync_all()?;
            drop(file);
            pause_for_tests("rename");
            // Last look before the swap: an editor may have saved in the meantime.
            unchanged(&target, original)?;
            std::fs::rename(&temporary, &target)?;
            Ok(())
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&temporary);
        }
        end_if_signalled();
        written
    }

    /// Remove the temporary files of runs that are over from `folder`, once per run.
    fn sweep(&mut self, folder: &Path) {
        if !self.swept.insert(folder.to_path_buf()) {
            return;
        }
        let Ok(entries) = std::fs::read_dir(folder) else {
            return;
        };
        for entry in entries.flatten() {
            let Some(pid) = entry.file_name().to_str().and_then(temporary_pid) else {
                continue;
            };
            let is_file = entry.file_type().is_ok_and(|t| t.is_file());
            if is_file
                && pid != std::process::id()
                && is_over(pid, &entry)
                && std::fs::remove_file(entry.path()).is_ok()
            {
                self.removed.push(entry.path());
            }
        }
    }
}

/// A temporary file with our PID can only be left from an earlier process that had it:
/// it is replaced, not written through (it could be a link planted there).
fn create_new(path: &Path) -> std::io::Result<std::fs::File> {
    let create = || std::fs::OpenOptions::new().write(true).create_new(true).open(path);
    match create() {
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
            std::fs::remove_file(path)?;
            create()
        }
        other => other,
    }
}

/// Whether `target` still holds `original`; reading it must not block (it may have
/// been replaced by a FIFO) nor take more than one byte past `original`.
fn unchanged(target: &Path, original: &[u8]) -> Result<(), WriteError> {
    match read_regular(target, original.len() as u64) {
        Ok(bytes) if bytes == original => Ok(()),
        Ok(_) | Err(ReadError::NotRegular(_) | ReadError::TooLarge { .. }) => Err(WriteError::ChangedOnDisk),
        Err(ReadError::Gone) => Err(WriteError::Gone),
        Err(ReadError::Io(error)) => Err(WriteError::Io(error)),
    }
}

/// Whether the run that made a temporary file is over: its PID is not running.
#[cfg(unix)]
fn is_over(pid: u32, _: &std::fs::DirEntry) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return true;
    };
    // SAFETY: signal 0 sends nothing; kill only says whether the process exists.
    let alive =
        unsafe { libc::kill(pid, 0) } == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM);
    !alive
}

/// Without a portable way to ask about a PID: over when untouched for an hour, far
/// longer than any write takes.
#[cfg(not(unix))]
fn is_over(_: u32, entry: &std::fs::DirEntry) -> bool {
    entry
        .metadata()
        .and_then(|m| m.modified())
        .is_ok_and(|modified| modified.elapsed().is_ok_and(|age| age.as_secs() > 3600))
}

/// Ctrl-C, SIGTERM and SIGHUP still end the run at once, except while a temporary file
/// exists: then they take effect as soon as it has been renamed or removed (signal-hook
/// turns them into messages to a thread, which can wait for that, where a handler
/// could not).
fn defer_termination_while_writing() {
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        static INSTALLED: std::sync::Once = std::sync::Once::new();
        INSTALLED.call_once(|| {
            let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
                return;
            };
            let waiter = move || {
                if let Some(signal) = signals.forever().next() {
                    PENDING.store(signal, std::sync::atomic::Ordering::SeqCst);
                    let _writing = WRITING.lock().unwrap_or_else(PoisonError::into_inner);
                    end_if_signalled();
                }
            };
            let _ = std::thread::Builder::new().name("signals".into()).spawn(waiter);
        });
    }
}

/// Die as a termination signal received meanwhile would have killed the process (or
/// exit as a shell reports that, should that fail); called where no temporary file exists.
fn end_if_signalled() {
    #[cfg(unix)]
    {
        let signal = PENDING.load(std::sync::atomic::Ordering::SeqCst);
        if signal != 0 {
            let _ = signal_hook::low_level::emulate_default_handler(signal);
            std::process::exit(128 + signal);
        }
    }
}

/// Test hook (tests/hostile_input.rs), inert unless `MIMIGRATE_TEST_PAUSE` is set: a
/// run stops at the point it names (`read`: files found, none read yet; `rename`: a
/// fixed file's bytes in its temporary file, not renamed yet), says "paused at POINT"
/// on stderr and goes on after a line on stdin, so that a test can change files, or
/// kill the process, at exactly that point.
pub fn pause_for_tests(point: &str) {
    if std::env::var_os("MIMIGRATE_TEST_PAUSE").is_some_and(|p| p == point) {
        let _ = writeln!(std::io::stderr(), "mimigrate: paused at {point}");
        let _ = std::io::stdin().lock().read_line(&mut String::new());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn writes_atomically_and_keeps_permissions() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.ps1");
        std::fs::write(&path, b"old").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        Writer::default()
            .write_fixed(&path, dir.path(), b"old", b"new")
            .unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o640);
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary file left"
        );
    }

    #[test]
    fn a_file_changed_since_reading_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.ps1");
        std::fs::write(&path, b"edited by someone").unwrap();
        assert!(matches!(
            Writer::default().write_fixed(&path, dir.path(), b"old", b"new"),
            Err(WriteError::ChangedOnDisk)
        ));
        assert_eq!(std::fs::read(&path).unwrap(), b"edited by someone");
    }

    #[test]
    fn links_are_written_through_only_inside_the_tree() {
        let outside = tempfile::tempdir().unwrap();
        let tree = tempfile::tempdir().unwrap();
        let real = tree.path().join("real.ps1");
        std::fs::write(&real, b"old").unwrap();
        let inner_link = tree.path().join("inner.ps1");
        std::os::unix::fs::symlink(&real, &inner_link).unwrap();
        let mut writer = Writer::default();
        writer.write_fixed(&inner_link, tree.path(), b"old", b"new").unwrap();
        assert_eq!(std::fs::read(&real).unwrap(), b"new");
        assert!(
            std::fs::symlink_metadata(&inner_link).unwrap().file_type().is_symlink(),
            "the link stays a link"
        );

        let foreign = outside.path().join("foreign.ps1");
        std::fs::write(&foreign, b"old").unwrap();
        let outer_link = tree.path().join("outer.ps1");
        std::os::unix::fs::symlink(&foreign, &outer_link).unwrap();
        assert!(matches!(
            writer.write_fixed(&outer_link, tree.path(), b"old", b"new"),
            Err(WriteError::LinkLeavesTree(_))
        ));
        assert_eq!(std::fs::read(&foreign).unwrap(), b"old");
    }

    #[test]
    fn temporary_files_of_runs_that_are_over_are_swept() {
        let dir = tempfile::tempdir().unwrap();
        let mut ended = std::process::Command::new("true").spawn().unwrap();
        ended.wait().unwrap();
        let stale = dir.path().join(temporary_name("a.ps1", ended.id()));
        // PID 1 runs for as long as the machine does.
        let running = dir.path().join(temporary_name("b.ps1", 1));
        let lookalike = dir.path().join(".c.ps1.mimigrate-12x.tmp");
        for path in [&stale, &running, &lookalike] {
            std::fs::write(path, b"half").unwrap();
        }
        let path = dir.path().join("a.ps1");
        std::fs::write(&path, b"old").unwrap();
        let mut writer = Writer::default();
        writer.write_fixed(&path, dir.path(), b"old", b"new").unwrap();
        assert_eq!(writer.removed, std::slice::from_ref(&stale));
        assert!(!stale.exists() && running.exists() && lookalike.exists());
    }

    #[test]
    fn temporary_names_tell_their_pid() {
        assert_eq!(temporary_pid(&temporary_name("x.mimigrate-1.ps1", 42)), Some(42));
        assert_eq!(temporary_pid(".mimigrate-42.tmp"), None);
        assert_eq!(temporary_pid(".x.ps1.mimigrate-+42.tmp"), None);
        assert_eq!(temporary_pid("x.ps1.mimigrate-42.tmp"), None);
    }

    #[test]
    fn a_file_deleted_since_reading_is_not_written() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            Writer::default().write_fixed(&dir.path().join("gone.ps1"), dir.path(), b"old", b"new"),
            Err(WriteError::Gone)
        ));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
