//! The grammar of an endpoint doc, run over the normalised view (see the module docs of
//! [`crate::parse`]).

use std::collections::HashSet;

use super::ParseError;
use super::layout::{View, quote};
use super::split_summary;
use crate::model::{Body, EndpointDoc, Method, ParamLocation, Parameter, Response};

const EXPECTED_METHOD: &str = "HTTP method (GET, PUT, POST, DELETE, OPTIONS, HEAD, PATCH, TRACE)";
const EXPECTED_TITLE: &str = "section title `Path parameters:`, `Query parameters:`, \
     `Header parameters:`, `Request fields (<media type>):` or \
     `Response <code> fields (<media type>):`";
/// What a section holds, and the key under which duplicates are detected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum SectionKind {
    Params(ParamLocation),
    Request,
    Response(u16),
}

impl SectionKind {
    fn title(self) -> String {
        match self {
            SectionKind::Params(ParamLocation::Path) => "Path parameters".into(),
            SectionKind::Params(ParamLocation::Query) => "Query parameters".into(),
            SectionKind::Params(ParamLocation::Header) => "Header parameters".into(),
            SectionKind::Request => "Request fields".into(),
            SectionKind::Response(code) => format!("Response {code} fields"),
        }
    }
}

pub(super) struct Parser<'v> {
    pub(super) view: &'v View<'v>,
    pub(super) norm: &'v str,
    /// Current position in `norm`; always on a character boundary. After a token it points at
    /// the single space that follows it, or at the end.
    pub(super) pos: usize,
}

