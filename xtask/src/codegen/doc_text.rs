//! The API's prose made safe to be rustdoc text.
//!
//! Summaries and descriptions come from the API's own pages, which were written for a web
//! page, not for rustdoc: a stray `</br>` is an unopened HTML tag, `[{ "dayOfWeek": 1 }]` an
//! intra-doc link with several anchors, a regular expression in brackets an unknown
//! disambiguator, a plain `https://…` a bare URL. Each fails `cargo doc` under `-D warnings`
//! (and an unclosed `<div>` would swallow the rest of the page). The generator therefore
//! hands progenitor a copy of the spec whose prose is escaped: outside code, `<` is written
//! `&lt;`, brackets are escaped, and URLs are wrapped as autolinks, so the text reads as the
//! page wrote it and never as markup. `spec/openapi.json` itself keeps the prose as written.

use openapiv3::OpenAPI;
use serde_json::Value;

use super::CodegenError;

/// `spec` with every `description` and `summary` escaped for rustdoc. Data (examples,
/// defaults, enum values) is left alone: it is not prose, and the generated code uses it.
pub fn escape_spec(spec: &OpenAPI) -> Result<OpenAPI, CodegenError> {
    let mut value = serde_json::to_value(spec)
        .map_err(|e| CodegenError(format!("spec as JSON for doc escaping: {e}")))?;
    escape_prose(&mut value);
    serde_json::from_value(value).map_err(|e| CodegenError(format!("spec after doc escaping: {e}")))
}

fn escape_prose(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                match (key.as_str(), v) {
                    ("description" | "summary", Value::String(text)) => *text = escape(text),
                    ("example" | "examples" | "default" | "enum", _) => {}
                    (_, v) => escape_prose(v),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(escape_prose),
        _ => {}
    }
}

/// `text` as rustdoc prose: outside fenced code blocks and inline code spans, `<` becomes
/// `&lt;`, `[` and `]` are escaped, and `http(s)://` URLs become autolinks.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
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
                escape_plain(piece, &mut out);
            }
        }
    }
    out
}

fn escape_plain(text: &str, out: &mut String) {
    let mut rest = text;
    while let Some(start) = rest.find("http://").or_else(|| rest.find("https://")) {
        // Whichever scheme comes first.
        let start = ["http://", "https://"]
            .iter()
            .filter_map(|s| rest.find(s))
            .min()
            .unwrap_or(start);
        escape_chars(&rest[..start], out);
        let tail = &rest[start..];
        let end = tail
            .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '`'))
            .unwrap_or(tail.len());
        // Sentence punctuation right after a URL is not part of it.
        let url = tail[..end].trim_end_matches(['.', ',', ';', ':', ')', ']', '\'']);
        out.push('<');
        out.push_str(url);
        out.push('>');
        rest = &tail[url.len()..];
    }
    escape_chars(rest, out);
}

fn escape_chars(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '[' => out.push_str("\\["),
            ']' => out.push_str("\\]"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_brackets_and_urls_become_text() {
        assert_eq!(escape("one</br> two"), "one&lt;/br> two");
        assert_eq!(
            escape(r#"as [{ "a": 1 }, { "b": 2 }] or [0-9\p{L}]"#),
            r#"as \[{ "a": 1 }, { "b": 2 }\] or \[0-9\p{L}\]"#
        );
        assert_eq!(
            escape("see https://uberall.com/api. Or http://x.y/z?a=1"),
            "see <https://uberall.com/api>. Or <http://x.y/z?a=1>"
        );
    }

    #[test]
    fn code_is_left_as_written() {
        let text = "a `Option<T>` [b]\n```json\n{\"x\": [\"<y>\"]}\n```\n<d>";
        assert_eq!(
            escape(text),
            "a `Option<T>` \\[b\\]\n```json\n{\"x\": [\"<y>\"]}\n```\n&lt;d>"
        );
    }

    #[test]
    fn data_is_not_prose() {
        let mut value = serde_json::json!({
            "description": "<b>",
            "example": {"description": "<b>"},
            "properties": {"a": {"summary": "[x]", "enum": ["[y]"]}}
        });
        escape_prose(&mut value);
        assert_eq!(
            value,
            serde_json::json!({
                "description": "&lt;b>",
                "example": {"description": "<b>"},
                "properties": {"a": {"summary": "\\[x\\]", "enum": ["[y]"]}}
            })
        );
    }
}
