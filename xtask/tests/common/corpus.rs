//! A corpus of realistic endpoint docs, generated: `n` operations over made-up resources of
//! the uberall API, with the shapes real pages have (path, query and header parameters,
//! request bodies, nested objects, arrays of objects, string and integer enums, one success
//! and several error responses sharing the seed's error body). Every third doc is in the
//! whitespace-collapsed layout, the others multi-line. Deterministic: same `n`, same docs.
//!
//! Shared by the scale test (`tests/scale.rs`) and the generator bench (`benches/convert.rs`).

use super::{ERROR_CODES, STATUS};

const RESOURCES: [&str; 50] = [
    "location",
    "listing",
    "business",
    "user",
    "review",
    "photo",
    "video",
    "post",
    "event",
    "offer",
    "product",
    "menu",
    "category",
    "keyword",
    "attribute",
    "directory",
    "collection",
    "label",
    "invitation",
    "campaign",
    "template",
    "report",
    "export",
    "webhook",
    "token",
    "account",
    "brand",
    "region",
    "country",
    "language",
    "holiday",
    "service",
    "booking",
    "coupon",
    "survey",
    "answer",
    "question",
    "message",
    "reply",
    "notification",
    "task",
    "comment",
    "note",
    "contact",
    "partner",
    "plan",
    "invoice",
    "payment",
    "subscription",
    "dashboard",
];

