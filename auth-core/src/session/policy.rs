//! When to renew a token, and how to retry a failed login.

use std::time::Duration;

use crate::error::Error;

/// When a token is renewed ahead of its expiry, as fractions of its lifetime.
///
/// A fixed margin ("renew 5 minutes early") breaks tokens that live 2 seconds; fractions scale.
/// The renewal point is drawn at random inside `[renew_from, renew_to)` for every token, so that
/// a fleet started together does not renew together.
///
/// ```
/// use std::time::Duration;
/// use auth_core::RenewPolicy;
///
/// let policy = RenewPolicy::default();
/// let (renew_after, use_for) = policy.schedule(Duration::from_secs(7200));
/// assert!(renew_after >= Duration::from_secs(5400) && renew_after < Duration::from_secs(6120));
/// assert_eq!(use_for, Duration::from_secs(7170));
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RenewPolicy {
    /// Earliest renewal point, as a fraction of the lifetime.
    pub renew_from: f64,
    /// Latest renewal point, as a fraction of the lifetime.
    pub renew_to: f64,
    /// The token is not handed out during the last `safety_fraction` of its lifetime ...
    pub safety_fraction: f64,
    /// ... nor during the last `max_safety_margin`, whichever is shorter.
    pub max_safety_margin: Duration,
}

impl Default for RenewPolicy {
    fn default() -> Self {
        RenewPolicy {
            renew_from: 0.75,
            renew_to: 0.85,
            safety_fraction: 0.1,
            max_safety_margin: Duration::from_secs(30),
        }
    }
}

impl RenewPolicy {
    /// Renews at a random point between the fractions `from` and `to` of the lifetime.
    ///
    /// ```
    /// let policy = auth_core::RenewPolicy::default().with_renewal_between(0.5, 0.6);
    /// assert_eq!((policy.renew_from, policy.renew_to), (0.5, 0.6));
    /// ```
    #[must_use]
    pub fn with_renewal_between(mut self, from: f64, to: f64) -> Self {
        self.renew_from = from;
        self.renew_to = to;
        self
    }

    /// Never hands the token out in the last `fraction` of its lifetime, nor in the last
    /// `max_margin`, whichever is shorter.
    #[must_use]
    pub fn with_safety_margin(mut self, fraction: f64, max_margin: Duration) -> Self {
        self.safety_fraction = fraction;
        self.max_safety_margin = max_margin;
        self
    }

    /// For a token living `lifetime`: after how long to renew it ahead, and for how long it
    /// may be sent at all.
    pub fn schedule(&self, lifetime: Duration) -> (Duration, Duration) {
        let safety = lifetime
            .mul_f64(clamp_fraction(self.safety_fraction))
            .min(self.max_safety_margin);
        let use_for = lifetime.saturating_sub(safety);
        let from = clamp_fraction(self.renew_from);
        let to = clamp_fraction(self.renew_to).max(from);
        let fraction = from + (to - from) * fastrand::f64();
        (lifetime.mul_f64(fraction).min(use_for), use_for)
    }
}

