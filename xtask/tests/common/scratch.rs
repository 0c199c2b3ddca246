//! Scratch copies of the workspace, for the tests that build or run something in one.

use std::fs;
use std::path::Path;

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
