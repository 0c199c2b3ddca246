//! `cargo xtask api-diff --base <rev>` on a scratch git repository holding one tiny crate
//! (no dependencies): the committed version is the base, the working tree the change.

use std::fs;
use std::path::Path;
use std::process::Command;

#[path = "common/run.rs"]
mod run;
use run::{text, xtask};

const MANIFEST: &str = r#"[workspace]

[package]
name = "tiny-api"
version = "0.1.0"
edition = "2021"
"#;

const BASE: &str = r#"//! A crate whose API the tests change.

/// A thing.
pub struct Thing {
    /// How big.
    pub size: u32,
    hidden: u8,
}

impl Thing {
    /// Its status.
    pub fn status(&self) -> u16 {
        u16::from(self.hidden)
    }

    /// Unchanged.
    pub fn same(&self, other: &str) -> bool {
        other.is_empty()
    }
}

/// Removed by the change.
pub fn gone() {}
"#;

fn git(root: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=xtask test",
            "-c",
            "user.email=xtask@test.invalid",
        ])
        .args(["-c", "commit.gpgsign=false"])
        .args(args)
        .current_dir(root)
        .output()
        .expect("run git");
    assert!(out.status.success(), "git {args:?}: {}", text(&out.stderr));
}

/// A repository whose one commit holds the crate with `BASE` as its lib.rs.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::create_dir(dir.path().join("src")).expect("src");
    fs::write(dir.path().join("Cargo.toml"), MANIFEST).expect("manifest");
    fs::write(dir.path().join("src/lib.rs"), BASE).expect("lib.rs");
    fs::write(dir.path().join(".gitignore"), "/target\n").expect(".gitignore");
    git(dir.path(), &["init", "--quiet"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "--quiet", "-m", "base"]);
    dir
}

fn edit(root: &Path, from: &str, to: &str) {
    let path = root.join("src/lib.rs");
    let text = fs::read_to_string(&path).expect("read lib.rs");
    assert!(text.contains(from), "lib.rs holds {from:?}");
    fs::write(&path, text.replacen(from, to, 1)).expect("write lib.rs");
}

#[test]
fn changed_removed_and_added_items_are_reported_and_a_break_fails() {
    let dir = repo();
    let root = dir.path();
    edit(
        root,
        "pub fn status(&self) -> u16 {\n        u16::from(self.hidden)",
        "pub fn status(&self) -> Option<u16> {\n        Some(u16::from(self.hidden))",
    );
    edit(root, "pub size: u32", "pub size: u64");
    edit(
        root,
        "/// Removed by the change.\npub fn gone() {}",
        "/// Added by the change.\npub fn fresh(name: &str) -> String {\n    name.to_string()\n}",
    );

    let out = xtask(root, &["api-diff", "--base", "HEAD", "-p", "tiny-api"]);
    let stdout = text(&out.stdout);
    let stderr = text(&out.stderr);
    assert!(!out.status.success(), "a break must fail: {stdout}");
    let lines: Vec<&str> = stdout.lines().skip(1).collect();
    assert_eq!(
        lines,
        [
            "breaking: tiny_api::Thing::size: signature changed: u32 => u64",
            "breaking: tiny_api::Thing::status: signature changed: fn(&self) -> u16 => fn(&self) -> Option<u16>",
            "compatible: tiny_api::fresh: added",
            "breaking: tiny_api::gone: removed",
        ],
        "{stdout}\n{stderr}"
    );
    assert!(
        stderr.contains("3 breaking changes to the public Rust API since HEAD"),
        "{stderr}"
    );
    assert!(
        !root.join("target/api-diff/base-src").exists(),
        "the exported base tree is removed afterwards"
    );
}

#[test]
fn additions_alone_pass_and_a_new_variant_of_an_exhaustive_enum_does_not() {
    let dir = repo();
    let root = dir.path();
    let additions = "/// Added.\npub const LIMIT: usize = 3;\n\n\
                     /// Added.\n#[non_exhaustive]\npub enum Open {\n    /// One.\n    A,\n}\n\n\
                     /// Added.\npub enum Closed {\n    /// One.\n    A,\n}\n";
    fs::write(root.join("src/lib.rs"), format!("{BASE}\n{additions}")).expect("write");
    git(root, &["commit", "--quiet", "-am", "enums"]);
    edit(
        root,
        "pub fn gone() {}",
        "pub fn gone() {}\n\n/// Added.\npub fn fresh() {}",
    );
    let out = xtask(root, &["api-diff", "--base", "HEAD", "-p", "tiny-api"]);
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", text(&out.stderr));
    assert_eq!(
        stdout.lines().skip(1).collect::<Vec<_>>(),
        ["compatible: tiny_api::fresh: added"]
    );

    edit(
        root,
        "    A,\n}\n\n/// Added.\npub enum Closed",
        "    A,\n    /// Two.\n    B,\n}\n\n/// Added.\npub enum Closed",
    );
    edit(
        root,
        "pub enum Closed {\n    /// One.\n    A,",
        "pub enum Closed {\n    /// One.\n    A,\n    /// Two.\n    B,",
    );
    let out = xtask(root, &["api-diff", "--base", "HEAD", "-p", "tiny-api"]);
    let stdout = text(&out.stdout);
    assert!(!out.status.success(), "{stdout}");
    assert_eq!(
        stdout.lines().skip(1).collect::<Vec<_>>(),
        [
            "breaking: tiny_api::Closed::B: added, a variant of an exhaustive enum (matches must handle it)",
            "compatible: tiny_api::Open::B: added",
            "compatible: tiny_api::fresh: added",
        ]
    );
}

#[test]
fn an_unknown_revision_is_named() {
    let dir = repo();
    let out = xtask(
        dir.path(),
        &["api-diff", "--base", "no-such-rev", "-p", "tiny-api"],
    );
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(stderr.contains("`no-such-rev` is not a commit"), "{stderr}");
}

#[test]
fn odd_rustdoc_json_is_an_error_naming_what_is_missing() {
    use serde_json::json;
    use xtask::api_diff::surface;
    let err = surface(&json!({ "index": {} }), "a.json").unwrap_err();
    assert_eq!(err, "a.json is not rustdoc JSON (no `format_version`)");
    let doc = json!({
        "format_version": 57, "root": 0, "paths": {},
        "index": { "0": { "id": 0, "name": "c", "inner": { "module": { "items": [7] } } } }
    });
    let err = surface(&doc, "b.json").unwrap_err();
    assert_eq!(err, "b.json: item 7 (under c) is not in `index`");
}
