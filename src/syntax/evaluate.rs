//! The one evaluator of string values every rule reads: what an expression stands for,
//! as literal text with symbolic parts where the script cannot know it (`$env:X`, a
//! command's output, a parameter nobody passed). It reads the tree lazily, only for the
//! values a rule asks about, so the model keeps its single walk per file.
//!
//! It follows `'x'`, `"x $y $($z)"`, here-strings, `$x`/`${x}`, `$env:X`, `+`, `-f`,
//! `[string]::Format`/`Concat`, `[Environment]::GetEnvironmentVariable`, parentheses,
//! casts to `[string]`, and variables through the assignment a read sees (`+=` too),
//! including `param()` defaults and the arguments of a call to the script's own function.

use std::ops::Range;

use tree_sitter::Node;

use super::kind;
use super::model::{normalize_variable, Argument, Assignment, Command, Script, Value, ValueKind};

/// How many assignments deep a value is followed before it counts as unknown.
const MAX_DEPTH: usize = 12;
/// How many expressions deep one evaluation goes (wrapper nodes not counted).
const MAX_NESTING: usize = 150;

/// One piece of an evaluated string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part {
    Literal(String),
    /// `$env:NAME` (lower-case name without `env:`): known only when the script runs.
    Env(String),
    /// Not known before the script runs; the range is the expression that could not be
    /// followed (a command, a member read, a parameter with no default).
    Unknown(Range<usize>),
}

/// What an expression evaluates to: literal text and symbolic parts, in order.
/// Adjacent literals are merged; no parts at all is the empty string.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StringValue {
    pub parts: Vec<Part>,
}

impl StringValue {
    pub fn literal_text(text: impl Into<String>) -> Self {
        let mut value = StringValue::default();
        value.push(Part::Literal(text.into()));
        value
    }

    fn unknown(range: Range<usize>) -> Self {
        StringValue {
            parts: vec![Part::Unknown(range)],
        }
    }

    fn push(&mut self, part: Part) {
        match (self.parts.last_mut(), part) {
            (_, Part::Literal(text)) if text.is_empty() => {}
            (Some(Part::Literal(last)), Part::Literal(text)) => last.push_str(&text),
            (_, part) => self.parts.push(part),
        }
    }

    fn append(&mut self, other: StringValue) {
        for part in other.parts {
            self.push(part);
        }
    }

    /// The whole value when every part is literal: the "constant" view.
    pub fn literal(&self) -> Option<String> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Literal(text) => out.push_str(text),
                _ => return None,
            }
        }
        Some(out)
    }

    /// Whether `$env:<name>` is part of the value (name case-insensitive, without `env:`).
    pub fn has_env(&self, name: &str) -> bool {
        self.parts
            .iter()
            .any(|p| matches!(p, Part::Env(e) if e.eq_ignore_ascii_case(name)))
    }

    /// Whether a literal part contains `needle` (case-insensitive).
    pub fn contains(&self, needle: &str) -> bool {
        let needle = needle.to_lowercase();
        self.parts
            .iter()
            .any(|p| matches!(p, Part::Literal(text) if text.to_lowercase().contains(&needle)))
    }

    /// The value of `key=` in a query string or form body (`?resource=...&client_id=...`),
    /// percent-decoded; the key is case-insensitive and must start the value or follow
    /// `?` or `&`. Symbolic parts of the value are kept.
    pub fn query(&self, key: &str) -> Option<StringValue> {
        // Symbolic parts become one private-use character each, so the search runs over
        // one string and the match maps back to parts.
        let mut rendered: Vec<(char, Option<usize>)> = Vec::new();
        for (index, part) in self.parts.iter().enumerate() {
            match part {
                Part::Literal(text) => rendered.extend(text.chars().map(|c| (c, None))),
                _ => rendered.push(('\u{E000}', Some(index))),
            }
        }
        let key: Vec<char> = key.chars().chain(['=']).collect();
        let matches_at = |at: usize| {
            rendered.len() >= at + key.len()
                && rendered[at..at + key.len()]
                    .iter()
                    .zip(&key)
                    .all(|((c, part), k)| part.is_none() && c.eq_ignore_ascii_case(k))
                && (at == 0 || matches!(rendered[at - 1], ('?' | '&', None)))
        };
        let start = (0..rendered.len()).find(|&at| matches_at(at))? + key.len();
        let mut value = StringValue::default();
        let mut text = String::new();
        for (c, part) in &rendered[start..] {
            match part {
                None if matches!(c, '&' | '#') => break,
                None => text.push(*c),
                Some(index) => {
                    value.push(Part::Literal(percent_decode(&std::mem::take(&mut text))));
                    value.push(self.parts[*index].clone());
                }
            }
        }
        value.push(Part::Literal(percent_decode(&text)));
        Some(value)
    }
}

/// `%3A%2F%2F` -> `://`; anything that is not a valid escape stays as written.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(high), Some(low)) => {
                out.push((high * 16 + low) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_owned())
}

