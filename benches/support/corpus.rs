//! The runbooks of the project's `corpus/`, shared by the benchmarks that build their
//! input from it.

use std::path::{Path, PathBuf};

/// Each `corpus/*.ps1` as (file name, bytes), in name order.
pub fn corpus_runbooks() -> Vec<(String, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("corpus/ exists")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "ps1"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let name = p.file_name().unwrap_or_default().to_string_lossy().into_owned();
            let bytes = std::fs::read(&p).expect("corpus runbooks are readable");
            (name, bytes)
        })
        .collect()
}
