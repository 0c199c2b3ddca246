//! Tests of the endpoint-doc parser (`xtask::parse`).
//!
//! Every well-formed doc is parsed in both layouts — the multi-line fixture as written and its
//! white-space-collapsed form — and the two results must be equal.

use proptest::prelude::*;
use serde_json::{Value, json};
use xtask::model::{
    Body, EndpointDoc, Field, FieldType, Method, ParamLocation, Parameter, Response,
};
use xtask::parse::{ParseError, parse, split_summary};

const SEED: &str = include_str!("fixtures/post_users_logout.collapsed.md");
const SEED_MULTI_LINE: &str = include_str!("fixtures/post_users_logout.multiline.md");
const LOGIN: &str = include_str!("fixtures/post_users_login.md");
const LISTINGS: &str = include_str!("fixtures/get_location_listings.md");

mod common;
use common::{ERROR_CODES, STATUS};

// ---------------------------------------------------------------------------------------------
// Helpers

/// The collapsed layout of `text`: every run of white space replaced by one space, trimmed.
fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn parse_ok(text: &str) -> EndpointDoc {
    match parse(text) {
        Ok(doc) => doc,
        Err(e) => panic!("parse failed: {e}\n--- input ---\n{text}"),
    }
}

/// Parses a multi-line doc and its collapsed form, asserts both agree, returns the model.
fn parse_both(multi_line: &str) -> EndpointDoc {
    let doc = parse_ok(multi_line);
    let collapsed = collapse(multi_line);
    assert_ne!(collapsed, multi_line, "fixture should be multi-line");
    assert_eq!(parse_ok(&collapsed), doc, "layouts disagree");
    doc
}

fn parse_err(text: &str) -> ParseError {
    match parse(text) {
        Ok(doc) => panic!("expected an error, parsed {doc:#?}\n--- input ---\n{text}"),
        Err(e) => e,
    }
}

/// Asserts the error's message (with its `line:column:` prefix) and that its byte offset
/// points at `token` in `text`.
#[track_caller]
fn assert_error(text: &str, message: &str, token: &str) {
    let e = parse_err(text);
    let at = text
        .get(e.offset..)
        .unwrap_or_else(|| panic!("offset off a char boundary: {e:?}"));
    assert!(
        at.starts_with(token),
        "error should point at {token:?}, points at {:?}: {e}",
        at.chars().take(20).collect::<String>()
    );
    assert_eq!(e.to_string(), message, "input: {text:?}");
}

/// A field with defaults: optional, not nullable, nothing else.
fn field(name: &str, ty: FieldType) -> Field {
    Field {
        name: name.into(),
        ty,
        nullable: false,
        required: false,
        description: None,
        example: None,
        enum_values: None,
        children: Vec::new(),
        line: 0,
    }
}

fn strings(values: &[&str]) -> Option<Vec<Value>> {
    Some(values.iter().map(|v| json!(v)).collect())
}

fn desc(text: &str) -> Option<String> {
    Some(text.into())
}

fn find<'a>(fields: &'a [Field], name: &str) -> &'a Field {
    fields
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no field {name}"))
}

fn param<'a>(doc: &'a EndpointDoc, location: ParamLocation, name: &str) -> &'a Field {
    doc.parameters
        .iter()
        .find(|p| p.location == location && p.field.name == name)
        .map(|p| &p.field)
        .unwrap_or_else(|| panic!("no {location:?} parameter {name}"))
}

// ---------------------------------------------------------------------------------------------
// The seed

fn expected_seed() -> EndpointDoc {
    let status = Field {
        required: true,
        enum_values: strings(&STATUS),
        ..field("status", FieldType::String)
    };
    let message = Field {
        description: desc("(optional) Holds further information about the response"),
        ..field("message", FieldType::String)
    };
    let error_code = Field {
        enum_values: strings(&ERROR_CODES),
        ..field("errorCode", FieldType::String)
    };
    let ok = Body {
        media_type: "*/*".into(),
        fields: vec![
            status.clone(),
            message.clone(),
            Field {
                description: desc("(optional) Holds further warnings"),
                ..field("warnings", FieldType::Array)
            },
            Field {
                required: true,
                description: desc("Details about the LogoutResponse"),
                children: vec![
                    Field {
                        description: desc("True if logout was successful"),
                        example: Some(json!(true)),
                        ..field("success", FieldType::Boolean)
                    },
                    Field {
                        description: desc("The URL that a user is redirected to when logging out"),
                        example: Some(json!("http://example.com/redirect")),
                        ..field("redirectUrl", FieldType::String)
                    },
                ],
                ..field("response", FieldType::Object)
            },
        ],
    };
    let error = Body {
        media_type: "application/json".into(),
        fields: vec![
            status,
            message,
            error_code,
            Field {
                description: desc("(optional) The actual response object of the response"),
                ..field("response", FieldType::Object)
            },
        ],
    };
    let mut responses = vec![Response {
        status: 200,
        body: ok,
        line: 0,
    }];
    for status in [400, 401, 403, 404, 409] {
        responses.push(Response {
            status,
            body: error.clone(),
            line: 0,
        });
    }
    EndpointDoc {
        summary: "Log out the current user".into(),
        description: desc(
            "Logs out the current user and invalidates the access_token associated with this session",
        ),
        method: Method::Post,
        path: "/users/logout".into(),
        version: Some("20250708".into()),
        security: vec!["X-API-KEY".into(), "Authorization".into()],
        parameters: Vec::new(),
        request: None,
        responses,
    }
}

