//! Any doc the layout allows generates, or fails at its `file:line`: empty sections of any
//! media type mean "no body", a doc without responses gets a bodiless success, examples that
//! contradict their type are left out with a warning, and the envelope's `status` and
//! `errorCode` stay one type each whatever values the docs add.

use serde_json::{Value, json};
use xtask::diff;
use xtask::pipeline::{self, Build};

#[path = "common/seed_doc.rs"]
mod seed_doc;
use seed_doc::seed;

fn doc(name: &str, text: &str) -> (String, String) {
    (format!("spec/endpoints/{name}.md"), text.to_string())
}

fn spec_of(build: &Build) -> Value {
    serde_json::from_str(&build.outputs[0].contents).expect("spec JSON")
}

fn client_of(build: &Build) -> &str {
    &build.outputs[1].contents
}

#[test]
fn empty_sections_of_any_media_type_are_no_body() {
    for media in ["application/json", "*/*", "text/plain", "application/pdf"] {
        let text = format!(
            "# Get a thing\n\nEndpoint: GET /things/{{id}}\n\n## Path parameters:\n\n  - `id` (integer, required)\n\n\
             ## Response 200 fields ({media}):\n\n## Response 400 fields ({media}):\n\n## Response 404 fields ({media}):\n"
        );
        let build = pipeline::build_from(&[doc("get_things_id", &text)])
            .unwrap_or_else(|e| panic!("{media}: {e}"));
        let spec = spec_of(&build);
        let responses = &spec["paths"]["/things/{id}"]["get"]["responses"];
        for status in ["200", "400", "404"] {
            let response = &responses[status];
            assert_eq!(
                response.get("content"),
                None,
                "{media} {status}: {response}"
            );
            assert_eq!(response["x-doc-media-type"], media, "{media} {status}");
        }
        assert!(xtask::openapi::validate(&serde_json::from_value(spec).unwrap()).is_empty());
    }
}

#[test]
fn a_doc_without_response_sections_is_a_bodiless_success() {
    let text = "# Download\n\nEndpoint: GET /exports/{id}/file\n\n## Path parameters:\n\n  - `id` (string, required)\n";
    let build = pipeline::build_from(&[doc("get_exports_id_file", text)]).expect("generates");
    let spec = spec_of(&build);
    let responses = &spec["paths"]["/exports/{id}/file"]["get"]["responses"];
    assert_eq!(
        responses.as_object().map(|r| r.len()),
        Some(1),
        "{responses}"
    );
    assert_eq!(responses["200"].get("content"), None);
    assert!(client_of(&build).contains("pub fn get_exports_id_file(&self)"));
}

#[test]
fn an_empty_error_section_beside_a_typed_one_fails_at_its_line() {
    let text = "# A\n\nEndpoint: GET /a\n\n## Response 400 fields (application/json):\n\n  - `status` (string)\n\n## Response 401 fields (application/json):\n";
    let err = pipeline::build_from(&[doc("get_a", text)])
        .expect_err("two error shapes cannot be one client type");
    let msg = err.to_string();
    assert!(
        msg.starts_with("spec/endpoints/get_a.md:9: GET /a (get_a): error responses 400 and 401"),
        "{msg}"
    );
}

const MISFITS: &str = "# Get a business

Endpoint: GET /businesses/{businessId}
Version: 20250708

## Path parameters:

  - `businessId` (integer, required)
    Example: \"1234\"

## Response 200 fields (application/json):

  - `status` (string, required)
    Enum: \"SUCCESS\", \"ERROR\"

  - `response` (object, required)

  - `response.labels` (array)
    Example: \"a, b\"

  - `response.kind` (string)
    Enum: \"SMB\", \"ENTERPRISE\"
    Example: \"[SMB, ENTERPRISE]\"

  - `response.name` (string)
    Example: \"Bäckerei\"
";

