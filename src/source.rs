//! Reading and writing runbook bytes. Runbooks arrive as UTF-8 (with or without BOM),
//! UTF-16 (with a BOM, as Windows PowerShell ISE's "Unicode" writes it, or without one),
//! or legacy Windows-1252. The engine works on decoded UTF-8 text; `encode` turns it back
//! into exactly the original form, so bytes the fixer does not touch stay identical.
//! Only regular files are ever opened, and never for longer than it takes to read them.

use std::fmt;
use std::fs::{File, FileType};
use std::io::Read;
use std::path::Path;

/// How a file's bytes map to its text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf8Bom,
    Utf16Le,
    Utf16Be,
    /// UTF-16 without a byte order mark, recognised by where its zero bytes are; written
    /// back without one.
    Utf16LeNoBom,
    Utf16BeNoBom,
    /// Invalid UTF-8 read as Windows-1252 (the ANSI code page of most runbook authors).
    Windows1252,
    /// A UTF-8 BOM followed by bytes that are not UTF-8 (a file converted halfway): the
    /// rest is read as Windows-1252 and the BOM kept.
    Windows1252Bom,
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf8Bom => "UTF-8 with BOM",
            Encoding::Utf16Le => "UTF-16 LE",
            Encoding::Utf16Be => "UTF-16 BE",
            Encoding::Utf16LeNoBom => "UTF-16 LE without BOM",
            Encoding::Utf16BeNoBom => "UTF-16 BE without BOM",
            Encoding::Windows1252 => "Windows-1252",
            Encoding::Windows1252Bom => "Windows-1252 after a UTF-8 BOM",
        })
    }
}

