//! The per-file semantic model every rule reads, built in one walk of the tree:
//! commands with resolved names and bound parameters, assignments and string
//! constants, variable reads with their member access, type names, method calls,
//! comments, and for each of them the statement and the blocks around it.
//! Rules never walk the tree themselves.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;
use std::sync::OnceLock;

use tree_sitter::{Node, Tree};

use super::commands::{self, CommandSpec};
use super::evaluate::{is_quote, unescape};
use super::kind;

/// A parsed script and what the rules need to know about it.
pub struct Script<'t> {
    pub text: &'t str,
    pub tree: Tree,
    pub commands: Vec<Command>,
    pub assignments: Vec<Assignment>,
    pub variables: Vec<VariableUse>,
    pub method_calls: Vec<MethodCall>,
    /// Property reads, `$x.Member`, `(...).Member`, `[Type]::Member`, in text order.
    pub members: Vec<MemberAccess>,
    /// Type names as written in `[...]` literals, e.g. `Microsoft.Graph.PowerShell.Models.X`.
    pub types: Vec<TypeName>,
    pub comments: Vec<Range<usize>>,
    /// Every statement (direct child of a statement list), in text order.
    pub statements: Vec<Place>,
    /// Function and workflow definitions (their variables are their own).
    pub functions: Vec<Range<usize>>,
    /// `param(...)` blocks, the script's and its functions'.
    pub param_blocks: Vec<Range<usize>>,
    /// Names of the functions, filters and workflows the script defines, lower-case.
    pub defined_commands: Vec<String>,
    /// Outermost ERROR and MISSING nodes.
    pub errors: Vec<Range<usize>>,
    /// Outermost comments and strings: text where code inserted would not be code.
    texts: Vec<Range<usize>>,
    /// For each of `functions`, the innermost function around it.
    function_parents: Vec<Option<usize>>,
    index: Index,
}

/// Lookups by name that rules make per finding, built on first use (a file nobody
/// asks about pays nothing) so that no query rescans the whole script: with many
/// findings, a scan per finding made the cost grow with the square of the script.
#[derive(Default)]
struct Index {
    /// Variable name -> indices into `variables`, in text order.
    uses: OnceLock<HashMap<String, Vec<usize>>>,
    /// Variable name -> indices into `assignments`, in text order.
    assignments: OnceLock<HashMap<String, Vec<usize>>>,
    /// Lower-case command name -> indices into `commands`.
    commands: OnceLock<HashMap<String, Vec<usize>>>,
    /// For each command, the innermost command whose arguments hold it.
    command_parents: OnceLock<Vec<Option<usize>>>,
    /// Where each line after the first starts.
    line_starts: OnceLock<Vec<usize>>,
    /// For each statement, the innermost statement holding it.
    statement_parents: OnceLock<Vec<Option<usize>>>,
    /// Variable name -> where it is splatted (`@params`).
    splats: OnceLock<HashMap<String, Vec<Range<usize>>>>,
}

/// Indices of `items` grouped by `key`, each group in the items' order.
fn group_by<T>(items: &[T], key: impl Fn(&T) -> String) -> HashMap<String, Vec<usize>> {
    let mut groups: HashMap<String, Vec<usize>> = HashMap::new();
    for (index, item) in items.iter().enumerate() {
        groups.entry(key(item)).or_default().push(index);
    }
    groups
}

/// The items (sorted by where they start) that start inside `range`.
fn starting_in<'a, T>(items: &'a [T], start: impl Fn(&T) -> usize, range: &Range<usize>) -> &'a [T] {
    let first = items.partition_point(|item| start(item) < range.start);
    let end = first + items[first..].partition_point(|item| start(item) < range.end);
    &items[first..end]
}

/// The constructs that enclose a statement, outermost first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BlockKind {
    Function,
    Workflow,
    /// A `{ ... }` passed as a value (`ForEach-Object { }`, `Invoke-Command { }`).
    ScriptBlock,
    Try,
    Catch,
    Finally,
    /// `if`/`elseif`/`else` bodies and `switch` clauses.
    Branch,
    Loop,
    InlineScript,
    Parallel,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Block {
    pub kind: BlockKind,
    /// The whole construct (for a `catch`: the catch clause; for an `if`: the statement).
    pub range: Range<usize>,
}

/// Where a piece of code sits: its statement and the blocks around it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Place {
    /// The whole statement (a direct child of a statement list), e.g. the assignment
    /// `$r = Connect-AzAccount ... | Out-Null`.
    pub statement: Range<usize>,
    /// Shared between every place in the same blocks: cloning a place is cheap.
    pub blocks: Arc<[Block]>,
}

impl Place {
    /// Top level of the script: not inside a function, loop, branch or script block.
    /// `try` bodies count as top level: the template wraps its sign-in in one.
    pub fn is_straight_line(&self) -> bool {
        self.blocks.iter().all(|b| matches!(b.kind, BlockKind::Try))
    }

    pub fn in_block(&self, kind: &BlockKind) -> bool {
        self.blocks.iter().any(|b| &b.kind == kind)
    }

    /// Whether code at `self` always runs before code at `later` that follows it in
    /// the text: `self`'s blocks enclose `later` too.
    pub fn encloses_blocks_of(&self, later: &Place) -> bool {
        self.blocks.len() <= later.blocks.len() && self.blocks.iter().zip(later.blocks.iter()).all(|(a, b)| a == b)
    }
}

