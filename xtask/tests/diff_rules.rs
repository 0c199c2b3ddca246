//! The breaking-change classifier, rule by rule, in both directions (request and response).

use serde_json::{Value, json};
use xtask::diff::{Report, compare};

/// `POST /things` (`post_things`): a required JSON request body `Req` and a 200 response `Resp`.
fn api(request: Value, response: Value) -> Value {
    json!({
        "openapi": "3.0.3",
        "paths": {"/things": {"post": {
            "operationId": "post_things",
            "requestBody": {"required": true, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Req"}}}},
            "responses": {"200": {"description": "OK", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Resp"}}}}}
        }}},
        "components": {"schemas": {"Req": request, "Resp": response}}
    })
}

fn object(properties: Value, required: &[&str]) -> Value {
    json!({"type": "object", "properties": properties, "required": required})
}

fn lines(old: &Value, new: &Value) -> Vec<String> {
    compare(old, new)
        .changes
        .iter()
        .map(ToString::to_string)
        .collect()
}

/// Old and new differ only in the response body `Resp`.
fn response_change(old: Value, new: Value) -> Vec<String> {
    let req = object(json!({}), &[]);
    lines(&api(req.clone(), old), &api(req, new))
}

/// Old and new differ only in the request body `Req`.
fn request_change(old: Value, new: Value) -> Vec<String> {
    let resp = object(json!({}), &[]);
    lines(&api(old, resp.clone()), &api(new, resp))
}

fn string() -> Value {
    json!({"type": "string"})
}

#[test]
fn identical_specs_report_nothing() {
    let spec = api(object(json!({"a": string()}), &["a"]), string());
    let report = compare(&spec, &spec);
    assert_eq!(report, Report::default());
    assert_eq!(report.render(), "no API changes\n");
}

#[test]
fn the_checked_in_spec_has_no_changes_against_itself() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../spec/openapi.json");
    let spec: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("spec")).expect("spec is JSON");
    assert!(compare(&spec, &spec).changes.is_empty());
}

#[test]
fn operation_removed_is_breaking_and_added_is_compatible() {
    let one = api(string(), string());
    let mut two = one.clone();
    two["paths"]["/other"] = json!({"get": {"operationId": "get_other", "responses": {}}});
    assert_eq!(
        lines(&one, &two),
        ["compatible: get_other: operation added"]
    );
    assert_eq!(
        lines(&two, &one),
        ["breaking: get_other: operation removed"]
    );
}

#[test]
fn an_operation_without_an_id_is_named_by_method_and_path() {
    let old = json!({"paths": {}});
    let new = json!({"paths": {"/x/{id}": {"delete": {"responses": {}}}}});
    assert_eq!(
        lines(&old, &new),
        ["compatible: DELETE /x/{id}: operation added"]
    );
}

#[test]
fn operation_id_change_renames_the_client_method() {
    let old = api(string(), string());
    let mut new = old.clone();
    new["paths"]["/things"]["post"]["operationId"] = json!("create_thing");
    assert_eq!(
        lines(&old, &new),
        [
            "breaking: create_thing: operationId changed from post_things to create_thing (the client method is renamed)"
        ]
    );
}

#[test]
fn response_field_removed_is_breaking_and_added_is_compatible() {
    let with = object(json!({"a": string(), "b": string()}), &[]);
    let without = object(json!({"a": string()}), &[]);
    assert_eq!(
        response_change(with.clone(), without.clone()),
        ["breaking: post_things: response 200 field b removed"]
    );
    assert_eq!(
        response_change(without, with),
        ["compatible: post_things: response 200 field b added"]
    );
}

#[test]
fn request_field_removed_is_breaking_and_optional_added_is_compatible() {
    let with = object(json!({"a": string(), "b": string()}), &[]);
    let without = object(json!({"a": string()}), &[]);
    assert_eq!(
        request_change(with.clone(), without.clone()),
        ["breaking: post_things: request body field b removed"]
    );
    assert_eq!(
        request_change(without, with),
        ["compatible: post_things: request body field b added"]
    );
}

#[test]
fn new_required_field_breaks_requests_but_not_responses() {
    let without = object(json!({"a": string()}), &[]);
    let with = object(json!({"a": string(), "b": string()}), &["b"]);
    assert_eq!(
        request_change(without.clone(), with.clone()),
        ["breaking: post_things: new required request body field b"]
    );
    assert_eq!(
        response_change(without, with),
        ["compatible: post_things: response 200 field b added"]
    );
}

#[test]
fn field_made_required_is_breaking_in_both_directions() {
    let optional = object(json!({"a": string()}), &[]);
    let required = object(json!({"a": string()}), &["a"]);
    assert_eq!(
        request_change(optional.clone(), required.clone()),
        ["breaking: post_things: request body field a made required"]
    );
    assert_eq!(
        response_change(optional, required),
        ["breaking: post_things: response 200 field a made required"]
    );
}

#[test]
fn field_made_optional_breaks_responses_but_not_requests() {
    let optional = object(json!({"a": string()}), &[]);
    let required = object(json!({"a": string()}), &["a"]);
    assert_eq!(
        request_change(required.clone(), optional.clone()),
        ["compatible: post_things: request body field a made optional"]
    );
    assert_eq!(
        response_change(required, optional),
        ["breaking: post_things: response 200 field a made optional"]
    );
}

#[test]
fn type_and_format_changes_are_breaking_in_both_directions() {
    let int = object(json!({"n": {"type": "integer"}}), &[]);
    let text = object(json!({"n": {"type": "string"}}), &[]);
    assert_eq!(
        response_change(int.clone(), text.clone()),
        ["breaking: post_things: response 200 field n type changed from integer to string"]
    );
    assert_eq!(
        request_change(text, int),
        ["breaking: post_things: request body field n type changed from string to integer"]
    );
    let plain = object(json!({"at": {"type": "string"}}), &[]);
    let dated = object(
        json!({"at": {"type": "string", "format": "date-time"}}),
        &[],
    );
    assert_eq!(
        response_change(plain, dated),
        ["breaking: post_things: response 200 field at format changed from none to date-time"]
    );
}

#[test]
fn nullable_follows_the_direction() {
    let not_null = object(json!({"a": string()}), &[]);
    let null = object(json!({"a": {"type": "string", "nullable": true}}), &[]);
    assert_eq!(
        response_change(not_null.clone(), null.clone()),
        ["breaking: post_things: response 200 field a made nullable"]
    );
    assert_eq!(
        response_change(null.clone(), not_null.clone()),
        ["compatible: post_things: response 200 field a no longer nullable"]
    );
    assert_eq!(
        request_change(null.clone(), not_null.clone()),
        ["breaking: post_things: request body field a no longer nullable"]
    );
    assert_eq!(
        request_change(not_null, null),
        ["compatible: post_things: request body field a made nullable"]
    );
}

fn enum_of(values: &[&str]) -> Value {
    object(json!({"s": {"type": "string", "enum": values}}), &["s"])
}

#[test]
fn enum_value_removed_is_breaking_in_both_directions() {
    let (two, one) = (enum_of(&["A", "B"]), enum_of(&["A"]));
    assert_eq!(
        response_change(two.clone(), one.clone()),
        ["breaking: post_things: response 200 field s enum value B removed"]
    );
    assert_eq!(
        request_change(two, one),
        ["breaking: post_things: request body field s enum value B removed"]
    );
}

#[test]
fn enum_value_added_is_compatible_in_both_directions() {
    let (one, two) = (enum_of(&["A"]), enum_of(&["A", "B"]));
    assert_eq!(
        response_change(one.clone(), two.clone()),
        [
            "compatible: post_things: response 200 field s enum value B added (older clients read it as Unrecognized)"
        ]
    );
    assert_eq!(
        request_change(one, two),
        ["compatible: post_things: request body field s enum value B added"]
    );
}

#[test]
fn a_string_becoming_an_enum_or_back_changes_the_rust_type() {
    let plain = object(json!({"s": string()}), &["s"]);
    let closed = enum_of(&["A"]);
    assert_eq!(
        response_change(plain.clone(), closed.clone()),
        ["breaking: post_things: response 200 field s restricted to an enum"]
    );
    assert_eq!(
        request_change(closed, plain),
        ["breaking: post_things: request body field s no longer an enum"]
    );
}

#[test]
fn nested_and_array_fields_are_named_by_their_path() {
    let item = |props: Value| {
        object(
            json!({"items": {"type": "array", "items": object(props, &[])}}),
            &[],
        )
    };
    let old = item(json!({"id": {"type": "integer"}, "name": string()}));
    let new = item(json!({"id": {"type": "string"}}));
    assert_eq!(
        response_change(old, new),
        [
            "breaking: post_things: response 200 field items[].id type changed from integer to string",
            "breaking: post_things: response 200 field items[].name removed",
        ]
    );
}

/// A spec whose 200 and 400 bodies both hold `status`, a `$ref` to component `name`.
fn status_spec(name: &str, values: &[&str]) -> Value {
    let body = |code: &str| {
        (
            code.to_string(),
            json!({"description": code, "content": {"application/json": {"schema": {
                "type": "object",
                "properties": {"status": {"$ref": format!("#/components/schemas/{name}")}}
            }}}}),
        )
    };
    json!({
        "paths": {"/users/logout": {"post": {
            "operationId": "post_users_logout",
            "responses": serde_json::Map::from_iter([body("200"), body("400")])
        }}},
        "components": {"schemas": {name: {"type": "string", "enum": values}}}
    })
}

#[test]
fn a_ref_to_a_differently_named_component_is_breaking_at_every_use() {
    let old = status_spec("Status", &["SUCCESS"]);
    let new = status_spec("PostUsersLogoutStatus", &["SUCCESS"]);
    assert_eq!(
        lines(&old, &new),
        [
            "breaking: components: type Status removed",
            "compatible: components: type PostUsersLogoutStatus added",
            "breaking: post_users_logout: response 200 field status type Status renamed to PostUsersLogoutStatus",
            "breaking: post_users_logout: response 400 field status type Status renamed to PostUsersLogoutStatus",
        ]
    );
    assert_eq!(compare(&old, &new).breaking(), 3);
}

#[test]
fn changes_inside_a_referenced_component_are_found_through_the_ref() {
    let old = status_spec("Status", &["SUCCESS", "ERROR"]);
    let new = status_spec("Status", &["SUCCESS"]);
    assert_eq!(
        lines(&old, &new),
        [
            "breaking: post_users_logout: response 200 field status enum value ERROR removed",
            "breaking: post_users_logout: response 400 field status enum value ERROR removed",
        ]
    );
}

#[test]
fn inlining_a_named_type_or_naming_an_inline_one_is_breaking() {
    let named = object(json!({"s": {"$ref": "#/components/schemas/Req"}}), &[]);
    let inline = object(json!({"s": object(json!({}), &[])}), &[]);
    assert_eq!(
        response_change(named.clone(), inline.clone()),
        ["breaking: post_things: response 200 field s type Req replaced by an inline schema"]
    );
    assert_eq!(
        response_change(inline, named),
        ["breaking: post_things: response 200 field s inline schema replaced by type Req"]
    );
}

#[test]
fn a_recursive_component_ends_the_descent() {
    let node = |extra: Value| {
        let mut props = json!({"children": {"type": "array",
            "items": {"$ref": "#/components/schemas/Resp"}}});
        if let (Some(p), Some(e)) = (props.as_object_mut(), extra.as_object()) {
            p.extend(e.clone());
        }
        object(props, &[])
    };
    let old = node(json!({"label": string()}));
    let new = node(json!({}));
    assert_eq!(
        response_change(old, new),
        ["breaking: post_things: response 200 field label removed"]
    );
}

fn with_parameters(params: Value) -> Value {
    let mut spec = api(string(), string());
    spec["paths"]["/things"]["post"]["parameters"] = params;
    spec
}

fn query(name: &str, required: bool, schema: Value) -> Value {
    json!({"in": "query", "name": name, "required": required, "schema": schema})
}

#[test]
fn parameter_rules() {
    let none = with_parameters(json!([]));
    let optional = with_parameters(json!([query("max", false, json!({"type": "integer"}))]));
    let required = with_parameters(json!([query("max", true, json!({"type": "integer"}))]));
    assert_eq!(
        lines(&none, &optional),
        ["compatible: post_things: query parameter max added"]
    );
    assert_eq!(
        lines(&none, &required),
        ["breaking: post_things: new required query parameter max"]
    );
    assert_eq!(
        lines(&optional, &none),
        ["breaking: post_things: query parameter max removed"]
    );
    assert_eq!(
        lines(&optional, &required),
        ["breaking: post_things: query parameter max made required"]
    );
    assert_eq!(
        lines(&required, &optional),
        ["compatible: post_things: query parameter max made optional"]
    );
    let text = with_parameters(json!([query("max", false, string())]));
    assert_eq!(
        lines(&optional, &text),
        ["breaking: post_things: query parameter max type changed from integer to string"]
    );
}

#[test]
fn parameter_refs_and_path_level_parameters_are_resolved() {
    let mut old = with_parameters(json!([{"$ref": "#/components/parameters/Kind"}]));
    old["components"]["parameters"] = json!({"Kind": query("kind", false,
        json!({"type": "string", "enum": ["A", "B"]}))});
    let mut new = api(string(), string());
    new["paths"]["/things"]["parameters"] = json!([query(
        "kind",
        false,
        json!({"type": "string", "enum": ["A"]})
    )]);
    assert_eq!(
        lines(&old, &new),
        ["breaking: post_things: query parameter kind enum value B removed"]
    );
}

#[test]
fn request_body_rules() {
    let with = api(string(), string());
    let mut without = with.clone();
    let post = &mut without["paths"]["/things"]["post"];
    let body = post
        .as_object_mut()
        .and_then(|op| op.remove("requestBody"))
        .expect("body");
    assert_eq!(
        lines(&with, &without),
        ["breaking: post_things: request body removed"]
    );
    assert_eq!(
        lines(&without, &with),
        ["breaking: post_things: new required request body"]
    );
    let mut optional = without.clone();
    optional["paths"]["/things"]["post"]["requestBody"] = body;
    optional["paths"]["/things"]["post"]["requestBody"]["required"] = json!(false);
    assert_eq!(
        lines(&without, &optional),
        ["compatible: post_things: request body added"]
    );
    assert_eq!(
        lines(&optional, &with),
        ["breaking: post_things: request body made required"]
    );
}

#[test]
fn response_status_and_media_type_rules() {
    let old = api(string(), string());
    let mut new = old.clone();
    let responses = &mut new["paths"]["/things"]["post"]["responses"];
    responses["404"] = json!({"description": "Not Found"});
    let ok = responses["200"]["content"]
        .as_object_mut()
        .and_then(|c| c.remove("application/json"))
        .expect("json body");
    responses["200"]["content"]["text/plain"] = ok;
    assert_eq!(
        lines(&old, &new),
        [
            "breaking: post_things: response 200 body removed",
            "compatible: post_things: response 200 (text/plain) body added",
            "compatible: post_things: response 404 added",
        ]
    );
    assert_eq!(
        lines(&new, &old),
        [
            "breaking: post_things: response 200 (text/plain) body removed",
            "breaking: post_things: response 404 removed",
            "compatible: post_things: response 200 body added",
        ]
    );
}

#[test]
fn security_alternative_removed_is_breaking_and_added_is_compatible() {
    let with = |alternatives: Value| {
        let mut spec = api(string(), string());
        spec["paths"]["/things"]["post"]["security"] = alternatives;
        spec
    };
    let key = with(json!([{"X-API-KEY": []}]));
    let key_or_token = with(json!([{"X-API-KEY": []}, {"Authorization": []}]));
    assert_eq!(
        lines(&key, &key_or_token),
        ["compatible: post_things: security Authorization added"]
    );
    assert_eq!(
        lines(&key_or_token, &key),
        ["breaking: post_things: security Authorization removed"]
    );
    let both = with(json!([{"X-API-KEY": [], "Authorization": []}]));
    assert_eq!(
        lines(&key, &both),
        [
            "breaking: post_things: security X-API-KEY removed",
            "compatible: post_things: security Authorization + X-API-KEY added",
        ]
    );
    let public = api(string(), string());
    assert_eq!(
        lines(&public, &key),
        [
            "breaking: post_things: security none removed",
            "compatible: post_things: security X-API-KEY added",
        ]
    );
}

#[test]
fn malformed_documents_give_a_report_not_a_panic() {
    let spec = api(string(), string());
    for odd in [
        json!(null),
        json!([1, 2]),
        json!({"paths": 3}),
        json!({"paths": {"/x": {"get": {"parameters": 5, "responses": []}}}}),
        json!({"paths": {"/x": {"get": {"responses": {"200": {"$ref": "#/nowhere"}}}}}}),
        json!({"paths": {"/x": {"$ref": "#/paths/~1x"}}}),
    ] {
        let _ = compare(&odd, &spec);
        let _ = compare(&spec, &odd);
        let _ = compare(&odd, &odd);
    }
    let dangling = api(json!({"$ref": "#/components/schemas/Gone"}), string());
    assert!(compare(&dangling, &dangling).changes.is_empty());
}

#[test]
fn the_report_is_sorted_and_ends_with_a_count() {
    let old = object(json!({"z": string(), "a": string()}), &[]);
    let new = object(json!({"m": string()}), &[]);
    let report = {
        let req = object(json!({}), &[]);
        compare(&api(req.clone(), old), &api(req, new))
    };
    assert_eq!(
        report.render(),
        "breaking: post_things: response 200 field a removed\n\
         breaking: post_things: response 200 field z removed\n\
         compatible: post_things: response 200 field m added\n\
         2 breaking, 1 compatible\n"
    );
}
