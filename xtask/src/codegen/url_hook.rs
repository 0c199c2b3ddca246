//! Builds each generated operation's URL from the client's base URL parsed once.
//!
//! progenitor's `send()` formats the whole URL on every call,
//! `let url = format!("{}/users/{}", client.baseurl, encode_path(..));`, and hands the string to
//! `client.client.post(url)`, which parses it again: scheme, host, port and base path, every
//! call. Each such pair is rewritten into
//! `crate::hooks::request(client, ::reqwest::Method::POST, format_args!("/users/{}", ..))`,
//! which extends a `hooks::BaseUrl` by the path, the same URL (see the template's
//! `hooks::request`). The client's constructor binds its base URL to its `hooks::Inner`
//! (`inner: inner.bind(baseurl)`).
//!
//! The client keeps its base URL as a shared `Arc<str>` instead of progenitor's `String`, so
//! that clients made from one another (`hooks`' `Client::with_inner`, one per SDK session)
//! share one copy rather than each allocating its own. The rewrites rely on the shape of
//! progenitor's output, so they check that shape: a `send()` whose URL cannot be rewritten, or
//! a field, constructor or accessor not found as expected, stops generation with a message
//! saying so.

use quote::ToTokens;
use syn::visit_mut::{self, VisitMut};

use super::CodegenError;

/// Rewrites every operation's URL in `file`, shares `Client`'s base URL and binds it in the
/// constructor.
pub fn install(file: &mut syn::File) -> Result<(), CodegenError> {
    let mut rewriter = Rewriter::default();
    rewriter.visit_file_mut(file);
    if let Some(problem) = rewriter.problems.into_iter().next() {
        return Err(broken(&problem));
    }
    if rewriter.operations == 0 {
        return Err(broken(
            "no operation formats `<client>.baseurl` into its URL",
        ));
    }
    let expect = |found: usize, what: &str| {
        if found == 1 {
            Ok(())
        } else {
            Err(broken(&format!("expected one {what}, found {found}")))
        }
    };
    expect(
        rewriter.constructors,
        "`Self { baseurl: baseurl.to_string(), client, inner }` in Client::new_with_client",
    )?;
    expect(
        rewriter.fields,
        "`baseurl: String` field in `struct Client`",
    )?;
    expect(
        rewriter.accessors,
        "`fn baseurl(&self) -> &str { self.baseurl.as_str() }`",
    )?;
    Ok(())
}

fn broken(what: &str) -> CodegenError {
    CodegenError(format!(
        "cannot install the URL hook in progenitor's output: {what}; \
         adapt xtask/src/codegen/url_hook.rs to the progenitor version in use"
    ))
}

#[derive(Default)]
struct Rewriter {
    operations: usize,
    constructors: usize,
    fields: usize,
    accessors: usize,
    problems: Vec<String>,
}

impl VisitMut for Rewriter {
    fn visit_item_struct_mut(&mut self, item: &mut syn::ItemStruct) {
        if item.ident != "Client" {
            return;
        }
        for field in &mut item.fields {
            let is_string = matches!(&field.ty, syn::Type::Path(p) if p.path.is_ident("String"));
            if field.ident.as_ref().is_some_and(|f| f == "baseurl") && is_string {
                field.ty = syn::parse_quote!(::std::sync::Arc<str>);
                self.fields += 1;
            }
        }
    }

    fn visit_impl_item_fn_mut(&mut self, function: &mut syn::ImplItemFn) {
        let name = function.sig.ident.to_string();
        if name == "new_with_client" {
            bind_constructor(function, self);
            return;
        }
        if name == "baseurl" {
            if same(&function.block, quote::quote!({ self.baseurl.as_str() })) {
                function.block = syn::parse_quote!({ &self.baseurl });
                self.accessors += 1;
            }
            return;
        }
        let Some((index, url)) = find_url(&function.block) else {
            return;
        };
        let mut rewrite = Rewrite {
            ident: url.ident,
            call: Some(url.call),
            done: 0,
        };
        rewrite.visit_block_mut(&mut function.block);
        if rewrite.done != 1 {
            self.problems.push(format!(
                "fn {name}: `{}` is used {} time(s) as `<client>.client.<method>({0})`, expected once",
                rewrite.ident, rewrite.done
            ));
            return;
        }
        function.block.stmts.remove(index);
        self.operations += 1;
    }
}

/// `client.client.post(url)` to be, and the variable it replaces.
struct Url {
    ident: syn::Ident,
    /// `crate::hooks::request(client, ::reqwest::Method::_, format_args!(..))` without the
    /// method, which the call site says.
    call: UrlCall,
}