/// A command invocation (`Connect-AzAccount -Identity`), one per pipeline element.
#[derive(Clone, Debug)]
pub struct Command {
    /// Canonical name for known commands (`Login-AzAccount` -> `Connect-AzAccount`),
    /// otherwise the written name without a module qualifier.
    pub name: String,
    /// The name exactly as written, with any module qualifier.
    pub written_name: String,
    pub name_range: Range<usize>,
    /// The command with its arguments, not the rest of its pipeline.
    pub range: Range<usize>,
    pub arguments: Vec<Argument>,
    /// Variables splatted into the call (`@params` -> `params`).
    pub splats: Vec<(String, Range<usize>)>,
    /// `$x = Command ...`: the variable the pipeline's result is assigned to.
    pub assigned_to: Option<String>,
    /// The whole pipeline this command is part of (`Connect-AzAccount ... | Out-Null`).
    pub pipeline: Range<usize>,
    pub place: Place,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Argument {
    /// `-Name value`, `-Name:value`, or a switch `-Force`. `name` is canonical for known
    /// commands (`-Cert` -> `CertificateThumbprint`), else as written without the dash.
    /// `via_splat`: bound from a hashtable entry, `range` is then the `@splat`.
    Named {
        name: String,
        range: Range<usize>,
        value: Option<Value>,
        via_splat: bool,
    },
    Positional(Value),
}

impl Argument {
    pub fn range(&self) -> Range<usize> {
        match self {
            Argument::Named {
                range, via_splat: true, ..
            } => range.clone(),
            Argument::Named { range, value, .. } => range.start..value.as_ref().map_or(range.end, |v| v.range.end),
            Argument::Positional(value) => value.range.clone(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Value {
    pub range: Range<usize>,
    pub kind: ValueKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ValueKind {
    /// A string with no expansion: `'x'`, `"x"`, a bare word, a number.
    Text(String),
    /// `"...$x..."`: the raw text between the quotes.
    Expandable(String),
    Variable(String),
    /// `$var.Member` (variable lower-cased, member as written).
    Member {
        variable: String,
        member: String,
    },
    /// `@{ Key = value; ... }` or `[ordered]@{...}`; keys as written.
    Hashtable(Vec<(String, Value)>),
    Other,
}

/// `$name = value`, and every `param()` entry (its default, or `Other` without one).
#[derive(Clone, Debug)]
pub struct Assignment {
    /// Lower-case, without `$`, scope prefix (`script:`) or braces.
    pub variable: String,
    pub target: Range<usize>,
    pub value: Value,
    pub is_parameter: bool,
    pub place: Place,
}

/// A read of a variable, e.g. `$conn.SubscriptionID` or `$env:IDENTITY_ENDPOINT`.
#[derive(Clone, Debug)]
pub struct VariableUse {
    /// Lower-case, without `$` or braces; `env:` is kept (`env:identity_endpoint`).
    pub name: String,
    pub range: Range<usize>,
    /// `.Member` read right after the variable, with the range of the whole access.
    pub member: Option<(String, Range<usize>)>,
    pub place: Place,
}

/// `$x.Method(...)` or `[Type]::Method(...)`.
#[derive(Clone, Debug)]
pub struct MethodCall {
    pub method: String,
    pub range: Range<usize>,
    /// What the method is called on: `$x`, `[Type]`, `(Get-AzContext).TokenCache`.
    pub target: Range<usize>,
    /// The arguments between the parentheses, in order.
    pub arguments: Vec<Range<usize>>,
    pub place: Place,
}

/// `target.Member` or `[Type]::Member` read as a property (not called).
#[derive(Clone, Debug)]
pub struct MemberAccess {
    pub member: String,
    /// What the member is read from.
    pub target: Range<usize>,
    pub range: Range<usize>,
    pub place: Place,
}

#[derive(Clone, Debug)]
pub struct TypeName {
    pub name: String,
    pub range: Range<usize>,
    pub place: Place,
}

impl<'t> Script<'t> {
    pub fn parse(text: &'t str) -> Self {
        Self::from_tree(text, super::parse(text))
    }

    /// The model of `text` from its already parsed tree (the fixer parses each new
    /// text once, to check it, and then models it from that tree).
    pub fn from_tree(text: &'t str, tree: Tree) -> Self {
        let parts = build_parts(text, &tree);
        Script {
            text,
            errors: super::error_ranges(&tree, text),
            texts: parts.texts,
            function_parents: nesting(&parts.functions, |f| f),
            index: Index::default(),
            tree,
            commands: parts.commands,
            assignments: parts.assignments,
            variables: parts.variables,
            method_calls: parts.method_calls,
            members: parts.members,
            types: parts.types,
            comments: parts.comments,
            statements: parts.statements,
            functions: parts.functions,
            param_blocks: parts.param_blocks,
            defined_commands: parts.defined_commands,
        }
        .with_splats_bound()
    }

    /// Bind the entries of splatted same-file hashtables as named arguments.
    fn with_splats_bound(mut self) -> Self {
        let mut bound = Vec::new();
        for (index, command) in self.commands.iter().enumerate() {
            let spec = commands::lookup(&command.name);
            for (variable, range) in &command.splats {
                let Some(table) = self.splatted_hashtable(variable, command.range.start) else {
                    continue;
                };
                let ValueKind::Hashtable(entries) = &table.value.kind else {
                    continue;
                };
                for (key, value) in entries {
                    let (name, _) = commands::resolve_param(spec, key);
                    bound.push((
                        index,
                        Argument::Named {
                            name,
                            range: range.clone(),
                            value: Some(value.clone()),
                            via_splat: true,
                        },
                    ));
                }
            }
        }
        for (index, argument) in bound {
            self.commands[index].arguments.push(argument);
        }
        self
    }

    pub fn slice(&self, range: &Range<usize>) -> &'t str {
        &self.text[range.clone()]
    }

    /// The assignment of `variable` that a read at `offset` sees: the last one before
    /// it in the same function (a `param()` entry counts), else the script's own. A
    /// read inside an assignment's own value (`$u = $u + '/x'`) sees the one before.
    pub fn assignment_before(&self, variable: &str, offset: usize) -> Option<&Assignment> {
        let scope = self.function_at(offset);
        let named = self.assignments_of(variable);
        let local = named
            .split_at(offset)
            .0
            .iter()
            .rev()
            .find(|a| !a.value.range.contains(&offset) && self.function_at(a.target.start) == scope);
        match (local, scope) {
            (Some(found), _) => Some(found),
            (None, Some(_)) => named.iter().rev().find(|a| self.function_at(a.target.start).is_none()),
            (None, None) => None,
        }
    }

    /// Every assignment of `variable` (and `param()` entry), in text order.
    pub fn assignments_of<'a>(&'a self, variable: &str) -> Assignments<'a> {
        let index = self
            .index
            .assignments
            .get_or_init(|| group_by(&self.assignments, |a| a.variable.clone()));
        Assignments {
            all: &self.assignments,
            indices: index.get(variable).map_or(&[], Vec::as_slice),
        }
    }

    /// The innermost function or workflow around `offset`.
    pub fn function_at(&self, offset: usize) -> Option<&Range<usize>> {
        let mut holding = holders(&self.functions, &self.function_parents, |f| f, offset);
        holding.next().map(|index| &self.functions[index])
    }

    /// `$x = value` is its whole statement (not `$a = $x = 1` or `if ($x = ...)`), so
    /// deleting the statement deletes just the assignment.
    pub fn is_whole_statement(&self, assignment: &Assignment) -> bool {
        let statement = &assignment.place.statement;
        !assignment.is_parameter
            && assignment.target.start == statement.start
            && self
                .text
                .get(assignment.value.range.end..statement.end)
                .is_some_and(|rest| rest.trim().is_empty())
    }

    /// The assignment that is the whole of `statement` (`$x = ...`), if it is one.
    pub fn whole_assignment(&self, statement: &Range<usize>) -> Option<&Assignment> {
        starting_in(
            &self.assignments,
            |a| a.target.start,
            &(statement.start..statement.start + 1),
        )
        .iter()
        .find(|a| &a.place.statement == statement && self.is_whole_statement(a))
    }

    /// The assignments whose statement is `statement` (`$x = ...`, `$a = $b = ...`).
    pub fn assignments_in_statement<'a>(
        &'a self,
        statement: &'a Range<usize>,
    ) -> impl Iterator<Item = &'a Assignment> + 'a {
        starting_in(&self.assignments, |a| a.target.start, statement)
            .iter()
            .filter(move |a| &a.place.statement == statement)
    }

    /// The statement holding `command` is just `[$x =] <its pipeline>` (trailing blanks
    /// aside), so deleting the statement deletes just that call.
    pub fn is_alone_in_statement(&self, command: &Command) -> bool {
        let statement = &command.place.statement;
        if !contains(statement, &command.pipeline) {
            return false;
        }
        let before = self.text[statement.start..command.pipeline.start].trim();
        let after = self.text[command.pipeline.end..statement.end].trim();
        let assignment = command.assigned_to.is_some() && before.starts_with('$') && before.ends_with('=');
        after.is_empty() && (before.is_empty() || assignment)
    }

    /// The hashtable literal a splatted variable was last assigned before `offset`.
    pub fn splatted_hashtable(&self, variable: &str, offset: usize) -> Option<&Assignment> {
        self.assignment_before(variable, offset)
            .filter(|a| matches!(a.value.kind, ValueKind::Hashtable(_)))
    }

    /// Every read of `variable` (case-insensitive name without `$`), in text order.
    pub fn uses_of<'a>(&'a self, variable: &str) -> impl DoubleEndedIterator<Item = &'a VariableUse> + 'a {
        self.uses_indices(variable).iter().map(|&i| &self.variables[i])
    }

    /// The reads of `variable` that start inside `range`.
    pub fn uses_in<'a>(&'a self, variable: &str, range: &Range<usize>) -> impl Iterator<Item = &'a VariableUse> + 'a {
        let indices = self.uses_indices(variable);
        let in_range = starting_in(indices, |&i| self.variables[i].range.start, range);
        in_range.iter().map(|&i| &self.variables[i])
    }

