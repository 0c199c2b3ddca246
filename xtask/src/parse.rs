//! Parser for endpoint docs: one Redocly-style per-operation Markdown page → [`EndpointDoc`].
//!
//! # The two layouts
//!
//! The same page reaches us in two layouts (see `API-NOTES.md`, "The doc's layout"):
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

use std::collections::{HashMap, HashSet};
use std::hash::BuildHasherDefault;

use rustc_hash::FxHasher;
use std::fmt;

use serde_json::Value;

use crate::model::{
    Body, EndpointDoc, Field, FieldType, Method, ParamLocation, Parameter, Response,
};

/// How many characters of offending text an error quotes.
const MAX_FOUND_CHARS: usize = 40;

const EXPECTED_METHOD: &str = "HTTP method (GET, PUT, POST, DELETE, OPTIONS, HEAD, PATCH, TRACE)";
const EXPECTED_TYPE: &str =
    "field type (string, integer, number, boolean, object, array, any, null)";
const EXPECTED_TITLE: &str = "section title `Path parameters:`, `Query parameters:`, \
     `Header parameters:`, `Request fields (<media type>):` or \
     `Response <code> fields (<media type>):`";
const EXPECTED_AFTER_FIELD: &str = "`Example:`, `Enum:`, the next field `` - `<name>` `` \
     or a section heading `## <title>:`";

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
    let view = View::new(text);
    Parser {
        view: &view,
        norm: &view.norm,
        pos: 0,
    }
    .page()
}

/// Splits a collapsed heading (summary and description run together on one line) in two.
///
/// The collapsed layout loses the line break between the `# <summary>` line and the
/// description, so this guesses where the summary ends. The rules, in order:
///
/// 1. **Repetition**: text of the form `X X` (the description repeats the summary, which is
///    common) splits in the middle.
/// 2. **Same verb**: descriptions often start with the summary's verb, inflected or not
///    (`Log out the current user` / `Logs out the current user ...`, `Migrate ...` /
///    `Migration ...`). The first later capitalised word sharing a stem (the shorter word, or at
///    least 4 characters) with the first word starts the description. The search stops after the
///    first word ending in `.` (end of the first sentence), and all-caps words such as `GET` do
///    not count unless the first word is all-caps too.
/// 3. **Capitalised run**: otherwise the description starts at the first capitalised word that
///    does not follow a function word (`a`, `the`, `of`, ... — after those a capital letter
///    marks a Title-Case noun of the summary), extended over the following capitalised words
///    (Title-Case summaries like `Update a Custom Item Make changes ...` end in such a run, and
///    the description starts at its last word); all-caps words end the run, and a word ending in
///    `.` ends the summary.
///
/// Measured on the 231 (summary, description) pairs of uberall's OpenAPI description
/// 20250204 (see the ignored test `summary_heuristic_accuracy_on_reference`): 223 split exactly
/// right (96.5%); the plain rule "the summary ends before the first later capitalised word"
/// gets 46 (20%). Known limits: a Title-Case run that straddles the boundary
/// (`Get Data Points' time series Returns ...` splits after `Get Data`), a description starting
/// with a proper noun after an adjective (`... for a specific Category Google limits ...`), and
/// pages **without** a description: only 105 of the 231 summaries alone come back whole
/// (`Get All Directories details by country` is split after `Get All`).
/// The multi-line layout does not need any of this: its heading line is the summary.
pub fn split_summary(text: &str) -> (String, Option<String>) {
    let words: Vec<&str> = text.split_whitespace().collect();
    let at = summary_len(&words).min(words.len());
    let summary = words[..at].join(" ");
    let description = (at < words.len()).then(|| words[at..].join(" "));
    (summary, description)
}

/// Words after which a capitalised word is still part of a Title-Case summary.
const FUNCTION_WORDS: &[&str] = &[
    "a", "an", "the", "of", "for", "by", "to", "with", "from", "in", "on", "and", "or", "all",
    "at", "into", "about", "as", "per", "via",
];

/// Number of words of `words` that form the summary; see [`split_summary`].
fn summary_len(words: &[&str]) -> usize {
    let n = words.len();
    if n == 0 {
        return 0;
    }
    if n.is_multiple_of(2) && words[..n / 2] == words[n / 2..] {
        return n / 2;
    }
    let first = words[0];
    for (i, word) in words.iter().enumerate().skip(1) {
        if starts_upper(word) && (!all_caps(word) || all_caps(first)) && same_stem(word, first) {
            return i;
        }
        if word.ends_with('.') {
            break;
        }
    }
    // A capitalised word right after a function word is a Title-Case noun of the summary.
    let may_start =
        |i: usize| starts_upper(words[i]) && !FUNCTION_WORDS.contains(&bare(words[i - 1]).as_str());
    let Some(mut i) = (1..n).find(|&i| may_start(i)) else {
        return n;
    };
    while i + 1 < n
        && starts_upper(words[i + 1])
        && !words[i].ends_with('.')
        && !all_caps(words[i + 1])
    {
        i += 1;
    }
    if words[i].ends_with('.') { i + 1 } else { i }
}