/// A call to one of the script's own functions, with the argument each parameter gets
/// (`Invoke-MyRest -Uri $u @rest`): reads of those parameters inside the function
/// evaluate to the arguments.
#[derive(Clone)]
pub struct Call<'s> {
    pub function: Range<usize>,
    pub bound: Vec<(String, &'s Value)>,
}

impl<'s> Call<'s> {
    /// The argument bound to a parameter (lower-case name without `$`).
    pub fn argument(&self, parameter: &str) -> Option<&'s Value> {
        self.bound.iter().find(|(p, _)| p == parameter).map(|(_, v)| *v)
    }
}

impl<'t> Script<'t> {
    /// What a command argument, hashtable entry or assignment value evaluates to.
    pub fn evaluate(&self, value: &Value) -> StringValue {
        self.evaluate_range(&value.range, None)
    }

    /// What the expression at `range` evaluates to; with `call`, reads of the called
    /// function's parameters take the call's arguments.
    pub fn evaluate_range(&self, range: &Range<usize>, call: Option<&Call>) -> StringValue {
        Evaluation {
            script: self,
            call,
            active: Vec::new(),
            nesting: 0,
        }
        .range(range)
    }

    /// What `variable` (lower-case, without `$`) holds at `offset`.
    pub fn variable_value(&self, variable: &str, offset: usize) -> StringValue {
        Evaluation {
            script: self,
            call: None,
            active: Vec::new(),
            nesting: 0,
        }
        .variable(variable, offset, offset..offset)
    }

    /// The string a value stands for when every part of it is known.
    pub fn string_value(&self, value: &Value) -> Option<String> {
        self.evaluate(value).literal()
    }

    /// The string constant a variable holds at `offset`.
    pub fn constant(&self, variable: &str, offset: usize) -> Option<String> {
        self.variable_value(variable, offset).literal()
    }

    /// The assignment a read of `variable` at `offset` sees: `assignment_before`, or else
    /// the only assignment anywhere (a function reading a script constant set later).
    pub fn assignment_seen(&self, variable: &str, offset: usize) -> Option<&Assignment> {
        self.assignment_before(variable, offset).or_else(|| {
            let mut all = self.assignments.iter().filter(|a| a.variable == variable);
            let only = all.next();
            all.next().is_none().then_some(only).flatten()
        })
    }

    /// The definition of the script's own function (or filter, workflow) `name`.
    pub fn function_named(&self, name: &str) -> Option<Range<usize>> {
        self.functions.iter().rev().find_map(|range| {
            let node = self.node_at(range)?;
            let mut cursor = node.walk();
            let named = node
                .named_children(&mut cursor)
                .find(|c| kind(c) == "function_name")
                .is_some_and(|n| self.slice(&n.byte_range()).eq_ignore_ascii_case(name));
            named.then(|| range.clone())
        })
    }

