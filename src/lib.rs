//! mimigrate: find and rewrite retired Azure Automation Run As sign-in in PowerShell
//! runbooks. One engine (`lint`) produces `Diagnostic`s; every front end consumes them.

pub mod diagnostic;
pub mod lint;
pub mod rules;
pub mod source;
pub mod syntax;
pub mod target;
