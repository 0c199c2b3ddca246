//! Stable names: the names lock keeps every type name a doc was given, whatever other docs are
//! added, removed, reordered or edited (see `xtask::naming::lock`).

use serde_json::Value;
use xtask::naming::lock::NamesLock;
use xtask::pipeline::{self, Build};

mod common;
use common::{ERROR_CODES, STATUS};

const SEED_NAMES: [&str; 5] = [
    "ErrorCode",
    "ErrorEnvelope",
    "PostUsersLogoutEnvelope",
    "PostUsersLogoutResponse",
    "Status",
];

#[path = "common/seed_doc.rs"]
mod seed_doc;
use seed_doc::seed;

/// A doc whose status enum has the seed's values plus `METHOD_NOT_ALLOWED`, in a success and
/// an error body, like the pages of uberall's other endpoints.
fn nineteen_status(method: &str, path: &str) -> (String, String) {
    let values = STATUS
        .iter()
        .chain(&["METHOD_NOT_ALLOWED"])
        .map(|v| format!("\"{v}\""))
        .collect::<Vec<_>>()
        .join(", ");
    let text = format!(
        "# Do a thing\n\nEndpoint: {method} {path}\nVersion: 20250708\n\n\
         ## Response 200 fields (application/json):\n\n  - `status` (string, required)\n    Enum: {values}\n\n  \
         - `message` (string)\n    About {path}\n\n\
         ## Response 400 fields (application/json):\n\n  - `status` (string, required)\n    Enum: {values}\n\n  \
         - `message` (string)\n"
    );
    let file = format!(
        "spec/endpoints/{}{}.md",
        method.to_lowercase(),
        path.replace('/', "_")
    );
    (file, text)
}

fn lock_of(build: &Build) -> NamesLock {
    NamesLock::parse(&build.outputs[2].contents).expect("lock output parses")
}

fn spec_of(build: &Build) -> Value {
    serde_json::from_str(&build.outputs[0].contents).expect("spec JSON")
}

/// The component an operation's response body refers to, and what its status field refers to.
fn response_names(spec: &Value, path: &str, method: &str, code: &str) -> (String, String) {
    let body = spec["paths"][path][method]["responses"][code]["content"]["application/json"]
        ["schema"]["$ref"]
        .as_str()
        .expect("body ref");
    let name = body.rsplit('/').next().expect("name").to_string();
    let status = spec["components"]["schemas"][&name]["properties"]["status"]["$ref"]
        .as_str()
        .expect("status ref");
    (name, status.rsplit('/').next().expect("name").to_string())
}

fn assert_seed_names(spec: &Value) {
    let schemas = spec["components"]["schemas"].as_object().expect("schemas");
    for name in SEED_NAMES {
        assert!(schemas.contains_key(name), "{name} kept");
    }
    assert_eq!(
        response_names(spec, "/users/logout", "post", "200"),
        ("PostUsersLogoutEnvelope".into(), "Status".into())
    );
    assert_eq!(
        response_names(spec, "/users/logout", "post", "400"),
        ("ErrorEnvelope".into(), "Status".into())
    );
    assert_eq!(schemas["Status"]["enum"], serde_json::json!(STATUS));
}

#[test]
fn the_checked_in_lock_holds_the_seed_names() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace");
    let lock = pipeline::read_lock(root).expect("lock reads");
    // The names the seed's own sites use, whatever other docs the lock also covers.
    let mut names: Vec<&str> = lock
        .by_site()
        .into_iter()
        .filter(|(site, _)| site.starts_with("post_users_logout "))
        .map(|(_, name)| name)
        .collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names, SEED_NAMES);
    assert_eq!(
        lock.by_site().get("post_users_logout response 200.status"),
        Some(&"Status")
    );
}

#[test]
fn docs_with_a_larger_status_enum_keep_every_seed_name() {
    let seed_only = pipeline::build_from(&[seed()]).expect("seed builds");
    let lock = lock_of(&seed_only);
    // Both sort before the seed, so without the lock they would claim `Status` first.
    let docs = [
        nineteen_status("GET", "/locations"),
        seed(),
        nineteen_status("DELETE", "/users/x"),
    ];
    let build = pipeline::build_with(&docs, &lock).expect("docs build");
    let spec = spec_of(&build);
    assert_seed_names(&spec);
    let (body, status) = response_names(&spec, "/locations", "get", "200");
    assert_eq!(body, "GetLocationsEnvelope");
    // The new docs share their 19-value enum; `Status` being the seed's, it is qualified by
    // the first of them in operationId order.
    assert_eq!(status, "DeleteUsersXStatus");
    assert_eq!(response_names(&spec, "/users/x", "delete", "200").1, status);
    // The seed's types and builder method are byte-for-byte what the seed alone gives.
    let client = &build.outputs[1].contents;
    let alone = &seed_only.outputs[1].contents;
    for item in [
        "pub enum Status {",
        "pub struct ErrorEnvelope {",
        "pub struct PostUsersLogoutEnvelope {",
        "pub struct PostUsersLogoutResponse {",
        "pub fn post_users_logout(&self)",
    ] {
        assert!(client.contains(item) && alone.contains(item), "{item}");
    }
    // The new sites join the lock; the seed's entries are unchanged.
    let extended = lock_of(&build);
    for (name, entry) in &lock.names {
        assert_eq!(extended.names.get(name), Some(entry), "{name}");
    }
    assert!(extended.names.contains_key("DeleteUsersXStatus"));

    // Without the lock, the same docs rename the seed's enum: the lock is what keeps it.
    let fresh = spec_of(&pipeline::build_from(&docs).expect("docs build"));
    assert_ne!(
        response_names(&fresh, "/users/logout", "post", "200").1,
        "Status"
    );
}

