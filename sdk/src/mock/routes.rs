//! The mock's routing table, built from an operations table (by default the spec's,
//! `uberall_client::operations::ALL`).

use axum::http::Method;
use uberall_client::operations::Operation;

/// Where every operation path is mounted: the mock's base URL ends in it.
pub(super) const BASE_PATH: &str = "/api";

/// What a request's method and path resolve to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Resolution {
    /// The request is this operation.
    Operation(&'static Operation),
    /// Some operation has this path, none this method; the methods that would match.
    MethodNotAllowed(Vec<&'static str>),
    /// No operation has this path.
    NotFound,
}

/// Every operation's method and parsed path template.
#[derive(Debug)]
pub(super) struct Routes {
    routes: Vec<Route>,
}

#[derive(Debug)]
struct Route {
    operation: &'static Operation,
    template: PathTemplate,
}

impl Routes {
    pub(super) fn new(operations: &'static [Operation]) -> Self {
        Self {
            routes: operations
                .iter()
                .map(|operation| Route {
                    operation,
                    template: PathTemplate::parse(operation.path),
                })
                .collect(),
        }
    }

    /// The operation with this id in the table.
    pub(super) fn operation(&self, id: &str) -> Option<&'static Operation> {
        self.routes
            .iter()
            .map(|route| route.operation)
            .find(|operation| operation.id == id)
    }

    /// Resolves a request path (as sent, base path included, no query) and method.
    pub(super) fn resolve(&self, method: &Method, path: &str) -> Resolution {
        let Some(relative) = path
            .strip_prefix(BASE_PATH)
            .filter(|rest| rest.starts_with('/'))
        else {
            return Resolution::NotFound;
        };
        let mut allowed: Vec<&'static str> = Vec::new();
        let mut best: Option<(&Route, Vec<u8>)> = None;
        for route in &self.routes {
            let Some(specificity) = route.template.matches(relative) else {
                continue;
            };
            if route.operation.method != method.as_str() {
                if !allowed.contains(&route.operation.method) {
                    allowed.push(route.operation.method);
                }
                continue;
            }
            // `/locations/search` must win over `/locations/{id}` for the same request,
            // whatever the order of the table.
            if best.as_ref().is_none_or(|(_, b)| specificity > *b) {
                best = Some((route, specificity));
            }
        }
        match best {
            Some((route, _)) => Resolution::Operation(route.operation),
            None if allowed.is_empty() => Resolution::NotFound,
            None => Resolution::MethodNotAllowed(allowed),
        }
    }
}

/// A path template such as `/locations/{id}/photos`: literal segments and `{name}`
/// parameters, which match any non-empty text within one segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct PathTemplate {
    segments: Vec<Vec<Piece>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Literal(String),
    Parameter,
}

impl PathTemplate {
    pub(super) fn parse(template: &str) -> Self {
        let segments = template
            .strip_prefix('/')
            .unwrap_or(template)
            .split('/')
            .map(parse_segment)
            .collect();
        Self { segments }
    }

    /// `None` if `path` (relative to the base path, starting with `/`) does not match;
    /// otherwise how specific the match is, comparable between templates: per segment,
    /// 2 for all literal, 1 for literal text around a parameter, 0 for a bare parameter.
    pub(super) fn matches(&self, path: &str) -> Option<Vec<u8>> {
        let values = path.strip_prefix('/')?.split('/');
        let mut specificity = Vec::with_capacity(self.segments.len());
        let mut pieces = self.segments.iter();
        for value in values {
            let segment = pieces.next()?;
            if !segment_matches(segment, value) {
                return None;
            }
            specificity.push(match segment.as_slice() {
                [Piece::Parameter] => 0,
                s if s.iter().all(|p| matches!(p, Piece::Literal(_))) => 2,
                _ => 1,
            });
        }
        pieces.next().is_none().then_some(specificity)
    }
}

fn parse_segment(segment: &str) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut rest = segment;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            // An unclosed brace is no parameter: keep it as text.
            break;
        };
        if open > 0 {
            pieces.push(Piece::Literal(rest[..open].to_owned()));
        }
        pieces.push(Piece::Parameter);
        rest = &rest[open + close + 1..];
    }
    if !rest.is_empty() || pieces.is_empty() {
        pieces.push(Piece::Literal(rest.to_owned()));
    }
    pieces
}

