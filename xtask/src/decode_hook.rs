//! Routes the generated operations' response decoding through `hooks::decode`.
//!
//! progenitor's `send()` decodes each documented JSON body with
//! `ResponseValue::from_response(response).await`, whose failure
//! (`Error::InvalidResponsePayload(bytes, serde_json::Error)`) has lost the HTTP status and
//! headers. Every such call is rewritten into
//! `crate::hooks::decode(&<client>.inner, response, &info)` (same result type, success or
//! error body alike), where `<client>` is the receiver of the function's own
//! `.exec(request, &info)` call and `info` its `OperationInfo`. The rewrite relies on the shape
//! of progenitor's output, so it checks that shape: a call it cannot rewrite, or an operation
//! documenting a JSON body without a call to rewrite, stops generation with a message saying so.

use std::collections::{BTreeMap, BTreeSet};

use openapiv3::{OpenAPI, ReferenceOr};
use syn::visit_mut::{self, VisitMut};

use crate::codegen::CodegenError;
use crate::naming;

/// Rewrites every `ResponseValue::from_response(..)` call in `file`; `spec` says which
/// operations must have had one.
pub fn install(file: &mut syn::File, spec: &OpenAPI) -> Result<(), CodegenError> {
    let mut rewriter = Rewriter::default();
    rewriter.visit_file_mut(file);
    if let Some(problem) = rewriter.problems.into_iter().next() {
        return Err(broken(&problem));
    }
    let mut left = Counter::default();
    left.visit_file_mut(file);
    if left.calls > 0 {
        return Err(broken(&format!(
            "{} call(s) of ResponseValue::from_response outside an operation's send()",
            left.calls
        )));
    }
    let missing: Vec<String> = operations_with_json_bodies(spec)
        .into_iter()
        .filter(|id| !rewriter.rewritten.contains_key(id))
        .map(|id| format!("`{id}`"))
        .collect();
    if !missing.is_empty() {
        return Err(broken(&format!(
            "the send() of operation(s) {} documents a JSON body but calls no \
             ResponseValue::from_response(response)",
            missing.join(", ")
        )));
    }
    Ok(())
}

fn broken(what: &str) -> CodegenError {
    CodegenError(format!(
        "cannot install the decode hook in progenitor's output: {what}; \
         adapt xtask/src/decode_hook.rs to the progenitor version in use"
    ))
}

/// progenitor's names (`OperationInfo::operation_id`) of the operations documenting at least
/// one `application/json` response: progenitor decodes exactly those with `from_response`.
fn operations_with_json_bodies(spec: &OpenAPI) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for item in spec.paths.paths.values() {
        let ReferenceOr::Item(item) = item else {
            continue;
        };
        for (_, op) in item.iter() {
            let json =
                op.responses
                    .responses
                    .values()
                    .any(|response| match response {
                        ReferenceOr::Item(response) => response.content.keys().any(|mt| {
                            mt == "application/json" || mt.starts_with("application/json;")
                        }),
                        ReferenceOr::Reference { .. } => false,
                    });
            if let (true, Some(id)) = (json, &op.operation_id) {
                ids.insert(naming::method_name(id));
            }
        }
    }
    ids
}

fn is_from_response(func: &syn::Expr) -> bool {
    let syn::Expr::Path(path) = func else {
        return false;
    };
    let segments: Vec<String> = path
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    segments.ends_with(&["ResponseValue".to_string(), "from_response".to_string()])
}

#[derive(Default)]
struct Rewriter {
    /// Operation id -> number of calls rewritten in its `send()`.
    rewritten: BTreeMap<String, usize>,
    problems: Vec<String>,
}

impl VisitMut for Rewriter {
    fn visit_impl_item_fn_mut(&mut self, function: &mut syn::ImplItemFn) {
        let mut scan = Scan::default();
        syn::visit_mut::visit_block_mut(&mut scan, &mut function.block);
        let mut calls = Counter::default();
        calls.visit_block_mut(&mut function.block);
        if calls.calls == 0 {
            return;
        }
        let name = &function.sig.ident;
        let (Some(client), Some(id)) = (scan.client, scan.operation_id) else {
            self.problems.push(format!(
                "fn {name} calls ResponseValue::from_response but has no \
                 `let info = OperationInfo {{ operation_id: \"..\" }}` and `<client>.exec(request, &info)`"
            ));
            return;
        };
        let mut rewrite = Rewrite {
            client,
            done: 0,
            problems: Vec::new(),
        };
        rewrite.visit_block_mut(&mut function.block);
        self.problems.extend(
            rewrite
                .problems
                .into_iter()
                .map(|p| format!("fn {name} ({id}): {p}")),
        );
        *self.rewritten.entry(id).or_default() += rewrite.done;
    }
}

/// Finds `let info = OperationInfo { operation_id: "<id>" }` and the receiver of
/// `.exec(request, &info)` in one function.
#[derive(Default)]
struct Scan {
    operation_id: Option<String>,
    client: Option<syn::Expr>,
}

impl VisitMut for Scan {
    fn visit_local_mut(&mut self, local: &mut syn::Local) {
        if let (syn::Pat::Ident(pat), Some(init)) = (&local.pat, &local.init)
            && pat.ident == "info"
            && let syn::Expr::Struct(info) = &*init.expr
            && info.path.is_ident("OperationInfo")
        {
            self.operation_id =
                info.fields
                    .iter()
                    .find_map(|field| match (&field.member, &field.expr) {
                        (
                            syn::Member::Named(member),
                            syn::Expr::Lit(syn::ExprLit {
                                lit: syn::Lit::Str(id),
                                ..
                            }),
                        ) if member == "operation_id" => Some(id.value()),
                        _ => None,
                    });
        }
        visit_mut::visit_local_mut(self, local);
    }

    fn visit_expr_method_call_mut(&mut self, call: &mut syn::ExprMethodCall) {
        let passes_info = call.args.iter().any(|arg| {
            matches!(arg, syn::Expr::Reference(r) if matches!(&*r.expr, syn::Expr::Path(p) if p.path.is_ident("info")))
        });
        if call.method == "exec" && passes_info {
            self.client = Some((*call.receiver).clone());
        }
        visit_mut::visit_expr_method_call_mut(self, call);
    }
}

/// Counts `ResponseValue::from_response(..)` calls.
#[derive(Default)]
struct Counter {
    calls: usize,
}

impl VisitMut for Counter {
    fn visit_expr_call_mut(&mut self, call: &mut syn::ExprCall) {
        if is_from_response(&call.func) {
            self.calls += 1;
        }
        visit_mut::visit_expr_call_mut(self, call);
    }
}

struct Rewrite {
    client: syn::Expr,
    done: usize,
    problems: Vec<String>,
}

impl VisitMut for Rewrite {
    fn visit_expr_call_mut(&mut self, call: &mut syn::ExprCall) {
        visit_mut::visit_expr_call_mut(self, call);
        if !is_from_response(&call.func) {
            return;
        }
        if call.args.len() != 1 {
            self.problems.push(format!(
                "ResponseValue::from_response takes {} arguments, expected 1 (the response)",
                call.args.len()
            ));
            return;
        }
        let response = &call.args[0];
        let client = &self.client;
        *call = syn::parse_quote! {
            crate::hooks::decode(&#client.inner, #response, &info)
        };
        self.done += 1;
    }
}
