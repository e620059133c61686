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
    /// Entries of this vendor that are not this directory's: another app's sellers, or this
    /// app's under another token URL. Not refreshed here. When they are all there is, the sweep
    /// is probably configured with another app or URL than the service that stored them.
    pub other_apps: usize,
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
            // Another app's seller of the same vendor, in the same store (or this app's, under
            // another token URL): not this directory's to refresh, but counted.
            if !self.is_own_entry(&account, &key) {
                report.other_apps += 1;
                continue;
            }
            match (&stored.refresh_token, stored.refresh_expires_at) {
                (None, _) => report.needs_consent.push(account),
                (Some(_), Some(dies)) if dies <= horizon => due.push((account, dies)),
                _ => report.not_due += 1,
            }
        }
        // Each seller's start is fixed now, from one instant: waiting for a free slot does not
        // push the later ones back, so the sweep starts its last refresh within `spread`.
        let began = tokio::time::Instant::now();
        let count = due.len().max(1) as f64;
        let outcomes: Vec<(String, Kept)> = futures_util::stream::iter(due.into_iter().enumerate())
            .map(|(i, (account, dies))| {
                let offset = plan.spread.mul_f64(i as f64 / count);
                async move {
                    tokio::time::sleep_until(began + offset).await;
                    let kept = self.keep_one(&account, dies).await;
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

    /// Runs [`SellerDirectory::keep_alive`] every `period` (at least a minute) in a task of
    /// the current runtime, until the returned handle is dropped or the directory is. The first
    /// sweep comes after a random part of the period (a service restarted more often than the
    /// period still sweeps), the next ones a period apart, each with up to a tenth of it as
    /// jitter, so that a fleet's sweepers do not start together. Outside a tokio runtime it
    /// is [`Error::Config`].
    pub fn spawn_keep_alive(
        &self,
        period: Duration,
        plan: KeepAlive,
    ) -> Result<KeepAliveTask, Error> {
        let runtime = tokio::runtime::Handle::try_current()
            .map_err(|_| Error::config(E::SPEC.vendor, crate::error::ConfigError::NoRuntime))?;
        // Capped so that adding jitter can never overflow a timer.
        let period = period.clamp(Duration::from_secs(60), Duration::from_secs(365 * 86_400));
        let weak = std::sync::Arc::downgrade(&self.shared);
        let task = runtime.spawn(async move {
            let mut wait = period.mul_f64(fastrand::f64());
            loop {
                tokio::time::sleep(wait).await;
                wait = period + period.mul_f64(fastrand::f64() / 10.0);
                let Some(shared) = weak.upgrade() else { return };
                let directory = SellerDirectory { shared };
                if let Err(err) = directory.keep_alive(&plan).await {
                    tracing::warn!(error = %err, "the keep-alive sweep could not list the store");
                }
            }
        });
        Ok(KeepAliveTask(task.abort_handle()))
    }

    /// Whether `key` is the entry of `account` for this directory's app: its key computed as
    /// a seller's session would, without building one.
    fn is_own_entry(&self, account: &str, key: &str) -> bool {
        let Some(login_url) = &self.shared.login_url else {
            return false;
        };
        E::with_code(&self.shared.app, Some(account), super::no_code())
            .ok()
            .and_then(|endpoint| crate::session::account_key(&endpoint, login_url, account))
            .is_some_and(|own| own == key)
    }

    /// One seller: its stored token adopted (or renewed, if it has expired), then a refresh
    /// unless the refresh token already outlives the window.
    async fn keep_one(&self, account: &str, dies: SystemTime) -> Kept {
        let (client, session) = match self.build_seller(account) {
            Ok(built) => built,
            Err(err) => return Kept::Failed(err),
        };
        // Extended: a refresh token that dies later than the listed one (or whose expiry is no
        // longer stated).
        let extended = |_: &crate::Token| session.refresh_expires_at().is_none_or(|d| d > dies);
        let outcome = match session.token().await {
            // Refreshed by this call, or by another sweeper whose token was adopted.
            Ok(token) if extended(&token) => Ok(token),
            // Refreshed here already without extending it: a second refresh would not either.
            Ok(token) if session.stats().refresh_requests > 0 => Ok(token),
            Ok(_) => session.renew().await,
            Err(err) => Err(err),
        };
        if session.has_pending_rotation() {
            // The store refused the rotation: the seller's only copy is in this session, which
            // the directory keeps (and which keeps writing it) until the store takes it.
            session.watch();
            self.shared.sellers.insert(account, client);
        }
        match outcome {
            Ok(token) if extended(&token) => Kept::Refreshed,
            // A refresh does not extend it (eBay's refresh token keeps its first expiry): only a
            // new consent will.
            Ok(_) => Kept::NeedsConsent,
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
