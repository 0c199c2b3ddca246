//! Parser for endpoint docs: one Redocly-style per-operation Markdown page → [`EndpointDoc`].
//!
//! # The two layouts
//!
//! The same page reaches us in two layouts (described for doc authors in `spec/README.md`):
//!
//! * the **multi-line** form Redocly-based reference sites export: a `# <summary>` line,
//!   description paragraphs, `Endpoint:` / `Version:` / `Security:` lines, `## <title>:`
//!   section lines, fields as (possibly indented) list items with their description,
//!   `Example:` and `Enum:` on following, indented lines;
//! * the **collapsed** form, where every run of white space (newlines included) was replaced
//!   by one space, so the whole page is a single line.
//!
//! Both must give *equal* [`EndpointDoc`]s. Rather than writing two grammars, [`parse`] first
//! builds a normalised view of the text — white space trimmed and every run of it collapsed to
//! one space, i.e. exactly the collapsed form — that remembers, for every byte, where it came
//! from in the original text (so errors point into the file as written) and which of its spaces
//! stood for a line break. One grammar then runs on that view, which makes the two layouts agree
//! by construction. The line breaks are consulted in exactly one place: to tell the summary from
//! the description (see [`split_summary`] for what happens when there are none).
//!
//! A consequence worth knowing: white space *inside* JSON strings of `Example:` / `Enum:` values
//! is collapsed too (a multi-line page's `"a  b"` reads as `"a b"`), because the collapsed form
//! has already lost that information and the layouts must agree.
//!
//! # Grammar (over the normalised view)
//!
//! ```text
//! page     = [front-matter] "#" heading "Endpoint:" METHOD PATH
//!            ["Version:" WORD] ["Security:" NAME {"," NAME}] {section}
//! section  = "##" title ":" {field}
//! title    = ("Path" | "Query" | "Header") " parameters"
//!          | "Request fields (" MEDIA-TYPE ")"
//!          | "Response " DIGIT DIGIT DIGIT " fields (" MEDIA-TYPE ")"
//! field    = "- `" NAME "`" "(" TYPE ["," TYPE] ["," "required"] ")"
//!            [description] {"Example:" JSON | "Enum:" JSON {"," JSON}}
//! ```
//!
//! Details: the status code must be 100..=599 (`Response default fields` pages exist in the
//! wild but [`Response::status`] cannot hold them, so they are rejected); the media type is
//! required; `Example:` and `Enum:` may come in either order, each at most once, after the
//! description; a dot path needs its parent declared earlier in the same section, except in
//! parameter sections, where an undeclared prefix makes the dotted name one literal name
//! (`page.size`); a leading byte-order mark and a YAML front-matter block are skipped.
//!
//! Keywords (`Endpoint:`, `Example:`, `Enum:`, `##`, a field's `` - ` ``) are recognised only at
//! the start of a word. Known limits, inherent to the collapsed form: a description that
//! contains one of these keywords as a word (for example a Markdown list of `` - `code` `` items
//! or a `## ` heading inside a description) is read as that keyword.

mod fields;
mod grammar;
mod layout;
mod summary;

use std::fmt;

pub use summary::split_summary;

use crate::model::EndpointDoc;

/// A syntax error, located in the text as it was given to [`parse`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, counted in characters (not bytes) from the start of the line.
    pub column: usize,
    /// 0-based byte offset into the input.
    pub offset: usize,
    /// What the parser expected at this point.
    pub expected: String,
    /// What it found instead: a short quote of the offending text, or `end of input`.
    pub found: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: expected {}, found {}",
            self.line, self.column, self.expected, self.found
        )
    }
}

impl std::error::Error for ParseError {}
/// Parses one endpoint doc, in either layout (see the [module docs](self)).
///
/// Never panics, whatever the input; every rejection is a [`ParseError`] pointing at the
/// offending token.
pub fn parse(text: &str) -> Result<EndpointDoc, ParseError> {
    grammar::page(&layout::View::new(text))
}
