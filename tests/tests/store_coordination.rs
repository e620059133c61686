//! Sessions in one process sharing a store behave as a fleet: one login, adoption of a newer
//! token after a rejection or a renewal, and a store that hangs or fails costs at most its
//! timeout, ending as configured.

mod common;

use std::sync::Arc;
use std::time::Duration;

use auth_core::store::{Lease, MemoryStore, StoreError, StoredToken, Swap, TokenStore, Versioned};
use auth_core::{AuthorizedClient, Error, StoreFailure};
use common::igv_builder;
use futures_util::future::{BoxFuture, pending};
use vendors::sandbox::{Sandbox, Vendor, igv};

#[tokio::test]
async fn two_sessions_on_one_store_make_one_login_for_200_callers() {
    let sandbox = Sandbox::start().await.unwrap();
    let store: Arc<dyn TokenStore> = Arc::new(MemoryStore::new());
    let sessions: Vec<_> = (0..2)
        .map(|_| {
            igv_builder(&sandbox)
                .store(Arc::clone(&store))
                .build()
                .unwrap()
        })
        .collect();
    let callers: Vec<_> = (0..200)
        .map(|i| {
            let session = sessions[i % 2].clone();
            tokio::spawn(async move { session.token().await.unwrap() })
        })
        .collect();
    let mut tokens = std::collections::BTreeSet::new();
    for caller in callers {
        tokens.insert(caller.await.unwrap().secret().expose().to_owned());
    }
    assert_eq!(tokens.len(), 1);
    assert_eq!(sandbox.igv().login_count(), 1);
}

// Paused time: the lease's expiry, its extensions and the vendor's delay all run on tokio's
// clock, so the verdict is the same on any machine, however busy.
#[tokio::test(start_paused = true)]
async fn a_login_slower_than_the_lease_keeps_it_and_the_other_session_waits() {
    let sandbox = Sandbox::start().await.unwrap();
    // The vendor takes four leases' time to answer the first login.
    sandbox
        .igv()
        .push_fault(vendors::sandbox::Fault::Slow(Duration::from_millis(1200)));
    let store: Arc<dyn TokenStore> = Arc::new(MemoryStore::new());
    let sessions: Vec<_> = (0..2)
        .map(|_| {
            igv_builder(&sandbox)
                .store(Arc::clone(&store))
                .store_lease(Duration::from_millis(300))
                .build()
                .unwrap()
        })
        .collect();
    let first = tokio::spawn({
        let session = sessions[0].clone();
        async move { session.token().await.unwrap() }
    });
    for waited in 0.. {
        if sandbox.igv().login_count() > 0 {
            break;
        }
        assert!(waited < 10_000, "the first login never reached the vendor");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let second = sessions[1].token().await.unwrap();
    let first = first.await.unwrap();
    assert_eq!(
        sandbox.igv().login_count(),
        1,
        "no second login beside the slow one"
    );
    assert_eq!(first.secret().expose(), second.secret().expose());
}

#[tokio::test]
async fn after_a_rejection_the_second_session_adopts_the_first_ones_new_token() {
    let sandbox = Sandbox::start().await.unwrap();
    let store: Arc<dyn TokenStore> = Arc::new(MemoryStore::new());
    let client = || {
        let session = igv_builder(&sandbox)
            .store(Arc::clone(&store))
            .build()
            .unwrap();
        AuthorizedClient::new(session, sandbox.base_url(Vendor::Igv)).unwrap()
    };
    let (first, second) = (client(), client());
    for c in [&first, &second] {
        assert_eq!(c.get(igv::WHOAMI_PATH).send().await.unwrap().status(), 200);
    }
    assert_eq!(sandbox.igv().login_count(), 1);
    sandbox.igv().revoke_all();
    for c in [&first, &second] {
        assert_eq!(c.get(igv::WHOAMI_PATH).send().await.unwrap().status(), 200);
    }
    assert_eq!(
        sandbox.igv().login_count(),
        2,
        "the first session logged in again; the second adopted its token"
    );
    assert_eq!(second.session().stats().login_requests, 0);
}

#[tokio::test(start_paused = true)]
async fn a_renewal_by_one_session_is_adopted_by_the_other() {
    let sandbox = Sandbox::start().await.unwrap();
    let store: Arc<dyn TokenStore> = Arc::new(MemoryStore::new());
    let sessions: Vec<_> = (0..2)
        .map(|_| {
            igv_builder(&sandbox)
                .store(Arc::clone(&store))
                .build()
                .unwrap()
        })
        .collect();
    let lifetime = sandbox.igv().token_lifetime();
    let mut elapsed = Duration::ZERO;
    // Both are in use for one token lifetime: each renews ahead at 75-85% of it, on its own
    // random schedule; the later one finds the earlier one's token in the store.
    while elapsed < lifetime {
        for session in &sessions {
            session.token().await.unwrap();
        }
        tokio::time::sleep(Duration::from_secs(60)).await;
        elapsed += Duration::from_secs(60);
    }
    assert_eq!(
        sandbox.igv().login_count(),
        2,
        "the first login and one renewal"
    );
    let logins: u64 = sessions.iter().map(|s| s.stats().login_requests).sum();
    assert_eq!(logins, 2);
    let (a, b) = (
        sessions[0].token().await.unwrap(),
        sessions[1].token().await.unwrap(),
    );
    assert_eq!(a.secret().expose(), b.secret().expose());
}

/// A store whose every call hangs, or fails at once.
struct BrokenStore {
    hang: bool,
}

impl BrokenStore {
    fn answer<'a, T: Send + 'a>(&self) -> BoxFuture<'a, Result<T, StoreError>> {
        if self.hang {
            Box::pin(pending())
        } else {
            Box::pin(async { Err(StoreError::Unavailable("connection refused".into())) })
        }
    }
}

