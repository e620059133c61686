//! Tokens in this process's memory: the store of sessions that share nothing else.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use futures_util::future::BoxFuture;
use tokio::time::Instant;

use super::{FailureRecord, Lease, StoreError, StoredToken, Swap, TokenStore, Versioned};

/// A store in memory, shared by the sessions given the same instance: they share one token and
/// one login (its lease lives here too).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use std::time::{Duration, SystemTime};
/// use auth_core::store::{MemoryStore, StoredToken, Swap, TokenStore};
/// use auth_core::Secret;
///
/// let store = MemoryStore::new();
/// let lease = store.try_lease("igv-1", Duration::from_secs(5)).await.unwrap().unwrap();
/// assert!(store.try_lease("igv-1", Duration::from_secs(5)).await.unwrap().is_none());
/// let token = StoredToken {
///     token: Secret::from("t0k3n"),
///     scheme: None,
///     refresh_token: None,
///     refresh_expires_at: None,
///     expires_at: SystemTime::now() + Duration::from_secs(60),
///     account: None,
///     about: None,
/// };
/// let swap = store.compare_and_swap("igv-1", None, &token, lease.fence()).await.unwrap();
/// assert_eq!(swap, Swap::Written { version: 1 });
/// assert_eq!(store.compare_and_swap("igv-1", None, &token, lease.fence()).await.unwrap(), Swap::Conflict);
/// store.release("igv-1", lease).await.unwrap();
/// # }
/// ```
#[derive(Debug, Default)]
pub struct MemoryStore {
    keys: Mutex<HashMap<String, Slot>>,
}

#[derive(Debug, Default)]
struct Slot {
    entry: Option<Versioned>,
    /// The fence of the newest write.
    written_fence: u64,
    /// The fence of the newest lease granted.
    granted_fence: u64,
    lease: Option<(String, Instant)>,
    failures: Option<FailureRecord>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        MemoryStore::default()
    }

    /// The keys that hold a token (for inspection in tests and tools).
    pub fn keys(&self) -> Vec<String> {
        let keys = self.lock();
        let mut names: Vec<String> = keys
            .iter()
            .filter(|(_, slot)| slot.entry.is_some())
            .map(|(name, _)| name.clone())
            .collect();
        names.sort();
        names
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Slot>> {
        // Nothing panics while the map is held, so a poisoned lock still holds a valid map.
        self.keys.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl TokenStore for MemoryStore {
    fn load<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<Versioned>, StoreError>> {
        let entry = self.lock().get(key).and_then(|slot| slot.entry.clone());
        Box::pin(async move { Ok(entry) })
    }

    fn compare_and_swap<'a>(
        &'a self,
        key: &'a str,
        expected: Option<u64>,
        token: &'a StoredToken,
        fence: u64,
    ) -> BoxFuture<'a, Result<Swap, StoreError>> {
        let mut keys = self.lock();
        let slot = keys.entry(key.to_owned()).or_default();
        let current = slot.entry.as_ref().map(|e| e.version);
        let swap = if current != expected || fence < slot.written_fence {
            Swap::Conflict
        } else {
            let version = current.unwrap_or(0) + 1;
            slot.entry = Some(Versioned {
                token: token.clone(),
                version,
            });
            slot.written_fence = fence;
            Swap::Written { version }
        };
        Box::pin(async move { Ok(swap) })
    }

    fn try_lease<'a>(
        &'a self,
        key: &'a str,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<Option<Lease>, StoreError>> {
        let now = Instant::now();
        let mut keys = self.lock();
        let slot = keys.entry(key.to_owned()).or_default();
        let held = slot.lease.as_ref().is_some_and(|(_, until)| *until > now);
        let lease = (!held).then(|| {
            let owner = Lease::random_owner();
            slot.granted_fence += 1;
            slot.lease = Some((owner.clone(), now + ttl));
            Lease::new(owner, slot.granted_fence)
        });
        Box::pin(async move { Ok(lease) })
    }

    fn extend_lease<'a>(
        &'a self,
        key: &'a str,
        lease: &'a Lease,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<bool, StoreError>> {
        let now = Instant::now();
        let mut keys = self.lock();
        let held = match keys.get_mut(key).and_then(|slot| slot.lease.as_mut()) {
            Some((owner, until)) if owner == lease.owner() && *until > now => {
                *until = now + ttl;
                true
            }
            _ => false,
        };
        Box::pin(async move { Ok(held) })
    }

    fn release<'a>(&'a self, key: &'a str, lease: Lease) -> BoxFuture<'a, Result<(), StoreError>> {
        let mut keys = self.lock();
        if let Some(slot) = keys.get_mut(key)
            && slot
                .lease
                .as_ref()
                .is_some_and(|(owner, _)| owner == lease.owner())
        {
            slot.lease = None;
        }
        Box::pin(async { Ok(()) })
    }

    fn load_failures<'a>(
        &'a self,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Option<FailureRecord>, StoreError>> {
        let record = self.lock().get(key).and_then(|slot| slot.failures.clone());
        Box::pin(async move { Ok(record) })
    }

    fn write_failures<'a>(
        &'a self,
        key: &'a str,
        record: Option<&'a FailureRecord>,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        self.lock().entry(key.to_owned()).or_default().failures = record.cloned();
        Box::pin(async { Ok(()) })
    }

    fn list(&self) -> BoxFuture<'_, Result<Vec<(String, StoredToken)>, StoreError>> {
        let mut entries: Vec<(String, StoredToken)> = self
            .lock()
            .iter()
            .filter_map(|(key, slot)| Some((key.clone(), slot.entry.as_ref()?.token.clone())))
            .collect();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        Box::pin(async move { Ok(entries) })
    }

    fn remove<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<bool, StoreError>> {
        let removed = self.lock().get_mut(key).is_some_and(|slot| {
            slot.failures = None;
            slot.entry.take().is_some()
        });
        Box::pin(async move { Ok(removed) })
    }
}
