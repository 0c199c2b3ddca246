//! The whole pipeline over a workspace root: docs → spec → client, plus write and check.

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use openapiv3::{OpenAPI, ReferenceOr};
use serde_json::Value;

use crate::codegen;
use crate::naming::lock::{LOCK_FILE, NamesLock};
use crate::openapi::{self, SourceDoc};
use crate::parse;

/// Folder of endpoint docs, relative to the workspace root.
pub const ENDPOINTS_DIR: &str = "spec/endpoints";
/// The OpenAPI description, relative to the workspace root.
pub const SPEC_FILE: &str = "spec/openapi.json";
/// The generated client's source, relative to the workspace root.
pub const CLIENT_FILE: &str = "generated/src/lib.rs";

/// Anything that stops the pipeline; each variant says what and where.
#[derive(Debug)]
pub enum Error {
    /// Reading or writing a file failed.
    Io { path: PathBuf, source: io::Error },
    /// A doc does not follow the layout (`file:line:column: expected ..., found ...`).
    Parse {
        file: String,
        error: parse::ParseError,
    },
    /// The docs parse but do not make a valid spec.
    Convert(openapi::ConvertError),
    /// progenitor or rustfmt failed on the spec. `source` is `(file, operation)` of the doc
    /// whose operation fails on its own; `None` when only the operations together fail.
    Codegen {
        source: Option<(String, String)>,
        error: codegen::CodegenError,
    },
    /// The converter produced a spec known to be invalid; nothing is written.
    Invalid(Vec<String>),
    /// The names lock cannot be read.
    Lock { file: String, message: String },
    /// There is nothing to generate from.
    NoDocs(PathBuf),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io { path, source } => write!(f, "{}: {source}", path.display()),
            Error::Parse { file, error } => write!(f, "{file}:{error}"),
            Error::Convert(e) => write!(f, "{e}"),
            Error::Codegen {
                source: Some((file, operation)),
                error,
            } => write!(f, "{file}: {operation}: {error}"),
            Error::Codegen {
                source: None,
                error,
            } => write!(
                f,
                "{error} (no single operation fails on its own; the docs fail together)"
            ),
            Error::Invalid(problems) => write!(
                f,
                "the spec built from the docs is invalid, so nothing was written (a converter bug; please report it):\n  {}",
                problems.join("\n  ")
            ),
            Error::Lock { file, message } => write!(
                f,
                "{file}: {message} (restore it from version control, or delete it to name every type afresh)"
            ),
            Error::NoDocs(dir) => write!(f, "{}: no endpoint docs (*.md) found", dir.display()),
        }
    }
}

impl std::error::Error for Error {}

/// One file the pipeline produces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Output {
    /// Path relative to the workspace root.
    pub path: &'static str,
    /// Full contents.
    pub contents: String,
}

/// Everything `generate` would write, computed in memory.
#[derive(Clone, Debug)]
pub struct Build {
    /// The spec, then the client source.
    pub outputs: Vec<Output>,
    /// Non-fatal findings to show the user.
    pub warnings: Vec<String>,
}

/// Reads the endpoint docs under `root`, sorted by file name.
pub fn read_docs(root: &Path) -> Result<Vec<(String, String)>, Error> {
    let dir = root.join(ENDPOINTS_DIR);
    let io_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Io { path, source }
    };
    let mut files = Vec::new();
    for entry in fs::read_dir(&dir).map_err(io_err(&dir))? {
        let path = entry.map_err(io_err(&dir))?.path();
        if path.extension().is_some_and(|e| e == "md") {
            files.push(path);
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(Error::NoDocs(dir));
    }
    let mut docs = Vec::new();
    for path in files {
        let text = fs::read_to_string(&path).map_err(io_err(&path))?;
        let shown = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .display()
            .to_string();
        docs.push((shown, text));
    }
    Ok(docs)
}

/// Runs the pipeline on doc texts `(file name, text)` with no names lock: every name is given
/// afresh (see [`crate::naming::lock`]).
pub fn build_from(docs: &[(String, String)]) -> Result<Build, Error> {
    build_with(docs, &NamesLock::default())
}

/// Runs the pipeline on doc texts `(file name, text)`, keeping the names `lock` records.
pub fn build_with(docs: &[(String, String)], lock: &NamesLock) -> Result<Build, Error> {
    let mut parsed = Vec::with_capacity(docs.len());
    for (file, text) in docs {
        let doc = parse::parse(text).map_err(|error| Error::Parse {
            file: file.clone(),
            error,
        })?;
        parsed.push(SourceDoc {
            file: file.clone(),
            doc,
        });
    }
    let converted = openapi::convert(&parsed, lock).map_err(Error::Convert)?;
    let problems = openapi::validate(&converted.spec);
    if !problems.is_empty() {
        return Err(Error::Invalid(problems));
    }
    let spec_json = openapi::to_json(&converted.spec);
    let client = codegen::generate(&converted.spec).map_err(|error| Error::Codegen {
        source: failing_operation(&converted.spec, &parsed),
        error,
    })?;
    Ok(Build {
        outputs: vec![
            Output {
                path: SPEC_FILE,
                contents: spec_json,
            },
            Output {
                path: CLIENT_FILE,
                contents: client,
            },
            Output {
                path: LOCK_FILE,
                contents: converted.lock.to_json(),
            },
        ],
        warnings: converted.warnings,
    })
}

