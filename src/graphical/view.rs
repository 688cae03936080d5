//! The PowerShell view of a graphical runbook: the text the engine checks in its place,
//! and what `mimigrate view` prints. Deterministic: the same graph always gives the same
//! text. Runbook parameters become a `param()` block; activities follow in link order,
//! each as a block that starts with a `# activity '...'` line:
//! - a command activity is one command line: constants as literals, runbook parameters
//!   as `$Name`, another activity's output as a variable named after that activity
//!   with the field path (`$GetRunAsConnection.CertificateThumbprint`), expressions as
//!   themselves (in parentheses), Automation assets as the calls that read them;
//! - a script activity is its code (Begin, Process, End);
//! - an activity whose output is used elsewhere is assigned to its variable, and
//!   `$ActivityOutput['Name']` in code and expressions reads that variable, so the
//!   engine follows the data from one activity to the next as in a script.

use std::collections::{HashMap, HashSet};
use std::fmt::Write;
use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use crate::syntax::{comment_text, single_quoted};

use super::model::{Activity, ActivityKind, Constant, GraphRunbook, ValueSource};

/// The text and where each activity is in it.
#[derive(Debug, Clone, PartialEq)]
pub struct View {
    pub text: String,
    /// The `param()` block, when the runbook has parameters.
    pub parameters: Option<Range<usize>>,
    /// In text order.
    pub blocks: Vec<Block>,
}

/// One activity's part of the view: its `# activity` line, a blank line, its code.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub activity: String,
    pub kind: BlockKind,
    /// From the `# activity` line to the end of its code.
    pub range: Range<usize>,
    /// The code, after the header line (empty for a junction).
    pub code: Range<usize>,
    /// The activity's own code within `code`: a command activity's command line, a
    /// script activity's code, without the `if` its links' conditions put around it.
    pub line: Range<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    Command,
    Script,
    InvokeRunbook,
    Junction,
    Other,
}

impl Block {
    /// Whether byte `offset` of the view is in this block (its end included: a
    /// finding may be an empty range after the last character).
    pub fn contains(&self, offset: usize) -> bool {
        self.range.start <= offset && offset <= self.range.end
    }
}

const HEADER: &str = "# The PowerShell view of a graphical runbook, made by mimigrate: findings point here,\n\
# but the runbook is changed in the graphical editor.\n";

