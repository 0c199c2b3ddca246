//! Every public item of the SDK (`uberall-sdk` with `test-util`, as docs.rs documents it) has
//! a doc example or an intra-doc link to one (issue 14): read from rustdoc's JSON output,
//! checked by `xtask::doc_examples`. Enum variants, fields and trait-impl items are exempt.
//!
//! rustdoc runs into `<target dir>/sdk-rustdoc-json`, so that its dependencies are checked once
//! and later runs redo only the SDK (a few seconds warm).

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use serde_json::{Value, json};
use xtask::doc_examples::missing;

#[test]
fn every_public_sdk_item_has_an_example_or_a_link() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root");
    // Not the target dir itself, which the `cargo test` running this test holds locked.
    let target_dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("target dir")
        .join("sdk-rustdoc-json");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let started = Instant::now();
    let out = Command::new(cargo)
        .args([
            "rustdoc",
            "--offline",
            "-p",
            "uberall-sdk",
            "--features",
            "test-util",
            "--",
            "-Z",
            "unstable-options",
            "--output-format",
            "json",
        ])
        .current_dir(root)
        .env("CARGO_TARGET_DIR", &target_dir)
        // JSON output is unstable in rustdoc; the stable toolchain emits it with this set.
        .env("RUSTC_BOOTSTRAP", "1")
        .output()
        .expect("run cargo rustdoc");
    assert!(
        out.status.success(),
        "cargo rustdoc failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let file = target_dir.join("doc/uberall_sdk.json");
    let text = std::fs::read_to_string(&file)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
    let doc: Value = serde_json::from_str(&text).expect("rustdoc JSON");
    let lacking = missing(&doc).expect("walk the rustdoc JSON");
    eprintln!(
        "rustdoc JSON built and checked in {:.1?}",
        started.elapsed()
    );
    assert!(
        lacking.is_empty(),
        "{} public items of uberall-sdk have neither a doc example (```) nor an intra-doc link to one:\n  {}",
        lacking.len(),
        lacking.join("\n  ")
    );
}

/// A crate `demo` as rustdoc's JSON lists it: a module item per id, `links` per item.
fn demo_crate() -> Value {
    let item = |name: &str, docs: &str, links: Value, inner: Value| {
        json!({ "name": name, "docs": docs, "links": links, "crate_id": 0,
                "visibility": "public", "inner": inner })
    };
    json!({
        "root": 0,
        "index": {
            "0": item("demo", "```\n```", json!({}), json!({ "module": { "items": [1, 5, 6, 7] } })),
            "1": item("Thing", "A thing.\n```\nlet _ = 1;\n```", json!({}), json!({ "struct": { "impls": [2, 9] } })),
            "2": item("", "", json!({}), json!({ "impl": { "trait": null, "items": [3, 4, 8] } })),
            "3": item("linked", "See [`Thing`].", json!({ "`Thing`": 1 }), json!({ "function": {} })),
            "4": item("bare", "No example.", json!({}), json!({ "function": {} })),
            "5": item("helper", "Text only.", json!({}), json!({ "function": {} })),
            "6": item("Ext", "", json!({}), json!({ "use": { "name": "Ext", "id": 99, "source": "other::Ext" } })),
            "7": item("Local", "", json!({}), json!({ "use": { "name": "Local", "id": 1, "source": "m::Thing" } })),
            "8": { "name": "private", "docs": "", "links": {}, "crate_id": 0, "visibility": "crate",
                   "inner": { "function": {} } },
            "9": item("", "", json!({}), json!({ "impl": { "trait": { "path": "Clone" }, "items": [10] } })),
            "10": item("clone", "", json!({}), json!({ "function": {} }))
        }
    })
}

#[test]
fn items_without_example_or_link_are_listed_and_exempt_ones_are_not() {
    let lacking = missing(&demo_crate()).expect("walk");
    assert_eq!(lacking, ["demo::Thing::bare", "demo::helper", "demo::Ext"]);
}

#[test]
fn json_that_is_not_rustdoc_s_is_an_error() {
    assert!(missing(&json!({ "root": 0 })).is_err());
    assert!(missing(&json!({ "root": 0, "index": { "1": {} } })).is_err());
}
