//! `cargo bench`: how much the engine costs on top of tree-sitter parsing, which is the
//! floor. Target: the whole check (model + rules + suppressions) within 1.75x of a bare
//! parse, single-threaded, on corpus/ and, when present, ../shared/corpus.

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

/// Best of `rounds` runs of `work` over every text.
fn best(rounds: usize, texts: &[String], work: impl Fn(&str)) -> Duration {
    (0..rounds)
        .map(|_| {
            let start = Instant::now();
            texts.iter().for_each(|t| work(t));
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
    }
}