fn starts_upper(word: &str) -> bool {
    word.chars().next().is_some_and(char::is_uppercase)
}

/// `true` for words like `GET`, `SSO`, `UBER_API_ADMIN` (identifiers and acronyms, which say
/// nothing about sentence structure).
fn all_caps(word: &str) -> bool {
    word.chars().count() > 1
        && word.chars().any(char::is_uppercase)
        && !word.chars().any(char::is_lowercase)
}

/// Lower-cased word without surrounding punctuation.
fn bare(word: &str) -> String {
    word.trim_matches(|c| ".,:;'\"()".contains(c))
        .to_lowercase()
}

fn same_stem(a: &str, b: &str) -> bool {
    let (a, b) = (bare(a), bare(b));
    if a.is_empty() || b.is_empty() {
        return false;
    }
    let common = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
    common >= a.chars().count().min(b.chars().count()).min(4)
}

/// The normalised view of the input (see the module docs).
struct View<'a> {
    src: &'a str,
    /// The input with white space trimmed and every run of it collapsed to one space.
    norm: String,
    /// Where `norm` maps into `src`: `(norm position, src offset)` at every point where the
    /// distance between the two changes, ascending; between two entries a byte of `norm` maps
    /// to the byte the same distance on in `src`. A collapsed space maps to the start of its
    /// white-space run. Kept sparse (a one-line doc needs one entry) rather than one offset per
    /// byte, which made large docs memory-bound.
    shifts: Vec<(usize, usize)>,
    /// Where positions at or past the end of `norm` map: the end of the last
    /// non-white-space character, so "end of input" errors point right after the last token
    /// rather than at trailing blank lines.
    end: usize,
    /// Positions in `norm` (ascending) of the spaces that stand for white space containing a
    /// line break.
    breaks: Vec<usize>,
}

impl<'a> View<'a> {
    fn new(src: &'a str) -> Self {
        // A byte-order mark is not white space (`char::is_whitespace`), but it is not content
        // either: skip it so that a page saved by a Windows editor still starts with `#`.
        let (skip, body) = match src.strip_prefix('\u{feff}') {
            Some(body) => ('\u{feff}'.len_utf8(), body),
            None => (0, src),
        };
        let mut norm = String::with_capacity(body.len());
        let mut shifts: Vec<(usize, usize)> = Vec::new();
        // Records that `norm[at]` came from `src[from]`, if that changes the distance.
        let map_to = |shifts: &mut Vec<(usize, usize)>, at: usize, from: usize| {
            let same = shifts
                .last()
                .is_some_and(|&(n, o)| o.wrapping_sub(n) == from.wrapping_sub(at));
            if !same {
                shifts.push((at, from));
            }
        };
        let mut breaks = Vec::new();
        // Start offset of the white-space run being skipped, and whether it holds a newline.
        let mut gap: Option<(usize, bool)> = None;
        let mut end = skip;
        for (i, c) in body.char_indices() {
            let i = i + skip;
            let newline = c == '\n' || c == '\r';
            if c.is_whitespace() {
                match &mut gap {
                    Some((_, seen)) => *seen |= newline,
                    None => gap = Some((i, newline)),
                }
                continue;
            }
            if let Some((start, newline)) = gap.take()
                && !norm.is_empty()
            {
                if newline {
                    breaks.push(norm.len());
                }
                map_to(&mut shifts, norm.len(), start);
                norm.push(' ');
            }
            map_to(&mut shifts, norm.len(), i);
            norm.push(c);
            end = i + c.len_utf8();
        }
        View {
            src,
            norm,
            shifts,
            end,
            breaks,
        }
    }

    /// First line break (as a position in `norm`) in `from..to`.
    fn first_break(&self, from: usize, to: usize) -> Option<usize> {
        let i = self.breaks.partition_point(|&b| b < from);
        self.breaks.get(i).copied().filter(|&b| b < to)
    }

