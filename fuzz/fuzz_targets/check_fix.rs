//! `check` then `fix` on arbitrary bytes, asserting every invariant of
//! `tests/support/invariants.rs`. The first byte picks the run (`Selector`: safe or
//! unsafe fixes, identity, subscription source, `check`'s formats); the rest is the file.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/support/invariants.rs"]
mod invariants;

use invariants::{check_bytes, Selector};

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    if let Err(violation) = check_bytes(bytes, Selector(selector)) {
        panic!("{violation}");
    }
});