/// Why a file's bytes are not a script we can read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// An image, an archive, a compiled file: what kind, as far as it can be told.
    Binary(&'static str),
    /// A UTF-16 file with an odd length or unpaired surrogates.
    InvalidUtf16,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Binary(kind) => write!(f, "binary file ({kind}), not a PowerShell script"),
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

/// Formats whose first bytes no script starts with: such a file is binary whatever else
/// its bytes look like (a PDF or a tar archive can be mostly text).
const MAGIC: &[(&[u8], &str)] = &[
    (b"\x89PNG\r\n\x1A\n", "PNG image"),
    (b"\xFF\xD8\xFF", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"PK\x05\x06", "ZIP archive"),
    (b"\x1F\x8B", "gzip archive"),
    (b"7z\xBC\xAF\x27\x1C", "7-Zip archive"),
    (b"\xFD7zXZ\x00", "xz archive"),
    (b"Rar!\x1A\x07", "RAR archive"),
    (b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", "Office or MSI compound file"),
    (b"\x7FELF", "ELF executable"),
    (b"\xCF\xFA\xED\xFE", "Mach-O executable"),
    (b"\xCA\xFE\xBA\xBE", "Java class or Mach-O executable"),
    (b"\x00asm", "WebAssembly module"),
    (b"SQLite format 3\x00", "SQLite database"),
];

/// Where a tar archive says so.
const TAR_MAGIC: (usize, &[u8]) = (257, b"ustar");

impl SourceText {
    /// Whether bytes are text is judged on the whole content, not on a single NUL as git
    /// and ripgrep do: a script with a stray NUL in a string is still a script, and
    /// mostly-ASCII UTF-16 without a BOM is full of NULs.
    pub fn decode(bytes: &[u8]) -> Result<Self, DecodeError> {
        if let Some((_, kind)) = MAGIC.iter().find(|(magic, _)| bytes.starts_with(magic)) {
            return Err(DecodeError::Binary(kind));
        }
        if bytes.get(TAR_MAGIC.0..TAR_MAGIC.0 + TAR_MAGIC.1.len()) == Some(TAR_MAGIC.1) {
            return Err(DecodeError::Binary("tar archive"));
        }
        let (text, encoding) = if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
            match std::str::from_utf8(rest) {
                Ok(text) => (text.to_owned(), Encoding::Utf8Bom),
                Err(_) => (windows_1252_text(rest), Encoding::Windows1252Bom),
            }
        } else if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
            (decode_utf16(rest, u16::from_le_bytes)?, Encoding::Utf16Le)
        } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
            (decode_utf16(rest, u16::from_be_bytes)?, Encoding::Utf16Be)
        } else if !bytes.contains(&0) {
            utf8_or_1252(bytes)
        } else if let Some(found) = bomless_utf16(bytes) {
            found
        } else {
            let (text, encoding) = utf8_or_1252(bytes);
            // Valid UTF-8 is itself strong evidence of text (random bytes almost never
            // are), so only content mostly made of control bytes (a zero-filled file,
            // NUL-padded records, UTF-32) is binary. Bytes that are not UTF-8 must look
            // like text on their own: at most one control byte in 32, where compressed
            // or compiled data has about one in ten.
            let allowed = if encoding == Encoding::Utf8 { 8 } else { 32 };
            if control_bytes(bytes) * allowed > bytes.len() {
                return Err(DecodeError::Binary("NUL and control bytes"));
            }
            (text, encoding)
        };
        Ok(SourceText { text, encoding })
    }

    /// The bytes of `text` in this file's encoding. `None` when they would not read
    /// back as this text in this encoding: a character Windows-1252 cannot hold, or a
    /// fix that left so little text around NUL bytes that the file would look binary
    /// (the caller must then leave the file alone).
    pub fn encode(&self, text: &str) -> Option<Vec<u8>> {
        let bytes = self.encode_unchecked(text)?;
        let back = SourceText::decode(&bytes).ok()?;
        // The encoding read back may differ (a fix that removed the only non-ASCII byte
        // of a Windows-1252 file leaves UTF-8); the text may not.
        (back.text == text).then_some(bytes)
    }

    fn encode_unchecked(&self, text: &str) -> Option<Vec<u8>> {
        match self.encoding {
            Encoding::Utf8 => Some(text.as_bytes().to_vec()),
            Encoding::Utf8Bom => Some([b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat()),
            Encoding::Utf16Le => Some(encode_utf16(text, b"\xFF\xFE", u16::to_le_bytes)),
            Encoding::Utf16Be => Some(encode_utf16(text, b"\xFE\xFF", u16::to_be_bytes)),
            Encoding::Utf16LeNoBom => Some(encode_utf16(text, b"", u16::to_le_bytes)),
            Encoding::Utf16BeNoBom => Some(encode_utf16(text, b"", u16::to_be_bytes)),
            Encoding::Windows1252 => text.chars().map(windows_1252_byte).collect(),
            Encoding::Windows1252Bom => b"\xEF\xBB\xBF"
                .iter()
                .copied()
                .map(Some)
                .chain(text.chars().map(windows_1252_byte))
                .collect(),
        }
    }

    /// How the text was read when that was a guess the user should know about (it
    /// decides what a fix writes back): one line, or `None`.
    pub fn guessed(&self) -> Option<String> {
        let mut guesses = Vec::new();
        match self.encoding {
            Encoding::Windows1252 | Encoding::Windows1252Bom => {
                guesses.push("not valid UTF-8, read as Windows-1252");
            }
            Encoding::Utf16LeNoBom => guesses.push("no byte order mark, read as UTF-16 LE"),
            Encoding::Utf16BeNoBom => guesses.push("no byte order mark, read as UTF-16 BE"),
            _ => {}
        }
        if self.text.contains('\0') {
            guesses.push("contains NUL bytes, read as text");
        }
        (!guesses.is_empty()).then(|| guesses.join("; "))
    }
}

fn utf8_or_1252(bytes: &[u8]) -> (String, Encoding) {
    match std::str::from_utf8(bytes) {
        Ok(text) => (text.to_owned(), Encoding::Utf8),
        Err(_) => (windows_1252_text(bytes), Encoding::Windows1252),
    }
}

/// C0 controls other than the whitespace ones and ESC (colour codes): rare in scripts
/// in any encoding, common in binary data.
fn is_control(byte: u8) -> bool {
    matches!(byte, 0x00..=0x08 | 0x0E..=0x1A | 0x1C..=0x1F)
}

fn control_bytes(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| is_control(b)).count()
}

