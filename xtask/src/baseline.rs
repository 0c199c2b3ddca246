//! The two specs a change report compares, read so that every failure names what it read.

use std::fs;
use std::io;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

use crate::pipeline::{self, SPEC_FILE};

/// `spec/openapi.json` as committed at git revision `rev` of the repository holding `root`.
pub fn at_revision(root: &Path, rev: &str) -> Result<Value, String> {
    // A revision starting with `-` would be read by git as an option.
    if rev.is_empty() || rev.starts_with('-') {
        return Err(format!("`{rev}` is not a git revision"));
    }
    // `./` makes the path relative to `root`, which need not be the repository's top level.
    let out = Command::new("git")
        .args(["show", &format!("{rev}:./{SPEC_FILE}")])
        .current_dir(root)
        .output()
        .map_err(|e| format!("cannot run git to read {SPEC_FILE} at `{rev}`: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "cannot read {SPEC_FILE} at revision `{rev}`: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    parse(&out.stdout, &format!("{SPEC_FILE} at revision `{rev}`"))
}

/// The checked-in `spec/openapi.json` on disk; `None` when there is none yet.
pub fn on_disk(root: &Path) -> Result<Option<Value>, String> {
    match fs::read(root.join(SPEC_FILE)) {
        Ok(bytes) => parse(&bytes, SPEC_FILE).map(Some),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("cannot read {SPEC_FILE}: {e}")),
    }
}

/// The spec a pipeline run produced.
pub fn built(build: &pipeline::Build) -> Result<Value, String> {
    let out = build
        .outputs
        .iter()
        .find(|o| o.path == SPEC_FILE)
        .ok_or_else(|| format!("the pipeline produced no {SPEC_FILE}"))?;
    parse(
        out.contents.as_bytes(),
        &format!("the generated {SPEC_FILE}"),
    )
}

fn parse(bytes: &[u8], what: &str) -> Result<Value, String> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(v) if v.is_object() => Ok(v),
        Ok(_) => Err(format!(
            "{what} is not an OpenAPI document (not a JSON object)"
        )),
        Err(e) => Err(format!("{what} is not valid JSON: {e}")),
    }
}
