//! A realistic API's worth of docs (250 generated endpoint docs, see `common/corpus.rs`) goes
//! through `cargo xtask generate`, and `cargo xtask check` then finds no drift. Not timed:
//! `cargo bench -p xtask` measures it (see BENCHMARKS.md).

use std::fs;

mod common;
#[path = "common/corpus.rs"]
mod corpus;
use common::{ERROR_CODES, STATUS};

#[path = "common/run.rs"]
mod run;
use run::{text, xtask};

#[test]
fn two_hundred_fifty_docs_generate_and_check_clean() {
    let dir = tempfile::tempdir().expect("temp dir");
    let docs = corpus::docs(250);
    fs::create_dir_all(dir.path().join("spec/endpoints")).expect("mkdir");
    for (file, doc) in &docs {
        fs::write(dir.path().join(file), doc).expect("write doc");
    }

    let out = xtask(dir.path(), &["generate"]);
    assert!(out.status.success(), "generate: {}", text(&out.stderr));
    let spec: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(dir.path().join("spec/openapi.json")).expect("spec written"),
    )
    .expect("spec is JSON");
    let operations: usize = spec["paths"]
        .as_object()
        .expect("paths")
        .values()
        .map(|item| item.as_object().map_or(0, |m| m.len()))
        .sum();
    assert_eq!(operations, 250);
    // The seed's shared shapes stay shared at scale.
    let schemas = spec["components"]["schemas"].as_object().expect("schemas");
    assert_eq!(schemas["Status"]["enum"], serde_json::json!(STATUS));
    assert_eq!(schemas["ErrorCode"]["enum"], serde_json::json!(ERROR_CODES));
    let client = fs::read_to_string(dir.path().join("generated/src/lib.rs")).expect("client");
    assert!(
        client.contains("pub fn get_locations(&self)"),
        "builder method"
    );
    assert!(client.contains("pub struct ErrorEnvelope"));

    let out = xtask(dir.path(), &["check"]);
    assert!(
        out.status.success(),
        "check: {}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert!(text(&out.stdout).contains("no drift"));
}
