//! A small MS-NRBF writer, for tests only: it builds graphical runbook streams the way
//! the .NET BinaryFormatter lays them out (the first object of a class with its member
//! names and types, later ones by class id; reference-type members by reference and
//! written after their owner; strings once, then by reference; value types and
//! dictionary pairs in place; runs of nulls), so the reader meets the shapes of real
//! exports, and `graph` builds the Run As runbooks no real export here has. The member
//! names and types of the graph's classes are those of real exports (the two of
//! `../shared/corpus`, and a public Run As tutorial export read to learn the command
//! activity's: its `CommandType`, its `Dictionary` of `ParameterName` keys, the
//! output and expression descriptors); no export's content is copied.
#![allow(dead_code)] // each includer uses its own subset

use std::collections::{HashMap, VecDeque};

/// A member's or an element's value.
#[derive(Clone, Debug)]
pub enum V {
    Bool(bool),
    Int(i32),
    Str(String),
    /// A null of a reference type (declared `Object`).
    Null,
    /// A reference-type object, written after its owner.
    Obj(Obj),
    /// A value type (an enum, a pair), written in place.
    Inline(Obj),
    /// An `Object`-typed member holding a primitive or a string (boxed).
    Boxed(Box<V>),
    /// An array of objects of a class (`List<T>._items`), padded with nulls to `capacity`.
    ClassArray {
        class: String,
        items: Vec<V>,
        capacity: usize,
    },
    /// A `string[]`.
    Strings(Vec<String>),
}

#[derive(Clone, Debug)]
pub struct Obj {
    pub class: String,
    pub members: Vec<(String, V)>,
}

pub fn obj(class: &str, members: Vec<(&str, V)>) -> Obj {
    Obj {
        class: class.to_owned(),
        members: members.into_iter().map(|(n, v)| (n.to_owned(), v)).collect(),
    }
}

pub fn s(text: &str) -> V {
    V::Str(text.to_owned())
}

const MODEL: &str = "Orchestrator.GraphRunbook.Model";
const PARAMETER_NAME: &str =
    "Orchestrator.GraphRunbook.Model.ExecutableView.ParameterName, Orchestrator.GraphRunbook.Model";
const VALUE_DESCRIPTOR: &str =
    "Orchestrator.GraphRunbook.Model.ExecutableView.IValueDescriptor, Orchestrator.GraphRunbook.Model";
const LIBRARY: i32 = 2;

/// The whole stream of `root`.
pub fn stream(root: Obj) -> Vec<u8> {
    let mut writer = Writer::default();
    writer.out.push(0);
    for n in [1, -1, 1, 0] {
        writer.i32(n);
    }
    writer.out.push(12);
    writer.i32(LIBRARY);
    writer.string(&format!(
        "{MODEL}, Version=7.3.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35"
    ));
    writer.next_id = 1;
    let root_id = writer.new_id();
    writer.queue.push_back((root_id, V::Obj(root)));
    while let Some((id, value)) = writer.queue.pop_front() {
        writer.record(id, &value);
    }
    writer.out.push(11);
    writer.out
}

#[derive(Default)]
struct Writer {
    out: Vec<u8>,
    next_id: i32,
    /// Class name to the id of its first object (the metadata id later ones name).
    classes: HashMap<String, i32>,
    strings: HashMap<String, i32>,
    queue: VecDeque<(i32, V)>,
}

impl Writer {
    fn new_id(&mut self) -> i32 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    fn i32(&mut self, n: i32) {
        self.out.extend(n.to_le_bytes());
    }

    fn string(&mut self, text: &str) {
        let mut n = text.len();
        loop {
            let byte = (n & 0x7f) as u8;
            n >>= 7;
            if n == 0 {
                self.out.push(byte);
                break;
            }
            self.out.push(byte | 0x80);
        }
        self.out.extend(text.as_bytes());
    }

    /// The record of a queued object or array.
    fn record(&mut self, id: i32, value: &V) {
        match value {
            V::Obj(o) | V::Inline(o) => self.instance(id, o),
            V::ClassArray { class, items, capacity } => {
                self.out.push(7);
                self.i32(id);
                self.out.push(0); // single
                self.i32(1);
                self.i32(*capacity as i32);
                if class.starts_with("System.") {
                    self.out.push(3);
                    self.string(class);
                } else {
                    self.out.push(4);
                    self.string(class);
                    self.i32(LIBRARY);
                }
                for item in items {
                    self.element(item);
                }
                let nulls = capacity - items.len();
                if nulls == 1 {
                    self.out.push(10);
                } else if nulls > 1 {
                    self.out.extend([13, nulls as u8]);
                }
            }
            V::Strings(items) => {
                self.out.push(17);
                self.i32(id);
                self.i32(items.len() as i32);
                for item in items {
                    self.element(&V::Str(item.clone()));
                }
            }
            _ => unreachable!("only objects and arrays are queued"),
        }
    }