/// Runs the pipeline on the docs under `root`, with the names lock checked in there.
pub fn build(root: &Path) -> Result<Build, Error> {
    build_with(&read_docs(root)?, &read_lock(root)?)
}

/// The names lock under `root`; an empty one when there is none yet.
pub fn read_lock(root: &Path) -> Result<NamesLock, Error> {
    let path = root.join(LOCK_FILE);
    match fs::read_to_string(&path) {
        Ok(text) => NamesLock::parse(&text).map_err(|message| Error::Lock {
            file: LOCK_FILE.to_string(),
            message,
        }),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(NamesLock::default()),
        Err(source) => Err(Error::Io { path, source }),
    }
}

/// The doc (file and operation) whose operation fails code generation on its own, found by
/// generating each operation alone with the components it uses. Runs only after a failure.
fn failing_operation(spec: &OpenAPI, docs: &[SourceDoc]) -> Option<(String, String)> {
    docs.iter().find_map(|src| {
        let alone = operation_alone(spec, &src.doc.path, src.doc.method.as_str())?;
        codegen::generate(&alone)
            .is_err()
            .then(|| (src.file.clone(), openapi::operation_label(&src.doc)))
    })
}

/// `spec` with only the operation `method path` and the components it refers to.
fn operation_alone(spec: &OpenAPI, path: &str, method: &str) -> Option<OpenAPI> {
    let ReferenceOr::Item(item) = spec.paths.paths.get(path)? else {
        return None;
    };
    let (_, op) = item.iter().find(|(m, _)| m.eq_ignore_ascii_case(method))?;
    let mut alone = spec.clone();
    let mut only = openapiv3::PathItem::default();
    match method {
        "GET" => only.get = Some(op.clone()),
        "PUT" => only.put = Some(op.clone()),
        "POST" => only.post = Some(op.clone()),
        "DELETE" => only.delete = Some(op.clone()),
        "OPTIONS" => only.options = Some(op.clone()),
        "HEAD" => only.head = Some(op.clone()),
        "PATCH" => only.patch = Some(op.clone()),
        _ => only.trace = Some(op.clone()),
    }
    alone.paths.paths = [(path.to_string(), ReferenceOr::Item(only))].into();
    let components = alone.components.as_mut()?;
    // Follow `$ref`s from the operation through the components it reaches.
    let mut todo = vec![serde_json::to_value(op).ok()?];
    let mut used = std::collections::BTreeSet::new();
    while let Some(value) = todo.pop() {
        let mut refs = Vec::new();
        collect_refs(&value, &mut refs);
        for name in refs {
            if used.insert(name.clone())
                && let Some(schema) = components.schemas.get(&name)
            {
                todo.push(serde_json::to_value(schema).ok()?);
            }
        }
    }
    components.schemas.retain(|name, _| used.contains(name));
    Some(alone)
}

fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref")
                && let Some(name) = r.strip_prefix("#/components/schemas/")
            {
                out.push(name.to_string());
            }
            map.values().for_each(|v| collect_refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

/// Writes the outputs that differ from what is on disk. Each file is written to a temporary
/// sibling and renamed over the target, so no file is ever left half-written.
pub fn write(root: &Path, build: &Build) -> Result<Vec<&'static str>, Error> {
    let mut written = Vec::new();
    for out in &build.outputs {
        let path = root.join(out.path);
        if fs::read_to_string(&path).is_ok_and(|old| old == out.contents) {
            continue;
        }
        let tmp = path.with_extension("xtask-tmp");
        let io_err = |source| Error::Io {
            path: path.clone(),
            source,
        };
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(io_err)?;
        }
        fs::write(&tmp, &out.contents).map_err(io_err)?;
        fs::rename(&tmp, &path).map_err(io_err)?;
        written.push(out.path);
    }
    Ok(written)
}

/// One checked-in file that differs from what the docs produce.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Drift {
    /// Path relative to the workspace root.
    pub path: String,
    /// Unified diff from the checked-in file to the regenerated one.
    pub diff: String,
}

/// Compares the outputs with the checked-in files; also flags stray files in `generated/src`.
pub fn check(root: &Path, build: &Build) -> Result<Vec<Drift>, Error> {
    let mut drift = Vec::new();
    for out in &build.outputs {
        let path = root.join(out.path);
        let old = match fs::read_to_string(&path) {
            Ok(s) => s,
            Err(e) if e.kind() == io::ErrorKind::NotFound => String::new(),
            Err(source) => return Err(Error::Io { path, source }),
        };
        if old != out.contents {
            let diff = similar::TextDiff::from_lines(&old, &out.contents)
                .unified_diff()
                .context_radius(3)
                .header(
                    &format!("a/{} (checked in)", out.path),
                    &format!("b/{} (from the docs)", out.path),
                )
                .to_string();
            drift.push(Drift {
                path: out.path.to_string(),
                diff,
            });
        }
    }
    let src = root.join("generated/src");
    if let Ok(entries) = fs::read_dir(&src) {
        let mut stray: Vec<String> = entries
            .filter_map(|e| e.ok())
            .map(|e| format!("generated/src/{}", e.file_name().to_string_lossy()))
            .filter(|p| !build.outputs.iter().any(|o| o.path == p))
            .collect();
        stray.sort();
        for path in stray {
            drift.push(Drift {
                diff: format!("{path}: not written by `cargo xtask generate`; remove it\n"),
                path,
            });
        }
    }
    Ok(drift)
}
