//! Every name the pipeline gives: operation ids (the client's builder methods), component
//! names (the client's Rust types), enum variant names and the `operations` constants.
//!
//! The converter ([`crate::openapi`]) and codegen ([`crate::codegen`]) both take names from
//! here and nowhere else. Names derived from one doc's own text (operation ids, field and
//! variant names) depend on nothing else. Component names can be claimed by several docs, so
//! which doc gets which is decided once and then kept in the names lock ([`lock`],
//! `spec/names.lock.json`): see [`lock::NamesLock`] for the rules.

pub mod lock;

use crate::model::Method;

/// Name of the body every error response shares (one type for all errors, as progenitor needs).
pub const ERROR_ENVELOPE: &str = "ErrorEnvelope";
/// Prefix of the components nested in an error body (`Error<Field>`).
pub const ERROR_PREFIX: &str = "Error";

/// `post_users_logout` for `POST /users/logout`; `get_users_id` for `GET /users/{id}`: the
/// scheme uberall's own description uses.
pub fn operation_id(method: Method, path: &str) -> String {
    let mut id = method.as_str().to_ascii_lowercase();
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        id.push('_');
        id.extend(
            segment
                .chars()
                .filter(|c| !matches!(c, '{' | '}'))
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }),
        );
    }
    id
}

/// The name progenitor gives an operation's builder method, and passes to the client hooks
/// as `OperationInfo::operation_id`: the operationId in snake case
/// (`get_locations_location_id` for `get_locations_locationId`).
pub fn method_name(operation_id: &str) -> String {
    heck::ToSnakeCase::to_snake_case(operation_id)
}

/// Name of the `uberall_client::operations` constant of an operation: `POST_USERS_LOGOUT`.
pub fn operation_const(operation_id: &str) -> String {
    operation_id.to_ascii_uppercase()
}

/// `PostUsersLogout` for `post_users_logout`; `RedirectUrl` for `redirectUrl`.
pub fn pascal_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut upper_next = true;
    let mut prev_lower = false;
    for c in s.chars() {
        if !c.is_ascii_alphanumeric() {
            upper_next = true;
            prev_lower = false;
            continue;
        }
        if upper_next {
            out.extend(c.to_uppercase());
            upper_next = false;
        } else if c.is_ascii_uppercase() && !prev_lower {
            // Keep camelCase humps but fold shouting runs: `X-API-KEY` -> `XApiKey`.
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
    }
    out
}

/// Rust variant name of a documented enum value: `QUOTA_LIMIT_EXCEED` -> `QuotaLimitExceed`,
/// `2FA` -> `V2fa`. `None` when the value has no letters or digits.
pub fn variant_name(value: &str) -> Option<String> {
    let name = pascal_case(&value.to_ascii_lowercase());
    match name.chars().next()? {
        c if c.is_ascii_digit() => Some(format!("V{name}")),
        _ => Some(name),
    }
}

/// `PostUsersLogout`: the prefix of every component an operation introduces.
pub fn operation_type_prefix(operation_id: &str) -> String {
    pascal_case(operation_id)
}

/// The success body of an operation: `PostUsersLogoutEnvelope`.
pub fn success_envelope(op_prefix: &str) -> String {
    format!("{op_prefix}Envelope")
}

/// The request body of an operation: `PostUsersLoginRequest`.
pub fn request_body(op_prefix: &str) -> String {
    format!("{op_prefix}Request")
}

/// An object nested in `owner` under field `field`: `PostUsersLogoutResponse`.
pub fn nested(owner: &str, field: &str) -> String {
    format!("{owner}{}", pascal_case(field))
}

/// The item of an array of objects whose own name would be `array`: `<array>Item`.
pub fn array_item(array: &str) -> String {
    format!("{array}Item")
}

/// Field names too generic to name an API-wide type on their own: a bare `Type` or `Kind`
/// claimed by whichever doc came first would say nothing about what it holds, and the names
/// lock would keep it forever. Their enums are named after their owner (`…SalesPartnerType`).
/// `status` is not here: the envelope's `status` is the API-wide `Status`.
const GENERIC_FIELDS: &[&str] = &[
    "type", "kind", "mode", "state", "category", "value", "name", "code",
];

/// A string enum's own name, after its field (`ErrorCode`, `Role`), or `None` when the field's
/// name is too generic to stand alone (see `GENERIC_FIELDS`) and only the owner-qualified
/// name will do.
pub fn string_enum(field: &str) -> Option<String> {
    let generic = GENERIC_FIELDS.iter().any(|g| g.eq_ignore_ascii_case(field));
    (!generic).then(|| pascal_case(field))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generic_fields_do_not_name_an_enum_alone() {
        assert_eq!(string_enum("errorCode").as_deref(), Some("ErrorCode"));
        assert_eq!(string_enum("status").as_deref(), Some("Status"));
        assert_eq!(string_enum("type"), None);
        assert_eq!(string_enum("Kind"), None);
    }

    #[test]
    fn operation_ids_follow_uberall_scheme() {
        assert_eq!(
            operation_id(Method::Post, "/users/logout"),
            "post_users_logout"
        );
        assert_eq!(
            operation_id(
                Method::Get,
                "/business-connections/{directoryType}/sales-partner/{salesPartnerId}/count"
            ),
            "get_business_connections_directoryType_sales_partner_salesPartnerId_count"
        );
        assert_eq!(operation_const("post_users_logout"), "POST_USERS_LOGOUT");
    }

    #[test]
    fn pascal_case_handles_camel_snake_and_shouting() {
        assert_eq!(pascal_case("post_users_logout"), "PostUsersLogout");
        assert_eq!(pascal_case("redirectUrl"), "RedirectUrl");
        assert_eq!(pascal_case("errorCode"), "ErrorCode");
        assert_eq!(pascal_case("X-API-KEY"), "XApiKey");
    }

    #[test]
    fn variant_names_fold_shouting_and_guard_digits() {
        assert_eq!(
            variant_name("QUOTA_LIMIT_EXCEED").as_deref(),
            Some("QuotaLimitExceed")
        );
        assert_eq!(variant_name("2FA").as_deref(), Some("V2fa"));
        assert_eq!(variant_name("--"), None);
    }
}