pub fn render(graph: &GraphRunbook) -> View {
    let variables = Variables::new(graph);
    let mut text = String::from(HEADER);
    let mut parameters = None;
    if !graph.parameters.is_empty() {
        let start = text.len();
        text.push_str("param(\n");
        for (i, parameter) in graph.parameters.iter().enumerate() {
            if !parameter.optional {
                text.push_str("    [Parameter(Mandatory = $true)]\n");
            }
            text.push_str("    ");
            if let Some(type_name) = parameter.type_name.as_deref().and_then(powershell_type) {
                let _ = write!(text, "[{type_name}]");
            }
            text.push_str(&variable(&parameter.name));
            if let Some(default) = &parameter.default {
                let _ = write!(text, " = {}", constant(default));
            }
            text.push_str(if i + 1 < graph.parameters.len() { ",\n" } else { "\n" });
        }
        text.push_str(")\n");
        parameters = Some(start..text.len());
    }
    let mut blocks = Vec::new();
    for activity in link_order(graph) {
        text.push('\n');
        let start = text.len();
        // A blank line keeps the header apart from the code: fixes treat comments right
        // above a statement as the statement's own (deleted with it, inserted above).
        let _ = writeln!(
            text,
            "# activity '{}'{}\n",
            comment_text(&activity.name),
            describe(activity, graph)
        );
        let code_start = text.len();
        let (kind, body) = match &activity.kind {
            ActivityKind::Command {
                command,
                module,
                parameters,
                custom,
                ..
            } => {
                let mut line = variables.assignment(activity);
                line.push_str(&command_name(&qualified(command, module.as_deref())));
                arguments(&mut line, parameters, &variables);
                if let Some(custom) = custom {
                    let _ = write!(line, " {}", variables.substitute(&comment_text(custom)));
                }
                (BlockKind::Command, line)
            }
            ActivityKind::InvokeRunbook { runbook, parameters } => {
                let mut line = variables.assignment(activity);
                line.push_str(&command_name(&format!(".\\{runbook}.ps1")));
                arguments(&mut line, parameters, &variables);
                (BlockKind::InvokeRunbook, line)
            }
            ActivityKind::Script { begin, process, end } => {
                let parts: Vec<String> = [begin, process, end]
                    .into_iter()
                    .map(|code| code.replace("\r\n", "\n").replace('\r', "\n"))
                    .filter(|code| !code.trim().is_empty())
                    .map(|code| variables.substitute(code.trim_end()))
                    .collect();
                (BlockKind::Script, parts.join("\n"))
            }
            ActivityKind::Junction => (BlockKind::Junction, String::new()),
            ActivityKind::Other(_) => (BlockKind::Other, String::new()),
        };
        // An activity that only conditional links lead to runs when one of them holds:
        // the view says so in code, so the engine sees the branch (a not-found test on
        // the connection is Run As code, deleted with it). A command line is indented
        // in it; code is not, as a here-string's end must start its line.
        let condition = (!body.is_empty())
            .then(|| runs_when(activity, graph, &variables))
            .flatten();
        let indent = if kind == BlockKind::Script { "" } else { "    " };
        if let Some(condition) = &condition {
            let _ = write!(text, "if ({condition}) {{\n{indent}");
        }
        let line_start = text.len();
        text.push_str(&body);
        let line = line_start..text.len();
        if condition.is_some() {
            text.push_str("\n}");
        }
        let code_end = text.len();
        if !text.ends_with('\n') {
            text.push('\n');
        }
        blocks.push(Block {
            activity: activity.name.clone(),
            kind,
            line,
            range: start..code_end,
            code: code_start..code_end,
        });
    }
    View {
        text,
        parameters,
        blocks,
    }
}

/// The condition an activity runs under, when every link into it has one (any link
/// without one runs it unconditionally): the conditions joined with `-or`, each
/// reading activity outputs through their variables.
fn runs_when(activity: &Activity, graph: &GraphRunbook, variables: &Variables) -> Option<String> {
    let known = |id: &str| graph.activities.iter().any(|a| a.id == id);
    let incoming: Vec<_> = graph
        .links
        .iter()
        .filter(|l| l.to == activity.id && l.from != l.to && known(&l.from))
        .collect();
    if incoming.is_empty() || incoming.iter().any(|l| l.condition.is_none()) {
        return None;
    }
    let conditions: Vec<String> = incoming
        .iter()
        .filter_map(|l| l.condition.as_deref())
        .map(|c| variables.substitute(without_outer_parentheses(c.trim())))
        .collect();
    Some(match conditions.as_slice() {
        [only] => only.clone(),
        many => many.iter().map(|c| format!("({c})")).collect::<Vec<_>>().join(" -or "),
    })
}

/// `(x)` as `x` when the parentheses hold the whole expression (the editor's conditions
/// are often written so), for `if (x)` rather than `if ((x))`.
fn without_outer_parentheses(expression: &str) -> &str {
    let Some(inner) = expression.strip_prefix('(').and_then(|e| e.strip_suffix(')')) else {
        return expression;
    };
    // The opening parenthesis must close at the very end, not earlier: `(a) -or (b)`.
    let mut depth = 0usize;
    for c in inner.chars() {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => return expression,
            ')' => depth -= 1,
            _ => {}
        }
    }
    if depth == 0 {
        inner
    } else {
        expression
    }
}

