//! One app, many sellers: the seller directory against the sandbox. Sellers are onboarded with
//! their codes, then served from the store by id; every call acts for the right seller, and a
//! seller without a usable refresh token costs no request at all.

mod common;

use std::sync::Arc;

use auth_core::store::{MemoryStore, TokenStore};
use auth_core::{ConfigError, ConsentNeeded, Error, ErrorClass, Secret, SellerDirectory};
use futures_util::{StreamExt, stream};
use serde_json::Value;
use vendors::iop::IopApp;
use vendors::lazada::LazadaTokenCreate;
use vendors::sandbox::{Sandbox, Vendor, amazon, ebay, iop, mercadolibre, shopee, tiktok};
use vendors::{lazada, mercadolibre as ml};

fn iop_app() -> IopApp {
    IopApp {
        app_key: iop::DEMO_APP_KEY.into(),
        app_secret: Secret::from(iop::DEMO_APP_SECRET),
    }
}

fn lazada_directory(
    sandbox: &Sandbox,
    store: Arc<dyn TokenStore>,
) -> SellerDirectory<LazadaTokenCreate> {
    lazada::directory(iop_app())
        .store(store)
        .token_base_url(sandbox.base_url(Vendor::Lazada))
        .api_base_url(sandbox.api_url(Vendor::Lazada))
        .build()
        .unwrap()
}