#[test]
fn a_doc_edited_in_place_keeps_its_names() {
    let others = nineteen_status("GET", "/locations");
    let seed_lock = lock_of(&pipeline::build_from(&[seed()]).expect("seed builds"));
    let before = pipeline::build_with(&[seed(), others.clone()], &seed_lock).expect("builds");
    let lock = lock_of(&before);
    let (file, text) = seed();
    // One more status value and error code, one more nested field, another description.
    let edited = text
        .replace("\"PARTIAL_ERROR\"", "\"PARTIAL_ERROR\", \"GONE\"")
        .replace("\"DEPRECATED\"", "\"DEPRECATED\", \"RETIRED\"")
        .replace(
            "- `response.redirectUrl` (string)",
            "- `response.sessionId` (string) The ended session - `response.redirectUrl` (string)",
        )
        .replace("Details about the LogoutResponse", "What the logout did");
    assert_ne!(edited, text);
    let after = pipeline::build_with(&[(file, edited), others], &lock).expect("edited builds");
    let spec = spec_of(&after);
    let schemas = &spec["components"]["schemas"];
    for name in SEED_NAMES {
        assert!(schemas.get(name).is_some(), "{name} kept");
    }
    assert_eq!(
        response_names(&spec, "/users/logout", "post", "400"),
        ("ErrorEnvelope".into(), "Status".into())
    );
    assert_eq!(schemas["Status"]["enum"][18], "GONE");
    assert_eq!(schemas["ErrorCode"]["enum"][ERROR_CODES.len()], "RETIRED");
    assert!(
        schemas["PostUsersLogoutResponse"]["properties"]
            .get("sessionId")
            .is_some()
    );
    // The other doc's names did not move either.
    assert_eq!(
        response_names(&spec, "/locations", "get", "200"),
        response_names(&spec_of(&before), "/locations", "get", "200")
    );
}

#[test]
fn editing_a_shared_type_renames_it_only_for_the_edited_doc() {
    // Login shares the seed's `Status`; the seed, converted after it, changes its copy.
    let login = nineteen_status("POST", "/users/login");
    let login = (login.0, login.1.replace(", \"METHOD_NOT_ALLOWED\"", ""));
    let before = pipeline::build_from(&[seed(), login.clone()]).expect("builds");
    let spec = spec_of(&before);
    assert_eq!(
        response_names(&spec, "/users/login", "post", "200").1,
        "Status"
    );
    let (file, text) = seed();
    let edited = (
        file,
        text.replace("\"PARTIAL_ERROR\"", "\"PARTIAL_ERROR\", \"GONE\""),
    );
    let after = pipeline::build_with(&[edited, login], &lock_of(&before)).expect("builds");
    let spec = spec_of(&after);
    assert_eq!(
        response_names(&spec, "/users/login", "post", "200").1,
        "Status",
        "the unedited doc keeps the shared name"
    );
    assert_ne!(
        response_names(&spec, "/users/logout", "post", "200").1,
        "Status"
    );
    assert!(
        after.warnings.iter().any(|w| w.contains("was `Status`")),
        "{:?}",
        after.warnings
    );
}

#[test]
fn file_names_and_order_do_not_change_the_output() {
    let docs = vec![
        nineteen_status("GET", "/locations"),
        seed(),
        nineteen_status("POST", "/users/login"),
    ];
    let reference = pipeline::build_from(&docs).expect("builds").outputs;
    let mut reversed = docs.clone();
    reversed.reverse();
    assert_eq!(
        pipeline::build_from(&reversed).expect("builds").outputs,
        reference
    );
    let renamed: Vec<_> = docs
        .iter()
        .enumerate()
        .map(|(i, (_, text))| (format!("spec/endpoints/{}.md", 9 - i), text.clone()))
        .collect();
    assert_eq!(
        pipeline::build_from(&renamed).expect("builds").outputs,
        reference
    );
}
