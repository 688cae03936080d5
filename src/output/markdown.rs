//! `--format markdown`: a pull-request comment. A heading with the totals, a table of
//! counts per rule, then per file with findings a collapsed table of them with how
//! many `mimigrate fix` resolves and the command that does it.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use super::{slash_path, Printer};
use crate::diagnostic::Applicability;
use crate::lint::CheckedFile;

pub struct Markdown;

/// Findings and how many of them `fix` resolves.
#[derive(Default)]
struct Counts {
    findings: usize,
    fixable: usize,
}

impl Printer for Markdown {
    fn print(&self, files: &[CheckedFile], out: &mut dyn Write) -> io::Result<()> {
        let mut per_rule: BTreeMap<(&str, &str), Counts> = BTreeMap::new();
        for (diagnostic, fixable) in files.iter().flat_map(|f| f.findings()) {
            let counts = per_rule.entry((diagnostic.code, diagnostic.name)).or_default();
            counts.findings += 1;
            counts.fixable += usize::from(fixable);
        }
        let findings: usize = per_rule.values().map(|c| c.findings).sum();
        let fixable: usize = per_rule.values().map(|c| c.fixable).sum();
        let with_findings = files.iter().filter(|f| !f.diagnostics.is_empty()).count();
        let mut text = String::new();
        let _ = writeln!(
            text,
            "## mimigrate: {findings} finding{} in {with_findings} of {} file{}\n",
            plural(findings),
            files.len(),
            plural(files.len())
        );
        if findings == 0 {
            text.push_str("No retired Run As sign-in or other migration finding.\n");
            return out.write_all(text.as_bytes());
        }
        let _ = writeln!(text, "{fixable} fixable with `mimigrate fix`.\n");
        text.push_str("| Code | Rule | Findings | Fixable |\n| --- | --- | ---: | ---: |\n");
        for ((code, name), counts) in &per_rule {
            let _ = writeln!(
                text,
                "| {code} | {} | {} | {} |",
                cell(name),
                counts.findings,
                counts.fixable
            );
        }
        for file in files.iter().filter(|f| !f.diagnostics.is_empty()) {
            file_section(&mut text, file);
        }
        out.write_all(text.as_bytes())
    }
}

fn file_section(text: &mut String, file: &CheckedFile) {
    let path = slash_path(&file.path);
    let findings = file.diagnostics.len();
    let fixable = file.findings().filter(|(_, fixable)| *fixable).count();
    // Unsafe fixes `fix` leaves alone unless asked: worth a command of their own.
    let unsafe_fixes = file
        .findings()
        .filter(|(d, fixable)| !fixable && d.fix.as_ref().is_some_and(|f| f.applicability == Applicability::Unsafe))
        .count();
    let _ = writeln!(text, "\n### {}\n", code_span(&path));
    let _ = writeln!(
        text,
        "<details>\n<summary>{findings} finding{}, {fixable} fixable</summary>\n",
        plural(findings)
    );
    text.push_str("| Line | Code | Message |\n| ---: | --- | --- |\n");
    for (diagnostic, fixable) in file.findings() {
        let line = file.lines.position(&file.source.text, diagnostic.range.start).line;
        let marker = if fixable { " [*]" } else { "" };
        let _ = writeln!(
            text,
            "| {line} | {}{marker} | {} |",
            diagnostic.code,
            cell(&diagnostic.located_message())
        );
    }
    text.push('\n');
    let command = |flags: &str| code_span(&format!("mimigrate fix {flags}{}", shell_word(&path)));
    if fixable > 0 {
        let _ = writeln!(text, "Fix the {fixable} marked [*] with {}.", command(""));
    }
    if unsafe_fixes > 0 {
        let _ = writeln!(
            text,
            "{unsafe_fixes} more ha{} an unsafe fix, which may change what the script does: review it, then {}.",
            if unsafe_fixes == 1 { "s" } else { "ve" },
            command("--unsafe-fixes ")
        );
    }
    text.push_str("\n</details>\n");
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Text for a table cell. `|` would end the cell and a line break the row, even inside
/// a code span; `<` could open HTML. Code spans (backtick pairs) are kept, since
/// messages quote code in them; an unpaired backtick is escaped so it cannot swallow
/// the rest of the row.
fn cell(text: &str) -> String {
    let paired = text.matches('`').count().is_multiple_of(2);
    let mut out = String::with_capacity(text.len());
    let mut in_code = false;
    for c in text.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '\r' => {}
            '\n' if in_code => out.push(' '),
            '\n' => out.push_str("<br>"),
            '`' if paired => {
                in_code = !in_code;
                out.push('`');
            }
            '`' => out.push_str("\\`"),
            '<' if !in_code => out.push_str("&lt;"),
            c => out.push(c),
        }
    }
    out
}

/// `text` as inline code, fenced with more backticks than it holds in a row.
fn code_span(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// A path as one word for a POSIX shell: quoted when it holds anything but plain
/// path characters.
fn shell_word(path: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_-./+:@%=,".contains(c);
    if !path.is_empty() && path.chars().all(plain) {
        path.to_owned()
    } else {
        format!("'{}'", path.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_escape_pipes_line_breaks_html_and_unpaired_backticks() {
        assert_eq!(cell("`a|b` or c|d\r\ne"), "`a\\|b` or c\\|d<br>e");
        assert_eq!(cell("line `\ncontinued <b>"), "line \\`<br>continued &lt;b>");
        assert_eq!(cell("`x <y>`"), "`x <y>`");
    }

    #[test]
    fn code_spans_and_shell_words_survive_odd_paths() {
        assert_eq!(code_span("a``b"), "```a``b```");
        assert_eq!(code_span("`a"), "`` `a ``");
        assert_eq!(shell_word("runbooks/a.ps1"), "runbooks/a.ps1");
        assert_eq!(shell_word("run books/it's.ps1"), r"'run books/it'\''s.ps1'");
    }
}