/// The seller `/seller/get` says the client acts for.
async fn seller_of(directory: &SellerDirectory<LazadaTokenCreate>, seller: &str) -> String {
    let client = directory.seller(seller).unwrap();
    let answer = client.get("/seller/get").send().await.unwrap();
    let body: Value = serde_json::from_slice(&answer.bytes().await.unwrap()).unwrap();
    assert_eq!(body["code"], "0", "{body}");
    body["data"]["seller_id"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_sellers_onboarded_once_are_each_served_for_themselves_by_any_process() {
    const SELLERS: usize = 1_000;
    let sandbox = Sandbox::start().await.unwrap();
    let sim = sandbox.lazada();
    let store: Arc<dyn TokenStore> = Arc::new(MemoryStore::new());
    let first = lazada_directory(&sandbox, Arc::clone(&store));
    let sellers: Vec<String> = (0..SELLERS).map(|i| format!("{}", 500_000 + i)).collect();

    let onboarded: Vec<String> = stream::iter(sellers.iter())
        .map(|seller| {
            let code = sim.issue_code_for(iop::DEMO_APP_KEY, seller);
            let first = first.clone();
            async move { first.onboard(Secret::from(code), None).await.unwrap() }
        })
        .buffered(16)
        .collect()
        .await;
    assert_eq!(
        onboarded, sellers,
        "each seller's id is learned from the answer"
    );
    assert_eq!(
        sim.state().login_count(),
        SELLERS as u64,
        "one exchange per seller"
    );
    // One entry per seller: no second entry keyed by the code.
    let keys = store.list().await.unwrap();
    assert_eq!(keys.len(), SELLERS);

    // Another process: a directory of its own on the same store. No code, no exchange, no
    // refresh: each seller's stored token is adopted and acts for that seller only.
    let second = lazada_directory(&sandbox, Arc::clone(&store));
    let served: Vec<(String, String)> = stream::iter(sellers.iter())
        .map(|seller| {
            let second = second.clone();
            async move { (seller.clone(), seller_of(&second, seller).await) }
        })
        .buffered(16)
        .collect()
        .await;
    for (asked, acted_for) in &served {
        assert_eq!(asked, acted_for);
    }
    assert_eq!(sim.state().login_count(), SELLERS as u64);
    assert_eq!(sim.state().refresh_count(), 0);
    assert_eq!(second.live_sellers(), SELLERS);
}

#[tokio::test]
async fn a_seller_never_onboarded_needs_consent_and_nothing_is_sent() {
    let sandbox = Sandbox::start().await.unwrap();
    let directory = lazada_directory(&sandbox, Arc::new(MemoryStore::new()));
    let client = directory.seller("424242").unwrap();
    let err = client.get("/seller/get").send().await.unwrap_err();
    match &err {
        Error::NeedsConsent {
            account, reason, ..
        } => {
            assert_eq!(account, "424242");
            assert_eq!(reason, &ConsentNeeded::NotOnboarded);
        }
        other => panic!("expected NeedsConsent, got {other:?}"),
    }
    assert_eq!(err.class(), ErrorClass::NeedsConsent);
    assert!(!err.is_retryable());
    let state = sandbox.lazada().state();
    assert_eq!(
        (
            state.login_count(),
            state.refresh_count(),
            state.protected_count()
        ),
        (0, 0, 0),
        "nothing reached the vendor"
    );
}

fn ml_directory(
    sandbox: &Sandbox,
    store: Arc<dyn TokenStore>,
) -> SellerDirectory<ml::MercadoLibreLogin> {
    ml_directory_with_secret(sandbox, store, mercadolibre::DEMO_CLIENT_SECRET)
}

/// Mercado Libre's sellers for the demo app, with this client secret (a wrong one, say).
fn ml_directory_with_secret(
    sandbox: &Sandbox,
    store: Arc<dyn TokenStore>,
    client_secret: &str,
) -> SellerDirectory<ml::MercadoLibreLogin> {
    ml::directory(ml::MercadoLibreApp {
        client_id: mercadolibre::DEMO_CLIENT_ID.into(),
        client_secret: Secret::from(client_secret),
        redirect_uri: mercadolibre::DEMO_REDIRECT_URI.into(),
    })
    .store(store)
    .token_base_url(sandbox.base_url(Vendor::MercadoLibre))
    .api_base_url(sandbox.api_url(Vendor::MercadoLibre))
    .build()
    .unwrap()
}

#[tokio::test]
async fn a_refused_refresh_token_needs_consent_and_no_process_sends_it_again() {
    let sandbox = Sandbox::start().await.unwrap();
    let sim = sandbox.mercadolibre();
    let store: Arc<dyn TokenStore> = Arc::new(MemoryStore::new());
    let directory = ml_directory(&sandbox, Arc::clone(&store));
    let seller = directory
        .onboard(Secret::from(sim.issue_code()), None)
        .await
        .unwrap();
    assert_eq!(seller, mercadolibre::DEMO_USER_ID.to_string());

    // The seller revoked the app: its refresh token dies with it.
    sim.ledger().revoke_refresh_tokens();
    let session = directory.seller(&seller).unwrap().session().clone();
    let err = session.renew().await.unwrap_err();
    assert!(
        matches!(
            &err,
            Error::NeedsConsent { reason: ConsentNeeded::Refused(said), .. }
                if said.code.as_deref() == Some("invalid_grant")
        ),
        "{err:?}"
    );
    let refreshes = sim.state().refresh_count();
    let logins = sim.state().login_count();
    assert_eq!(
        (logins, refreshes),
        (1, 1),
        "one exchange, one refused refresh"
    );

    // Another process: the store still holds the access token (valid until it expires), but no
    // longer the refused refresh token.
    let other = ml_directory(&sandbox, Arc::clone(&store));
    let other_session = other.seller(&seller).unwrap().session().clone();
    let adopted = other_session.token().await.unwrap();
    assert!(adopted.refresh_token().is_none());
    let err = other_session.renew().await.unwrap_err();
    assert!(
        matches!(
            &err,
            Error::NeedsConsent {
                reason: ConsentNeeded::NoRefreshToken,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(sim.state().refresh_count(), refreshes, "not sent again");
    assert_eq!(sim.state().login_count(), logins, "no code sent");

    // A new consent brings the seller back, in every process.
    let again = directory
        .onboard(Secret::from(sim.issue_code()), None)
        .await
        .unwrap();
    assert_eq!(again, seller);
    assert_eq!(other.drop_idle(std::time::Duration::ZERO), 1);
    let back = other.seller(&seller).unwrap().session().clone();
    let adopted = back.token().await.unwrap();
    assert!(adopted.refresh_token().is_some(), "the new consent's entry");
    back.renew().await.unwrap();
    assert_eq!(sim.state().refresh_count(), refreshes + 1);
}

#[tokio::test]
async fn a_vendor_whose_answer_does_not_name_the_seller_needs_its_id_before_the_code_is_spent() {
    let sandbox = Sandbox::start().await.unwrap();
    let sim = sandbox.shopee();
    let directory = shopee_directory(&sandbox, Arc::new(MemoryStore::new()));
    let code = sim.issue_code();
    let err = directory
        .onboard(Secret::from(code.clone()), None)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Config {
                problem: ConfigError::SellerRequired,
                ..
            }
        ),
        "{err:?}"
    );
    let err = directory
        .onboard(Secret::from(code.clone()), Some("shop-one"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Config {
                problem: ConfigError::BadSellerId { .. },
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(sim.state().login_count(), 0, "the code was not spent");
    let shop = shopee::DEMO_SHOP_ID.to_string();
    // Another spelling of the same shop is the same seller (one key in the store).
    let seller = directory
        .onboard(Secret::from(code), Some(&format!("+0{shop}")))
        .await
        .unwrap();
    assert_eq!(seller, shop);
}

fn shopee_directory(
    sandbox: &Sandbox,
    store: Arc<dyn TokenStore>,
) -> SellerDirectory<vendors::shopee::ShopeeLogin> {
    vendors::shopee::directory(vendors::shopee::ShopeeApp {
        partner_id: shopee::DEMO_PARTNER_ID,
        partner_key: Secret::from(shopee::DEMO_PARTNER_KEY),
    })
    .store(store)
    .token_base_url(sandbox.base_url(Vendor::Shopee))
    .api_base_url(sandbox.api_url(Vendor::Shopee))
    .build()
    .unwrap()
}

/// eBay's users of the demo app.
fn ebay_directory(
    sandbox: &Sandbox,
    store: Arc<dyn TokenStore>,
) -> SellerDirectory<vendors::ebay::EbayCodeExchange> {
    vendors::ebay::directory(vendors::ebay::EbayApp {
        client_id: ebay::DEMO_CLIENT_ID.into(),
        client_secret: Secret::from(ebay::DEMO_CLIENT_SECRET),
        ru_name: ebay::DEMO_RU_NAME.into(),
    })
    .store(store)
    .token_base_url(sandbox.base_url(Vendor::Ebay))
    .api_base_url(sandbox.api_url(Vendor::Ebay))
    .build()
    .unwrap()
}

/// Every code-exchange vendor through its declaration: onboard once, then another process's
/// directory adopts the stored token and renews with the seller's refresh token, never a code.
#[tokio::test]
async fn every_code_exchange_vendor_onboards_and_renews_from_the_store() {
    let sandbox = Sandbox::start().await.unwrap();

    macro_rules! check {
        ($name:literal, $vendor:expr, $make:expr, $code:expr, $seller:expr, $expect:expr) => {{
            let store: Arc<dyn TokenStore> = Arc::new(MemoryStore::new());
            let make = $make;
            let first = make(Arc::clone(&store));
            let seller = first
                .onboard(Secret::from($code), $seller)
                .await
                .unwrap_or_else(|e| panic!("{}: {e}", $name));
            assert_eq!(seller, $expect, $name);
            let state = sandbox.vendor($vendor);
            let (logins, refreshes) = (state.login_count(), state.refresh_count());
            let second = make(Arc::clone(&store));
            let session = second.seller(&seller).unwrap().session().clone();
            let adopted = session.token().await.unwrap();
            assert_eq!(
                (state.login_count(), state.refresh_count()),
                (logins, refreshes),
                "{}: the stored token is adopted",
                $name
            );
            let renewed = session
                .renew()
                .await
                .unwrap_or_else(|e| panic!("{}: {e}", $name));
            assert_ne!(adopted.secret().expose(), renewed.secret().expose(), $name);
            assert_eq!(
                state.login_count() + state.refresh_count(),
                logins + refreshes + 1,
                "{}: one refresh",
                $name
            );
        }};
    }

    let tiktok_app = vendors::tiktok::TiktokApp {
        app_key: tiktok::DEMO_APP_KEY.into(),
        app_secret: Secret::from(tiktok::DEMO_APP_SECRET),
    };
    check!(
        "TikTok Shop",
        Vendor::Tiktok,
        |store| vendors::tiktok::directory(tiktok_app.clone())
            .store(store)
            .token_base_url(sandbox.base_url(Vendor::Tiktok))
            .api_base_url(sandbox.api_url(Vendor::Tiktok))
            .build()
            .unwrap(),
        sandbox.tiktok().issue_code(),
        None,
        tiktok::DEMO_SELLER
    );
    let shop = shopee::DEMO_SHOP_ID.to_string();
    check!(
        "Shopee",
        Vendor::Shopee,
        |store| shopee_directory(&sandbox, store),
        sandbox.shopee().issue_code(),
        Some(shop.as_str()),
        shop
    );
    check!(
        "Mercado Libre",
        Vendor::MercadoLibre,
        |store| ml_directory(&sandbox, store),
        sandbox.mercadolibre().issue_code(),
        None,
        mercadolibre::DEMO_USER_ID.to_string()
    );
    check!(
        "eBay",
        Vendor::Ebay,
        |store| ebay_directory(&sandbox, store),
        sandbox.ebay().issue_code(),
        Some(ebay::DEMO_USER),
        ebay::DEMO_USER
    );
    let amazon_app = vendors::amazon::AmazonApp {
        client_id: amazon::DEMO_CLIENT_ID.into(),
        client_secret: Secret::from(amazon::DEMO_CLIENT_SECRET),
        redirect_uri: amazon::DEMO_REDIRECT_URI.into(),
    };
    check!(
        "Amazon",
        Vendor::Amazon,
        |store| vendors::amazon::directory(amazon_app.clone())
            .store(store)
            .token_base_url(sandbox.base_url(Vendor::Amazon))
            .api_base_url(sandbox.api_url(Vendor::Amazon))
            .build()
            .unwrap(),
        sandbox.amazon().issue_code(),
        Some(amazon::DEMO_SELLER),
        amazon::DEMO_SELLER
    );
}

/// Sellers in use are renewed ahead of expiry by one task of the directory, not one per seller:
/// each seller's token is refreshed once, before it could no longer be sent.
#[tokio::test(start_paused = true)]
async fn sellers_in_use_are_renewed_ahead_by_one_task_of_the_directory() {
    const SELLERS: usize = 50;
    let sandbox = Sandbox::start().await.unwrap();
    let sim = sandbox.lazada();
    sim.state()
        .set_token_lifetime(std::time::Duration::from_secs(100));
    let directory = lazada_directory(&sandbox, Arc::new(MemoryStore::new()));
    let mut sessions = Vec::new();
    for i in 0..SELLERS {
        let seller = format!("{}", 700_000 + i);
        let code = sim.issue_code_for(iop::DEMO_APP_KEY, &seller);
        directory.onboard(Secret::from(code), None).await.unwrap();
        sessions.push(directory.seller(&seller).unwrap().session().clone());
    }
    let metrics = tokio::runtime::Handle::current().metrics();
    let before = metrics.num_alive_tasks();
    let first: Vec<_> = futures_util::future::join_all(sessions.iter().map(|s| s.token()))
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    tokio::task::yield_now().await;
    let watching = metrics.num_alive_tasks();
    assert!(
        watching <= before + 1,
        "{SELLERS} sellers in use cost {} tasks",
        watching - before
    );
    // In use for 150 s (past the first tokens' 100 s), asked every 5 s: each renewed once, ahead.
    for _ in 0..30 {
        tokio::time::sleep(std::time::Duration::from_secs(5)).await;
        for session in &sessions {
            let token = session.token().await.unwrap();
            assert!(token.expires_at() > std::time::SystemTime::now());
        }
    }
    assert_eq!(sim.state().refresh_count(), SELLERS as u64);
    for (session, first) in sessions.iter().zip(&first) {
        let now = session.token().await.unwrap();
        assert_ne!(now.secret().expose(), first.secret().expose());
        assert_eq!(session.stats().refresh_requests, 1);
    }
}

/// Onboards `count` Lazada sellers numbered from `first`; their ids.
async fn onboard_lazada(
    sandbox: &Sandbox,
    directory: &SellerDirectory<LazadaTokenCreate>,
    first: usize,
    count: usize,
) -> Vec<String> {
    let mut sellers = Vec::new();
    for i in first..first + count {
        let seller = i.to_string();
        let code = sandbox.lazada().issue_code_for(iop::DEMO_APP_KEY, &seller);
        directory.onboard(Secret::from(code), None).await.unwrap();
        sellers.push(seller);
    }
    sellers
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keep_alive_refreshes_each_seller_at_risk_once_even_with_two_sweepers_and_loses_none() {
    use auth_core::KeepAlive;
    use std::time::Duration;
    const SELLERS: usize = 40;
    let sandbox = Sandbox::start().await.unwrap();
    let sim = sandbox.lazada();
    // The sellers' refresh tokens live ten minutes: at risk within twenty, not within five.
    sim.set_refresh_lifetime(Some(Duration::from_secs(600)));
    let store: Arc<dyn TokenStore> = Arc::new(MemoryStore::new());
    let first = lazada_directory(&sandbox, Arc::clone(&store));
    let sellers = onboard_lazada(&sandbox, &first, 800_000, SELLERS).await;
    let second = lazada_directory(&sandbox, Arc::clone(&store));

    let quiet = first
        .keep_alive(&KeepAlive::within(Duration::from_secs(300)))
        .await
        .unwrap();
    assert_eq!(quiet.not_due, SELLERS);
    assert!(quiet.refreshed.is_empty() && quiet.is_ok());
    assert_eq!(sim.state().refresh_count(), 0);

    // Refreshed ones live an hour, beyond the window: a sweeper that finds a seller refreshed
    // by the other adopts its token instead of refreshing again.
    sim.set_refresh_lifetime(Some(Duration::from_secs(3600)));
    // Two sweepers at once (two processes' cron jobs): each seller refreshed exactly once.
    let plan = KeepAlive::within(Duration::from_secs(1200)).concurrency(4);
    let (a, b) = tokio::join!(first.keep_alive(&plan), second.keep_alive(&plan));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert!(a.is_ok() && b.is_ok(), "{a:?} {b:?}");
    assert_eq!(
        sim.state().refresh_count(),
        SELLERS as u64,
        "one refresh per seller"
    );
    let mut covered: Vec<String> = a.refreshed.iter().chain(&b.refreshed).cloned().collect();
    covered.sort();
    covered.dedup();
    assert_eq!(
        covered.len(),
        SELLERS,
        "every seller kept alive by one of them"
    );

    // None lost: every seller's stored refresh token is the live one, now outliving the window
    // of the next sweep, and a third process renews each with it.
    let again = first
        .keep_alive(&KeepAlive::within(Duration::from_secs(600)))
        .await
        .unwrap();
    assert_eq!(again.not_due, SELLERS);
    let third = lazada_directory(&sandbox, Arc::clone(&store));
    for seller in &sellers {
        let session = third.seller(seller).unwrap().session().clone();
        session.token().await.unwrap();
        session.renew().await.unwrap();
    }
    assert_eq!(sim.state().refresh_count(), 2 * SELLERS as u64);
    assert_eq!(
        sim.state().login_count(),
        SELLERS as u64,
        "no code sent again"
    );
}

#[tokio::test]
async fn a_refresh_token_the_vendor_said_has_died_is_not_sent() {
    let sandbox = Sandbox::start().await.unwrap();
    let sim = sandbox.lazada();
    // `refresh_expires_in: 0`: IOP's "this refresh token cannot be used".
    sim.set_refresh_lifetime(Some(std::time::Duration::ZERO));
    let directory = lazada_directory(&sandbox, Arc::new(MemoryStore::new()));
    let sellers = onboard_lazada(&sandbox, &directory, 900_000, 1).await;
    let session = directory.seller(&sellers[0]).unwrap().session().clone();
    let err = session.renew().await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::NeedsConsent {
                reason: ConsentNeeded::Expired { .. },
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(sim.state().refresh_count(), 0, "nothing sent");
    let report = directory
        .keep_alive(&auth_core::KeepAlive::within(
            std::time::Duration::from_secs(60),
        ))
        .await
        .unwrap();
    assert_eq!(report.needs_consent, sellers);
    assert_eq!(
        sim.state().refresh_count(),
        0,
        "nothing sent by the sweep either"
    );
}

/// The directory's flows (onboarding, requests, renewals, a refused refresh token, a sweep)
/// with tracing and the HTTP stack's log records captured, and every new public type
/// `Debug`-formatted: no app secret, code, token or refresh token appears anywhere.
#[tokio::test]
async fn no_seller_directory_flow_leaks_a_secret() {
    use auth_core::KeepAlive;
    let captured = common::capture::Captured::log_records();
    let _guard = tracing::subscriber::set_default(captured.subscriber());
    let sandbox = Sandbox::start().await.unwrap();
    let mut printed = Vec::new();
    let mut secrets: Vec<String> = vec![
        iop::DEMO_APP_SECRET.to_owned(),
        auth_core::md5_hex(iop::DEMO_APP_SECRET),
        mercadolibre::DEMO_CLIENT_SECRET.to_owned(),
    ];

    let store: Arc<dyn TokenStore> = Arc::new(MemoryStore::new());
    let builder = lazada::directory(iop_app()).store(Arc::clone(&store));
    printed.push(format!("{builder:?} {:?}", iop_app()));
    let directory = lazada_directory(&sandbox, Arc::clone(&store));
    let code = sandbox.lazada().issue_code_for(iop::DEMO_APP_KEY, "1001");
    secrets.push(code.clone());
    let seller = directory.onboard(Secret::from(code), None).await.unwrap();
    let client = directory.seller(&seller).unwrap();
    client.get("/seller/get").send().await.unwrap();
    let session = client.session().clone();
    for token in [
        session.token().await.unwrap(),
        session.renew().await.unwrap(),
    ] {
        secrets.push(token.secret().expose().to_owned());
        secrets.extend(token.refresh_token().map(|r| r.expose().to_owned()));
        printed.push(format!("{token:?}"));
    }
    printed.push(format!("{directory:?} {client:?} {session:?}"));
    let report = directory
        .keep_alive(&KeepAlive::within(std::time::Duration::from_secs(
            30 * 86_400,
        )))
        .await
        .unwrap();
    printed.push(format!("{report:?}"));

    // A refused refresh token: the error, its source, its Debug.
    let ml = ml_directory(&sandbox, Arc::clone(&store));
    let code = sandbox.mercadolibre().issue_code();
    secrets.push(code.clone());
    let seller = ml.onboard(Secret::from(code), None).await.unwrap();
    let ml_session = ml.seller(&seller).unwrap().session().clone();
    let token = ml_session.token().await.unwrap();
    secrets.push(token.secret().expose().to_owned());
    secrets.extend(token.refresh_token().map(|r| r.expose().to_owned()));
    sandbox.mercadolibre().ledger().revoke_refresh_tokens();
    let err = ml_session.renew().await.unwrap_err();
    assert_eq!(err.class(), ErrorClass::NeedsConsent);
    printed.push(format!(
        "{err}\n{err:?}\n{:?}",
        std::error::Error::source(&err)
    ));

    let everything = format!("{}\n{}", captured.text(), printed.join("\n"));
    assert!(everything.contains("1001"), "the capture works");
    for secret in &secrets {
        assert!(secret.len() >= 6, "too short to search for: {secret:?}");
        assert!(
            !everything.contains(secret.as_str()),
            "a secret leaked: {secret:.4}…"
        );
    }
}

/// A refresh refused for the app (a wrong client secret), not for the refresh token, leaves the
/// seller's refresh token in the store: one misconfigured process does not cost every seller's
/// consent.
#[tokio::test]
async fn a_refusal_of_the_app_not_of_the_refresh_token_keeps_the_stored_refresh_token() {
    let sandbox = Sandbox::start().await.unwrap();
    let sim = sandbox.mercadolibre();
    let store: Arc<dyn TokenStore> = Arc::new(MemoryStore::new());
    let good = ml_directory(&sandbox, Arc::clone(&store));
    let seller = good
        .onboard(Secret::from(sim.issue_code()), None)
        .await
        .unwrap();
    let wrong =
        ml_directory_with_secret(&sandbox, Arc::clone(&store), "a-rotated-or-mistyped-secret");
    let session = wrong.seller(&seller).unwrap().session().clone();
    session.token().await.unwrap();
    let err = session.renew().await.unwrap_err();
    assert_eq!(err.class(), ErrorClass::Rejected, "{err:?}");
    assert_eq!(
        err.vendor_said().and_then(|s| s.code.as_deref()),
        Some("invalid_client")
    );
    let stored = store.list().await.unwrap();
    assert!(
        stored[0].1.refresh_token.is_some(),
        "the refresh token is kept"
    );
    // The well-configured process still renews the seller.
    let session = good.seller(&seller).unwrap().session().clone();
    session.token().await.unwrap();
    session.renew().await.unwrap();
}

/// Sellers' refreshes start within the plan's spread, whatever the concurrency: waiting for a
/// free slot does not push the later ones back (virtual time: no wall clock in the verdict).
#[tokio::test(start_paused = true)]
async fn a_keep_alive_sweep_spreads_its_refreshes_over_the_plan_s_period_and_no_longer() {
    use auth_core::KeepAlive;
    use std::time::Duration;
    const SELLERS: usize = 10;
    let sandbox = Sandbox::start().await.unwrap();
    sandbox
        .lazada()
        .set_refresh_lifetime(Some(Duration::from_secs(600)));
    let directory = lazada_directory(&sandbox, Arc::new(MemoryStore::new()));
    onboard_lazada(&sandbox, &directory, 810_000, SELLERS).await;
    sandbox
        .lazada()
        .set_refresh_lifetime(Some(Duration::from_secs(3600)));
    let spread = Duration::from_secs(100);
    let began = tokio::time::Instant::now();
    let report = directory
        .keep_alive(
            &KeepAlive::within(Duration::from_secs(1200))
                .concurrency(1)
                .spread(spread),
        )
        .await
        .unwrap();
    let took = began.elapsed();
    assert_eq!(report.refreshed.len(), SELLERS, "{report:?}");
    // The last seller starts at 9/10 of the spread; one refresh after it takes no virtual time.
    assert!(took >= spread.mul_f64(0.9), "{took:?}");
    assert!(
        took < spread + Duration::from_secs(10),
        "the sweep took {took:?}"
    );
}

/// A new consent whose store write fails is not lost (the code is spent): the directory keeps
/// the seller's session, serves the seller from it, and writes the entry when the store is back.
#[tokio::test]
async fn a_new_consent_the_store_refused_is_kept_and_written_when_the_store_is_back() {
    let sandbox = Sandbox::start().await.unwrap();
    let flaky = Arc::new(common::flaky_store::FlakyStore::default());
    let store: Arc<dyn TokenStore> = flaky.clone();
    let directory = lazada_directory(&sandbox, Arc::clone(&store));
    flaky.fail_writes(u32::MAX);
    let code = sandbox.lazada().issue_code_for(iop::DEMO_APP_KEY, "1001");
    let seller = directory.onboard(Secret::from(code), None).await.unwrap();
    assert!(store.list().await.unwrap().is_empty(), "nothing stored yet");
    assert_eq!(
        directory.drop_idle(std::time::Duration::ZERO),
        0,
        "kept while unstored"
    );
    assert_eq!(
        seller_of(&directory, &seller).await,
        seller,
        "served meanwhile"
    );
    flaky.recover();
    // The session's next store access writes it (a renewal here).
    let session = directory.seller(&seller).unwrap().session().clone();
    session.renew().await.unwrap();
    let stored = flaky.stored_refresh_token().await;
    assert!(stored.is_some(), "written once the store is back");
    // Another process renews with it: nothing was lost.
    let other = lazada_directory(&sandbox, Arc::clone(&store));
    let session = other.seller(&seller).unwrap().session().clone();
    session.token().await.unwrap();
    session.renew().await.unwrap();
    assert_eq!(
        sandbox.lazada().state().login_count(),
        1,
        "the code was sent once"
    );
}

/// A keep-alive refresh whose rotation the store refused is a failure in the report, and the
/// rotated refresh token stays in the directory (never dropped with a throw-away session).
#[tokio::test]
async fn a_keep_alive_refresh_the_store_refused_is_reported_and_kept() {
    use auth_core::KeepAlive;
    use std::time::Duration;
    let sandbox = Sandbox::start().await.unwrap();
    let sim = sandbox.lazada();
    sim.set_refresh_lifetime(Some(Duration::from_secs(600)));
    let flaky = Arc::new(common::flaky_store::FlakyStore::default());
    let store: Arc<dyn TokenStore> = flaky.clone();
    let directory = lazada_directory(&sandbox, Arc::clone(&store));
    onboard_lazada(&sandbox, &directory, 820_000, 1).await;
    assert_eq!(directory.drop_idle(Duration::ZERO), 1);
    let before = flaky.stored_refresh_token().await;
    sim.set_refresh_lifetime(Some(Duration::from_secs(3600)));
    flaky.fail_writes(u32::MAX);
    let report = directory
        .keep_alive(&KeepAlive::within(Duration::from_secs(1200)))
        .await
        .unwrap();
    assert_eq!(report.failed.len(), 1, "{report:?}");
    assert_eq!(report.failed[0].1.class(), ErrorClass::Store);
    assert_eq!(
        directory.live_sellers(),
        1,
        "the session with the rotation is kept"
    );
    assert_eq!(directory.drop_idle(Duration::ZERO), 0);
    flaky.recover();
    // The directory's scheduler writes it again after a backoff, unasked (a hang guard, not a
    // time limit: the verdict is whether it gets written).
    let mut after = flaky.stored_refresh_token().await;
    for _ in 0..600 {
        if after != before {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        after = flaky.stored_refresh_token().await;
    }
    assert!(
        after.is_some() && after != before,
        "the rotation is written"
    );
    assert!(sim.refresh_token_is_live(after.as_deref().unwrap()));
}

/// eBay's refresh answer carries no refresh token: a refresh does not extend the user's refresh
/// token, and the sweep says the user must approve again (one refresh tried, not two).
#[tokio::test]
async fn a_refresh_token_a_refresh_cannot_extend_is_reported_as_needing_consent() {
    use auth_core::KeepAlive;
    use std::time::Duration;
    let sandbox = Sandbox::start().await.unwrap();
    let sim = sandbox.ebay();
    sim.ledger()
        .set_refresh_lifetime(Some(Duration::from_secs(600)));
    let directory = ebay_directory(&sandbox, Arc::new(MemoryStore::new()));
    let user = directory
        .onboard(Secret::from(sim.issue_code()), Some(ebay::DEMO_USER))
        .await
        .unwrap();
    let sent = sim.state().login_count() + sim.state().refresh_count();
    let report = directory
        .keep_alive(&KeepAlive::within(Duration::from_secs(1200)))
        .await
        .unwrap();
    assert_eq!(report.needs_consent, vec![user], "{report:?}");
    assert!(report.refreshed.is_empty() && report.is_ok());
    assert_eq!(
        sim.state().login_count() + sim.state().refresh_count(),
        sent + 1,
        "one refresh tried"
    );
}

/// A seller stored by an earlier version (a session built from the code alone, keyed by a
/// fingerprint of the code) is moved to the seller's own key with that code, which is not sent
/// again.
#[tokio::test]
async fn an_entry_stored_under_a_code_s_key_is_moved_to_the_seller_without_sending_the_code() {
    let sandbox = Sandbox::start().await.unwrap();
    let sim = sandbox.shopee();
    let store: Arc<dyn TokenStore> = Arc::new(MemoryStore::new());
    let code = sim.issue_code();
    let before = auth_core::Session::builder(vendors::shopee::ShopeeLogin {
        partner_id: shopee::DEMO_PARTNER_ID,
        partner_key: Secret::from(shopee::DEMO_PARTNER_KEY),
        code: Secret::from(code.clone()),
        shop_id: shopee::DEMO_SHOP_ID,
    })
    .base_url(sandbox.base_url(Vendor::Shopee))
    .store(Arc::clone(&store))
    .build()
    .unwrap();
    before.token().await.unwrap();
    assert_eq!(sim.state().login_count(), 1);

    let directory = shopee_directory(&sandbox, Arc::clone(&store));
    let shop = shopee::DEMO_SHOP_ID.to_string();
    let err = directory
        .seller(&shop)
        .unwrap()
        .session()
        .token()
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::NeedsConsent {
                reason: ConsentNeeded::NotOnboarded,
                ..
            }
        ),
        "{err:?}"
    );
    let moved = directory
        .adopt_entry_of_code(Secret::from(code.clone()), Some(&shop))
        .await
        .unwrap();
    assert_eq!(moved.as_deref(), Some(shop.as_str()));
    let session = directory.seller(&shop).unwrap().session().clone();
    session.token().await.unwrap();
    session.renew().await.unwrap();
    assert_eq!(
        sim.state().login_count(),
        1,
        "the code was sent once, by the earlier version"
    );
    assert_eq!(sim.state().refresh_count(), 1);
    // A code with no entry of its own finds nothing, and sends nothing.
    let unknown = directory
        .adopt_entry_of_code(Secret::from(sim.issue_code()), Some(&shop))
        .await
        .unwrap();
    assert_eq!(unknown, None);
    assert_eq!(sim.state().login_count(), 1);
}

/// Sellers nobody asked for within the idle period leave the cache on their own (virtual time).
#[tokio::test(start_paused = true)]
async fn idle_sellers_leave_the_directory_on_their_own() {
    use std::time::Duration;
    let sandbox = Sandbox::start().await.unwrap();
    let directory = lazada::directory(iop_app())
        .store(Arc::new(MemoryStore::new()))
        .token_base_url(sandbox.base_url(Vendor::Lazada))
        .api_base_url(sandbox.api_url(Vendor::Lazada))
        .drop_idle_after(Duration::from_secs(600))
        .build()
        .unwrap();
    let sellers = onboard_lazada(&sandbox, &directory, 830_000, 3).await;
    assert_eq!(directory.live_sellers(), 3);
    tokio::time::advance(Duration::from_secs(300)).await;
    directory.seller(&sellers[0]).unwrap();
    tokio::time::advance(Duration::from_secs(301)).await;
    // The next seller added looks: the two not asked for in ten minutes go, the third stays.
    onboard_lazada(&sandbox, &directory, 830_100, 1).await;
    assert_eq!(directory.live_sellers(), 2);
    // Rebuilt from the store when asked for again: nothing sent.
    let refreshes = sandbox.lazada().state().refresh_count();
    directory
        .seller(&sellers[1])
        .unwrap()
        .session()
        .token()
        .await
        .unwrap();
    assert_eq!(sandbox.lazada().state().refresh_count(), refreshes);
}

/// Another app's sellers in the same store (or this app's under another token URL) are not this
/// directory's to refresh: counted, not silently skipped, and nothing is sent for them.
#[tokio::test]
async fn a_sweep_counts_the_entries_of_other_apps_and_sends_nothing_for_them() {
    use auth_core::KeepAlive;
    use std::time::Duration;
    let sandbox = Sandbox::start().await.unwrap();
    sandbox
        .lazada()
        .set_refresh_lifetime(Some(Duration::from_secs(600)));
    let store: Arc<dyn TokenStore> = Arc::new(MemoryStore::new());
    let ours = lazada_directory(&sandbox, Arc::clone(&store));
    onboard_lazada(&sandbox, &ours, 840_000, 3).await;
    let other_app = lazada::directory(IopApp {
        app_key: "200002".into(),
        app_secret: Secret::from("another-app-secret"),
    })
    .store(Arc::clone(&store))
    .token_base_url(sandbox.base_url(Vendor::Lazada))
    .build()
    .unwrap();
    let report = other_app
        .keep_alive(&KeepAlive::within(Duration::from_secs(1200)))
        .await
        .unwrap();
    assert_eq!(report.other_apps, 3, "{report:?}");
    assert!(report.refreshed.is_empty() && report.failed.is_empty() && report.not_due == 0);
    assert_eq!(sandbox.lazada().state().refresh_count(), 0);
}