    /// The parameters of a function definition, in order: `param()` entries or
    /// `function F($a, $b)`, not those of functions nested in it.
    pub fn parameters_of(&self, function: &Range<usize>) -> impl Iterator<Item = &Assignment> + '_ {
        let function = function.clone();
        self.assignments
            .iter()
            .filter(move |a| a.is_parameter && self.function_at(a.target.start) == Some(&function))
    }

    /// `command` as a call to one of the script's own functions, with its arguments
    /// bound to that function's parameters like PowerShell binds them: by name (or an
    /// unambiguous prefix, splatted entries too), then the rest by position.
    pub fn bind_call<'s>(&'s self, command: &'s Command) -> Option<Call<'s>> {
        let name = command.name.to_lowercase();
        if !self.defined_commands.contains(&name) {
            return None;
        }
        let function = self.function_named(&name)?;
        let parameters: Vec<&str> = self.parameters_of(&function).map(|a| a.variable.as_str()).collect();
        let mut bound: Vec<(String, &Value)> = Vec::new();
        let mut positional = Vec::new();
        for argument in &command.arguments {
            match argument {
                Argument::Named {
                    name,
                    value: Some(value),
                    ..
                } => {
                    let name = name.to_lowercase();
                    let prefixed: Vec<_> = parameters.iter().filter(|p| p.starts_with(&name)).collect();
                    let chosen = parameters.iter().find(|p| **p == name).or(match prefixed.as_slice() {
                        [only] => Some(*only),
                        _ => None,
                    });
                    if let Some(parameter) = chosen {
                        bound.push(((*parameter).to_owned(), value));
                    }
                }
                Argument::Named { value: None, .. } => {}
                Argument::Positional(value) => positional.push(value),
            }
        }
        let unbound: Vec<&str> = parameters
            .iter()
            .copied()
            .filter(|p| bound.iter().all(|(b, _)| b != p))
            .collect();
        for (parameter, value) in unbound.into_iter().zip(positional) {
            bound.push((parameter.to_owned(), value));
        }
        Some(Call { function, bound })
    }

    /// The calls to the script's own function `function` (as `bind_call` binds them),
    /// with their indices in `commands`: what its parameters may hold.
    pub fn calls_of<'s>(&'s self, function: &Range<usize>) -> Vec<(usize, Call<'s>)> {
        self.commands
            .iter()
            .enumerate()
            .filter_map(|(index, command)| {
                let call = self.bind_call(command)?;
                (call.function == *function).then_some((index, call))
            })
            .collect()
    }

    /// The hashtable literals (`@{...}`, `[ordered]@{...}`) a value may stand for: itself,
    /// or through variables every assignment a read may see (one in a branch does not
    /// hide the one before it), and with `call`, the argument a parameter takes there.
    pub fn hashtables_of<'s>(&'s self, value: &'s Value, call: Option<&Call<'s>>) -> Vec<&'s [(String, Value)]> {
        let mut found = Vec::new();
        self.collect_hashtables(value, call, 0, &mut found);
        found
    }

    fn collect_hashtables<'s>(
        &'s self,
        value: &'s Value,
        call: Option<&Call<'s>>,
        depth: usize,
        found: &mut Vec<&'s [(String, Value)]>,
    ) {
        let name = match &value.kind {
            ValueKind::Hashtable(entries) => return found.push(entries),
            ValueKind::Variable(name) if depth < MAX_DEPTH => name,
            _ => return,
        };
        for assignment in self.assignments_reaching(name, value.range.start) {
            if assignment.is_parameter {
                let function = self.function_at(assignment.target.start);
                match call
                    .filter(|c| Some(&c.function) == function)
                    .and_then(|c| c.argument(name))
                {
                    // The argument is written at the call: read it there, unbound.
                    Some(argument) => self.collect_hashtables(argument, None, depth + 1, found),
                    None => self.collect_hashtables(&assignment.value, call, depth + 1, found),
                }
            } else {
                self.collect_hashtables(&assignment.value, call, depth + 1, found);
            }
        }
    }

    /// The assignments of `variable` a read at `offset` may see: the one it sees
    /// (`assignment_seen`), and before it those in blocks that may not have run (an
    /// `if` branch, a loop body), back to one that always runs before the read.
    pub fn assignments_reaching(&self, variable: &str, offset: usize) -> Vec<&Assignment> {
        let Some(seen) = self.assignment_seen(variable, offset) else {
            return Vec::new();
        };
        let Some(read) = self.statement_at(offset) else {
            return vec![seen];
        };
        let scope = self.function_at(seen.target.start);
        let mut reaching = Vec::new();
        let earlier = self.assignments_of(variable).split_at(seen.target.start + 1).0;
        for assignment in earlier.iter().rev() {
            if self.function_at(assignment.target.start) != scope {
                continue;
            }
            reaching.push(assignment);
            if assignment.is_parameter || assignment.place.encloses_blocks_of(read) {
                break;
            }
        }
        if reaching.is_empty() {
            reaching.push(seen);
        }
        reaching
    }

    /// Whether the output of `command` is thrown away: `| Out-Null`, `$null = ...`,
    /// `[void](...)`, `> $null`, also around parentheses (`$null = (...)`).
    pub fn discards_output(&self, command: &Command) -> bool {
        let later_in_pipeline = |pipeline: &Range<usize>, after: usize| {
            self.commands_in(&(after..pipeline.end))
                .iter()
                .filter(|c| &c.pipeline == pipeline)
                .any(|c| c.is("Out-Null") || self.redirects_output_to_null(c))
        };
        if command.assigned_to.as_deref() == Some("null") || later_in_pipeline(&command.pipeline, command.range.start) {
            return true;
        }
        let Some(mut node) = self.node_at(&command.pipeline) else {
            return false;
        };
        // Climb out of `( ... )` and the single-child wrappers around it.
        while let Some(parent) = node.parent() {
            match kind(parent) {
                "assignment_expression" => {
                    let target = parent.named_child(0).map(|t| self.slice(&t.byte_range()).trim());
                    return target.is_some_and(|t| t.eq_ignore_ascii_case("$null"));
                }
                "cast_expression" | "expression_with_unary_operator" => {
                    let cast = parent.named_child(0).filter(|c| kind(c) == "type_literal");
                    return cast.is_some_and(|c| self.slice(&c.byte_range()).eq_ignore_ascii_case("[void]"));
                }
                "pipeline_chain" if parent.named_child_count() > 1 => {
                    let pipeline = parent.byte_range();
                    return later_in_pipeline(&pipeline, node.end_byte());
                }
                "parenthesized_expression" | "pipeline" | "pipeline_chain" => {}
                kind if kind.ends_with("_expression") && parent.named_child_count() == 1 => {}
                _ => return false,
            }
            node = parent;
        }
        false
    }

    /// `command > $null` (also `1>`, `*>`, `>>`): its output goes nowhere.
    fn redirects_output_to_null(&self, command: &Command) -> bool {
        let mut node = self.node_at(&command.range);
        while let Some(n) = node.filter(|n| kind(n) != "command") {
            node = n.parent();
        }
        let Some(elements) = node.and_then(|n| n.child_by_field_name("command_elements")) else {
            return false;
        };
        let mut cursor = elements.walk();
        let redirections: Vec<Node> = elements
            .named_children(&mut cursor)
            .filter(|c| kind(c) == "redirection")
            .collect();
        redirections.into_iter().any(|redirection| {
            let text = self.slice(&redirection.byte_range());
            let (operator, target) = text.split_at(text.find('$').unwrap_or(text.len()));
            matches!(operator.trim(), ">" | ">>" | "1>" | "1>>" | "*>" | "*>>")
                && target.trim().eq_ignore_ascii_case("$null")
        })
    }

    /// The innermost node spanning `range` (wrapper nodes share their child's range).
    pub fn node_at(&self, range: &Range<usize>) -> Option<Node<'_>> {
        self.tree.root_node().descendant_for_byte_range(range.start, range.end)
    }
}

