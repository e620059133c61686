//! A token store that fails on demand: a [`MemoryStore`] whose writes (token writes and leases)
//! or loads fail, or hang, while the test says so.
#![allow(dead_code)]

use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::Duration;

use auth_core::store::{
    FailureRecord, Lease, MemoryStore, StoreError, StoredToken, Swap, TokenStore, Versioned,
};
use futures_util::future::{BoxFuture, pending};

/// How a call the test made fail fails.
const OFF: u32 = 0;
const FAIL: u32 = 1;
const HANG: u32 = 2;

/// A [`MemoryStore`] with switches.
#[derive(Default)]
pub struct FlakyStore {
    inner: MemoryStore,
    /// Token writes (`compare_and_swap`) to fail from now on, one per write; `u32::MAX` keeps failing.
    failing_writes: AtomicU32,
    loads: AtomicU32,
    /// Token writes that failed so far.
    failed_writes: AtomicU64,
}

impl FlakyStore {
    /// The next `n` token writes fail (`u32::MAX`: until [`FlakyStore::recover`]).
    pub fn fail_writes(&self, n: u32) {
        self.failing_writes.store(n, Ordering::SeqCst);
    }

    /// Every load hangs (the session's store timeout ends it) until [`FlakyStore::recover`].
    pub fn hang_loads(&self) {
        self.loads.store(HANG, Ordering::SeqCst);
    }

    /// Every load fails at once until [`FlakyStore::recover`].
    pub fn fail_loads(&self) {
        self.loads.store(FAIL, Ordering::SeqCst);
    }

    /// Every call works again.
    pub fn recover(&self) {
        self.failing_writes.store(0, Ordering::SeqCst);
        self.loads.store(OFF, Ordering::SeqCst);
    }

    /// Token writes that failed so far.
    pub fn failed_writes(&self) -> u64 {
        self.failed_writes.load(Ordering::SeqCst)
    }

    /// The refresh token of the only entry, as the store holds it now.
    pub async fn stored_refresh_token(&self) -> Option<String> {
        let entries = self.inner.list().await.unwrap();
        assert!(entries.len() <= 1, "one entry at most: {}", entries.len());
        entries
            .into_iter()
            .next()
            .and_then(|(_, token)| token.refresh_token)
            .map(|r| r.expose().to_owned())
    }

    fn take_write_failure(&self) -> bool {
        let taken = self
            .failing_writes
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| match n {
                0 => None,
                u32::MAX => Some(u32::MAX),
                n => Some(n - 1),
            })
            .is_ok();
        if taken {
            self.failed_writes.fetch_add(1, Ordering::SeqCst);
        }
        taken
    }
}

fn failed<'a, T: Send + 'a>() -> BoxFuture<'a, Result<T, StoreError>> {
    Box::pin(async { Err(StoreError::Unavailable("the test broke the store".into())) })
}

impl TokenStore for FlakyStore {
    fn load<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<Versioned>, StoreError>> {
        match self.loads.load(Ordering::SeqCst) {
            HANG => Box::pin(pending()),
            FAIL => failed(),
            _ => self.inner.load(key),
        }
    }
    fn compare_and_swap<'a>(
        &'a self,
        key: &'a str,
        expected: Option<u64>,
        token: &'a StoredToken,
        fence: u64,
    ) -> BoxFuture<'a, Result<Swap, StoreError>> {
        if self.take_write_failure() {
            return failed();
        }
        self.inner.compare_and_swap(key, expected, token, fence)
    }
    fn try_lease<'a>(
        &'a self,
        key: &'a str,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<Option<Lease>, StoreError>> {
        self.inner.try_lease(key, ttl)
    }
    fn extend_lease<'a>(
        &'a self,
        key: &'a str,
        lease: &'a Lease,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<bool, StoreError>> {
        self.inner.extend_lease(key, lease, ttl)
    }
    fn release<'a>(&'a self, key: &'a str, lease: Lease) -> BoxFuture<'a, Result<(), StoreError>> {
        self.inner.release(key, lease)
    }
    fn load_failures<'a>(
        &'a self,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Option<FailureRecord>, StoreError>> {
        self.inner.load_failures(key)
    }
    fn write_failures<'a>(
        &'a self,
        key: &'a str,
        record: Option<&'a FailureRecord>,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        self.inner.write_failures(key, record)
    }
    fn list(&self) -> BoxFuture<'_, Result<Vec<(String, StoredToken)>, StoreError>> {
        self.inner.list()
    }
}
