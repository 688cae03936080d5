//! How much of a folder of runbooks the grammar fails to read, with and without
//! mimigrate's character normalisation. Used for the figures in grammar/README.md:
//! `cargo run --release --example error_share -- ../shared/corpus`
use mimigrate::source::SourceText;
use mimigrate::syntax::{error_ranges, parse, parse_plain};

fn main() {
    let root = std::env::args().nth(1).unwrap_or_else(|| "corpus".into());
    let verbose = std::env::args().any(|a| a == "-v");
    let (mut files, mut bytes) = (0usize, 0usize);
    let mut plain = (0usize, 0usize);
    let mut normalised = (0usize, 0usize);
    for entry in ignore::WalkBuilder::new(&root).build().flatten() {
        let path = entry.path();
        if !path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("ps1"))
        {
            continue;
        }
        let Ok(raw) = std::fs::read(path) else {
            continue;
        };
        let Ok(source) = SourceText::decode(&raw) else {
            continue;
        };
        files += 1;
        bytes += source.text.len();
        for (tree, tally, label) in [
            (parse_plain(&source.text), &mut plain, "plain"),
            (parse(&source.text), &mut normalised, "normalised"),
        ] {
            let errors = error_ranges(&tree, &source.text);
            if !errors.is_empty() {
                tally.0 += 1;
                tally.1 += errors.iter().map(|r| r.len()).sum::<usize>();
                if verbose && label == "normalised" {
                    for r in &errors {
                        let snippet: String = source.text[r.clone()].chars().take(70).collect();
                        println!("{}:{}: {:?}", path.display(), r.start, snippet);
                    }
                }
            }
        }
    }
    let pct = |n: usize, d: usize| 100.0 * n as f64 / d.max(1) as f64;
    println!("{files} files, {bytes} bytes");
    println!("grammar alone:        {} files with ERROR/MISSING ({:.1}%), {} bytes in ERROR nodes ({:.2}%)", plain.0, pct(plain.0, files), plain.1, pct(plain.1, bytes));
    println!("with normalisation:   {} files with ERROR/MISSING ({:.1}%), {} bytes in ERROR nodes ({:.2}%)", normalised.0, pct(normalised.0, files), normalised.1, pct(normalised.1, bytes));
}