    fn uses_indices(&self, variable: &str) -> &[usize] {
        let index = self
            .index
            .uses
            .get_or_init(|| group_by(&self.variables, |v| v.name.clone()));
        index.get(variable).map_or(&[], Vec::as_slice)
    }

    /// Every read of any variable that starts inside `range`.
    pub fn variables_in(&self, range: &Range<usize>) -> &[VariableUse] {
        starting_in(&self.variables, |v| v.range.start, range)
    }

    /// Every statement that starts inside `range`, outer ones before those they hold.
    pub fn statements_in(&self, range: &Range<usize>) -> &[Place] {
        starting_in(&self.statements, |s| s.statement.start, range)
    }

    /// The assignments whose target starts inside `range`.
    pub fn assignments_in(&self, range: &Range<usize>) -> &[Assignment] {
        starting_in(&self.assignments, |a| a.target.start, range)
    }

    /// The commands that start inside `range`.
    pub fn commands_in(&self, range: &Range<usize>) -> &[Command] {
        starting_in(&self.commands, |c| c.range.start, range)
    }

    /// The reads of the variable `assignment` sets that may see its value: from the
    /// assignment (or from the start of the outermost loop around it in its function,
    /// whose next turn reads it too) to the next assignment in the same function that
    /// always runs after it; and, when it is the script's last assignment of the
    /// variable, the reads in functions that see no assignment of their own (as
    /// `assignment_before` decides). Rules that delete an assignment look only at the
    /// reads it reaches, so each of many repeated blocks costs its own size.
    pub fn uses_reached_by(&self, assignment: &Assignment) -> Vec<&VariableUse> {
        let variable = assignment.variable.as_str();
        let offset = assignment.target.start;
        let scope = self.function_at(offset);
        let in_scope = |at: usize| self.function_at(at) == scope;
        let from = assignment
            .place
            .blocks
            .iter()
            .find(|b| b.kind == BlockKind::Loop && scope.is_none_or(|f| f.start <= b.range.start))
            .map_or(offset, |b| b.range.start);
        let later = self.assignments_of(variable).split_at(offset + 1).1;
        let killer = later
            .iter()
            .find(|a| !a.is_parameter && in_scope(a.target.start) && a.place.encloses_blocks_of(&assignment.place));
        let to = killer.map_or_else(|| scope.map_or(self.text.len(), |f| f.end), |a| a.value.range.end);
        let mut reached: Vec<&VariableUse> = self
            .uses_in(variable, &(from..to))
            .filter(|u| in_scope(u.range.start))
            .collect();
        let last_in_script = scope.is_none()
            && self
                .assignments_of(variable)
                .iter()
                .rev()
                .find(|a| self.function_at(a.target.start).is_none())
                .is_some_and(|a| std::ptr::eq(a, assignment));
        if last_in_script {
            reached.extend(self.uses_of(variable).filter(|u| {
                self.function_at(u.range.start).is_some()
                    && self
                        .assignment_before(variable, u.range.start)
                        .is_some_and(|a| std::ptr::eq(a, assignment))
            }));
            reached.sort_by_key(|u| u.range.start);
        }
        reached
    }

    /// The property reads that start inside `range`.
    pub fn members_in(&self, range: &Range<usize>) -> &[MemberAccess] {
        starting_in(&self.members, |m| m.range.start, range)
    }

    /// Type names written inside `range`.
    pub fn types_in(&self, range: &Range<usize>) -> &[TypeName] {
        starting_in(&self.types, |t| t.range.start, range)
    }

    /// The method call that covers exactly `range`.
    pub fn method_call_at(&self, range: &Range<usize>) -> Option<&MethodCall> {
        starting_in(&self.method_calls, |m| m.range.start, &(range.start..range.start + 1))
            .iter()
            .find(|m| &m.range == range)
    }

    /// Where `variable` is read, splats (`@params`) included.
    pub fn reads_of<'a>(&'a self, variable: &'a str) -> impl Iterator<Item = Range<usize>> + 'a {
        let splats = self.index.splats.get_or_init(|| {
            let mut splats: HashMap<String, Vec<Range<usize>>> = HashMap::new();
            for (name, range) in self.commands.iter().flat_map(|c| &c.splats) {
                splats.entry(name.clone()).or_default().push(range.clone());
            }
            splats
        });
        let splats = splats.get(variable).into_iter().flatten().cloned();
        self.uses_of(variable).map(|u| u.range.clone()).chain(splats)
    }

    /// Commands with this canonical name (case-insensitive).
    pub fn commands_named<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a Command> + 'a {
        let index = self
            .index
            .commands
            .get_or_init(|| group_by(&self.commands, |c| c.name.to_ascii_lowercase()));
        let indices = index.get(&name.to_ascii_lowercase()).map_or(&[][..], Vec::as_slice);
        indices.iter().map(|&i| &self.commands[i])
    }

    /// The statements that belong to a block (or to the script) themselves, in text
    /// order: not those inside an expression of another statement (`@( ... )`,
    /// `$( ... )`, which share its blocks) or of a `param()` block (a default value).
    pub fn block_statements(&self) -> impl Iterator<Item = &Place> + '_ {
        let parents = self
            .index
            .statement_parents
            .get_or_init(|| nesting(&self.statements, |s| &s.statement));
        self.statements
            .iter()
            .zip(parents)
            .filter(|(statement, parent)| {
                let in_param_block = self
                    .param_blocks
                    .iter()
                    .any(|b| b.start <= statement.statement.start && statement.statement.end <= b.end);
                let in_expression = parent.is_some_and(|p| self.statements[p].blocks.len() >= statement.blocks.len());
                !in_param_block && !in_expression
            })
            .map(|(statement, _)| statement)
    }

    /// The innermost statement holding `offset`.
    pub fn statement_at(&self, offset: usize) -> Option<&Place> {
        let parents = self
            .index
            .statement_parents
            .get_or_init(|| nesting(&self.statements, |s| &s.statement));
        let mut holding = holders(&self.statements, parents, |s| &s.statement, offset);
        holding.next().map(|index| &self.statements[index])
    }

    /// The 1-based line `offset` is on.
    pub fn line_of(&self, offset: usize) -> usize {
        let starts = self.index.line_starts.get_or_init(|| {
            let newlines = self.text.bytes().enumerate().filter(|(_, b)| *b == b'\n');
            newlines.map(|(i, _)| i + 1).collect()
        });
        starts.partition_point(|&start| start <= offset) + 1
    }

    /// The commands (with their indices) whose range holds `offset`, innermost first:
    /// the call an argument belongs to, then the call that one is an argument of.
    pub fn commands_around(&self, offset: usize) -> impl Iterator<Item = (usize, &Command)> + '_ {
        let parents = self
            .index
            .command_parents
            .get_or_init(|| nesting(&self.commands, |c| &c.range));
        holders(&self.commands, parents, |c| &c.range, offset).map(|index| (index, &self.commands[index]))
    }

    /// The outermost comments and strings, in text order.
    pub fn text_spans(&self) -> &[Range<usize>] {
        &self.texts
    }

    /// Whether byte `offset` lies strictly inside a comment or a string (text inserted
    /// there would become part of it).
    pub fn inside_text(&self, offset: usize) -> bool {
        let before = self.texts.partition_point(|t| t.start < offset);
        before.checked_sub(1).is_some_and(|i| offset < self.texts[i].end)
    }

    /// Whether `range` overlaps text the parser could not read.
    pub fn touches_error(&self, range: &Range<usize>) -> bool {
        self.errors_touching(range).next().is_some()
    }

    /// The indices (into `errors`) of the regions `range` overlaps, an empty range or
    /// region counting as the character at its offset (an insertion inside a region, a
    /// MISSING node under an edit).
    pub fn errors_touching<'a>(&'a self, range: &'a Range<usize>) -> impl Iterator<Item = usize> + 'a {
        // The regions are disjoint and in text order: skip those that end before `range`.
        let first = self.errors.partition_point(|e| e.end.max(e.start + 1) <= range.start);
        self.errors[first..]
            .iter()
            .enumerate()
            .take_while(move |(_, e)| e.start < range.end.max(range.start + 1))
            .map(move |(index, _)| first + index)
    }
}