impl TokenStore for BrokenStore {
    fn load<'a>(&'a self, _: &'a str) -> BoxFuture<'a, Result<Option<Versioned>, StoreError>> {
        self.answer()
    }
    fn compare_and_swap<'a>(
        &'a self,
        _: &'a str,
        _: Option<u64>,
        _: &'a StoredToken,
        _: u64,
    ) -> BoxFuture<'a, Result<Swap, StoreError>> {
        self.answer()
    }
    fn try_lease<'a>(
        &'a self,
        _: &'a str,
        _: Duration,
    ) -> BoxFuture<'a, Result<Option<Lease>, StoreError>> {
        self.answer()
    }
    fn extend_lease<'a>(
        &'a self,
        _: &'a str,
        _: &'a Lease,
        _: Duration,
    ) -> BoxFuture<'a, Result<bool, StoreError>> {
        self.answer()
    }
    fn release<'a>(&'a self, _: &'a str, _: Lease) -> BoxFuture<'a, Result<(), StoreError>> {
        self.answer()
    }
}

#[tokio::test]
async fn a_broken_store_costs_at_most_its_timeout_then_fails_or_logs_in_alone() {
    let sandbox = Sandbox::start().await.unwrap();
    let timeout = Duration::from_millis(200);
    for hang in [true, false] {
        let session = |choice| {
            igv_builder(&sandbox)
                .store(Arc::new(BrokenStore { hang }))
                .store_timeout(timeout)
                .on_store_failure(choice)
                .build()
                .unwrap()
        };
        let before = sandbox.igv().login_count();
        let bound = Duration::from_secs(10);
        let failed = tokio::time::timeout(bound, session(StoreFailure::Fail).token())
            .await
            .expect("no hang");
        match failed {
            Err(Error::Store { source, .. }) => {
                assert_eq!(
                    matches!(source, StoreError::Timeout(t) if t == timeout),
                    hang,
                    "{source}"
                );
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            sandbox.igv().login_count(),
            before,
            "no login without the lease"
        );
        let alone = tokio::time::timeout(bound, session(StoreFailure::LoginLocally).token())
            .await
            .expect("no hang");
        assert!(alone.is_ok());
        assert_eq!(sandbox.igv().login_count(), before + 1);
    }
}
