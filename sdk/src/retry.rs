//! Retry policy as data, and the loop that applies it.
//!
//! The delay is computed here rather than with a backoff crate: the well-kept ones (`backon`,
//! `backoff`) add jitter on top of the exponential delay instead of drawing the whole delay
//! ("full jitter"), and have no place for a server-chosen `Retry-After`. What remains is a
//! dozen lines, unit-tested below.

use std::{
    future::Future,
    time::{Duration, SystemTime},
};

use reqwest::header::{HeaderMap, RETRY_AFTER};

use crate::error::Error;

/// How failed requests are retried.
///
/// A failure is retried when [`Error::is_retryable`] says so: connect errors, timeouts,
/// HTTP 429/502/503/504 and status `QUOTA_LIMIT_EXCEED`. Before retry *n* (1-based) the client
/// waits a random duration drawn uniformly from `[0, min(max_backoff, initial_backoff · 2ⁿ⁻¹))`
/// ("full jitter", which spreads clients that failed together), unless the server sent
/// `Retry-After` (seconds or an HTTP date): then it waits exactly that long, cut to
/// `max_retry_after`.
///
/// ```
/// use std::time::Duration;
/// use uberall_sdk::RetryConfig;
///
/// let patient = RetryConfig::default()
///     .with_max_attempts(5)
///     .with_initial_backoff(Duration::from_millis(50));
/// assert_eq!(patient.max_attempts(), 5);
/// assert_eq!(RetryConfig::disabled().max_attempts(), 1);
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
    pub fn disabled() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Total attempts including the first (`1` disables retries; `0` is taken as `1`).
    pub fn with_max_attempts(mut self, max_attempts: u32) -> Self {
        self.max_attempts = max_attempts.max(1);
        self
    }

    /// Upper bound of the first retry's random delay; it doubles for each further retry.
    pub fn with_initial_backoff(mut self, initial_backoff: Duration) -> Self {
        self.initial_backoff = initial_backoff;
        self
    }

    /// Cap on the exponential delay's upper bound.
    pub fn with_max_backoff(mut self, max_backoff: Duration) -> Self {
        self.max_backoff = max_backoff;
        self
    }

    /// Longest `Retry-After` wait honoured; a longer one is cut to this.
    pub fn with_max_retry_after(mut self, max_retry_after: Duration) -> Self {
        self.max_retry_after = max_retry_after;
        self
    }

    /// Total attempts including the first.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// Upper bound of the first retry's random delay.
    pub fn initial_backoff(&self) -> Duration {
        self.initial_backoff
    }

    /// Cap on the exponential delay's upper bound.
    pub fn max_backoff(&self) -> Duration {
        self.max_backoff
    }

    /// Longest `Retry-After` wait honoured.
    pub fn max_retry_after(&self) -> Duration {
        self.max_retry_after
    }

    /// The delay before retry number `retry` (1 = the first retry).
    ///
    /// `unit` is a uniform random number in `[0, 1)`; passing it in keeps this function pure.
    pub(crate) fn delay_before_retry(
        &self,
        retry: u32,
        retry_after: Option<Duration>,
        unit: f64,
    ) -> Duration {
        if let Some(wait) = retry_after {
            return wait.min(self.max_retry_after);
        }
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

/// What the attempt closure learns about the attempts before it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct AttemptContext {
    /// 1 for the first attempt.
    pub(crate) number: u32,
    /// Whether an earlier attempt of this call may have taken effect despite failing.
    pub(crate) earlier_may_have_taken_effect: bool,
}

/// The final result, and whether any attempt may have taken effect.
pub(crate) struct Attempts<T> {
    pub(crate) result: Result<T, Error>,
    pub(crate) may_have_taken_effect: bool,
}

/// Runs `attempt` until it succeeds, fails for good, or the attempts are used up.
pub(crate) async fn run<T, F, Fut>(
    config: &RetryConfig,
    operation: &'static str,
    mut attempt: F,
) -> Attempts<T>
where
    F: FnMut(AttemptContext) -> Fut,
    Fut: Future<Output = Result<T, Error>>,
{
    let mut context = AttemptContext {
        number: 1,
        earlier_may_have_taken_effect: false,
    };
    loop {
        let err = match attempt(context).await {
            Ok(value) => {
                return Attempts {
                    result: Ok(value),
                    may_have_taken_effect: true,
                };
            }
            Err(err) => err,
        };
        let may_have_taken_effect =
            context.earlier_may_have_taken_effect || err.may_have_taken_effect();
        if context.number >= config.max_attempts || !err.is_retryable() {
            return Attempts {
                result: Err(err),
                may_have_taken_effect,
            };
        }
        let delay = config.delay_before_retry(context.number, err.retry_after(), fastrand::f64());
        tracing::debug!(
            operation,
            attempt = context.number,
            error.kind = err.kind(),
            http.status = err.http_status().map(|s| s.as_u16()),
            delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
            "retrying uberall request"
        );
        tokio::time::sleep(delay).await;
        context = AttemptContext {
            number: context.number + 1,
            earlier_may_have_taken_effect: may_have_taken_effect,
        };
    }
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
        assert_eq!(config.delay_before_retry(1, None, 0.0), Duration::ZERO);
        assert_eq!(
            config.delay_before_retry(1, None, 0.5),
            Duration::from_millis(50)
        );
        assert!(config.delay_before_retry(1, None, 0.999_999) < Duration::from_millis(100));
        let mut rng = fastrand::Rng::with_seed(7);
        let mut seen_low = false;
        let mut seen_high = false;
        for _ in 0..10_000 {
            let delay = config.delay_before_retry(3, None, rng.f64());
            assert!(delay < Duration::from_millis(400), "{delay:?}");
            seen_low |= delay < Duration::from_millis(40);
            seen_high |= delay > Duration::from_millis(360);
        }
        assert!(seen_low && seen_high, "full jitter spans the whole range");
        // Huge ceilings and out-of-range units never panic.
        let huge = config.with_max_backoff(Duration::MAX);
        let _ = huge.delay_before_retry(64, None, 0.999_999);
        let _ = huge.delay_before_retry(64, None, f64::NAN);
    }

    #[test]
    fn retry_after_overrides_backoff_up_to_the_cap() {
        let config = RetryConfig::default().with_max_retry_after(Duration::from_secs(10));
        assert_eq!(
            config.delay_before_retry(1, Some(Duration::from_secs(3)), 0.9),
            Duration::from_secs(3)
        );
        assert_eq!(
            config.delay_before_retry(1, Some(Duration::from_secs(3600)), 0.9),
            Duration::from_secs(10)
        );
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
