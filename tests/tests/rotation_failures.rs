//! A rotated refresh token is never lost (issue 25, item 5): against the sandbox's Shopee,
//! whose refresh tokens are single use, with a store that fails on demand. Each test counts
//! what the vendor saw: code exchanges (`login_count`) and refreshes (`refresh_count`).

mod common;

use std::sync::Arc;
use std::time::Duration;

use auth_core::store::{StoreError, TokenStore};
use auth_core::{Error, Secret, Session, SessionBuilder, StoreFailure};
use common::flaky_store::FlakyStore;
use vendors::sandbox::{Sandbox, Vendor, shopee};
use vendors::shopee::ShopeeLogin;

/// A session for the demo shop, by its account, through `store`, holding `code`.
fn shop(sandbox: &Sandbox, store: &Arc<FlakyStore>, code: &str) -> SessionBuilder<ShopeeLogin> {
    Session::builder(ShopeeLogin {
        partner_id: shopee::DEMO_PARTNER_ID,
        partner_key: Secret::from(shopee::DEMO_PARTNER_KEY),
        code: Secret::from(code),
        shop_id: shopee::DEMO_SHOP_ID,
    })
    .base_url(sandbox.base_url(Vendor::Shopee))
    .account(shopee::DEMO_SHOP_ID.to_string())
    .store(Arc::clone(store) as Arc<dyn TokenStore>)
}

/// The refresh token `session` holds now (its cached token's).
async fn held_refresh(session: &Session<ShopeeLogin>) -> String {
    let token = session.token().await.unwrap();
    token.refresh_token().unwrap().expose().to_owned()
}

/// A second process's session for the shop: it has no code of its own (the one it names was
/// spent long ago), only the store.
fn other_process(sandbox: &Sandbox, store: &Arc<FlakyStore>) -> Session<ShopeeLogin> {
    shop(sandbox, store, "spent-long-ago").build().unwrap()
}

#[tokio::test]
async fn a_rotation_the_store_refused_is_retried_and_then_written_by_the_next_store_access() {
    let sandbox = Sandbox::start().await.unwrap();
    let sim = sandbox.shopee();
    let store = Arc::new(FlakyStore::default());
    let session = shop(&sandbox, &store, &sim.issue_code()).build().unwrap();
    session.token().await.unwrap();

    // One failed write: the renewal writes again and the store holds the new refresh token.
    store.fail_writes(1);
    session.renew().await.unwrap();
    assert_eq!(store.failed_writes(), 1);
    let newest = held_refresh(&session).await;
    assert_eq!(
        store.stored_refresh_token().await,
        Some(newest.clone()),
        "retried within the renewal"
    );

    // The store refuses every write: the renewal still succeeds (the default), its rotation is
    // kept in memory.
    store.fail_writes(u32::MAX);
    session.renew().await.unwrap();
    let unstored = held_refresh(&session).await;
    assert_ne!(unstored, newest);
    assert!(
        store.failed_writes() > 2,
        "retried: {}",
        store.failed_writes()
    );
    assert_eq!(
        store.stored_refresh_token().await,
        Some(newest),
        "spent, and still stored"
    );

    // Recovered: the next store access writes the kept rotation first.
    store.recover();
    let refreshes = sim.state().refresh_count();
    let renewed = session.renew().await.unwrap();
    assert_eq!(
        sim.state().refresh_count(),
        refreshes + 1,
        "one refresh, with the kept token"
    );
    let stored = store.stored_refresh_token().await.unwrap();
    assert_eq!(
        Some(stored.as_str()),
        renewed.refresh_token().map(|r| r.expose())
    );
    assert!(sim.ledger().refresh_token_is_live(&stored));

    // Another process refreshes with what the store holds; no code is ever sent again.
    let other = other_process(&sandbox, &store);
    other.token().await.unwrap();
    other.renew().await.unwrap();
    assert_eq!(sim.state().login_count(), 1, "one code exchange, the first");
}

