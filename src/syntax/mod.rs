//! Everything that binds mimigrate to the tree-sitter PowerShell grammar: parsing with
//! PowerShell's own character rules, and the per-file semantic model the rules read.

pub mod commands;
pub mod evaluate;
pub mod model;

use std::ops::Range;

use tree_sitter::{Decode, InputEdit, Node, Parser, Point, Tree};

use crate::source::LineIndex;

/// `text` as a PowerShell single-quoted string: every character PowerShell takes for a
/// single quote (the typographic ones too) is doubled to stand for itself.
pub fn single_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('\'');
    for c in text.chars() {
        if matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}') {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
    out
}

/// `text` made safe for a `#` comment: one line, control characters as spaces.
pub fn comment_text(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

/// Parse a script the way PowerShell's tokenizer reads it (see `PowerShellChars`).
pub fn parse(text: &str) -> Tree {
    parse_reusing::<PowerShellChars>(text, None)
}

/// Parse with the grammar's own UTF-8 reading and no normalisation: only for measuring
/// what `PowerShellChars` buys (see grammar/README.md).
pub fn parse_plain(text: &str) -> Tree {
    parse_reusing::<PlainUtf8>(text, None)
}

/// Parse `text` again after an edit, reusing the unchanged parts of `old`, which must
/// already have been told of the edit (`edit_tree`). The editor's language server
/// does this on every keystroke. Error recovery depends on what the parser saw before:
/// a re-parse of broken text may read it otherwise than a parse of the whole, so a
/// result with an error is thrown away for a fresh parse. The tree is then always the
/// one `parse` gives, and the findings `check`'s.
pub fn reparse(text: &str, old: &Tree) -> Tree {
    let tree = parse_reusing::<PowerShellChars>(text, Some(old));
    if tree.root_node().has_error() {
        return parse(text);
    }
    tree
}

/// Tell `tree`, a parse of `before` (whose lines are `lines`), that bytes `range` of
/// it were replaced by `inserted`. `PowerShellChars` reads one byte past a character
/// to decide it (a CR before LF, a backtick before a space, `??`), which tree-sitter
/// cannot know: the edit is widened to start one character earlier, so a token that
/// peeked at the edited bytes is read again.
pub fn edit_tree(tree: &mut Tree, before: &str, lines: &LineIndex, range: Range<usize>, inserted: &str) {
    let point = |offset: usize| {
        let row = lines.line_of(offset);
        Point::new(row, offset - lines.line_start(row))
    };
    let start = before.floor_char_boundary(range.start.saturating_sub(1));
    let at = point(range.start);
    let breaks = LineIndex::new(inserted);
    let last = breaks.line_count() - 1;
    let new_end = Point::new(
        at.row + last,
        if last == 0 { at.column } else { 0 } + inserted.len() - breaks.line_start(last),
    );
    tree.edit(&InputEdit {
        start_byte: start,
        old_end_byte: range.end,
        new_end_byte: range.start + inserted.len(),
        start_position: point(start),
        old_end_position: point(range.end),
        new_end_position: new_end,
    });
}

fn parse_reusing<D: Decode>(text: &str, old: Option<&Tree>) -> Tree {
    // One parser per thread: making one per file (and loading the grammar into it)
    // showed up when checking thousands of small runbooks.
    thread_local! {
        static PARSER: std::cell::RefCell<Parser> = std::cell::RefCell::new({
            let mut parser = Parser::new();
            parser
                .set_language(&tree_sitter_powershell::LANGUAGE.into())
                .expect("the pinned grammar matches the pinned tree-sitter ABI");
            parser
        });
    }
    let bytes = text.as_bytes();
    PARSER.with_borrow_mut(|parser| {
        parser
            .parse_custom_encoding::<D, _, _>(&mut |offset, _| &bytes[offset.min(bytes.len())..], old, None)
            .expect("parsing without a timeout or cancellation flag always yields a tree")
    })
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
///   multipliers are not (`1MB` failed where `1mb` parsed);
/// - a lone CR ends a line, as in old Mac files (the grammar knows only LF and CRLF);
/// - a NUL byte is a space: the grammar's lexer takes it for the end of the input.
pub struct PowerShellChars;

impl Decode for PowerShellChars {
    fn decode(bytes: &[u8]) -> (i32, u32) {
        match bytes {
            [b'?', b'?', ..] => return ('+' as i32, 2),
            [b'.', b'/', ..] => return ('\\' as i32, 2),
            [b'`', b' ' | b'\t', ..] | [b'\t' | b'\0', ..] => return (' ' as i32, 1),
            [b'\r'] | [b'\r', b'\0'..=b'\t' | b'\x0B'..=b'\xFF', ..] => return ('\n' as i32, 1),
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

/// A node's kind, as `Node::kind` names it, from a table made once: `Node::kind` reads
/// the grammar's C string and checks it is UTF-8 on every call, which the model builder,
/// visiting every node of a script after each keystroke in the editor, felt.
pub fn kind<'tree>(node: impl std::borrow::Borrow<Node<'tree>>) -> &'static str {
    static KINDS: std::sync::LazyLock<Vec<&'static str>> = std::sync::LazyLock::new(|| {
        let language: tree_sitter::Language = tree_sitter_powershell::LANGUAGE.into();
        (0..language.node_kind_count())
            .map(|id| language.node_kind_for_id(id as u16).unwrap_or(""))
            .collect()
    });
    let node = node.borrow();
    KINDS
        .get(usize::from(node.kind_id()))
        .copied()
        .unwrap_or_else(|| node.kind())
}

/// Byte ranges of the ERROR and MISSING nodes of a tree, outermost only.
///
/// The grammar cannot read a script without a single statement (empty, blank lines,
/// only comments) and wraps it in an ERROR; such an ERROR holds nothing but comments
/// and whitespace and is not reported.
pub fn error_ranges(tree: &Tree, text: &str) -> Vec<std::ops::Range<usize>> {
    // A cursor, not recursion: a deeply nested script must not exhaust the stack.
    let mut out = Vec::new();
    let mut cursor = tree.walk();
    loop {
        let node = cursor.node();
        let is_error = node.is_missing() || (node.is_error() && !only_comments_and_whitespace(node, text));
        if is_error {
            out.push(node.byte_range());
        }
        if !is_error && node.has_error() && cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                return out;
            }
        }
    }
}

/// Whether an ERROR node holds only comments, whitespace and such ERROR nodes.
fn only_comments_and_whitespace(node: Node, text: &str) -> bool {
    let is_blank = |range: std::ops::Range<usize>| text.get(range).is_some_and(|s| s.trim().is_empty());
    let mut pending = vec![node];
    while let Some(node) = pending.pop() {
        let mut cursor = node.walk();
        let mut at = node.start_byte();
        for child in node.children(&mut cursor) {
            if !is_blank(at..child.start_byte()) {
                return false;
            }
            match child.kind() {
                "comment" => {}
                _ if child.is_error() => pending.push(child),
                _ => return false,
            }
            at = child.end_byte();
        }
        if !is_blank(at..node.end_byte()) {
            return false;
        }
    }
    true
}