#[test]
fn seed_parses_to_the_expected_model() {
    let doc = parse_ok(SEED);
    assert_eq!(doc, expected_seed());

    // The same facts, spelled out, so a failure says which one broke.
    assert_eq!(doc.method, Method::Post);
    assert_eq!(doc.path, "/users/logout");
    assert_eq!(doc.version.as_deref(), Some("20250708"));
    assert_eq!(doc.security, ["X-API-KEY", "Authorization"]);
    assert!(doc.parameters.is_empty() && doc.request.is_none());
    let codes: Vec<u16> = doc.responses.iter().map(|r| r.status).collect();
    assert_eq!(codes, [200, 400, 401, 403, 404, 409]);
    let ok = &doc.responses[0].body;
    assert_eq!(ok.media_type, "*/*");
    let status = find(&ok.fields, "status");
    assert!(status.required);
    assert_eq!(status.enum_values.as_ref().map(Vec::len), Some(18));
    let response = find(&ok.fields, "response");
    assert_eq!((response.ty, response.required), (FieldType::Object, true));
    let success = find(&response.children, "success");
    assert_eq!(success.example, Some(json!(true)));
    let error_code = find(&doc.responses[1].body.fields, "errorCode");
    assert_eq!(error_code.enum_values, strings(&ERROR_CODES));
    for r in &doc.responses[1..] {
        assert_eq!(r.body.media_type, "application/json");
    }
}

#[test]
fn multi_line_seed_parses_to_the_same_model() {
    assert_eq!(
        collapse(SEED_MULTI_LINE),
        SEED,
        "fixture drifted from the seed"
    );
    assert_eq!(parse_ok(SEED_MULTI_LINE), parse_ok(SEED));
    assert_eq!(parse_both(SEED_MULTI_LINE), expected_seed());
}

#[test]
fn crlf_tabs_and_bom_do_not_matter() {
    let crlf = format!(
        "\u{feff}{}",
        SEED_MULTI_LINE.replace('\n', "\r\n").replace("    ", "\t")
    );
    assert_eq!(parse_ok(&crlf), expected_seed());
}

#[test]
fn front_matter_is_skipped() {
    let text = format!(
        "---\ntitle: \"POST /users/logout\"\nscraped_at: \"2026-06-07\"\n---\n\n{SEED_MULTI_LINE}"
    );
    assert_eq!(parse_both(&text), expected_seed());
    assert_error(
        "---\ntitle: x\n# T\n",
        "1:1: expected `---` closing the front matter, found end of input",
        "---",
    );
}

// ---------------------------------------------------------------------------------------------
// Section kinds and field forms, each on both layouts

#[test]
fn login_request_body() {
    let doc = parse_both(LOGIN);
    assert_eq!(doc.summary, "Provide an access_token for the user");
    assert_eq!(
        doc.description.as_deref(),
        Some(
            "Provides an access_token for the email or the userId provided in the \
             LoginCommand. The accepted couples are: [email, password] [email, private_key] \
             [userId, private_key]"
        )
    );
    assert_eq!(doc.method, Method::Post);
    assert_eq!(doc.path, "/users/login");
    assert_eq!(doc.version.as_deref(), Some("20250708"));
    assert!(doc.security.is_empty(), "no Security: line");
    assert!(doc.parameters.is_empty());

    let request = doc.request.as_ref().expect("request body");
    assert_eq!(request.media_type, "application/json");
    let names: Vec<&str> = request.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        ["email", "password", "userId", "private_key", "options"]
    );
    assert_eq!(
        request.fields[0],
        Field {
            required: true,
            description: desc("User email (email or userId is required)"),
            example: Some(json!("jane.doe@example.com")),
            ..field("email", FieldType::String)
        }
    );
    assert_eq!(
        request.fields[1],
        Field {
            required: true,
            description: desc("User Password (password or private_key is required)"),
            ..field("password", FieldType::String)
        }
    );
    let user_id = &request.fields[2];
    assert_eq!(
        (user_id.ty, user_id.nullable, user_id.required),
        (FieldType::Integer, true, false)
    );
    assert_eq!(user_id.example, Some(json!(42)));
    let options = &request.fields[4];
    assert_eq!((options.ty, options.nullable), (FieldType::Object, true));
    assert_eq!(
        options.example,
        Some(json!({"remember": true, "scopes": ["locations", "listings"], "ttl": 3600}))
    );

    assert_eq!(doc.responses.len(), 1);
    let ok = &doc.responses[0];
    assert_eq!((ok.status, ok.body.media_type.as_str()), (200, "*/*"));
    let fields = &ok.body.fields;
    assert_eq!(
        find(fields, "status").enum_values,
        strings(&["SUCCESS", "NOT_AUTHORIZED", "BAD_PRIVATE_KEY"])
    );
    let warnings = find(fields, "warnings");
    assert_eq!(
        warnings.example,
        Some(json!(["password expires soon", "new terms"]))
    );
    assert_eq!(
        warnings.description.as_deref(),
        Some("(optional) Holds further warnings")
    );
    let response = find(fields, "response");
    assert_eq!(
        response.children,
        [
            Field {
                required: true,
                description: desc("Access Token"),
                example: Some(json!("5f2b1c0e9a")),
                ..field("access_token", FieldType::String)
            },
            Field {
                description: desc("Anything the server wants to add."),
                ..field("extra", FieldType::Any)
            },
        ]
    );
}

