//! How credentials travel: the security scheme names the SDK can satisfy, the header each is
//! sent in, and how the access token is written there.
//!
//! The transport sends by these facts and the mock (`test-util`) checks by them, so the two
//! cannot drift apart.

use reqwest::header::{AUTHORIZATION, HeaderName};

/// The security scheme (as a doc's `Security:` line and the operations table name it) that is
/// the account's private API key.
pub(crate) const API_KEY_SCHEME: &str = "X-API-KEY";
/// The security scheme that is the user's access token.
pub(crate) const TOKEN_SCHEME: &str = "Authorization";

/// The header the API key is sent in.
pub(crate) static API_KEY_HEADER: HeaderName = HeaderName::from_static("x-api-key");
/// The header the access token is sent in.
pub(crate) static TOKEN_HEADER: HeaderName = AUTHORIZATION;

/// What a scheme asks the caller for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Credential {
    /// The API key ([`API_KEY_SCHEME`], sent in [`API_KEY_HEADER`]).
    ApiKey,
    /// The access token ([`TOKEN_SCHEME`], sent in [`TOKEN_HEADER`]).
    AccessToken,
}

impl Credential {
    /// The credential a scheme name stands for; `None` for a scheme the SDK cannot send
    /// (e.g. `publicKey`, which older pages name).
    pub(crate) fn of_scheme(scheme: &str) -> Option<Self> {
        match scheme {
            API_KEY_SCHEME => Some(Self::ApiKey),
            TOKEN_SCHEME => Some(Self::AccessToken),
            _ => None,
        }
    }

    /// What the credential is called in messages.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Self::ApiKey => "the API key",
            Self::AccessToken => "an access token",
        }
    }
}

/// How the access token is written into the `Authorization` header, set with
/// [`ClientBuilder::auth_scheme`](crate::ClientBuilder::auth_scheme) (see the
/// [`ClientBuilder`](crate::ClientBuilder) example).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthScheme {
    /// `Authorization: Bearer <token>` (the default).
    #[default]
    Bearer,
    /// `Authorization: <token>`.
    Bare,
}

/// What precedes the token in the `Bearer` form.
const BEARER_PREFIX: &str = "Bearer ";

impl AuthScheme {
    /// What precedes the token in the header value.
    pub(crate) fn prefix(self) -> &'static str {
        match self {
            Self::Bearer => BEARER_PREFIX,
            Self::Bare => "",
        }
    }
}

/// The token in an `Authorization` value of either form [`AuthScheme`] sends (`Bearer`
/// matched case-insensitively, as HTTP auth schemes are).
#[cfg_attr(not(feature = "test-util"), allow(dead_code))]
pub(crate) fn token_of(authorization: &str) -> &str {
    let token = match authorization.split_at_checked(BEARER_PREFIX.len()) {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case(BEARER_PREFIX) => token,
        _ => authorization,
    };
    token.trim()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_token_forms_are_read() {
        assert_eq!(token_of("Bearer abc"), "abc");
        assert_eq!(token_of("bearer abc"), "abc");
        assert_eq!(token_of("abc"), "abc");
        assert_eq!(token_of(" abc "), "abc");
        assert_eq!(token_of("Bearé"), "Bearé");
        let written = format!("{}tok", AuthScheme::Bearer.prefix());
        assert_eq!(token_of(&written), "tok");
    }

    #[test]
    fn only_the_two_known_schemes_are_credentials() {
        assert_eq!(Credential::of_scheme("X-API-KEY"), Some(Credential::ApiKey));
        assert_eq!(
            Credential::of_scheme("Authorization"),
            Some(Credential::AccessToken)
        );
        for unknown in ["publicKey", "privateKey", "accessToken", "x-api-key", ""] {
            assert_eq!(Credential::of_scheme(unknown), None, "{unknown}");
        }
    }
}
