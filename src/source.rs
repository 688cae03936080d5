//! Reading and writing runbook bytes. Runbooks arrive as UTF-8 (with or without BOM),
//! UTF-16 with a BOM (Windows PowerShell ISE's "Unicode"), or legacy Windows-1252.
//! The engine works on decoded UTF-8 text; `encode` turns it back into exactly the
//! original form, so bytes the fixer does not touch stay identical.

use std::fmt;

/// How a file's bytes map to its text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf8Bom,
    Utf16Le,
    Utf16Be,
    /// Invalid UTF-8 read as Windows-1252 (the ANSI code page of most runbook authors).
    Windows1252,
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf8Bom => "UTF-8 with BOM",
            Encoding::Utf16Le => "UTF-16 LE",
            Encoding::Utf16Be => "UTF-16 BE",
            Encoding::Windows1252 => "Windows-1252",
        })
    }
}

/// Why a file's bytes are not a script we can read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// NUL bytes in text that has no UTF-16 BOM: an image, an archive, a compiled file.
    Binary,
    /// A UTF-16 file with an odd length or unpaired surrogates.
    InvalidUtf16,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Binary => f.write_str("binary file (contains NUL bytes), not a PowerShell script"),
            DecodeError::InvalidUtf16 => f.write_str("invalid UTF-16 (odd length or unpaired surrogate)"),
        }
    }
}

/// Decoded text and how to put it back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceText {
    pub text: String,
    pub encoding: Encoding,
}

impl SourceText {
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        let (text, encoding) = if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
            (utf8_or_1252(rest), Encoding::Utf8Bom)
        } else if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
            (decode_utf16(rest, u16::from_le_bytes)?, Encoding::Utf16Le)
        } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
            (decode_utf16(rest, u16::from_be_bytes)?, Encoding::Utf16Be)
        } else {
            if bytes.contains(&0) {
                return Err(DecodeError::Binary);
            }
            match std::str::from_utf8(bytes) {
                Ok(text) => (text.to_owned(), Encoding::Utf8),
                Err(_) => (
                    bytes.iter().map(|&b| windows_1252_char(b)).collect(),
                    Encoding::Windows1252,
                ),
            }
        };
        Ok(SourceText { text, encoding })
    }

    /// The bytes of `text` in this file's encoding. `None` when a character cannot be
    /// written in Windows-1252 (the caller must then leave the file alone).
    pub fn encode(&self, text: &str) -> Option<Vec<u8>> {
        match self.encoding {
            Encoding::Utf8 => Some(text.as_bytes().to_vec()),
            Encoding::Utf8Bom => Some([b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat()),
            Encoding::Utf16Le => Some(encode_utf16(text, [0xFF, 0xFE], u16::to_le_bytes)),
            Encoding::Utf16Be => Some(encode_utf16(text, [0xFE, 0xFF], u16::to_be_bytes)),
            Encoding::Windows1252 => text.chars().map(windows_1252_byte).collect(),
        }
    }
}

/// After a UTF-8 BOM the rest is normally UTF-8; a damaged file falls back to 1252 but
/// keeps its BOM when written.
fn utf8_or_1252(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_owned(),
        Err(_) => bytes.iter().map(|&b| windows_1252_char(b)).collect(),
    }
}

fn decode_utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> Result<String, DecodeError> {
    if !bytes.len().is_multiple_of(2) {
        return Err(DecodeError::InvalidUtf16);
    }
    let units = bytes.chunks_exact(2).map(|pair| unit([pair[0], pair[1]]));
    char::decode_utf16(units)
        .collect::<Result<String, _>>()
        .map_err(|_| DecodeError::InvalidUtf16)
}

fn encode_utf16(text: &str, bom: [u8; 2], bytes: fn(u16) -> [u8; 2]) -> Vec<u8> {
    let mut out = Vec::with_capacity(2 + text.len() * 2);
    out.extend_from_slice(&bom);
    for unit in text.encode_utf16() {
        out.extend_from_slice(&bytes(unit));
    }
    out
}