fn clamp_fraction(x: f64) -> f64 {
    if x.is_finite() {
        x.clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// How a failed login is retried: transient failures and rate limits only, with capped
/// exponential backoff and "equal jitter" (half the delay fixed, half random, so a failing
/// vendor always gets a pause). Rejected credentials are never retried.
///
/// ```
/// use std::time::Duration;
/// use auth_core::RetryPolicy;
///
/// let none = RetryPolicy::never();
/// assert_eq!(none.max_attempts, 1);
/// let policy = RetryPolicy::default();
/// assert!(policy.backoff(1) <= Duration::from_millis(250));
/// assert!(policy.backoff(20) <= policy.max_delay);
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// The backoff before the second attempt, before jitter.
    pub base_delay: Duration,
    /// The longest backoff.
    pub max_delay: Duration,
    /// A rate limit asking for a longer wait than this ends the retries instead.
    pub max_retry_after: Duration,
    /// After two failed logins in a row (each with its retries), no login is sent for this
    /// long; callers meanwhile get [`Error::LoginSpaced`] at once. The gap doubles with every
    /// further failure, up to `max_login_gap`. Zero turns spacing off.
    pub login_gap: Duration,
    /// The longest gap between failed logins.
    pub max_login_gap: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(10),
            max_retry_after: Duration::from_secs(60),
            login_gap: Duration::from_secs(1),
            max_login_gap: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// Attempts in all, the first included.
    ///
    /// ```
    /// use std::time::Duration;
    /// use auth_core::RetryPolicy;
    ///
    /// let policy = RetryPolicy::default()
    ///     .with_max_attempts(5)
    ///     .with_delays(Duration::from_millis(100), Duration::from_secs(2));
    /// assert_eq!(policy.max_attempts, 5);
    /// ```
    #[must_use]
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts;
        self
    }

    /// The backoff before the second attempt (before jitter), and the longest backoff.
    #[must_use]
    pub fn with_delays(mut self, base: Duration, max: Duration) -> Self {
        self.base_delay = base;
        self.max_delay = max;
        self
    }

    /// The backoff before the second attempt, before jitter.
    #[must_use]
    pub fn with_base_delay(mut self, base: Duration) -> Self {
        self.base_delay = base;
        self
    }

    /// A rate limit asking for a longer wait than this ends the retries instead.
    #[must_use]
    pub fn with_max_retry_after(mut self, max: Duration) -> Self {
        self.max_retry_after = max;
        self
    }

    /// The pause after two failed logins in a row, and the longest it doubles to; a zero
    /// `gap` turns spacing off.
    #[must_use]
    pub fn with_login_gap(mut self, gap: Duration, max: Duration) -> Self {
        self.login_gap = gap;
        self.max_login_gap = max;
        self
    }

    /// One attempt, no retries.
    pub fn never() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// The jittered delay after failed attempt number `attempt` (1-based).
    pub fn backoff(&self, attempt: u32) -> Duration {
        let exponent = attempt.saturating_sub(1).min(20);
        let ceiling = self
            .base_delay
            .saturating_mul(1u32 << exponent)
            .min(self.max_delay);
        ceiling.mul_f64(0.5 + 0.5 * fastrand::f64())
    }

    /// How long no login is sent after `failures` failed logins in a row: nothing after the
    /// first (the retries already paused), then `login_gap`, doubling up to `max_login_gap`.
    ///
    /// ```
    /// use std::time::Duration;
    /// use auth_core::RetryPolicy;
    ///
    /// let policy = RetryPolicy::default();
    /// assert_eq!(policy.login_gap_after(1), Duration::ZERO);
    /// assert_eq!(policy.login_gap_after(2), Duration::from_secs(1));
    /// assert_eq!(policy.login_gap_after(4), Duration::from_secs(4));
    /// assert_eq!(policy.login_gap_after(40), Duration::from_secs(60));
    /// ```
    pub fn login_gap_after(&self, failures: u32) -> Duration {
        if failures < 2 {
            return Duration::ZERO;
        }
        let exponent = (failures - 2).min(20);
        self.login_gap
            .saturating_mul(1u32 << exponent)
            .min(self.max_login_gap)
    }

    /// How long to wait before attempt `attempt + 1`, or `None` to give up with `err`.
    pub fn delay_after(&self, attempt: u32, err: &Error) -> Option<Duration> {
        if !err.is_retryable() || attempt >= self.max_attempts {
            return None;
        }
        let backoff = self.backoff(attempt);
        match err.retry_after() {
            Some(wait) if wait > self.max_retry_after => None,
            Some(wait) => Some(wait.max(backoff)),
            None => Some(backoff),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{TransientKind, VendorSaid};

    #[test]
    fn schedule_scales_with_short_lifetimes() {
        let policy = RenewPolicy::default();
        for _ in 0..100 {
            let (renew, use_for) = policy.schedule(Duration::from_secs(2));
            assert_eq!(use_for, Duration::from_millis(1800));
            assert!(
                renew >= Duration::from_millis(1500) && renew < Duration::from_millis(1700),
                "{renew:?}"
            );
        }
    }

    #[test]
    fn renewal_points_are_jittered() {
        let policy = RenewPolicy::default();
        let points: std::collections::HashSet<_> = (0..50)
            .map(|_| policy.schedule(Duration::from_secs(3600)).0)
            .collect();
        assert!(points.len() > 40);
    }

    #[test]
    fn backoff_grows_is_capped_and_never_below_half() {
        let policy = RetryPolicy::default();
        for attempt in 1..=30 {
            let ceiling = policy
                .base_delay
                .saturating_mul(1 << (attempt - 1).min(20))
                .min(policy.max_delay);
            let delay = policy.backoff(attempt);
            assert!(
                delay >= ceiling / 2 && delay <= ceiling,
                "attempt {attempt}: {delay:?}"
            );
        }
    }

    #[test]
    fn only_retryable_errors_are_retried_within_budget() {
        let policy = RetryPolicy::default();
        let transient = Error::Transient {
            vendor: "V",
            kind: TransientKind::Timeout,
            said: VendorSaid::default(),
            source: None,
        };
        let rejected = Error::Rejected {
            vendor: "V",
            status: 200,
            said: VendorSaid::default(),
            recorded_at: None,
        };
        let limited = |secs| Error::RateLimited {
            vendor: "V",
            status: 429,
            retry_after: Some(Duration::from_secs(secs)),
            said: VendorSaid::default(),
        };
        assert!(policy.delay_after(1, &transient).is_some());
        assert!(policy.delay_after(3, &transient).is_none());
        assert!(policy.delay_after(1, &rejected).is_none());
        assert_eq!(
            policy.delay_after(1, &limited(5)),
            Some(Duration::from_secs(5))
        );
        assert!(policy.delay_after(1, &limited(3600)).is_none());
    }
}
