//! The background renewal task: one per session, started on first use, renewing ahead of
//! expiry while the session is used, stopping when it is idle, ending when it is dropped.
//!
//! While it runs it also watches the current token: it looks at both clocks at least every
//! watch interval and marks the token fresh or not, so that the hit path can skip the clocks.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};
use std::time::SystemTime;

use tokio::sync::watch;
use tokio::time::Instant;

use super::scheduler::{Look, Renewed, Watched};
use super::{Inner, Reason, Start};
use crate::endpoint::LoginEndpoint;
use crate::error::ErrorClass;
use crate::token::Freshness;

/// Who starts the renewer, which decides whether the start counts as use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Starter {
    /// The call that just obtained a token: not use yet. A session asked once and then left
    /// alone is idle, and its token is left to lapse.
    Obtained,
    /// A call handed the cached token (in use again after an idle stop): it counts, so that
    /// the renewer renews ahead at the renewal point instead of stopping there for idleness.
    InUse,
}

/// Starts the renewer unless one runs already. Lock-free: one atomic swap.
pub(super) fn ensure_running<E: LoginEndpoint>(inner: &Arc<Inner<E>>, starter: Starter) {
    if inner.renewer_running.swap(true, Ordering::AcqRel) {
        return;
    }
    // Decided here, before the task runs: a use between the spawn and the task's first look
    // must not be forgotten (clearing `used` in the task did, and a session used again after an
    // idle stop then never renewed ahead).
    if starter == Starter::Obtained {
        inner.used.store(false, Ordering::Release);
    }
    if let Some(scheduler) = &inner.setup.scheduler {
        let weak: Weak<dyn Watched> = Arc::downgrade(inner) as Weak<dyn Watched>;
        if !scheduler.watch(weak) {
            inner.renewer_running.store(false, Ordering::Release);
        }
        return;
    }
    // Outside a tokio runtime (a token polled by another executor) there is nothing to run a
    // renewer on: the hit path then reads the clocks, and the next call in a runtime starts it.
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        inner.renewer_running.store(false, Ordering::Release);
        return;
    };
    let weak = Arc::downgrade(inner);
    let closed = inner
        .closed
        .get_or_init(|| watch::channel(()).0)
        .subscribe();
    runtime.spawn(run(weak, closed));
}

/// Marks the renewer stopped however it ends (returned, or its task dropped with its runtime),
/// so that the hit path reads the clocks again and the next use starts a new renewer.
struct Stopped<E>(Weak<Inner<E>>);

impl<E> Drop for Stopped<E> {
    fn drop(&mut self) {
        if let Some(inner) = self.0.upgrade() {
            inner.watching.store(false, Ordering::Release);
            inner.renewer_running.store(false, Ordering::Release);
        }
    }
}

/// Holds only a weak reference while it waits, so a dropped session ends it at once.
async fn run<E: LoginEndpoint>(weak: Weak<Inner<E>>, mut closed: watch::Receiver<()>) {
    let _stopped = Stopped(weak.clone());
    let mut failures = 0u32;
    // Attempts so far to write a rotation the store has not taken.
    let mut unstored = 0u32;
    loop {
        let (wait, pending) = {
            let Some(inner) = weak.upgrade() else { return };
            let pending = inner.setup.fleet.as_ref().is_some_and(|f| f.has_pending());
            // No token (dropped after a rejection), or a sliding one, which use keeps alive and
            // idleness lets lapse: nothing to renew ahead.
            let Some(token) = inner
                .current
                .load_full()
                .filter(|t| !t.deadlines().is_sliding())
            else {
                return;
            };
            let now = (Instant::now(), SystemTime::now());
            let fresh = token.freshness(now.0, now.1) == Freshness::Fresh;
            let remaining = token.expires_at().duration_since(now.1).unwrap_or_default();
            crate::metrics::token_remaining(E::SPEC.vendor, remaining);
            token.set_verified_fresh(fresh);
            let wait = if fresh {
                inner.watching.store(true, Ordering::Release);
                let deadlines = token.deadlines();
                Some(
                    deadlines
                        .until_renewal(now.0, now.1)
                        .min(deadlines.watch_interval()),
                )
            } else {
                None
            };
            (
                wait,
                pending.then_some(&inner.setup.retry).map(|retry| {
                    unstored += 1;
                    retry.backoff(unstored)
                }),
            )
        };
        if pending.is_none() {
            unstored = 0;
        }
        if let (Some(wait), Some(pause)) = (wait, pending)
            && pause < wait
        {
            // A rotation the store could not take: written again after a backoff while the
            // session is in use, not only at its next renewal, so that other processes can
            // renew with it as soon as the store is back.
            tokio::select! {
                () = tokio::time::sleep(pause) => {}
                _ = closed.changed() => return,
            }
            let Some(inner) = weak.upgrade() else { return };
            if let Some(fleet) = &inner.setup.fleet {
                let current = inner.current.load_full();
                fleet
                    .write_pending(&inner.setup.fetch, current.as_deref())
                    .await;
            }
            continue;
        }
        if let Some(wait) = wait {
            // Fresh: look again after the watch interval, or when renewal is due.
            tokio::select! {
                () = tokio::time::sleep(wait) => continue,
                _ = closed.changed() => return,
            }
        }
        let Some(inner) = weak.upgrade() else { return };
        if !inner.used.swap(false, Ordering::AcqRel) {
            // Nobody asked for a token since the last renewal: stop until the next use.
            return;
        }
        let outcome = match inner.start(Reason::RenewAhead) {
            Ok(Start::Flight(flight)) => super::join(flight).await.map(drop),
            Ok(Start::Cached(_)) => Ok(()),
            Err(err) => Err(err),
        };
        let backoff = match outcome {
            Ok(()) => {
                failures = 0;
                continue;
            }
            Err(err) if matches!(err.class(), ErrorClass::Rejected | ErrorClass::NeedsConsent) => {
                return;
            }
            Err(err) => {
                failures += 1;
                let delay = inner
                    .setup
                    .retry
                    .backoff(failures)
                    .max(err.retry_after().unwrap_or_default());
                tracing::warn!(vendor = E::SPEC.vendor(), error = %err, retry_in_ms = delay.as_millis() as u64,
                    "renewal failed; the current token is kept while it is valid");
                delay
            }
        };
        // Keep the session's memory free while waiting.
        drop(inner);
        tokio::select! {
            () = tokio::time::sleep(backoff) => {}
            _ = closed.changed() => return,
        }
        if let Some(inner) = weak.upgrade() {
            // A failed attempt is still "in use": retry at once rather than stop for idleness.
            inner.used.store(true, Ordering::Release);
        }
    }
}

