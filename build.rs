//! `MIMIGRATE_BUILD_ID`: changes whenever what the binary is built from changes, so
//! findings cached by one build (`src/cache.rs`) are never read by another, even
//! between two builds of one version.

use std::time::{SystemTime, UNIX_EPOCH};

fn main() {
    for input in ["src", "rules", "Cargo.toml", "Cargo.lock", "build.rs"] {
        println!("cargo:rerun-if-changed={input}");
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    println!("cargo:rustc-env=MIMIGRATE_BUILD_ID={now:x}");
}
