//! Running the `mimigrate` binary from the integration tests.
#![allow(dead_code)] // each test file uses its own subset

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Run `mimigrate args` in `dir`.
pub fn mimigrate(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mimigrate"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("mimigrate runs")
}

/// Run `mimigrate args` in `dir` with `input` on stdin.
pub fn mimigrate_with_stdin(args: &[&str], dir: &Path, input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mimigrate"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("mimigrate starts");
    child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(input)
        .expect("stdin takes the script");
    child.wait_with_output().expect("mimigrate ends")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}
