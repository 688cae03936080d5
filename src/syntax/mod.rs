//! Everything that binds mimigrate to the tree-sitter PowerShell grammar: parsing with
//! PowerShell's own character rules, and the per-file semantic model the rules read.

pub mod commands;
pub mod evaluate;
pub mod model;

use tree_sitter::{Decode, Node, Parser, Tree};

/// Parse a script the way PowerShell's tokenizer reads it (see `PowerShellChars`).
pub fn parse(text: &str) -> Tree {
    parse_with::<PowerShellChars>(text)
}

/// Parse with the grammar's own UTF-8 reading and no normalisation: only for measuring
/// what `PowerShellChars` buys (see grammar/README.md).
pub fn parse_plain(text: &str) -> Tree {
    parse_with::<PlainUtf8>(text)
}

fn parse_with<D: Decode>(text: &str) -> Tree {
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_powershell::LANGUAGE.into())
        .expect("the pinned grammar matches the pinned tree-sitter ABI");
    let bytes = text.as_bytes();
    parser
        .parse_custom_encoding::<D, _, _>(&mut |offset, _| &bytes[offset.min(bytes.len())..], None, None)
        .expect("parsing without a timeout or cancellation flag always yields a tree")
}

/// Hands the grammar the characters PowerShell's tokenizer treats alike, without moving
/// a single byte: node ranges stay offsets into the original text.
/// - en dash, em dash, horizontal bar are parameter dashes and operators (`–Name`);
/// - curly single and double quotes open and close strings (`“AzureRunAsConnection”`);
/// - no-break space and tab are whitespace (the grammar rejects a tab between command
///   arguments);
/// - `??` (PowerShell 7's null-coalescing operator, unknown to the grammar) reads as `+`,
///   a binary operator of the same shape, so `$a ?? $b` and `$a ??= $b` parse;
/// - a backtick before a space or tab is whitespace, as PowerShell reads it mid-line;
/// - ASCII letters are lower case: PowerShell is case-insensitive, the grammar's number
///   multipliers are not (`1MB` failed where `1mb` parsed).
pub struct PowerShellChars;

impl Decode for PowerShellChars {
    fn decode(bytes: &[u8]) -> (i32, u32) {
        match bytes {
            [b'?', b'?', ..] => return ('+' as i32, 2),
            [b'.', b'/', ..] => return ('\\' as i32, 2),
            [b'`', b' ' | b'\t', ..] | [b'\t', ..] => return (' ' as i32, 1),
            [b, ..] if b.is_ascii() => return (b.to_ascii_lowercase() as i32, 1),
            _ => {}
        }
        let (c, len) = PlainUtf8::decode(bytes);
        let c = match char::from_u32(c as u32) {
            Some('\u{2013}' | '\u{2014}' | '\u{2015}') => '-' as i32,
            Some('\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}') => '\'' as i32,
            Some('\u{201C}' | '\u{201D}' | '\u{201E}') => '"' as i32,
            Some('\u{00A0}') => ' ' as i32,
            _ => c,
        };
        (c, len)
    }
}

/// Plain UTF-8 decoding (the input is always a valid `str`).
pub struct PlainUtf8;

impl Decode for PlainUtf8 {
    fn decode(bytes: &[u8]) -> (i32, u32) {
        let len = match bytes.first() {
            None => return (-1, 0),
            Some(b) if *b < 0x80 => 1,
            Some(b) if *b >= 0xF0 => 4,
            Some(b) if *b >= 0xE0 => 3,
            Some(_) => 2,
        }
        .min(bytes.len());
        match std::str::from_utf8(&bytes[..len]).ok().and_then(|s| s.chars().next()) {
            Some(c) => (c as i32, len as u32),
            None => (-1, 1),
        }
    }
}

/// Byte ranges of the ERROR and MISSING nodes of a tree, outermost only.
///
/// The grammar cannot read a script without a single statement (empty, blank lines,
/// only comments) and wraps it in an ERROR; such an ERROR holds nothing but comments
/// and whitespace and is not reported.
pub fn error_ranges(tree: &Tree, text: &str) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    collect_errors(tree.root_node(), text, &mut out);
    out
}

fn collect_errors(node: Node, text: &str, out: &mut Vec<std::ops::Range<usize>>) {
    if node.is_missing() || (node.is_error() && !only_comments_and_whitespace(node, text)) {
        out.push(node.byte_range());
        return;
    }
    if !node.has_error() {
        return;
    }
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        collect_errors(child, text, out);
    }
}

fn only_comments_and_whitespace(node: Node, text: &str) -> bool {
    let mut cursor = node.walk();
    let mut at = node.start_byte();
    for child in node.children(&mut cursor) {
        let is_blank = |range: std::ops::Range<usize>| text.get(range).is_some_and(|s| s.trim().is_empty());
        if !is_blank(at..child.start_byte()) {
            return false;
        }
        if child.kind() != "comment" && !(child.is_error() && only_comments_and_whitespace(child, text)) {
            return false;
        }
        at = child.end_byte();
    }
    text.get(at..node.end_byte()).is_some_and(|s| s.trim().is_empty())
}
