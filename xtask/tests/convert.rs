//! The converter on docs beyond the seed: several endpoints in one API, parameters, request
//! bodies, nesting through arrays of objects, nullable and non-string enums, and the errors a
//! set of docs can only show once they are put together.

use serde_json::{Value, json};
use xtask::pipeline::{self, Error};

const STATUS_ENUM: &str = r#"Enum: "SUCCESS", "QUOTA_LIMIT_EXCEED", "NOT_AUTHORIZED", "FORBIDDEN", "BAD_ACCESS_TOKEN", "BAD_PRIVATE_KEY", "BAD_PUBLIC_KEY", "MISSING_PARAMETER", "INVALID_PARAMETER", "WRONG_PARAMETER_TYPE", "CONFLICT", "RESOURCE_LOCKED", "SERVER_ERROR", "ERROR", "NOT_FOUND", "BAD_REQUEST", "USER_ERROR", "PARTIAL_ERROR""#;

#[path = "common/seed_doc.rs"]
mod seed_doc;
use seed_doc::seed;

/// A login page in the multi-line layout, with the same error body as the seed.
fn login() -> (String, String) {
    let error_fields = error_section_fields();
    let text = format!(
        "# Log in a user

Returns an access token for the user's session.

Endpoint: POST /users/login
Version: 20250708
Security: X-API-KEY

## Request fields (application/json):

  - `email` (string, required)
    The user's email address
    Example: \"jane@example.com\"

  - `password` (string, required)
    The user's password

## Response 200 fields (application/json):

  - `status` (string, required)
    {STATUS_ENUM}

  - `response` (object, required)
    The session

  - `response.access_token` (string)
    Token to send in the Authorization header
    Example: \"abc123\"

## Response 400 fields (application/json):
{error_fields}
## Response 401 fields (application/json):
{error_fields}"
    );
    ("spec/endpoints/post_users_login.md".to_string(), text)
}

fn error_section_fields() -> String {
    let seed = seed().1;
    // The seed's 400 section, field list only: the same shape as every other error body.
    let title = "## Response 400 fields (application/json): ";
    let start = seed.find(title).expect("400") + title.len();
    let end = seed.find(" ## Response 401").expect("401");
    format!("\n{}\n", &seed[start..end])
}

/// Path, query and header parameters; nesting through arrays of objects; nullable,
/// non-string enums and a status enum whose values differ from the shared one.
fn location() -> (String, String) {
    let text = "# Get a location

Endpoint: GET /locations/{id}
Version: 20250708
Security: privateKey, partnerSecret

## Path parameters:

  - `id` (integer, required)
    The location's id
    Example: 42

## Query parameters:

  - `fields` (array)
    Fields to return

  - `verbose` (integer)
    Enum: 1, 0

## Header parameters:

  - `X-Trace` (string,null)
    Trace id

## Response 200 fields (application/json):

  - `status` (string, required)
    Enum: \"ACTIVE\", \"INACTIVE\"

  - `location` (object,null)
    The location

  - `location.openingHours` (array, required)
    Opening hours

  - `location.openingHours.day` (integer)
    Day of week

  - `location.openingHours.slots` (array)

  - `location.openingHours.slots.from` (string)
    Example: \"08:00\"

  - `meta` (any)
    Anything
    Example: {\"a\": [1, 2]}
"
    .to_string();
    ("spec/endpoints/get_locations_id.md".to_string(), text)
}

fn spec_of(docs: &[(String, String)]) -> (Value, pipeline::Build) {
    let build = pipeline::build_from(docs).expect("docs convert");
    let spec = serde_json::from_str(&build.outputs[0].contents).expect("JSON");
    (spec, build)
}

#[test]
fn shapes_repeated_across_endpoints_are_one_component() {
    let (spec, build) = spec_of(&[login(), seed()]);
    let schemas = spec["components"]["schemas"].as_object().expect("schemas");
    let mut names: Vec<&str> = schemas.keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "ErrorCode",
            "ErrorEnvelope",
            "PostUsersLoginEnvelope",
            "PostUsersLoginRequest",
            "PostUsersLoginResponse",
            "PostUsersLogoutEnvelope",
            "PostUsersLogoutResponse",
            "Status",
        ]
    );
    for (path, codes) in [
        ("/users/login", &["400", "401"][..]),
        ("/users/logout", &["400", "401", "403", "404", "409"][..]),
    ] {
        for code in codes {
            assert_eq!(
                spec["paths"][path]["post"]["responses"][code]["content"]["application/json"]["schema"]
                    ["$ref"],
                "#/components/schemas/ErrorEnvelope"
            );
        }
    }
    assert_eq!(
        schemas["PostUsersLoginEnvelope"]["properties"]["status"]["$ref"],
        "#/components/schemas/Status"
    );
    // The generated client has the request type, and one open enum per enum component.
    let client = &build.outputs[1].contents;
    assert!(client.contains("pub struct PostUsersLoginRequest"));
    assert_eq!(client.matches("pub enum Status {").count(), 1);
}