#[test]
fn path_query_and_header_parameters() {
    let doc = parse_both(LISTINGS);
    assert_eq!(doc.summary, "Get the Listings of a Location");
    assert_eq!(
        doc.description.as_deref(),
        Some(
            "Returns the listings of the location with the given id, one entry per directory. \
             Note: The listings are computed asynchronously; recently created locations may \
             have none yet."
        )
    );
    assert_eq!(doc.method, Method::Get);
    assert_eq!(doc.path, "/locations/{id}/listings/{directoryType}");
    assert_eq!(doc.security, ["privateKey", "accessToken"]);

    let order: Vec<(ParamLocation, &str)> = doc
        .parameters
        .iter()
        .map(|p| (p.location, p.field.name.as_str()))
        .collect();
    use ParamLocation::{Header, Path, Query};
    assert_eq!(
        order,
        [
            (Path, "id"),
            (Path, "directoryType"),
            (Query, "max"),
            (Query, "page.size"),
            (Query, "directoryTypes"),
            (Query, "filter"),
            (Header, "Accept-Language"),
        ]
    );
    assert_eq!(
        doc.parameters[0],
        Parameter {
            location: Path,
            field: Field {
                required: true,
                description: desc("The uberall id of the location"),
                example: Some(json!(123)),
                ..field("id", FieldType::Integer)
            },
        }
    );
    assert_eq!(
        param(&doc, Path, "directoryType").enum_values,
        strings(&["GOOGLE", "FACEBOOK", "APPLE_MAPS"])
    );
    assert_eq!(param(&doc, Query, "max").example, Some(json!(50)));
    assert_eq!(
        param(&doc, Query, "directoryTypes").example,
        Some(json!(["GOOGLE", "FACEBOOK"]))
    );
    // An object parameter has children, like a body field.
    assert_eq!(
        param(&doc, Query, "filter").children,
        [Field {
            example: Some(json!(0.5)),
            ..field("minScore", FieldType::Number)
        }]
    );
    assert_eq!(
        param(&doc, Header, "Accept-Language").example,
        Some(json!("de"))
    );
}

#[test]
fn nested_arrays_enums_nullable_any_and_examples() {
    let doc = parse_both(LISTINGS);
    assert!(doc.request.is_none());
    let codes: Vec<u16> = doc.responses.iter().map(|r| r.status).collect();
    assert_eq!(codes, [200, 404]);
    assert_eq!(
        doc.responses[1].body.media_type,
        "application/json; charset=utf-8"
    );

    let fields = &doc.responses[0].body.fields;
    let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["status", "items"]);
    let items = find(fields, "items");
    assert_eq!((items.ty, items.required), (FieldType::Array, true));
    let names: Vec<&str> = items.children.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        ["id", "syncStatus", "score", "tags", "raw", "removed"]
    );

    let sync = find(&items.children, "syncStatus");
    assert_eq!(sync.enum_values, Some(vec![json!(1), json!(0)]));
    assert_eq!(
        sync.description.as_deref(),
        Some("* 1 - In sync * 0 - Not in sync. Check the `items.tags` field for details.")
    );
    let score = find(&items.children, "score");
    assert_eq!(
        (score.ty, score.nullable, score.example.clone()),
        (FieldType::Number, true, Some(json!(97.5)))
    );
    let tags = find(&items.children, "tags");
    assert_eq!(
        (tags.ty, tags.nullable, tags.required),
        (FieldType::Array, true, true)
    );
    assert_eq!(tags.example, Some(json!([{"name": "claimed"}])));
    assert_eq!(
        tags.children,
        [Field {
            description: desc("The tag."),
            ..field("name", FieldType::String)
        }]
    );
    let raw = find(&items.children, "raw");
    assert_eq!(raw.ty, FieldType::Any);
    assert_eq!(
        raw.example,
        Some(json!({"a": [1, 2.5, null, false], "b": {"c": "d e"}}))
    );
    let removed = find(&items.children, "removed");
    assert_eq!((removed.ty, removed.nullable), (FieldType::Null, false));
    assert_eq!(removed.enum_values, Some(vec![Value::Null]));

    // `Example:` before `Enum:` works as well as after.
    let status = find(&doc.responses[1].body.fields, "status");
    assert_eq!(status.example, Some(json!("NOT_FOUND")));
    assert_eq!(status.enum_values, strings(&["NOT_FOUND"]));
}