/// The same looks and renewals, one step at a time, for a scheduler shared by many sessions.
impl<E: LoginEndpoint> Watched for Inner<E> {
    fn look(&self) -> Look {
        let Some(token) = self
            .current
            .load_full()
            .filter(|t| !t.deadlines().is_sliding())
        else {
            return Look::Stop;
        };
        let now = (Instant::now(), SystemTime::now());
        let fresh = token.freshness(now.0, now.1) == Freshness::Fresh;
        let remaining = token.expires_at().duration_since(now.1).unwrap_or_default();
        crate::metrics::token_remaining(E::SPEC.vendor, remaining);
        token.set_verified_fresh(fresh);
        if self.setup.fleet.as_ref().is_some_and(|f| f.has_pending()) {
            // A rotation the store has not taken yet, in use or not: written at once, then after
            // backoffs. The hit path reads the clocks meanwhile (the write may take a while).
            self.watching.store(false, Ordering::Release);
            return Look::Renew;
        }
        if fresh {
            self.watching.store(true, Ordering::Release);
            let deadlines = token.deadlines();
            return Look::Wait(
                deadlines
                    .until_renewal(now.0, now.1)
                    .min(deadlines.watch_interval()),
            );
        }
        if !self.used.swap(false, Ordering::AcqRel) {
            // Nobody asked for a token since the last renewal: stop until the next use.
            return Look::Stop;
        }
        Look::Renew
    }

    fn renew(self: Arc<Self>, failures: u32) -> futures_util::future::BoxFuture<'static, Renewed> {
        Box::pin(async move {
            if let Some(fleet) = self.setup.fleet.as_ref().filter(|f| f.has_pending()) {
                let current = self.current.load_full();
                fleet
                    .write_pending(&self.setup.fetch, current.as_deref())
                    .await;
                return match fleet.has_pending() {
                    true => Renewed::RetryIn(self.setup.retry.backoff(failures.saturating_add(1))),
                    false => Renewed::Done,
                };
            }
            let outcome = match self.start(Reason::RenewAhead) {
                Ok(Start::Flight(flight)) => super::join(flight).await.map(drop),
                Ok(Start::Cached(_)) => Ok(()),
                Err(err) => Err(err),
            };
            match outcome {
                Ok(()) => Renewed::Done,
                // Nothing to do until the credentials change or the seller approves again.
                Err(err)
                    if matches!(err.class(), ErrorClass::Rejected | ErrorClass::NeedsConsent) =>
                {
                    Renewed::GiveUp
                }
                Err(err) => {
                    let delay = self
                        .setup
                        .retry
                        .backoff(failures.saturating_add(1))
                        .max(err.retry_after().unwrap_or_default());
                    tracing::warn!(vendor = E::SPEC.vendor(), error = %err, retry_in_ms = delay.as_millis() as u64,
                        "renewal failed; the current token is kept while it is valid");
                    // A failed attempt is still "in use": retried rather than stopped for idleness.
                    self.used.store(true, Ordering::Release);
                    Renewed::RetryIn(delay)
                }
            }
        })
    }

    fn stopped(&self) {
        self.watching.store(false, Ordering::Release);
        self.renewer_running.store(false, Ordering::Release);
    }
}