/// UTF-16 without a BOM. Scripts are mostly ASCII (keywords, cmdlets, variables), so
/// in UTF-16 at least half their units have a zero high byte, and hardly any a zero low
/// byte; binary data has zeros on both sides. What decodes must then look like text.
fn bomless_utf16(bytes: &[u8]) -> Option<(String, Encoding)> {
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    let units = bytes.len() / 2;
    let zeros_at = |parity: usize| bytes.iter().skip(parity).step_by(2).filter(|&&b| b == 0).count();
    let (even, odd) = (zeros_at(0), zeros_at(1));
    let (unit, encoding): (fn([u8; 2]) -> u16, _) = if odd * 2 >= units && even * 8 <= odd {
        (u16::from_le_bytes, Encoding::Utf16LeNoBom)
    } else if even * 2 >= units && odd * 8 <= even {
        (u16::from_be_bytes, Encoding::Utf16BeNoBom)
    } else {
        return None;
    };
    let text = decode_utf16(bytes, unit).ok()?;
    (control_bytes(text.as_bytes()) * 32 <= units).then_some((text, encoding))
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

fn encode_utf16(text: &str, bom: &[u8], bytes: fn(u16) -> [u8; 2]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bom.len() + text.len() * 2);
    out.extend_from_slice(bom);
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

fn windows_1252_text(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| windows_1252_char(b)).collect()
}

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

/// Files larger than this are reported and skipped: no runbook is this big (the
/// Automation service rejects runbooks far smaller), yet a generated 10 MB script is
/// still read.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

const MIB: f64 = 1024.0 * 1024.0;

/// Why a path's bytes were not read.
#[derive(Debug)]
pub enum ReadError {
    /// Deleted (or a link whose target was) since it was found.
    Gone,
    /// A FIFO, socket, device or folder: reading it could block for ever or mean nothing.
    NotRegular(&'static str),
    /// More bytes than the limit (`size` is as many as were seen).
    TooLarge {
        size: u64,
        limit: u64,
    },
    Io(std::io::Error),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Gone => f.write_str("no longer exists"),
            ReadError::NotRegular(kind) => write!(f, "not a regular file ({kind})"),
            ReadError::TooLarge { size, limit } => write!(
                f,
                "{:.1} MiB, larger than the {:.0} MiB a script may have",
                *size as f64 / MIB,
                *limit as f64 / MIB
            ),
            ReadError::Io(error) if error.kind() == std::io::ErrorKind::PermissionDenied => {
                f.write_str("permission denied")
            }
            ReadError::Io(error) => write!(f, "cannot read: {error}"),
        }
    }
}

impl From<std::io::Error> for ReadError {
    fn from(error: std::io::Error) -> Self {
        match error.kind() {
            std::io::ErrorKind::NotFound => ReadError::Gone,
            _ => ReadError::Io(error),
        }
    }
}

/// What kind of file a non-regular one is, for messages.
pub fn file_kind(file_type: FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "FIFO";
        } else if file_type.is_socket() {
            return "socket";
        } else if file_type.is_char_device() {
            return "character device";
        } else if file_type.is_block_device() {
            return "block device";
        }
    }
    if file_type.is_dir() {
        "folder"
    } else if file_type.is_file() {
        "regular file"
    } else {
        "special file"
    }
}

/// The bytes of the regular file at `path` (links followed), at most `limit` of them.
/// The type is checked before opening, so a FIFO or device is never opened, and again
/// on the open file, for one swapped in meanwhile: that open does not wait for a FIFO's
/// writer, nor make a terminal the controlling one.
pub fn read_regular(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let regular = |metadata: std::fs::Metadata| {
        if !metadata.is_file() {
            Err(ReadError::NotRegular(file_kind(metadata.file_type())))
        } else if metadata.len() > limit {
            Err(ReadError::TooLarge {
                size: metadata.len(),
                limit,
            })
        } else {
            Ok(metadata.len())
        }
    };
    regular(std::fs::metadata(path)?)?;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    let file: File = options.open(path)?;
    let size = regular(file.metadata()?)?;
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    // A file still growing is read up to the limit, not without end.
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge {
            size: bytes.len() as u64,
            limit,
        });
    }
    Ok(bytes)
}

