//! The background renewal task: one per session, started on first use, renewing ahead of
//! expiry while the session is used, stopping when it is idle, ending when it is dropped.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};
use std::time::SystemTime;

use tokio::sync::watch;
use tokio::time::Instant;

use super::{Inner, Reason, Start};
use crate::endpoint::LoginEndpoint;
use crate::error::ErrorClass;
use crate::token::Freshness;

/// Starts the renewer unless one runs already. Lock-free: one atomic swap.
pub(super) fn ensure_running<E: LoginEndpoint>(inner: &Arc<Inner<E>>) {
    if inner.renewer_running.swap(true, Ordering::AcqRel) {
        return;
    }
    let weak = Arc::downgrade(inner);
    let closed = inner.closed.subscribe();
    tokio::spawn(run(weak, closed));
}

/// Holds only a weak reference while it waits, so a dropped session ends it at once.
async fn run<E: LoginEndpoint>(weak: Weak<Inner<E>>, mut closed: watch::Receiver<()>) {
    // The call that started the renewer does not count as use: a session asked once and then
    // left alone is idle, and its token is left to lapse.
    if let Some(inner) = weak.upgrade() {
        inner.used.store(false, Ordering::Release);
    }
    let mut failures = 0u32;
    loop {
        let wait = {
            let Some(inner) = weak.upgrade() else { return };
            // No token (dropped after a rejection), or a sliding one, which use keeps alive and
            // idleness lets lapse: nothing to renew ahead.
            let Some(token) = inner
                .current
                .load_full()
                .filter(|t| !t.deadlines().is_sliding())
            else {
                inner.renewer_running.store(false, Ordering::Release);
                return;
            };
            token
                .deadlines()
                .until_renewal(Instant::now(), SystemTime::now())
        };
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            _ = closed.changed() => return,
        }
        let Some(inner) = weak.upgrade() else { return };
        let fresh =
            inner.current.load().as_ref().is_some_and(|t| {
                t.freshness(Instant::now(), SystemTime::now()) == Freshness::Fresh
            });
        if fresh {
            // Renewed meanwhile, or a sliding token was used: look at the new deadline.
            continue;
        }
        if !inner.used.swap(false, Ordering::AcqRel) {
            // Nobody asked for a token since the last renewal: stop until the next use.
            inner.renewer_running.store(false, Ordering::Release);
            return;
        }
        let outcome = match inner.start(Reason::RenewAhead) {
            Ok(Start::Flight(flight)) => flight.await.map(drop),
            Ok(Start::Cached(_)) => Ok(()),
            Err(err) => Err(err),
        };
        let backoff = match outcome {
            Ok(()) => {
                failures = 0;
                continue;
            }
            Err(err) if err.class() == ErrorClass::Rejected => {
                inner.renewer_running.store(false, Ordering::Release);
                return;
            }
            Err(err) => {
                failures += 1;
                let delay = inner
                    .setup
                    .settings
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
