//! The tables under rules/data/ are generated from ../shared/data by
//! scripts/gen-tables.py and committed; this fails when they are stale.

use std::path::Path;
use std::process::Command;

#[test]
fn committed_tables_match_the_shared_data() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    if !root.join("../shared/data").is_dir() {
        eprintln!("skipped: ../shared/data is not beside this checkout");
        return;
    }
    let output = Command::new("python3")
        .arg(root.join("scripts/gen-tables.py"))
        .arg("--check")
        .output()
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
