//! A seller's consent in the store: the entry an onboarding writes, and the refresh token a
//! vendor refused, taken out of the entry so that no process sends it again.

use super::{Fleet, Through};
use crate::endpoint::LoginEndpoint;
use crate::error::Error;
use crate::secret::Secret;
use crate::session::fetch::Fetch;
use crate::store::{StoreError, StoredToken, Swap, Versioned};
use crate::token::Token;

/// Under the lease: the entry without its refresh token, which the vendor refused. The access
/// token stays (it may still be accepted until it expires); the next session for the seller
/// finds no refresh token and sends nothing. Only the refresh token that was sent is taken out:
/// an entry holding another (newer) one is left as it is.
pub(super) async fn drop_refused_refresh_token<E: LoginEndpoint>(
    fleet: &Fleet,
    fetch: &Fetch<E>,
    entry: Option<&Versioned>,
    sent: Option<&Secret>,
    fence: u64,
) {
    let Some(entry) = entry else { return };
    let holds_the_refused_one = match (&entry.token.refresh_token, sent) {
        (Some(stored), Some(sent)) => stored.expose() == sent.expose(),
        _ => false,
    };
    if !holds_the_refused_one {
        return;
    }
    let through = Through {
        fleet,
        fetch,
        held: None,
    };
    let stored = StoredToken {
        refresh_token: None,
        ..entry.token.clone()
    };
    let swap = fleet
        .store
        .compare_and_swap(fleet.key(), Some(entry.version), &stored, fence);
    match through.call("swap", swap).await {
        Ok(Swap::Written { .. }) => {
            tracing::info!("the refused refresh token was removed from the store");
        }
        Ok(Swap::Conflict) => {
            tracing::info!("the entry changed meanwhile (a new consent?); left as it is");
        }
        Err(err) => tracing::warn!(error = %err, "the refused refresh token could not be removed"),
    }
}

impl Fleet {
    /// Stores `token`, just issued for a new consent, as the entry of this session's account,
    /// under its lease: it replaces whatever the entry held (a new consent supersedes the old
    /// refresh token).
    pub(in crate::session) async fn seed<E: LoginEndpoint>(
        &self,
        fetch: &Fetch<E>,
        token: &Token,
    ) -> Result<(), Error> {
        let through = Through {
            fleet: self,
            fetch,
            held: None,
        };
        let stored = through.stored_form(token);
        self.seed_stored(fetch, stored).await
    }

    /// Stores `stored` (a new consent's tokens, or a seller's entry moved from an older key) as
    /// the entry of this session's account, as [`Fleet::seed`] does.
    pub(in crate::session) async fn seed_stored<E: LoginEndpoint>(
        &self,
        fetch: &Fetch<E>,
        stored: StoredToken,
    ) -> Result<(), Error> {
        let through = Through {
            fleet: self,
            fetch,
            held: None,
        };
        let written = self.seed_under_lease(&through, &stored).await;
        if written.is_err() {
            // The code is spent: this token is the seller's only credential now. It waits in
            // the session, and is written by its next store access.
            self.pending.keep(stored);
        }
        written
    }

    async fn seed_under_lease<E: LoginEndpoint>(
        &self,
        through: &Through<'_, E>,
        stored: &StoredToken,
    ) -> Result<(), Error> {
        let store_error = |source| Error::Store {
            vendor: E::SPEC.vendor,
            source,
        };
        self.ready().await.map_err(store_error)?;
        let lease = self.try_lease_patiently(through).await?;
        let written = match through.call("load", self.store.load(self.key())).await {
            Ok(entry) => {
                let version = entry.map(|e| e.version);
                let swap = self
                    .store
                    .compare_and_swap(self.key(), version, stored, lease.fence());
                through.call("swap", swap).await
            }
            Err(err) => Err(err),
        };
        if let Err(err) = through
            .call("release", self.store.release(self.key(), lease))
            .await
        {
            tracing::warn!(error = %err, "the onboarding lease could not be released");
        }
        match written.map_err(store_error)? {
            Swap::Written { .. } => Ok(()),
            Swap::Conflict => Err(store_error(crate::store::StoreError::Busy)),
        }
    }

    /// The account's lease, waiting while another process holds it (it is renewing the seller
    /// that is being onboarded again), at most one lease period.
    async fn try_lease_patiently<E: LoginEndpoint>(
        &self,
        through: &Through<'_, E>,
    ) -> Result<crate::store::Lease, Error> {
        let give_up = tokio::time::Instant::now() + self.settings.lease;
        let mut pause = super::FIRST_PAUSE;
        loop {
            let lease = self.store.try_lease(self.key(), self.settings.lease);
            match through.call("lease", lease).await {
                Ok(Some(lease)) => return Ok(lease),
                Ok(None) if tokio::time::Instant::now() < give_up => {
                    tokio::time::sleep(super::jittered(pause)).await;
                    pause = (pause * 2).min(super::MAX_PAUSE);
                }
                Ok(None) => {
                    return Err(Error::Store {
                        vendor: E::SPEC.vendor,
                        source: crate::store::StoreError::Busy,
                    });
                }
                Err(source) => {
                    return Err(Error::Store {
                        vendor: E::SPEC.vendor,
                        source,
                    });
                }
            }
        }
    }
}

impl Fleet {
    /// This session's own entry, read without a lease (nothing is sent, nothing written).
    pub(in crate::session) async fn own_entry(&self) -> Result<Option<StoredToken>, StoreError> {
        self.ready().await?;
        let loaded = self.call("load", self.store.load(self.key())).await?;
        Ok(loaded.map(|entry| entry.token))
    }
}
