//! Facts of the seed doc shared by the test binaries.

/// The seed's `status` values, in the doc's order.
pub const STATUS: [&str; 18] = [
    "SUCCESS",
    "QUOTA_LIMIT_EXCEED",
    "NOT_AUTHORIZED",
    "FORBIDDEN",
    "BAD_ACCESS_TOKEN",
    "BAD_PRIVATE_KEY",
    "BAD_PUBLIC_KEY",
    "MISSING_PARAMETER",
    "INVALID_PARAMETER",
    "WRONG_PARAMETER_TYPE",
    "CONFLICT",
    "RESOURCE_LOCKED",
    "SERVER_ERROR",
    "ERROR",
    "NOT_FOUND",
    "BAD_REQUEST",
    "USER_ERROR",
    "PARTIAL_ERROR",
];

/// The seed's `errorCode` values, in the doc's order.
pub const ERROR_CODES: [&str; 20] = [
    "NORMALIZATION_FAILED",
    "DATA_CORRUPTED",
    "INVALID_INPUT",
    "NOT_SYNCABLE",
    "PAYMENT_FAILED",
    "FREE_TIER_REACHED",
    "LIMIT_REACHED",
    "INACTIVE",
    "UNKNOWN",
    "IDENTIFIER_NOT_UNIQUE",
    "ACCOUNT_WAITING_FOR_AUTO_PAGE_SELECT",
    "NO_ACCOUNT_CONNECTED",
    "NO_PAGE_SELECTED",
    "PAGE_NOT_CREATED",
    "PAGE_IN_REVIEW",
    "PAGE_CLAIMED_BY_OTHERS",
    "OVERLAPPING_SOCIALPOST",
    "TOO_MANY_REPLIES",
    "REPLY_TOO_LONG",
    "DEPRECATED",
];
