//! Which operations may be sent again after an attempt that may have been processed.
//!
//! GET, HEAD, OPTIONS, PUT and DELETE are idempotent by HTTP's definition (RFC 9110 §9.2.2).
//! A POST or PATCH is only when the API's own semantics make it so; those operations are
//! listed here, the one place that says so. The converter marks each listed operation with
//! [`IDEMPOTENT_EXTENSION`] in the spec, and the client generator reads the mark from there
//! (`uberall_client::operations::Operation::idempotent`), so the spec stays the single source.

use crate::model::Method;

/// Extension on an operation: `true` when the operation is idempotent although its method
/// is not.
pub const IDEMPOTENT_EXTENSION: &str = "x-idempotent";

/// `(method, path, why)` of every operation idempotent by the API's semantics rather than by
/// its method.
pub const IDEMPOTENT_OPERATIONS: &[(Method, &str, &str)] = &[(
    Method::Post,
    "/users/logout",
    // A second logout of the same token finds it already invalid: the outcome (token
    // unusable) is the same, so resending after a lost answer changes nothing.
    "a token cannot be invalidated twice",
)];

/// Whether `method` is idempotent by HTTP's definition.
pub fn method_is_idempotent(method: &str) -> bool {
    matches!(
        method.to_ascii_uppercase().as_str(),
        "GET" | "HEAD" | "OPTIONS" | "PUT" | "DELETE"
    )
}

/// Whether the table lists `method path` (the converter then writes the extension).
pub(super) fn listed(method: Method, path: &str) -> bool {
    IDEMPOTENT_OPERATIONS
        .iter()
        .any(|(m, p, _)| *m == method && *p == path)
}
