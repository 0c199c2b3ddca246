//! Running the built `xtask` binary on a scratch tree, for the test binaries that need it.

use std::path::Path;
use std::process::{Command, Output};

/// `cargo xtask <args>` with `XTASK_ROOT` pointing at `root`.
pub fn xtask(root: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .env("XTASK_ROOT", root)
        .output()
        .expect("run xtask")
}

/// Lossy UTF-8 of a process's output.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