/// 1-based line and column (in Unicode scalar values) of a byte offset, as CLI.md's
/// JSON and every printer report them. `\r\n`, `\n` and a lone `\r` each end a line.
#[derive(Clone, Debug)]
pub struct LineIndex {
    /// Byte offset where each line starts.
    line_starts: Vec<usize>,
    /// Characters before each multiple of `CHUNK` bytes: a column is counted from the
    /// nearest of these, so a finding on a 4 MB line costs no more than on a short one.
    chars_before_chunk: Vec<usize>,
    /// Characters outside the Basic Multilingual Plane before each multiple of `CHUNK`
    /// bytes: each is two UTF-16 code units (SARIF's and LSP's default column unit).
    astral_before_chunk: Vec<usize>,
}

const CHUNK: usize = 256;

/// What a column counts: CLI.md's JSON counts Unicode scalar values, SARIF (by
/// default) UTF-16 code units, reviewdog UTF-8 bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnUnit {
    Chars,
    Utf16,
    Bytes,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// Characters starting in `bytes`: every byte but UTF-8 continuation bytes.
fn chars_in(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b & 0xC0 != 0x80).count()
}

/// Characters outside the Basic Multilingual Plane starting in `bytes`: their UTF-8
/// lead byte is 0xF0 or above.
fn astral_in(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b >= 0xF0).count()
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut line_starts = vec![0];
        for (i, &byte) in bytes.iter().enumerate() {
            match byte {
                b'\n' => line_starts.push(i + 1),
                b'\r' if bytes.get(i + 1) != Some(&b'\n') => line_starts.push(i + 1),
                _ => {}
            }
        }
        let mut chars_before_chunk = vec![0];
        let mut astral_before_chunk = vec![0];
        for chunk in bytes.chunks(CHUNK) {
            let before = chars_before_chunk[chars_before_chunk.len() - 1];
            chars_before_chunk.push(before + chars_in(chunk));
            let before = astral_before_chunk[astral_before_chunk.len() - 1];
            astral_before_chunk.push(before + astral_in(chunk));
        }
        LineIndex {
            line_starts,
            chars_before_chunk,
            astral_before_chunk,
        }
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

    /// Where 0-based `line` ends, after its line break (the end of `text` for the last
    /// line). `text` must be the text this index was made from.
    pub fn line_end(&self, text: &str, line: usize) -> usize {
        self.line_starts.get(line + 1).copied().unwrap_or(text.len())
    }

    /// Where 0-based `line`'s content ends, before its line break.
    pub fn content_end(&self, text: &str, line: usize) -> usize {
        let end = self.line_end(text, line);
        let content = &text[self.line_starts[line]..end];
        end - (content.len() - content.trim_end_matches(['\n', '\r']).len()).min(2)
    }

    /// `text` must be the text this index was made from.
    pub fn position(&self, text: &str, offset: usize) -> Position {
        self.position_in(text, offset, ColumnUnit::Chars)
    }

    /// Like `position`, with columns counted in `unit`.
    pub fn position_in(&self, text: &str, offset: usize, unit: ColumnUnit) -> Position {
        let offset = offset.min(text.len());
        let line = self.line_of(offset);
        let start = self.line_starts[line];
        let before = |at: usize, counts: &[usize], count: fn(&[u8]) -> usize| {
            let chunk = at / CHUNK;
            let counted = counts.get(chunk).copied().unwrap_or(0);
            counted + text.as_bytes().get(chunk * CHUNK..at).map_or(0, count)
        };
        let chars =
            before(offset, &self.chars_before_chunk, chars_in) - before(start, &self.chars_before_chunk, chars_in);
        let column = match unit {
            ColumnUnit::Chars => chars,
            ColumnUnit::Utf16 => {
                chars + before(offset, &self.astral_before_chunk, astral_in)
                    - before(start, &self.astral_before_chunk, astral_in)
            }
            ColumnUnit::Bytes => offset - start,
        };
        Position {
            line: line + 1,
            column: column + 1,
        }
    }

    /// The byte offset of 0-based `line` and `column` (counted in `unit`), the inverse of
    /// `position_in`. As LSP asks, a column past the line's end means its end (before
    /// the line break), a line past the last means the end of the text, and a column
    /// inside a character (half of a UTF-16 surrogate pair) means that character's start.
    pub fn offset_at(&self, text: &str, line: usize, column: usize, unit: ColumnUnit) -> usize {
        if line >= self.line_count() {
            return text.len();
        }
        let start = self.line_starts[line];
        let content = &text[start..self.content_end(text, line)];
        if unit == ColumnUnit::Bytes {
            return start + content.floor_char_boundary(column.min(content.len()));
        }
        let mut counted = 0;
        for (at, c) in content.char_indices() {
            let width = match unit {
                ColumnUnit::Utf16 => c.len_utf16(),
                _ => 1,
            };
            if counted + width > column {
                return start + at;
            }
            counted += width;
        }
        start + content.len()
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

    fn utf16(text: &str, bom: &[u8], unit: fn(u16) -> [u8; 2]) -> Vec<u8> {
        bom.iter().copied().chain(text.encode_utf16().flat_map(unit)).collect()
    }

    const SCRIPT: &str =
        "# Stop VMs \u{2013} nightly\r\nparam([string]$Name = 'caf\u{e9}')\r\nConnect-AzAccount -Identity\r\n";

    #[test]
    fn every_encoding_round_trips_byte_for_byte() {
        assert_eq!(round_trip(b"a\r\nb\n").encoding, Encoding::Utf8);
        assert_eq!(round_trip(b"\xEF\xBB\xBFConnect\r\n").encoding, Encoding::Utf8Bom);
        let utf16le = utf16("x \u{2013}Name\r\n", b"\xFF\xFE", u16::to_le_bytes);
        assert_eq!(round_trip(&utf16le).text, "x \u{2013}Name\r\n");
        let utf16be = utf16("caf\u{e9}", b"\xFE\xFF", u16::to_be_bytes);
        assert_eq!(round_trip(&utf16be).encoding, Encoding::Utf16Be);
        let all_bytes: Vec<u8> = (1..=255).collect();
        assert_eq!(round_trip(&all_bytes).encoding, Encoding::Windows1252);
    }

    #[test]
    fn utf16_without_a_bom_is_told_by_its_zero_bytes_and_written_back_without_one() {
        let le = round_trip(&utf16(SCRIPT, b"", u16::to_le_bytes));
        assert_eq!((le.text.as_str(), le.encoding), (SCRIPT, Encoding::Utf16LeNoBom));
        let be = round_trip(&utf16(SCRIPT, b"", u16::to_be_bytes));
        assert_eq!((be.text.as_str(), be.encoding), (SCRIPT, Encoding::Utf16BeNoBom));
        // An edit is written in the same form: no BOM appears.
        let fixed = le.encode("Connect-AzAccount -Identity\r\n").unwrap();
        assert_eq!(fixed, utf16("Connect-AzAccount -Identity\r\n", b"", u16::to_le_bytes));
        // Mostly non-ASCII text still has enough ASCII (keywords, cmdlets) to tell.
        let russian = "# \u{041E}\u{0441}\u{0442}\u{0430}\u{043D}\u{043E}\u{0432}\u{0438}\u{0442}\u{044C}\nStop-AzVM\n";
        assert_eq!(
            round_trip(&utf16(russian, b"", u16::to_le_bytes)).encoding,
            Encoding::Utf16LeNoBom
        );
        assert_eq!(le.guessed().as_deref(), Some("no byte order mark, read as UTF-16 LE"));
    }

    #[test]
    fn nul_bytes_in_a_script_are_text_and_kept() {
        let with_nul = b"Write-Output \"a\0b\"\r\nConnect-AzAccount -Identity\r\n";
        let source = round_trip(with_nul);
        assert_eq!(source.encoding, Encoding::Utf8);
        assert!(source.text.contains("a\0b"));
        assert_eq!(source.guessed().as_deref(), Some("contains NUL bytes, read as text"));
        let ansi = b"# caf\xE9\r\nWrite-Output \"\0\"\r\nConnect-AzAccount -Identity\r\n";
        assert_eq!(round_trip(ansi).encoding, Encoding::Windows1252);
        let mut utf16le_with_nul = utf16(SCRIPT, b"", u16::to_le_bytes);
        utf16le_with_nul.extend_from_slice(&[0, 0]);
        assert_eq!(round_trip(&utf16le_with_nul).encoding, Encoding::Utf16LeNoBom);
        assert_eq!(round_trip(&utf16("a\0b", b"\xFF\xFE", u16::to_le_bytes)).text, "a\0b");
    }

    #[test]
    fn a_bom_over_bytes_that_are_not_utf8_is_kept_with_them() {
        let source = round_trip(b"\xEF\xBB\xBF# caf\xE9\r\n");
        assert_eq!(source.encoding, Encoding::Windows1252Bom);
        assert_eq!(source.text, "# caf\u{e9}\r\n");
        assert_eq!(
            source.guessed().as_deref(),
            Some("not valid UTF-8, read as Windows-1252")
        );
    }

    #[test]
    fn windows_1252_reads_the_en_dash_and_refuses_unwritable_text() {
        let source = SourceText::decode(b"Get-AutomationConnection \x96Name caf\xE9").unwrap();
        assert_eq!(source.text, "Get-AutomationConnection \u{2013}Name caf\u{e9}");
        assert_eq!(source.encode("\u{4e2d}"), None);
    }

    #[test]
    fn binary_content_and_broken_utf16_are_errors() {
        let binary = |bytes: &[u8]| match SourceText::decode(bytes) {
            Err(DecodeError::Binary(kind)) => kind,
            other => panic!("{other:?}"),
        };
        assert_eq!(binary(b"\x89PNG\r\n\x1a\n\0\0"), "PNG image");
        assert_eq!(binary(b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj"), "PDF document");
        assert_eq!(binary(b"PK\x03\x04\x14\0\0\0\x08\0"), "ZIP archive");
        let mut tar = vec![0u8; 1024];
        tar[..9].copy_from_slice(b"stop.ps1\0");
        tar[257..262].copy_from_slice(b"ustar");
        assert_eq!(binary(&tar), "tar archive");
        // Zero-filled (what a crash can leave), UTF-32, compiled code.
        assert_eq!(binary(&[0; 4096]), "NUL and control bytes");
        let utf32: Vec<u8> = "Connect-AzAccount"
            .chars()
            .flat_map(|c| u32::from(c).to_le_bytes())
            .collect();
        assert_eq!(binary(&utf32), "NUL and control bytes");
        let compiled: Vec<u8> = (0..4096u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        assert_eq!(binary(&compiled), "NUL and control bytes");
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

    #[test]
    fn columns_on_long_lines_count_characters_across_chunks() {
        let line = "\u{e9}x".repeat(3 * CHUNK);
        let text = format!("first\r{line}\nlast");
        let index = LineIndex::new(&text);
        for (column, (offset, _)) in line.char_indices().enumerate().step_by(7) {
            let at = "first\r".len() + offset;
            assert_eq!(
                index.position(&text, at),
                Position {
                    line: 2,
                    column: column + 1
                }
            );
        }
        let last = text.rfind("last").unwrap();
        assert_eq!(index.position(&text, last + 2), Position { line: 3, column: 3 });
    }

    #[test]
    fn columns_in_utf16_units_and_bytes_count_astral_characters_twice_and_bytes_as_bytes() {
        // An emoji is one character, two UTF-16 units and four bytes; the line is long
        // enough that counts come from chunk totals too.
        let line = "\u{1F600}\u{e9}x".repeat(CHUNK);
        let text = format!("a\n{line}");
        let index = LineIndex::new(&text);
        let at = 2 + "\u{1F600}\u{e9}x".len() * (CHUNK - 1) + "\u{1F600}".len();
        let column = |unit| index.position_in(&text, at, unit).column;
        assert_eq!(column(ColumnUnit::Chars), 3 * (CHUNK - 1) + 2);
        assert_eq!(column(ColumnUnit::Utf16), 4 * (CHUNK - 1) + 3);
        assert_eq!(column(ColumnUnit::Bytes), 7 * (CHUNK - 1) + 5);
    }

    #[test]
    fn only_regular_files_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.ps1");
        std::fs::write(&path, b"0123456789").unwrap();
        assert_eq!(read_regular(&path, 10).unwrap(), b"0123456789");
        assert!(matches!(
            read_regular(&path, 9),
            Err(ReadError::TooLarge { size: 10, limit: 9 })
        ));
        assert!(matches!(
            read_regular(dir.path(), 10),
            Err(ReadError::NotRegular("folder"))
        ));
        assert!(matches!(
            read_regular(&dir.path().join("gone.ps1"), 10),
            Err(ReadError::Gone)
        ));
    }
}