    /// An array element: a reference to a queued object, a string, or a pair in place.
    fn element(&mut self, item: &V) {
        match item {
            V::Inline(o) => {
                let id = -self.new_id();
                self.instance(id, o);
            }
            other => self.reference_or_string(other),
        }
    }

    fn instance(&mut self, id: i32, o: &Obj) {
        if let Some(&metadata) = self.classes.get(&o.class) {
            self.out.push(1);
            self.i32(id);
            self.i32(metadata);
        } else {
            self.classes.insert(o.class.clone(), id);
            let system = o.class.starts_with("System.");
            self.out.push(if system { 4 } else { 5 });
            self.i32(id);
            self.string(&o.class);
            self.i32(o.members.len() as i32);
            for (name, _) in &o.members {
                self.string(name);
            }
            for (_, value) in &o.members {
                self.out.push(match value {
                    V::Bool(_) | V::Int(_) => 0,
                    V::Str(_) => 1,
                    V::Null | V::Boxed(_) => 2,
                    V::Obj(o) | V::Inline(o) if o.class.starts_with("System.") => 3,
                    V::Obj(_) | V::Inline(_) => 4,
                    V::ClassArray { .. } => 2,
                    V::Strings(_) => 6,
                });
            }
            for (_, value) in &o.members {
                match value {
                    V::Bool(_) => self.out.push(1),
                    V::Int(_) => self.out.push(8),
                    V::Obj(o) | V::Inline(o) if o.class.starts_with("System.") => self.string(&o.class.clone()),
                    V::Obj(o) | V::Inline(o) => {
                        self.string(&o.class.clone());
                        self.i32(LIBRARY);
                    }
                    _ => {}
                }
            }
            if !system {
                self.i32(LIBRARY);
            }
        }
        for (_, value) in &o.members {
            match value {
                V::Bool(b) => self.out.push(u8::from(*b)),
                V::Int(n) => self.i32(*n),
                V::Inline(inner) => {
                    let inner_id = -self.new_id();
                    self.instance(inner_id, inner);
                }
                V::Boxed(inner) => match &**inner {
                    V::Bool(b) => self.out.extend([8, 1, u8::from(*b)]),
                    V::Int(n) => {
                        self.out.extend([8, 8]);
                        self.i32(*n);
                    }
                    other => self.reference_or_string(other),
                },
                other => self.reference_or_string(other),
            }
        }
    }

    /// A string (once, then by reference), a null, or a reference to an object queued
    /// to follow.
    fn reference_or_string(&mut self, value: &V) {
        match value {
            V::Null => self.out.push(10),
            V::Str(text) => match self.strings.get(text) {
                Some(&id) => {
                    self.out.push(9);
                    self.i32(id);
                }
                None => {
                    let id = self.new_id();
                    self.strings.insert(text.clone(), id);
                    self.out.push(6);
                    self.i32(id);
                    self.string(text);
                }
            },
            queued => {
                let id = self.new_id();
                self.out.push(9);
                self.i32(id);
                self.queue.push_back((id, queued.clone()));
            }
        }
    }
}

// --- Graphical runbooks -------------------------------------------------------------

