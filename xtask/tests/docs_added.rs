//! Adding docs never breaks the suite: a scratch copy of the workspace gains docs of several
//! shapes (a path parameter, a query, a JSON body, empty response sections, a `status` with one
//! value more than the seed's, a path matching `GET /users/logout`), and the suite's own checks
//! run there: `cargo xtask generate` and `check`, then the `tests` crate's targets that hold
//! for any docs.
//!
//! Those targets are `mock`, `session`, `generated_client` and `decode`: they exercise the
//! embedded mock's routing, the session and the generated types of the seed, which other docs
//! must leave alone. The rest of `tests/` (`calls`, `retry`, `security`, `env`) does not read
//! the operations table or the enums, and is left out to keep the cost down on 2 cores.
//!
//! Built offline into `<target dir>/scratch-sdk`, the directory `scratch_sdk` uses, so
//! compiled dependencies are shared and later runs rebuild only the workspace's own crates.

use std::fs;

#[path = "common/run.rs"]
mod run;
#[path = "common/scratch.rs"]
mod scratch;
use run::{text, xtask};
use scratch::{cargo_in, workspace, workspace_copy};

/// Docs added to the scratch tree, from `tests/fixtures/`.
const DOCS: [&str; 4] = [
    "get_locations_location_id.md",
    "get_locations.md",
    "post_locations.md",
    "get_users_id.md",
];

/// The `tests` crate's targets that must pass whatever the docs.
const TARGETS: [&str; 4] = ["mock", "session", "generated_client", "decode"];

/// The workspace without xtask (run as the built binary instead), plus the extra docs.
fn scratch() -> tempfile::TempDir {
    workspace_copy(&["generated", "sdk", "tests"], &DOCS)
}

#[test]
fn the_suite_stays_green_with_docs_of_every_shape_added() {
    let dir = scratch();
    let root = dir.path();

    let out = xtask(root, &["generate"]);
    assert!(out.status.success(), "generate: {}", text(&out.stderr));
    let out = xtask(root, &["check"]);
    assert!(out.status.success(), "check: {}", text(&out.stderr));
    let client = fs::read_to_string(root.join("generated/src/lib.rs")).expect("generated client");
    for op in ["get_users_id", "get_locations", "post_locations"] {
        assert!(
            client.contains(&format!("pub fn {op}(&self)")),
            "the regenerated client has no `{op}`"
        );
    }
    // The added value joins the one pooled `Status`, so the seed's tests now see it as known.
    let before = fs::read_to_string(workspace().join("generated/src/lib.rs")).expect("lib.rs");
    assert!(
        !before.contains("DocsAddedTestStatus") && client.contains("DocsAddedTestStatus"),
        "Status gained DOCS_ADDED_TEST_STATUS, which no doc of the repo lists"
    );

    let mut args = vec!["test", "-p", "uberall-tests"];
    for target in TARGETS {
        args.extend(["--test", target]);
    }
    let run = cargo_in(root, &args, &format!("{TARGETS:?}"));
    let (stdout, stderr) = (&run.stdout, &run.stderr);
    assert!(
        run.success,
        "the tests crate failed with the added docs ({}).\nstdout:\n{stdout}\nstderr:\n{stderr}",
        run.status
    );
    for target in TARGETS {
        assert!(
            stderr.contains(&format!("tests/{target}.rs")),
            "target {target} did not run.\nstderr:\n{stderr}"
        );
    }
    dir.close().expect("remove the scratch tree");
}
