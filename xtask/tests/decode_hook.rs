//! The decode hook: every generated operation decodes its documented JSON bodies through
//! `hooks::decode`, and generation stops when progenitor's output does not have the shape the
//! rewrite expects.

use openapiv3::OpenAPI;
use xtask::pipeline;

#[path = "common/seed_doc.rs"]
mod seed_doc;
use seed_doc::seed;

/// A doc with a JSON 200 body and a 404 without body.
fn get_location() -> (String, String) {
    let text = "# Get a location\n\nEndpoint: GET /locations/{id}\nVersion: 20250708\n\n\
                ## Path parameters:\n\n  - `id` (integer, required)\n\n\
                ## Response 200 fields (application/json):\n\n  - `name` (string)\n\n\
                ## Response 404 fields (application/json):\n\n";
    (
        "spec/endpoints/get_locations_id.md".to_string(),
        text.to_string(),
    )
}

fn build() -> (OpenAPI, String) {
    let build = pipeline::build_from(&[seed(), get_location()]).expect("docs generate");
    let spec = serde_json::from_str(&build.outputs[0].contents).expect("spec");
    (spec, build.outputs[1].contents.clone())
}

#[test]
fn operations_decode_through_the_hook_not_from_response() {
    let (_, client) = build();
    assert!(
        !client.contains("ResponseValue::from_response"),
        "a generated operation still decodes with progenitor's from_response"
    );
    // The seed documents six JSON bodies (200 and five errors), the scratch doc one; its 404
    // has no body and stays progenitor's `ResponseValue::empty`.
    assert_eq!(
        client
            .matches("crate::hooks::decode(&client.inner, response, &info)")
            .count(),
        7
    );
    assert_eq!(client.matches("ResponseValue::empty(response)").count(), 1);
}

#[test]
fn output_without_the_expected_call_stops_generation() {
    let (spec, _) = build();
    // progenitor's send() as it would look if it decoded some other way.
    let mut file: syn::File = syn::parse_quote! {
        impl<'a> PostUsersLogout<'a> {
            pub async fn send(self) -> Result<ResponseValue<T>, Error<E>> {
                let Self { client } = self;
                let info = OperationInfo { operation_id: "post_users_logout" };
                let result = client.exec(request, &info).await;
                let response = result?;
                ResponseValue::from_json(response).await
            }
        }
    };
    let err = xtask::decode_hook::install(&mut file, &spec)
        .expect_err("an operation without the call is an error")
        .to_string();
    assert!(err.contains("cannot install the decode hook"), "{err}");
    assert!(err.contains("post_users_logout"), "{err}");

    // A call in a function without the OperationInfo and exec it needs.
    let mut file: syn::File = syn::parse_quote! {
        impl Other {
            async fn decode(response: Response) -> Result<ResponseValue<T>, Error<E>> {
                ResponseValue::from_response(response).await
            }
        }
    };
    let err = xtask::decode_hook::install(&mut file, &spec)
        .expect_err("a call that cannot be rewritten is an error")
        .to_string();
    assert!(err.contains("fn decode"), "{err}");
}