/// What the header line says after the name: the kind, the module, the links in.
fn describe(activity: &Activity, graph: &GraphRunbook) -> String {
    let mut out = match &activity.kind {
        ActivityKind::Command {
            module, parameter_set, ..
        } => {
            let mut out = String::from(" (command");
            if let Some(module) = module {
                let _ = write!(out, " from {}", comment_text(module));
            }
            if let Some(set) = parameter_set {
                let _ = write!(out, ", parameter set {}", comment_text(set));
            }
            out.push(')');
            out
        }
        ActivityKind::Script { .. } => " (code)".to_owned(),
        ActivityKind::InvokeRunbook { .. } => " (runbook)".to_owned(),
        ActivityKind::Junction => " (junction)".to_owned(),
        ActivityKind::Other(class) => format!(" ({}, not read)", comment_text(class)),
    };
    let names: HashMap<&str, &str> = graph
        .activities
        .iter()
        .map(|a| (a.id.as_str(), a.name.as_str()))
        .collect();
    let incoming: Vec<String> = graph
        .links
        .iter()
        .filter(|l| l.to == activity.id)
        .filter_map(|l| {
            let from = names.get(l.from.as_str())?;
            Some(match &l.condition {
                Some(condition) => format!("'{}' when {}", comment_text(from), comment_text(condition)),
                None => format!("'{}'", comment_text(from)),
            })
        })
        .collect();
    if !incoming.is_empty() {
        let _ = write!(out, ", after {}", incoming.join(", "));
    }
    out
}

/// Activities in link order: each after the ones linked to it, ties (and cycles) in
/// the order the graph stores them.
fn link_order(graph: &GraphRunbook) -> Vec<&Activity> {
    let index: HashMap<&str, usize> = graph
        .activities
        .iter()
        .enumerate()
        .map(|(i, a)| (a.id.as_str(), i))
        .collect();
    let mut waiting = vec![0usize; graph.activities.len()];
    let mut next: Vec<Vec<usize>> = vec![Vec::new(); graph.activities.len()];
    for link in &graph.links {
        if let (Some(&from), Some(&to)) = (index.get(link.from.as_str()), index.get(link.to.as_str())) {
            if from != to {
                waiting[to] += 1;
                next[from].push(to);
            }
        }
    }
    let mut done = vec![false; graph.activities.len()];
    let mut order = Vec::with_capacity(graph.activities.len());
    while order.len() < graph.activities.len() {
        // The first ready activity, or on a cycle the first not done.
        let pick = (0..waiting.len())
            .find(|&i| !done[i] && waiting[i] == 0)
            .or_else(|| (0..waiting.len()).find(|&i| !done[i]));
        let Some(pick) = pick else { break };
        done[pick] = true;
        order.push(&graph.activities[pick]);
        for &to in &next[pick] {
            waiting[to] = waiting[to].saturating_sub(1);
        }
    }
    order
}

/// The variable each activity's output is read through, for the activities whose
/// output something reads.
struct Variables {
    /// Activity name (lower case) to variable name; the first of equal names wins.
    by_name: HashMap<String, String>,
    /// The activities (lower case names) whose output something reads.
    read: HashSet<String>,
    reference: &'static Regex,
}

