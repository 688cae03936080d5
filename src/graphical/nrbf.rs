//! A reader for the .NET binary serialization format ([MS-NRBF]), written from the
//! specification, for the streams graphical runbooks are stored in. It reads the record
//! types those streams use (header, libraries, classes with and without member types,
//! class-with-id references, strings, primitives, arrays, null runs, member references,
//! message end) into an arena of objects keyed by object id; references stay ids, to be
//! followed by the model (`super::model`), which bounds its own depth.
//!
//! Hostile input is bounded: every count is checked against the bytes left before
//! anything is allocated for it, nesting of inline records is limited, and the number
//! of records too. A bad stream is an `Err`, never a panic or a hang.
//!
//! [MS-NRBF]: https://learn.microsoft.com/openspecs/windows_protocols/ms-nrbf

use std::collections::HashMap;
use std::fmt;
use std::rc::Rc;

/// Inline records (a member's object written in place) nest at most this deep.
const MAX_DEPTH: usize = 64;
/// At most this many records in a stream: real graphical runbooks have a few thousand.
const MAX_RECORDS: usize = 1 << 20;
/// At most this many values (members and array elements, nulls of a run included) in a
/// stream: a run of nulls is five bytes whatever its length, so bytes alone do not bound
/// memory.
const MAX_VALUES: usize = 1 << 22;

/// Why a stream could not be read; `at` is a byte offset into it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NrbfError {
    pub at: usize,
    pub reason: String,
}

impl fmt::Display for NrbfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.reason, self.at)
    }
}

impl std::error::Error for NrbfError {}

/// One value of a member or an array element.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    UInt(u64),
    Float(f64),
    Char(char),
    /// A string written as a primitive (`Decimal` too, which the format keeps as text).
    Text(Rc<str>),
    /// Ticks, as the format has them (`DateTime` with its kind bits, `TimeSpan`).
    Ticks(i64),
    /// An object of the arena, by id (written in place or by reference alike).
    Object(i32),
}

/// A class's layout, shared by every object of it (`ClassWithId` names an earlier one).
#[derive(Debug)]
pub struct Class {
    pub name: String,
    pub members: Vec<String>,
    types: Vec<MemberType>,
}

#[derive(Debug)]
pub enum Object {
    String(Rc<str>),
    Instance { class: Rc<Class>, values: Vec<Value> },
    Array(Vec<Value>),
}

/// A whole stream: its objects by id and the root's id.
#[derive(Debug, Default)]
pub struct Stream {
    pub root: i32,
    pub objects: HashMap<i32, Object>,
}

impl Stream {
    pub fn object(&self, id: i32) -> Option<&Object> {
        self.objects.get(&id)
    }
}

/// How a member's value is written (MS-NRBF 2.1.2.2 BinaryTypeEnumeration).
#[derive(Debug, Clone, Copy)]
enum MemberType {
    Primitive(u8),
    /// A record follows: a string, an object, an array of any kind, a class.
    Record,
}

/// Read a whole stream, from its header to its message end.
pub fn read(bytes: &[u8]) -> Result<Stream, NrbfError> {
    let mut reader = Reader {
        bytes,
        at: 0,
        classes: HashMap::new(),
        stream: Stream::default(),
        records: 0,
        values: 0,
    };
    match reader.record(0)? {
        Record::Header(root) => reader.stream.root = root,
        _ => return Err(reader.error_at(0, "no serialization header")),
    }
    loop {
        match reader.record(0)? {
            Record::End => break,
            Record::Header(_) => return Err(reader.error("a second serialization header")),
            Record::Value(_) | Record::Nulls(_) => {}
        }
    }
    if !reader.stream.objects.contains_key(&reader.stream.root) {
        return Err(reader.error("the root object is missing"));
    }
    Ok(reader.stream)
}

enum Record {
    Header(i32),
    Value(Value),
    /// A run of this many nulls (in arrays).
    Nulls(usize),
    End,
}

struct Reader<'b> {
    bytes: &'b [u8],
    at: usize,
    classes: HashMap<i32, Rc<Class>>,
    stream: Stream,
    records: usize,
    values: usize,
}

impl<'b> Reader<'b> {
    fn error(&self, reason: impl Into<String>) -> NrbfError {
        self.error_at(self.at, reason)
    }

    fn error_at(&self, at: usize, reason: impl Into<String>) -> NrbfError {
        NrbfError {
            at,
            reason: reason.into(),
        }
    }

    /// Count `n` more values against `MAX_VALUES`.
    fn spend(&mut self, n: usize) -> Result<(), NrbfError> {
        self.values = self.values.saturating_add(n);
        if self.values > MAX_VALUES {
            return Err(self.error("too many values"));
        }
        Ok(())
    }

