//! The whole pipeline over a workspace root: docs → spec → client, plus write and check.

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::codegen;
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
    /// progenitor or rustfmt failed on the spec.
    Codegen(codegen::CodegenError),
    /// There is nothing to generate from.
    NoDocs(PathBuf),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io { path, source } => write!(f, "{}: {source}", path.display()),
            Error::Parse { file, error } => write!(f, "{file}:{error}"),
            Error::Convert(e) => write!(f, "{e}"),
            Error::Codegen(e) => write!(f, "{e}"),
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

/// Runs the pipeline on doc texts `(file name, text)`.
pub fn build_from(docs: &[(String, String)]) -> Result<Build, Error> {
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
    let converted = openapi::convert(parsed).map_err(Error::Convert)?;
    let spec_json = openapi::to_json(&converted.spec);
    let client = codegen::generate(&converted.spec).map_err(Error::Codegen)?;
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
        ],
        warnings: converted.warnings,
    })
}

/// Runs the pipeline on the docs under `root`.
pub fn build(root: &Path) -> Result<Build, Error> {
    build_from(&read_docs(root)?)
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
