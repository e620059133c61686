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
        let Some(held) = &self.held else {
            return Ok(());
        };
        let waited = held.at.elapsed();
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
        self.failures = self.failures.saturating_add(1);
        let gap = policy.login_gap_after(self.failures);
        self.held = (!gap.is_zero()).then(|| Held {
            at: Instant::now(),
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

    #[tokio::test(start_paused = true)]
    async fn the_gap_starts_at_the_second_failure_doubles_and_ends_with_a_success() {
        let policy = RetryPolicy::default();
        let mut spacing = LoginSpacing::default();
        assert!(spacing.check("V").is_ok());
        spacing.failed(&unavailable(), &policy);
        assert!(spacing.check("V").is_ok(), "no gap after the first failure");
        spacing.failed(&unavailable(), &policy);
        match spacing.check("V") {
            Err(Error::LoginSpaced {
                failures, retry_in, ..
            }) => {
                assert_eq!(failures, 2);
                assert_eq!(retry_in, policy.login_gap);
            }
            other => panic!("{other:?}"),
        }
        tokio::time::advance(policy.login_gap).await;
        assert!(spacing.check("V").is_ok(), "the gap has passed");
        spacing.failed(&unavailable(), &policy);
        tokio::time::advance(policy.login_gap).await;
        assert!(
            spacing.check("V").is_err(),
            "the third gap is twice the second"
        );
        tokio::time::advance(policy.login_gap).await;
        assert!(spacing.check("V").is_ok());
        spacing.succeeded();
        spacing.failed(&unavailable(), &policy);
        assert!(
            spacing.check("V").is_ok(),
            "a success starts the count again"
        );
    }
}