    fn left(&self) -> usize {
        self.bytes.len() - self.at
    }

    fn take(&mut self, n: usize) -> Result<&'b [u8], NrbfError> {
        if n > self.left() {
            return Err(self.error("the stream ends early"));
        }
        let slice = &self.bytes[self.at..self.at + n];
        self.at += n;
        Ok(slice)
    }

    fn u8(&mut self) -> Result<u8, NrbfError> {
        Ok(self.take(1)?[0])
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], NrbfError> {
        let mut out = [0; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    fn i32(&mut self) -> Result<i32, NrbfError> {
        Ok(i32::from_le_bytes(self.array()?))
    }

    /// A count (of members, elements, nulls) that at least `min_bytes` each must follow.
    fn count(&mut self, min_bytes: usize) -> Result<usize, NrbfError> {
        let at = self.at;
        let n = self.i32()?;
        let n = usize::try_from(n).map_err(|_| self.error_at(at, format!("a negative count ({n})")))?;
        if n.saturating_mul(min_bytes) > self.left() {
            return Err(self.error_at(at, format!("a count ({n}) larger than the stream")));
        }
        Ok(n)
    }

    /// MS-NRBF 2.1.1.6 LengthPrefixedString: a 7-bit encoded length, then UTF-8.
    fn string(&mut self) -> Result<Rc<str>, NrbfError> {
        let at = self.at;
        let mut length: usize = 0;
        for shift in (0..35).step_by(7) {
            let byte = self.u8()?;
            length |= usize::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                let bytes = self.take(length)?;
                return std::str::from_utf8(bytes)
                    .map(Rc::from)
                    .map_err(|_| self.error_at(at, "a string that is not UTF-8"));
            }
        }
        Err(self.error_at(at, "a string length longer than five bytes"))
    }

    fn id(&mut self) -> Result<i32, NrbfError> {
        self.i32()
    }

    fn store(&mut self, id: i32, object: Object, at: usize) -> Result<Value, NrbfError> {
        if self.stream.objects.insert(id, object).is_some() {
            return Err(self.error_at(at, format!("object id {id} used twice")));
        }
        Ok(Value::Object(id))
    }

    /// One record, with any libraries before it. `depth` counts the inline records
    /// around this one.
    fn record(&mut self, depth: usize) -> Result<Record, NrbfError> {
        if depth > MAX_DEPTH {
            return Err(self.error("objects nested too deep"));
        }
        loop {
            self.records += 1;
            if self.records > MAX_RECORDS {
                return Err(self.error("too many records"));
            }
            let at = self.at;
            let kind = self.u8()?;
            let value = match kind {
                0 => {
                    let root = self.i32()?;
                    self.take(12)?; // header id, major and minor version
                    return Ok(Record::Header(root));
                }
                1 => {
                    let id = self.id()?;
                    let metadata = self.i32()?;
                    let class = self
                        .classes
                        .get(&metadata)
                        .cloned()
                        .ok_or_else(|| self.error_at(at, format!("class id {metadata} not defined before")))?;
                    self.instance(id, class, depth, at)?
                }
                2..=5 => {
                    let id = self.id()?;
                    let name = self.string()?.to_string();
                    let count = self.count(1)?;
                    let mut members = Vec::with_capacity(count);
                    for _ in 0..count {
                        members.push(self.string()?.to_string());
                    }
                    let types = if kind == 4 || kind == 5 {
                        self.member_types(count)?
                    } else {
                        vec![MemberType::Record; count]
                    };
                    if kind == 3 || kind == 5 {
                        self.i32()?; // library id: the model goes by class names
                    }
                    let class = Rc::new(Class { name, members, types });
                    self.classes.insert(id, class.clone());
                    self.instance(id, class, depth, at)?
                }
                6 => {
                    let id = self.id()?;
                    let text = self.string()?;
                    self.store(id, Object::String(text), at)?
                }
                7 => self.binary_array(depth, at)?,
                8 => {
                    let primitive = self.u8()?;
                    self.primitive(primitive)?
                }
                9 => {
                    let id = self.i32()?;
                    Value::Object(id)
                }
                10 => Value::Null,
                11 => return Ok(Record::End),
                12 => {
                    self.i32()?;
                    self.string()?;
                    continue;
                }
                13 => return Ok(Record::Nulls(usize::from(self.u8()?))),
                14 => return Ok(Record::Nulls(self.count(0)?)),
                15 => {
                    let id = self.id()?;
                    let length = self.count(1)?;
                    let primitive = self.u8()?;
                    self.spend(length)?;
                    let mut items = Vec::with_capacity(length);
                    for _ in 0..length {
                        items.push(self.primitive(primitive)?);
                    }
                    self.store(id, Object::Array(items), at)?
                }
                16 | 17 => {
                    let id = self.id()?;
                    let length = self.count(0)?;
                    let items = self.elements(length, depth)?;
                    self.store(id, Object::Array(items), at)?
                }
                _ => return Err(self.error_at(at, format!("record type {kind}, which graphical runbooks do not use"))),
            };
            return Ok(Record::Value(value));
        }
    }

    /// MS-NRBF 2.3.1.2 MemberTypeInfo: the kinds, then each kind's extra information.
    fn member_types(&mut self, count: usize) -> Result<Vec<MemberType>, NrbfError> {
        let kinds = self.take(count)?.to_vec();
        kinds.into_iter().map(|kind| self.type_info(kind)).collect()
    }

    fn type_info(&mut self, kind: u8) -> Result<MemberType, NrbfError> {
        Ok(match kind {
            0 => MemberType::Primitive(self.u8()?),
            1 | 2 | 5 | 6 => MemberType::Record,
            3 => {
                self.string()?;
                MemberType::Record
            }
            4 => {
                self.string()?;
                self.i32()?;
                MemberType::Record
            }
            7 => {
                self.u8()?;
                MemberType::Record
            }
            _ => return Err(self.error(format!("member type {kind}, which the format does not have"))),
        })
    }

    fn instance(&mut self, id: i32, class: Rc<Class>, depth: usize, at: usize) -> Result<Value, NrbfError> {
        self.spend(class.types.len())?;
        let mut values = Vec::with_capacity(class.types.len());
        let mut types = class.types.iter();
        while let Some(kind) = types.next() {
            match kind {
                MemberType::Primitive(primitive) => values.push(self.primitive(*primitive)?),
                MemberType::Record => match self.record(depth + 1)? {
                    Record::Value(value) => values.push(value),
                    // Null runs belong to arrays, but are harmless here: that many nulls.
                    Record::Nulls(n) => {
                        values.push(Value::Null);
                        for _ in 1..n {
                            if types.next().is_none() {
                                break;
                            }
                            values.push(Value::Null);
                        }
                    }
                    Record::Header(_) | Record::End => {
                        return Err(self.error(format!("class {} ends before its members", class.name)))
                    }
                },
            }
        }
        self.store(id, Object::Instance { class, values }, at)
    }

    /// MS-NRBF 2.4.3.1 BinaryArray: any rank and element type; read flat.
    fn binary_array(&mut self, depth: usize, at: usize) -> Result<Value, NrbfError> {
        let id = self.id()?;
        let shape = self.u8()?;
        let rank = self.count(4)?;
        let mut length: usize = 1;
        for _ in 0..rank {
            let dimension = self.count(0)?;
            length = length
                .checked_mul(dimension)
                .filter(|&n| n <= self.left())
                .ok_or_else(|| self.error_at(at, "an array larger than the stream"))?;
        }
        if matches!(shape, 3..=5) {
            self.take(rank.saturating_mul(4))?; // lower bounds
        } else if shape > 5 {
            return Err(self.error_at(at, format!("array shape {shape}, which the format does not have")));
        }
        let kind = self.u8()?;
        let element = self.type_info(kind)?;
        let items = match element {
            MemberType::Primitive(primitive) => {
                self.spend(length)?;
                let mut items = Vec::with_capacity(length);
                for _ in 0..length {
                    items.push(self.primitive(primitive)?);
                }
                items
            }
            MemberType::Record => self.elements(length, depth)?,
        };
        self.store(id, Object::Array(items), at)
    }

    /// `length` elements, each a record (null runs count for as many).
    fn elements(&mut self, length: usize, depth: usize) -> Result<Vec<Value>, NrbfError> {
        let mut items = Vec::new();
        while items.len() < length {
            match self.record(depth + 1)? {
                Record::Value(value) => {
                    self.spend(1)?;
                    items.push(value)
                }
                Record::Nulls(n) => {
                    if n > length - items.len() {
                        return Err(self.error("a run of nulls longer than its array"));
                    }
                    self.spend(n)?;
                    items.resize(items.len() + n, Value::Null);
                }
                Record::Header(_) | Record::End => return Err(self.error("an array ends before its elements")),
            }
        }
        Ok(items)
    }

    /// MS-NRBF 2.1.2.3 PrimitiveTypeEnumeration values, written without a record.
    fn primitive(&mut self, primitive: u8) -> Result<Value, NrbfError> {
        Ok(match primitive {
            1 => Value::Bool(self.u8()? != 0),
            2 => Value::UInt(u64::from(self.u8()?)),
            3 => Value::Char(self.utf8_char()?),
            5 | 18 => Value::Text(self.string()?),
            6 => Value::Float(f64::from_le_bytes(self.array()?)),
            7 => Value::Int(i64::from(i16::from_le_bytes(self.array()?))),
            8 => Value::Int(i64::from(i32::from_le_bytes(self.array()?))),
            9 => Value::Int(i64::from_le_bytes(self.array()?)),
            10 => Value::Int(i64::from(i8::from_le_bytes(self.array()?))),
            11 => Value::Float(f64::from(f32::from_le_bytes(self.array()?))),
            12 | 13 => Value::Ticks(i64::from_le_bytes(self.array()?)),
            14 => Value::UInt(u64::from(u16::from_le_bytes(self.array()?))),
            15 => Value::UInt(u64::from(u32::from_le_bytes(self.array()?))),
            16 => Value::UInt(u64::from_le_bytes(self.array()?)),
            17 => Value::Null,
            _ => return Err(self.error(format!("primitive type {primitive}, which the format does not have"))),
        })
    }

    /// A `Char`: one UTF-8 encoded character, one to four bytes.
    fn utf8_char(&mut self) -> Result<char, NrbfError> {
        let at = self.at;
        let first = self.u8()?;
        let length = match first {
            0x00..=0x7f => 1,
            0xc0..=0xdf => 2,
            0xe0..=0xef => 3,
            0xf0..=0xf7 => 4,
            _ => return Err(self.error_at(at, "a character that is not UTF-8")),
        };
        self.take(length - 1)?;
        std::str::from_utf8(&self.bytes[at..self.at])
            .ok()
            .and_then(|s| s.chars().next())
            .ok_or_else(|| self.error_at(at, "a character that is not UTF-8"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(root: i32) -> Vec<u8> {
        let mut out = vec![0];
        for n in [root, -1, 1, 0] {
            out.extend(n.to_le_bytes());
        }
        out
    }

    fn string(s: &str) -> Vec<u8> {
        let mut out = vec![s.len() as u8];
        out.extend(s.as_bytes());
        out
    }

    #[test]
    fn a_class_with_typed_members_and_a_string() {
        let mut bytes = header(1);
        bytes.push(5);
        bytes.extend(1i32.to_le_bytes());
        bytes.extend(string("Demo.Thing"));
        bytes.extend(2i32.to_le_bytes());
        bytes.extend(string("name"));
        bytes.extend(string("count"));
        bytes.extend([1, 0, 8]); // string, primitive Int32
        bytes.extend(2i32.to_le_bytes()); // library
        bytes.push(6);
        bytes.extend(3i32.to_le_bytes());
        bytes.extend(string("héllo"));
        bytes.extend(7i32.to_le_bytes());
        bytes.push(11);
        let stream = read(&bytes).unwrap();
        let Some(Object::Instance { class, values }) = stream.object(1) else {
            panic!("{stream:?}")
        };
        assert_eq!(class.name, "Demo.Thing");
        assert_eq!(values, &[Value::Object(3), Value::Int(7)]);
        assert!(matches!(stream.object(3), Some(Object::String(s)) if &**s == "héllo"));
    }

    #[test]
    fn bad_streams_are_errors() {
        assert!(read(&[]).is_err());
        assert!(read(&[11]).is_err(), "no header");
        let mut bytes = header(1);
        bytes.extend([15, 1, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f, 8]); // 2^31 - 1 Int32s
        assert!(read(&bytes).unwrap_err().reason.contains("larger than the stream"));
        let mut bytes = header(1);
        bytes.extend([1, 1, 0, 0, 0, 9, 0, 0, 0]); // ClassWithId of an unknown class
        assert!(read(&bytes).unwrap_err().reason.contains("not defined"));
        let mut bytes = header(1);
        bytes.push(11);
        assert!(read(&bytes).unwrap_err().reason.contains("root"));
    }

    #[test]
    fn a_long_run_of_nulls_is_refused_not_allocated() {
        let mut bytes = header(1);
        bytes.extend([16, 1, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f, 14, 0xff, 0xff, 0xff, 0x7f, 11]);
        assert!(read(&bytes).unwrap_err().reason.contains("too many values"));
    }

    #[test]
    fn deep_nesting_is_refused() {
        // Each object array holds the next one in place.
        let mut bytes = header(1);
        for id in 1..200i32 {
            bytes.push(16);
            bytes.extend(id.to_le_bytes());
            bytes.extend(1i32.to_le_bytes());
        }
        assert!(read(&bytes).unwrap_err().reason.contains("too deep"));
    }
}
