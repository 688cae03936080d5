//! JSON-RPC over the LSP base protocol: `Content-Length` framed JSON on a byte stream.
//!
//! Written here rather than taken from `lsp-server` because its reader ends the
//! connection at the first malformed frame; an editor's server must answer a bad
//! message with an error and go on reading.

use std::io::{self, BufRead, Read, Write};

use serde_json::{json, Value};

/// No message is this large (a 16 MiB script as JSON-escaped text is well under it):
/// a bigger length is read past and refused, never buffered.
const MAX_MESSAGE_BYTES: usize = 64 << 20;

/// JSON-RPC error codes (JSON-RPC 2.0 and LSP).
pub const PARSE_ERROR: i64 = -32700;
pub const INVALID_REQUEST: i64 = -32600;
pub const METHOD_NOT_FOUND: i64 = -32601;
pub const INVALID_PARAMS: i64 = -32602;
pub const INTERNAL_ERROR: i64 = -32603;
pub const SERVER_NOT_INITIALIZED: i64 = -32002;
pub const REQUEST_FAILED: i64 = -32803;

/// One message from the client.
#[derive(Debug, Clone, PartialEq)]
pub enum Incoming {
    Request {
        id: Value,
        method: String,
        params: Value,
    },
    Notification {
        method: String,
        params: Value,
    },
    /// The client's answer to a request of ours (`workspace/applyEdit`).
    Response {
        id: Value,
    },
    /// A message that could not be read: answered with this error (`id` null when the
    /// message had none that could be read).
    Invalid {
        id: Value,
        code: i64,
        message: String,
    },
}

/// Read the next message; `None` at the end of the stream.
pub fn read_message(input: &mut impl BufRead) -> io::Result<Option<Incoming>> {
    let mut length = None;
    let mut header_lines = 0;
    let mut line = Vec::new();
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            return Ok(None);
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if header_lines == 0 {
                continue;
            }
            break;
        }
        header_lines += 1;
        if let Some((name, value)) = text.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                length = value.trim().parse::<usize>().ok();
            }
        }
    }
    let Some(length) = length else {
        return Ok(Some(invalid(
            Value::Null,
            PARSE_ERROR,
            "a message without a valid Content-Length header",
        )));
    };
    if length > MAX_MESSAGE_BYTES {
        io::copy(&mut Read::take(&mut *input, length as u64), &mut io::sink())?;
        return Ok(Some(invalid(
            Value::Null,
            INVALID_REQUEST,
            &format!("a message of {length} bytes, more than the {MAX_MESSAGE_BYTES} accepted"),
        )));
    }
    let mut body = vec![0; length];
    if let Err(error) = input.read_exact(&mut body) {
        return match error.kind() {
            io::ErrorKind::UnexpectedEof => Ok(None),
            _ => Err(error),
        };
    }
    Ok(Some(parse_message(&body)))
}

fn invalid(id: Value, code: i64, message: &str) -> Incoming {
    Incoming::Invalid {
        id,
        code,
        message: message.to_owned(),
    }
}

/// A message body as a request, notification or response.
fn parse_message(body: &[u8]) -> Incoming {
    let value: Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(error) => return invalid(Value::Null, PARSE_ERROR, &format!("not JSON: {error}")),
    };
    let Value::Object(mut object) = value else {
        return invalid(Value::Null, INVALID_REQUEST, "a message must be a JSON object");
    };
    let id = object.remove("id").filter(|id| id.is_number() || id.is_string());
    let params = object.remove("params").unwrap_or(Value::Null);
    match (object.remove("method"), id) {
        (Some(Value::String(method)), Some(id)) => Incoming::Request { id, method, params },
        (Some(Value::String(method)), None) => Incoming::Notification { method, params },
        (None, Some(id)) if object.contains_key("result") || object.contains_key("error") => Incoming::Response { id },
        (_, id) => invalid(
            id.unwrap_or(Value::Null),
            INVALID_REQUEST,
            "neither a request, a notification nor a response",
        ),
    }
}