#[test]
fn request_body_is_required_json_with_required_fields() {
    let (spec, _) = spec_of(&[login()]);
    let op = &spec["paths"]["/users/login"]["post"];
    assert_eq!(op["security"], json!([{ "X-API-KEY": [] }]));
    let body = &op["requestBody"];
    assert_eq!(body["required"], true);
    assert_eq!(
        body["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/PostUsersLoginRequest"
    );
    let request = &spec["components"]["schemas"]["PostUsersLoginRequest"];
    assert_eq!(request["required"], json!(["email", "password"]));
    assert_eq!(
        request["properties"]["email"]["example"],
        "jane@example.com"
    );
    assert_eq!(
        request["properties"]["password"]["description"],
        "The user's password"
    );
}

#[test]
fn parameters_nesting_nullability_and_enums_carry_over() {
    let (spec, build) = spec_of(&[location()]);
    let op = &spec["paths"]["/locations/{id}"]["get"];
    assert_eq!(op["operationId"], "get_locations_id");
    let params = op["parameters"].as_array().expect("parameters");
    let summary: Vec<(&str, &str, bool)> = params
        .iter()
        .map(|p| {
            (
                p["in"].as_str().expect("in"),
                p["name"].as_str().expect("name"),
                p["required"].as_bool().unwrap_or(false),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("path", "id", true),
            ("query", "fields", false),
            ("query", "verbose", false),
            ("header", "X-Trace", false)
        ]
    );
    assert_eq!(params[0]["schema"]["type"], "integer");
    assert_eq!(params[0]["example"], 42);
    assert_eq!(params[2]["schema"]["enum"], json!([1, 0]));
    assert_eq!(params[3]["schema"]["nullable"], true);

    let schemas = &spec["components"]["schemas"];
    let envelope = &schemas["GetLocationsIdEnvelope"];
    // The seed's `Status` name is free here, so this enum takes it.
    assert_eq!(
        envelope["properties"]["status"]["$ref"],
        "#/components/schemas/Status"
    );
    assert_eq!(schemas["Status"]["enum"], json!(["ACTIVE", "INACTIVE"]));
    // A nullable object keeps the component shared and marks the field.
    let location = &envelope["properties"]["location"];
    assert_eq!(location["nullable"], true);
    assert_eq!(
        location["allOf"][0]["$ref"],
        "#/components/schemas/GetLocationsIdLocation"
    );
    let hours = &schemas["GetLocationsIdLocation"]["properties"]["openingHours"];
    assert_eq!(hours["type"], "array");
    assert_eq!(
        hours["items"]["$ref"],
        "#/components/schemas/GetLocationsIdLocationOpeningHoursItem"
    );
    assert_eq!(
        schemas["GetLocationsIdLocation"]["required"],
        json!(["openingHours"])
    );
    let item = &schemas["GetLocationsIdLocationOpeningHoursItem"];
    assert_eq!(item["properties"]["day"]["type"], "integer");
    let slots = &item["properties"]["slots"];
    assert_eq!(
        slots["items"]["$ref"],
        "#/components/schemas/GetLocationsIdLocationOpeningHoursSlotsItem"
    );
    assert_eq!(
        schemas["GetLocationsIdLocationOpeningHoursSlotsItem"]["properties"]["from"]["example"],
        "08:00"
    );
    assert_eq!(
        envelope["properties"]["meta"]["example"],
        json!({"a": [1, 2]})
    );

    // Unknown scheme names become header API keys, with a warning.
    assert_eq!(
        spec["components"]["securitySchemes"]["partnerSecret"],
        json!({"type": "apiKey", "in": "header", "name": "partnerSecret",
               "description": "API key sent in the partnerSecret header."})
    );
    assert!(
        build
            .warnings
            .iter()
            .any(|w| w.contains("unknown security scheme `partnerSecret`")),
        "{:?}",
        build.warnings
    );
    assert!(!build.warnings.iter().any(|w| w.contains("privateKey")));
}

#[test]
fn conflicting_enum_names_are_qualified_not_merged() {
    let (spec, _) = spec_of(&[location(), seed()]);
    let schemas = &spec["components"]["schemas"];
    assert_eq!(schemas["Status"]["enum"], json!(["ACTIVE", "INACTIVE"]));
    let logout_status = &schemas["PostUsersLogoutEnvelope"]["properties"]["status"]["$ref"];
    assert_eq!(*logout_status, "#/components/schemas/PostUsersLogoutStatus");
    assert_eq!(
        schemas["PostUsersLogoutStatus"]["enum"][0], "SUCCESS",
        "the seed's status enum is kept whole under a qualified name"
    );
}

#[test]
fn enums_of_generic_fields_are_named_after_their_owner() {
    let page = "# A\n\nEndpoint: GET /a\n\n## Response 200 fields (application/json):\n\n  - `response` (object)\n\n  - `response.type` (string)\n    Enum: \"X\", \"Y\"\n\n  - `response.role` (string)\n    Enum: \"ADMIN\"\n";
    let (spec, _) = spec_of(&[("spec/endpoints/get_a.md".to_string(), page.to_string())]);
    let schemas = spec["components"]["schemas"].as_object().expect("schemas");
    assert!(
        schemas.contains_key("GetAResponseType"),
        "{:?}",
        schemas.keys()
    );
    assert!(!schemas.contains_key("Type"), "a bare `Type` says nothing");
    assert!(
        schemas.contains_key("Role"),
        "a specific field name stands alone"
    );
}

fn convert_error(docs: &[(String, String)]) -> String {
    match pipeline::build_from(docs) {
        Err(e @ Error::Convert(_)) => e.to_string(),
        Err(other) => panic!("expected a conversion error, got {other}"),
        Ok(_) => panic!("expected a conversion error, got a spec"),
    }
}

#[test]
fn docs_that_disagree_are_rejected_with_file_and_reason() {
    let (name, text) = login();
    let other_version = (
        name.clone(),
        text.replace("Version: 20250708", "Version: 20240101"),
    );
    let msg = convert_error(&[seed(), other_version]);
    assert_eq!(
        msg,
        "spec/endpoints/post_users_login.md: POST /users/login (post_users_login): `Version: 20240101` disagrees with `Version: 20250708` in spec/endpoints/post_users_logout.md; all docs must describe one API version"
    );

    let duplicate = ("spec/endpoints/copy.md".to_string(), seed().1);
    let msg = convert_error(&[seed(), duplicate]);
    assert_eq!(
        msg,
        "spec/endpoints/copy.md: POST /users/logout (post_users_logout): documented twice (also in spec/endpoints/post_users_logout.md)"
    );

    let (name, text) = location();
    let missing_param = (
        name,
        text.replace(
            "Endpoint: GET /locations/{id}",
            "Endpoint: GET /locations/{locationId}",
        ),
    );
    let msg = convert_error(&[missing_param]);
    assert_eq!(
        msg,
        "spec/endpoints/get_locations_id.md: GET /locations/{locationId} (get_locations_locationId): path `/locations/{locationId}` has `{locationId}` but no `## Path parameters:` field `locationId`"
    );

    let (name, text) = location();
    let bad_enum = (name, text.replace("Enum: 1, 0", "Enum: 1, \"zero\""));
    let msg = convert_error(&[bad_enum]);
    assert_eq!(
        msg,
        "spec/endpoints/get_locations_id.md: GET /locations/{id} (get_locations_id): `verbose`: Enum value `\"zero\"` does not match the field's type integer"
    );
}

/// Shapes progenitor cannot generate are rejected with a reason, never a panic.
#[test]
fn shapes_the_client_generator_cannot_take_are_errors() {
    let doc = |text: &str| ("spec/endpoints/x.md".to_string(), text.to_string());

    let same_name = doc(
        "# A\n\nEndpoint: GET /a/{id}\n\n## Path parameters:\n\n  - `id` (string, required)\n\n## Query parameters:\n\n  - `id` (string)\n",
    );
    assert_eq!(
        convert_error(&[same_name]),
        "spec/endpoints/x.md: GET /a/{id} (get_a_id): parameter `id` is documented as a path and as a query parameter; the generated client needs distinct parameter names"
    );

    let two_error_bodies = doc(
        "# A\n\nEndpoint: GET /a\n\n## Response 400 fields (application/json):\n\n  - `t` (integer)\n\n## Response 401 fields (application/json):\n\n  - `u` (integer)\n",
    );
    assert_eq!(
        convert_error(&[two_error_bodies]),
        "spec/endpoints/x.md:9: GET /a (get_a): error responses 400 and 401 have different bodies (ErrorEnvelope and ErrorEnvelope2); the generated client needs all error responses of an operation to share one body shape (an empty section means no body)"
    );

    // Two documented values that would be one Rust variant.
    let clashing_enum = doc(
        "# A\n\nEndpoint: GET /a\n\n## Response 200 fields (application/json):\n\n  - `shape` (string)\n    Enum: \"a-b\", \"A_B\"\n",
    );
    match pipeline::build_from(&[clashing_enum]) {
        Err(e @ Error::Codegen { .. }) => assert_eq!(
            e.to_string(),
            "spec/endpoints/x.md: GET /a (get_a): enum Shape: value `A_B` maps to Rust variant `AB`, which is already taken"
        ),
        Err(other) => panic!("expected a codegen error, got {other}"),
        Ok(_) => panic!("expected a codegen error, got a client"),
    }
}
