//! Code the generated crate carries besides progenitor's output, so that a handwritten crate
//! can extend the generated client without the orphan rule getting in the way.
//!
//! * `hooks`: the client's inner type holds an object-safe [`Transport`]; the generated
//!   crate implements progenitor's `ClientHooks::exec` for its own `Client` (which only this
//!   crate may do) by handing every request to that transport. The SDK implements the trait
//!   and so applies its policy to every operation with no code per operation. Without a
//!   transport the client sends each request once through its `reqwest::Client`, as
//!   progenitor's own client would, so the crate stays usable on its own.
//! * `servers`: the spec's server URLs, written once.
//!
//! [`Transport`]: #hooks

use openapiv3::OpenAPI;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::codegen::CodegenError;

/// The client's inner type, as progenitor must name it.
pub fn inner_type() -> TokenStream {
    quote! { crate::hooks::Inner }
}

/// The `hooks` module.
pub fn hooks_tokens() -> TokenStream {
    quote! {
        /// The seam between the generated operations and whatever sends their requests.
        ///
        /// Every operation builds its `reqwest::Request` and hands it to
        /// `progenitor_client::ClientHooks::exec`, which this crate implements for [`Client`]
        /// by calling the [`Transport`] held in the client's [`Inner`] value. With
        /// `Inner::default()` the request is sent once through the client's own
        /// `reqwest::Client`.
        ///
        /// [`Client`]: crate::Client
        pub mod hooks {
            use std::{fmt, future::Future, pin::Pin, sync::Arc};

            /// What [`Transport::execute`] returns: the response to hand to the operation's
            /// decoding, or the error that ended the exchange.
            pub type Exchange<'a> = Pin<
                Box<dyn Future<Output = reqwest::Result<reqwest::Response>> + Send + 'a>,
            >;

            /// Sends the requests the generated operations build.
            ///
            /// Object safe, so that a client can carry any implementation. An implementation
            /// may retry, add headers, bound the time and the body, or refuse to send; an
            /// error it wants to hand back typed travels as the source of a `reqwest::Error`.
            pub trait Transport: Send + Sync {
                /// Sends `request`, built by the operation `operation_id` (see
                /// [`crate::operations::by_id`]), using `client`, the generated client's
                /// connection pool.
                fn execute<'a>(
                    &'a self,
                    client: &'a reqwest::Client,
                    request: reqwest::Request,
                    operation_id: &'static str,
                ) -> Exchange<'a>;
            }

            /// The generated client's inner value: the transport its operations go through.
            #[derive(Clone, Default)]
            pub struct Inner(Option<Arc<dyn Transport>>);

            impl Inner {
                /// Sends every request through `transport`.
                pub fn new(transport: Arc<dyn Transport>) -> Self {
                    Self(Some(transport))
                }

                /// Whether a transport is installed (else requests go out once, unchanged).
                pub fn has_transport(&self) -> bool {
                    self.0.is_some()
                }
            }

            impl fmt::Debug for Inner {
                fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.debug_struct("Inner")
                        .field("transport", &self.0.as_ref().map(|_| "dyn Transport"))
                        .finish()
                }
            }

            impl progenitor_client::ClientHooks<Inner> for crate::Client {
                async fn exec(
                    &self,
                    request: reqwest::Request,
                    info: &progenitor_client::OperationInfo,
                ) -> reqwest::Result<reqwest::Response> {
                    match &self.inner.0 {
                        Some(transport) => {
                            transport
                                .execute(&self.client, request, info.operation_id)
                                .await
                        }
                        None => self.client.execute(request).await,
                    }
                }
            }
        }
    }
}

/// The `servers` module: one constant per server of the spec, named after its description's
/// first word (`Production` -> `PRODUCTION`), plus `ALL`.
pub fn servers_tokens(spec: &OpenAPI) -> Result<TokenStream, CodegenError> {
    let mut consts = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for server in &spec.servers {
        let description = server.description.as_deref().unwrap_or("");
        let word: String = description
            .split(|c: char| !c.is_ascii_alphanumeric())
            .find(|w| !w.is_empty())
            .unwrap_or("")
            .to_ascii_uppercase();
        if word.is_empty() || word.starts_with(|c: char| c.is_ascii_digit()) {
            return Err(CodegenError(format!(
                "server {} needs a description starting with a word to name its constant",
                server.url
            )));
        }
        if names.contains(&word) {
            return Err(CodegenError(format!(
                "two servers are both named `{word}` by their description"
            )));
        }
        let ident = format_ident!("{word}");
        let url = &server.url;
        let doc = format!("`{url}`: {description}.");
        consts.push(quote! {
            #[doc = #doc]
            pub const #ident: &str = #url;
        });
        names.push(word);
    }
    let idents = names.iter().map(|n| format_ident!("{n}"));
    Ok(quote! {
        /// The servers of the spec, as base URLs for [`Client::new`](crate::Client::new).
        pub mod servers {
            #( #consts )*
            /// Every server, in the spec's order.
            pub const ALL: &[&str] = &[ #( #idents ),* ];
        }
    })
}
