//! The `operations` module: one constant per operation of the spec (method, path, id,
//! documented statuses, example, security, idempotency), `ALL` and `by_id`, so handwritten
//! code (the SDK's error handling, the mock) refers to the spec instead of repeating it.

use openapiv3::{OpenAPI, ReferenceOr};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::CodegenError;
use crate::naming;

/// The `operations` module of the generated crate.
pub fn module(spec: &OpenAPI) -> Result<syn::Item, CodegenError> {
    syn::parse2(tokens(spec)).map_err(|e| CodegenError(format!("operations module: {e}")))
}

/// `operations::POST_USERS_LOGOUT` and friends: method, path, id, documented statuses,
/// example, security and idempotency of every operation, so hand-written code (the SDK's error handling, the mock)
/// refers to the spec instead of repeating it.
fn tokens(spec: &OpenAPI) -> TokenStream {
    let mut consts = Vec::new();
    let mut idents = Vec::new();
    let mut ids = Vec::new();
    let mut aliases = Vec::new();
    for (path, item) in &spec.paths.paths {
        let ReferenceOr::Item(item) = item else {
            continue;
        };
        for (method, op) in item.iter() {
            let method_upper = method.to_ascii_uppercase();
            let id =
                op.operation_id.clone().unwrap_or_else(|| {
                    match crate::model::Method::from_doc(&method_upper) {
                        Some(m) => naming::operation_id(m, path),
                        None => format!("{method}_{path}"),
                    }
                });
            let ident = format_ident!("{}", naming::operation_const(&id));
            let doc = format!(
                "`{method_upper} {path}`: {}",
                op.summary.as_deref().unwrap_or("")
            );
            let statuses = documented_statuses(op);
            let security = security_alternatives(spec, op);
            let idempotent = crate::openapi::method_is_idempotent(&method_upper)
                || op.extensions.get(crate::openapi::IDEMPOTENT_EXTENSION)
                    == Some(&serde_json::Value::Bool(true));
            let example = match crate::example::success_example(spec, op) {
                Some((status, value)) => {
                    let json = value.to_string();
                    quote! { Some((#status, #json)) }
                }
                None => quote! { None },
            };
            consts.push(quote! {
                #[doc = #doc]
                pub const #ident: Operation = Operation {
                    id: #id,
                    method: #method_upper,
                    path: #path,
                    statuses: &[ #( #statuses ),* ],
                    example: #example,
                    security: &[ #( &[ #( #security ),* ] ),* ],
                    idempotent: #idempotent,
                };
            });
            // The generated methods hand the transport progenitor's name for the operation:
            // the operationId in snake case (`get_locations_location_id` for
            // `get_locations_locationId`). `by_id` must find the operation by that name too,
            // or the SDK's transport treats every answer as undocumented.
            let called = naming::method_name(&id);
            if called != id {
                aliases.push((called, ident.clone()));
            }
            idents.push(ident);
            ids.push(id);
        }
    }
    let (alias_ids, alias_idents): (Vec<_>, Vec<_>) = aliases.into_iter().unzip();
    quote! {
        /// Method, path, operationId, documented statuses, example, security requirement and
        /// idempotency of every operation.
        pub mod operations {
            /// One operation of the API.
            #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
            pub struct Operation {
                /// The spec's operationId, e.g. `post_users_logout`.
                pub id: &'static str,
                /// HTTP method, upper case.
                pub method: &'static str,
                /// Path template relative to the base URL, e.g. `/users/logout`.
                pub path: &'static str,
                /// The HTTP statuses the docs describe a response for, ascending.
                pub statuses: &'static [u16],
                /// The documented success status and a JSON body assembled from the docs'
                /// field examples (enums take their first value), when the docs give one.
                pub example: Option<(u16, &'static str)>,
                /// The security requirement, as in the spec: alternatives, each the names of
                /// the security schemes it needs all of (e.g. `&[&["X-API-KEY"],
                /// &["Authorization"]]`: either one). Empty when the operation needs none.
                pub security: &'static [&'static [&'static str]],
                /// Whether sending the request again after an attempt that may have been
                /// processed is safe: always for GET, HEAD, OPTIONS, PUT and DELETE; for
                /// other methods when the spec marks the operation `x-idempotent: true`.
                pub idempotent: bool,
            }

            impl Operation {
                /// Whether the docs describe a response with this HTTP status.
                pub fn documents(&self, status: u16) -> bool {
                    self.statuses.binary_search(&status).is_ok()
                }
            }

            #( #consts )*

            /// Every operation, in the spec's order.
            pub const ALL: &[Operation] = &[ #( #idents ),* ];

            /// The operation with this operationId.
            pub fn by_id(id: &str) -> Option<&'static Operation> {
                match id {
                    #( #ids => Some(&#idents), )*
                    #( #alias_ids => Some(&#alias_idents), )*
                    _ => None,
                }
            }
        }
    }
}

/// The operation's security requirement (the spec's global one when it states none): each
/// alternative as the scheme names it needs, in the spec's order.
fn security_alternatives(spec: &OpenAPI, op: &openapiv3::Operation) -> Vec<Vec<String>> {
    op.security
        .as_ref()
        .or(spec.security.as_ref())
        .map(|alternatives| {
            alternatives
                .iter()
                .map(|requirement| requirement.keys().cloned().collect())
                .collect()
        })
        .unwrap_or_default()
}

/// The numeric statuses an operation documents, ascending (`default` and ranges excluded).
fn documented_statuses(op: &openapiv3::Operation) -> Vec<u16> {
    let mut statuses: Vec<u16> = op
        .responses
        .responses
        .keys()
        .filter_map(|code| match code {
            openapiv3::StatusCode::Code(code) => Some(*code),
            openapiv3::StatusCode::Range(_) => None,
        })
        .collect();
    statuses.sort_unstable();
    statuses
}
