//! The one output of the engine: every front end (printers, fixer, LSP) consumes
//! `Diagnostic`s and never looks at the syntax tree itself.

use std::ops::Range;

use serde::{Deserialize, Serialize};

/// How bad a finding is (RULES.md "Severity").
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// Whether a fix may be applied without a human looking at it (ruff's model).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applicability {
    /// Shown to the user, never applied automatically.
    DisplayOnly,
    /// Applied only with `--unsafe-fixes`: it may change what the script does.
    Unsafe,
    /// Keeps the script's intent; applied by `mimigrate fix`.
    Safe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::DisplayOnly => "display-only",
            Applicability::Unsafe => "unsafe",
            Applicability::Safe => "safe",
        }
    }
}

/// Replace the bytes `range` of the decoded text with `content`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub range: Range<usize>,
    pub content: String,
}

impl Edit {
    pub fn replace(range: Range<usize>, content: impl Into<String>) -> Self {
        Edit {
            range,
            content: content.into(),
        }
    }
    pub fn delete(range: Range<usize>) -> Self {
        Edit {
            range,
            content: String::new(),
        }
    }
    pub fn insert(at: usize, content: impl Into<String>) -> Self {
        Edit {
            range: at..at,
            content: content.into(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    pub applicability: Applicability,
    pub message: String,
    /// Sorted by position, never overlapping.
    pub edits: Vec<Edit>,
}

impl Fix {
    pub fn new(applicability: Applicability, message: impl Into<String>, mut edits: Vec<Edit>) -> Self {
        edits.sort_by_key(|e| (e.range.start, e.range.end));
        Fix {
            applicability,
            message: message.into(),
            edits,
        }
    }
}

/// One finding. `range` is a byte range of the decoded text (see `source::SourceFile`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub message: String,
    pub range: Range<usize>,
    pub fix: Option<Fix>,
    /// The graphical runbook activity the finding is in (`range` is then a range of
    /// the runbook's PowerShell view); `None` in scripts.
    pub activity: Option<String>,
}

impl Diagnostic {
    /// The message as the text formats show it: with the activity in front when the
    /// finding is in a graphical runbook's activity.
    pub fn located_message(&self) -> std::borrow::Cow<'_, str> {
        match &self.activity {
            Some(activity) => format!("in activity '{activity}': {}", self.message).into(),
            None => self.message.as_str().into(),
        }
    }
}
