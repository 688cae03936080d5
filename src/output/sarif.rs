//! `--format sarif`: one SARIF 2.1.0 log for GitHub code scanning and other viewers.
//! Rules come from the registry with their documentation as help; results carry the
//! finding's region, a fingerprint that survives edits elsewhere in the file, and the
//! fix as SARIF `fixes`. Columns are UTF-16 code units, SARIF's default, and the run
//! says so in `columnKind`.

use std::io::{self, Write};

use serde_json::{json, Value};

use super::{annotation_message, fingerprints, slash_path, Printer};
use crate::diagnostic::{Diagnostic, Severity};
use crate::lint::CheckedFile;
use crate::rules::{self, Rule, REPOSITORY};
use crate::source::ColumnUnit;

pub struct Sarif;

/// The base URI id relative paths are resolved against: the folder the run started in.
const SRCROOT: &str = "%SRCROOT%";

impl Printer for Sarif {
    fn print(&self, files: &[CheckedFile], out: &mut dyn Write) -> io::Result<()> {
        let mut driver = json!({
            "name": "mimigrate",
            "version": env!("CARGO_PKG_VERSION"),
            "semanticVersion": env!("CARGO_PKG_VERSION"),
            "rules": rules::ALL.iter().map(|rule| descriptor(rule)).collect::<Vec<_>>(),
        });
        if let Some(repository) = REPOSITORY {
            driver["informationUri"] = repository.into();
        }
        let results: Vec<Value> = files.iter().flat_map(file_results).collect();
        let log = json!({
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [{
                "tool": {"driver": driver},
                "columnKind": "utf16CodeUnits",
                "results": results,
            }],
        });
        serde_json::to_writer_pretty(&mut *out, &log)?;
        writeln!(out)
    }
}

fn descriptor(rule: &Rule) -> Value {
    let mut descriptor = json!({
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.description()},
        "help": {"text": rule.documentation, "markdown": rule.documentation},
        "defaultConfiguration": {"level": level(rule.severity)},
    });
    if let Some(url) = rule.url() {
        descriptor["helpUri"] = url.into();
    }
    descriptor
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn file_results(file: &CheckedFile) -> Vec<Value> {
    let artifact = artifact_location(file);
    file.diagnostics
        .iter()
        .zip(fingerprints(file))
        .map(|(diagnostic, fingerprint)| {
            let mut result = json!({
                "ruleId": diagnostic.code,
                "level": level(diagnostic.severity),
                "message": {"text": diagnostic.message},
                "locations": [{"physicalLocation": {
                    "artifactLocation": artifact,
                    "region": region(file, diagnostic.range.clone()),
                }}],
                "partialFingerprints": {"mimigrateFinding/v1": fingerprint},
            });
            if let Some(index) = rules::ALL.iter().position(|rule| rule.code == diagnostic.code) {
                result["ruleIndex"] = index.into();
            }
            if let Some(fix) = fixes(file, diagnostic, &artifact) {
                result["fixes"] = fix;
            }
            if let Some(activity) = &diagnostic.activity {
                // A graphical runbook: the activity is where to look, and its fix is
                // steps in the graphical editor, which SARIF's `fixes` cannot hold.
                result["locations"][0]["logicalLocations"] = json!([{"name": activity, "kind": "function"}]);
                result["message"]["text"] = annotation_message(file, diagnostic).into();
            }
            result
        })
        .collect()
}

fn fixes(file: &CheckedFile, diagnostic: &Diagnostic, artifact: &Value) -> Option<Value> {
    // A fix that edits nothing is guidance, and SARIF's `replacements` may not be empty.
    let fix = diagnostic.fix.as_ref().filter(|fix| !fix.edits.is_empty())?;
    let replacements: Vec<Value> = fix
        .edits
        .iter()
        .map(|edit| {
            json!({
                "deletedRegion": region(file, edit.range.clone()),
                "insertedContent": {"text": edit.content},
            })
        })
        .collect();
    Some(json!([{
        "description": {"text": fix.message},
        "artifactChanges": [{"artifactLocation": artifact, "replacements": replacements}],
        "properties": {"applicability": fix.applicability.as_str()},
    }]))
}

/// SARIF regions are 1-based with an exclusive end column, like our positions.
fn region(file: &CheckedFile, range: std::ops::Range<usize>) -> Value {
    let text = &file.source.text;
    let start = file.lines.position_in(text, range.start, ColumnUnit::Utf16);
    let end = file.lines.position_in(text, range.end, ColumnUnit::Utf16);
    json!({
        "startLine": start.line,
        "startColumn": start.column,
        "endLine": end.line,
        "endColumn": end.column,
    })
}

/// A relative path becomes a URI reference against `%SRCROOT%`; an absolute one a
/// `file:` URI of its own.
fn artifact_location(file: &CheckedFile) -> Value {
    let path = slash_path(&file.path);
    if file.path.is_absolute() {
        let rooted = if path.starts_with('/') {
            path
        } else {
            format!("/{path}")
        };
        json!({"uri": format!("file://{}", uri_escape(&rooted))})
    } else {
        json!({"uri": uri_escape(&path), "uriBaseId": SRCROOT})
    }
}

/// Percent-encode what may not stand in a URI path (RFC 3986): everything but the
/// unreserved characters, `/` and the sub-delimiters that are harmless in paths.
fn uri_escape(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'.'
            | b'_'
            | b'~'
            | b'/'
            | b'!'
            | b'$'
            | b'&'
            | b'\''
            | b'('
            | b')'
            | b'*'
            | b'+'
            | b','
            | b';'
            | b'='
            | b':'
            | b'@' => out.push(byte as char),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(uri_escape("run books/caf\u{e9}#1.ps1"), "run%20books/caf%C3%A9%231.ps1");
        assert_eq!(uri_escape("a/b-c_d.ps1"), "a/b-c_d.ps1");
    }
}
