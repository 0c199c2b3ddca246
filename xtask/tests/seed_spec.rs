//! The seed doc (`POST /users/logout`) through the whole pipeline: what the spec must say.

use std::path::Path;

use serde_json::{Value, json};
use xtask::pipeline;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace root")
}

fn seed_spec() -> Value {
    let build = pipeline::build_from(&[seed()]).expect("seed converts");
    let spec = &build.outputs[0];
    assert_eq!(spec.path, pipeline::SPEC_FILE);
    serde_json::from_str(&spec.contents).expect("spec is JSON")
}

/// Follows a `$ref` (or a one-element `allOf` around one) to the component.
fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let name = r.strip_prefix("#/components/schemas/").expect("local ref");
            &spec["components"]["schemas"][name]
        }
        None => match schema.get("allOf") {
            Some(all) => resolve(spec, &all[0]),
            None => schema,
        },
    }
}

mod common;
use common::{ERROR_CODES, STATUS};

#[path = "common/seed_doc.rs"]
mod seed_doc;
use seed_doc::seed;

#[test]
fn logout_operation_matches_the_doc() {
    let spec = seed_spec();
    assert_eq!(spec["openapi"], "3.0.3");
    assert_eq!(spec["info"]["version"], "20250708");
    let servers: Vec<&str> = spec["servers"]
        .as_array()
        .expect("servers")
        .iter()
        .map(|s| s["url"].as_str().expect("url"))
        .collect();
    assert_eq!(
        servers,
        ["https://uberall.com/api", "https://sandbox.uberall.com/api"]
    );

    let paths = spec["paths"].as_object().expect("paths");
    assert_eq!(paths.keys().collect::<Vec<_>>(), ["/users/logout"]);
    let item = paths["/users/logout"].as_object().expect("path item");
    assert_eq!(item.keys().collect::<Vec<_>>(), ["post"]);
    let op = &item["post"];
    assert_eq!(op["operationId"], "post_users_logout");
    assert_eq!(op["summary"], "Log out the current user");
    assert_eq!(
        op["description"],
        "Logs out the current user and invalidates the access_token associated with this session"
    );
    assert!(op.get("parameters").is_none(), "no parameters");
    assert!(op.get("requestBody").is_none(), "no request body");

    let codes: Vec<&String> = op["responses"]
        .as_object()
        .expect("responses")
        .keys()
        .collect();
    assert_eq!(codes, ["200", "400", "401", "403", "404", "409"]);

    // Both schemes, as alternatives (one requirement object each).
    assert_eq!(
        op["security"],
        json!([{ "X-API-KEY": [] }, { "Authorization": [] }])
    );
    let schemes = &spec["components"]["securitySchemes"];
    assert_eq!(schemes["X-API-KEY"]["type"], "apiKey");
    assert_eq!(schemes["X-API-KEY"]["in"], "header");
    assert_eq!(schemes["X-API-KEY"]["name"], "X-API-KEY");
    assert_eq!(schemes["Authorization"]["type"], "http");
    assert_eq!(schemes["Authorization"]["scheme"], "bearer");
}

#[test]
fn envelope_carries_enums_required_fields_and_examples() {
    let spec = seed_spec();
    let ok = &spec["paths"]["/users/logout"]["post"]["responses"]["200"];
    // `*/*` with documented fields is JSON, and the spec says why.
    assert_eq!(ok["x-doc-media-type"], "*/*");
    assert!(
        ok["description"]
            .as_str()
            .expect("description")
            .contains("*/*")
    );
    let envelope = resolve(&spec, &ok["content"]["application/json"]["schema"]);
    assert_eq!(envelope["type"], "object");
    assert_eq!(envelope["required"], json!(["status", "response"]));

    let status = resolve(&spec, &envelope["properties"]["status"]);
    assert_eq!(status["type"], "string");
    assert_eq!(status["enum"], json!(STATUS));

    assert_eq!(
        envelope["properties"]["message"]["description"],
        "(optional) Holds further information about the response"
    );
    assert_eq!(envelope["properties"]["warnings"]["type"], "array");

    let response = resolve(&spec, &envelope["properties"]["response"]);
    assert_eq!(response["description"], "Details about the LogoutResponse");
    let success = &response["properties"]["success"];
    assert_eq!(success["type"], "boolean");
    assert_eq!(success["example"], json!(true));
    assert_eq!(success["description"], "True if logout was successful");
    let redirect = &response["properties"]["redirectUrl"];
    assert_eq!(redirect["type"], "string");
    assert_eq!(redirect["example"], "http://example.com/redirect");
}

#[test]
fn repeated_shapes_are_shared_components() {
    let spec = seed_spec();
    let responses = &spec["paths"]["/users/logout"]["post"]["responses"];
    for code in ["400", "401", "403", "404", "409"] {
        assert_eq!(
            responses[code]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/ErrorEnvelope",
            "response {code}"
        );
    }
    assert_eq!(
        responses["200"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/PostUsersLogoutEnvelope"
    );

    let schemas = spec["components"]["schemas"].as_object().expect("schemas");
    let names: Vec<&String> = schemas.keys().collect();
    assert_eq!(
        names,
        [
            "ErrorCode",
            "ErrorEnvelope",
            "PostUsersLogoutEnvelope",
            "PostUsersLogoutResponse",
            "Status"
        ]
    );
    // Status is referenced, not copied, from both envelopes.
    for env in ["ErrorEnvelope", "PostUsersLogoutEnvelope"] {
        assert_eq!(
            schemas[env]["properties"]["status"]["$ref"],
            "#/components/schemas/Status"
        );
    }
    let error = &schemas["ErrorEnvelope"];
    assert_eq!(error["required"], json!(["status"]));
    assert_eq!(
        error["properties"]["errorCode"]["$ref"],
        "#/components/schemas/ErrorCode"
    );
    assert_eq!(schemas["ErrorCode"]["enum"], json!(ERROR_CODES));
    assert_eq!(
        error["properties"]["response"]["description"],
        "(optional) The actual response object of the response"
    );
}

#[test]
fn generation_is_deterministic_and_checked_in_outputs_are_fresh() {
    let a = pipeline::build(root()).expect("first build");
    let b = pipeline::build(root()).expect("second build");
    assert_eq!(a.outputs, b.outputs, "same input, same bytes");
    for out in &a.outputs {
        assert!(
            out.contents.ends_with('\n'),
            "{} ends with a newline",
            out.path
        );
    }
    assert!(a.outputs[1].contents.starts_with(xtask::codegen::HEADER));
    let drift = pipeline::check(root(), &a).expect("check runs");
    assert!(
        drift.is_empty(),
        "checked-in files drifted; run `cargo xtask generate`:\n{}",
        drift.iter().map(|d| d.diff.as_str()).collect::<String>()
    );
}
