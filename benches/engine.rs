//! `cargo bench`: how much the engine costs on top of tree-sitter parsing, which is the
//! floor. Target: the whole check (model + rules + suppressions) within 1.75x of a bare
//! parse, single-threaded, on corpus/ and, when present, ../shared/corpus. Graphical
//! runbooks: reading one (JSON, base64, the binary stream, the model and its view) is
//! to cost less than parsing its view.

use std::path::Path;
use std::time::{Duration, Instant};

use mimigrate::lint::{lint, LintOptions};
use mimigrate::source::SourceText;
use mimigrate::syntax::parse;

fn runbooks(root: &Path) -> Vec<String> {
    ignore::WalkBuilder::new(root)
        .build()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x.eq_ignore_ascii_case("ps1")))
        .filter_map(|e| SourceText::decode(&std::fs::read(e.path()).ok()?).ok())
        .map(|s| s.text)
        .collect()
}

/// The exported graphical runbooks under `root`, as bytes.
fn graphical_runbooks(root: &Path) -> Vec<Vec<u8>> {
    ignore::WalkBuilder::new(root)
        .build()
        .flatten()
        .filter(|e| mimigrate::graphical::is_graphical(e.path()))
        .filter_map(|e| std::fs::read(e.path()).ok())
        .collect()
}

/// Best of `rounds` runs of `work` over every item.
fn best<T>(rounds: usize, items: &[T], work: impl Fn(&T)) -> Duration {
    (0..rounds)
        .map(|_| {
            let start = Instant::now();
            items.iter().for_each(&work);
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn main() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    for root in [here.join("corpus"), here.join("../shared/corpus")] {
        if !root.is_dir() {
            continue;
        }
        let texts = runbooks(&root);
        let bytes: usize = texts.iter().map(String::len).sum();
        let options = LintOptions::default();
        let parse_only = best(5, &texts, |t| drop(parse(t)));
        let model = best(5, &texts, |t| drop(mimigrate::syntax::model::Script::parse(t)));
        let full = best(5, &texts, |t| drop(lint(t, &options)));
        println!(
            "{}: {} files, {} KiB: parse {:.1} ms, parse+model {:.1} ms, check {:.1} ms ({:.2}x parse, {:.1} MiB/s)",
            root.display(),
            texts.len(),
            bytes / 1024,
            parse_only.as_secs_f64() * 1e3,
            model.as_secs_f64() * 1e3,
            full.as_secs_f64() * 1e3,
            full.as_secs_f64() / parse_only.as_secs_f64(),
            bytes as f64 / 1048576.0 / full.as_secs_f64()
        );
        let exports = graphical_runbooks(&root);
        if exports.is_empty() {
            continue;
        }
        let read = best(20, &exports, |e| drop(mimigrate::graphical::read_export(e)));
        let view_parse = best(20, &exports, |e| {
            if let Ok(runbook) = mimigrate::graphical::read_export(e) {
                drop(parse(&runbook.view.text));
            }
        });
        println!(
            "{}: {} graphical runbooks: read {:.3} ms, read+parse of the views {:.3} ms (reading is {:.0}% of it)",
            root.display(),
            exports.len(),
            read.as_secs_f64() * 1e3,
            view_parse.as_secs_f64() * 1e3,
            100.0 * read.as_secs_f64() / view_parse.as_secs_f64()
        );
    }
}
