//! Keeping idle sellers' refresh tokens alive: a sweep over the store that refreshes every
//! seller whose refresh token dies soon, under that seller's lease.

use std::time::{Duration, SystemTime};

use futures_util::StreamExt;

use super::{CodeGrant, SellerDirectory};
use crate::error::Error;

/// What a keep-alive sweep does: which sellers it refreshes, how many at once, over how long.
///
/// ```
/// use std::time::Duration;
/// use auth_core::KeepAlive;
///
/// let plan = KeepAlive::within(Duration::from_secs(7 * 24 * 3600))
///     .concurrency(4)
///     .spread(Duration::from_secs(600));
/// # drop(plan);
/// ```
#[derive(Debug, Clone)]
pub struct KeepAlive {
    within: Duration,
    concurrency: usize,
    spread: Duration,
}

impl KeepAlive {
    /// Refreshes the sellers whose refresh token dies within `window` from now (or has died:
    /// those are reported as needing consent, and nothing is sent for them). Sellers whose
    /// refresh token's expiry is unknown or never comes are left alone.
    pub fn within(window: Duration) -> Self {
        KeepAlive {
            within: window,
            concurrency: 8,
            spread: Duration::ZERO,
        }
    }

    /// At most this many refreshes at once (8 unless set).
    #[must_use]
    pub fn concurrency(mut self, concurrency: usize) -> Self {
        self.concurrency = concurrency.max(1);
        self
    }

    /// Starts the refreshes evenly over this long instead of as fast as the concurrency allows,
    /// so that the vendor sees a steady rate (none unless set).
    #[must_use]
    pub fn spread(mut self, spread: Duration) -> Self {
        self.spread = spread;
        self
    }
}

/// What a keep-alive sweep did.
#[non_exhaustive]
#[derive(Debug, Default)]
pub struct KeepAliveReport {
    /// The sellers whose tokens were refreshed (or found refreshed by another process).
    pub refreshed: Vec<String>,
    /// The sellers that must approve the app again (no usable refresh token); nothing was sent
    /// for them, or only the refresh the vendor refused.
    pub needs_consent: Vec<String>,
    /// The sellers whose refresh failed otherwise (the vendor unavailable, the store failing),
    /// with why: try again.
    pub failed: Vec<(String, Error)>,
    /// This directory's sellers whose refresh token outlives the window, or never expires.
    pub not_due: usize,
}

impl KeepAliveReport {
    /// Whether no seller's refresh failed (sellers needing consent are not failures: only the
    /// seller can act).
    pub fn is_ok(&self) -> bool {
        self.failed.is_empty()
    }
}

/// What became of one seller.
enum Kept {
    Refreshed,
    NeedsConsent,
    Failed(Error),
}

