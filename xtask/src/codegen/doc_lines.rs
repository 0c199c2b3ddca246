//! Doc comments of the generated code, one `#[doc]` attribute per line.
//!
//! progenitor writes multi-line docs as one `#[doc = "..."]`; prettyplease prints that as a
//! `/** ... */` block, and rustfmt then indents the block's continuation lines to the item's
//! depth. Inside a module that turns every later line into an indented code block for
//! rustdoc: link definitions stop resolving and `ignore` examples become Rust to parse.
//! Split into one attribute per line, each printed as `///`, the text stays as written.

use syn::visit_mut::VisitMut;

/// Splits every multi-line `#[doc = "..."]` in `file` into one attribute per line.
pub fn split(file: &mut syn::File) {
    Splitter.visit_file_mut(file);
}

struct Splitter;

impl VisitMut for Splitter {
    fn visit_attributes_mut(&mut self, attrs: &mut Vec<syn::Attribute>) {
        *attrs = split_attrs(std::mem::take(attrs));
        for attr in attrs.iter_mut() {
            self.visit_attribute_mut(attr);
        }
    }
}

fn split_attrs(attrs: Vec<syn::Attribute>) -> Vec<syn::Attribute> {
    let mut out = Vec::with_capacity(attrs.len());
    for attr in attrs {
        let text = match &attr.meta {
            syn::Meta::NameValue(nv) if nv.path.is_ident("doc") => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        };
        match text {
            Some(text) if text.contains('\n') => {
                for line in text.lines() {
                    let mut line_attr = attr.clone();
                    if let syn::Meta::NameValue(nv) = &mut line_attr.meta {
                        nv.value = syn::parse_quote!(#line);
                    }
                    out.push(line_attr);
                }
            }
            _ => out.push(attr),
        }
    }
    out
}
