//! Layout normalisation: the text as the grammar sees it, mapped back to the file as written.

/// How many characters of offending text an error quotes.
const MAX_FOUND_CHARS: usize = 40;

/// The normalised view of the input (see the module docs of [`crate::parse`]).
pub(super) struct View<'a> {
    src: &'a str,
    /// The input with white space trimmed and every run of it collapsed to one space.
    pub(super) norm: String,
    /// For every byte of `norm`, the offset in `src` it came from; a collapsed space maps to
    /// the start of its white-space run, so errors point into the file as written.
    origin: Vec<usize>,
    /// Where positions at or past the end of `norm` map: the end of the last
    /// non-white-space character, so "end of input" errors point right after the last token
    /// rather than at trailing blank lines.
    end: usize,
    /// Positions in `norm` (ascending) of the spaces that stand for white space containing a
    /// line break.
    breaks: Vec<usize>,
}

impl<'a> View<'a> {
    pub(super) fn new(src: &'a str) -> Self {
        // A byte-order mark is not white space (`char::is_whitespace`), but it is not content
        // either: skip it so that a page saved by a Windows editor still starts with `#`.
        let skip = if src.starts_with('\u{feff}') {
            '\u{feff}'.len_utf8()
        } else {
            0
        };
        let mut norm = String::with_capacity(src.len());
        let mut origin = Vec::with_capacity(src.len());
        let mut breaks = Vec::new();
        // Start offset of the white-space run being skipped, and whether it holds a newline.
        let mut gap: Option<(usize, bool)> = None;
        let mut end = skip;
        for (i, c) in src.char_indices().skip_while(|&(i, _)| i < skip) {
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
                norm.push(' ');
                origin.push(start);
            }
            norm.push(c);
            origin.extend((0..c.len_utf8()).map(|k| i + k));
            end = i + c.len_utf8();
        }
        View {
            src,
            norm,
            origin,
            end,
            breaks,
        }
    }

    /// First line break (as a position in `norm`) in `from..to`.
    pub(super) fn first_break(&self, from: usize, to: usize) -> Option<usize> {
        let i = self.breaks.partition_point(|&b| b < from);
        self.breaks.get(i).copied().filter(|&b| b < to)
    }

    /// Byte offset, 1-based line and 1-based column in `src` of position `pos` of `norm`.
    pub(super) fn locate(&self, pos: usize) -> (usize, usize, usize) {
        let offset = self.origin.get(pos).copied().unwrap_or(self.end);
        let offset = offset.min(self.src.len());
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
pub(super) fn quote(text: &str) -> String {
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
