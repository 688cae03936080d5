//! `--format github`: GitHub Actions workflow commands, one per finding, which the
//! runner turns into annotations on the pull request:
//! `::error file=PATH,line=L,endLine=EL,col=C,endColumn=EC,title=CODE name::message`.

use std::io::{self, Write};

use super::{annotated_range, annotation_message, slash_path, Printer};
use crate::diagnostic::Severity;
use crate::lint::CheckedFile;

pub struct GitHub;

impl Printer for GitHub {
    fn print(&self, files: &[CheckedFile], out: &mut dyn Write) -> io::Result<()> {
        for file in files {
            let path = escape_property(&slash_path(&file.path));
            for diagnostic in &file.diagnostics {
                let command = match diagnostic.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                    Severity::Info => "notice",
                };
                let range = annotated_range(file, diagnostic);
                let start = file.lines.position(&file.source.text, range.start);
                let end = file.lines.position(&file.source.text, range.end);
                // GitHub takes columns only for an annotation on a single line.
                let columns = if start.line == end.line {
                    format!(",col={},endColumn={}", start.column, end.column)
                } else {
                    String::new()
                };
                let title = escape_property(&format!("{} {}", diagnostic.code, diagnostic.name));
                writeln!(
                    out,
                    "::{command} file={path},line={},endLine={}{columns},title={title}::{}",
                    start.line,
                    end.line,
                    escape_data(&annotation_message(file, diagnostic))
                )?;
            }
        }
        Ok(())
    }
}

/// The message after `::`, escaped as the Actions toolkit escapes command data.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// A property value: the data escapes, plus the separators of the property list.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_and_properties_are_escaped_like_the_actions_toolkit() {
        let text = "100%: a,b\r\nc::d";
        assert_eq!(escape_data(text), "100%25: a,b%0D%0Ac::d");
        assert_eq!(escape_property(text), "100%25%3A a%2Cb%0D%0Ac%3A%3Ad");
        // `%` first, so an escape already in the text is not taken for one.
        assert_eq!(escape_data("%0A"), "%250A");
    }
}
