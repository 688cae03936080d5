//! `path:line:col: CODE [*] message`, one finding per line (`[*]`: `fix` repairs it).

use std::io::{self, Write};

use super::Printer;
use crate::lint::CheckedFile;

pub struct Concise {
    pub color: bool,
}

impl Printer for Concise {
    fn print(&self, files: &[CheckedFile], out: &mut dyn Write) -> io::Result<()> {
        let (bold, red, reset) = if self.color {
            ("\x1b[1m", "\x1b[31m", "\x1b[0m")
        } else {
            ("", "", "")
        };
        for file in files {
            for (diagnostic, fixable) in file.findings() {
                let start = file.lines.position(&file.source.text, diagnostic.range.start);
                let marker = if fixable { " [*]" } else { "" };
                writeln!(
                    out,
                    "{bold}{}{reset}:{}:{}: {red}{}{reset}{marker} {}",
                    file.path.display(),
                    start.line,
                    start.column,
                    diagnostic.code,
                    diagnostic.located_message()
                )?;
            }
        }
        Ok(())
    }
}