struct UrlCall {
    client: syn::Expr,
    path: syn::LitStr,
    args: Vec<syn::Expr>,
}

/// The statement `let <url> = format!("{}..", <client>.baseurl, ..);` of `block`, with its
/// index.
fn find_url(block: &syn::Block) -> Option<(usize, Url)> {
    block.stmts.iter().enumerate().find_map(|(index, stmt)| {
        let syn::Stmt::Local(local) = stmt else {
            return None;
        };
        let (syn::Pat::Ident(pat), Some(init)) = (&local.pat, &local.init) else {
            return None;
        };
        let syn::Expr::Macro(mac) = &*init.expr else {
            return None;
        };
        if !mac.mac.path.is_ident("format") {
            return None;
        }
        let args = mac
            .mac
            .parse_body_with(
                syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated,
            )
            .ok()?;
        let mut args = args.into_iter();
        let syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(format),
            ..
        }) = args.next()?
        else {
            return None;
        };
        let syn::Expr::Field(base) = args.next()? else {
            return None;
        };
        if !matches!(&base.member, syn::Member::Named(m) if m == "baseurl") {
            return None;
        }
        let rest = format.value().strip_prefix("{}")?.to_owned();
        Some((
            index,
            Url {
                ident: pat.ident.clone(),
                call: UrlCall {
                    client: *base.base,
                    path: syn::LitStr::new(&rest, format.span()),
                    args: args.collect(),
                },
            },
        ))
    })
}

struct Rewrite {
    ident: syn::Ident,
    call: Option<UrlCall>,
    done: usize,
}

impl VisitMut for Rewrite {
    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        visit_mut::visit_expr_mut(self, expr);
        let syn::Expr::MethodCall(call) = expr else {
            return;
        };
        let passes_url = call.args.len() == 1
            && matches!(&call.args[0], syn::Expr::Path(p) if p.path.is_ident(&self.ident));
        let on_client = matches!(&*call.receiver,
            syn::Expr::Field(f) if matches!(&f.member, syn::Member::Named(m) if m == "client"));
        if !passes_url || !on_client {
            return;
        }
        let method = match call.method.to_string().as_str() {
            "get" => quote::quote!(GET),
            "post" => quote::quote!(POST),
            "put" => quote::quote!(PUT),
            "patch" => quote::quote!(PATCH),
            "delete" => quote::quote!(DELETE),
            "head" => quote::quote!(HEAD),
            _ => return,
        };
        self.done += 1;
        let Some(UrlCall { client, path, args }) = self.call.take() else {
            return;
        };
        *expr = syn::parse_quote! {
            crate::hooks::request(#client, ::reqwest::Method::#method, format_args!(#path #(, #args)*))
        };
    }
}

/// Rewrites `Self { baseurl: baseurl.to_string(), client, inner }` into
/// `Self { baseurl: ::std::sync::Arc::from(baseurl), client, inner: inner.bind(baseurl) }`.
fn bind_constructor(function: &mut syn::ImplItemFn, rewriter: &mut Rewriter) {
    struct Bind(usize);
    impl VisitMut for Bind {
        fn visit_expr_struct_mut(&mut self, value: &mut syn::ExprStruct) {
            visit_mut::visit_expr_struct_mut(self, value);
            let named = |name: &str| {
                value
                    .fields
                    .iter()
                    .any(|f| matches!(&f.member, syn::Member::Named(m) if m == name))
            };
            if !value.path.is_ident("Self") || !named("baseurl") || !named("client") {
                return;
            }
            let (mut shared, mut bound) = (false, false);
            for field in &mut value.fields {
                let syn::Member::Named(member) = &field.member else {
                    continue;
                };
                if member == "baseurl" && same(&field.expr, quote::quote!(baseurl.to_string())) {
                    field.expr = syn::parse_quote!(::std::sync::Arc::from(baseurl));
                    shared = true;
                } else if member == "inner"
                    && matches!(&field.expr, syn::Expr::Path(p) if p.path.is_ident("inner"))
                {
                    field.colon_token = Some(Default::default());
                    field.expr = syn::parse_quote!(inner.bind(baseurl));
                    bound = true;
                }
            }
            self.0 += usize::from(shared && bound);
        }
    }
    let mut bind = Bind(0);
    bind.visit_block_mut(&mut function.block);
    rewriter.constructors += bind.0;
}

/// Whether `code` is `expected`, token for token.
fn same(code: &impl ToTokens, expected: proc_macro2::TokenStream) -> bool {
    code.to_token_stream().to_string() == expected.to_string()
}
