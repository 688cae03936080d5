//! `cargo bench --bench throughput [-- N]`: a tree of N runbooks (default 4,000) copied
//! from corpus/, checked by the real binary as a user runs it, next to tree-sitter
//! parsing alone over the same files on one thread: the limit of this design. Prints
//! MB/s, files/s, the ratio of check time to single-threaded parse time (target: at
//! most 0.5 on two cores) and the check's peak memory (target: under 300 MB), for a
//! cold run (`--no-cache`) and a warm one (the cache of an earlier run, nothing edited).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use mimigrate::source::SourceText;

#[path = "support/corpus.rs"]
mod corpus;
use corpus::corpus_runbooks;

/// N runbooks in folders of 100, cycling through the corpus.
fn build_tree(root: &Path, count: usize) -> Vec<PathBuf> {
    let corpus = corpus_runbooks();
    (0..count)
        .map(|i| {
            let (name, bytes) = &corpus[i % corpus.len()];
            let folder = root.join(format!("team{:03}", i / 100));
            std::fs::create_dir_all(&folder).expect("temp folder");
            let path = folder.join(format!("{i:05}-{name}"));
            std::fs::write(&path, bytes).expect("temp file");
            path
        })
        .collect()
}

/// Wall time and peak resident memory (bytes) of a command run to its end.
// `wait4` reaps the child (std's `wait` cannot report its peak memory).
#[allow(clippy::zombie_processes)]
fn run_measured(command: &mut Command) -> (Duration, u64) {
    let start = Instant::now();
    let child = command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("mimigrate runs");
    let mut status = 0;
    // SAFETY: plain FFI call on our own child's pid with valid out-pointers.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    assert!(waited > 0, "wait4 failed");
    (start.elapsed(), usage.ru_maxrss as u64 * 1024)
}

fn best<T>(rounds: usize, work: impl Fn() -> (Duration, T)) -> (Duration, T) {
    (0..rounds)
        .map(|_| work())
        .min_by_key(|(time, _)| *time)
        .expect("rounds > 0")
}

fn main() {
    let count: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(4000);
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path().join("runbooks");
    let paths = build_tree(&root, count);
    let texts: Vec<String> = paths
        .iter()
        .filter_map(|p| SourceText::decode(&std::fs::read(p).ok()?).ok())
        .map(|s| s.text)
        .collect();
    let bytes: usize = texts.iter().map(String::len).sum();
    let mb = bytes as f64 / 1e6;

    let (parse, ()) = best(3, || {
        let start = Instant::now();
        texts.iter().for_each(|t| drop(mimigrate::syntax::parse(t)));
        (start.elapsed(), ())
    });
    println!(
        "{count} runbooks, {mb:.1} MB; tree-sitter parse alone, 1 thread: {:.2} s ({:.1} MB/s, {:.0} files/s)",
        parse.as_secs_f64(),
        mb / parse.as_secs_f64(),
        count as f64 / parse.as_secs_f64()
    );
    let binary = env!("CARGO_BIN_EXE_mimigrate");
    let cache = dir.path().join("cache");
    for format in ["concise", "json"] {
        // Cold: no cache, every file parsed. Warm: the cache of an earlier run over the
        // same unchanged tree (a pre-commit hook, a second `check .`).
        let cold = || {
            run_measured(
                Command::new(binary)
                    .args(["check", "--no-cache", "--format", format])
                    .arg(&root),
            )
        };
        let warm = || {
            run_measured(
                Command::new(binary)
                    .args(["check", "--format", format, "--cache-dir"])
                    .args([&cache, &root]),
            )
        };
        warm();
        for (run, measure) in [("cold", &cold as &dyn Fn() -> (Duration, u64)), ("warm", &warm)] {
            let (time, peak) = best(3, measure);
            println!(
                "check --format {format:<8} {run}: {:.2} s ({:.1} MB/s, {:.0} files/s) = {:.2}x single-threaded parse; peak memory {:.0} MB",
                time.as_secs_f64(),
                mb / time.as_secs_f64(),
                count as f64 / time.as_secs_f64(),
                time.as_secs_f64() / parse.as_secs_f64(),
                peak as f64 / 1e6
            );
        }
    }
}
