//! The graphical runbook reader on arbitrary bytes. The first byte picks what the rest
//! is: even, a `RunbookDefinition` stream (the decoded base64); odd, a whole exported
//! `.graphrunbook` file. Whatever reads is rendered as its PowerShell view, linted and
//! presented as `check` does. It must never panic; `fuzz/run.sh` runs it with
//! libFuzzer's time and memory limits, so a hang or an unbounded allocation fails too.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mimigrate::graphical::{read_definition, read_export, view, GraphicalRunbook};
use mimigrate::lint::{lint, LintOptions};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, bytes)) = data.split_first() else {
        return;
    };
    let runbook = if mode & 1 == 0 {
        read_definition(bytes).map(|graph| GraphicalRunbook {
            view: view::render(&graph),
            graph,
        })
    } else {
        read_export(bytes)
    };
    if let Ok(runbook) = runbook {
        let options = LintOptions::default();
        let found = runbook.present(lint(&runbook.view.text, &options), &options);
        for finding in found {
            assert!(finding.fix.is_none_or(|f| f.edits.is_empty()), "a graphical runbook's fix edits nothing");
        }
    }
});