/// One evaluation: the call whose arguments parameters take, and the assignments being
/// followed (a variable built from itself, `$u = $u + 'x'`, reads the one before).
struct Evaluation<'a, 's, 't> {
    script: &'a Script<'t>,
    call: Option<&'a Call<'s>>,
    active: Vec<usize>,
    /// Nested expressions being evaluated: a generated script's thousand-term `+` chain
    /// must not exhaust the stack.
    nesting: usize,
}

impl Evaluation<'_, '_, '_> {
    fn range(&mut self, range: &Range<usize>) -> StringValue {
        match self.script.node_at(range) {
            Some(node) if node.byte_range() == *range => self.node(node),
            _ => StringValue::unknown(range.clone()),
        }
    }

    fn text(&self, node: Node) -> &str {
        self.script.slice(&node.byte_range())
    }

    fn node(&mut self, node: Node) -> StringValue {
        let node = unwrapped(node);
        if self.nesting >= MAX_NESTING {
            return StringValue::unknown(node.byte_range());
        }
        self.nesting += 1;
        let value = self.expression(node);
        self.nesting -= 1;
        value
    }

    fn expression(&mut self, node: Node) -> StringValue {
        let unknown = || StringValue::unknown(node.byte_range());
        let children = named_children(node);
        match kind(node) {
            "verbatim_string_characters" => {
                StringValue::literal_text(strip_delimiters(self.text(node)).replace("''", "'"))
            }
            "verbatim_here_string_characters" => StringValue::literal_text(here_string_body(self.text(node))),
            "expandable_string_literal" | "expandable_here_string_literal" => self.expandable(node),
            "variable" | "braced_variable" => {
                let name = normalize_variable(self.text(node));
                self.variable(&name, node.start_byte(), node.byte_range())
            }
            "generic_token" | "decimal_integer_literal" | "simple_name" => StringValue::literal_text(self.text(node)),
            "sub_expression" | "parenthesized_expression" | "pipeline" | "pipeline_chain" | "statement_list" => {
                // Only a single expression has a value here; a command's output does not.
                match children.as_slice() {
                    [only] if kind(only) != "command" => self.node(*only),
                    _ => unknown(),
                }
            }
            "additive_expression" | "additive_argument_expression" if children.len() == 2 => {
                let operator = node.child(1).map(|o| self.text(o).trim().to_owned());
                let left_is_number = kind(unwrapped(children[0])).ends_with("integer_literal");
                if operator.as_deref() != Some("+") || left_is_number {
                    return unknown();
                }
                let mut value = self.node(children[0]);
                value.append(self.node(children[1]));
                value
            }
            "format_expression" | "format_argument_expression" if children.len() == 3 => {
                let format = self.node(children[0]);
                let arguments = self.list(children[2]);
                format_with(&format, &arguments).unwrap_or_else(unknown)
            }
            "invokation_expression" => self.static_call(node, &children).unwrap_or_else(unknown),
            "cast_expression" => match (children.first(), children.get(1)) {
                (Some(cast), Some(operand)) if kind(cast) == "type_literal" && children.len() == 2 => {
                    let type_name = type_name(self.text(*cast));
                    if type_name == "string" {
                        self.node(*operand)
                    } else {
                        unknown()
                    }
                }
                _ => unknown(),
            },
            "string_literal" | "argument_expression" => match children.as_slice() {
                [only] => self.node(*only),
                _ => unknown(),
            },
            _ => unknown(),
        }
    }

    /// `"text $x $($y) ${z}"` and `@" ... "@`: literal text between the expansions.
    fn expandable(&mut self, node: Node) -> StringValue {
        let text = self.text(node);
        let here = text.starts_with('@');
        let body = if here {
            here_string_body(text)
        } else {
            strip_delimiters(text)
        };
        let body_start = node.start_byte() + (body.as_ptr() as usize - text.as_ptr() as usize);
        let body_end = body_start + body.len();
        let mut value = StringValue::default();
        let mut at = body_start;
        let segment = |from: usize, to: usize| unescape(&self.script.text[from..to.max(from)], !here);
        for child in named_children(node) {
            let range = child.byte_range();
            if range.start < at || range.end > body_end {
                continue;
            }
            value.push(Part::Literal(segment(at, range.start)));
            value.append(self.node(child));
            at = range.end;
        }
        value.push(Part::Literal(segment(at, body_end)));
        value
    }

    /// `$name` read at `offset`: the environment, an automatic constant, the argument a
    /// call passes, or the assignment the read sees.
    fn variable(&mut self, name: &str, offset: usize, read: Range<usize>) -> StringValue {
        if let Some(env) = name.strip_prefix("env:") {
            return StringValue {
                parts: vec![Part::Env(env.to_owned())],
            };
        }
        match name {
            "null" => return StringValue::default(),
            "true" => return StringValue::literal_text("True"),
            "false" => return StringValue::literal_text("False"),
            _ => {}
        }
        let script = self.script;
        let Some(assignment) = script.assignment_seen(name, offset) else {
            return StringValue::unknown(read);
        };
        if assignment.is_parameter {
            let function = script.function_at(assignment.target.start);
            if let Some(call) = self.call.filter(|c| Some(&c.function) == function) {
                if let Some(argument) = call.argument(name) {
                    // The argument is written at the call: evaluate it there, unbound.
                    let outer = self.call.take();
                    let value = self.bounded(assignment, |e| e.range(&argument.range));
                    self.call = outer;
                    return value;
                }
            }
            if assignment.value.range == assignment.target {
                return StringValue::unknown(read);
            }
        }
        let operator = script.text[assignment.target.end..assignment.value.range.start.max(assignment.target.end)]
            .trim()
            .to_owned();
        self.bounded(assignment, |e| match operator.as_str() {
            "=" => e.range(&assignment.value.range),
            "+=" => {
                let mut value = e.variable(name, assignment.target.start, read.clone());
                value.append(e.range(&assignment.value.range));
                value
            }
            _ => StringValue::unknown(read.clone()),
        })
    }

    /// Follow one assignment, unless it is already being followed or too deep.
    fn bounded(&mut self, assignment: &Assignment, follow: impl FnOnce(&mut Self) -> StringValue) -> StringValue {
        let key = assignment.target.start;
        if self.active.len() >= MAX_DEPTH || self.active.contains(&key) {
            return StringValue::unknown(assignment.value.range.clone());
        }
        self.active.push(key);
        let value = follow(self);
        self.active.pop();
        value
    }

    /// The items of `a, b, c`, `(a, b)` or `@(a, b)`; anything else is one item.
    fn list(&mut self, node: Node) -> Vec<StringValue> {
        let inner = unwrapped(node);
        let children = named_children(inner);
        match kind(inner) {
            "array_literal_expression" | "argument_expression_list" if children.len() > 1 => {
                children.into_iter().map(|c| self.node(c)).collect()
            }
            "parenthesized_expression" | "array_expression" | "sub_expression" => {
                // `(a, b)` holds a pipeline holding the list.
                let mut current = inner;
                while let [only] = named_children(current).as_slice() {
                    if matches!(kind(only), "array_literal_expression") && only.named_child_count() > 1 {
                        return self.list(*only);
                    }
                    current = *only;
                }
                vec![self.node(inner)]
            }
            _ => vec![self.node(node)],
        }
    }

    /// `[string]::Format(...)`, `[string]::Concat(...)`,
    /// `[Environment]::GetEnvironmentVariable('X')`.
    fn static_call(&mut self, node: Node, children: &[Node]) -> Option<StringValue> {
        let [target, method, arguments] = children else {
            return None;
        };
        if kind(target) != "type_literal" || !self.text(node)[target.byte_range().len()..].starts_with("::") {
            return None;
        }
        let type_name = type_name(self.text(*target));
        let method = self.text(*method).to_lowercase();
        let list = named_children(*arguments).into_iter().next()?;
        let values: Vec<StringValue> = named_children(list).into_iter().map(|a| self.node(a)).collect();
        match (type_name.as_str(), method.as_str()) {
            ("string", "format") => format_with(values.first()?, values.get(1..)?),
            ("string", "concat") => Some(values.into_iter().fold(StringValue::default(), |mut all, v| {
                all.append(v);
                all
            })),
            ("environment", "getenvironmentvariable") if values.len() == 1 => Some(StringValue {
                parts: vec![Part::Env(values[0].literal()?.to_lowercase())],
            }),
            _ => None,
        }
    }
}

