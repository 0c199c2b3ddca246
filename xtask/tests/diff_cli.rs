//! `cargo xtask diff --base <rev>` in a scratch git repository holding the seed doc and the
//! outputs generated from it: the working tree's docs are compared with the commit.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

#[path = "common/run.rs"]
mod run;
#[path = "common/seed_tree.rs"]
mod seed_tree;
use run::{text, xtask};

const DOC: &str = "spec/endpoints/post_users_logout.md";

/// A doc for a second operation whose shapes share nothing with the seed's.
const NEW_DOC: &str = "# Get the current user

Returns the user the access token belongs to.

Endpoint: GET /users/me
Version: 20250708
Security: X-API-KEY

## Response 200 fields (application/json):

  - `id` (integer, required)
    The user's id
    Example: 42
";

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

/// A git repository whose one commit holds the seed doc and the outputs generated from it.
fn repo() -> tempfile::TempDir {
    let dir = seed_tree::seed_tree();
    git(dir.path(), &["init", "--quiet"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "--quiet", "-m", "base"]);
    dir
}

fn diff(root: &Path, base: &str) -> Output {
    xtask(root, &["diff", "--base", base])
}

#[test]
fn a_removed_response_field_fails_with_one_line_naming_it() {
    let dir = repo();
    let doc = dir.path().join(DOC);
    let before = fs::read_to_string(&doc).expect("doc");
    let field = "- `response.redirectUrl` (string) The URL that a user is redirected to when \
                 logging out Example: \"http://example.com/redirect\" ";
    assert!(before.contains(field), "the seed doc documents the field");
    fs::write(&doc, before.replace(field, "")).expect("edit doc");

    let out = diff(dir.path(), "HEAD");
    let stdout = text(&out.stdout);
    assert!(!out.status.success(), "{stdout}");
    assert!(
        stdout
            .lines()
            .any(|l| l
                == "breaking: post_users_logout: response 200 field response.redirectUrl removed"),
        "{stdout}"
    );
    assert!(stdout.ends_with("1 breaking, 0 compatible\n"), "{stdout}");
    assert!(
        text(&out.stderr).contains("1 breaking change since HEAD"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn an_added_operation_passes() {
    let dir = repo();
    fs::write(dir.path().join("spec/endpoints/get_users_me.md"), NEW_DOC).expect("new doc");

    let out = diff(dir.path(), "HEAD");
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout
            .lines()
            .any(|l| l == "compatible: get_users_me: operation added"),
        "{stdout}"
    );
    assert!(!stdout.contains("breaking:"), "{stdout}");
}

#[test]
fn an_unknown_revision_is_an_error_naming_it() {
    let dir = repo();
    let out = diff(dir.path(), "no-such-branch");
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("cannot read spec/openapi.json at revision `no-such-branch`"),
        "{stderr}"
    );
}

#[test]
fn generate_reports_the_changes_against_the_spec_it_replaces() {
    let dir = repo();
    fs::write(dir.path().join("spec/endpoints/get_users_me.md"), NEW_DOC).expect("new doc");
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("generate")
        .env("XTASK_ROOT", dir.path())
        .output()
        .expect("run xtask");
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    // The new body's component name is the naming module's business; only its kind matters.
    let report: Vec<&str> = stdout
        .lines()
        .skip_while(|l| *l != "API changes since the checked-in spec/openapi.json:")
        .skip(1)
        .collect();
    assert!(
        report.contains(&"compatible: get_users_me: operation added"),
        "{stdout}"
    );
    assert!(
        report.iter().all(|l| !l.starts_with("breaking:")),
        "{stdout}"
    );
    assert_eq!(report.last(), Some(&"0 breaking, 2 compatible"), "{stdout}");
}
