//! Keeps grammar/README.md honest about the pinned PowerShell grammar:
//! - grammar/normalised/ holds constructs mimigrate's normalisation makes readable;
//!   each must parse without an error region;
//! - grammar/gaps/ holds constructs the grammar still cannot read; each must still
//!   produce an error region, so a grammar upgrade that fixes one is noticed.
use std::path::{Path, PathBuf};

use mimigrate::syntax::{error_ranges, parse};

/// The `.ps1` files of a folder under grammar/, sorted, with their text.
fn scripts(folder: &str) -> Vec<(PathBuf, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("grammar").join(folder);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("readable directory entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "ps1"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no .ps1 files in {}", dir.display());
    paths
        .into_iter()
        .map(|path| {
            let text =
                std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{} is not UTF-8 text: {e}", path.display()));
            (path, text)
        })
        .collect()
}

#[test]
fn normalised_constructs_parse_without_errors() {
    let failures: Vec<String> = scripts("normalised")
        .into_iter()
        .filter_map(|(path, text)| {
            let errors = error_ranges(&parse(&text), &text);
            let unread: Vec<&str> = errors.iter().map(|r| &text[r.clone()]).collect();
            (!errors.is_empty()).then(|| format!("{}: {unread:?}", path.display()))
        })
        .collect();
    assert!(
        failures.is_empty(),
        "these should parse cleanly after normalisation, but have error regions:\n{}",
        failures.join("\n")
    );
}

#[test]
fn known_gaps_still_fail_to_parse() {
    let closed: Vec<String> = scripts("gaps")
        .into_iter()
        .filter(|(_, text)| error_ranges(&parse(text), text).is_empty())
        .map(|(path, _)| path.display().to_string())
        .collect();
    assert!(
        closed.is_empty(),
        "these now parse without errors: the grammar closed the gap. Move each file to \
         grammar/normalised/ and update the gap table in grammar/README.md:\n{}",
        closed.join("\n")
    );
}