/// `'{0}?resource={1}' -f $a, $b`: .NET composite formatting of known or symbolic
/// arguments. `None` when a placeholder has an alignment or format, or no argument.
fn format_with(format: &StringValue, arguments: &[StringValue]) -> Option<StringValue> {
    let mut value = StringValue::default();
    for part in &format.parts {
        let Part::Literal(text) = part else {
            value.push(part.clone());
            continue;
        };
        let mut chars = text.chars().peekable();
        let mut literal = String::new();
        while let Some(c) = chars.next() {
            match c {
                '{' if chars.peek() == Some(&'{') => {
                    chars.next();
                    literal.push('{');
                }
                '}' if chars.peek() == Some(&'}') => {
                    chars.next();
                    literal.push('}');
                }
                '{' => {
                    let mut spec = String::new();
                    for c in chars.by_ref() {
                        if c == '}' {
                            break;
                        }
                        spec.push(c);
                    }
                    let index: usize = spec.trim().parse().ok()?;
                    value.push(Part::Literal(std::mem::take(&mut literal)));
                    value.append(arguments.get(index)?.clone());
                }
                other => literal.push(other),
            }
        }
        value.push(Part::Literal(literal));
    }
    Some(value)
}

/// `[System.String]` -> `string`, `[Environment]` -> `environment`.
fn type_name(literal: &str) -> String {
    let name = literal
        .trim_start_matches('[')
        .trim_end_matches(']')
        .trim()
        .to_lowercase();
    name.strip_prefix("system.").map(str::to_owned).unwrap_or(name)
}