fn segment_matches(pieces: &[Piece], value: &str) -> bool {
    match pieces.split_first() {
        None => value.is_empty(),
        Some((Piece::Literal(text), rest)) => value
            .strip_prefix(text.as_str())
            .is_some_and(|value| segment_matches(rest, value)),
        // A parameter takes at least one character; try each length (segments are short
        // and templates put at most one parameter between literals).
        Some((Piece::Parameter, rest)) => value
            .char_indices()
            .skip(1)
            .map(|(i, _)| i)
            .chain([value.len()])
            .filter(|&end| end > 0)
            .any(|end| segment_matches(rest, &value[end..])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const fn op(id: &'static str, method: &'static str, path: &'static str) -> Operation {
        Operation {
            id,
            method,
            path,
            statuses: &[200],
            example: None,
            security: &[],
            idempotent: false,
        }
    }

    static TABLE: &[Operation] = &[
        op("get_locations_id", "GET", "/locations/{id}"),
        op("delete_locations_id", "DELETE", "/locations/{id}"),
        op("get_locations_search", "GET", "/locations/search"),
        op(
            "get_locations_id_photos_photo_id",
            "GET",
            "/locations/{id}/photos/{photoId}",
        ),
        op("get_files_name_json", "GET", "/files/{name}.json"),
        op("post_users_logout", "POST", "/users/logout"),
    ];

    fn resolve(method: Method, path: &str) -> Resolution {
        Routes::new(TABLE).resolve(&method, path)
    }

    fn id(resolution: &Resolution) -> Option<&'static str> {
        match resolution {
            Resolution::Operation(op) => Some(op.id),
            _ => None,
        }
    }

    #[test]
    fn a_parameter_matches_any_segment_value() {
        for value in ["1", "42", "abc-DEF_9", "%C3%A9t%C3%A9", "é"] {
            let path = format!("/api/locations/{value}");
            assert_eq!(
                id(&resolve(Method::GET, &path)),
                Some("get_locations_id"),
                "{path}"
            );
        }
        assert_eq!(
            id(&resolve(Method::GET, "/api/locations/7/photos/x9")),
            Some("get_locations_id_photos_photo_id")
        );
        assert_eq!(
            id(&resolve(Method::GET, "/api/files/report.json")),
            Some("get_files_name_json")
        );
    }

    #[test]
    fn a_parameter_never_matches_an_empty_value_or_several_segments() {
        for path in [
            "/api/locations/",
            "/api/locations//photos/1",
            "/api/locations/1/2",
            "/api/files/.json",
            "/api/files/a.txt",
            "/api/locations",
            "/api/locations/1/",
        ] {
            assert_eq!(resolve(Method::GET, path), Resolution::NotFound, "{path}");
        }
    }

    #[test]
    fn the_method_picks_the_operation_and_literals_beat_parameters() {
        assert_eq!(
            id(&resolve(Method::DELETE, "/api/locations/9")),
            Some("delete_locations_id")
        );
        assert_eq!(
            id(&resolve(Method::GET, "/api/locations/search")),
            Some("get_locations_search")
        );
        // No DELETE for the literal path, but the template has one.
        assert_eq!(
            id(&resolve(Method::DELETE, "/api/locations/search")),
            Some("delete_locations_id")
        );
    }

    #[test]
    fn a_known_path_with_another_method_is_not_allowed() {
        assert_eq!(
            resolve(Method::PUT, "/api/locations/9"),
            Resolution::MethodNotAllowed(vec!["GET", "DELETE"])
        );
        assert_eq!(
            resolve(Method::GET, "/api/users/logout"),
            Resolution::MethodNotAllowed(vec!["POST"])
        );
    }

    #[test]
    fn paths_outside_the_base_path_are_not_found() {
        for path in [
            "/users/logout",
            "/apiusers/logout",
            "/",
            "/api",
            "/v2/api/users/logout",
        ] {
            assert_eq!(resolve(Method::POST, path), Resolution::NotFound, "{path}");
        }
    }

    #[test]
    fn the_spec_table_routes_every_operation_to_itself() {
        let routes = Routes::new(uberall_client::operations::ALL);
        for operation in uberall_client::operations::ALL {
            // Any value stands in for a parameter.
            let path = format!("{BASE_PATH}{}", operation.path.replace(['{', '}'], "x"));
            let method = Method::from_bytes(operation.method.as_bytes()).unwrap();
            assert_eq!(
                routes.resolve(&method, &path),
                Resolution::Operation(operation),
                "{path}"
            );
            assert_eq!(routes.operation(operation.id), Some(operation));
        }
    }

    #[test]
    fn unclosed_braces_are_literal_text() {
        let template = PathTemplate::parse("/a/{b");
        assert!(template.matches("/a/{b").is_some());
        assert!(template.matches("/a/x").is_none());
    }
}
