//! `mimigrate lsp`: the language server editors start to show findings as the author
//! types (CLI.md "LSP").
//!
//! One thread reads messages from stdin; this one handles them in order and writes
//! every reply. Diagnostics come from `lint_script`, the engine's entry point, on the
//! document's tree re-parsed incrementally after each edit; quick fixes are the
//! findings' own fixes, checked the way `fix` checks a pass; "fix all" is `fix_text`.
//! Nothing here decides what a finding is: this module converts positions, wraps the
//! engine's `Diagnostic`s and answers the protocol.
//!
//! Timing: a change after a pause is analysed at once; one that follows another within
//! `DEBOUNCE` waits until the changes stop for that long, so a burst (fast typing, a
//! multi-cursor edit, a formatter's many edits) is analysed once. Before publishing,
//! the messages that came in during the analysis are read, and a document changed
//! again is not published (its newer version is due). Logs go to stderr, never stdout, which is the protocol's.

mod convert;
mod document;
mod server;
pub mod transport;

use std::io::{BufReader, Write};
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::Duration;

pub use crate::fix::changed_lines;
use transport::{read_message, Incoming};

/// Changes closer together than this are one burst, analysed when it ends.
pub const DEBOUNCE: Duration = Duration::from_millis(30);

/// What the reading thread hands over.
enum Event {
    Message(Incoming),
    /// End of input, or it could not be read.
    Closed,
}

/// Serve on stdin/stdout until `exit` (or the end of stdin).
pub fn run_stdio() -> ExitCode {
    let (sender, events) = mpsc::channel();
    std::thread::Builder::new()
        .name("lsp-reader".into())
        .spawn(move || read_into(BufReader::new(std::io::stdin().lock()), sender))
        .expect("a thread can be started");
    let stdout = std::io::stdout();
    let clean = server::Server::new(stdout.lock(), events).run();
    if clean {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Serve a connection given as streams (tests run the server in-process this way):
/// returns whether it ended cleanly (`shutdown` then `exit`).
pub fn serve(input: impl std::io::BufRead + Send + 'static, output: impl Write) -> bool {
    let (sender, events) = mpsc::channel();
    std::thread::spawn(move || read_into(input, sender));
    server::Server::new(output, events).run()
}

fn read_into(mut input: impl std::io::BufRead, sender: mpsc::Sender<Event>) {
    loop {
        let event = match read_message(&mut input) {
            Ok(Some(message)) => Event::Message(message),
            Ok(None) => Event::Closed,
            Err(error) => {
                log(&format!("cannot read the client's messages: {error}"));
                Event::Closed
            }
        };
        let closed = matches!(event, Event::Closed);
        if sender.send(event).is_err() || closed {
            return;
        }
    }
}

/// A line on stderr (the editor's log of the server).
fn log(message: &str) {
    eprintln!("mimigrate lsp: {message}");
}

/// Log only when `MIMIGRATE_LOG=debug`: timings of each analysis.
fn debug(message: impl FnOnce() -> String) {
    static ON: std::sync::LazyLock<bool> =
        std::sync::LazyLock::new(|| std::env::var("MIMIGRATE_LOG").is_ok_and(|v| v.eq_ignore_ascii_case("debug")));
    if *ON {
        log(&message());
    }
}
