//! How much of a folder of runbooks the grammar fails to read, with and without
//! mimigrate's character normalisation. Used for the figures in grammar/README.md:
//! `cargo run --release --example error_share -- ../shared/corpus` (`-v` lists the
//! regions left with normalisation).
use std::ops::Range;

use mimigrate::source::SourceText;
use mimigrate::syntax::{error_ranges, parse, parse_plain};
use tree_sitter::{Node, Tree};

/// Files with an error and bytes in error regions.
#[derive(Default)]
struct Tally {
    files: usize,
    bytes: usize,
}

impl Tally {
    fn add(&mut self, has_error: bool, errors: &[Range<usize>]) {
        self.files += usize::from(has_error);
        self.bytes += errors.iter().map(|r| r.len()).sum::<usize>();
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let verbose = args.iter().any(|a| a == "-v");
    let root = args.iter().find(|a| *a != "-v").map_or("corpus", String::as_str);
    let (mut files, mut bytes) = (0usize, 0usize);
    let (mut plain, mut normalised) = (Tally::default(), Tally::default());
    for entry in ignore::WalkBuilder::new(root).build().flatten() {
        let path = entry.path();
        if !path.extension().is_some_and(|e| e.eq_ignore_ascii_case("ps1")) {
            continue;
        }
        let Some(source) = std::fs::read(path).ok().and_then(|raw| SourceText::decode(&raw).ok()) else {
            continue;
        };
        let text = &source.text;
        files += 1;
        bytes += text.len();

        // The grammar alone, judged strictly: any ERROR or MISSING node counts.
        let tree = parse_plain(text);
        plain.add(tree.root_node().has_error(), &raw_error_ranges(&tree));

        // What mimigrate reports: normalised parse, ERRORs of only comments/whitespace exempt.
        let errors = error_ranges(&parse(text), text);
        normalised.add(!errors.is_empty(), &errors);
        if verbose {
            for r in &errors {
                let snippet: String = text[r.clone()].chars().take(70).collect();
                println!("{}:{}: {snippet:?}", path.display(), r.start);
            }
        }
    }
    let pct = |n: usize, d: usize| 100.0 * n as f64 / d.max(1) as f64;
    println!("{files} files, {bytes} bytes");
    for (label, t) in [("grammar alone:     ", plain), ("with normalisation:", normalised)] {
        println!(
            "{label} {} files with ERROR/MISSING ({:.1}%), {} bytes in ERROR/MISSING nodes ({:.2}%)",
            t.files,
            pct(t.files, files),
            t.bytes,
            pct(t.bytes, bytes)
        );
    }
}

/// Outermost ERROR and MISSING ranges, with no exemption at all.
fn raw_error_ranges(tree: &Tree) -> Vec<Range<usize>> {
    fn walk(node: Node, out: &mut Vec<Range<usize>>) {
        if node.is_error() || node.is_missing() {
            out.push(node.byte_range());
        } else if node.has_error() {
            let mut cursor = node.walk();
            for child in node.children(&mut cursor) {
                walk(child, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(tree.root_node(), &mut out);
    out
}
