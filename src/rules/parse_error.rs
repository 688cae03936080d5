//! MI902 parse-error (docs: rules/MI902.md): the file has syntax the parser could not
//! read. Reported once, at the first unreadable region; fixes touching any such region
//! are withheld by the engine.

use super::PARSE_ERROR;
use crate::diagnostic::Diagnostic;
use crate::syntax::model::Script;

pub fn check(script: &Script) -> Option<Diagnostic> {
    let first = script.errors.first()?;
    let regions = script.errors.len();
    let message = format!(
        "the parser could not read this syntax ({regions} region{}); findings inside it may be missed and fixes touching it are withheld",
        if regions == 1 { "" } else { "s" }
    );
    Some(PARSE_ERROR.diagnostic(first.clone(), message, None))
}
