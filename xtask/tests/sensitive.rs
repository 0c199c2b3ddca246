//! Secret-holding body fields: declared `format: password` in the spec and typed
//! `types::Sensitive` in the client; parameters of the same names are left alone.

use serde_json::Value;
use xtask::pipeline;

/// A doc with secrets in the request, nested in the response, nullable, and as a parameter.
fn doc() -> (String, String) {
    let text = "# Rotate a key

Endpoint: POST /keys/rotate
Version: 20250708

## Header parameters:

  - `privateKey` (string)
    Sent as a header parameter, not a body field

## Request fields (application/json):

  - `password` (string, required)
    The current password

  - `name` (string)
    Not a secret

## Response 200 fields (application/json):

  - `response` (object)

  - `response.accessToken` (string,null)
    The new token

  - `response.api_key` (string)
    The new key
";
    (
        "spec/endpoints/post_keys_rotate.md".to_string(),
        text.to_string(),
    )
}

#[test]
fn secret_body_fields_are_password_strings_and_sensitive_in_the_client() {
    let build = pipeline::build_from(&[doc()]).expect("doc generates");
    let spec: Value = serde_json::from_str(&build.outputs[0].contents).expect("spec");
    let schemas = &spec["components"]["schemas"];
    let request = &schemas["PostKeysRotateRequest"]["properties"];
    assert_eq!(request["password"]["format"], "password");
    assert!(request["name"].get("format").is_none());
    let response = &schemas["PostKeysRotateResponse"]["properties"];
    assert_eq!(response["accessToken"]["format"], "password");
    assert_eq!(response["accessToken"]["nullable"], true);
    assert_eq!(response["api_key"]["format"], "password");
    let parameter = &spec["paths"]["/keys/rotate"]["post"]["parameters"][0];
    assert_eq!(parameter["name"], "privateKey");
    assert!(parameter["schema"].get("format").is_none());

    let client: String = build.outputs[1]
        .contents
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    for field in [
        "password:crate::types::Sensitive,",
        "api_key:::std::option::Option<crate::types::Sensitive>,",
    ] {
        assert!(client.contains(&format!("pub{field}")), "{field}");
    }
    // Nullable too: typify unwraps the null before looking the schema up.
    assert!(client.contains("pubaccess_token:::std::option::Option<crate::types::Sensitive>,"));
    assert!(client.contains("pubname:::std::option::Option<::std::string::String>,"));
    assert!(client.contains("pubstructSensitive(::std::string::String);"));
}
