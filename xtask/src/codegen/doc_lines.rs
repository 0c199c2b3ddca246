//! Doc comments of the generated code, one `#[doc]` attribute per line.
//!
//! progenitor writes multi-line docs as one `#[doc = "..."]`; prettyplease prints that as a
//! `/** ... */` block, and rustfmt then indents the block's continuation lines to the item's
//! depth. Inside a module that turns every later line into an indented code block for
//! rustdoc: link definitions stop resolving and `ignore` examples become Rust to parse.
//! Split into one attribute per line, each printed as `///`, the text stays as written.
//!
//! Descriptions come from the API's own pages, which hold HTML such as a stray `</br>`:
//! rustdoc rejects an unopened or unclosed tag, and an unclosed `<div>` would swallow the rest
//! of the page. Outside code, every `<` of doc text is written as `&lt;`, so the text shows
//! as the page wrote it and never as markup.

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
    for mut attr in attrs {
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
        let text = text.map(|text| {
            let escaped = escape_html(&text);
            if escaped != text
                && let syn::Meta::NameValue(nv) = &mut attr.meta
            {
                nv.value = syn::parse_quote!(#escaped);
            }
            escaped
        });
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

/// `text` with every `<` outside fenced code blocks and inline code spans written as `&lt;`.
fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut fenced = false;
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            out.push_str(line);
            continue;
        }
        if fenced {
            out.push_str(line);
            continue;
        }
        // Odd pieces between backticks are inline code, which rustdoc shows verbatim.
        for (j, piece) in line.split('`').enumerate() {
            if j > 0 {
                out.push('`');
            }
            if j % 2 == 1 {
                out.push_str(piece);
            } else {
                out.push_str(&piece.replace('<', "&lt;"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape_html;

    #[test]
    fn html_in_doc_text_is_shown_as_text() {
        assert_eq!(
            escape_html("one</br> two <b>three"),
            "one&lt;/br> two &lt;b>three"
        );
    }

    #[test]
    fn code_keeps_its_angle_brackets() {
        let text = "a `Option<T>` b <c>\n```json\n{\"x\": \"<y>\"}\n```\n<d>";
        assert_eq!(
            escape_html(text),
            "a `Option<T>` b &lt;c>\n```json\n{\"x\": \"<y>\"}\n```\n&lt;d>"
        );
    }
}
