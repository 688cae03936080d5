//! The typed model of a graphical runbook (`Orchestrator.GraphRunbook.Model.GraphRunbook`),
//! read from the object arena of an MS-NRBF stream. Members are found by name with the
//! serializer's decorations taken off (`<Name>k__BackingField`, `Activity+<Name>...`,
//! `_items`), so layouts that differ between versions of the model read alike; what
//! the model does not know (a new activity kind) is kept by its class name.

use super::nrbf::{Object, Stream, Value};

/// References are followed at most this deep (they may form cycles).
const MAX_DEPTH: usize = 32;

#[derive(Debug, Clone, PartialEq)]
pub struct GraphRunbook {
    pub parameters: Vec<Parameter>,
    pub activities: Vec<Activity>,
    pub links: Vec<Link>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    pub name: String,
    /// A .NET type name (`System.String`), when given.
    pub type_name: Option<String>,
    pub optional: bool,
    pub default: Option<Constant>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Activity {
    pub name: String,
    pub id: String,
    pub description: Option<String>,
    pub kind: ActivityKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ActivityKind {
    /// A command (cmdlet or function) with its parameters.
    Command {
        command: String,
        module: Option<String>,
        parameter_set: Option<String>,
        parameters: Vec<(String, ValueSource)>,
        /// Extra parameters typed as text in the editor (`-Force -Verbose`).
        custom: Option<String>,
    },
    /// PowerShell code in Begin/Process/End blocks.
    Script {
        begin: String,
        process: String,
        end: String,
    },
    /// Another runbook, run inline.
    InvokeRunbook {
        runbook: String,
        parameters: Vec<(String, ValueSource)>,
    },
    Junction,
    /// An activity class this reader does not know, by its class name.
    Other(String),
}

/// Where an activity parameter's value comes from (the model's value descriptors).
#[derive(Debug, Clone, PartialEq)]
pub enum ValueSource {
    Constant(Constant),
    RunbookParameter(String),
    /// Another activity's output, with a field path (`CertificateThumbprint`).
    ActivityOutput {
        activity: String,
        field_path: Vec<String>,
    },
    Expression(String),
    AutomationVariable(String),
    AutomationConnection(String),
    AutomationCredential(String),
    AutomationCertificate(String),
    /// A descriptor this reader does not know, by its class name.
    Unknown(String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Constant {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
    List(Vec<Constant>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub from: String,
    pub to: String,
    /// A condition's expression, when the link has a non-empty one.
    pub condition: Option<String>,
}

/// Why a stream is not a graphical runbook this model can read.
pub fn graph_runbook(stream: &Stream) -> Result<GraphRunbook, String> {
    let objects = Objects { stream };
    let root = objects.instance(&Value::Object(stream.root), 0);
    let Some(root) = root.filter(|r| r.class.ends_with("GraphRunbook")) else {
        return Err("its root object is not an Orchestrator.GraphRunbook.Model.GraphRunbook".into());
    };
    let parameters = objects
        .elements(&root, "parameters")
        .into_iter()
        .filter_map(|p| {
            Some(Parameter {
                name: objects.text(p.member("name")?, 2)?,
                type_name: p.member("typename").and_then(|v| objects.text(v, 2)),
                optional: matches!(p.member("optional"), Some(Value::Bool(true))),
                default: p
                    .member("defaultvalue")
                    .map(|v| objects.constant(v, 2))
                    .filter(|c| *c != Constant::Null),
            })
        })
        .collect();
    let activities = objects
        .elements(&root, "activities")
        .into_iter()
        .map(|a| objects.activity(&a))
        .collect();
    let links = objects
        .elements(&root, "links")
        .into_iter()
        .filter_map(|l| {
            let condition = l
                .member("condition")
                .and_then(|c| objects.instance(c, 2))
                .and_then(|c| c.member("expression").and_then(|e| objects.text(e, 3)))
                .filter(|e| !e.trim().is_empty());
            Some(Link {
                from: objects.text(l.member("sourceactivityentityid")?, 2)?,
                to: objects.text(l.member("destinationactivityentityid")?, 2)?,
                condition,
            })
        })
        .collect();
    Ok(GraphRunbook {
        parameters,
        activities,
        links,
    })
}

/// An object of the stream with its class's short name and members by plain name.
struct Instance<'s> {
    class: &'s str,
    members: Vec<(String, &'s Value)>,
}

impl<'s> Instance<'s> {
    /// The member whose plain name is `name` (lower case); the most derived class's
    /// comes first in the stream, so the first match wins.
    fn member(&self, name: &str) -> Option<&'s Value> {
        self.members.iter().find(|(n, _)| n == name).map(|(_, v)| *v)
    }
}

/// A member name without the serializer's decorations, in lower case:
/// `Activity+<Name>k__BackingField` and `_name` are both `name`.
fn plain(member: &str) -> String {
    let last = member.rsplit('+').next().unwrap_or(member);
    let bare = last
        .strip_prefix('<')
        .and_then(|s| s.split_once('>'))
        .map(|(inner, _)| inner)
        .unwrap_or(last);
    bare.trim_start_matches('_').to_lowercase()
}

struct Objects<'s> {
    stream: &'s Stream,
}

impl<'s> Objects<'s> {
    /// The objects of the list `owner.name` (the root's parameters, activities, links).
    fn elements(&self, owner: &Instance<'s>, name: &str) -> Vec<Instance<'s>> {
        owner
            .member(name)
            .map(|v| self.list(v, 1))
            .unwrap_or_default()
            .iter()
            .filter_map(|v| self.instance(v, 1))
            .collect()
    }

    fn instance(&self, value: &Value, depth: usize) -> Option<Instance<'s>> {
        let Value::Object(id) = value else { return None };
        match self.stream.object(*id)? {
            Object::Instance { class, values } if depth <= MAX_DEPTH => Some(Instance {
                class: class.name.rsplit('.').next().unwrap_or(&class.name),
                members: class.members.iter().map(|m| plain(m)).zip(values.iter()).collect(),
            }),
            _ => None,
        }
    }

    /// A string, or a name object's string (`ActivityName`, `ParameterName`: one
    /// member holding the text).
    fn text(&self, value: &Value, depth: usize) -> Option<String> {
        if depth > MAX_DEPTH {
            return None;
        }
        match value {
            Value::Text(s) => Some(s.to_string()),
            Value::Char(c) => Some(c.to_string()),
            Value::Object(id) => match self.stream.object(*id)? {
                Object::String(s) => Some(s.to_string()),
                Object::Instance { values, .. } => {
                    let mut texts = values.iter().filter_map(|v| self.text(v, depth + 1));
                    let only = texts.next()?;
                    texts.next().is_none().then_some(only)
                }
                Object::Array(_) => None,
            },
            _ => None,
        }
    }

    /// The elements of a `List<T>` (`_items` up to `_size`) or of an array, nulls left out.
    fn list(&self, value: &Value, depth: usize) -> Vec<&'s Value> {
        let Value::Object(id) = value else { return Vec::new() };
        match self.stream.object(*id) {
            Some(Object::Array(items)) => items.iter().filter(|v| **v != Value::Null).collect(),
            Some(Object::Instance { .. }) if depth <= MAX_DEPTH => {
                let Some(list) = self.instance(value, depth) else {
                    return Vec::new();
                };
                let size = match list.member("size") {
                    Some(Value::Int(n)) => usize::try_from(*n).unwrap_or(0),
                    _ => usize::MAX,
                };
                list.member("items")
                    .and_then(|items| match items {
                        Value::Object(id) => match self.stream.object(*id) {
                            Some(Object::Array(items)) => Some(items),
                            _ => None,
                        },
                        _ => None,
                    })
                    .map(|items| items.iter().take(size).filter(|v| **v != Value::Null).collect())
                    .unwrap_or_default()
            }
            _ => Vec::new(),
        }
    }

    /// The entries of a dictionary: a `Dictionary<,>` (`KeyValuePairs` of `key`/`value`
    /// pairs, as it serializes itself), a `Hashtable` (`Keys` and `Values`), or a list
    /// of pairs.
    fn entries(&self, value: &Value, depth: usize) -> Vec<(String, &'s Value)> {
        let Some(dictionary) = self.instance(value, depth) else {
            return Vec::new();
        };
        let pair = |v: &&'s Value| {
            let pair = self.instance(v, depth + 2)?;
            Some((self.text(pair.member("key")?, depth + 3)?, pair.member("value")?))
        };
        if let Some(pairs) = dictionary.member("keyvaluepairs") {
            return self.list(pairs, depth + 1).iter().filter_map(pair).collect();
        }
        if let (Some(keys), Some(values)) = (dictionary.member("keys"), dictionary.member("values")) {
            let keys = self.list(keys, depth + 1);
            let values = self.list(values, depth + 1);
            return keys
                .iter()
                .zip(values)
                .filter_map(|(k, v)| Some((self.text(k, depth + 2)?, v)))
                .collect();
        }
        if dictionary.member("items").is_some() {
            return self.list(value, depth).iter().filter_map(pair).collect();
        }
        Vec::new()
    }

    fn constant(&self, value: &Value, depth: usize) -> Constant {
        match value {
            Value::Null => Constant::Null,
            Value::Bool(b) => Constant::Bool(*b),
            Value::Int(n) => Constant::Int(*n),
            Value::UInt(n) => i64::try_from(*n).map_or(Constant::Text(n.to_string()), Constant::Int),
            Value::Float(f) => Constant::Float(*f),
            Value::Char(c) => Constant::Text(c.to_string()),
            Value::Text(s) => Constant::Text(s.to_string()),
            Value::Ticks(t) => Constant::Int(*t),
            Value::Object(id) if depth <= MAX_DEPTH => match self.stream.object(*id) {
                Some(Object::String(s)) => Constant::Text(s.to_string()),
                Some(Object::Array(items)) => {
                    Constant::List(items.iter().map(|v| self.constant(v, depth + 1)).collect())
                }
                Some(Object::Instance { .. }) => {
                    // A boxed value type or a list: its value, else its one text.
                    let list = self.list(value, depth + 1);
                    if !list.is_empty() {
                        return Constant::List(list.iter().map(|v| self.constant(v, depth + 1)).collect());
                    }
                    let instance = self.instance(value, depth);
                    if let Some(inner) = instance.as_ref().and_then(|i| i.member("value")) {
                        return self.constant(inner, depth + 1);
                    }
                    self.text(value, depth).map_or(Constant::Null, Constant::Text)
                }
                None => Constant::Null,
            },
            Value::Object(_) => Constant::Null,
        }
    }

    fn activity(&self, activity: &Instance<'s>) -> Activity {
        let text = |name: &str| activity.member(name).and_then(|v| self.text(v, 2));
        let kind = match activity.class {
            "CommandActivity" | "InvokeRunbookActivity" => {
                // The activity type: whichever member holds an object with a command name.
                let activity_type = activity
                    .members
                    .iter()
                    .filter_map(|(_, v)| self.instance(v, 2))
                    .find(|t| t.member("commandname").is_some());
                let type_text = |name: &str| {
                    activity_type
                        .as_ref()
                        .and_then(|t| t.member(name))
                        .and_then(|v| self.text(v, 3))
                        .filter(|s| !s.is_empty())
                };
                let command = type_text("commandname").unwrap_or_default();
                let parameters = activity
                    .member("parameters")
                    .map(|p| self.entries(p, 2))
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(name, v)| (name, self.value_source(v, 3)))
                    .collect();
                if activity.class == "CommandActivity" {
                    ActivityKind::Command {
                        command,
                        module: type_text("modulename"),
                        parameter_set: text("parametersetname").filter(|s| !s.is_empty()),
                        parameters,
                        custom: text("customparameters").filter(|s| !s.trim().is_empty()),
                    }
                } else {
                    ActivityKind::InvokeRunbook {
                        runbook: command,
                        parameters,
                    }
                }
            }
            "WorkflowScriptActivity" => ActivityKind::Script {
                begin: text("begin").unwrap_or_default(),
                process: text("process").unwrap_or_default(),
                end: text("end").unwrap_or_default(),
            },
            "JunctionActivity" => ActivityKind::Junction,
            other => ActivityKind::Other(other.to_owned()),
        };
        Activity {
            name: text("name").unwrap_or_default(),
            id: text("entityid").unwrap_or_default(),
            description: text("description").filter(|s| !s.is_empty()),
            kind,
        }
    }

