//! `check` then `fix` on arbitrary bytes, asserting every invariant of
//! `tests/support/invariants.rs`. The first byte picks the run (`Selector`: safe or
//! unsafe fixes, identity, subscription source, `check`'s format); the rest is the file.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/support/invariants.rs"]
mod invariants;

use invariants::{check_bytes, KnownBugs, Selector};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    // Known bugs are skipped so a run goes on to find new ones (see KnownBugs).
    if let Err(violation) = check_bytes(bytes, Selector(selector), KnownBugs::Skip) {
        panic!("{violation}");
    }
});
