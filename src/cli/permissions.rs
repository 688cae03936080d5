//! `mimigrate permissions`: what the managed identity must be granted.

use std::process::ExitCode;

use clap::Args;

use super::inputs::FileArgs;

#[derive(Args)]
pub struct PermissionsArgs {
    #[command(flatten)]
    files: FileArgs,
}

pub fn run(args: PermissionsArgs, _quiet: bool) -> Result<ExitCode, String> {
    let _ = args.files.load()?;
    Err("`permissions` is not built yet".into())
}