    /// Byte offset, 1-based line and 1-based column in `src` of position `pos` of `norm`.
    fn locate(&self, pos: usize) -> (usize, usize, usize) {
        let offset = if pos >= self.norm.len() {
            self.end
        } else {
            let i = self.shifts.partition_point(|&(n, _)| n <= pos);
            match i.checked_sub(1).and_then(|i| self.shifts.get(i)) {
                Some(&(n, o)) => o + (pos - n),
                None => pos,
            }
        }
        .min(self.src.len());
        let before = self.src.get(..offset).unwrap_or(self.src);
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before.get(line_start..).unwrap_or("").chars().count() + 1;
        (offset, line, column)
    }
}

/// Quotes `text` for [`ParseError::found`] like `{:?}` does, cut to about
/// [`MAX_FOUND_CHARS`] characters of *output* (escapes count), so that hostile input cannot
/// make an error message long.
fn quote(text: &str) -> String {
    let mut out = String::from('"');
    let mut shown = 0;
    for c in text.chars() {
        let escaped: String = match c {
            '\'' => "'".into(),
            _ => c.escape_debug().collect(),
        };
        shown += escaped.chars().count();
        if shown > MAX_FOUND_CHARS {
            out.push('…');
            break;
        }
        out.push_str(&escaped);
    }
    out.push('"');
    out
}

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

/// A field's parsed `Example:` and `Enum:` values.
type ExampleAndEnum = (Option<Box<Value>>, Option<Vec<Value>>);

/// The fields of one section while it is being read: the top-level ones, and where every dot
/// path declared so far sits in the tree.
///
/// A path's place is a chain of child indices from the top level down, kept in one shared
/// arena (`chains`) and keyed by the path as it appears in the text: an owned key and chain per
/// field were a third of the parser's allocations on large docs.
#[derive(Default)]
struct Tree<'v> {
    fields: Vec<Field>,
    /// Dot path -> its chain, `chains[start..start + len]`.
    index: HashMap<&'v str, (usize, usize), BuildHasherDefault<FxHasher>>,
    chains: Vec<usize>,
}

fn node_mut<'f>(fields: &'f mut [Field], chain: &[usize]) -> Option<&'f mut Field> {
    let (first, rest) = chain.split_first()?;
    let mut node = fields.get_mut(*first)?;
    for &i in rest {
        node = node.children.get_mut(i)?;
    }
    Some(node)
}

struct Parser<'v> {
    view: &'v View<'v>,
    norm: &'v str,
    /// Current position in `norm`; always on a character boundary. After a token it points at
    /// the single space that follows it, or at the end.
    pos: usize,
}