/// The assignments of one variable, in text order (`Script::assignments_of`).
#[derive(Clone, Copy)]
pub struct Assignments<'a> {
    all: &'a [Assignment],
    indices: &'a [usize],
}

impl<'a> Assignments<'a> {
    pub fn len(&self) -> usize {
        self.indices.len()
    }

    pub fn is_empty(&self) -> bool {
        self.indices.is_empty()
    }

    /// Those whose target starts before `offset`, and the rest.
    pub fn split_at(&self, offset: usize) -> (Self, Self) {
        let (before, after) = self
            .indices
            .split_at(self.indices.partition_point(|&i| self.all[i].target.start < offset));
        (
            Assignments {
                indices: before,
                ..*self
            },
            Assignments {
                indices: after,
                ..*self
            },
        )
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &'a Assignment> + 'a {
        let all = self.all;
        self.indices.iter().map(move |&i| &all[i])
    }
}

/// The indices of the items (as `nesting` takes them, with its `parents`) whose range
/// holds `offset`, innermost first: the last item starting at or before `offset`, then
/// its outer items (an item ending before `offset` cannot hold it, but an outer one can).
fn holders<'a, T>(
    items: &'a [T],
    parents: &'a [Option<usize>],
    range: impl Fn(&T) -> &Range<usize> + 'a,
    offset: usize,
) -> impl Iterator<Item = usize> + 'a {
    let mut candidate = items.partition_point(|item| range(item).start <= offset).checked_sub(1);
    std::iter::from_fn(move || {
        while let Some(index) = candidate {
            candidate = parents[index];
            if range(&items[index]).contains(&offset) {
                return Some(index);
            }
        }
        None
    })
}

/// For each item (sorted by start, nested ones after those around them, none
/// overlapping another but by holding it), the innermost item that holds it.
fn nesting<T>(items: &[T], range: impl Fn(&T) -> &Range<usize>) -> Vec<Option<usize>> {
    let mut open: Vec<usize> = Vec::new();
    items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            while open
                .last()
                .is_some_and(|&outer| range(&items[outer]).end <= range(item).start)
            {
                open.pop();
            }
            let parent = open.last().copied();
            open.push(index);
            parent
        })
        .collect()
}

impl Command {
    /// The value of a named parameter (canonical name), including splatted hashtable
    /// entries. Switches give `Some(None)`.
    pub fn named(&self, param: &str) -> Option<Option<&Value>> {
        self.arguments.iter().find_map(|a| match a {
            Argument::Named { name, value, .. } if name.eq_ignore_ascii_case(param) => Some(value.as_ref()),
            _ => None,
        })
    }

    pub fn has(&self, param: &str) -> bool {
        self.named(param).is_some()
    }

    /// The value for `param`, whether named or bound by position.
    pub fn value_of(&self, param: &str) -> Option<&Value> {
        if let Some(value) = self.named(param) {
            return value;
        }
        let spec = commands::lookup(&self.name)?;
        let index = spec.positional.iter().position(|p| p.eq_ignore_ascii_case(param))?;
        self.arguments
            .iter()
            .filter_map(|a| match a {
                Argument::Positional(v) => Some(v),
                _ => None,
            })
            .nth(index)
    }

    pub fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }
}

/// PowerShell's language keywords, and DSC's configuration keywords: never commands.
const KEYWORDS: &[&str] = &[
    "begin",
    "break",
    "catch",
    "class",
    "continue",
    "data",
    "do",
    "dynamicparam",
    "else",
    "elseif",
    "end",
    "enum",
    "exit",
    "filter",
    "finally",
    "for",
    "foreach",
    "function",
    "if",
    "in",
    "param",
    "process",
    "return",
    "switch",
    "throw",
    "trap",
    "try",
    "until",
    "using",
    "while",
    "workflow",
    "parallel",
    "sequence",
    "inlinescript",
    "configuration",
    "node",
    "import-dscresource",
];

/// `$Script:Foo`, `${foo}`, `$FOO` -> `foo`; `$env:X` -> `env:x`.
pub fn normalize_variable(written: &str) -> String {
    let name = written.trim_start_matches(['$', '@']);
    let name = name.strip_prefix('{').and_then(|n| n.strip_suffix('}')).unwrap_or(name);
    let lower = name.to_lowercase();
    for scope in ["script:", "global:", "local:", "private:", "using:", "workflow:"] {
        if let Some(rest) = lower.strip_prefix(scope) {
            return rest.to_owned();
        }
    }
    lower
}

/// Dash characters PowerShell accepts before a parameter name.
pub fn is_dash(c: char) -> bool {
    matches!(c, '-' | '\u{2013}' | '\u{2014}' | '\u{2015}')
}

/// Scripts this large are modelled on two threads, each taking half of the top-level
/// statements: the language server models the whole script after every keystroke, and
/// a long runbook is mostly a long top-level statement list.
const PARALLEL_FROM_BYTES: usize = 64 << 10;

fn parts_in_one_walk(text: &str, tree: &Tree) -> Parts {
    let mut builder = Builder::new(text);
    builder.walk(tree.root_node(), None);
    builder.script_parts
}

/// The model's parts of the script parsed as `tree`.
fn build_parts(text: &str, tree: &Tree) -> Parts {
    let root = tree.root_node();
    let top_list = |root: Node<'_>| {
        let mut cursor = root.walk();
        let found = root.children(&mut cursor).position(|c| kind(c) == "statement_list");
        found
    };
    let at = top_list(root).filter(|_| text.len() >= PARALLEL_FROM_BYTES && kind(root) == "program");
    let Some(at) = at else {
        return parts_in_one_walk(text, tree);
    };
    let list = root.child(at as u32).expect("found above");
    let middle = list.start_byte() + (list.end_byte() - list.start_byte()) / 2;
    let count = list.child_count();
    let split = (0..count)
        .find(|&i| list.child(i as u32).is_some_and(|c| c.start_byte() >= middle))
        .unwrap_or(count);
    // In document order: the root's children before the list and the list itself
    // (not its children), each half of the list's children, the root's children after
    // the list. Nodes cannot cross threads: each half finds its own from the tree.
    let mut before = Builder::new(text);
    before.enter(root);
    for i in 0..at {
        before.walk(root.child(i as u32).expect("a child"), None);
    }
    before.walk(list, Some(list));
    let half = |children: std::ops::Range<usize>| {
        let root = tree.root_node();
        let list = root.child(at as u32).expect("found above");
        let mut builder = Builder::inside(text, &[root, list]);
        for i in children {
            builder.walk(list.child(i as u32).expect("a child"), None);
        }
        builder.script_parts
    };
    let (first, second) = rayon::join(|| half(0..split), || half(split..count));
    let mut after = Builder::inside(text, &[root]);
    for i in at + 1..root.child_count() {
        after.walk(root.child(i as u32).expect("a child"), None);
    }
    let mut parts = before.script_parts;
    parts.append(first);
    parts.append(second);
    parts.append(after.script_parts);
    parts
}

#[derive(Default, Debug)]
struct Parts {
    commands: Vec<Command>,
    assignments: Vec<Assignment>,
    variables: Vec<VariableUse>,
    method_calls: Vec<MethodCall>,
    members: Vec<MemberAccess>,
    types: Vec<TypeName>,
    comments: Vec<Range<usize>>,
    texts: Vec<Range<usize>>,
    statements: Vec<Place>,
    functions: Vec<Range<usize>>,
    param_blocks: Vec<Range<usize>>,
    defined_commands: Vec<String>,
}