#[test]
fn type_list_forms() {
    let doc = parse_both(
        "# Types\n\nEndpoint: GET /t\n\n## Response 200 fields (application/json):\n\
         \n  - `a` (string)\n  - `b` (string, required)\n  - `c` (string,null)\n\
         \n  - `d` (array,null, required)\n  - `e` (null,integer)\n  - `f` ( boolean , required )\n\
         \n  - `g` (any)\n  - `h` (null)\n  - `i`(boolean)\n",
    );
    let got: Vec<(std::string::String, FieldType, bool, bool)> = doc.responses[0]
        .body
        .fields
        .iter()
        .map(|f| (f.name.clone(), f.ty, f.nullable, f.required))
        .collect();
    use FieldType::*;
    let want = [
        ("a", String, false, false),
        ("b", String, false, true),
        ("c", String, true, false),
        ("d", Array, true, true),
        ("e", Integer, true, false),
        ("f", Boolean, false, true),
        ("g", Any, false, false),
        ("h", Null, false, false),
        ("i", Boolean, false, false),
    ];
    let want: Vec<_> = want
        .iter()
        .map(|&(n, t, nl, r)| (n.to_owned(), t, nl, r))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn minimal_page_and_multi_line_descriptions() {
    // No description, no Version, no Security, no sections.
    let doc = parse_both("# Ping\n\nEndpoint: HEAD /ping\n");
    assert_eq!(
        doc,
        EndpointDoc {
            summary: "Ping".into(),
            description: None,
            method: Method::Head,
            path: "/ping".into(),
            version: None,
            security: Vec::new(),
            parameters: Vec::new(),
            request: None,
            responses: Vec::new(),
        }
    );

    // A field description spanning lines, indented or not, with blank lines; an empty section.
    let doc = parse_both(
        "# Put a thing\n\nPuts it.\n\nEndpoint: PUT /things/{id}\n\n\
         ## Request fields (application/json):\n\n  - `name` (string)\n    First line\n    \
         second   line.\n\nNote:\n\nThird   paragraph.\n    Example: \"x\"\n\n\
         ## Response 204 fields (application/json):\n",
    );
    assert_eq!(doc.method, Method::Put);
    let name = &doc.request.as_ref().expect("request").fields[0];
    assert_eq!(
        name.description.as_deref(),
        Some("First line second line. Note: Third paragraph.")
    );
    assert_eq!(name.example, Some(json!("x")));
    assert_eq!(doc.responses[0].status, 204);
    assert!(doc.responses[0].body.fields.is_empty());
}

#[test]
fn every_method_is_recognised() {
    for method in [
        Method::Get,
        Method::Put,
        Method::Post,
        Method::Delete,
        Method::Options,
        Method::Head,
        Method::Patch,
        Method::Trace,
    ] {
        let doc = parse_ok(&format!("# X Endpoint: {method} /x"));
        assert_eq!(doc.method, method);
    }
}

#[test]
fn example_json_strings_keep_escapes_and_brackets() {
    let doc = parse_both(
        "# S\n\nEndpoint: GET /s\n\n## Response 200 fields (application/json):\n\n  \
         - `s` (string)\n    Example: \"a \\\"quoted\\\" ] } , text\"\n    \
         Enum: \"x, y\", \"\\u00e9\", \"z\"\n",
    );
    let s = &doc.responses[0].body.fields[0];
    assert_eq!(s.example, Some(json!("a \"quoted\" ] } , text")));
    assert_eq!(s.enum_values, strings(&["x, y", "é", "z"]));
}

// ---------------------------------------------------------------------------------------------
// The collapsed-heading heuristic

#[test]
fn summary_heuristic() {
    let cases: [(&str, &str, Option<&str>); 10] = [
        // The seed: same verb, inflected.
        (
            "Log out the current user Logs out the current user",
            "Log out the current user",
            Some("Logs out the current user"),
        ),
        // Description repeats the summary.
        (
            "Create an Auto Response Rule Create an Auto Response Rule",
            "Create an Auto Response Rule",
            Some("Create an Auto Response Rule"),
        ),
        // Title-Case summary, description starts with another verb.
        (
            "Update a Custom Item Make changes to a custom item.",
            "Update a Custom Item",
            Some("Make changes to a custom item."),
        ),
        (
            "Get a Collection Retrieve a specific Collection by id",
            "Get a Collection",
            Some("Retrieve a specific Collection by id"),
        ),
        // All-caps words end a run; a word ending in `.` ends the summary.
        (
            "Unsubscribe email link Requires UBER_API_ADMIN role",
            "Unsubscribe email link",
            Some("Requires UBER_API_ADMIN role"),
        ),
        (
            "Get Customer Feedback Keywords. Returns the 100 most mentioned Keywords",
            "Get Customer Feedback Keywords.",
            Some("Returns the 100 most mentioned Keywords"),
        ),
        // Plain lower-case summary.
        (
            "Connect a business Creates a business connection",
            "Connect a business",
            Some("Creates a business connection"),
        ),
        ("Ping", "Ping", None),
        // Title-Case nouns after function words stay in the summary.
        ("Get a List of Businesses", "Get a List of Businesses", None),
        // A known limit: a Title-Case summary without description may be split.
        ("Get All Directories", "Get All", Some("Directories")),
    ];
    for (text, summary, description) in cases {
        let got = split_summary(text);
        assert_eq!(
            (got.0.as_str(), got.1.as_deref()),
            (summary, description),
            "{text}"
        );
    }
}

/// Measures [`split_summary`] on the (summary, description) pairs of an OpenAPI description.
/// Run with `UBERALL_OPENAPI=/path/to/uberall-openapi.json cargo test -p xtask --test parse --
/// --ignored --nocapture`.
#[test]
#[ignore = "needs UBERALL_OPENAPI pointing at a reference OpenAPI JSON"]
fn summary_heuristic_accuracy_on_reference() {
    let Ok(path) = std::env::var("UBERALL_OPENAPI") else {
        eprintln!("UBERALL_OPENAPI not set; skipping");
        return;
    };
    let text = std::fs::read_to_string(path).expect("read reference");
    let spec: Value = serde_json::from_str(&text).expect("reference JSON");
    let (mut total, mut right) = (0, 0);
    for ops in spec["paths"].as_object().expect("paths").values() {
        for op in ops.as_object().expect("path item").values() {
            let (Some(summary), Some(description)) = (
                op.get("summary").and_then(Value::as_str),
                op.get("description").and_then(Value::as_str),
            ) else {
                continue;
            };
            let (summary, description) = (collapse(summary), collapse(description));
            total += 1;
            let got = split_summary(&format!("{summary} {description}"));
            if got == (summary.clone(), Some(description.clone())) {
                right += 1;
            } else {
                eprintln!("wrong: {summary:?} -> {:?}", got.0);
            }
        }
    }
    eprintln!("split_summary: {right}/{total} right");
    assert!(total > 0);
}

// ---------------------------------------------------------------------------------------------
// Malformed docs: message text and location

/// A well-formed one-line prefix used by many error cases (34 bytes).
const HEAD: &str = "# T Endpoint: GET /x Version: 1 ##";

#[test]
fn error_display_format() {
    let e = ParseError {
        line: 3,
        column: 7,
        offset: 20,
        expected: "this".into(),
        found: "\"that\"".into(),
    };
    assert_eq!(e.to_string(), "3:7: expected this, found \"that\"");
    let _: &dyn std::error::Error = &e;
}

#[test]
fn error_missing_heading() {
    assert_error(
        "Log out Endpoint: POST /users/logout",
        "1:1: expected `# ` heading, found \"Log\"",
        "Log",
    );
    assert_error("", "1:1: expected `# ` heading, found end of input", "");
    assert_error(
        "## Response 200 fields (*/*):",
        "1:1: expected `# ` heading, found \"##\"",
        "##",
    );
    // Leading blank lines are skipped; the location is still in the original text.
    assert_error(
        "\n\n  #Title\n",
        "3:3: expected `# ` heading, found \"#Title\"",
        "#Title",
    );
}

#[test]
fn error_missing_summary_or_endpoint() {
    assert_error(
        "# Endpoint: GET /x",
        "1:3: expected summary text after `# `, found \"Endpoint:\"",
        "Endpoint:",
    );
    assert_error(
        "# Title\n\nSome text.\n\n## Response 200 fields (*/*):\n  - `a` (string)\n",
        "5:1: expected `Endpoint: <METHOD> <path>` line, found \"##\"",
        "##",
    );
    assert_error(
        "# Title and nothing else\n",
        "1:25: expected `Endpoint: <METHOD> <path>` line, found end of input",
        "\n",
    );
}

#[test]
fn error_unknown_method_and_bad_path() {
    assert_error(
        "# T Endpoint: FETCH /x",
        "1:15: expected HTTP method (GET, PUT, POST, DELETE, OPTIONS, HEAD, PATCH, TRACE), \
         found \"FETCH\"",
        "FETCH",
    );
    assert_error(
        "# T Endpoint: post /x",
        "1:15: expected HTTP method (GET, PUT, POST, DELETE, OPTIONS, HEAD, PATCH, TRACE), \
         found \"post\"",
        "post",
    );
    assert_error(
        "# T Endpoint: GET users/logout",
        "1:19: expected path starting with `/`, found \"users/logout\"",
        "users/logout",
    );
    assert_error(
        "# T Endpoint: GET",
        "1:18: expected path starting with `/`, found end of input",
        "",
    );
    assert_error(
        "# T Endpoint: GET /users/{id/x",
        "1:26: expected `}` closing the path template, found \"{id/x\"",
        "{id/x",
    );
    assert_error(
        "# T Endpoint: GET /users/id}",
        "1:28: expected `{` opening a path template, found \"}\"",
        "}",
    );
}

#[test]
fn error_version_and_security() {
    assert_error(
        "# T Endpoint: GET /x Version: ## Path parameters:",
        "1:31: expected API version after `Version:`, found \"##\"",
        "##",
    );
    assert_error(
        "# T Endpoint: GET /x Security: A, , B",
        "1:35: expected security scheme name, found \",\"",
        ", B",
    );
    assert_error(
        "# T Endpoint: GET /x Security: A B",
        "1:34: expected `,`, a section heading `## <title>:` or end of input, found \"B\"",
        "B",
    );
    assert_error(
        "# T Endpoint: GET /x Produces: json",
        "1:22: expected `Version:`, `Security:`, a section heading `## <title>:` or end of \
         input, found \"Produces: json\"",
        "Produces:",
    );
}

#[test]
fn error_field_before_any_section() {
    assert_error(
        "# T Endpoint: GET /x Version: 1 - `a` (string)",
        "1:33: expected a section heading `## <title>:` before the first field, \
         found \"- `a` (string)\"",
        "- `a`",
    );
}

#[test]
fn error_section_titles() {
    let unknown = "expected section title `Path parameters:`, `Query parameters:`, \
                   `Header parameters:`, `Request fields (<media type>):` or \
                   `Response <code> fields (<media type>):`";
    assert_error(
        &format!("{HEAD} Responses:"),
        &format!("1:36: {unknown}, found \"Responses:\""),
        "Responses:",
    );
    assert_error(
        &format!("{HEAD} Cookie parameters: - `a` (string)"),
        &format!("1:36: {unknown}, found \"Cookie parameters:\""),
        "Cookie",
    );
    assert_error(HEAD, &format!("1:35: {unknown}, found end of input"), "");
    assert_error(
        &format!("{HEAD} Path parameters - `id` (string)"),
        "1:51: expected `:` ending the section title, found \"-\"",
        " - `id`",
    );
}

#[test]
fn error_response_status() {
    assert_error(
        &format!("{HEAD} Response 20 fields (*/*):"),
        "1:45: expected 3-digit HTTP status code, found \"20\"",
        "20 ",
    );
    assert_error(
        &format!("{HEAD} Response default fields (application/json):"),
        "1:45: expected 3-digit HTTP status code, found \"default\"",
        "default",
    );
    assert_error(
        &format!("{HEAD} Response 999 fields (application/json):"),
        "1:45: expected 3-digit HTTP status code, found \"999\"",
        "999",
    );
}

#[test]
fn error_media_type() {
    assert_error(
        &format!("{HEAD} Request fields: - `a` (string)"),
        "1:50: expected `(<media type>)` after `fields`, found \":\"",
        ": -",
    );
    assert_error(
        &format!("{HEAD} Response 200 fields application/json:"),
        "1:56: expected `(<media type>)` after `fields`, found \"application/json:\"",
        "application/json:",
    );
    assert_error(
        &format!("{HEAD} Request fields (application/json: - `a` (string)"),
        "1:68: expected `)` closing the media type, found \":\"",
        ": - `a`",
    );
    assert_error(
        &format!("{HEAD} Request fields (): - `a` (string)"),
        "1:51: expected media type, found \"()\"",
        "()",
    );
}

#[test]
fn error_duplicate_section() {
    let text = "# T\n\nEndpoint: GET /x\n\n## Response 200 fields (*/*):\n\n  - `a` (string)\n\n\
                ## Response 200 fields (application/json):\n\n  - `a` (string)\n";
    assert_error(
        text,
        "9:4: expected at most one `Response 200 fields` section, found a second one",
        "Response 200 fields (application/json)",
    );
    assert_error(
        &format!("{HEAD} Query parameters: ## Query parameters:"),
        "1:57: expected at most one `Query parameters` section, found a second one",
        "Query parameters:",
    );
}

#[test]
fn error_field_names() {
    let section = format!("{HEAD} Response 200 fields (*/*):"); // 61 bytes
    assert_eq!(section.len(), 61);
    assert_error(
        &format!("{section} - `` (string)"),
        "1:65: expected field name between the backticks, found \"``\"",
        "``",
    );
    assert_error(
        &format!("{section} - `status (string, required)"),
        "1:65: expected closing ` after the field name, found \"`status (string, required)\"",
        "`status",
    );
    assert_error(
        &format!("{section} - status (string)"),
        "1:65: expected field name in backticks, found \"status (string)\"",
        "status",
    );
    assert_error(
        &format!("{section} - `a..b` (string)"),
        "1:66: expected field name without empty dot-path segments, found \"a..b\"",
        "a..b",
    );
    assert_error(
        &format!("{section} Some text"),
        "1:63: expected field list item `` - `<name>` (<type>) `` or a section heading \
         `## <title>:`, found \"Some text\"",
        "Some",
    );
}

#[test]
fn error_type_lists() {
    let section = format!("{HEAD} Response 200 fields (*/*): - `a`"); // 67 bytes
    assert_eq!(section.len(), 67);
    let types = "field type (string, integer, number, boolean, object, array, any, null)";
    assert_error(
        &format!("{section} Enum: \"A\""),
        "1:69: expected `(<type>)` after the field name, found \"Enum: \\\"A\\\"\"",
        "Enum:",
    );
    assert_error(
        &format!("{section} (str)"),
        &format!("1:70: expected {types}, found \"str\""),
        "str)",
    );
    assert_error(
        &format!("{section} (required)"),
        &format!("1:70: expected {types}, found \"required\""),
        "required",
    );
    assert_error(
        &format!("{section} (string, optional)"),
        "1:78: expected `null` (nullable pair) or `required`, found \"optional\"",
        "optional",
    );
    assert_error(
        &format!("{section} (string,integer)"),
        "1:77: expected `null` as the other type of a nullable pair, found \"integer\"",
        "integer",
    );
    assert_error(
        &format!("{section} (string,null,required,required)"),
        "1:91: expected `)` closing the type list, found \"required\"",
        "required)",
    );
    assert_error(
        &format!("{section} (string, required"),
        "1:86: expected `,` or `)` in the type list, found end of input",
        "",
    );
    assert_error(
        &format!("{section} (string required)"),
        "1:77: expected `,` or `)` in the type list, found \"required)\"",
        "required)",
    );
}

#[test]
fn error_field_tree() {
    let section = format!("{HEAD} Response 200 fields (*/*):"); // 61 bytes
    assert_error(
        &format!("{section} - `response.success` (boolean)"),
        "1:66: expected parent field `response` declared before `response.success`, \
         found \"response.success\"",
        "response.success",
    );
    assert_error(
        &format!("{section} - `message` (string) - `message.text` (string)"),
        "1:87: expected object or array parent for `message.text`, found \"message\" of \
         type string",
        "message.text",
    );
    assert_error(
        &format!("{section} - `a` (string) - `b` (object) - `a` (integer)"),
        "1:96: expected field name not used before in this section, found duplicate \"a\"",
        "a` (integer)",
    );
    // Same name in another section is fine; so is a multi-line child under its parent.
    let doc = parse_ok(&format!(
        "{section} - `a` (string) ## Response 400 fields (*/*): - `a` (string)"
    ));
    assert_eq!(doc.responses.len(), 2);
}

#[test]
fn error_example_and_enum() {
    let field = format!("{HEAD} Response 200 fields (*/*): - `a` (string)"); // 76 bytes
    assert_eq!(field.len(), 76);
    assert_error(
        &format!("{field} Example: nope"),
        "1:87: expected JSON value after `Example:`, found \"nope\"",
        "nope",
    );
    assert_error(
        &format!("{field} Example:"),
        "1:86: expected JSON value after `Example:`, found end of input",
        "",
    );
    assert_error(
        &format!("{field} Example: {{\"a\": 1"),
        "1:87: expected JSON value after `Example:`, found \"{\\\"a\\\":\"",
        "{\"a\"",
    );
    assert_error(
        &format!("{field} Example: \"a\"b"),
        "1:90: expected end of the JSON value after `Example:`, found \"b\"",
        "b",
    );
    assert_error(
        &format!("{field} Example: true More words"),
        "1:92: expected `Example:`, `Enum:`, the next field `` - `<name>` `` or a section \
         heading `## <title>:`, found \"More words\"",
        "More",
    );
    assert_error(
        &format!("{field} Example: 1 Example: 2"),
        "1:89: expected at most one `Example:` per field, found \"Example:\"",
        "Example: 2",
    );
    assert_error(
        &format!("{field} Enum: A, B"),
        "1:84: expected comma-separated JSON values after `Enum:` (strings in double quotes), \
         found \"A,\"",
        "A, B",
    );
    assert_error(
        &format!("{field} Enum: \"A\", - `b` (string)"),
        "1:89: expected comma-separated JSON values after `Enum:` (strings in double quotes), \
         found \"-\"",
        "- `b`",
    );
    assert_error(
        &format!("{field} Enum: \"A\" \"B\""),
        "1:88: expected `Example:`, `Enum:`, the next field `` - `<name>` `` or a section \
         heading `## <title>:`, found \"\\\"B\\\"\"",
        "\"B\"",
    );
    assert_error(
        &format!("{field} Enum: \"A\"x"),
        "1:87: expected `,` or the end of the `Enum:` list, found \"x\"",
        "x",
    );
}

#[test]
fn error_locations_in_multi_line_docs_count_characters() {
    // Line 5, column 3: the two-space indent, then `-`; the name is after `- ``.
    let text = "# Café ünïcode\n\nEndpoint: GET /x\n\n## Response 200 fields (*/*):\n  \
                - `a` (strïng)\n";
    assert_error(
        text,
        "6:10: expected field type (string, integer, number, boolean, object, array, any, \
         null), found \"strïng\"",
        "strïng",
    );
    let text = "# Café ünïcode\n\nEndpoint: GÉT /x\n";
    let e = parse_err(text);
    assert_eq!((e.line, e.column), (3, 11));
    assert_eq!(e.offset, "# Café ünïcode\n\nEndpoint: ".len());
    // A long offending text is cut short.
    let long = format!("# T Endpoint: GET /x Version: 1 {}", "y".repeat(100));
    let e = parse_err(&long);
    assert_eq!(e.found, format!("\"{}…\"", "y".repeat(40)));
}

// ---------------------------------------------------------------------------------------------
// Robustness

/// Fragments that steer mutations towards the parser's interesting paths.
const MARKERS: &[&str] = &[
    "## ",
    "## Response 200 fields (*/*):",
    "## Path parameters:",
    "## Request fields (application/json):",
    " - `",
    "`",
    "(",
    ")",
    ",",
    ", required",
    ",null",
    ".",
    "Example: ",
    "Enum: ",
    "Endpoint: ",
    "Version: ",
    "Security: ",
    "# ",
    "---",
    "\n",
    "\r\n",
    "    ",
    "{",
    "}",
    "[",
    "\"",
    "\\",
    "é",
    "😀",
    "\u{feff}",
    "\u{a0}",
    "\u{2028}",
];

#[derive(Clone, Debug)]
enum Mutation {
    Delete(usize),
    DeleteRange(usize, usize),
    Insert(usize, usize),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::Delete),
        (any::<usize>(), 0usize..64).prop_map(|(at, n)| Mutation::DeleteRange(at, n)),
        (any::<usize>(), 0..MARKERS.len()).prop_map(|(at, m)| Mutation::Insert(at, m)),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

/// Applies mutations on characters (so the text stays valid UTF-8, as `&str` requires).
fn mutate(text: &str, mutations: &[Mutation]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for m in mutations {
        let len = chars.len();
        match *m {
            Mutation::Delete(at) if len > 0 => {
                chars.remove(at % len);
            }
            Mutation::DeleteRange(at, n) if len > 0 => {
                let at = at % len;
                chars.drain(at..(at + n).min(len));
            }
            Mutation::Insert(at, marker) => {
                let at = at % (len + 1);
                chars.splice(at..at, MARKERS[marker].chars());
            }
            Mutation::Truncate(at) => chars.truncate(at % (len + 1)),
            _ => {}
        }
    }
    chars.into_iter().collect()
}

/// Parses without panicking; an error must be well formed and point into the text.
fn check_total(text: &str) {
    if let Err(e) = parse(text) {
        assert!(e.offset <= text.len(), "{e:?}");
        assert!(text.is_char_boundary(e.offset), "{e:?}");
        assert!(e.line >= 1 && e.column >= 1, "{e:?}");
        let before = &text[..e.offset];
        assert_eq!(e.line, before.matches('\n').count() + 1, "{e:?}");
        assert!(!e.expected.is_empty() && !e.found.is_empty(), "{e:?}");
        assert!(e.found.chars().count() <= 60, "found too long: {e:?}");
        assert!(
            e.to_string()
                .starts_with(&format!("{}:{}: expected ", e.line, e.column))
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_strings_never_panic(text in any::<String>()) {
        check_total(&text);
    }

    #[test]
    fn doc_like_strings_never_panic(
        parts in proptest::collection::vec(
            prop_oneof![
                (0..MARKERS.len()).prop_map(|i| MARKERS[i].to_owned()),
                "[a-zA-Z0-9 /:{}\"]{0,8}",
            ],
            0..40,
        )
    ) {
        check_total(&format!("# T Endpoint: GET /x {}", parts.concat()));
    }

    #[test]
    fn seed_mutations_never_panic(
        multi_line in any::<bool>(),
        mutations in proptest::collection::vec(mutation(), 1..8),
    ) {
        let base = if multi_line { SEED_MULTI_LINE } else { SEED };
        check_total(&mutate(base, &mutations));
    }

    #[test]
    fn byte_level_damage_never_panics(at in any::<usize>(), byte in any::<u8>()) {
        // Replace one byte of a doc full of multi-byte characters, then repair to UTF-8: the
        // replacement character lands in the middle of words, names and JSON strings.
        let text = format!("{LOGIN}\n  - `ünï` (string)\n    Éxample: \"😀 ü\"\n");
        let mut bytes = text.into_bytes();
        let at = at % bytes.len();
        bytes[at] = byte;
        check_total(&String::from_utf8_lossy(&bytes));
    }

    /// Re-laying out the seed (any white space for any space after the heading) keeps the
    /// model: the layout only matters for the heading.
    #[test]
    fn any_layout_of_the_seed_parses_the_same(
        seps in proptest::collection::vec(
            prop_oneof![
                Just(" "), Just("\n"), Just("\n\n    "), Just("\t"), Just("  "), Just("\r\n  "),
            ],
            1..1000,
        )
    ) {
        let heading_len = SEED.find(" Endpoint:").expect("seed has Endpoint:");
        let (heading, rest) = SEED.split_at(heading_len);
        let mut text = heading.to_owned();
        for (i, word) in rest.split(' ').enumerate() {
            if i > 0 {
                text.push_str(seps[i % seps.len()]);
            }
            text.push_str(word);
        }
        prop_assert_eq!(parse(&text), Ok(expected_seed()));
    }
}

/// A request section that lists no fields documents no body: an error at its title, whether
/// the next section or the end follows. An empty response section is a response without body.
#[test]
fn error_empty_request_section() {
    let expected = "expected fields after `Request fields (*/*):` (drop the section if the \
                    request has no body), found none";
    assert_error(
        "# T\n\nEndpoint: POST /x\n\n## Request fields (*/*):\n\n## Response 200 fields (*/*):\n",
        &format!("5:4: {expected}"),
        "Request fields",
    );
    assert_error(
        &format!("{HEAD} Request fields (*/*):"),
        &format!("1:36: {expected}"),
        "Request fields",
    );
    let doc = parse_both("# T\n\nEndpoint: DELETE /x\n\n## Response 204 fields (*/*):\n");
    assert!(doc.responses[0].body.fields.is_empty());
}
