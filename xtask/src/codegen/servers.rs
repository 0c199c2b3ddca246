//! The `servers` module: one constant per server of the spec, named by the table
//! [`crate::openapi::SERVERS`] (which also writes the spec's `servers`), plus `ALL`.

use openapiv3::OpenAPI;
use quote::quote;

use super::CodegenError;
use crate::openapi::SERVERS;

/// The `servers` module of the generated crate.
pub fn module(spec: &OpenAPI) -> Result<syn::Item, CodegenError> {
    let mut consts = Vec::new();
    let mut idents = Vec::new();
    for server in &spec.servers {
        let Some(known) = SERVERS.iter().find(|s| s.url == server.url) else {
            return Err(CodegenError(format!(
                "server {} has no constant name: add it to SERVERS in xtask/src/openapi/mod.rs",
                server.url
            )));
        };
        let ident = syn::parse_str::<syn::Ident>(known.constant).map_err(|_| {
            CodegenError(format!(
                "server {}: `{}` is not a Rust identifier",
                server.url, known.constant
            ))
        })?;
        if idents.contains(&ident) {
            return Err(CodegenError(format!(
                "two servers are both named `{ident}` in SERVERS"
            )));
        }
        let url = &server.url;
        let description = server.description.as_deref().unwrap_or(known.description);
        let doc = format!("`{url}`: {description}.");
        consts.push(quote! {
            #[doc = #doc]
            pub const #ident: &str = #url;
        });
        idents.push(ident);
    }
    syn::parse2(quote! {
        /// The servers of the spec, as base URLs for [`Client::new`](crate::Client::new).
        pub mod servers {
            #( #consts )*
            /// Every server, in the spec's order.
            pub const ALL: &[&str] = &[ #( #idents ),* ];
        }
    })
    .map_err(|e| CodegenError(format!("servers module: {e}")))
}