impl Parts {
    /// Add the parts of the text after this one's.
    fn append(&mut self, later: Parts) {
        // Destructured, so that a new kind of part cannot be forgotten here.
        let Parts {
            commands,
            assignments,
            variables,
            method_calls,
            members,
            types,
            comments,
            texts,
            statements,
            functions,
            param_blocks,
            defined_commands,
        } = later;
        self.commands.extend(commands);
        self.assignments.extend(assignments);
        self.variables.extend(variables);
        self.method_calls.extend(method_calls);
        self.members.extend(members);
        self.types.extend(types);
        self.comments.extend(comments);
        self.texts.extend(texts);
        self.statements.extend(statements);
        self.functions.extend(functions);
        self.param_blocks.extend(param_blocks);
        self.defined_commands.extend(defined_commands);
    }
}

struct Builder<'t, 'tree> {
    text: &'t str,
    script_parts: Parts,
    place: Place,
    /// The nodes above the one being visited, root first: tree-sitter's own
    /// `Node::parent` walks down from the root each time, which dominated run time.
    ancestors: Vec<Frame<'tree>>,
}

/// A node being walked, its kind (read once: `Node::kind` converts a C string), and
/// the place to restore when the walk leaves it.
struct Frame<'tree> {
    node: Node<'tree>,
    kind: &'static str,
    outer_blocks: Option<Arc<[Block]>>,
    outer_statement: Option<Range<usize>>,
}

/// Skip wrapper nodes that hold a single child (`unary_expression` ->
/// `array_literal_expression` -> ... -> `variable`).
fn unwrap(mut node: Node) -> Node {
    while node.child_count() == 1 && !node.is_error() && !is_string_kind(kind(node)) && kind(node) != "command" {
        match node.child(0) {
            Some(child) if child.is_named() => node = child,
            _ => break,
        }
    }
    node
}

/// `range` without the whitespace at either end: error recovery can start a statement
/// at the line break before it, and text inserted before such a statement would land
/// on the line above, after whatever comment ends that line.
fn without_surrounding_whitespace(text: &str, range: Range<usize>) -> Range<usize> {
    let slice = &text[range.clone()];
    let start = range.start + (slice.len() - slice.trim_start().len());
    let end = range.start + slice.trim_end().len();
    start..end.max(start)
}

fn contains(outer: &Range<usize>, inner: &Range<usize>) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}

/// `string_literal` wraps the verbatim or expandable string that says which it is.
fn string_inner(node: Node) -> Node {
    match kind(node) {
        "string_literal" => node.named_child(0).unwrap_or(node),
        _ => node,
    }
}

fn is_string_kind(kind: &str) -> bool {
    matches!(
        kind,
        "string_literal" | "expandable_string_literal" | "expandable_here_string_literal"
    )
}

fn named_children(node: Node) -> Vec<Node> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor).collect()
}