impl<E: CodeGrant> SellerDirectory<E> {
    /// Refreshes every seller of this directory in the store whose refresh token dies within
    /// the plan's window, each under its own lease (two sweepers never refresh one seller
    /// twice: the second adopts what the first stored), and says what it did. Run it from a
    /// scheduled job (`authctl keepalive`) or with [`SellerDirectory::spawn_keep_alive`].
    ///
    /// ```no_run
    /// # async fn run<E: auth_core::CodeGrant>(directory: auth_core::SellerDirectory<E>) -> Result<(), auth_core::Error> {
    /// use std::time::Duration;
    /// use auth_core::KeepAlive;
    ///
    /// let report = directory.keep_alive(&KeepAlive::within(Duration::from_secs(7 * 24 * 3600))).await?;
    /// println!("{} refreshed, {} need consent", report.refreshed.len(), report.needs_consent.len());
    /// # Ok(()) }
    /// ```
    pub async fn keep_alive(&self, plan: &KeepAlive) -> Result<KeepAliveReport, Error> {
        let vendor = E::SPEC.vendor;
        let listed = self
            .shared
            .store
            .list()
            .await
            .map_err(|source| Error::Store { vendor, source })?;
        let horizon = SystemTime::now()
            .checked_add(plan.within)
            .unwrap_or(SystemTime::UNIX_EPOCH + Duration::from_secs(u64::from(u32::MAX)));
        let mut report = KeepAliveReport::default();
        let mut due = Vec::new();
        for (key, stored) in listed {
            let ours = stored.about.as_ref().is_some_and(|a| a.vendor == vendor);
            let Some(account) = stored.account.filter(|_| ours) else {
                continue;
            };
            // Another app's seller of the same vendor, in the same store: not this directory's.
            if !self.is_own_entry(&account, &key) {
                continue;
            }
            match (&stored.refresh_token, stored.refresh_expires_at) {
                (None, _) => report.needs_consent.push(account),
                (Some(_), Some(dies)) if dies <= horizon => due.push(account),
                _ => report.not_due += 1,
            }
        }
        let count = u32::try_from(due.len()).unwrap_or(u32::MAX).max(1);
        let outcomes: Vec<(String, Kept)> = futures_util::stream::iter(due.into_iter().enumerate())
            .map(|(i, account)| {
                let start = plan
                    .spread
                    .mul_f64(f64::from(u32::try_from(i).unwrap_or(u32::MAX)) / f64::from(count));
                async move {
                    tokio::time::sleep(start).await;
                    let kept = self.keep_one(&account, horizon).await;
                    (account, kept)
                }
            })
            .buffer_unordered(plan.concurrency)
            .collect()
            .await;
        for (account, kept) in outcomes {
            match kept {
                Kept::Refreshed => report.refreshed.push(account),
                Kept::NeedsConsent => report.needs_consent.push(account),
                Kept::Failed(err) => report.failed.push((account, err)),
            }
        }
        tracing::info!(
            vendor,
            refreshed = report.refreshed.len(),
            needs_consent = report.needs_consent.len(),
            failed = report.failed.len(),
            not_due = report.not_due,
            "keep-alive sweep done"
        );
        Ok(report)
    }

    /// Runs [`SellerDirectory::keep_alive`] every `period` (with up to a tenth of it as jitter,
    /// so that a fleet's sweepers do not start together) in a task of the current runtime,
    /// until the returned handle is dropped or the directory is.
    pub fn spawn_keep_alive(&self, period: Duration, plan: KeepAlive) -> KeepAliveTask {
        let weak = std::sync::Arc::downgrade(&self.shared);
        let task = tokio::spawn(async move {
            loop {
                let jitter = period.mul_f64(fastrand::f64() / 10.0);
                tokio::time::sleep(period + jitter).await;
                let Some(shared) = weak.upgrade() else { return };
                let directory = SellerDirectory { shared };
                if let Err(err) = directory.keep_alive(&plan).await {
                    tracing::warn!(error = %err, "the keep-alive sweep could not list the store");
                }
            }
        });
        KeepAliveTask(task.abort_handle())
    }

    /// Whether `key` is the entry of `account` for this directory's app.
    fn is_own_entry(&self, account: &str, key: &str) -> bool {
        self.build_seller(account)
            .ok()
            .and_then(|(_, session)| session.store_key().map(|own| own == key))
            .unwrap_or(false)
    }

    /// One seller: its stored token adopted (or renewed, if it has expired), then a refresh
    /// unless the refresh token already outlives the window.
    async fn keep_one(&self, account: &str, horizon: SystemTime) -> Kept {
        let session = match self.build_seller(account) {
            Ok((_, session)) => session,
            Err(err) => return Kept::Failed(err),
        };
        let outlives =
            |token: &crate::Token| token.refresh_expires_at().is_none_or(|d| d > horizon);
        let outcome = match session.token().await {
            Ok(token) if outlives(&token) => Ok(session.stats().refresh_requests > 0),
            Ok(_) => session.renew().await.map(|_| true),
            Err(err) => Err(err),
        };
        match outcome {
            Ok(true) => Kept::Refreshed,
            // Another sweeper refreshed it meanwhile: its token was adopted.
            Ok(false) => Kept::Refreshed,
            Err(Error::NeedsConsent { .. }) => Kept::NeedsConsent,
            Err(err) => Kept::Failed(err),
        }
    }
}

/// The background keep-alive of [`SellerDirectory::spawn_keep_alive`]: dropping it stops it.
#[derive(Debug)]
#[must_use = "the keep-alive stops when this is dropped"]
pub struct KeepAliveTask(tokio::task::AbortHandle);

impl Drop for KeepAliveTask {
    fn drop(&mut self) {
        self.0.abort();
    }
}
