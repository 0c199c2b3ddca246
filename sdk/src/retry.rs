//! Retry configuration as data, and the backoff it gives; [`crate::policy`] decides when it
//! applies.
//!
//! The delay is computed here rather than with a backoff crate: the well-kept ones (`backon`,
//! `backoff`) add jitter on top of the exponential delay instead of drawing the whole delay
//! ("full jitter"), and have no place for a server-chosen `Retry-After`. What remains is a
//! dozen lines, unit-tested below.

use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, RETRY_AFTER};

#[cfg(doc)]
use crate::error::Error;

/// How failed requests are retried, for every operation.
///
/// A failure is retried when it is transient (connect errors, attempt timeouts, HTTP
/// 429/502/503/504 and status `QUOTA_LIMIT_EXCEED`) **and** sending the request again is
/// safe for its operation ([`Error::is_retryable`] tells the same verdict afterwards):
///
/// * Idempotent operations (`GET`, `HEAD`, `OPTIONS`, `PUT`, `DELETE`, and logging out: a
///   token cannot be invalidated twice; the spec's operations table says which) are retried
///   after any of those failures, including a timeout or a dropped connection, where the first
///   attempt may have reached the server.
/// * Other `POST`s and `PATCH`es are retried only when the request certainly was not carried out: the
///   connection could not be made (nothing was sent), or the server refused it and asked for a
///   retry (HTTP 429 or 503, or status `QUOTA_LIMIT_EXCEED`). A timeout, a dropped connection
///   or a 502/504 after sending is returned to you instead, since repeating it could, say,
///   create a record twice.
///
/// Before retry *n* (1-based) the client waits a random duration drawn uniformly from
/// `[0, min(max_backoff, initial_backoff · 2ⁿ⁻¹))` ("full jitter", which spreads clients that
/// failed together), unless the server sent `Retry-After` (seconds or an HTTP date): then it
/// waits exactly that long. A `Retry-After` longer than `max_retry_after` is not waited for:
/// the error is returned at once, with [`Error::retry_after`] telling how long the server
/// asked for. No retry starts when its wait would pass the call's
/// [deadline](crate::ClientBuilder::deadline).
///
/// ```
/// use std::time::Duration;
/// use uberall_sdk::RetryConfig;
///
/// let patient = RetryConfig::default()
///     .with_max_attempts(5)
///     .with_initial_backoff(Duration::from_millis(50))
///     .with_max_backoff(Duration::from_secs(2))
///     .with_max_retry_after(Duration::from_secs(60));
/// assert_eq!(patient.max_attempts(), 5);
/// assert_eq!(patient.initial_backoff(), Duration::from_millis(50));
/// assert_eq!(patient.max_backoff(), Duration::from_secs(2));
/// assert_eq!(patient.max_retry_after(), Duration::from_secs(60));
/// assert_eq!(RetryConfig::disabled().max_attempts(), 1);
/// # let _ = uberall_sdk::Client::builder().retry(patient); // how a client takes it
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use]
pub struct RetryConfig {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_retry_after: Duration,
}

impl Default for RetryConfig {
    /// Three attempts, backoff from 200 ms up to 5 s, `Retry-After` honoured up to 20 s.
    fn default() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(20),
        }
    }
}

impl RetryConfig {
    /// One attempt, no retries.
    /// See the [`RetryConfig`] example.
    pub fn disabled() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Total attempts including the first (`1` disables retries; `0` is taken as `1`).
    /// See the [`RetryConfig`] example.
    pub fn with_max_attempts(mut self, max_attempts: u32) -> Self {
        self.max_attempts = max_attempts.max(1);
        self
    }

    /// Upper bound of the first retry's random delay; it doubles for each further retry.
    /// See the [`RetryConfig`] example.
    pub fn with_initial_backoff(mut self, initial_backoff: Duration) -> Self {
        self.initial_backoff = initial_backoff;
        self
    }

    /// Cap on the exponential delay's upper bound.
    /// See the [`RetryConfig`] example.
    pub fn with_max_backoff(mut self, max_backoff: Duration) -> Self {
        self.max_backoff = max_backoff;
        self
    }

    /// Longest `Retry-After` wait honoured; a server asking for longer gets no retry, and the
    /// error is returned at once.
    /// See the [`RetryConfig`] example.
    pub fn with_max_retry_after(mut self, max_retry_after: Duration) -> Self {
        self.max_retry_after = max_retry_after;
        self
    }

    /// Total attempts including the first.
    /// See the [`RetryConfig`] example.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// Upper bound of the first retry's random delay.
    /// See the [`RetryConfig`] example.
    pub fn initial_backoff(&self) -> Duration {
        self.initial_backoff
    }