#[test]
fn examples_that_contradict_their_type_are_left_out_with_a_warning() {
    let build = pipeline::build_from(&[doc("get_businesses_businessId", MISFITS)])
        .expect("a misfit example is not fatal");
    for (line, field, why) in [
        (8, "`businessId`", "\"1234\" is not an integer"),
        (
            18,
            "`response 200.response.labels`",
            "\"a, b\" is not an array",
        ),
        (
            21,
            "`response 200.response.kind`",
            "\"[SMB, ENTERPRISE]\" is not one of the field's `Enum:` values",
        ),
    ] {
        let prefix = format!("spec/endpoints/get_businesses_businessId.md:{line}: ");
        assert!(
            build
                .warnings
                .iter()
                .any(|w| w.starts_with(&prefix) && w.contains(field) && w.ends_with(why)),
            "no warning {prefix}…{field}…{why} in {:#?}",
            build.warnings
        );
    }
    assert_eq!(build.warnings.len(), 3, "{:#?}", build.warnings);
    let spec = spec_of(&build);
    let text = &build.outputs[0].contents;
    for gone in ["\"1234\"", "a, b", "[SMB, ENTERPRISE]"] {
        assert!(!text.contains(gone), "{gone} is still in the spec");
        assert!(
            !client_of(&build).contains(gone),
            "{gone} is still in the client"
        );
    }
    assert!(text.contains("Bäckerei"), "fitting examples stay");
    let parsed = serde_json::from_value(spec).expect("spec");
    assert_eq!(xtask::openapi::validate(&parsed), Vec::<String>::new());
}

/// A copy of the seed listing `METHOD_NOT_ALLOWED` too, as a second operation.
fn login_with_one_more_status() -> (String, String) {
    let (_, text) = seed();
    let text = text.replace("/users/logout", "/users/login").replace(
        "\"PARTIAL_ERROR\"",
        "\"PARTIAL_ERROR\", \"METHOD_NOT_ALLOWED\"",
    );
    doc("post_users_login", &text)
}

#[test]
fn a_doc_adding_a_status_value_extends_the_one_status_type() {
    let seed_only = pipeline::build_from(&[seed()]).expect("seed");
    let lock = xtask::naming::lock::NamesLock::parse(&seed_only.outputs[2].contents).unwrap();
    let both = pipeline::build_with(&[seed(), login_with_one_more_status()], &lock).expect("both");
    let spec = spec_of(&both);
    let schemas = spec["components"]["schemas"].as_object().unwrap();
    let statuses: Vec<&String> = schemas.keys().filter(|k| k.ends_with("Status")).collect();
    assert_eq!(statuses, ["Status"], "one status type");
    let values = schemas["Status"]["enum"].as_array().unwrap();
    assert_eq!(
        values.first(),
        Some(&json!("SUCCESS")),
        "the seed's order is kept"
    );
    assert_eq!(values.last(), Some(&json!("METHOD_NOT_ALLOWED")));
    assert_eq!(
        schemas["ErrorCode"]["enum"],
        spec_of(&seed_only)["components"]["schemas"]["ErrorCode"]["enum"]
    );
    for op in ["/users/logout", "/users/login"] {
        for status in ["200", "400"] {
            let body = &spec["paths"][op]["post"]["responses"][status]["content"]["application/json"]
                ["schema"]["$ref"];
            let name = body.as_str().unwrap().rsplit('/').next().unwrap();
            assert_eq!(
                schemas[name]["properties"]["status"]["$ref"], "#/components/schemas/Status",
                "{op} {status}"
            );
        }
    }
    let client = client_of(&both);
    assert!(client.contains("MethodNotAllowed"));
    assert!(!client.contains("PostUsersLoginStatus"));

    let old = serde_json::from_str(&seed_only.outputs[0].contents).unwrap();
    let new = serde_json::from_str(&both.outputs[0].contents).unwrap();
    let report = diff::compare(&old, &new);
    assert_eq!(report.breaking(), 0, "{}", report.render());
    assert!(
        report
            .render()
            .contains("enum value METHOD_NOT_ALLOWED added"),
        "{}",
        report.render()
    );
}

#[test]
fn a_field_merely_named_status_keeps_its_own_enum() {
    let text = "# A\n\nEndpoint: GET /a\n\n## Response 200 fields (application/json):\n\n  - `status` (string)\n    Enum: \"ACTIVE\", \"INACTIVE\"\n";
    let build = pipeline::build_from(&[seed(), doc("get_a", text)]).expect("generates");
    let spec = spec_of(&build);
    let schemas = spec["components"]["schemas"].as_object().unwrap();
    let enum_of = |values: usize| {
        schemas
            .values()
            .filter(move |s| s["enum"].as_array().map(Vec::len) == Some(values))
    };
    assert_eq!(enum_of(18).count(), 1, "the envelope's status, not widened");
    assert!(enum_of(2).any(|s| s["enum"] == json!(["ACTIVE", "INACTIVE"])));
}