#[tokio::test]
async fn with_store_failure_fail_an_unstored_rotation_is_an_error_and_is_written_by_the_next_call()
{
    let sandbox = Sandbox::start().await.unwrap();
    let sim = sandbox.shopee();
    let store = Arc::new(FlakyStore::default());
    let session = shop(&sandbox, &store, &sim.issue_code())
        .on_store_failure(StoreFailure::Fail)
        .build()
        .unwrap();
    session.token().await.unwrap();
    let spent = store.stored_refresh_token().await.unwrap();

    store.fail_writes(u32::MAX);
    let refreshes = sim.state().refresh_count();
    match session.renew().await {
        Err(Error::Store { .. }) => {}
        other => panic!("the renewal could not store its rotation: {other:?}"),
    }
    assert_eq!(
        sim.state().refresh_count(),
        refreshes + 1,
        "the vendor rotated"
    );
    assert!(!sim.ledger().refresh_token_is_live(&spent));

    // Recovered: the next call writes the kept token first and hands it out; no refresh.
    store.recover();
    let kept = session.renew().await.unwrap();
    assert_eq!(
        sim.state().refresh_count(),
        refreshes + 1,
        "nothing was lost, nothing sent"
    );
    let stored = store.stored_refresh_token().await.unwrap();
    assert_eq!(
        Some(stored.as_str()),
        kept.refresh_token().map(|r| r.expose())
    );
    assert!(sim.ledger().refresh_token_is_live(&stored));
    let other = other_process(&sandbox, &store);
    other.token().await.unwrap();
    other.renew().await.unwrap();
    assert_eq!(sim.state().login_count(), 1);
}

#[tokio::test]
async fn a_forced_renewal_after_the_store_recovered_never_adopts_the_older_stored_token() {
    let sandbox = Sandbox::start().await.unwrap();
    let sim = sandbox.shopee();
    let store = Arc::new(FlakyStore::default());
    let session = shop(&sandbox, &store, &sim.issue_code()).build().unwrap();
    let older = session.token().await.unwrap();

    store.fail_writes(u32::MAX);
    let newer = session.renew().await.unwrap();
    store.recover();
    let refreshes = sim.state().refresh_count();
    let renewed = session.renew().await.unwrap();
    assert_ne!(
        renewed.secret().expose(),
        older.secret().expose(),
        "the older stored token"
    );
    assert_ne!(
        renewed.secret().expose(),
        newer.secret().expose(),
        "a renewal is newer"
    );
    assert!(renewed.expires_at() >= newer.expires_at());
    assert_eq!(sim.state().refresh_count(), refreshes + 1);
    assert_eq!(sim.state().login_count(), 1);
}

#[tokio::test]
async fn a_store_that_times_out_never_leads_to_sending_a_code() {
    let sandbox = Sandbox::start().await.unwrap();
    let sim = sandbox.shopee();
    let store = Arc::new(FlakyStore::default());
    let timeout = Duration::from_millis(200);
    let onboarded = shop(&sandbox, &store, &sim.issue_code())
        .store_timeout(timeout)
        .build()
        .unwrap();
    onboarded.token().await.unwrap();
    assert_eq!(sim.state().login_count(), 1);

    // A new process whose store does not answer: it holds no refresh token, and the default
    // (log in locally) would mean sending its code.
    store.hang_loads();
    let fresh = shop(&sandbox, &store, &sim.issue_code())
        .store_timeout(timeout)
        .build()
        .unwrap();
    match tokio::time::timeout(Duration::from_secs(30), fresh.token())
        .await
        .unwrap()
    {
        Err(Error::Store {
            source: StoreError::Timeout(t),
            ..
        }) => assert_eq!(t, timeout),
        other => panic!("no token without the store: {other:?}"),
    }
    assert_eq!(sim.state().login_count(), 1, "no code sent");

    // A session holding a refresh token may refresh without the store; its rotation is kept
    // and written once the store answers again.
    let onboarded_refreshes = sim.state().refresh_count();
    tokio::time::timeout(Duration::from_secs(30), onboarded.renew())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(sim.state().refresh_count(), onboarded_refreshes + 1);
    store.recover();
    let again = onboarded.renew().await.unwrap();
    let stored = store.stored_refresh_token().await.unwrap();
    assert_eq!(
        Some(stored.as_str()),
        again.refresh_token().map(|r| r.expose())
    );
    assert_eq!(sim.state().login_count(), 1, "no code sent");
}