impl<'v> Parser<'v> {
    fn rest_at(&self, pos: usize) -> &'v str {
        self.norm.get(pos..).unwrap_or("")
    }

    fn rest(&self) -> &'v str {
        self.rest_at(self.pos)
    }

    fn eat(&mut self, literal: &str) -> bool {
        if self.rest().starts_with(literal) {
            self.pos += literal.len();
            true
        } else {
            false
        }
    }

    /// The word (text up to the next space) at `pos`.
    fn word_at(&self, pos: usize) -> &'v str {
        let rest = self.rest_at(pos);
        rest.split(' ').next().unwrap_or("")
    }

    /// Start of the next token: past the space at `pos`, if any. `None` at the end.
    fn next_token(&self) -> Option<usize> {
        let at = if self.rest().starts_with(' ') {
            self.pos + 1
        } else {
            self.pos
        };
        (at < self.norm.len()).then_some(at)
    }

    /// Moves to the next word, returning its position and text (empty at the end).
    fn take_word(&mut self) -> (usize, &'v str) {
        let at = self.next_token().unwrap_or(self.norm.len());
        let word = self.word_at(at);
        self.pos = at + word.len();
        (at, word)
    }

    /// `found` text for the word at `pos` (or after it, when `pos` is on a space).
    fn found_word(&self, pos: usize) -> String {
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
    fn found_text(&self, pos: usize) -> String {
        if pos >= self.norm.len() {
            "end of input".into()
        } else {
            quote(self.rest_at(pos))
        }
    }

    fn error(&self, pos: usize, expected: impl Into<String>, found: String) -> ParseError {
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

    /// Reads the fields of a section, up to the next `##` or the end.
    ///
    /// `params`: in a parameter section a dotted name whose prefix was not declared is one
    /// literal name (query parameters such as `page.size` exist), not a child path.
    fn fields(&mut self, params: bool) -> Result<Vec<Field>, ParseError> {
        let mut tree = Tree::default();
        while let Some(at) = self.next_token() {
            let word = self.word_at(at);
            if word == "##" {
                break;
            }
            if word != "-" {
                return Err(self.error(
                    at,
                    "field list item `` - `<name>` (<type>) `` or a section heading `## <title>:`",
                    self.found_text(at),
                ));
            }
            self.pos = at + 1;
            self.field(&mut tree, params)?;
        }
        Ok(tree.fields)
    }

    /// Reads one field (`self.pos` is after its `-`) and adds it to `tree`.
    fn field(&mut self, tree: &mut Tree<'v>, params: bool) -> Result<(), ParseError> {
        if !self.eat(" `") {
            let at = self.next_token().unwrap_or(self.norm.len());
            return Err(self.error(at, "field name in backticks", self.found_text(at)));
        }
        let tick = self.pos - 1;
        let rest = self.rest();
        let len = rest.find(['`', ' ']).unwrap_or(rest.len());
        if !rest[len..].starts_with('`') {
            return Err(self.error(
                tick,
                "closing ` after the field name",
                self.found_text(tick),
            ));
        }
        let path = &rest[..len];
        let name_at = self.pos;
        if path.is_empty() {
            return Err(self.error(tick, "field name between the backticks", quote("``")));
        }
        if path.split('.').any(str::is_empty) {
            return Err(self.error(
                name_at,
                "field name without empty dot-path segments",
                quote(path),
            ));
        }
        self.pos += len + 1;

        if !(self.eat(" (") || self.eat("(")) {
            let at = self.next_token().unwrap_or(self.norm.len());
            return Err(self.error(at, "`(<type>)` after the field name", self.found_text(at)));
        }
        let (ty, nullable, required) = self.type_list()?;
        let description = self.description();
        let (example, enum_values) = self.example_and_enum()?;

        let field = Field {
            // Set by `insert`, which knows whether the path names a child or one literal name.
            name: String::new(),
            ty,
            nullable,
            required,
            description,
            example,
            enum_values,
            children: Vec::new(),
        };
        self.insert(tree, path, name_at, field, params)
    }

    /// Reads `type[,type][, required])` (`self.pos` is after the `(`).
    fn type_list(&mut self) -> Result<(FieldType, bool, bool), ParseError> {
        let mut types: Vec<FieldType> = Vec::new();
        let mut required = false;
        loop {
            self.eat(" ");
            let at = self.pos;
            let rest = self.rest();
            let item = &rest[..rest.find([',', ')', ' ']).unwrap_or(rest.len())];
            let expected = match (types.len(), required) {
                (0, _) => EXPECTED_TYPE,
                (_, true) => "`)` closing the type list",
                (1, false) => "`null` (nullable pair) or `required`",
                _ => "`required`",
            };
            let found = || {
                if item.is_empty() {
                    self.found_text(at)
                } else {
                    quote(item)
                }
            };
            match (item, FieldType::from_doc(item)) {
                ("required", _) if !types.is_empty() && !required => required = true,
                (_, Some(ty)) if !required && types.len() < 2 => {
                    if let Some(&first) = types.first() {
                        // A pair must be `<type>,null` (or `null,<type>`), nothing else.
                        if (first == FieldType::Null) == (ty == FieldType::Null) {
                            return Err(self.error(
                                at,
                                "`null` as the other type of a nullable pair",
                                found(),
                            ));
                        }
                    }
                    types.push(ty);
                }
                _ => return Err(self.error(at, expected, found())),
            }
            self.pos += item.len();
            self.eat(" ");
            if self.eat(")") {
                break;
            }
            if !self.eat(",") {
                return Err(self.error(
                    self.pos,
                    "`,` or `)` in the type list",
                    self.found_text(self.pos),
                ));
            }
        }
        Ok(match types.as_slice() {
            [a, b, ..] if *a == FieldType::Null => (*b, true, required),
            [a, _, ..] => (*a, true, required),
            [a] => (*a, false, required),
            // Unreachable: the loop above only ends after a type.
            [] => (FieldType::Any, false, required),
        })
    }

    /// `true` when the word at `pos` starts something that ends a field's description.
    fn ends_description(&self, pos: usize) -> bool {
        matches!(self.word_at(pos), "Example:" | "Enum:" | "##")
            || self.rest_at(pos).starts_with("- `")
    }

    /// Reads free description text up to the next keyword; `None` when there is none.
    fn description(&mut self) -> Option<String> {
        let start = self.next_token()?;
        let mut end = start;
        while end < self.norm.len() && !self.ends_description(end) {
            end += self.word_at(end).len() + 1;
        }
        let end = end.min(self.norm.len());
        let text = self.norm.get(start..end).unwrap_or("").trim_end();
        self.pos = start + text.len();
        Some(text.to_owned()).filter(|t| !t.is_empty())
    }

    /// Reads the `Example:` and `Enum:` parts of a field, each at most once, in any order.
    fn example_and_enum(&mut self) -> Result<ExampleAndEnum, ParseError> {
        let mut example = None;
        let mut values = None;
        while let Some(at) = self.next_token() {
            match self.word_at(at) {
                "Example:" => {
                    if example.is_some() {
                        return Err(self.error(
                            at,
                            "at most one `Example:` per field",
                            quote("Example:"),
                        ));
                    }
                    self.pos = at + "Example:".len();
                    example = Some(Box::new(
                        self.json_value("JSON value after `Example:`", false)?,
                    ));
                }
                "Enum:" => {
                    if values.is_some() {
                        return Err(self.error(
                            at,
                            "at most one `Enum:` per field",
                            quote("Enum:"),
                        ));
                    }
                    self.pos = at + "Enum:".len();
                    values = Some(self.enum_values()?);
                }
                _ if self.ends_description(at) => break,
                _ => return Err(self.error(at, EXPECTED_AFTER_FIELD, self.found_text(at))),
            }
        }
        Ok((example, values))
    }

    /// Reads `JSON {, JSON}` after `Enum:`.
    fn enum_values(&mut self) -> Result<Vec<Value>, ParseError> {
        let mut values = Vec::new();
        loop {
            values.push(self.json_value(
                "comma-separated JSON values after `Enum:` (strings in double quotes)",
                true,
            )?);
            if !(self.eat(",") || self.eat(" ,")) {
                return Ok(values);
            }
        }
    }

    /// Reads one JSON value after an optional space.
    ///
    /// `serde_json`'s stream deserializer tells where the value ends, which a hand-written
    /// scanner would get wrong on strings with escaped quotes or nested brackets; its nesting
    /// limit also keeps hostile input such as `[[[[...` from overflowing the stack. The value
    /// must be followed by a space, the end, or (`in_list`) a comma.
    fn json_value(&mut self, expected: &str, in_list: bool) -> Result<Value, ParseError> {
        self.eat(" ");
        let at = self.pos;
        let rest = self.rest();
        let mut stream = serde_json::Deserializer::from_str(rest).into_iter::<Value>();
        let value = match stream.next() {
            Some(Ok(value)) => value,
            Some(Err(_)) | None => return Err(self.error(at, expected, self.found_word(at))),
        };
        let end = stream.byte_offset();
        let after = rest.get(end..).unwrap_or("");
        if !(after.is_empty() || after.starts_with(' ') || (in_list && after.starts_with(','))) {
            let what = if in_list {
                "`,` or the end of the `Enum:` list"
            } else {
                "end of the JSON value after `Example:`"
            };
            return Err(self.error(at + end, what, self.found_word(at + end)));
        }
        self.pos = at + end;
        Ok(value)
    }

    /// Adds `field`, declared as dot path `path` (found at `at`), to `tree`.
    fn insert(
        &self,
        tree: &mut Tree<'v>,
        path: &'v str,
        at: usize,
        mut field: Field,
        params: bool,
    ) -> Result<(), ParseError> {
        if tree.index.contains_key(path) {
            return Err(self.error(
                at,
                "field name not used before in this section",
                format!("duplicate {}", quote(path)),
            ));
        }
        let parent = path
            .rsplit_once('.')
            .and_then(|(parent, name)| Some((parent, name, *tree.index.get(parent)?)));
        let chain = match parent {
            Some((parent, name, (start, len))) => {
                field.name = name.to_owned();
                let node = tree
                    .chains
                    .get(start..start + len)
                    .and_then(|chain| node_mut(&mut tree.fields, chain))
                    .ok_or_else(|| {
                        self.error(at, "consistent field tree (parser bug)", quote(path))
                    })?;
                if !matches!(node.ty, FieldType::Object | FieldType::Array) {
                    return Err(self.error(
                        at,
                        format!("object or array parent for `{path}`"),
                        format!("{} of type {}", quote(parent), node.ty.as_str()),
                    ));
                }
                let child = node.children.len();
                node.children.push(field);
                let new_start = tree.chains.len();
                tree.chains.extend_from_within(start..start + len);
                tree.chains.push(child);
                (new_start, len + 1)
            }
            None => {
                if let Some((parent, _)) = path.rsplit_once('.').filter(|_| !params) {
                    return Err(self.error(
                        at,
                        format!("parent field `{parent}` declared before `{path}`"),
                        quote(path),
                    ));
                }
                // A top-level name, or (parameter sections only) a dotted name without a
                // declared parent, which is one literal name.
                field.name = path.to_owned();
                tree.fields.push(field);
                tree.chains.push(tree.fields.len() - 1);
                (tree.chains.len() - 1, 1)
            }
        };
        tree.index.insert(path, chain);
        Ok(())
    }
}