impl<'v> Parser<'v> {
    pub(super) fn rest_at(&self, pos: usize) -> &'v str {
        self.norm.get(pos..).unwrap_or("")
    }

    pub(super) fn rest(&self) -> &'v str {
        self.rest_at(self.pos)
    }

    pub(super) fn eat(&mut self, literal: &str) -> bool {
        if self.rest().starts_with(literal) {
            self.pos += literal.len();
            true
        } else {
            false
        }
    }

    /// The word (text up to the next space) at `pos`.
    pub(super) fn word_at(&self, pos: usize) -> &'v str {
        let rest = self.rest_at(pos);
        rest.split(' ').next().unwrap_or("")
    }

    /// Start of the next token: past the space at `pos`, if any. `None` at the end.
    pub(super) fn next_token(&self) -> Option<usize> {
        let at = if self.rest().starts_with(' ') {
            self.pos + 1
        } else {
            self.pos
        };
        (at < self.norm.len()).then_some(at)
    }

    /// Moves to the next word, returning its position and text (empty at the end).
    pub(super) fn take_word(&mut self) -> (usize, &'v str) {
        let at = self.next_token().unwrap_or(self.norm.len());
        let word = self.word_at(at);
        self.pos = at + word.len();
        (at, word)
    }

    /// `found` text for the word at `pos` (or after it, when `pos` is on a space).
    pub(super) fn found_word(&self, pos: usize) -> String {
        let pos = if self.rest_at(pos).starts_with(' ') {
            pos + 1
        } else {
            pos
        };
        if pos >= self.norm.len() {
            "end of input".into()
        } else {
            quote(self.word_at(pos))
        }
    }

    /// `found` text for the input from `pos` on (cut short by [`quote()`]).
    pub(super) fn found_text(&self, pos: usize) -> String {
        if pos >= self.norm.len() {
            "end of input".into()
        } else {
            quote(self.rest_at(pos))
        }
    }

    pub(super) fn error(
        &self,
        pos: usize,
        expected: impl Into<String>,
        found: String,
    ) -> ParseError {
        let (offset, line, column) = self.view.locate(pos);
        ParseError {
            line,
            column,
            offset,
            expected: expected.into(),
            found,
        }
    }

    /// Position of the first word equal to `word` at or after `from`.
    fn find_word(&self, from: usize, word: &str) -> Option<usize> {
        let mut pos = from;
        while pos < self.norm.len() {
            let w = self.word_at(pos);
            if w == word {
                return Some(pos);
            }
            pos += w.len() + 1;
        }
        None
    }

    fn page(mut self) -> Result<EndpointDoc, ParseError> {
        self.front_matter()?;

        let (hash, word) = self.take_word();
        if word != "#" {
            return Err(self.error(hash, "`# ` heading", self.found_word(hash)));
        }
        let heading = self.next_token().unwrap_or(self.norm.len());
        // `Endpoint:` ends the heading. Search the whole page for it before complaining, so
        // that a description containing `## ` does not hide it; if it is missing, point at the
        // first section heading (where it should have come) or at the end.
        let Some(endpoint) = self.find_word(heading, "Endpoint:") else {
            let at = self.find_word(heading, "##").unwrap_or(self.norm.len());
            return Err(self.error(at, "`Endpoint: <METHOD> <path>` line", self.found_word(at)));
        };
        if endpoint == heading {
            return Err(self.error(heading, "summary text after `# `", self.found_word(heading)));
        }
        let heading_end = endpoint - 1; // the space before `Endpoint:`
        let (summary, description) = match self.view.first_break(heading, heading_end) {
            // Multi-line layout: the heading line is the summary, the rest the description.
            Some(line_end) => {
                let summary = self.norm.get(heading..line_end).unwrap_or("").to_owned();
                let description = self.norm.get(line_end + 1..heading_end).unwrap_or("");
                (
                    summary,
                    Some(description.to_owned()).filter(|d| !d.is_empty()),
                )
            }
            None => split_summary(self.norm.get(heading..heading_end).unwrap_or("")),
        };
        self.pos = endpoint + "Endpoint:".len();

        let (at, word) = self.take_word();
        let method = Method::from_doc(word)
            .ok_or_else(|| self.error(at, EXPECTED_METHOD, self.found_word(at)))?;
        let (at, path) = self.take_word();
        self.check_path(at, path)?;

        let mut doc = EndpointDoc {
            summary,
            description,
            method,
            path: path.to_owned(),
            version: None,
            security: Vec::new(),
            parameters: Vec::new(),
            request: None,
            responses: Vec::new(),
        };

        if self
            .next_token()
            .is_some_and(|at| self.word_at(at) == "Version:")
        {
            self.take_word();
            let (at, version) = self.take_word();
            if version.is_empty() || version == "Security:" || version == "##" {
                return Err(self.error(at, "API version after `Version:`", self.found_word(at)));
            }
            doc.version = Some(version.to_owned());
        }
        if self
            .next_token()
            .is_some_and(|at| self.word_at(at) == "Security:")
        {
            self.take_word();
            self.security(&mut doc.security)?;
        }

        let mut seen = HashSet::new();
        while let Some(at) = self.next_token() {
            if self.word_at(at) == "##" {
                self.pos = at;
                self.section(&mut doc, &mut seen)?;
                continue;
            }
            let expected = if self.rest_at(at).starts_with("- `") {
                "a section heading `## <title>:` before the first field"
            } else if doc.security.is_empty() && doc.version.is_none() {
                "`Version:`, `Security:`, a section heading `## <title>:` or end of input"
            } else if doc.security.is_empty() {
                "`Security:`, a section heading `## <title>:` or end of input"
            } else {
                "`,`, a section heading `## <title>:` or end of input"
            };
            return Err(self.error(at, expected, self.found_text(at)));
        }
        Ok(doc)
    }

    /// Skips a YAML front-matter block (`--- ... ---`), which pages collected by scrapers
    /// sometimes carry before the heading. It is not part of the Redocly page, so it is dropped.
    fn front_matter(&mut self) -> Result<(), ParseError> {
        if self.word_at(self.pos) != "---" {
            return Ok(());
        }
        let start = self.pos;
        match self.find_word(start + 4, "---") {
            Some(close) => {
                self.pos = close + 3;
                Ok(())
            }
            None => Err(self.error(
                start,
                "`---` closing the front matter",
                "end of input".into(),
            )),
        }
    }

    /// Checks that a path starts with `/` and that its `{templates}` are well formed.
    fn check_path(&self, at: usize, path: &str) -> Result<(), ParseError> {
        if !path.starts_with('/') {
            return Err(self.error(at, "path starting with `/`", self.found_word(at)));
        }
        let mut open: Option<usize> = None;
        for (i, c) in path.char_indices() {
            match (c, open) {
                ('{', Some(_)) => {
                    return Err(self.error(
                        at + i,
                        "`}` closing the path template",
                        quote(&path[i..]),
                    ));
                }
                ('{', None) => open = Some(i),
                ('}', None) => {
                    return Err(self.error(
                        at + i,
                        "`{` opening a path template",
                        quote(&path[i..]),
                    ));
                }
                ('}', Some(start)) if start + 1 == i => {
                    return Err(self.error(
                        at + start,
                        "parameter name in the path template",
                        quote("{}"),
                    ));
                }
                ('}', Some(_)) => open = None,
                _ => {}
            }
        }
        match open {
            Some(start) => Err(self.error(
                at + start,
                "`}` closing the path template",
                quote(&path[start..]),
            )),
            None => Ok(()),
        }
    }

    /// Reads the scheme names after `Security:`.
    fn security(&mut self, names: &mut Vec<String>) -> Result<(), ParseError> {
        loop {
            let at = self.next_token().unwrap_or(self.norm.len());
            let rest = self.rest_at(at);
            let name = &rest[..rest.find([',', ' ']).unwrap_or(rest.len())];
            if name.is_empty() || name == "##" {
                return Err(self.error(at, "security scheme name", self.found_word(at)));
            }
            names.push(name.to_owned());
            self.pos = at + name.len();
            if !(self.eat(",") || self.eat(" ,")) {
                return Ok(());
            }
        }
    }

    /// Reads one section: its title (at `self.pos`, the `##`), then its fields.
    fn section(
        &mut self,
        doc: &mut EndpointDoc,
        seen: &mut HashSet<SectionKind>,
    ) -> Result<(), ParseError> {
        self.pos += "##".len();
        let title = self.next_token().unwrap_or(self.norm.len());
        let (kind, media_type) = self.section_title()?;
        if !seen.insert(kind) {
            return Err(self.error(
                title,
                format!("at most one `{}` section", kind.title()),
                "a second one".into(),
            ));
        }
        let fields = self.fields(matches!(kind, SectionKind::Params(_)))?;
        // A request section that lists nothing documents no body: progenitor cannot type it,
        // and guessing one would invent an API. A response section may be empty (no body).
        if kind == SectionKind::Request && fields.is_empty() {
            return Err(self.error(
                title,
                format!(
                    "fields after `Request fields ({media_type}):` (drop the section if the request has no body)"
                ),
                "none".into(),
            ));
        }
        match kind {
            SectionKind::Params(location) => doc.parameters.extend(
                fields
                    .into_iter()
                    .map(|field| Parameter { location, field }),
            ),
            SectionKind::Request => doc.request = Some(Body { media_type, fields }),
            SectionKind::Response(status) => doc.responses.push(Response {
                status,
                body: Body { media_type, fields },
                line: self.view.locate(title).1,
            }),
        }
        Ok(())
    }

    /// Reads a section title up to and including its `:`; returns its kind and media type
    /// (empty for parameter sections).
    fn section_title(&mut self) -> Result<(SectionKind, String), ParseError> {
        let (title, word) = self.take_word();
        let unknown = |p: &Self| {
            let rest = p.rest_at(title);
            let shown = rest
                .find(':')
                .map_or(p.word_at(title), |colon| &rest[..=colon]);
            let found = if shown.is_empty() {
                "end of input".into()
            } else {
                quote(shown)
            };
            p.error(title, EXPECTED_TITLE, found)
        };
        let location = match word {
            "Path" => Some(ParamLocation::Path),
            "Query" => Some(ParamLocation::Query),
            "Header" => Some(ParamLocation::Header),
            _ => None,
        };
        if let Some(location) = location {
            let (at, word) = self.take_word();
            return match word {
                "parameters:" => Ok((SectionKind::Params(location), String::new())),
                "parameters" => Err(self.error(
                    at + word.len(),
                    "`:` ending the section title",
                    self.found_word(at + word.len()),
                )),
                _ => Err(unknown(self)),
            };
        }
        let kind = match word {
            "Request" => SectionKind::Request,
            "Response" => {
                let (at, code) = self.take_word();
                let next = self.word_at(self.next_token().unwrap_or(self.norm.len()));
                if next != "fields" && next != "fields:" {
                    return Err(unknown(self));
                }
                let status = Some(code)
                    .filter(|c| c.len() == 3 && c.bytes().all(|b| b.is_ascii_digit()))
                    .and_then(|c| c.parse::<u16>().ok())
                    .filter(|s| (100..=599).contains(s))
                    .ok_or_else(|| {
                        self.error(at, "3-digit HTTP status code", self.found_word(at))
                    })?;
                SectionKind::Response(status)
            }
            _ => return Err(unknown(self)),
        };
        let (at, word) = self.take_word();
        match word {
            "fields" => {}
            "fields:" => {
                let colon = at + "fields".len();
                return Err(self.error(
                    colon,
                    "`(<media type>)` after `fields`",
                    self.found_word(colon),
                ));
            }
            _ => return Err(unknown(self)),
        }
        let paren = self.next_token().unwrap_or(self.norm.len());
        if !self.rest_at(paren).starts_with('(') {
            return Err(self.error(
                paren,
                "`(<media type>)` after `fields`",
                self.found_word(paren),
            ));
        }
        // The media type ends at `)`. Stop at characters no media type contains, so that a
        // missing `)` is reported here and not after swallowing the following fields.
        let start = paren + 1;
        let rest = self.rest_at(start);
        let close = rest.find([')', '(', ':', '`']).unwrap_or(rest.len());
        if !rest[close..].starts_with(')') {
            return Err(self.error(
                start + close,
                "`)` closing the media type",
                self.found_word(start + close),
            ));
        }
        let media_type = rest[..close].trim();
        if media_type.is_empty() {
            return Err(self.error(paren, "media type", quote(&format!("({})", &rest[..close]))));
        }
        self.pos = start + close + 1;
        if !self.eat(":") {
            let at = self.next_token().unwrap_or(self.pos);
            return Err(self.error(at, "`:` ending the section title", self.found_word(at)));
        }
        Ok((kind, media_type.to_owned()))
    }
}

/// Parses a whole page from its normalised view.
pub(super) fn page(view: &View<'_>) -> Result<EndpointDoc, ParseError> {
    Parser {
        view,
        norm: &view.norm,
        pos: 0,
    }
    .page()
}
