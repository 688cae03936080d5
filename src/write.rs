//! Writing a fixed runbook back without ever leaving a user's file damaged: through a
//! temporary file in the same folder and a rename (the file is either the old bytes or
//! the new ones, never half), keeping its permissions, only if nobody changed it since
//! it was read, and never through a symbolic link that points out of the checked tree.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug)]
pub enum WriteError {
    /// The file's bytes are no longer the ones that were fixed.
    ChangedOnDisk,
    /// The path is a link to a file outside the folder being fixed.
    LinkLeavesTree(PathBuf),
    Io(std::io::Error),
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WriteError::ChangedOnDisk => f.write_str("changed on disk while it was being fixed; left as it is"),
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
        WriteError::Io(error)
    }
}

/// Replace the contents of `path` (read as `original`) with `fixed`. `tree` is the
/// folder the run was asked to fix: a link may point anywhere inside it.
pub fn write_fixed(path: &Path, tree: &Path, original: &[u8], fixed: &[u8]) -> Result<(), WriteError> {
    let target = std::fs::canonicalize(path)?;
    let tree = std::fs::canonicalize(tree)?;
    if !target.starts_with(&tree) {
        return Err(WriteError::LinkLeavesTree(target));
    }
    if std::fs::read(&target)? != original {
        return Err(WriteError::ChangedOnDisk);
    }
    let folder = target.parent().unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = folder.join(format!(".{name}.mimigrate-{}.tmp", std::process::id()));
    let written = (|| -> Result<(), WriteError> {
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(fixed)?;
        file.set_permissions(std::fs::metadata(&target)?.permissions())?;
        file.sync_all()?;
        drop(file);
        // Last look before the swap: an editor may have saved in the meantime.
        if std::fs::read(&target)? != original {
            return Err(WriteError::ChangedOnDisk);
        }
        std::fs::rename(&temporary, &target)?;
        Ok(())
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    written
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
        write_fixed(&path, dir.path(), b"old", b"new").unwrap();
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
            write_fixed(&path, dir.path(), b"old", b"new"),
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
        write_fixed(&inner_link, tree.path(), b"old", b"new").unwrap();
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
            write_fixed(&outer_link, tree.path(), b"old", b"new"),
            Err(WriteError::LinkLeavesTree(_))
        ));
        assert_eq!(std::fs::read(&foreign).unwrap(), b"old");
    }
}
