//! mimigrate: find and rewrite retired Azure Automation Run As sign-in in PowerShell
//! runbooks. One engine (`lint`) produces `Diagnostic`s; every front end consumes them.

pub mod cache;
pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod discover;
pub mod fix;
pub mod graphical;
pub mod lint;
#[cfg(feature = "lsp")]
pub mod lsp;
pub mod modules;
pub mod output;
pub mod permissions;
pub mod rules;
pub mod source;
pub mod spans;
pub mod syntax;
pub mod tables;
pub mod target;
pub mod write;