/// Windows-1252 bytes 0x80..=0x9F; the five undefined ones map to the C1 control of the
/// same value (as WHATWG does) so that every byte round-trips.
const CP1252_HIGH: [char; 32] = [
    '\u{20AC}', '\u{81}', '\u{201A}', '\u{192}', '\u{201E}', '\u{2026}', '\u{2020}', '\u{2021}', '\u{2C6}', '\u{2030}',
    '\u{160}', '\u{2039}', '\u{152}', '\u{8D}', '\u{17D}', '\u{8F}', '\u{90}', '\u{2018}', '\u{2019}', '\u{201C}',
    '\u{201D}', '\u{2022}', '\u{2013}', '\u{2014}', '\u{2DC}', '\u{2122}', '\u{161}', '\u{203A}', '\u{153}', '\u{9D}',
    '\u{17E}', '\u{178}',
];

fn windows_1252_char(byte: u8) -> char {
    match byte {
        0x80..=0x9F => CP1252_HIGH[usize::from(byte - 0x80)],
        _ => char::from(byte),
    }
}

fn windows_1252_byte(c: char) -> Option<u8> {
    match u32::from(c) {
        code @ (0..=0x7F | 0xA0..=0xFF) => Some(code as u8),
        _ => CP1252_HIGH.iter().position(|&high| high == c).map(|i| 0x80 + i as u8),
    }
}

/// 1-based line and column (in Unicode scalar values) of a byte offset, as CLI.md's
/// JSON and every printer report them. `\r\n`, `\n` and a lone `\r` each end a line.
#[derive(Clone, Debug)]
pub struct LineIndex {
    /// Byte offset where each line starts.
    line_starts: Vec<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut line_starts = vec![0];
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => line_starts.push(i + 1),
                b'\r' if bytes.get(i + 1) != Some(&b'\n') => line_starts.push(i + 1),
                _ => {}
            }
            i += 1;
        }
        LineIndex { line_starts }
    }

    /// 0-based line number holding `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&start| start <= offset) - 1
    }

    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts[line]
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = offset.min(text.len());
        let line = self.line_of(offset);
        let start = self.line_starts[line];
        let column = text.get(start..offset).map_or(offset - start, |s| s.chars().count()) + 1;
        Position { line: line + 1, column }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(bytes: &[u8]) -> SourceText {
        let source = SourceText::decode(bytes).expect("decodes");
        assert_eq!(
            source.encode(&source.text).as_deref(),
            Some(bytes),
            "{:?}",
            source.encoding
        );
        source
    }

    #[test]
    fn every_encoding_round_trips_byte_for_byte() {
        assert_eq!(round_trip(b"a\r\nb\n").encoding, Encoding::Utf8);
        assert_eq!(round_trip(b"\xEF\xBB\xBFConnect\r\n").encoding, Encoding::Utf8Bom);
        let utf16le: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("x \u{2013}Name\r\n".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(round_trip(&utf16le).text, "x \u{2013}Name\r\n");
        let utf16be: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain("caf\u{e9}".encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(round_trip(&utf16be).encoding, Encoding::Utf16Be);
        let all_bytes: Vec<u8> = (1..=255).collect();
        assert_eq!(round_trip(&all_bytes).encoding, Encoding::Windows1252);
    }

    #[test]
    fn windows_1252_reads_the_en_dash_and_refuses_unwritable_text() {
        let source = SourceText::decode(b"Get-AutomationConnection \x96Name caf\xE9").unwrap();
        assert_eq!(source.text, "Get-AutomationConnection \u{2013}Name caf\u{e9}");
        assert_eq!(source.encode("\u{4e2d}"), None);
    }

    #[test]
    fn binary_and_broken_utf16_are_errors() {
        assert_eq!(SourceText::decode(b"\x89PNG\r\n\x1a\n\0\0"), Err(DecodeError::Binary));
        assert_eq!(SourceText::decode(b"\xFF\xFEa"), Err(DecodeError::InvalidUtf16));
        assert_eq!(SourceText::decode(b"\xFF\xFE\x00\xD8"), Err(DecodeError::InvalidUtf16));
    }

    #[test]
    fn positions_count_characters_and_every_line_ending() {
        let text = "a\r\nb\u{2013}c\rd\ne";
        let index = LineIndex::new(text);
        assert_eq!(index.position(text, 0), Position { line: 1, column: 1 });
        let c = text.find('c').unwrap();
        assert_eq!(index.position(text, c), Position { line: 2, column: 3 });
        assert_eq!(
            index.position(text, text.find('d').unwrap()),
            Position { line: 3, column: 1 }
        );
        assert_eq!(index.position(text, text.len()), Position { line: 4, column: 2 });
    }
}