/// Where an activity parameter's value comes from.
pub enum Source<'a> {
    Constant(V),
    Parameter(&'a str),
    Output(&'a str, &'a [&'a str]),
    Expression(&'a str),
    Connection(&'a str),
}

pub enum Activity<'a> {
    Command {
        name: &'a str,
        command: &'a str,
        module: &'a str,
        parameters: Vec<(&'a str, Source<'a>)>,
    },
    Script {
        name: &'a str,
        process: &'a str,
    },
}

pub struct Parameter<'a> {
    pub name: &'a str,
    pub default: Option<&'a str>,
}

fn model(class: &str) -> String {
    format!("{MODEL}.{class}")
}

fn list(item_class: &str, items: Vec<V>) -> V {
    let capacity = items.len().next_power_of_two().max(4);
    let size = items.len() as i32;
    V::Obj(obj(
        &format!("System.Collections.Generic.List`1[[{MODEL}.{item_class}, {MODEL}, Version=7.3.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35]]"),
        vec![
            (
                "_items",
                V::ClassArray {
                    class: model(item_class),
                    items,
                    capacity,
                },
            ),
            ("_size", V::Int(size)),
            ("_version", V::Int(size)),
        ],
    ))
}

fn name_object(class: &str, text: &str) -> V {
    V::Obj(obj(
        &model(&format!("ExecutableView.{class}")),
        vec![("CaseInsensitiveName`1+name", s(text))],
    ))
}

fn descriptor(source: &Source) -> V {
    V::Obj(match source {
        Source::Constant(value) => obj(
            &model("ConstantValueDescriptor"),
            vec![("<Value>k__BackingField", V::Boxed(Box::new(value.clone())))],
        ),
        Source::Parameter(name) => obj(
            &model("RunbookParameterValueDescriptor"),
            vec![("<ParameterName>k__BackingField", s(name))],
        ),
        Source::Output(activity, path) => obj(
            &model("ActivityOutputValueDescriptor"),
            vec![
                ("streamType", V::Null),
                ("<ActivityName>k__BackingField", name_object("ActivityName", activity)),
                (
                    "<FieldPath>k__BackingField",
                    V::Strings(path.iter().map(|p| p.to_string()).collect()),
                ),
            ],
        ),
        Source::Expression(text) => obj(
            &model("PowerShellExpressionValueDescriptor"),
            vec![("expression", s(text))],
        ),
        Source::Connection(name) => obj(
            &model("AutomationConnectionValueDescriptor"),
            vec![("<ConnectionName>k__BackingField", s(name))],
        ),
    })
}

/// The members every activity ends with (as `LoopableActivity` and `Activity` write them).
fn activity_members(name: &str, id: &str, x: i32) -> Vec<(&'static str, V)> {
    vec![
        (
            "LoopableActivity+loopExitCondition",
            V::Obj(obj(
                &model("Condition"),
                vec![
                    ("expression", s("")),
                    (
                        "<Mode>k__BackingField",
                        V::Inline(obj(&model("ConditionMode"), vec![("value__", V::Int(1))])),
                    ),
                ],
            )),
        ),
        ("Activity+<Name>k__BackingField", name_object("ActivityName", name)),
        ("Activity+<EntityId>k__BackingField", s(id)),
        ("Activity+<PositionX>k__BackingField", V::Int(x)),
        ("Activity+<PositionY>k__BackingField", V::Int(100)),
        ("Activity+<Description>k__BackingField", s("")),
    ]
}

fn entity_id(index: usize) -> String {
    format!("00000000-0000-4000-8000-{index:012}")
}

/// A graphical runbook stream: `links` go between activities by index, each with an
/// optional condition.
pub fn graph(parameters: &[Parameter], activities: &[Activity], links: &[(usize, usize, Option<&str>)]) -> Vec<u8> {
    let parameters = parameters
        .iter()
        .map(|p| {
            V::Obj(obj(
                &model("Parameter"),
                vec![
                    (
                        "<DefaultValue>k__BackingField",
                        p.default.map_or(V::Null, |d| V::Boxed(Box::new(s(d)))),
                    ),
                    ("<Name>k__BackingField", name_object("ParameterName", p.name)),
                    ("<Optional>k__BackingField", V::Bool(p.default.is_some())),
                    ("<TypeName>k__BackingField", s("System.String")),
                    ("<Description>k__BackingField", s("")),
                ],
            ))
        })
        .collect();
    let activities = activities
        .iter()
        .enumerate()
        .map(|(i, activity)| {
            let id = entity_id(i);
            V::Obj(match activity {
                Activity::Command {
                    name,
                    command,
                    module,
                    parameters,
                } => {
                    let pairs: Vec<V> = parameters
                        .iter()
                        .map(|(key, source)| {
                            V::Inline(obj(
                                &format!("System.Collections.Generic.KeyValuePair`2[[{PARAMETER_NAME}],[{VALUE_DESCRIPTOR}]]"),
                                vec![("key", name_object("ParameterName", key)), ("value", descriptor(source))],
                            ))
                        })
                        .collect();
                    let mut dictionary = vec![
                        ("Version", V::Int(parameters.len() as i32)),
                        (
                            "Comparer",
                            V::Obj(obj(
                                &format!("System.Collections.Generic.ObjectEqualityComparer`1[[{PARAMETER_NAME}]]"),
                                vec![],
                            )),
                        ),
                        ("HashSize", V::Int(7)),
                    ];
                    // An empty dictionary has no pairs member at all.
                    if !pairs.is_empty() {
                        dictionary.push((
                            "KeyValuePairs",
                            V::ClassArray {
                                class: format!("System.Collections.Generic.KeyValuePair`2[[{PARAMETER_NAME}],[{VALUE_DESCRIPTOR}]]"),
                                capacity: pairs.len(),
                                items: pairs,
                            },
                        ));
                    }
                    let mut members = vec![
                        (
                            "<CommandType>k__BackingField",
                            V::Obj(obj(
                                &model("CommandActivityType"),
                                vec![
                                    ("<InputParameterSets>k__BackingField", V::Null),
                                    ("<CommandName>k__BackingField", s(command)),
                                    ("<ModuleName>k__BackingField", s(module)),
                                ],
                            )),
                        ),
                        ("InvocationActivity+<ParameterSetName>k__BackingField", s("Default")),
                        (
                            "InvocationActivity+<Parameters>k__BackingField",
                            V::Obj(obj(
                                &format!("System.Collections.Generic.Dictionary`2[[{PARAMETER_NAME}],[{VALUE_DESCRIPTOR}]]"),
                                dictionary,
                            )),
                        ),
                        ("InvocationActivity+<CustomParameters>k__BackingField", s("")),
                        ("InvocationActivity+<CheckpointAfter>k__BackingField", V::Bool(false)),
                        ("InvocationActivity+<ExceptionsToErrors>k__BackingField", V::Bool(false)),
                    ];
                    members.extend(activity_members(name, &id, 100 * i as i32));
                    obj(&model("CommandActivity"), members)
                }
                Activity::Script { name, process } => {
                    let mut members = vec![
                        ("<Begin>k__BackingField", s("")),
                        ("<Process>k__BackingField", s(process)),
                        ("<End>k__BackingField", s("")),
                        ("<CheckpointAfter>k__BackingField", V::Bool(false)),
                    ];
                    members.extend(activity_members(name, &id, 100 * i as i32));
                    obj(&model("WorkflowScriptActivity"), members)
                }
            })
        })
        .collect();
    let links = links
        .iter()
        .map(|(from, to, condition)| {
            V::Obj(obj(
                &model("Link"),
                vec![
                    ("linkStreamType", V::Int(0)),
                    (
                        "condition",
                        V::Obj(obj(
                            &model("Condition"),
                            vec![
                                ("expression", s(condition.unwrap_or(""))),
                                (
                                    "<Mode>k__BackingField",
                                    V::Inline(obj(&model("ConditionMode"), vec![("value__", V::Int(1))])),
                                ),
                            ],
                        )),
                    ),
                    ("<DestinationActivityEntityId>k__BackingField", s(&entity_id(*to))),
                    ("<SourceActivityEntityId>k__BackingField", s(&entity_id(*from))),
                ],
            ))
        })
        .collect();
    stream(obj(
        &model("GraphRunbook"),
        vec![
            ("parameters", list("Parameter", parameters)),
            ("activities", list("Activity", activities)),
            ("links", list("Link", links)),
        ],
    ))
}

/// An exported `.graphrunbook` file of a stream.
pub fn export(stream: &[u8]) -> String {
    use base64::Engine;
    format!(
        "{{\"SchemaVersion\":\"1.10\",\"RunbookDefinition\":\"{}\",\"RunbookType\":\"GraphPowerShell\"}}",
        base64::engine::general_purpose::STANDARD.encode(stream)
    )
}

/// The gallery's Run As template: "Get Run As Connection" reads the connection named by
/// `connection`, "Connect to Azure" signs in with its certificate, and "Connection Not
/// Found" writes an error when the connection activity has no output (a conditional
/// link).
pub fn run_as_template(connection: Source, parameters: &[Parameter]) -> Vec<u8> {
    graph(
        parameters,
        &[
            Activity::Command {
                name: "Get Run As Connection",
                command: "Get-AutomationConnection",
                module: "Orchestrator.AssetManagement.Cmdlets",
                parameters: vec![("Name", connection)],
            },
            Activity::Command {
                name: "Connect to Azure",
                command: "Add-AzureRmAccount",
                module: "AzureRM.Profile",
                parameters: vec![
                    ("ServicePrincipal", Source::Constant(V::Bool(true))),
                    (
                        "ApplicationId",
                        Source::Output("Get Run As Connection", &["ApplicationId"]),
                    ),
                    (
                        "CertificateThumbprint",
                        Source::Output("Get Run As Connection", &["CertificateThumbprint"]),
                    ),
                    ("TenantId", Source::Output("Get Run As Connection", &["TenantId"])),
                ],
            },
            Activity::Command {
                name: "Connection Not Found",
                command: "Write-Error",
                module: "Microsoft.PowerShell.Utility",
                parameters: vec![(
                    "Message",
                    Source::Expression("\"The connection asset was not found in this Automation account.\""),
                )],
            },
        ],
        &[
            (0, 1, None),
            (0, 2, Some("(!$ActivityOutput['Get Run As Connection'])")),
        ],
    )
}
