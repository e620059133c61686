//! Login spacing: after failed logins in a row, no login is sent for a while, so that a broken
//! vendor is not hammered and an account is not locked for too many attempts.

use std::time::Duration;

use tokio::time::Instant;

use super::policy::RetryPolicy;
use crate::error::Error;

/// Failed logins in a row, and the last one while no login may be sent.
#[derive(Default)]
pub(super) struct LoginSpacing {
    failures: u32,
    held: Option<Held>,
}

/// A failed login, and how long after it no login is sent.
struct Held {
    at: Instant,
    gap: Duration,
    last: Error,
}

impl LoginSpacing {
    /// `Err(Error::LoginSpaced)` while a login may not be sent.
    pub(super) fn check(&self, vendor: &'static str) -> Result<(), Error> {
        self.check_at(vendor, Instant::now())
    }

    /// [`check`](Self::check) at `now`: pure, so tests need no clock.
    fn check_at(&self, vendor: &'static str, now: Instant) -> Result<(), Error> {
        let Some(held) = &self.held else {
            return Ok(());
        };
        let waited = now.saturating_duration_since(held.at);
        if waited >= held.gap {
            return Ok(());
        }
        Err(Error::LoginSpaced {
            vendor,
            failures: self.failures,
            retry_in: held.gap - waited,
            last: Box::new(held.last.clone()),
        })
    }

    /// A login succeeded: the next one goes at once.
    pub(super) fn succeeded(&mut self) {
        self.failures = 0;
        self.held = None;
    }

    /// A login failed with `err`: the gap before the next one grows as `policy` says.
    pub(super) fn failed(&mut self, err: &Error, policy: &RetryPolicy) {
        self.failed_at(err, policy, Instant::now());
    }

    fn failed_at(&mut self, err: &Error, policy: &RetryPolicy, now: Instant) {
        self.failures = self.failures.saturating_add(1);
        let gap = policy.login_gap_after(self.failures);
        self.held = (!gap.is_zero()).then(|| Held {
            at: now,
            gap,
            last: err.clone(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{TransientKind, VendorSaid};

    fn unavailable() -> Error {
        Error::Transient {
            vendor: "V",
            kind: TransientKind::Status(503),
            said: VendorSaid::default(),
            source: None,
        }
    }

    #[test]
    fn the_gap_starts_at_the_second_failure_doubles_and_ends_with_a_success() {
        let policy = RetryPolicy::default();
        let gap = policy.login_gap;
        let start = Instant::now();
        let at = |d: Duration| start + d;
        let mut spacing = LoginSpacing::default();
        assert!(spacing.check_at("V", start).is_ok());
        spacing.failed_at(&unavailable(), &policy, start);
        assert!(
            spacing.check_at("V", start).is_ok(),
            "no gap after the first failure"
        );
        spacing.failed_at(&unavailable(), &policy, start);
        match spacing.check_at("V", start) {
            Err(Error::LoginSpaced {
                failures, retry_in, ..
            }) => {
                assert_eq!(failures, 2);
                assert_eq!(retry_in, gap);
            }
            other => panic!("{other:?}"),
        }
        assert!(spacing.check_at("V", at(gap)).is_ok(), "the gap has passed");
        spacing.failed_at(&unavailable(), &policy, at(gap));
        assert!(
            spacing.check_at("V", at(gap * 2)).is_err(),
            "the third gap is twice the second"
        );
        assert!(spacing.check_at("V", at(gap * 3)).is_ok());
        spacing.succeeded();
        spacing.failed_at(&unavailable(), &policy, at(gap * 3));
        assert!(
            spacing.check_at("V", at(gap * 3)).is_ok(),
            "a success starts the count again"
        );
    }
}
