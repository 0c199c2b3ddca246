//! `cargo xtask` acts on the checkout it is run in, even when several checkouts share one
//! target directory (a global `build.target-dir`, git worktrees) and so run one binary: two
//! scratch copies of the workspace, one shared `CARGO_TARGET_DIR`, a doc added to the second.
//!
//! The xtask binary is built offline into `<target dir>/scratch-xtask`, so its dependencies
//! compile once and later runs only rebuild xtask itself.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

#[path = "common/scratch.rs"]
#[allow(dead_code)] // this test copies trees but runs cargo its own way (two target dirs)
mod scratch;
use scratch::{copy_dir, with_members};

fn workspace() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
}

/// A copy of the workspace reduced to what `cargo xtask generate` needs.
fn checkout() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let root = dir.path();
    let manifest = fs::read_to_string(workspace().join("Cargo.toml")).expect("Cargo.toml");
    fs::write(root.join("Cargo.toml"), with_members(&manifest, &["xtask"])).expect("manifest");
    fs::copy(workspace().join("Cargo.lock"), root.join("Cargo.lock")).expect("Cargo.lock");
    for d in [".cargo", "spec", "generated"] {
        copy_dir(&workspace().join(d), &root.join(d));
    }
    let xtask = root.join("xtask");
    for d in ["src", "benches"] {
        copy_dir(&workspace().join("xtask").join(d), &xtask.join(d));
    }
    fs::copy(
        workspace().join("xtask/Cargo.toml"),
        xtask.join("Cargo.toml"),
    )
    .expect("copy");
    dir
}

/// `cargo xtask generate` run from `dir` (not the root: the root is found at run time).
fn generate(root: &Path, target_dir: &Path) -> Output {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    Command::new(cargo)
        .args(["xtask", "generate"])
        .current_dir(root.join("spec"))
        .env("CARGO_TARGET_DIR", target_dir)
        .env("CARGO_NET_OFFLINE", "true")
        .env_remove("XTASK_ROOT")
        .env_remove("CARGO_MANIFEST_DIR")
        .output()
        .expect("run cargo xtask")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn each_checkout_is_generated_by_the_shared_binary() {
    // Inside the real target dir (dependencies survive between runs), not the target dir
    // itself, which the `cargo test` running this test holds locked.
    let target_dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("target dir")
        .join("scratch-xtask");
    let (first, second) = (checkout(), checkout());
    fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/get_locations.md"),
        second.path().join("spec/endpoints/get_locations.md"),
    )
    .expect("add a doc to the second checkout");
    let spec_before = fs::read_to_string(first.path().join("spec/openapi.json")).unwrap();

    let out = generate(first.path(), &target_dir);
    assert!(out.status.success(), "first: {}", text(&out.stderr));
    assert!(
        text(&out.stdout).starts_with("up to date"),
        "first: {}",
        text(&out.stdout)
    );

    let out = generate(second.path(), &target_dir);
    assert!(out.status.success(), "second: {}", text(&out.stderr));
    assert!(
        text(&out.stdout).starts_with("wrote "),
        "second: {}",
        text(&out.stdout)
    );
    let spec = fs::read_to_string(second.path().join("spec/openapi.json")).unwrap();
    assert!(
        spec.contains("\"/locations\""),
        "the second checkout's new doc is in its spec"
    );
    let client = fs::read_to_string(second.path().join("generated/src/lib.rs")).unwrap();
    assert!(client.contains("pub fn get_locations(&self)"));
    assert_eq!(
        fs::read_to_string(first.path().join("spec/openapi.json")).unwrap(),
        spec_before,
        "the first checkout is untouched"
    );
}
