//! The server's state and its answer to each message.

use std::collections::{HashMap, VecDeque};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::Arc;
use std::time::Instant;

use lsp_types as lsp;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};

use super::document::Document;
use super::transport::{self, Incoming};
use super::{debug, log, Event, DEBOUNCE};
use crate::config::Config;
use crate::diagnostic::Applicability;
use crate::fix::harm_of;
use crate::lint::{suppression_edit, LintOptions};
use crate::rules;
use crate::source::ColumnUnit;

pub const FIX_ALL_KIND: &str = "source.fixAll.mimigrate";
pub const FIX_ALL_COMMAND: &str = "mimigrate.fixAll";
pub const FIX_ALL_UNSAFE_COMMAND: &str = "mimigrate.fixAllUnsafe";

#[derive(PartialEq, Eq)]
enum State {
    /// Before `initialize`: only it (and `exit`) is answered.
    Starting,
    Running,
    /// After `shutdown`: requests are refused until `exit`.
    ShuttingDown,
}

/// What a handler could not do: answered as a JSON-RPC error.
type Failure = (i64, String);

pub struct Server<W: Write> {
    out: W,
    events: Receiver<Event>,
    /// Messages read ahead (while deciding whether diagnostics are still current).
    backlog: VecDeque<Incoming>,
    state: State,
    unit: ColumnUnit,
    /// The client shows a code action it cannot apply, with the reason.
    disabled_actions: bool,
    /// The client lets us ask to be told of changed config files.
    watch_registration: bool,
    documents: HashMap<lsp::Uri, Document>,
    /// The config of each folder holding an open document, loaded when first needed.
    configs: HashMap<PathBuf, Arc<Config>>,
    next_request: u64,
}

impl<W: Write> Server<W> {
    pub fn new(out: W, events: Receiver<Event>) -> Self {
        Server {
            out,
            events,
            backlog: VecDeque::new(),
            state: State::Starting,
            unit: ColumnUnit::Utf16,
            disabled_actions: false,
            watch_registration: false,
            documents: HashMap::new(),
            configs: HashMap::new(),
            next_request: 0,
        }
    }

