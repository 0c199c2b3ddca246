//! The generated `operations` table: each operation's security requirement and idempotency,
//! from a scratch set of docs (the seed plus made-up operations of other methods).

use serde_json::Value;
use xtask::pipeline;

#[path = "common/seed_doc.rs"]
mod seed_doc;
use seed_doc::seed;

/// A minimal doc: `method path`, an optional `Security:` line, one 200 body.
fn doc(method: &str, path: &str, security: Option<&str>) -> (String, String) {
    let security = security
        .map(|s| format!("Security: {s}\n"))
        .unwrap_or_default();
    let text = format!(
        "# Do something\n\nEndpoint: {method} {path}\nVersion: 20250708\n{security}\n\
         ## Response 200 fields (application/json):\n\n  - `ok` (boolean)\n    Example: true\n"
    );
    let file = format!(
        "spec/endpoints/{}{}.md",
        method.to_lowercase(),
        path.replace(['/', '{', '}'], "_")
    );
    (file, text)
}

/// The `pub const <NAME>: Operation = Operation { … };` item, white space removed.
fn operation_const(client: &str, name: &str) -> String {
    let start = client
        .find(&format!("pub const {name}: Operation"))
        .unwrap_or_else(|| panic!("no operations::{name} in the generated client"));
    let end = start + client[start..].find("};").expect("end of the constant");
    client[start..end]
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

fn build() -> (Value, String) {
    let docs = [
        seed(),
        doc("GET", "/locations", None),
        doc("PUT", "/locations/{id}", Some("X-API-KEY")),
        doc(
            "DELETE",
            "/locations/{id}",
            Some("Authorization, publicKey"),
        ),
        doc("POST", "/locations", Some("X-API-KEY")),
        doc("PATCH", "/locations/{id}", Some("X-API-KEY")),
    ];
    // Path parameters must be documented: give the templated docs one.
    let docs: Vec<(String, String)> = docs
        .into_iter()
        .map(|(file, text)| {
            let text = if text.contains("{id}") {
                text.replacen(
                    "\n## Response",
                    "\n## Path parameters:\n\n  - `id` (integer, required)\n\n## Response",
                    1,
                )
            } else {
                text
            };
            (file, text)
        })
        .collect();
    let build = pipeline::build_from(&docs).expect("docs convert and generate");
    let spec = serde_json::from_str(&build.outputs[0].contents).expect("spec is JSON");
    (spec, build.outputs[1].contents.clone())
}

#[test]
fn security_lists_the_alternatives_each_with_its_scheme_names() {
    let (_, client) = build();
    let expected = [
        (
            "POST_USERS_LOGOUT",
            r#"security:&[&["X-API-KEY"],&["Authorization"]],"#,
        ),
        ("GET_LOCATIONS", "security:&[],"),
        ("PUT_LOCATIONS_ID", r#"security:&[&["X-API-KEY"]],"#),
        // An unknown name passes through as the scheme of that name.
        (
            "DELETE_LOCATIONS_ID",
            r#"security:&[&["Authorization"],&["publicKey"]],"#,
        ),
    ];
    for (name, security) in expected {
        let item = operation_const(&client, name);
        assert!(item.contains(security), "{name}: {item}");
    }
}

#[test]
fn idempotent_by_method_or_by_the_specs_mark() {
    let (spec, client) = build();
    for (name, idempotent) in [
        ("GET_LOCATIONS", true),
        ("PUT_LOCATIONS_ID", true),
        ("DELETE_LOCATIONS_ID", true),
        ("POST_LOCATIONS", false),
        ("PATCH_LOCATIONS_ID", false),
        // POST, but listed in xtask's table of operations idempotent by the API's semantics.
        ("POST_USERS_LOGOUT", true),
    ] {
        let item = operation_const(&client, name);
        assert!(
            item.contains(&format!("idempotent:{idempotent},")),
            "{name}: {item}"
        );
    }
    // The table reaches the client through the spec, as the extension.
    let paths = &spec["paths"];
    assert_eq!(paths["/users/logout"]["post"]["x-idempotent"], true);
    assert!(paths["/locations"]["post"].get("x-idempotent").is_none());
    assert!(paths["/locations"]["get"].get("x-idempotent").is_none());
}

#[test]
fn the_generator_reads_idempotency_from_the_spec() {
    // A spec marking an operation that the table does not list: the mark alone decides.
    let (mut spec, _) = build();
    spec["paths"]["/locations"]["post"]["x-idempotent"] = Value::Bool(true);
    spec["paths"]["/users/logout"]["post"]
        .as_object_mut()
        .expect("operation")
        .remove("x-idempotent");
    let spec: openapiv3::OpenAPI = serde_json::from_value(spec).expect("valid OpenAPI");
    let client = xtask::codegen::generate(&spec).expect("generates");
    assert!(operation_const(&client, "POST_LOCATIONS").contains("idempotent:true,"));
    assert!(operation_const(&client, "POST_USERS_LOGOUT").contains("idempotent:false,"));
}