    /// Cap on the exponential delay's upper bound.
    /// See the [`RetryConfig`] example.
    pub fn max_backoff(&self) -> Duration {
        self.max_backoff
    }

    /// Longest `Retry-After` wait honoured.
    /// See the [`RetryConfig`] example.
    pub fn max_retry_after(&self) -> Duration {
        self.max_retry_after
    }

    /// The random backoff before retry number `retry`.
    pub(crate) fn backoff(&self, retry: u32, unit: f64) -> Duration {
        let ceiling = self.backoff_ceiling(retry);
        Duration::try_from_secs_f64(ceiling.as_secs_f64() * unit.clamp(0.0, 1.0))
            .unwrap_or(ceiling)
            .min(ceiling)
    }

    /// `min(max_backoff, initial_backoff · 2^(retry-1))`, without overflow.
    pub(crate) fn backoff_ceiling(&self, retry: u32) -> Duration {
        let factor = 1u32
            .checked_shl(retry.saturating_sub(1))
            .unwrap_or(u32::MAX);
        self.initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff)
    }
}

/// Reads `Retry-After` as delta-seconds or an HTTP date (a date in the past means "now").
pub(crate) fn parse_retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // A number too large for u64 is still "a very long time", not "no header".
        return Some(Duration::from_secs(value.parse().unwrap_or(u64::MAX)));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(retry_after: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_str(retry_after).unwrap());
        headers
    }

    #[test]
    fn ceiling_doubles_and_caps() {
        let config = RetryConfig::default()
            .with_initial_backoff(Duration::from_millis(100))
            .with_max_backoff(Duration::from_millis(750));
        let ceilings: Vec<_> = (1..=5)
            .map(|n| config.backoff_ceiling(n).as_millis())
            .collect();
        assert_eq!(ceilings, [100, 200, 400, 750, 750]);
        // No overflow however many retries.
        assert_eq!(config.backoff_ceiling(u32::MAX), Duration::from_millis(750));
        let unbounded = config.with_max_backoff(Duration::MAX);
        assert!(unbounded.backoff_ceiling(200) > Duration::from_secs(1_000_000));
    }

    #[test]
    fn full_jitter_stays_within_zero_and_ceiling() {
        let config = RetryConfig::default()
            .with_initial_backoff(Duration::from_millis(100))
            .with_max_backoff(Duration::from_secs(1));
        assert_eq!(config.backoff(1, 0.0), Duration::ZERO);
        assert_eq!(config.backoff(1, 0.5), Duration::from_millis(50));
        assert!(config.backoff(1, 0.999_999) < Duration::from_millis(100));
        let mut rng = fastrand::Rng::with_seed(7);
        let mut seen_low = false;
        let mut seen_high = false;
        for _ in 0..10_000 {
            let delay = config.backoff(3, rng.f64());
            assert!(delay < Duration::from_millis(400), "{delay:?}");
            seen_low |= delay < Duration::from_millis(40);
            seen_high |= delay > Duration::from_millis(360);
        }
        assert!(seen_low && seen_high, "full jitter spans the whole range");
        // Huge ceilings and out-of-range units never panic.
        let huge = config.with_max_backoff(Duration::MAX);
        let _ = huge.backoff(64, 0.999_999);
        let _ = huge.backoff(64, f64::NAN);
    }

    #[test]
    fn parses_retry_after_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(
            parse_retry_after(&headers("7"), now),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            parse_retry_after(&headers(" 0 "), now),
            Some(Duration::ZERO)
        );
        assert_eq!(
            parse_retry_after(&headers("99999999999999999999999"), now),
            Some(Duration::from_secs(u64::MAX))
        );
        let in_90s = httpdate::fmt_http_date(now + Duration::from_secs(90));
        assert_eq!(
            parse_retry_after(&headers(&in_90s), now),
            Some(Duration::from_secs(90))
        );
        let past = httpdate::fmt_http_date(now - Duration::from_secs(90));
        assert_eq!(
            parse_retry_after(&headers(&past), now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after(&headers("soon"), now), None);
        assert_eq!(parse_retry_after(&headers("-5"), now), None);
        assert_eq!(parse_retry_after(&HeaderMap::new(), now), None);
    }

    #[test]
    fn disabled_means_one_attempt() {
        assert_eq!(RetryConfig::disabled().max_attempts(), 1);
        assert_eq!(
            RetryConfig::default().with_max_attempts(0).max_attempts(),
            1
        );
    }
}
