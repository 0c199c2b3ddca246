//! The `hooks` module, so that a handwritten crate can extend the generated client without
//! the orphan rule getting in the way.
//!
//! The client's inner type holds an object-safe `Transport`; the generated crate implements
//! progenitor's `ClientHooks::exec` for its own `Client` (which only that crate may do) by
//! handing every request to that transport. The SDK implements the trait and so applies its
//! policy to every operation with no code per operation. Without a transport the client sends
//! each request once through its `reqwest::Client`, as progenitor's own client would, so the
//! crate stays usable on its own. Each operation decodes its documented bodies through
//! `hooks::decode` (see [`super::decode_hook`]), so a body that does not decode reaches the
//! transport with its status and headers.
//!
//! The module is fixed Rust: `templates/hooks.rs`.

use proc_macro2::TokenStream;
use quote::quote;

use super::CodegenError;

/// The module's source, spliced into the generated crate as is.
pub const TEMPLATE: &str = include_str!("templates/hooks.rs");

/// The client's inner type, as progenitor must name it.
pub fn inner_type() -> TokenStream {
    quote! { crate::hooks::Inner }
}

/// The `hooks` module of the generated crate.
pub fn module() -> Result<syn::Item, CodegenError> {
    Ok(super::module(
        "hooks",
        super::template("hooks.rs", TEMPLATE)?,
    ))
}