impl Variables {
    fn new(graph: &GraphRunbook) -> Self {
        static REFERENCE: LazyLock<Regex> =
            LazyLock::new(|| Regex::new(r#"(?i)\$ActivityOutput\[\s*(?:'([^']*)'|"([^"]*)")\s*\]"#).expect("valid"));
        let reference = &*REFERENCE;
        let mut taken: Vec<String> = graph.parameters.iter().map(|p| p.name.to_lowercase()).collect();
        let mut by_name = HashMap::new();
        for activity in &graph.activities {
            let base = identifier(&activity.name);
            let mut name = base.clone();
            let mut n = 2;
            while taken.contains(&name.to_lowercase()) {
                name = format!("{base}{n}");
                n += 1;
            }
            taken.push(name.to_lowercase());
            by_name.entry(activity.name.to_lowercase()).or_insert(name);
        }
        let mut variables = Variables {
            by_name,
            read: HashSet::new(),
            reference,
        };
        let mut read: Vec<String> = Vec::new();
        for activity in &graph.activities {
            let (parameters, code): (&[(String, ValueSource)], Vec<&String>) = match &activity.kind {
                ActivityKind::Command { parameters, custom, .. } => (parameters, custom.iter().collect()),
                ActivityKind::InvokeRunbook { parameters, .. } => (parameters, Vec::new()),
                ActivityKind::Script { begin, process, end } => (&[], vec![begin, process, end]),
                ActivityKind::Junction | ActivityKind::Other(_) => (&[], Vec::new()),
            };
            for (_, source) in parameters {
                match source {
                    ValueSource::ActivityOutput { activity, .. } => read.push(activity.to_lowercase()),
                    ValueSource::Expression(e) => read.extend(variables.referenced(e)),
                    _ => {}
                }
            }
            for code in code {
                read.extend(variables.referenced(code));
            }
        }
        for link in &graph.links {
            read.extend(link.condition.iter().flat_map(|c| variables.referenced(c)));
        }
        variables.read = read.into_iter().collect();
        variables
    }

    fn referenced(&self, code: &str) -> Vec<String> {
        self.reference
            .captures_iter(code)
            .filter_map(|c| c.get(1).or_else(|| c.get(2)))
            .map(|m| m.as_str().to_lowercase())
            .collect()
    }

    /// `$Name = ` when the activity's output is read elsewhere.
    fn assignment(&self, activity: &Activity) -> String {
        let key = activity.name.to_lowercase();
        match self.by_name.get(&key) {
            Some(name) if self.read.contains(&key) => format!("${name} = "),
            _ => String::new(),
        }
    }

    /// Code with `$ActivityOutput['Name']` reading the named activity's variable.
    fn substitute(&self, code: &str) -> String {
        self.reference
            .replace_all(code, |c: &regex::Captures| {
                let name = c.get(1).or_else(|| c.get(2)).map_or("", |m| m.as_str());
                match self.by_name.get(&name.to_lowercase()) {
                    Some(variable) => format!("${variable}"),
                    None => c[0].to_owned(),
                }
            })
            .into_owned()
    }

    fn output(&self, activity: &str, field_path: &[String]) -> String {
        let mut out = match self.by_name.get(&activity.to_lowercase()) {
            Some(name) => format!("${name}"),
            None => format!("$ActivityOutput[{}]", single_quoted(activity)),
        };
        for field in field_path {
            if is_identifier(field) {
                let _ = write!(out, ".{field}");
            } else {
                let _ = write!(out, ".{}", single_quoted(field));
            }
        }
        out
    }
}

fn arguments(text: &mut String, parameters: &[(String, ValueSource)], variables: &Variables) {
    for (name, source) in parameters {
        let name: String = name.chars().filter(|c| c.is_alphanumeric() || *c == '_').collect();
        if name.is_empty() {
            continue;
        }
        match source {
            // A boolean is written bound (`-ServicePrincipal:$true`): right for
            // switches and for boolean parameters alike.
            ValueSource::Constant(Constant::Bool(b)) => {
                let _ = write!(text, " -{name}:${b}");
            }
            source => {
                let _ = write!(text, " -{name} {}", value(source, variables));
            }
        }
    }
}

fn value(source: &ValueSource, variables: &Variables) -> String {
    let asset = |command: &str, name: &str| format!("({command} -Name {})", single_quoted(name));
    match source {
        ValueSource::Constant(c) => constant(c),
        ValueSource::RunbookParameter(name) => variable(name),
        ValueSource::ActivityOutput { activity, field_path } => variables.output(activity, field_path),
        ValueSource::Expression(e) if e.trim().is_empty() => "$null".to_owned(),
        ValueSource::Expression(e) => format!("({})", variables.substitute(e.trim())),
        ValueSource::AutomationVariable(name) => asset("Get-AutomationVariable", name),
        ValueSource::AutomationConnection(name) => asset("Get-AutomationConnection", name),
        ValueSource::AutomationCredential(name) => asset("Get-AutomationPSCredential", name),
        ValueSource::AutomationCertificate(name) => asset("Get-AutomationCertificate", name),
        ValueSource::Unknown(_) => "$null".to_owned(),
    }
}

fn constant(c: &Constant) -> String {
    match c {
        Constant::Null => "$null".to_owned(),
        Constant::Bool(b) => format!("${b}"),
        Constant::Int(n) => n.to_string(),
        Constant::Float(f) if f.is_finite() => format!("{f:?}"),
        Constant::Float(f) => single_quoted(&f.to_string()),
        Constant::Text(s) => single_quoted(s),
        Constant::List(items) => {
            let items: Vec<String> = items.iter().map(constant).collect();
            format!("@({})", items.join(", "))
        }
    }
}

fn is_identifier(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_alphanumeric() || c == '_')
}

/// `$Name`, or `${Name}` when the name is not a plain identifier.
fn variable(name: &str) -> String {
    if is_identifier(name) {
        format!("${name}")
    } else {
        let escaped: String = name
            .chars()
            .flat_map(|c| if matches!(c, '}' | '`') { vec!['`', c] } else { vec![c] })
            .collect();
        format!("${{{escaped}}}")
    }
}

/// An activity's variable name: its words, each capitalised, run together
/// ("Get Run As Connection" is `GetRunAsConnection`).
fn identifier(name: &str) -> String {
    let mut out = String::new();
    for word in name.split(|c: char| !(c.is_alphanumeric() || c == '_')) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.push_str(chars.as_str());
        }
    }
    if !out.starts_with(|c: char| c.is_alphabetic() || c == '_') {
        out.insert_str(0, "Activity");
    }
    out
}

