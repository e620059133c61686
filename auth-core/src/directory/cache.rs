//! The sellers' clients a directory holds: bounded, least recently asked for dropped first.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use tokio::time::Instant;

use crate::client::AuthorizedClient;

/// At most `capacity` clients (more only while sessions hold rotations the store has not
/// taken: those are never dropped). When full, the oldest eighth (by last use) is dropped at
/// once, so that dropping costs one pass over the cache every `capacity / 8` new sellers.
pub(super) struct Cache {
    capacity: usize,
    /// Clients not asked for in this long (ms) are dropped, at the next insert after a quarter
    /// of it has passed since the last such look.
    idle_ms: u64,
    last_idle_look: AtomicU64,
    epoch: Instant,
    entries: Mutex<HashMap<Box<str>, Entry>>,
}

struct Entry {
    client: AuthorizedClient,
    /// Milliseconds since the cache's epoch when the seller was last asked for.
    last_used: AtomicU64,
}

impl Entry {
    /// Whether the seller's session holds a rotated refresh token the store has not taken.
    fn keeps_a_rotation(&self) -> bool {
        self.client.session().has_pending_rotation()
    }
}

impl Cache {
    pub(super) fn new(capacity: usize, idle: Duration) -> Self {
        Cache {
            capacity: capacity.max(1),
            idle_ms: u64::try_from(idle.as_millis()).unwrap_or(u64::MAX).max(1),
            last_idle_look: AtomicU64::new(0),
            epoch: Instant::now(),
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn now(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<Box<str>, Entry>> {
        // The map is consistent whatever a panicking holder did: each change is one call.
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The seller's client, if the cache holds it.
    pub(super) fn get(&self, account: &str) -> Option<AuthorizedClient> {
        let now = self.now();
        let entries = self.lock();
        let entry = entries.get(account)?;
        entry.last_used.store(now, Ordering::Relaxed);
        Some(entry.client.clone())
    }

    /// The seller's client the cache holds, or else `client`, kept for next time (two callers
    /// that built one at once get the same).
    pub(super) fn get_or_insert(
        &self,
        account: &str,
        client: AuthorizedClient,
    ) -> AuthorizedClient {
        let now = self.now();
        let mut entries = self.lock();
        if let Some(entry) = entries.get(account) {
            entry.last_used.store(now, Ordering::Relaxed);
            return entry.client.clone();
        }
        self.make_room(&mut entries);
        entries.insert(
            account.into(),
            Entry {
                client: client.clone(),
                last_used: AtomicU64::new(now),
            },
        );
        client
    }

    /// Puts `client` in place of whatever the cache held for the seller.
    pub(super) fn insert(&self, account: &str, client: AuthorizedClient) {
        let now = self.now();
        let mut entries = self.lock();
        if !entries.contains_key(account) {
            self.make_room(&mut entries);
        }
        entries.insert(
            account.into(),
            Entry {
                client,
                last_used: AtomicU64::new(now),
            },
        );
    }

    pub(super) fn len(&self) -> usize {
        self.lock().len()
    }

    /// Drops the clients not asked for since `idle`.
    pub(super) fn drop_idle(&self, idle: Duration) -> usize {
        let idle = u64::try_from(idle.as_millis()).unwrap_or(u64::MAX);
        let cutoff = self.now().saturating_sub(idle);
        let mut entries = self.lock();
        let before = entries.len();
        // A session with a rotation the store has not taken stays: it is the seller's only copy.
        entries.retain(|_, e| e.last_used.load(Ordering::Relaxed) > cutoff || e.keeps_a_rotation());
        before - entries.len()
    }

    /// Drops the clients idle for the cache's idle period, now and then; when still full, the
    /// least recently used eighth.
    fn make_room(&self, entries: &mut HashMap<Box<str>, Entry>) {
        let now = self.now();
        if now.saturating_sub(self.last_idle_look.load(Ordering::Relaxed)) >= self.idle_ms / 4 {
            self.last_idle_look.store(now, Ordering::Relaxed);
            let cutoff = now.saturating_sub(self.idle_ms);
            entries.retain(|_, e| {
                e.last_used.load(Ordering::Relaxed) > cutoff || e.keeps_a_rotation()
            });
        }
        if entries.len() < self.capacity {
            return;
        }
        let mut ages: Vec<u64> = entries
            .values()
            .map(|e| e.last_used.load(Ordering::Relaxed))
            .collect();
        let drop = (self.capacity / 8).max(1).min(ages.len());
        let (_, cutoff, _) = ages.select_nth_unstable(drop - 1);
        let cutoff = *cutoff;
        let mut left = drop;
        entries.retain(|_, e| {
            if left > 0 && e.last_used.load(Ordering::Relaxed) <= cutoff && !e.keeps_a_rotation() {
                left -= 1;
                false
            } else {
                true
            }
        });
    }
}