/// A string's text without its opening and closing quote (straight or curly).
fn strip_delimiters(text: &str) -> &str {
    let mut chars = text.chars();
    match (chars.next(), chars.next_back()) {
        (Some(a), Some(b)) if is_quote(a) && is_quote(b) => &text[a.len_utf8()..text.len() - b.len_utf8()],
        _ => text,
    }
}

/// The lines between `@"`/`@'` and `"@`/`'@` (the line breaks after the opening and
/// before the closing delimiter are not part of the string).
fn here_string_body(text: &str) -> &str {
    let start = text.find('\n').map_or(text.len(), |i| i + 1);
    let end = text.rfind('\n').unwrap_or(0);
    if end < start {
        return "";
    }
    text[start..end].strip_suffix('\r').unwrap_or(&text[start..end])
}

/// A character PowerShell reads as a string quote, typographic ones included.
pub fn is_quote(c: char) -> bool {
    matches!(
        c,
        '\'' | '"' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{201C}' | '\u{201D}' | '\u{201E}'
    )
}

/// PowerShell's backtick escapes in double-quoted text; a doubled `""` is one quote in a
/// one-line string, two in a here-string.
pub(super) fn unescape(raw: &str, doubled_quotes: bool) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        match c {
            '`' => match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some('0') => out.push('\0'),
                Some(other) => out.push(other),
                None => {}
            },
            other => out.push(other),
        }
    }
    if doubled_quotes {
        out.replace("\"\"", "\"")
    } else {
        out
    }
}

fn named_children(node: Node) -> Vec<Node> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor).collect()
}

