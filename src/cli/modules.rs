//! `mimigrate modules`: the modules each script needs.

use std::process::ExitCode;

use clap::Args;

use super::inputs::FileArgs;

#[derive(Args)]
pub struct ModulesArgs {
    #[command(flatten)]
    files: FileArgs,
}

pub fn run(args: ModulesArgs, _quiet: bool) -> Result<ExitCode, String> {
    let _ = args.files.load()?;
    Err("`modules` is not built yet".into())
}
