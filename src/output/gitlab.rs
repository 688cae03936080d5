//! `--format gitlab`: a GitLab Code Quality report, a JSON array with one issue per
//! finding. GitLab matches issues between the base and head pipelines by
//! `fingerprint`, so it must not move when lines are added above a finding.

use std::io::{self, Write};

use serde::Serialize;

use super::{annotated_range, annotation_message, fingerprints, slash_path, Printer};
use crate::diagnostic::Severity;
use crate::lint::CheckedFile;

pub struct GitLab;

#[derive(Serialize)]
struct Issue<'a> {
    description: String,
    check_name: &'a str,
    fingerprint: String,
    severity: &'static str,
    location: Location,
}

#[derive(Serialize)]
struct Location {
    path: String,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
    end: usize,
}

impl Printer for GitLab {
    fn print(&self, files: &[CheckedFile], out: &mut dyn Write) -> io::Result<()> {
        let mut issues = Vec::new();
        for file in files {
            let path = slash_path(&file.path);
            for (diagnostic, fingerprint) in file.diagnostics.iter().zip(fingerprints(file)) {
                let line = |offset| file.lines.position(&file.source.text, offset).line;
                issues.push(Issue {
                    description: annotation_message(file, diagnostic),
                    check_name: diagnostic.code,
                    fingerprint,
                    severity: severity(diagnostic.severity),
                    location: Location {
                        path: path.clone(),
                        lines: Lines {
                            begin: line(annotated_range(file, diagnostic).start),
                            end: line(annotated_range(file, diagnostic).end),
                        },
                    },
                });
            }
        }
        serde_json::to_writer_pretty(&mut *out, &issues)?;
        writeln!(out)
    }
}

/// GitLab's scale is info, minor, major, critical, blocker; `critical` and `blocker`
/// are left for security findings, which these are not.
fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "major",
        Severity::Warning => "minor",
        Severity::Info => "info",
    }
}
