//! Scratch copies of the workspace, for the tests that build or run something in one.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// Copies the directory tree `from` to `to`.
pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("mkdir");
    for entry in fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("dir entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// `manifest` with its one-line `members = [...]` replaced by `members`.
pub fn with_members(manifest: &str, members: &[&str]) -> String {
    let list = members
        .iter()
        .map(|m| format!("{m:?}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut replaced = 0;
    let mut out = String::with_capacity(manifest.len());
    for line in manifest.lines() {
        if line.starts_with("members") && line.contains('=') && line.trim_end().ends_with(']') {
            replaced += 1;
            out.push_str(&format!("members = [{list}]"));
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    assert_eq!(
        replaced, 1,
        "the workspace Cargo.toml should have one single-line `members = [...]`"
    );
    out
}

/// What a cargo command in a scratch tree printed.
pub struct CargoRun {
    /// Whether it exited successfully.
    pub success: bool,
    /// Its exit status, for messages.
    pub status: std::process::ExitStatus,
    /// Standard output, lossily decoded.
    pub stdout: String,
    /// Standard error, lossily decoded.
    pub stderr: String,
}

/// Runs `cargo <args> --manifest-path <root>/Cargo.toml` offline in the scratch tree `root`,
/// building into `target/scratch-sdk`: inside the real target dir, so compiled dependencies
/// survive between runs (and are shared by every test that builds a scratch tree), but not
/// the target dir itself, which the `cargo test` running the test holds locked. `what` names
/// the run in the timing line.
pub fn cargo_in(root: &Path, args: &[&str], what: &str) -> CargoRun {
    let target_dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("target dir")
        .join("scratch-sdk");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let started = Instant::now();
    let out = Command::new(cargo)
        .args(args)
        .arg("--offline")
        .arg("--manifest-path")
        .arg(root.join("Cargo.toml"))
        .current_dir(root)
        .env("CARGO_TARGET_DIR", &target_dir)
        .output()
        .expect("run cargo");
    eprintln!(
        "built and ran {what} in {:.1?} (target dir {})",
        started.elapsed(),
        target_dir.display()
    );
    CargoRun {
        success: out.status.success(),
        status: out.status,
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The workspace this test crate belongs to.
pub fn workspace() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
}

/// xtask's test fixtures (extra endpoint docs, the scratch SDK program).
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// A temp copy of the workspace holding `members` (each copied when it is a directory of the
/// workspace; others the caller adds), the manifest cut down to them, the lock file, `spec/`,
/// and the fixture docs `docs` added under `spec/endpoints/`. xtask is never a member: the
/// tests run the built binary on the copy.
pub fn workspace_copy(members: &[&str], docs: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    let manifest = fs::read_to_string(workspace().join("Cargo.toml")).expect("Cargo.toml");
    fs::write(root.join("Cargo.toml"), with_members(&manifest, members)).expect("write Cargo.toml");
    fs::copy(workspace().join("Cargo.lock"), root.join("Cargo.lock")).expect("copy Cargo.lock");
    copy_dir(&workspace().join("spec"), &root.join("spec"));
    for member in members {
        let from = workspace().join(member);
        if from.is_dir() {
            copy_dir(&from, &root.join(member));
        }
    }
    for doc in docs {
        fs::copy(fixtures().join(doc), root.join("spec/endpoints").join(doc)).expect("copy doc");
    }
    dir
}
