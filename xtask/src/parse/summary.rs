//! Where the summary ends in a collapsed heading (see [`split_summary`]).

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
