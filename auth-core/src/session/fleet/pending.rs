//! Rotated refresh tokens the store has not taken yet.
//!
//! A vendor that rotates refresh tokens (Shopee, TikTok Shop, IOP) spends the old one when it
//! answers: from then on the token it issued is the account's only credential. If the store
//! cannot take it, the renewal writes it again a few times, with backoff; after that the
//! session keeps it here, and every later store access of the session writes it first, under
//! the lease, never over a newer entry. Nothing is lost while the process lives.

use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use super::{Fleet, Through, jittered};
use crate::endpoint::LoginEndpoint;
use crate::session::fetch::Fetch;
use crate::store::{StoreError, StoredToken, Swap};
use crate::token::Token;

/// Writes of one token within a renewal, the first included, before it is kept in memory.
pub(super) const WRITE_ATTEMPTS: u32 = 3;
/// The pause before the second write; it doubles before each next one.
const FIRST_WRITE_PAUSE: Duration = Duration::from_millis(100);

/// The token this session obtained and could not store, if any.
pub(super) struct Pending {
    /// Boxed: almost every session never has one, and a seller directory holds thousands.
    slot: Mutex<Option<Box<StoredToken>>>,
    vendor: &'static str,
}

impl Pending {
    pub(super) fn new(vendor: &'static str) -> Self {
        Pending {
            slot: Mutex::new(None),
            vendor,
        }
    }

    fn slot(&self) -> MutexGuard<'_, Option<Box<StoredToken>>> {
        // An `Option` is consistent whatever a panicking holder did.
        self.slot
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The token waiting to be stored.
    pub(super) fn get(&self) -> Option<StoredToken> {
        self.slot().as_deref().cloned()
    }

    /// When the waiting token expires: the session holds nothing older than this.
    pub(super) fn expires_at(&self) -> Option<SystemTime> {
        self.slot().as_ref().map(|t| t.expires_at)
    }

    /// Keeps `stored` until it is written, unless a newer one waits already.
    pub(super) fn keep(&self, stored: StoredToken) {
        let mut slot = self.slot();
        if slot
            .as_ref()
            .is_some_and(|t| t.expires_at > stored.expires_at)
        {
            return;
        }
        if slot.is_none() {
            crate::metrics::pending_rotations(self.vendor, 1.0);
        }
        *slot = Some(Box::new(stored));
        drop(slot);
        tracing::warn!(
            vendor = self.vendor,
            "a rotated refresh token could not be stored; it is kept in memory and written by this session's next store access"
        );
    }

    /// Forgets `written` (stored now, or superseded by a newer entry) if it is still the one
    /// waiting.
    pub(super) fn done(&self, written: &StoredToken) {
        let mut slot = self.slot();
        if slot
            .as_ref()
            .is_some_and(|t| t.token.expose() == written.token.expose())
        {
            *slot = None;
            crate::metrics::pending_rotations(self.vendor, -1.0);
        }
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if self.slot().is_some() {
            crate::metrics::pending_rotations(self.vendor, -1.0);
            tracing::error!(
                vendor = self.vendor,
                "a session was dropped with a rotated refresh token it could never store; other processes cannot renew with the stored one"
            );
        }
    }
}

impl Fleet {
    /// Whether a rotation waits to be stored.
    pub(in crate::session) fn has_pending(&self) -> bool {
        self.pending.slot().is_some()
    }

    /// Writes the rotation waiting in memory, if any: the renewer calls it while the session
    /// is in use, so that a recovered store gets it before the next renewal.
    pub(in crate::session) async fn write_pending<E: LoginEndpoint>(
        &self,
        fetch: &Fetch<E>,
        current: Option<&Token>,
    ) {
        if self.ready().await.is_err() {
            return;
        }
        let held = current
            .map(Token::expires_at)
            .max(self.pending.expires_at());
        Through {
            fleet: self,
            fetch,
            held,
        }
        .write_pending()
        .await;
    }
}

impl<E: LoginEndpoint> Through<'_, E> {
    /// Writes `stored` over `version` under `fence`, again with backoff while the store fails.
    pub(super) async fn write_token(
        &self,
        version: Option<u64>,
        stored: &StoredToken,
        fence: u64,
    ) -> Result<Swap, StoreError> {
        let fleet = self.fleet;
        let mut pause = FIRST_WRITE_PAUSE;
        let mut attempt = 1;
        loop {
            let swap = fleet
                .store
                .compare_and_swap(fleet.key(), version, stored, fence);
            match self.call("swap", swap).await {
                Ok(swap) => return Ok(swap),
                Err(err) if attempt >= WRITE_ATTEMPTS => return Err(err),
                Err(err) => {
                    tracing::warn!(error = %err, attempt, "the token could not be stored; writing it again");
                    tokio::time::sleep(jittered(pause)).await;
                    pause *= 2;
                    attempt += 1;
                }
            }
        }
    }

    /// Writes the token waiting in memory, if any, before anything else touches the store:
    /// under the lease, over the version read, unless the entry is newer (then the fleet has
    /// moved on and the waiting token is dropped). Whatever fails leaves it waiting.
    pub(super) async fn write_pending(&self) {
        let fleet = self.fleet;
        let Some(waiting) = fleet.pending.get() else {
            return;
        };
        let lease = match self
            .call(
                "lease",
                fleet.store.try_lease(fleet.key(), fleet.settings.lease),
            )
            .await
        {
            Ok(Some(lease)) => lease,
            // Another process renews: the next access tries again.
            Ok(None) => return,
            Err(err) => {
                tracing::warn!(error = %err, "the unstored rotation is still waiting: no lease");
                return;
            }
        };
        let written = match self.call("load", fleet.store.load(fleet.key())).await {
            Ok(entry) => {
                let newer = entry
                    .as_ref()
                    .filter(|e| self.own(e))
                    .is_some_and(|e| e.token.expires_at > waiting.expires_at);
                if newer {
                    tracing::info!(
                        "the store holds a newer token than the unstored rotation; it is dropped"
                    );
                    fleet.pending.done(&waiting);
                    Ok(())
                } else {
                    let version = entry.map(|e| e.version);
                    match self.write_token(version, &waiting, lease.fence()).await {
                        Ok(Swap::Written { .. }) => {
                            tracing::info!("the unstored rotation is stored now");
                            fleet.pending.done(&waiting);
                            Ok(())
                        }
                        // Written meanwhile under a newer lease: the next access looks again.
                        Ok(Swap::Conflict) => Ok(()),
                        Err(err) => Err(err),
                    }
                }
            }
            Err(err) => Err(err),
        };
        if let Err(err) = written {
            tracing::warn!(error = %err, "the unstored rotation is still waiting");
        }
        if let Err(err) = self
            .call("release", fleet.store.release(fleet.key(), lease))
            .await
        {
            tracing::warn!(error = %err, "the login lease could not be released");
        }
    }
}