    /// Serve until `exit` or the end of input; true when `shutdown` came first.
    pub fn run(mut self) -> bool {
        loop {
            self.publish_due();
            let message = match self.backlog.pop_front() {
                Some(message) => message,
                None => match self.next_event() {
                    Some(Event::Message(message)) => message,
                    Some(Event::Closed) => return false,
                    None => continue,
                },
            };
            let method = match &message {
                Incoming::Request { method, .. } | Incoming::Notification { method, .. } => method.clone(),
                _ => String::new(),
            };
            // A bug here must not take the editor's diagnostics down with it.
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.handle(message)));
            match outcome {
                Ok(Some(clean)) => return clean,
                Ok(None) => {}
                Err(_) => log(&format!("internal error handling {method}; the server goes on")),
            }
        }
    }

    /// The next message, waiting no longer than the first due document; `None` when
    /// that time came first.
    fn next_event(&mut self) -> Option<Event> {
        let due = self.documents.values().filter_map(|d| d.due).min();
        match due {
            None => Some(self.events.recv().unwrap_or(Event::Closed)),
            Some(due) => match self.events.recv_timeout(due.saturating_duration_since(Instant::now())) {
                Ok(event) => Some(event),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => Some(Event::Closed),
            },
        }
    }

    /// Handle one message; `Some(clean)` when the server is to stop.
    fn handle(&mut self, message: Incoming) -> Option<bool> {
        match message {
            Incoming::Request { id, method, params } => {
                let answer =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match (&self.state, method.as_str()) {
                        (State::Starting, "initialize") => self.initialize(params),
                        (State::Starting, _) => Err((transport::SERVER_NOT_INITIALIZED, "initialize first".into())),
                        (State::ShuttingDown, _) => {
                            Err((transport::INVALID_REQUEST, "the server is shutting down".into()))
                        }
                        (State::Running, _) => self.request(&method, params),
                    }));
                // A bug answers its request with an error; the editor does not wait forever.
                let reply = answer.unwrap_or_else(|_| {
                    Err((
                        transport::INTERNAL_ERROR,
                        format!("{method} failed: a bug in mimigrate (see its log)"),
                    ))
                });
                let reply = match reply {
                    Ok(result) => transport::response(id, result),
                    Err((code, text)) => transport::error_response(id, code, &text),
                };
                self.send(&reply);
            }
            Incoming::Notification { method, params } => {
                if method == "exit" {
                    return Some(self.state == State::ShuttingDown);
                }
                if self.state == State::Running {
                    if let Err((_, text)) = self.notification(&method, params) {
                        log(&format!("{method}: {text}"));
                    }
                }
            }
            // The client's answer to `workspace/applyEdit`: nothing more to do.
            Incoming::Response { .. } => {}
            Incoming::Invalid { id, code, message } => {
                log(&format!("bad message: {message}"));
                self.send(&transport::error_response(id, code, &message));
            }
        }
        None
    }

    fn request(&mut self, method: &str, params: Value) -> Result<Value, Failure> {
        match method {
            "shutdown" => {
                self.state = State::ShuttingDown;
                Ok(Value::Null)
            }
            "textDocument/codeAction" => self.code_actions(parse(params)?),
            "textDocument/hover" => self.hover(parse(params)?),
            "workspace/executeCommand" => self.execute_command(parse(params)?),
            "initialize" => Err((transport::INVALID_REQUEST, "initialize was already received".into())),
            _ => Err((transport::METHOD_NOT_FOUND, format!("no method {method}"))),
        }
    }

    fn notification(&mut self, method: &str, params: Value) -> Result<(), Failure> {
        match method {
            "initialized" => self.watch_config_files(),
            "textDocument/didOpen" => {
                let params: lsp::DidOpenTextDocumentParams = parse(params)?;
                let item = params.text_document;
                let mut document = Document::new(item.uri.clone(), item.version, item.text);
                document.due = Some(Instant::now());
                self.documents.insert(item.uri, document);
            }
            "textDocument/didChange" => {
                let params: lsp::DidChangeTextDocumentParams = parse(params)?;
                let unit = self.unit;
                let document = self.document(&params.text_document.uri)?;
                document.change(params.text_document.version, params.content_changes, unit);
                // The first change after a pause is analysed at once; changes following
                // each other within `DEBOUNCE` wait for the burst to end.
                let now = Instant::now();
                let in_burst = document.changed.is_some_and(|last| now - last < DEBOUNCE);
                document.changed = Some(now);
                document.due = Some(if in_burst { now + DEBOUNCE } else { now });
            }
            "textDocument/didSave" => {
                let params: lsp::DidSaveTextDocumentParams = parse(params)?;
                self.document(&params.text_document.uri)?.due = Some(Instant::now());
            }
            "textDocument/didClose" => {
                let params: lsp::DidCloseTextDocumentParams = parse(params)?;
                let uri = params.text_document.uri;
                if self.documents.remove(&uri).is_some() {
                    self.send(&transport::notification(
                        "textDocument/publishDiagnostics",
                        json!({ "uri": uri, "diagnostics": [] }),
                    ));
                }
            }
            "workspace/didChangeWatchedFiles" | "workspace/didChangeConfiguration" => {
                // Any config may have changed: load them again as documents need them.
                self.configs.clear();
                let now = Instant::now();
                for document in self.documents.values_mut() {
                    document.due = Some(now);
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn initialize(&mut self, params: Value) -> Result<Value, Failure> {
        let params: lsp::InitializeParams = parse(params)?;
        let capabilities = &params.capabilities;
        let offered = capabilities
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_deref())
            .unwrap_or_default();
        let encoding = if offered.contains(&lsp::PositionEncodingKind::UTF8) {
            self.unit = ColumnUnit::Bytes;
            lsp::PositionEncodingKind::UTF8
        } else {
            lsp::PositionEncodingKind::UTF16
        };
        self.disabled_actions = capabilities
            .text_document
            .as_ref()
            .and_then(|t| t.code_action.as_ref())
            .and_then(|c| c.disabled_support)
            .unwrap_or(false);
        self.watch_registration = capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|w| w.dynamic_registration)
            .unwrap_or(false);
        self.state = State::Running;
        let result = lsp::InitializeResult {
            capabilities: lsp::ServerCapabilities {
                position_encoding: Some(encoding),
                text_document_sync: Some(lsp::TextDocumentSyncCapability::Options(lsp::TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(lsp::TextDocumentSyncKind::INCREMENTAL),
                    save: Some(lsp::TextDocumentSyncSaveOptions::Supported(true)),
                    ..Default::default()
                })),
                hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
                code_action_provider: Some(lsp::CodeActionProviderCapability::Options(lsp::CodeActionOptions {
                    code_action_kinds: Some(vec![
                        lsp::CodeActionKind::QUICKFIX,
                        lsp::CodeActionKind::new(FIX_ALL_KIND),
                    ]),
                    ..Default::default()
                })),
                execute_command_provider: Some(lsp::ExecuteCommandOptions {
                    commands: vec![FIX_ALL_COMMAND.into(), FIX_ALL_UNSAFE_COMMAND.into()],
                    ..Default::default()
                }),
                ..Default::default()
            },
            server_info: Some(lsp::ServerInfo {
                name: "mimigrate".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
        };
        serde_json::to_value(result).map_err(|e| (transport::REQUEST_FAILED, e.to_string()))
    }

    /// Ask the client to tell us when a config file changes (clients that cannot be
    /// asked send `didChangeConfiguration`, or watch by their own settings).
    fn watch_config_files(&mut self) {
        if !self.watch_registration {
            return;
        }
        let watchers: Vec<Value> = crate::config::CONFIG_NAMES
            .iter()
            .map(|name| json!({ "globPattern": format!("**/{name}") }))
            .collect();
        let registration = json!({ "registrations": [{
            "id": "mimigrate-config",
            "method": "workspace/didChangeWatchedFiles",
            "registerOptions": { "watchers": watchers },
        }]});
        self.send_request("client/registerCapability", registration);
    }

    fn document(&mut self, uri: &lsp::Uri) -> Result<&mut Document, Failure> {
        self.documents
            .get_mut(uri)
            .ok_or_else(|| (transport::INVALID_PARAMS, format!("{} is not open", uri.as_str())))
    }

    /// The lint options for a document at `path` (its folder's mimigrate.toml, as
    /// `check` finds it); `None` when that config excludes it.
    fn options_for(&mut self, path: Option<&Path>) -> Option<LintOptions> {
        let Some(path) = path else {
            return Some(LintOptions::default());
        };
        let folder = path.parent().unwrap_or(Path::new("")).to_path_buf();
        let config = match self.configs.get(&folder) {
            Some(config) => config.clone(),
            None => {
                let config = match Config::find(&folder).map(|file| Config::load(&file)) {
                    Some(Ok(config)) => config,
                    Some(Err(error)) => {
                        // Said once per load, as `check` would say it; defaults meanwhile.
                        let message = format!("mimigrate: {error} (using the defaults until it is fixed)");
                        log(&message);
                        self.send(&transport::notification(
                            "window/showMessage",
                            json!({ "type": lsp::MessageType::ERROR, "message": message }),
                        ));
                        Config::default()
                    }
                    None => Config::default(),
                };
                let config = Arc::new(config);
                self.configs.insert(folder, config.clone());
                config
            }
        };
        if config.is_excluded(path) {
            return None;
        }
        Some(LintOptions {
            selection: config.selection_for(path),
            target: config.target.clone(),
            ..LintOptions::default()
        })
    }

    /// Analyse and publish every document whose diagnostics are due.
    fn publish_due(&mut self) {
        let now = Instant::now();
        let due: Vec<lsp::Uri> = self
            .documents
            .values()
            .filter(|d| d.due.is_some_and(|due| due <= now))
            .map(|d| d.uri.clone())
            .collect();
        for uri in due {
            let Some(document) = self.documents.get_mut(&uri) else {
                continue;
            };
            document.due = None;
            let path = document.path.clone();
            let options = self.options_for(path.as_deref());
            let unit = self.unit;
            let Some(document) = self.documents.get_mut(&uri) else {
                continue;
            };
            let started = Instant::now();
            let diagnostics: Vec<lsp::Diagnostic> = match &options {
                Some(options) => {
                    let positions_of = document.analyze(options).diagnostics.clone();
                    let positions = document.positions(unit);
                    positions_of.iter().map(|d| positions.diagnostic(d)).collect()
                }
                None => Vec::new(),
            };
            let version = document.version;
            debug(|| format!("analysed {} v{version} in {:?}", uri.as_str(), started.elapsed()));
            if self.changed_since(&uri) {
                continue;
            }
            self.send(&transport::Notification::new(
                "textDocument/publishDiagnostics",
                lsp::PublishDiagnosticsParams {
                    uri,
                    diagnostics,
                    version: Some(version),
                },
            ));
        }
    }

    /// Read the messages that arrived meanwhile (into the backlog, handled next) and
    /// say whether one changes or closes `uri`: its diagnostics are then out of date.
    fn changed_since(&mut self, uri: &lsp::Uri) -> bool {
        while let Ok(event) = self.events.try_recv() {
            match event {
                Event::Message(message) => self.backlog.push_back(message),
                Event::Closed => break,
            }
        }
        self.backlog.iter().any(|message| match message {
            Incoming::Notification { method, params } => {
                matches!(method.as_str(), "textDocument/didChange" | "textDocument/didClose")
                    && params["textDocument"]["uri"].as_str() == Some(uri.as_str())
            }
            _ => false,
        })
    }

    /// The analysed document of `uri` and its options (`None`: excluded by config).
    fn analysed(&mut self, uri: &lsp::Uri) -> Result<(&mut Document, Option<LintOptions>), Failure> {
        let path = self.document(uri)?.path.clone();
        let options = self.options_for(path.as_deref());
        let document = self.document(uri)?;
        if let Some(options) = &options {
            document.analyze(options);
        }
        Ok((document, options))
    }

    fn code_actions(&mut self, params: lsp::CodeActionParams) -> Result<Value, Failure> {
        let unit = self.unit;
        let disabled_actions = self.disabled_actions;
        let uri = params.text_document.uri;
        let (document, options) = self.analysed(&uri)?;
        let Some(options) = options else {
            return Ok(json!([]));
        };
        let only = params.context.only;
        let wants = |kind: &str| {
            only.as_ref().is_none_or(|only| {
                only.iter()
                    .any(|k| kind == k.as_str() || kind.starts_with(&format!("{}.", k.as_str())))
            })
        };
        let mut actions: Vec<lsp::CodeAction> = Vec::new();
        // "Fix all" runs `fix` to the end: only when asked for by kind (on save, or the
        // editor's source action menu), not on every cursor move.
        if only.is_some() && wants(FIX_ALL_KIND) {
            let edits = document.fix_all(false).to_vec();
            if !edits.is_empty() {
                let positions = document.positions(unit);
                actions.push(lsp::CodeAction {
                    title: "Fix all safe mimigrate findings".into(),
                    kind: Some(lsp::CodeActionKind::new(FIX_ALL_KIND)),
                    edit: Some(workspace_edit(
                        &uri,
                        edits.iter().map(|e| positions.text_edit(e)).collect(),
                    )),
                    ..Default::default()
                });
            }
        }
        if wants(lsp::CodeActionKind::QUICKFIX.as_str()) {
            let positions = document.positions(unit);
            let wanted = positions.offsets(params.range);
            let analysis = document.analysis.as_ref().expect("analysed above");
            let script = document.script();
            let touching = analysis
                .diagnostics
                .iter()
                .filter(|d| d.range.start <= wanted.end && wanted.start <= d.range.end);
            for diagnostic in touching {
                let shown = positions.diagnostic(diagnostic);
                if let Some(fix) = diagnostic
                    .fix
                    .as_ref()
                    .filter(|f| f.applicability != Applicability::DisplayOnly)
                {
                    let unsafe_label = if fix.applicability == Applicability::Unsafe {
                        " (unsafe)"
                    } else {
                        ""
                    };
                    let harm = harm_of(&script, fix);
                    if harm.is_none() || disabled_actions {
                        actions.push(lsp::CodeAction {
                            title: format!("Fix {}{unsafe_label}: {}", diagnostic.code, fix.message),
                            kind: Some(lsp::CodeActionKind::QUICKFIX),
                            diagnostics: Some(vec![shown.clone()]),
                            is_preferred: Some(harm.is_none() && fix.applicability == Applicability::Safe),
                            edit: Some(workspace_edit(
                                &uri,
                                fix.edits.iter().map(|e| positions.text_edit(e)).collect(),
                            )),
                            disabled: harm.map(|reason| lsp::CodeActionDisabled { reason }),
                            ..Default::default()
                        });
                    }
                }
                if diagnostic.code == rules::UNUSED_SUPPRESSION.code {
                    continue;
                }
                if let Some(edit) = suppression_edit(&script, &document.lines, &options, diagnostic) {
                    actions.push(lsp::CodeAction {
                        title: format!("Ignore {} for this line", diagnostic.code),
                        kind: Some(lsp::CodeActionKind::QUICKFIX),
                        diagnostics: Some(vec![shown]),
                        edit: Some(workspace_edit(&uri, vec![positions.text_edit(&edit)])),
                        ..Default::default()
                    });
                }
            }
        }
        serde_json::to_value(actions).map_err(|e| (transport::REQUEST_FAILED, e.to_string()))
    }

    /// Hovering over a finding shows its rule's documentation.
    fn hover(&mut self, params: lsp::HoverParams) -> Result<Value, Failure> {
        let unit = self.unit;
        let at = params.text_document_position_params;
        let (document, options) = self.analysed(&at.text_document.uri)?;
        if options.is_none() {
            return Ok(Value::Null);
        }
        let positions = document.positions(unit);
        let offset = positions.offset(at.position);
        let analysis = document.analysis.as_ref().expect("analysed above");
        let under: Vec<_> = analysis
            .diagnostics
            .iter()
            .filter(|d| d.range.start <= offset && offset <= d.range.end)
            .collect();
        let Some(first) = under.first() else {
            return Ok(Value::Null);
        };
        let mut codes: Vec<&str> = under.iter().map(|d| d.code).collect();
        codes.dedup();
        let documentation: Vec<&str> = codes
            .iter()
            .filter_map(|code| rules::by_code(code))
            .map(|rule| rule.documentation.trim())
            .collect();
        let hover = lsp::Hover {
            contents: lsp::HoverContents::Markup(lsp::MarkupContent {
                kind: lsp::MarkupKind::Markdown,
                value: documentation.join("\n\n---\n\n"),
            }),
            range: Some(positions.range(&first.range)),
        };
        serde_json::to_value(hover).map_err(|e| (transport::REQUEST_FAILED, e.to_string()))
    }

    /// `mimigrate.fixAll` / `mimigrate.fixAllUnsafe` with the document's URI: the server
    /// sends the edits as `workspace/applyEdit`, as `fix` (`--unsafe-fixes`) would make them.
    fn execute_command(&mut self, params: lsp::ExecuteCommandParams) -> Result<Value, Failure> {
        let unsafe_fixes = match params.command.as_str() {
            FIX_ALL_COMMAND => false,
            FIX_ALL_UNSAFE_COMMAND => true,
            other => return Err((transport::INVALID_PARAMS, format!("no command {other}"))),
        };
        let uri = params
            .arguments
            .first()
            .and_then(|a| a.as_str().or_else(|| a["uri"].as_str()))
            .and_then(|a| a.parse::<lsp::Uri>().ok())
            .ok_or_else(|| {
                (
                    transport::INVALID_PARAMS,
                    "the command takes the document's URI".to_owned(),
                )
            })?;
        let unit = self.unit;
        let (document, options) = self.analysed(&uri)?;
        if options.is_none() {
            return Ok(Value::Null);
        }
        let edits = document.fix_all(unsafe_fixes).to_vec();
        if edits.is_empty() {
            return Ok(Value::Null);
        }
        let positions = document.positions(unit);
        let label = if unsafe_fixes {
            "mimigrate: fix all (unsafe too)"
        } else {
            "mimigrate: fix all"
        };
        let edit = workspace_edit(&uri, edits.iter().map(|e| positions.text_edit(e)).collect());
        self.send_request("workspace/applyEdit", json!({ "label": label, "edit": edit }));
        Ok(Value::Null)
    }

    fn send_request(&mut self, method: &str, params: Value) {
        self.next_request += 1;
        let id = json!(format!("mimigrate-{}", self.next_request));
        self.send(&transport::request(id, method, params));
    }

    fn send(&mut self, message: &impl serde::Serialize) {
        if let Err(error) = transport::write_message(&mut self.out, message) {
            log(&format!("cannot write to the client: {error}"));
        }
    }
}

fn workspace_edit(uri: &lsp::Uri, edits: Vec<lsp::TextEdit>) -> lsp::WorkspaceEdit {
    lsp::WorkspaceEdit {
        changes: Some(HashMap::from([(uri.clone(), edits)])),
        ..Default::default()
    }
}

fn parse<T: DeserializeOwned>(params: Value) -> Result<T, Failure> {
    serde_json::from_value(params).map_err(|e| (transport::INVALID_PARAMS, format!("bad parameters: {e}")))
}
