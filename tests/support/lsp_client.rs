//! A small LSP client for the tests: frames JSON-RPC messages, keeps what the server
//! sends, and applies the edits it returns. Its position arithmetic is its own (not
//! the crate's), so a test checks the server's conversion instead of repeating it.

#![allow(dead_code)]

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::sync::mpsc::{channel, Receiver};
use std::time::Duration;

use serde_json::{json, Value};

/// Longer than any answer takes, short enough that a hung server fails the test.
const PATIENCE: Duration = Duration::from_secs(30);

pub struct Client {
    to_server: Box<dyn Write + Send>,
    from_server: Receiver<Value>,
    /// Messages read while waiting for another one.
    unread: VecDeque<Value>,
    next_id: i64,
    /// Columns count UTF-8 bytes (negotiated) instead of UTF-16 code units.
    pub utf8: bool,
}

impl Client {
    pub fn new(to_server: impl Write + Send + 'static, from_server: impl Read + Send + 'static) -> Self {
        let (sender, receiver) = channel();
        std::thread::spawn(move || {
            let mut input = BufReader::new(from_server);
            while let Some(message) = read_frame(&mut input) {
                if sender.send(message).is_err() {
                    return;
                }
            }
        });
        Client {
            to_server: Box::new(to_server),
            from_server: receiver,
            unread: VecDeque::new(),
            next_id: 0,
            utf8: false,
        }
    }

    /// A server running in this process (`mimigrate::lsp::serve`) on pipes; the handle
    /// says whether it ended cleanly.
    pub fn in_process() -> (Self, std::thread::JoinHandle<bool>) {
        let (server_reads, client_writes) = std::io::pipe().expect("a pipe");
        let (client_reads, server_writes) = std::io::pipe().expect("a pipe");
        let server = std::thread::spawn(move || mimigrate::lsp::serve(BufReader::new(server_reads), server_writes));
        (Client::new(client_writes, client_reads), server)
    }

    pub fn send_raw(&mut self, bytes: &[u8]) {
        self.to_server.write_all(bytes).expect("the server reads");
        self.to_server.flush().expect("the server reads");
    }

    pub fn send(&mut self, message: &Value) {
        let body = serde_json::to_vec(message).unwrap();
        let mut framed = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        framed.extend(body);
        self.send_raw(&framed);
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Send a request and wait for its response (the whole message).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        self.wait_for(|m| m["id"] == id && m.get("method").is_none())
    }

    /// The result of a request, failing on an error response.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        let response = self.request(method, params);
        assert!(response.get("error").is_none(), "{method} failed: {response}");
        response["result"].clone()
    }

    /// The first message (read before or now) that `wanted` accepts.
    pub fn wait_for(&mut self, wanted: impl Fn(&Value) -> bool) -> Value {
        if let Some(at) = self.unread.iter().position(&wanted) {
            return self.unread.remove(at).unwrap();
        }
        loop {
            let message = self
                .from_server
                .recv_timeout(PATIENCE)
                .unwrap_or_else(|_| panic!("no awaited message from the server; it sent {:#?}", self.unread));
            if wanted(&message) {
                return message;
            }
            self.unread.push_back(message);
        }
    }

    /// Every message the server has sent so far that nobody waited for.
    pub fn drain(&mut self) -> Vec<Value> {
        while let Ok(message) = self.from_server.try_recv() {
            self.unread.push_back(message);
        }
        self.unread.drain(..).collect()
    }

    pub fn initialize(&mut self, capabilities: Value) -> Value {
        let result = self.call("initialize", json!({ "capabilities": capabilities, "processId": null }));
        self.utf8 = result["capabilities"]["positionEncoding"] == "utf-8";
        self.notify("initialized", json!({}));
        result
    }

    pub fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "powershell", "version": 1, "text": text } }),
        );
    }

    /// The next diagnostics published for `uri` (with `version`, when given).
    pub fn diagnostics(&mut self, uri: &str, version: Option<i64>) -> Vec<Value> {
        let message = self.wait_for(|m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && version.is_none_or(|v| m["params"]["version"] == v)
        });
        message["params"]["diagnostics"].as_array().unwrap().clone()
    }

    pub fn shutdown_and_exit(&mut self) {
        assert_eq!(self.call("shutdown", Value::Null), Value::Null);
        self.notify("exit", Value::Null);
    }

    /// The byte offset of an LSP position in `text` (lines end at `\n` or `\r\n`).
    pub fn offset(&self, text: &str, position: &Value) -> usize {
        let line = position["line"].as_u64().unwrap() as usize;
        let character = position["character"].as_u64().unwrap() as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        let content = text[start..].split('\n').next().unwrap().trim_end_matches('\r');
        let mut counted = 0;
        for (at, c) in content.char_indices() {
            if counted >= character {
                return start + at;
            }
            counted += if self.utf8 { c.len_utf8() } else { c.len_utf16() };
        }
        start + content.len()
    }

    /// The LSP position of a byte offset of `text`.
    pub fn position(&self, text: &str, offset: usize) -> Value {
        let before = &text[..offset];
        let line = before.matches('\n').count();
        let line_text = &before[before.rfind('\n').map_or(0, |i| i + 1)..];
        let character: usize = if self.utf8 {
            line_text.len()
        } else {
            line_text.chars().map(char::len_utf16).sum()
        };
        json!({ "line": line, "character": character })
    }

    /// `text` with LSP text edits applied (all relative to `text`, as LSP has them).
    pub fn apply(&self, text: &str, edits: &[Value]) -> String {
        let mut spans: Vec<(usize, usize, String)> = edits
            .iter()
            .map(|e| {
                (
                    self.offset(text, &e["range"]["start"]),
                    self.offset(text, &e["range"]["end"]),
                    e["newText"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        spans.sort_by_key(|s| (s.0, s.1));
        let mut out = String::new();
        let mut at = 0;
        for (start, end, content) in spans {
            assert!(start >= at, "overlapping edits: {edits:?}");
            out.push_str(&text[at..start]);
            out.push_str(&content);
            at = end;
        }
        out.push_str(&text[at..]);
        out
    }

    /// The edits of a workspace edit for `uri`.
    pub fn edits_for(edit: &Value, uri: &str) -> Vec<Value> {
        edit["changes"][uri].as_array().cloned().unwrap_or_default()
    }
}

fn read_frame(input: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if input.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':').expect("a header line");
        if name.eq_ignore_ascii_case("content-length") {
            length = value.trim().parse().ok();
        }
    }
    let mut body = vec![0; length.expect("a Content-Length header")];
    input.read_exact(&mut body).ok()?;
    Some(serde_json::from_slice(&body).expect("the server sends JSON"))
}