impl<'t, 'tree> Builder<'t, 'tree> {
    fn text_of(&self, node: Node) -> &'t str {
        &self.text[node.byte_range()]
    }

    /// The place of code at `node`. Its statement always holds it: code outside any
    /// statement (a `param()` default) is its own statement.
    fn place_of(&self, node: Node) -> Place {
        let mut place = self.place.clone();
        let code = without_surrounding_whitespace(self.text, node.byte_range());
        if !contains(&place.statement, &code) {
            place.statement = code;
        }
        place
    }

    fn parent(&self) -> Option<Node<'tree>> {
        self.ancestors.last().map(|frame| frame.node)
    }

    fn new(text: &'t str) -> Self {
        Builder {
            text,
            script_parts: Parts::default(),
            place: Place::default(),
            ancestors: Vec::new(),
        }
    }

    /// A builder for what lies inside `ancestors` (root first), which open no block and
    /// no statement: the root and its statement list.
    fn inside(text: &'t str, ancestors: &[Node<'tree>]) -> Self {
        let mut builder = Builder::new(text);
        builder.ancestors = ancestors
            .iter()
            .map(|&node| Frame {
                node,
                kind: kind(node),
                outer_blocks: None,
                outer_statement: None,
            })
            .collect();
        builder
    }

    /// Visit `node` and every node below it in document order with one cursor (a cursor
    /// per node cost an allocation each); below `stop`, nothing (another builder takes
    /// its children).
    fn walk(&mut self, node: Node<'tree>, stop: Option<Node<'tree>>) {
        let mut cursor = node.walk();
        loop {
            let current = cursor.node();
            self.enter(current);
            if Some(current) != stop && cursor.goto_first_child() {
                continue;
            }
            loop {
                self.leave();
                if cursor.goto_next_sibling() {
                    break;
                }
                if !cursor.goto_parent() {
                    return;
                }
            }
        }
    }

    fn enter(&mut self, node: Node<'tree>) {
        let kind = kind(node);
        let parent_kind = self.ancestors.last().map(|frame| frame.kind);
        // Error recovery can leave statements outside any statement list, e.g. a whole
        // script under one ERROR node: the pieces of such a node count as statements.
        let code = without_surrounding_whitespace(self.text, node.byte_range());
        let loose = parent_kind == Some("ERROR") && !contains(&self.place.statement, &code);
        let is_statement = (parent_kind == Some("statement_list") || loose)
            && !matches!(kind, "empty_statement" | "comment")
            && !code.is_empty();
        let outer_statement = is_statement.then(|| std::mem::replace(&mut self.place.statement, code.clone()));
        if is_statement {
            self.script_parts.statements.push(self.place.clone());
        }
        // The place changes only at blocks and statements; the frame restores it. A
        // statement's place is the blocks around it, not the one it opens.
        let block = self.block_kind(node, kind, parent_kind).map(|kind| {
            // A loop is the whole `while (...) { }`, not only its body.
            let whole = if kind == BlockKind::Loop {
                self.parent().unwrap_or(node)
            } else {
                node
            };
            Block {
                kind,
                range: whole.byte_range(),
            }
        });
        let outer_blocks = block.map(|block| {
            let inner: Arc<[Block]> = self.place.blocks.iter().cloned().chain([block]).collect();
            std::mem::replace(&mut self.place.blocks, inner)
        });
        let is_text = kind == "comment" || is_string_kind(kind) || kind.ends_with("string_characters");
        let texts = &mut self.script_parts.texts;
        if is_text && texts.last().is_none_or(|outer| outer.end <= node.start_byte()) {
            texts.push(node.byte_range());
        }
        match kind {
            "comment" => self.script_parts.comments.push(node.byte_range()),
            "function_statement" => self.script_parts.functions.push(node.byte_range()),
            "param_block" => self.script_parts.param_blocks.push(node.byte_range()),
            "function_name" => self
                .script_parts
                .defined_commands
                .push(self.text_of(node).to_lowercase()),
            "command" => self.command(node),
            "assignment_expression" => self.assignment(node),
            "script_parameter" => self.parameter(node),
            "variable" | "braced_variable" => self.variable(node),
            "invokation_expression" => self.method_call(node),
            "member_access" => self.member_access(node),
            "type_literal" => self.type_name(node),
            _ => {}
        }
        self.ancestors.push(Frame {
            node,
            kind,
            outer_blocks,
            outer_statement,
        });
    }

    fn leave(&mut self) {
        let Some(frame) = self.ancestors.pop() else { return };
        if let Some(statement) = frame.outer_statement {
            self.place.statement = statement;
        }
        if let Some(blocks) = frame.outer_blocks {
            self.place.blocks = blocks;
        }
    }

    fn block_kind(&self, node: Node, kind: &str, parent_kind: Option<&str>) -> Option<BlockKind> {
        Some(match kind {
            "function_statement" => {
                if self
                    .text_of(node)
                    .get(..8)
                    .is_some_and(|w| w.eq_ignore_ascii_case("workflow"))
                {
                    BlockKind::Workflow
                } else {
                    BlockKind::Function
                }
            }
            "script_block_expression" => BlockKind::ScriptBlock,
            "statement_block" if parent_kind == Some("try_statement") => BlockKind::Try,
            "catch_clause" => BlockKind::Catch,
            "finally_clause" => BlockKind::Finally,
            "statement_block" if parent_kind == Some("if_statement") => BlockKind::Branch,
            "elseif_clause" | "else_clause" | "switch_clause" | "trap_statement" => BlockKind::Branch,
            "statement_block"
                if matches!(
                    parent_kind,
                    Some("while_statement" | "do_statement" | "for_statement" | "foreach_statement")
                ) =>
            {
                BlockKind::Loop
            }
            "inlinescript_statement" => BlockKind::InlineScript,
            "parallel_statement" | "sequence_statement" => BlockKind::Parallel,
            _ => return None,
        })
    }

    fn command(&mut self, node: Node) {
        let Some(name_node) = node.child_by_field_name("command_name") else {
            return;
        };
        let written_name = self.text_of(name_node).to_owned();
        let bare_name = written_name.rsplit('\\').next().unwrap_or(&written_name);
        let spec = commands::lookup(bare_name);
        let name = spec.map_or_else(|| bare_name.to_owned(), |s| s.name.to_owned());
        let elements = node
            .child_by_field_name("command_elements")
            .map(named_children)
            .unwrap_or_default();
        // `using module X` is a statement, and a keyword the grammar reads as a command
        // name (an `else` on its own line after some constructs, DSC's `Node`) is none.
        if KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(&name)) || name.starts_with('{') {
            return;
        }
        let (arguments, splats) = self.arguments(spec, &elements);
        let (pipeline, assigned_to) = self.pipeline_of(node);
        // The grammar counts trailing blanks and line continuations as part of the command.
        let written = self.text_of(node);
        let end = node.start_byte() + written.trim_end_matches([' ', '\t', '\r', '\n', '`']).len();
        self.script_parts.commands.push(Command {
            name,
            written_name,
            name_range: name_node.byte_range(),
            range: node.start_byte()..end,
            arguments,
            splats,
            assigned_to,
            pipeline,
            place: self.place_of(node),
        });
    }

    /// The pipeline around a command and the variable its result is assigned to.
    fn pipeline_of(&self, command: Node<'tree>) -> (Range<usize>, Option<String>) {
        let mut pipeline = command;
        for frame in self.ancestors.iter().rev() {
            let node = frame.node;
            match frame.kind {
                "pipeline" | "pipeline_chain" => pipeline = node,
                "assignment_expression" => {
                    let target = named_children(node)
                        .first()
                        .map(|t| normalize_variable(self.text_of(unwrap(*t))));
                    return (pipeline.byte_range(), target);
                }
                _ => break,
            }
        }
        (pipeline.byte_range(), None)
    }

    fn arguments(
        &mut self,
        spec: Option<&'static CommandSpec>,
        elements: &[Node],
    ) -> (Vec<Argument>, Vec<(String, Range<usize>)>) {
        let mut arguments = Vec::new();
        let mut splats = Vec::new();
        let mut i = 0;
        while i < elements.len() {
            let element = elements[i];
            i += 1;
            let text = self.text_of(element);
            match kind(element) {
                "command_argument_sep" | "redirection" | "redirections" | "comment" => continue,
                _ if text.starts_with('@') && matches!(kind(unwrap(element)), "variable" | "braced_variable") => {
                    splats.push((normalize_variable(text), element.byte_range()));
                    continue;
                }
                _ => {}
            }
            let is_parameter = kind(element) == "command_parameter"
                || (kind(element) == "generic_token"
                    && text.starts_with(is_dash)
                    && text.chars().nth(1).is_some_and(|c| c.is_alphabetic()));
            if !is_parameter {
                arguments.push(Argument::Positional(self.value(element)));
                continue;
            }
            let written = text.trim_start_matches(is_dash);
            let (written, colon_in_token) = match written.strip_suffix(':') {
                Some(w) => (w, true),
                None => (written, false),
            };
            let (name, is_switch) = commands::resolve_param(spec, written);
            // A colon binds the next element; a non-switch takes the next non-parameter.
            let colon = colon_in_token
                || elements
                    .get(i)
                    .is_some_and(|e| kind(e) == "command_argument_sep" && self.text_of(*e).contains(':'));
            let mut value = None;
            let mut j = i;
            while j < elements.len() && elements[j].kind() == "command_argument_sep" {
                j += 1;
            }
            if let Some(next) = elements.get(j) {
                let next_is_parameter = kind(next) == "command_parameter"
                    || (kind(next) == "generic_token" && self.text_of(*next).starts_with(is_dash));
                if colon || (!is_switch && !next_is_parameter && !self.text_of(*next).starts_with('@')) {
                    value = Some(self.value(*next));
                    i = j + 1;
                }
            }
            arguments.push(Argument::Named {
                name,
                range: element.byte_range(),
                value,
                via_splat: false,
            });
        }
        (arguments, splats)
    }

    fn value(&self, node: Node) -> Value {
        self.nested_value(node, 0)
    }

    /// A value inside `depth` hashtables. Deeper than any real splat, a hashtable is
    /// `Other`: nothing reads it, and the recursion stays far from the stack's end.
    fn nested_value(&self, node: Node, depth: usize) -> Value {
        const MAX_DEPTH: usize = 16;
        let inner = string_inner(unwrap(node));
        let text = self.text_of(inner);
        let kind = match kind(inner) {
            "string_literal" | "verbatim_string_characters" if text.starts_with(is_quote) => {
                ValueKind::Text(strip_quotes(text).replace("''", "'"))
            }
            "expandable_string_literal" => {
                let raw = strip_quotes(text);
                if named_children(inner).is_empty() && !raw.contains('$') {
                    ValueKind::Text(unescape(raw, true))
                } else {
                    ValueKind::Expandable(raw.to_owned())
                }
            }
            "generic_token"
            | "decimal_integer_literal"
            | "hexadecimal_integer_literal"
            | "real_literal"
            | "simple_name" => ValueKind::Text(text.to_owned()),
            "variable" | "braced_variable" => ValueKind::Variable(normalize_variable(text)),
            "member_access" => {
                let children = named_children(inner);
                match (children.first().map(|c| unwrap(*c)), children.last()) {
                    (Some(target), Some(member)) if kind(target) == "variable" && kind(member) == "member_name" => {
                        ValueKind::Member {
                            variable: normalize_variable(self.text_of(target)),
                            member: self.text_of(*member).to_owned(),
                        }
                    }
                    _ => ValueKind::Other,
                }
            }
            "hash_literal_expression" | "cast_expression" if depth >= MAX_DEPTH => ValueKind::Other,
            "hash_literal_expression" => self
                .hash_entries(inner, depth)
                .map_or(ValueKind::Other, ValueKind::Hashtable),
            "cast_expression" => {
                // `[ordered]@{...}`
                match named_children(inner).last().map(|c| unwrap(*c)) {
                    Some(hash) if kind(hash) == "hash_literal_expression" => self
                        .hash_entries(hash, depth)
                        .map_or(ValueKind::Other, ValueKind::Hashtable),
                    _ => ValueKind::Other,
                }
            }
            _ => ValueKind::Other,
        };
        Value {
            range: node.byte_range(),
            kind,
        }
    }

    /// The entries of a hashtable literal, keys as written; `None` when a key is
    /// computed (`$name = ...`, `"$x" = ...`, `(expr) = ...`): which parameter such an
    /// entry binds is known only when the script runs, so the table is not one we know.
    fn hash_entries(&self, hash: Node, depth: usize) -> Option<Vec<(String, Value)>> {
        let Some(body) = named_children(hash)
            .into_iter()
            .find(|c| kind(c) == "hash_literal_body")
        else {
            return Some(Vec::new());
        };
        named_children(body)
            .into_iter()
            .filter(|entry| kind(entry) == "hash_entry")
            .map(|entry| {
                let parts = named_children(entry);
                let key = string_inner(unwrap(*parts.first()?));
                let value = *parts.last()?;
                let key_text = self.text_of(key);
                let key = match kind(key) {
                    "simple_name" | "generic_token" | "decimal_integer_literal" | "hexadecimal_integer_literal" => {
                        key_text
                    }
                    "string_literal" | "verbatim_string_characters" if key_text.starts_with(is_quote) => {
                        strip_quotes(key_text)
                    }
                    "expandable_string_literal" if named_children(key).is_empty() && !key_text.contains(['$', '`']) => {
                        strip_quotes(key_text)
                    }
                    _ => return None,
                };
                Some((key.to_owned(), self.nested_value(value, depth + 1)))
            })
            .collect()
    }

    fn assignment(&mut self, node: Node) {
        let children = named_children(node);
        let (Some(target), Some(value)) = (children.first(), children.last()) else {
            return;
        };
        let target = unwrap(*target);
        if !matches!(kind(target), "variable" | "braced_variable") || children.len() < 3 {
            return;
        }
        let operator = self.text_of(children[1]);
        let value = if operator.trim() == "=" {
            self.value(*value)
        } else {
            Value {
                range: value.byte_range(),
                kind: ValueKind::Other,
            }
        };
        self.script_parts.assignments.push(Assignment {
            variable: normalize_variable(self.text_of(target)),
            target: target.byte_range(),
            value,
            is_parameter: false,
            place: self.place_of(node),
        });
    }

    fn parameter(&mut self, node: Node) {
        let children = named_children(node);
        let Some(variable) = children.iter().find(|c| kind(*c) == "variable") else {
            return;
        };
        // A parameter without a default still hides any same-named variable outside.
        let default = children.iter().find(|c| kind(*c) == "script_parameter_default");
        let value = match default.and_then(|d| named_children(*d).last().copied()) {
            Some(value) => self.value(value),
            None => Value {
                range: variable.byte_range(),
                kind: ValueKind::Other,
            },
        };
        self.script_parts.assignments.push(Assignment {
            variable: normalize_variable(self.text_of(*variable)),
            target: variable.byte_range(),
            value,
            is_parameter: true,
            place: self.place_of(node),
        });
    }

    fn is_assignment_target(&self, node: Node<'tree>) -> bool {
        let mut current = node;
        for frame in self.ancestors.iter().rev() {
            let parent = frame.node;
            match frame.kind {
                "left_assignment_expression" => return true,
                "assignment_expression" => return parent.named_child(0) == Some(current),
                "script_parameter" => return true,
                // `foreach ($item in $items)`: only `$item` is assigned.
                "foreach_statement" => {
                    return named_children(parent).into_iter().find(|c| kind(c) == "variable") == Some(current)
                }
                k if k.ends_with("_expression") && parent.named_child_count() == 1 => current = parent,
                _ => return false,
            }
        }
        false
    }

    fn variable(&mut self, node: Node) {
        let text = self.text_of(node);
        if text.starts_with('@') || self.is_assignment_target(node) {
            return;
        }
        let member = self
            .parent()
            .filter(|p| kind(p) == "member_access" && p.named_child(0) == Some(node))
            .and_then(|access| {
                let name = named_children(access).into_iter().find(|c| kind(c) == "member_name")?;
                Some((self.text_of(name).to_owned(), access.byte_range()))
            });
        self.script_parts.variables.push(VariableUse {
            name: normalize_variable(text),
            range: node.byte_range(),
            member,
            place: self.place_of(node),
        });
    }

    fn method_call(&mut self, node: Node) {
        let children = named_children(node);
        let Some(method) = children
            .iter()
            .find(|c| kind(*c) == "member_name" || kind(*c) == "simple_name")
        else {
            return;
        };
        let arguments = children
            .iter()
            .find(|c| kind(*c) == "argument_list")
            .and_then(|list| list.named_child(0))
            .map(|list| named_children(list).iter().map(|a| a.byte_range()).collect())
            .unwrap_or_default();
        self.script_parts.method_calls.push(MethodCall {
            method: self.text_of(*method).to_owned(),
            range: node.byte_range(),
            target: children.first().map_or(node.byte_range(), |t| t.byte_range()),
            arguments,
            place: self.place_of(node),
        });
    }

    fn member_access(&mut self, node: Node) {
        let children = named_children(node);
        let (Some(target), Some(member)) = (children.first(), children.last()) else {
            return;
        };
        if children.len() != 2 || !matches!(kind(member), "member_name" | "simple_name") {
            return;
        }
        self.script_parts.members.push(MemberAccess {
            member: self.text_of(*member).to_owned(),
            target: target.byte_range(),
            range: node.byte_range(),
            place: self.place_of(node),
        });
    }

    fn type_name(&mut self, node: Node) {
        let text = self.text_of(node);
        let name = text.trim_start_matches('[').trim_end_matches(']').trim();
        self.script_parts.types.push(TypeName {
            name: name.to_owned(),
            range: node.byte_range(),
            place: self.place_of(node),
        });
    }
}

