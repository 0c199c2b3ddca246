//! A scratch workspace generated from the seed doc alone (needs `mod run` at the crate root).

use std::path::Path;

use crate::run::{text, xtask};

/// A scratch workspace holding only the seed doc and what `cargo xtask generate` writes
/// from it, so that tests about the seed do not depend on the other docs in `spec/endpoints`.
pub fn seed_tree() -> tempfile::TempDir {
    const SEED: &str = "spec/endpoints/post_users_logout.md";
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root");
    let dir = tempfile::tempdir().expect("temp dir");
    let to = dir.path().join(SEED);
    std::fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
    std::fs::copy(workspace.join(SEED), &to).expect("copy the seed doc");
    let out = xtask(dir.path(), &["generate"]);
    assert!(
        out.status.success(),
        "generate on the seed: {}",
        text(&out.stderr)
    );
    dir
}