/// Write one message, framed, and flush it.
pub fn write_message(output: &mut impl Write, message: &impl serde::Serialize) -> io::Result<()> {
    let body = serde_json::to_vec(message).map_err(io::Error::other)?;
    write!(output, "Content-Length: {}\r\n\r\n", body.len())?;
    output.write_all(&body)?;
    output.flush()
}

pub fn response(id: Value, result: Value) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "result": result })
}

pub fn error_response(id: Value, code: i64, message: &str) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "error": { "code": code, "message": message } })
}

pub fn notification(method: &str, params: Value) -> Value {
    json!({ "jsonrpc": "2.0", "method": method, "params": params })
}

/// A notification whose parameters are serialized as they are, without building a
/// `Value` first (published diagnostics can run to thousands).
#[derive(serde::Serialize)]
pub struct Notification<'a, P: serde::Serialize> {
    pub jsonrpc: &'static str,
    pub method: &'a str,
    pub params: P,
}

impl<'a, P: serde::Serialize> Notification<'a, P> {
    pub fn new(method: &'a str, params: P) -> Self {
        Notification {
            jsonrpc: "2.0",
            method,
            params,
        }
    }
}

pub fn request(id: Value, method: &str, params: Value) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(stream: &[u8]) -> Vec<Incoming> {
        let mut input = stream;
        std::iter::from_fn(|| read_message(&mut input).expect("reads from memory")).collect()
    }

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    #[test]
    fn reads_requests_notifications_and_responses() {
        let stream = frame(r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}"#)
            + &frame(r#"{"jsonrpc":"2.0","method":"initialized"}"#)
            + &frame(r#"{"jsonrpc":"2.0","id":"s1","result":{"applied":true}}"#);
        let messages = read_all(stream.as_bytes());
        assert_eq!(
            messages,
            vec![
                Incoming::Request {
                    id: json!(1),
                    method: "initialize".into(),
                    params: json!({})
                },
                Incoming::Notification {
                    method: "initialized".into(),
                    params: Value::Null
                },
                Incoming::Response { id: json!("s1") },
            ]
        );
    }

    #[test]
    fn a_bad_message_is_an_error_and_reading_goes_on() {
        let stream = frame("{not json")
            + "X-Garbage\r\n\r\n"
            + &frame(r#"[1, 2]"#)
            + &frame(r#"{"jsonrpc":"2.0","id":7}"#)
            + &frame(r#"{"jsonrpc":"2.0","method":"exit"}"#);
        let codes: Vec<Option<i64>> = read_all(stream.as_bytes())
            .iter()
            .map(|m| match m {
                Incoming::Invalid { code, .. } => Some(*code),
                _ => None,
            })
            .collect();
        assert_eq!(
            codes,
            vec![
                Some(PARSE_ERROR),
                Some(PARSE_ERROR),
                Some(INVALID_REQUEST),
                Some(INVALID_REQUEST),
                None
            ]
        );
    }

    #[test]
    fn a_truncated_stream_ends_reading() {
        let stream = "Content-Length: 100\r\n\r\n{\"jsonrpc\"";
        assert!(read_all(stream.as_bytes()).is_empty());
    }

    #[test]
    fn a_huge_length_is_skipped_not_buffered() {
        let huge = MAX_MESSAGE_BYTES + 1;
        let mut stream = format!("Content-Length: {huge}\r\n\r\n").into_bytes();
        stream.extend(std::iter::repeat_n(b' ', huge));
        stream.extend(frame(r#"{"jsonrpc":"2.0","method":"exit"}"#).bytes());
        let messages = read_all(&stream);
        assert!(matches!(
            messages[0],
            Incoming::Invalid {
                code: INVALID_REQUEST,
                ..
            }
        ));
        assert!(matches!(&messages[1], Incoming::Notification { method, .. } if method == "exit"));
    }
}
