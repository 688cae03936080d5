//! `check` then `fix` on arbitrary bytes, asserting every invariant of
//! `tests/support/invariants.rs`. The first byte picks the run (`Selector`: safe or
//! unsafe fixes, identity, subscription source, `check`'s format); the rest is the file.
#![no_main]

use std::panic::{self, AssertUnwindSafe};

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/support/invariants.rs"]
mod invariants;

use invariants::{check_bytes, known_panic, KnownBugs, Selector};

fuzz_target!(
    init: {
        // libFuzzer's hook aborts on any panic; a known engine bug's panic unwinds
        // instead, so a run goes on to find new ones (see KnownBugs).
        let abort = panic::take_hook();
        panic::set_hook(Box::new(move |panic| {
            if known_panic(panic).is_none() {
                abort(panic);
            }
        }));
    },
    |data: &[u8]| {
        let Some((&selector, bytes)) = data.split_first() else {
            return;
        };
        let checked = panic::catch_unwind(AssertUnwindSafe(|| check_bytes(bytes, Selector(selector), KnownBugs::Skip)));
        if let Ok(Err(violation)) = checked {
            panic!("{violation}");
        }
    }
);
