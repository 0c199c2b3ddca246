//! Which credentials an operation is sent with: its security requirement (from the generated
//! operations table) met with what the caller holds.

use std::fmt;

use uberall_client::operations::Operation;

use crate::wire::{Credential, TOKEN_SCHEME};

/// The credentials a caller holds, or the ones a request is sent with.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Held {
    pub(crate) token: bool,
    pub(crate) api_key: bool,
}

/// What `operation` is sent with: every credential of every alternative of its requirement
/// that `held` meets in full (so a session sends both to an operation accepting either). No
/// requirement: nothing.
///
/// # Errors
///
/// No alternative can be met: the first scheme that could not, and why.
pub(crate) fn select(operation: &Operation, held: Held) -> Result<Held, CredentialError> {
    let mut send = Held::default();
    let mut met = operation.security.is_empty();
    let mut first_unmet: Option<(&'static str, Option<Credential>)> = None;
    for alternative in operation.security {
        let mut picks = Held::default();
        let unmet = alternative.iter().find(|scheme| {
            match Credential::of_scheme(scheme) {
                Some(Credential::ApiKey) if held.api_key => picks.api_key = true,
                Some(Credential::AccessToken) if held.token => picks.token = true,
                _ => return true,
            }
            false
        });
        match unmet {
            Some(scheme) => {
                first_unmet.get_or_insert((scheme, Credential::of_scheme(scheme)));
            }
            None => {
                met = true;
                send.token |= picks.token;
                send.api_key |= picks.api_key;
            }
        }
    }
    match first_unmet {
        Some((scheme, credential)) if !met => Err(CredentialError(Box::new(Unmet {
            operation: operation.id,
            scheme,
            credential,
        }))),
        _ => Ok(send),
    }
}

/// An operation's security requirement cannot be met by this call's credentials; nothing was
/// sent. From [`Error::MissingCredential`](crate::Error::MissingCredential).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let mock = uberall_sdk::mock::MockServer::start().await?;
/// use uberall_sdk::{Client, Error};
///
/// let keyless = Client::builder().base_url(mock.base_url()).build()?; // no API key
/// let err = Error::from(keyless.api().post_users_logout().send().await.unwrap_err());
/// let Error::MissingCredential(missing) = err else { panic!("sent without a credential") };
/// assert_eq!(missing.operation(), "post_users_logout");
/// assert_eq!(missing.scheme(), "X-API-KEY");
/// assert!(missing.is_known_scheme()); // the SDK could send it, the caller lacks it
/// assert_eq!(mock.request_count(), 0);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CredentialError(Box<Unmet>);

/// Boxed, to keep [`Error`](crate::Error) small.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Unmet {
    operation: &'static str,
    scheme: &'static str,
    credential: Option<Credential>,
}

impl CredentialError {
    /// The operation id, e.g. `post_users_logout`.
    /// See the [`CredentialError`] example.
    pub fn operation(&self) -> &'static str {
        self.0.operation
    }

    /// The security scheme that could not be met, as the spec names it (`X-API-KEY`,
    /// `Authorization`, or one this SDK does not know, such as `publicKey`).
    /// See the [`CredentialError`] example.
    pub fn scheme(&self) -> &'static str {
        self.0.scheme
    }

    /// Whether the SDK knows the scheme (and the caller just lacks the credential).
    /// See the [`CredentialError`] example.
    pub fn is_known_scheme(&self) -> bool {
        self.0.credential.is_some()
    }
}

impl fmt::Display for CredentialError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Unmet {
            operation,
            scheme,
            credential,
        } = &*self.0;
        match credential {
            Some(credential) => {
                let hint = if *scheme == TOKEN_SCHEME {
                    "call it through a Session (Client::login or Client::session)"
                } else {
                    "set ClientBuilder::api_key"
                };
                write!(
                    f,
                    "operation `{operation}` needs the `{scheme}` security scheme ({}), which \
                     this call does not have: {hint}; nothing was sent",
                    credential.describe()
                )
            }
            None => write!(
                f,
                "operation `{operation}` needs the `{scheme}` security scheme, which this SDK \
                 cannot send; nothing was sent"
            ),
        }
    }
}

impl std::error::Error for CredentialError {}

#[cfg(test)]
mod tests {
    use super::*;

    const fn op(security: &'static [&'static [&'static str]]) -> Operation {
        Operation {
            id: "op",
            method: "GET",
            path: "/x",
            statuses: &[200],
            example: None,
            security,
            idempotent: true,
        }
    }

    const BOTH: Held = Held {
        token: true,
        api_key: true,
    };
    const KEY: Held = Held {
        token: false,
        api_key: true,
    };
    const TOKEN: Held = Held {
        token: true,
        api_key: false,
    };
    const NONE: Held = Held {
        token: false,
        api_key: false,
    };

    #[test]
    fn every_met_alternative_is_sent() {
        let either = op(&[&["X-API-KEY"], &["Authorization"]]);
        assert_eq!(select(&either, BOTH), Ok(BOTH));
        assert_eq!(select(&either, KEY), Ok(KEY));
        assert_eq!(select(&either, TOKEN), Ok(TOKEN));
        let both = op(&[&["X-API-KEY", "Authorization"]]);
        assert_eq!(select(&both, BOTH), Ok(BOTH));
        assert_eq!(select(&op(&[&["X-API-KEY"]]), BOTH), Ok(KEY));
        assert_eq!(select(&op(&[&["Authorization"]]), BOTH), Ok(TOKEN));
    }

    #[test]
    fn no_requirement_or_an_empty_alternative_sends_nothing() {
        assert_eq!(select(&op(&[]), BOTH), Ok(NONE));
        assert_eq!(select(&op(&[&[], &["Authorization"]]), KEY), Ok(NONE));
    }

    #[test]
    fn an_unmet_requirement_names_the_scheme() {
        let err = select(&op(&[&["Authorization"]]), KEY).unwrap_err();
        assert_eq!((err.operation(), err.scheme()), ("op", "Authorization"));
        assert!(err.is_known_scheme());
        assert!(err.to_string().contains("Session"), "{err}");
        let err = select(&op(&[&["X-API-KEY", "Authorization"]]), TOKEN).unwrap_err();
        assert_eq!(err.scheme(), "X-API-KEY");
        let err = select(&op(&[&["publicKey"]]), BOTH).unwrap_err();
        assert_eq!(err.scheme(), "publicKey");
        assert!(!err.is_known_scheme());
        assert!(err.to_string().contains("cannot send"), "{err}");
        assert_eq!(select(&op(&[&["publicKey"], &["X-API-KEY"]]), KEY), Ok(KEY));
    }
}