/// Below the single-child wrappers (`unary_expression` -> ... -> `variable`, and
/// `expression_with_unary_operator` around a cast).
fn unwrapped(mut node: Node) -> Node {
    while node.child_count() == 1
        && node.named_child_count() == 1
        && (kind(node).ends_with("_expression") || kind(node) == "expression_with_unary_operator")
    {
        match node.named_child(0) {
            Some(child) => node = child,
            None => break,
        }
    }
    node
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Part {
        Part::Env(name.to_owned())
    }

    fn lit(text: &str) -> Part {
        Part::Literal(text.to_owned())
    }

    /// The value of the last assignment to `variable` in `text`, read at the end.
    fn value_of(text: &str, variable: &str) -> StringValue {
        let script = Script::parse(text);
        assert!(script.errors.is_empty(), "{text:?}: {:?}", script.errors);
        script.variable_value(variable, text.len())
    }

    fn literal_of(text: &str, variable: &str) -> Option<String> {
        value_of(text, variable).literal()
    }

    #[test]
    fn quoted_strings_and_here_strings() {
        assert_eq!(literal_of("$a = 'it''s $x'\n", "a").as_deref(), Some("it's $x"));
        assert_eq!(
            literal_of("$a = \"say \"\"hi\"\"`t`$x\"\n", "a").as_deref(),
            Some("say \"hi\"\t$x")
        );
        assert_eq!(
            literal_of("$a = \u{201C}curly\u{201D}\n", "a").as_deref(),
            Some("curly")
        );
        assert_eq!(
            literal_of("$a = @'\r\nv 'q' $x\r\nw\r\n'@\r\n", "a").as_deref(),
            Some("v 'q' $x\r\nw")
        );
        assert_eq!(
            literal_of("$n = 'x'\n$a = @\"\nline $n \"\"q\"\"\n\"@\n", "a").as_deref(),
            Some("line x \"\"q\"\"")
        );
    }

    #[test]
    fn variables_braces_and_subexpressions_inside_expandable_strings() {
        let text = "$authUri = $env:IDENTITY_ENDPOINT\n$res = 'https://graph.microsoft.com/'\n\
                    $a = \"$($authUri)?resource=$($res)&x=${res}&y=$res\"\n";
        let graph = "https://graph.microsoft.com/";
        assert_eq!(
            value_of(text, "a").parts,
            [
                env("identity_endpoint"),
                lit(&format!("?resource={graph}&x={graph}&y={graph}"))
            ]
        );
    }

    #[test]
    fn environment_variables_stay_symbolic() {
        for written in [
            "$env:IDENTITY_ENDPOINT",
            "${env:IDENTITY_ENDPOINT}",
            "$Env:identity_endpoint",
            "\"$env:IDENTITY_ENDPOINT\"",
            "[Environment]::GetEnvironmentVariable('IDENTITY_ENDPOINT')",
            "[System.Environment]::GetEnvironmentVariable(\"IDENTITY_ENDPOINT\")",
        ] {
            let value = value_of(&format!("$a = {written}\n"), "a");
            assert_eq!(value.parts, [env("identity_endpoint")], "{written}");
            assert!(value.has_env("IDENTITY_ENDPOINT"));
            assert_eq!(value.literal(), None);
        }
    }

    #[test]
    fn concatenation_and_compound_assignment() {
        let text = "$r = 'https://vault.azure.net'\n$u = $env:MSI_ENDPOINT + '?resource=' + $r\n$u += \"&api-version=2017-09-01\"\n";
        assert_eq!(
            value_of(text, "u").parts,
            [
                env("msi_endpoint"),
                lit("?resource=https://vault.azure.net&api-version=2017-09-01")
            ]
        );
        // Numbers add, they do not concatenate.
        assert_eq!(literal_of("$a = 1 + '2'\n", "a"), None);
        assert_eq!(literal_of("$a = 'x' - 'y'\n", "a"), None);
    }

    #[test]
    fn format_operator_and_string_format() {
        let text = "$base = $env:IDENTITY_ENDPOINT\n$res = 'https://management.azure.com/'\n\
                    $a = '{0}?resource={1}&api-version={2}' -f $base, $res, '2019-08-01'\n\
                    $b = [string]::Format(\"{0}?resource={1}\", $base, $res)\n\
                    $c = [System.String]::Concat($base, '?resource=', $res)\n\
                    $d = '{{literal}} {0}' -f ('x')\n\
                    $e = '{0,-10}' -f 'pad'\n\
                    $f = '{1}' -f 'only one'\n";
        let expected = [env("identity_endpoint"), lit("?resource=https://management.azure.com/")];
        let mut with_version = expected.to_vec();
        with_version[1] = lit("?resource=https://management.azure.com/&api-version=2019-08-01");
        assert_eq!(value_of(text, "a").parts, with_version);
        assert_eq!(value_of(text, "b").parts, expected);
        assert_eq!(value_of(text, "c").parts, expected);
        assert_eq!(literal_of(text, "d").as_deref(), Some("{literal} x"));
        assert_eq!(literal_of(text, "e"), None);
        assert_eq!(literal_of(text, "f"), None);
    }

    #[test]
    fn parentheses_casts_and_automatic_constants() {
        assert_eq!(
            literal_of("$x = 'a'\n$a = ([string]($x + 'b'))\n", "a").as_deref(),
            Some("ab")
        );
        assert_eq!(literal_of("$a = 'x' + $null\n", "a").as_deref(), Some("x"));
        assert_eq!(literal_of("$a = [int]'5'\n", "a"), None);
    }

    #[test]
    fn unknown_parts_name_what_could_not_be_followed() {
        let text = "$id = Get-AutomationVariable -Name 'ClientId'\n$a = \"client_id=$id&x=$($conn.Thing)\"\n";
        let value = value_of(text, "a");
        assert_eq!(value.literal(), None);
        let unknown: Vec<_> = value
            .parts
            .iter()
            .filter_map(|p| match p {
                Part::Unknown(range) => Some(&text[range.clone()]),
                _ => None,
            })
            .collect();
        assert_eq!(unknown, ["Get-AutomationVariable -Name 'ClientId'", "$conn.Thing"]);
    }

    #[test]
    fn nearest_assignment_in_the_same_function_and_param_defaults() {
        let text = "$name = 'outer'\nfunction F {\n    param([string]$Conn = \"Azure$('RunAs')Connection\")\n    $name = 'inner'\n    Get-AutomationConnection -Name $Conn\n    Write-Output $name\n}\n$name = 'later'\n";
        let script = Script::parse(text);
        let get = script.commands_named("Get-AutomationConnection").next().unwrap();
        assert_eq!(
            script.string_value(get.value_of("Name").unwrap()).as_deref(),
            Some("AzureRunAsConnection")
        );
        let write = script.commands_named("Write-Output").next().unwrap();
        assert_eq!(script.constant("name", write.range.start).as_deref(), Some("inner"));
        assert_eq!(script.constant("name", text.len()).as_deref(), Some("later"));
        // A parameter nobody gave a default is not known.
        assert_eq!(literal_of("param($Uri)\n$a = $Uri\n", "a"), None);
    }

    #[test]
    fn self_reference_reads_the_previous_value_and_cycles_stop() {
        assert_eq!(
            literal_of("$u = 'https://x'\n$u = $u + '/y'\n$u = \"$u/z\"\n", "u").as_deref(),
            Some("https://x/y/z")
        );
        assert_eq!(literal_of("$u = $u + '/y'\n", "u"), None);
        assert_eq!(literal_of("$u += 'y'\n", "u"), None);
        let chain: String = (0..40).map(|i| format!("$v{} = $v{} + 'x'\n", i + 1, i)).collect();
        assert_eq!(literal_of(&format!("$v0 = 'a'\n{chain}"), "v40"), None);
        assert_eq!(
            literal_of(&format!("$v0 = 'a'\n{chain}"), "v5").as_deref(),
            Some("axxxxx")
        );
    }

    #[test]
    fn long_concatenations_end_as_unknown_instead_of_overflowing() {
        let terms: Vec<String> = (0..3000).map(|i| format!("'{i}'")).collect();
        let text = format!("$a = {}\n", terms.join(" + "));
        let value = std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(move || literal_of(&text, "a"))
            .unwrap()
            .join()
            .unwrap();
        assert_eq!(value, None);
        let short: Vec<String> = (0..50).map(|i| format!("'{}'", i % 10)).collect();
        assert_eq!(
            literal_of(&format!("$a = {}\n", short.join(" + ")), "a").map(|v| v.len()),
            Some(50)
        );
    }

    #[test]
    fn queries_find_keys_after_question_mark_or_ampersand() {
        let text = "$res = 'https%3A%2F%2Fgraph.microsoft.com%2F'\n$id = Get-AutomationVariable -Name X\n\
                    $a = \"$env:IDENTITY_ENDPOINT?api-version=2019-08-01&Resource=$res&client_id=$id&myresource=no\"\n";
        let value = value_of(text, "a");
        assert_eq!(
            value.query("resource").and_then(|v| v.literal()).as_deref(),
            Some("https://graph.microsoft.com/")
        );
        let client = value.query("client_id").unwrap();
        assert!(matches!(client.parts.as_slice(), [Part::Unknown(_)]));
        assert_eq!(value.query("object_id"), None);
        let body = StringValue::literal_text("resource=https://vault.azure.net");
        assert_eq!(
            body.query("resource").and_then(|v| v.literal()).as_deref(),
            Some("https://vault.azure.net")
        );
        assert!(!value.contains("vault") && value.contains("API-VERSION"));
    }

    #[test]
    fn calls_to_the_scripts_own_functions_bind_parameters() {
        let text = "function Invoke-MyRest {\n    param($Uri, $Headers, $Method = 'GET')\n    Invoke-RestMethod -Uri $Uri -Headers $Headers -Method $Method\n}\n\
                    $p = @{ Uri = \"$env:IDENTITY_ENDPOINT?resource=x\"; Headers = @{} }\n\
                    Invoke-MyRest @p\nInvoke-MyRest \"$env:MSI_ENDPOINT\" @{}\nInvoke-MyRest -Ur 'https://example.org' -Meth POST\n";
        let script = Script::parse(text);
        assert!(script.errors.is_empty(), "{:?}", script.errors);
        let inner = script.commands_named("Invoke-RestMethod").next().unwrap();
        let uri = &inner.value_of("Uri").unwrap().range;
        let method = &inner.value_of("Method").unwrap().range;
        assert_eq!(script.evaluate_range(uri, None).literal(), None);
        let calls: Vec<_> = script.commands_named("Invoke-MyRest").collect();
        let bound: Vec<_> = calls.iter().map(|c| script.bind_call(c).unwrap()).collect();
        assert!(script.evaluate_range(uri, Some(&bound[0])).has_env("identity_endpoint"));
        assert!(script.evaluate_range(uri, Some(&bound[1])).has_env("msi_endpoint"));
        assert_eq!(
            script.evaluate_range(uri, Some(&bound[2])).literal().as_deref(),
            Some("https://example.org")
        );
        assert_eq!(
            script.evaluate_range(method, Some(&bound[0])).literal().as_deref(),
            Some("GET")
        );
        assert_eq!(
            script.evaluate_range(method, Some(&bound[2])).literal().as_deref(),
            Some("POST")
        );
        assert!(script.bind_call(inner).is_none());
    }

    #[test]
    fn discarded_output() {
        let text = "IRM -Uri a | Out-Null\n$null = IRM -Uri b\n[void](IRM -Uri c)\nIRM -Uri d > $null\n\
                    $null = (IRM -Uri e)\n(IRM -Uri f) | Out-Null\ntry { IRM -Uri g -ErrorAction Stop *> $null } catch { }\n\
                    $r = IRM -Uri h\nIRM -Uri i 2> $null\nif ((IRM -Uri j) -ne $null) { }\n[string](IRM -Uri k)\nWrite-Output (IRM -Uri l)\n";
        let script = Script::parse(text);
        assert!(script.errors.is_empty(), "{:?}", script.errors);
        let discarded: String = script
            .commands_named("Invoke-RestMethod")
            .map(|c| {
                let uri = script.string_value(c.value_of("Uri").unwrap()).unwrap();
                if script.discards_output(c) {
                    uri.to_uppercase()
                } else {
                    uri
                }
            })
            .collect();
        assert_eq!(discarded, "ABCDEFGhijkl");
    }
}
