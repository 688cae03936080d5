//! Printers: one per `--format`, all behind `Printer`, all reading the same
//! `CheckedFile`s. None of them knows anything about rules beyond the registry's
//! metadata (names, summaries, documentation).

mod azure;
mod concise;
mod full;
mod github;
mod gitlab;
mod json;
mod junit;
mod markdown;
mod rdjson;
mod sarif;

use std::io::{self, Write};
use std::path::{Component, Path};

use crate::diagnostic::Edit;
use crate::lint::CheckedFile;

pub use azure::Azure;
pub use concise::Concise;
pub use full::Full;
pub use github::GitHub;
pub use gitlab::GitLab;
pub use json::{Json, JsonLines};
pub use junit::JUnit;
pub use markdown::Markdown;
pub use rdjson::Rdjson;
pub use sarif::Sarif;

pub trait Printer {
    /// Print the findings of `files` (sorted by path, findings by position).
    fn print(&self, files: &[CheckedFile], out: &mut dyn Write) -> io::Result<()>;
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Each finding in context with its suggested fix, and a summary.
    Full,
    /// `path:line:col: CODE [*] message`, and a summary.
    Concise,
    /// A JSON array, one object per finding.
    Json,
    /// The JSON objects, one per line.
    JsonLines,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// reviewdog's Diagnostic JSON, fixes as suggestions.
    Rdjson,
    /// GitLab Code Quality report.
    Gitlab,
    /// Azure Pipelines logging commands.
    Azure,
    /// JUnit XML, a test suite per file.
    Junit,
    /// A pull-request comment.
    Markdown,
}

impl Format {
    pub fn printer(self, color: bool) -> Box<dyn Printer> {
        match self {
            Format::Full => Box::new(Full { color }),
            Format::Concise => Box::new(Concise { color }),
            Format::Json => Box::new(Json),
            Format::JsonLines => Box::new(JsonLines),
            Format::Sarif => Box::new(Sarif),
            Format::Github => Box::new(GitHub),
            Format::Rdjson => Box::new(Rdjson),
            Format::Gitlab => Box::new(GitLab),
            Format::Azure => Box::new(Azure),
            Format::Junit => Box::new(JUnit),
            Format::Markdown => Box::new(Markdown),
        }
    }

    /// Every format, in `--format`'s order.
    pub fn all() -> &'static [Format] {
        <Format as clap::ValueEnum>::value_variants()
    }

    /// Human formats end with a summary line; machine formats print nothing else.
    pub fn is_human(self) -> bool {
        matches!(self, Format::Full | Format::Concise)
    }

    /// Whether the format shows which findings `mimigrate fix` resolves (`[*]`, fixable
    /// counts): only then does `check` pay for finding out (see `CheckedFile::check`).
    pub fn shows_fixability(self) -> bool {
        self.is_human() || self == Format::Markdown
    }
}

/// A path as CI systems want it: relative paths with `/` between components and no
/// leading `./`, whatever the platform.
pub fn slash_path(path: &Path) -> String {
    let mut parts = Vec::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::RootDir => parts.push(String::new()),
            Component::ParentDir => parts.push("..".into()),
            Component::Prefix(prefix) => parts.push(prefix.as_os_str().to_string_lossy().into_owned()),
            Component::Normal(name) => parts.push(name.to_string_lossy().into_owned()),
        }
    }
    match parts.as_slice() {
        [root] if root.is_empty() => "/".into(),
        _ => parts.join("/"),
    }
}

/// Per finding of `file`, an id that stays the same across runs and when unrelated
/// lines are added or removed (code scanning and GitLab track findings by it): a hash
/// of the code, the path, the finding's own text with whitespace collapsed, and how
/// many findings with the same three came before it in the file. Never the line
/// number. Unique within a report, since the path is part of it.
/// Where a pull-request annotation (GitHub, GitLab, Azure Pipelines, reviewdog) of a
/// finding goes: its own range, or in a graphical runbook, whose positions are its
/// view's, the start of the exported file, the one place in it an annotation can
/// point at (the message names the activity).
pub fn annotated_range(file: &CheckedFile, diagnostic: &crate::diagnostic::Diagnostic) -> std::ops::Range<usize> {
    if file.graphical {
        0..0
    } else {
        diagnostic.range.clone()
    }
}

/// A pull-request annotation's message: the located message and, in a graphical
/// runbook, the steps in the graphical editor (its fix, which edits nothing, so no
/// suggestion carries it).
pub fn annotation_message(file: &CheckedFile, diagnostic: &crate::diagnostic::Diagnostic) -> String {
    let message = diagnostic.located_message();
    match diagnostic.fix.as_ref().filter(|_| file.graphical) {
        Some(fix) => format!("{message}. {}", fix.message),
        None => message.into_owned(),
    }
}

pub fn fingerprints(file: &CheckedFile) -> Vec<String> {
    let path = slash_path(&file.path);
    let mut seen = std::collections::HashMap::new();
    file.diagnostics
        .iter()
        .map(|diagnostic| {
            let text = normalised(finding_text(file, diagnostic));
            let key = format!("{}\0{path}\0{text}", diagnostic.code);
            let occurrence = seen.entry(key.clone()).or_insert(0usize);
            *occurrence += 1;
            let hash = xxhash_rust::xxh3::xxh3_128(format!("{key}\0{occurrence}").as_bytes());
            format!("{hash:032x}")
        })
        .collect()
}

/// The source text a finding covers; for an empty range, its line.
fn finding_text<'a>(file: &'a CheckedFile, diagnostic: &crate::diagnostic::Diagnostic) -> &'a str {
    let text = &file.source.text;
    let range = diagnostic.range.start.min(text.len())..diagnostic.range.end.min(text.len());
    if !range.is_empty() {
        return text.get(range).unwrap_or("");
    }
    let line = file.lines.line_of(range.start);
    text.get(file.lines.line_start(line)..file.lines.line_end(text, line))
        .unwrap_or("")
}

fn normalised(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
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