    fn value_source(&self, value: &Value, depth: usize) -> ValueSource {
        let Some(descriptor) = self.instance(value, depth) else {
            return ValueSource::Constant(self.constant(value, depth));
        };
        let text = |name: &str| {
            descriptor
                .member(name)
                .and_then(|v| self.text(v, depth + 1))
                .unwrap_or_default()
        };
        match descriptor.class {
            "ConstantValueDescriptor" => ValueSource::Constant(
                descriptor
                    .member("value")
                    .map_or(Constant::Null, |v| self.constant(v, depth + 1)),
            ),
            "RunbookParameterValueDescriptor" => ValueSource::RunbookParameter(text("parametername")),
            "ActivityOutputValueDescriptor" => {
                let field_path = match descriptor.member("fieldpath") {
                    None | Some(Value::Null) => Vec::new(),
                    Some(path) => match self.text(path, depth + 1) {
                        Some(single) => single.split('.').map(str::to_owned).collect(),
                        None => self
                            .list(path, depth + 1)
                            .iter()
                            .filter_map(|v| self.text(v, depth + 2))
                            .collect(),
                    },
                };
                ValueSource::ActivityOutput {
                    activity: text("activityname"),
                    field_path: field_path.into_iter().filter(|s| !s.is_empty()).collect(),
                }
            }
            "PowerShellExpressionValueDescriptor" => ValueSource::Expression(text("expression")),
            "AutomationVariableValueDescriptor" => ValueSource::AutomationVariable(text("variablename")),
            "AutomationConnectionValueDescriptor" => ValueSource::AutomationConnection(text("connectionname")),
            "AutomationCredentialValueDescriptor" => ValueSource::AutomationCredential(text("credentialname")),
            "AutomationCertificateValueDescriptor" => ValueSource::AutomationCertificate(text("certificatename")),
            other => ValueSource::Unknown(other.to_owned()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_names_lose_their_decorations() {
        assert_eq!(plain("Activity+<Name>k__BackingField"), "name");
        assert_eq!(plain("LoopableActivity+loopExitCondition"), "loopexitcondition");
        assert_eq!(plain("_items"), "items");
        assert_eq!(plain("CaseInsensitiveName`1+name"), "name");
        assert_eq!(plain("<ParameterSetName>k__BackingField"), "parametersetname");
    }
}
