//! `--format junit`: JUnit XML for CI test reports. One `<testsuite>` per file, one
//! failing `<testcase>` per finding (type = the code, body = `path:line:col: message`);
//! a file without findings is one passing test case.

use std::io::{self, Write};

use super::{slash_path, Printer};
use crate::lint::CheckedFile;

pub struct JUnit;

impl Printer for JUnit {
    fn print(&self, files: &[CheckedFile], out: &mut dyn Write) -> io::Result<()> {
        let findings: usize = files.iter().map(|f| f.diagnostics.len()).sum();
        let tests: usize = files.iter().map(|f| f.diagnostics.len().max(1)).sum();
        writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
        writeln!(
            out,
            r#"<testsuites name="mimigrate" tests="{tests}" failures="{findings}">"#
        )?;
        for file in files {
            let path = slash_path(&file.path);
            let name = escape(&path);
            writeln!(
                out,
                r#"  <testsuite name="{name}" tests="{}" failures="{}" errors="0" skipped="0">"#,
                file.diagnostics.len().max(1),
                file.diagnostics.len()
            )?;
            if file.diagnostics.is_empty() {
                writeln!(
                    out,
                    r#"    <testcase name="no findings" classname="{name}" file="{name}"/>"#
                )?;
            }
            for diagnostic in &file.diagnostics {
                let start = file.lines.position(&file.source.text, diagnostic.range.start);
                writeln!(
                    out,
                    r#"    <testcase name="{} {} at {}:{}" classname="{name}" file="{name}" line="{}">"#,
                    diagnostic.code,
                    escape(diagnostic.name),
                    start.line,
                    start.column,
                    start.line
                )?;
                writeln!(
                    out,
                    r#"      <failure message="{}" type="{}">{}</failure>"#,
                    escape(&diagnostic.located_message()),
                    escape(diagnostic.code),
                    escape(&format!(
                        "{path}:{}:{}: {}",
                        start.line,
                        start.column,
                        diagnostic.located_message()
                    ))
                )?;
                writeln!(out, "    </testcase>")?;
            }
            writeln!(out, "  </testsuite>")?;
        }
        writeln!(out, "</testsuites>")
    }
}

/// Text for XML content and attribute values. Line breaks and tabs become character
/// references (attribute values would otherwise turn them into spaces); characters
/// XML 1.0 cannot hold at all (other controls, lone surrogates cannot occur in a
/// `str`, U+FFFE/U+FFFF) become U+FFFD.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            '\u{0}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_line_breaks_and_controls_are_escaped() {
        assert_eq!(
            escape("<a href=\"x\">'&'</a>\r\n\0\t"),
            "&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;&#13;&#10;\u{FFFD}&#9;"
        );
    }
}
