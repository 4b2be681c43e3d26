//! Helpers shared by the CLI test binaries: run the built `authsim` and read
//! what it wrote to stderr. (Each test binary compiles this module on its
//! own and uses a part of it.)
#![allow(dead_code)]

use std::process::{Command, Output};

/// Runs the `authsim` binary of this build with `args`.
pub fn authsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_authsim"))
        .args(args)
        .output()
        .expect("runs")
}

/// What a run wrote to stderr, as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