fn strip_quotes(text: &str) -> &str {
    let text = text.strip_prefix('@').unwrap_or(text);
    let mut chars = text.chars();
    let first = chars.next();
    let last = chars.next_back();
    match (first, last) {
        (Some(a), Some(b)) if is_quote(a) && is_quote(b) => {
            let inner = &text[a.len_utf8()..text.len() - b.len_utf8()];
            inner.strip_suffix('@').unwrap_or(inner)
        }
        _ => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The corpus runbooks end to end, as one script: with and without a `param()`
    /// block first, each runbook's own as a function's.
    fn long_script(param_first: bool) -> String {
        let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        let mut paths: Vec<_> = std::fs::read_dir(folder).unwrap().map(|e| e.unwrap().path()).collect();
        paths.sort();
        let mut script = String::from(if param_first {
            "param([string]$Name = 'x')\n"
        } else {
            "# a long one\n"
        });
        for (i, path) in paths
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "ps1"))
            .enumerate()
        {
            let Ok(text) = std::fs::read_to_string(path) else {
                continue;
            };
            if crate::syntax::parse(&text).root_node().has_error() {
                continue;
            }
            script.push_str(&format!(
                "function Step{i} {{\n{text}\n}}\n$x{i} = 1; Connect-AzAccount -Identity\n"
            ));
        }
        // Comments after the last statement are the root's, after its statement list.
        script.push_str("# the end\n# really\n");
        script
    }

    #[test]
    fn the_two_threads_model_a_broken_long_script_as_one_walk_does() {
        // Brackets, quotes and comment openers dropped into the long script at places a
        // simple generator picks: error recovery reshapes the tree (an ERROR root, an
        // ERROR beside the statement list), and both builds must still agree.
        let base = long_script(true);
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        for piece in ["{", "}", "'", "\"", "@'\n", "<#", "(", "\n}\n", "`", "$("] {
            for _ in 0..3 {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                let at = base.floor_char_boundary((seed >> 33) as usize % base.len());
                let mut text = base.clone();
                text.insert_str(at, piece);
                let tree = crate::syntax::parse(&text);
                let in_one_walk = format!("{:?}", parts_in_one_walk(&text, &tree));
                assert_eq!(
                    format!("{:?}", build_parts(&text, &tree)),
                    in_one_walk,
                    "{piece:?} at {at}"
                );
            }
        }
    }

    #[test]
    fn the_two_threads_model_a_long_script_as_one_walk_does() {
        for param_first in [true, false] {
            let text = long_script(param_first);
            assert!(text.len() > PARALLEL_FROM_BYTES);
            let tree = crate::syntax::parse(&text);
            let root = tree.root_node();
            let kinds: Vec<&str> = (0..root.child_count())
                .map(|i| kind(root.child(i as u32).unwrap()))
                .collect();
            assert_eq!(kind(root), "program");
            let list = kinds
                .iter()
                .position(|k| *k == "statement_list")
                .expect("the parallel path is taken");
            assert!(kinds[list + 1..].contains(&"comment"), "{kinds:?}");
            let in_one_walk = format!("{:?}", parts_in_one_walk(&text, &tree));
            assert_eq!(format!("{:?}", build_parts(&text, &tree)), in_one_walk);
        }
    }

    #[test]
    fn commands_resolve_aliases_prefixes_en_dashes_and_splats() {
        let text = "$c = 'AzureRunAsConnection'\n$conn = get-automationconnection \u{2013}Name $c\n\
                    $p = [ordered]@{ ServicePrincipal = $true; 'TenantId' = $conn.TenantID }\n\
                    $null = Az.Accounts\\Login-AzAccount -Cert:$conn.CertificateThumbprint `\n  -ServicePrincipal @p | Out-Null\n";
        let script = Script::parse(text);
        assert!(script.errors.is_empty(), "{:?}", script.errors);
        let get = script.commands_named("Get-AutomationConnection").next().unwrap();
        assert_eq!(get.assigned_to.as_deref(), Some("conn"));
        assert_eq!(
            script.string_value(get.value_of("Name").unwrap()).as_deref(),
            Some("AzureRunAsConnection")
        );
        let login = script.commands_named("connect-azaccount").next().unwrap();
        assert_eq!(login.written_name, "Az.Accounts\\Login-AzAccount");
        assert!(login.has("ServicePrincipal"));
        let thumb = login.value_of("CertificateThumbprint").unwrap();
        assert_eq!(
            thumb.kind,
            ValueKind::Member {
                variable: "conn".into(),
                member: "CertificateThumbprint".into()
            }
        );
        assert_eq!(login.splats.len(), 1);
        let table = script.splatted_hashtable("p", login.range.start).unwrap();
        let ValueKind::Hashtable(entries) = &table.value.kind else {
            panic!("not a hashtable")
        };
        assert_eq!(entries[1].0, "TenantId");
        assert_eq!(
            login.pipeline,
            script.text.find("Az.Accounts").unwrap()..script.text.len() - 1
        );
        let members: Vec<_> = script
            .uses_of("conn")
            .filter_map(|u| u.member.as_ref().map(|m| m.0.as_str()))
            .collect();
        assert_eq!(members, ["TenantID", "CertificateThumbprint"]);
    }

    #[test]
    fn a_table_with_a_computed_key_is_not_a_known_table() {
        let text = "$a = @{ Name = 'x'; 'Path' = \"p\"; 5 = 1 }\n$b = @{ Name = 'x'; $key = 'y' }\n\
                    $c = @{ \"Id$n\" = 1 }\n$d = [ordered]@{ (Get-Key) = 2 }\n";
        let script = Script::parse(text);
        let kind_of = |variable: &str| &script.assignments_of(variable).iter().next().unwrap().value.kind;
        let ValueKind::Hashtable(entries) = kind_of("a") else {
            panic!("literal keys make a known table")
        };
        let keys: Vec<&str> = entries.iter().map(|(key, _)| key.as_str()).collect();
        assert_eq!(keys, ["Name", "Path", "5"]);
        for computed in ["b", "c", "d"] {
            assert_eq!(kind_of(computed), &ValueKind::Other, "${computed}");
        }
    }

    #[test]
    fn param_defaults_and_blocks_are_recorded() {
        let text = "param([string]$Name = \"AzureRunAsConnection\")\nworkflow W { InlineScript { try { X } catch { if (!$a) { Y } } } }\n";
        let script = Script::parse(text);
        assert_eq!(
            script.constant("name", text.len()).as_deref(),
            Some("AzureRunAsConnection")
        );
        let y = script.commands_named("Y").next().unwrap();
        let kinds: Vec<_> = y.place.blocks.iter().map(|b| b.kind.clone()).collect();
        assert_eq!(
            kinds,
            [
                BlockKind::Workflow,
                BlockKind::InlineScript,
                BlockKind::Catch,
                BlockKind::Branch
            ]
        );
        assert!(!y.place.is_straight_line());
    }

    #[test]
    fn a_call_alone_in_its_statement_allows_an_assignment_and_trailing_blanks() {
        let script = Script::parse("$c = Get-A -Name x   \nif ($d = Get-B) { }\nGet-C | Out-Null\n");
        let alone: Vec<_> = script
            .commands
            .iter()
            .map(|c| (c.name.as_str(), script.is_alone_in_statement(c)))
            .collect();
        assert_eq!(
            alone,
            [("Get-A", true), ("Get-B", false), ("Get-C", true), ("Out-Null", true)]
        );
    }

    #[test]
    fn every_place_s_statement_holds_its_code() {
        // Trailing blanks inside a command's node; a script the parser reads as one
        // ERROR node (the `for` header fused to a sign-in); a `param()` default.
        let texts = [
            "$r = Get-A -Uri \"x\" | ConvertFrom-Json   \n$t = $r.x \n",
            "$c = @{\nwhile ($x) {\n    for ($i = 0; $i -lt 3; $i++)$c = Connect-AzAccount -Identity\n}\n",
            "param($s = (Get-AutomationVariable -Name 'S'))\nGet-B\n",
        ];
        for text in texts {
            let script = Script::parse(text);
            let places = script.commands.iter().map(|c| (&c.place, c.range.clone()));
            for (place, code) in places.chain(script.variables.iter().map(|u| (&u.place, u.range.clone()))) {
                assert!(
                    place.statement.start <= code.start && code.end <= place.statement.end,
                    "{text:?}: {:?} is not in its statement {:?}",
                    &text[code],
                    &text[place.statement.clone()]
                );
            }
        }
        let script = Script::parse(texts[0]);
        let get = script.commands_named("Get-A").next().unwrap();
        assert_eq!(
            script.slice(&get.place.statement),
            "$r = Get-A -Uri \"x\" | ConvertFrom-Json"
        );
    }

    #[test]
    fn strings_and_comments_are_not_code() {
        let script = Script::parse("# Connect-AzAccount -ServicePrincipal\nWrite-Output 'Connect-AzAccount -ServicePrincipal'\n$h = @\"\nConnect-AzAccount\n\"@\n");
        let names: Vec<_> = script.commands.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["Write-Output"]);
        assert_eq!(script.comments.len(), 1);
    }

    #[test]
    fn double_quoted_strings_expand_and_single_quoted_do_not() {
        let script = Script::parse("$id = 'u1'\n$uri = \"users/$id\"\n$raw = 'users/$id'\n");
        let end = script.text.len();
        assert_eq!(script.constant("uri", end).as_deref(), Some("users/u1"));
        assert_eq!(script.constant("raw", end).as_deref(), Some("users/$id"));
    }

    #[test]
    fn only_a_newline_and_using_module_parse() {
        for empty in ["", "\n", "\r\n\r\n", "# only\n# comments\n", "<# block #>\n"] {
            assert!(Script::parse(empty).errors.is_empty(), "{empty:?}");
        }
        let script = Script::parse("using module Az.Accounts\n$a = $b ?? 'x'\n");
        assert!(script.errors.is_empty());
        assert!(script.commands.is_empty());
    }
}