/// A command the module table does not know is written with the module its activity
/// names (`Contoso.Tools\Invoke-Thing`), so `modules` lists that module; known
/// commands stay plain, as scripts write them.
fn qualified(command: &str, module: Option<&str>) -> String {
    match module {
        Some(module) if crate::tables::module_of(command).is_none() && !command.contains('\\') => {
            format!("{module}\\{command}")
        }
        _ => command.to_owned(),
    }
}

/// A command as the command line starts: a plain name, or `& '...'` for anything else.
fn command_name(command: &str) -> String {
    let plain = !command.is_empty()
        && command
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '\\' | ':'));
    if plain {
        command.to_owned()
    } else {
        format!("& {}", single_quoted(command))
    }
}

/// A .NET type name as a PowerShell type literal (`System.String` is `string`), when it
/// is a type name at all.
fn powershell_type(name: &str) -> Option<String> {
    let short = match name {
        "System.String" => "string",
        "System.Int32" => "int",
        "System.Int64" => "long",
        "System.Boolean" => "bool",
        "System.DateTime" => "datetime",
        "System.Double" => "double",
        "System.Object" => "object",
        "System.Management.Automation.SwitchParameter" => "switch",
        "System.Management.Automation.PSCredential" => "pscredential",
        other => {
            let valid = !other.is_empty()
                && other
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '`' | '[' | ']' | ',' | '+'));
            return valid.then(|| other.to_owned());
        }
    };
    Some(short.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outer_parentheses_go_only_when_they_hold_everything() {
        assert_eq!(without_outer_parentheses("(!$x)"), "!$x");
        assert_eq!(without_outer_parentheses("($a) -or ($b)"), "($a) -or ($b)");
        assert_eq!(without_outer_parentheses("((a) + 1)"), "(a) + 1");
        assert_eq!(without_outer_parentheses("$x -gt 0"), "$x -gt 0");
    }

    #[test]
    fn names_become_identifiers() {
        assert_eq!(identifier("Get Run As Connection"), "GetRunAsConnection");
        assert_eq!(identifier("connect-to azure"), "ConnectToAzure");
        assert_eq!(identifier("1st step"), "Activity1stStep");
        assert_eq!(identifier("---"), "Activity");
        assert_eq!(variable("Connection Name"), "${Connection Name}");
        assert_eq!(single_quoted("it's ‘x’"), "'it''s ‘‘x’’'");
    }
}
