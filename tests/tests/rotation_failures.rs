//! A rotated refresh token is never lost (issue 25, item 5): against the sandbox's Shopee,
//! whose refresh tokens are single use, with a store that fails on demand. Each test counts
//! what the vendor saw: code exchanges (`login_count`) and refreshes (`refresh_count`). The
//! last one kills a real process between the vendor's answer and the store's write.

mod common;

use std::sync::Arc;
use std::time::Duration;

use auth_core::store::{StoreError, TokenStore};
use auth_core::{Error, Secret, Session, SessionBuilder, StoreFailure};
use common::flaky_store::FlakyStore;
use common::fleet::Racer;
use common::redis_server::RedisServer;
use redis::aio::MultiplexedConnection;
use vendors::sandbox::{Fault, Sandbox, Vendor, shopee};
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

// Paused time: the renewer's backoff runs on tokio's clock.
#[tokio::test(start_paused = true)]
async fn a_session_in_use_writes_its_waiting_rotation_once_the_store_recovers() {
    let sandbox = Sandbox::start().await.unwrap();
    let sim = sandbox.shopee();
    let store = Arc::new(FlakyStore::default());
    let session = shop(&sandbox, &store, &sim.issue_code()).build().unwrap();
    session.token().await.unwrap();
    store.fail_writes(u32::MAX);
    session.renew().await.unwrap();
    let waiting = held_refresh(&session).await;
    store.recover();
    let refreshes = sim.state().refresh_count();
    // In use, a call a second, for ten minutes (its renewal is hours away): the renewer writes
    // the waiting rotation without waiting for the next renewal.
    for _ in 0..600 {
        if store.stored_refresh_token().await.as_ref() == Some(&waiting) {
            break;
        }
        session.token().await.unwrap();
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    assert_eq!(store.stored_refresh_token().await, Some(waiting));
    assert_eq!(
        sim.state().refresh_count(),
        refreshes,
        "written, not renewed"
    );
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

/// Sends `CLIENT PAUSE <ms> WRITE` (or `CLIENT UNPAUSE`) to the test's Redis.
async fn pause_writes(admin: &mut MultiplexedConnection, pause: bool) {
    let mut command = redis::cmd("CLIENT");
    match pause {
        true => command.arg("PAUSE").arg(600_000).arg("WRITE"),
        false => command.arg("UNPAUSE"),
    };
    let () = command.query_async(admin).await.unwrap();
}

/// The connections Redis serves, the test's own included.
async fn connections(admin: &mut MultiplexedConnection) -> usize {
    let list: String = redis::cmd("CLIENT")
        .arg("LIST")
        .query_async(admin)
        .await
        .unwrap();
    list.lines().count()
}

/// Polls until `done` holds (the sandbox runs in this process: its state is read directly).
async fn until(mut done: impl FnMut() -> bool) {
    while !done() {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

// The one window that remains: a process killed after the vendor rotated its refresh token and
// before any write of it succeeded takes the new one with it. What matters then is what the
// next process does: it is refused with the spent refresh token, says so, and sends no code.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_process_killed_before_it_stored_a_rotation_leaves_a_refusal_and_sends_no_code() {
    let sandbox = Sandbox::start().await.unwrap();
    let sim = sandbox.shopee();
    let redis = RedisServer::start();
    let (url, store) = (sandbox.base_url(Vendor::Shopee), redis.url());
    let client = redis::Client::open(redis.url()).unwrap();
    let admin = &mut client.get_multiplexed_async_connection().await.unwrap();
    let code = sim.issue_code();
    let (mut first, ready) = Racer::start_reading(&["shop", &url, &store, &code]).await;
    let mut spent = ready.strip_prefix("ready ").unwrap().to_owned();
    // The vendor answers the refresh after `slow`. Writes are paused once the refresh arrived;
    // when the refresh token is still live after that, the pause came before the vendor's
    // answer, so before the write. When it came too late, the worker stored its rotation: the
    // round is repeated with a slower vendor (no verdict depends on the machine's speed).
    let mut slow = Duration::from_millis(200);
    loop {
        let refreshes = sim.state().refresh_count();
        sim.state().push_fault(Fault::Slow(slow));
        first.send_renew();
        until(|| sim.state().refresh_count() > refreshes).await;
        pause_writes(admin, true).await;
        if sim.ledger().refresh_token_is_live(&spent) {
            break;
        }
        pause_writes(admin, false).await;
        let line;
        (first, line) = first.read_line().await;
        spent = line.strip_prefix("ok ").expect(&line).to_owned();
        slow *= 2;
        assert!(
            slow < Duration::from_secs(100),
            "the pause never came first"
        );
    }
    // The vendor answers: the refresh token is spent, the new one cannot be written. Killed
    // (SIGKILL) while it writes again.
    until(|| !sim.ledger().refresh_token_is_live(&spent)).await;
    drop(first);
    // Redis has closed the dead worker's connections (and dropped their paused writes) before
    // writes resume.
    while connections(admin).await > 1 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    pause_writes(admin, false).await;

    let (mut second, ready) = Racer::start_reading(&["shop", &url, &store, "spent-long-ago"]).await;
    assert_eq!(
        ready,
        format!("ready {spent}"),
        "the store still holds the spent one"
    );
    second.send_renew();
    let (_second, said) = second.read_line().await;
    assert!(
        said.starts_with("err ") && said.contains("refresh_token"),
        "the error names the refused refresh token: {said}"
    );
    assert_eq!(sim.state().login_count(), 1, "no code sent");
}
