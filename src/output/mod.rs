//! Printers: one per `--format`, all behind `Printer`, all reading the same
//! `CheckedFile`s. None of them knows anything about rules.

mod concise;
mod full;
mod json;

use std::io::{self, Write};

use crate::diagnostic::Edit;
use crate::lint::CheckedFile;

pub use concise::Concise;
pub use full::Full;
pub use json::{Json, JsonLines};

pub trait Printer {
    /// Print the findings of `files` (sorted by path, findings by position).
    fn print(&self, files: &[CheckedFile], out: &mut dyn Write) -> io::Result<()>;
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Full,
    Concise,
    Json,
    JsonLines,
}

impl Format {
    pub fn printer(self, color: bool) -> Box<dyn Printer> {
        match self {
            Format::Full => Box::new(Full { color }),
            Format::Concise => Box::new(Concise { color }),
            Format::Json => Box::new(Json),
            Format::JsonLines => Box::new(JsonLines),
        }
    }

    /// Human formats end with a summary line; machine formats print nothing else.
    pub fn is_human(self) -> bool {
        matches!(self, Format::Full | Format::Concise)
    }
}

/// The text after applying `edits` (sorted, non-overlapping) to `text`.
pub fn apply_edits(text: &str, edits: &[Edit]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for edit in edits {
        out.push_str(&text[at..edit.range.start]);
        out.push_str(&edit.content);
        at = edit.range.end;
    }
    out.push_str(&text[at..]);
    out
}
