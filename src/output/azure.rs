//! `--format azure`: Azure Pipelines logging commands, one per finding:
//! `##vso[task.logissue type=error;sourcepath=PATH;linenumber=L;columnnumber=C;code=CODE;]message`.
//! Azure has only errors and warnings, so information findings are warnings.

use std::io::{self, Write};

use super::{annotated_range, annotation_message, slash_path, Printer};
use crate::diagnostic::Severity;
use crate::lint::CheckedFile;

pub struct Azure;

impl Printer for Azure {
    fn print(&self, files: &[CheckedFile], out: &mut dyn Write) -> io::Result<()> {
        for file in files {
            let path = escape_property(&slash_path(&file.path));
            for diagnostic in &file.diagnostics {
                let kind = match diagnostic.severity {
                    Severity::Error => "error",
                    Severity::Warning | Severity::Info => "warning",
                };
                let start = file
                    .lines
                    .position(&file.source.text, annotated_range(file, diagnostic).start);
                writeln!(
                    out,
                    "##vso[task.logissue type={kind};sourcepath={path};linenumber={};columnnumber={};code={};]{}",
                    start.line,
                    start.column,
                    escape_property(diagnostic.code),
                    escape_data(&annotation_message(file, diagnostic))
                )?;
            }
        }
        Ok(())
    }
}

/// The message after `]`, escaped as the Azure Pipelines task library escapes data
/// (`%` has its own token, `%AZP25`, so that `%25` in a message stays `%25`).
fn escape_data(text: &str) -> String {
    text.replace('%', "%AZP25").replace('\r', "%0D").replace('\n', "%0A")
}

/// A property value: the data escapes, plus `]` (ends the properties) and `;`
/// (separates them).
fn escape_property(text: &str) -> String {
    escape_data(text).replace(']', "%5D").replace(';', "%3B")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_and_properties_are_escaped_like_the_task_library() {
        let text = "50% a;b]c\r\nd";
        assert_eq!(escape_data(text), "50%AZP25 a;b]c%0D%0Ad");
        assert_eq!(escape_property(text), "50%AZP25 a%3Bb%5Dc%0D%0Ad");
        assert_eq!(escape_property("runbooks/x=1.ps1"), "runbooks/x=1.ps1");
    }
}