/// `location` -> `Location`.
fn upper(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn enum_list(values: &[&str]) -> String {
    values
        .iter()
        .map(|v| format!("\"{v}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

fn field(out: &mut String, name: &str, ty: &str, text: &str, extra: &str) {
    out.push_str(&format!("  - `{name}` ({ty})\n"));
    if !text.is_empty() {
        out.push_str(&format!("    {text}\n"));
    }
    if !extra.is_empty() {
        out.push_str(&format!("    {extra}\n"));
    }
    out.push('\n');
}

/// The resource's own fields under `prefix` (e.g. `response.` or ``), as a body would list them.
fn resource_fields(out: &mut String, r: &str, i: usize, prefix: &str, request: bool) {
    let p = prefix;
    if !request {
        field(
            out,
            &format!("{p}id"),
            "integer, required",
            &format!("The {r}'s uberall id"),
            "Example: 4711",
        );
    }
    field(
        out,
        &format!("{p}name"),
        "string, required",
        &format!("Name of the {r}"),
        &format!("Example: \"My {r}\""),
    );
    field(
        out,
        &format!("{p}{r}Identifier"),
        "string,null",
        "Your own identifier",
        "Example: \"ext-42\"",
    );
    field(
        out,
        &format!("{p}state"),
        "string",
        &format!("Lifecycle state of the {r}"),
        &format!(
            "Enum: {}",
            enum_list(&["ACTIVE", "INACTIVE", "CANCELLED", &format!("STATE_{i}")])
        ),
    );
    field(
        out,
        &format!("{p}priority"),
        "integer",
        "Priority, 1 is highest",
        "Enum: 1, 2, 3",
    );
    field(
        out,
        &format!("{p}score"),
        "number,null",
        "Score in percent",
        "Example: 97.5",
    );
    field(
        out,
        &format!("{p}address"),
        "object",
        &format!("Postal address of the {r}"),
        "",
    );
    field(
        out,
        &format!("{p}address.street"),
        "string",
        "Street and number",
        "Example: \"Hauptstr. 1\"",
    );
    field(
        out,
        &format!("{p}address.zip"),
        "string",
        "",
        "Example: \"10827\"",
    );
    field(
        out,
        &format!("{p}address.country"),
        "string, required",
        "ISO 3166 country code",
        "Enum: \"DE\", \"FR\", \"GB\", \"US\"",
    );
    field(out, &format!("{p}address.geo"), "object,null", "", "");
    field(
        out,
        &format!("{p}address.geo.lat"),
        "number",
        "Latitude",
        "Example: 52.52",
    );
    field(
        out,
        &format!("{p}address.geo.lng"),
        "number",
        "Longitude",
        "Example: 13.4",
    );
    field(
        out,
        &format!("{p}openingHours"),
        "array",
        "Opening hours, one entry per day",
        "",
    );
    field(
        out,
        &format!("{p}openingHours.dayOfWeek"),
        "integer, required",
        "1 (Monday) to 7",
        "Example: 1",
    );
    field(
        out,
        &format!("{p}openingHours.from1"),
        "string",
        "",
        "Example: \"08:00\"",
    );
    field(
        out,
        &format!("{p}openingHours.to1"),
        "string",
        "",
        "Example: \"18:00\"",
    );
    field(
        out,
        &format!("{p}openingHours.closed"),
        "boolean",
        "",
        "Example: false",
    );
    field(
        out,
        &format!("{p}labels"),
        "array",
        "Labels of the {r}",
        "Example: [\"north\", \"flagship\"]",
    );
    field(out, &format!("{p}{r}Links"), "array,null", "", "");
    field(
        out,
        &format!("{p}{r}Links.url"),
        "string, required",
        "",
        "Example: \"https://example.com\"",
    );
    field(
        out,
        &format!("{p}{r}Links.kind"),
        "string",
        "",
        &format!("Enum: {}", enum_list(&["WEBSITE", "MENU", "BOOKING"])),
    );
    field(
        out,
        &format!("{p}customData"),
        "any",
        "Free-form data",
        "Example: {\"a\": [1, 2]}",
    );
}

fn envelope(out: &mut String, code: u16, media: &str) {
    out.push_str(&format!("## Response {code} fields ({media}):\n\n"));
    field(
        out,
        "status",
        "string, required",
        "",
        &format!("Enum: {}", enum_list(&STATUS)),
    );
    field(
        out,
        "message",
        "string",
        "(optional) Holds further information about the response",
        "",
    );
}

fn errors(out: &mut String, codes: &[u16]) {
    for &code in codes {
        envelope(out, code, "application/json");
        field(
            out,
            "errorCode",
            "string",
            "",
            &format!("Enum: {}", enum_list(&ERROR_CODES)),
        );
        field(
            out,
            "response",
            "object",
            "(optional) The actual response object of the response",
            "",
        );
    }
}

/// Doc number `i` of the corpus, as `(file name, text)`.
pub fn doc(i: usize) -> (String, String) {
    let r = RESOURCES[(i / 5) % RESOURCES.len()];
    let round = i / (5 * RESOURCES.len());
    let plural = if round == 0 {
        format!("{r}s")
    } else {
        format!("{r}s{round}")
    };
    let cap = upper(r);
    let (method, path, summary, description) = match i % 5 {
        0 => (
            "GET",
            format!("/{plural}"),
            format!("Get all {cap}s"),
            format!("Returns the {r}s the user may see, a page at a time."),
        ),
        1 => (
            "GET",
            format!("/{plural}/{{{r}Id}}"),
            format!("Get a {cap}"),
            format!("Returns the {r} with the given id."),
        ),
        2 => (
            "POST",
            format!("/{plural}"),
            format!("Create a {cap}"),
            format!("Creates a {r} and returns it."),
        ),
        3 => (
            "PATCH",
            format!("/{plural}/{{{r}Id}}"),
            format!("Update a {cap}"),
            format!("Changes the given fields of the {r}."),
        ),
        _ => (
            "DELETE",
            format!("/{plural}/{{{r}Id}}"),
            format!("Delete a {cap}"),
            format!("Deletes the {r}; it cannot be restored."),
        ),
    };
    let mut out = format!(
        "# {summary}\n\n{description}\n\nEndpoint: {method} {path}\nVersion: 20250708\nSecurity: X-API-KEY, Authorization\n\n"
    );
    if path.contains('{') {
        out.push_str("## Path parameters:\n\n");
        field(
            &mut out,
            &format!("{r}Id"),
            "integer, required",
            &format!("The {r}'s id"),
            "Example: 4711",
        );
    }
    if i.is_multiple_of(5) {
        out.push_str("## Query parameters:\n\n");
        field(&mut out, "max", "integer", "Page size", "Example: 50");
        field(
            &mut out,
            "offset",
            "integer",
            "Index of the first result",
            "Example: 0",
        );
        field(
            &mut out,
            "sortBy",
            "string",
            "",
            &format!("Enum: {}", enum_list(&["NAME", "CREATED", "UPDATED"])),
        );
        field(&mut out, "query", "string", "Free-text search", "");
        out.push_str("## Header parameters:\n\n");
        field(
            &mut out,
            "Accept-Language",
            "string",
            "Language of the texts",
            "Example: \"de\"",
        );
    }
    if matches!(i % 5, 2 | 3) {
        out.push_str("## Request fields (application/json):\n\n");
        resource_fields(&mut out, r, i, "", true);
    }
    envelope(
        &mut out,
        200,
        if i.is_multiple_of(2) {
            "*/*"
        } else {
            "application/json"
        },
    );
    field(&mut out, "response", "object, required", "The result", "");
    match i % 5 {
        0 => {
            field(
                &mut out,
                "response.count",
                "integer, required",
                "Number of matches",
                "Example: 120",
            );
            field(
                &mut out,
                &format!("response.{r}s"),
                "array, required",
                "One page of results",
                "",
            );
            resource_fields(&mut out, r, i, &format!("response.{r}s."), false);
        }
        4 => field(
            &mut out,
            "response.success",
            "boolean",
            "True when deleted",
            "Example: true",
        ),
        _ => {
            field(
                &mut out,
                &format!("response.{r}"),
                "object, required",
                &format!("The {r}"),
                "",
            );
            resource_fields(&mut out, r, i, &format!("response.{r}."), false);
        }
    }
    errors(&mut out, &[400, 401, 403, 404]);
    if i % 3 == 2 {
        out = out.split_whitespace().collect::<Vec<_>>().join(" ");
    }
    let file = format!(
        "spec/endpoints/{}_{}.md",
        method.to_lowercase(),
        path.trim_start_matches('/').replace(['/', '{', '}'], "_")
    );
    (file, out)
}

/// The first `n` docs of the corpus.
pub fn docs(n: usize) -> Vec<(String, String)> {
    (0..n).map(doc).collect()
}
