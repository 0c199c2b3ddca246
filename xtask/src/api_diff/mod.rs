//! `cargo xtask api-diff --base <rev>`: the public Rust API of the published crates at a git
//! revision against the working tree's.
//!
//! A complement to cargo-semver-checks, which has no lint comparing types (a method's return
//! or parameter type, a field's or a const's type may change unreported). Both trees are
//! documented as rustdoc JSON with the stable toolchain (`RUSTC_BOOTSTRAP=1`), into
//! `target/api-diff/{base,head}` so reruns are incremental, and read as plain JSON (no
//! pinned `rustdoc-types`, so a newer format still reads).

pub mod compare;
pub mod render;
pub mod walk;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

pub use compare::{Change, compare};
pub use walk::{Entry, Surface, surface};

/// The crates checked when none is named: the published ones.
pub const DEFAULT_CRATES: [&str; 2] = ["uberall-sdk", "uberall-client"];

/// One crate's changes.
pub struct CrateReport {
    pub krate: String,
    pub changes: Vec<Change>,
}

impl CrateReport {
    pub fn breaking(&self) -> usize {
        self.changes.iter().filter(|c| c.breaking).count()
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        if self.changes.is_empty() {
            out.push_str(&format!("{}: no public API change\n", self.krate));
        }
        for change in &self.changes {
            out.push_str(&change.line);
            out.push('\n');
        }
        out
    }
}

/// The reports for `crates` from revision `base` of the repository holding `root` to the
/// working tree at `root`.
pub fn run(root: &Path, base: &str, crates: &[String]) -> Result<Vec<CrateReport>, String> {
    let root = &root
        .canonicalize()
        .map_err(|e| format!("cannot resolve {}: {e}", root.display()))?;
    let commit = resolve(root, base)?;
    let work = target_dir(root).join("api-diff");
    let tree = work.join("base-src");
    let exported = Export::new(root, &commit, &tree)?;
    let mut reports = Vec::new();
    for krate in crates {
        let old = document(&exported.dir, krate, &work.join("base"))
            .map_err(|e| format!("at {base}: {e}"))?;
        let new = document(root, krate, &work.join("head"))
            .map_err(|e| format!("in the working tree: {e}"))?;
        let old = surface(&old.0, &format!("{} (at {base})", old.1.display()))?;
        let new = surface(&new.0, &format!("{} (working tree)", new.1.display()))?;
        reports.push(CrateReport {
            krate: krate.clone(),
            changes: compare(&old, &new),
        });
    }
    drop(exported);
    Ok(reports)
}

fn resolve(root: &Path, rev: &str) -> Result<String, String> {
    // A revision starting with `-` would be read by git as an option.
    if rev.is_empty() || rev.starts_with('-') {
        return Err(format!("`{rev}` is not a git revision"));
    }
    let out = Command::new("git")
        .args([
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{rev}^{{commit}}"),
        ])
        .current_dir(root)
        .output()
        .map_err(|e| format!("cannot run git to resolve `{rev}`: {e}"))?;
    let commit = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if !out.status.success() || commit.is_empty() {
        return Err(format!(
            "`{rev}` is not a commit of the repository at {}",
            root.display()
        ));
    }
    Ok(commit)
}

/// The target directory cargo uses for `root` (`CARGO_TARGET_DIR` or `root/target`).
fn target_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => root.join(dir),
        _ => root.join("target"),
    }
}

/// The tree of a commit, written out with `git archive` and removed when dropped. Always
/// the same directory, so that cargo's build of the base stays incremental across runs.
struct Export {
    dir: PathBuf,
}

impl Export {
    fn new(root: &Path, commit: &str, dir: &Path) -> Result<Export, String> {
        remove(dir)?;
        fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let export = Export {
            dir: dir.to_path_buf(),
        };
        // `:./` exports the tree at `root`, which need not be the repository's top level.
        let mut git = Command::new("git")
            .args(["archive", "--format=tar", &format!("{commit}:./")])
            .current_dir(root)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run git archive: {e}"))?;
        let archive = git.stdout.take().ok_or("git archive has no stdout")?;
        let tar = Command::new("tar")
            .args(["-x", "-f", "-", "-C"])
            .arg(dir)
            .stdin(archive)
            .output()
            .map_err(|e| format!("cannot run tar: {e}"))?;
        let git = git
            .wait_with_output()
            .map_err(|e| format!("waiting for git archive: {e}"))?;
        if !git.status.success() {
            return Err(format!(
                "git archive {commit} failed: {}",
                String::from_utf8_lossy(&git.stderr).trim()
            ));
        }
        if !tar.status.success() {
            return Err(format!(
                "extracting {commit} into {} failed: {}",
                dir.display(),
                String::from_utf8_lossy(&tar.stderr).trim()
            ));
        }
        Ok(export)
    }
}

impl Drop for Export {
    fn drop(&mut self) {
        if let Err(e) = remove(&self.dir) {
            eprintln!("warning: {e}");
        }
    }
}

fn remove(dir: &Path) -> Result<(), String> {
    match fs::remove_dir_all(dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(format!("cannot remove {}: {e}", dir.display())),
    }
}

/// `krate`'s rustdoc JSON for the workspace at `tree`, built into `target`; with the path
/// of the file it was read from.
fn document(tree: &Path, krate: &str, target: &Path) -> Result<(Value, PathBuf), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let args = [
        "rustdoc",
        "--quiet",
        "-p",
        krate,
        "--all-features",
        "--target-dir",
    ];
    let status = Command::new(&cargo)
        .args(args)
        .arg(target)
        .args(["--", "-Z", "unstable-options", "--output-format", "json"])
        // rustdoc's JSON output is unstable; this lets the stable toolchain write it.
        .env("RUSTC_BOOTSTRAP", "1")
        .current_dir(tree)
        .stdout(Stdio::null())
        .status()
        .map_err(|e| format!("cannot run `{cargo}`: {e}"))?;
    if !status.success() {
        return Err(format!(
            "`cargo rustdoc -p {krate} --all-features -- --output-format json` failed ({status})"
        ));
    }
    let file = target
        .join("doc")
        .join(format!("{}.json", krate.replace('-', "_")));
    let bytes = fs::read(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let doc = serde_json::from_slice(&bytes)
        .map_err(|e| format!("{} is not valid JSON: {e}", file.display()))?;
    Ok((doc, file))
}
