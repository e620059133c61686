//! The six marketplaces end to end against the sandbox, through their ready declarations in
//! `vendors`: login or exchange, a protected call in the documented form, renewal (with the
//! refresh token rotating where the vendor rotates it), a rejected credential sent once, and a
//! revoked token recovered with one renewal.

mod common;

use auth_core::{AuthorizedClient, Error, ErrorClass, LoginEndpoint, RetryPolicy, Secret, Session};
use vendors::sandbox::{Sandbox, Vendor, amazon, ebay, mercadolibre, shopee, tiktok, walmart};
use vendors::{
    amazon as amz, ebay as eb, mercadolibre as ml, shopee as sp, tiktok as tt, walmart as wm,
};

fn session<E: LoginEndpoint>(endpoint: E, sandbox: &Sandbox, vendor: Vendor) -> Session<E> {
    Session::builder(endpoint)
        .base_url(sandbox.base_url(vendor))
        .retry(RetryPolicy::never())
        .build()
        .unwrap()
}

fn client<E: LoginEndpoint>(
    session: &Session<E>,
    sandbox: &Sandbox,
    vendor: Vendor,
) -> AuthorizedClient {
    AuthorizedClient::new(session.clone(), sandbox.api_url(vendor)).unwrap()
}

/// A call the vendor accepted, by its own record (TikTok Shop and Shopee answer errors inside
/// HTTP 200, so a status cannot tell, and the SDK's classifier is under test here); its answer.
async fn get_ok(
    client: &AuthorizedClient,
    sandbox: &Sandbox,
    vendor: Vendor,
    path: &str,
) -> serde_json::Value {
    let before = sandbox.vendor(vendor).accepted_count();
    let response = client.get(path).send().await.unwrap();
    let status = response.status();
    let body = response.bytes().await.unwrap();
    assert_eq!(
        sandbox.vendor(vendor).accepted_count(),
        before + 1,
        "{vendor:?} did not accept the call: HTTP {status} {}",
        String::from_utf8_lossy(&body)
    );
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    assert!(
        client.vendor_error(status.as_u16(), &body).is_none(),
        "the SDK calls an accepted answer an error: {}",
        String::from_utf8_lossy(&body)
    );
    serde_json::from_slice(&body).unwrap()
}

fn amazon_login(secret: &str) -> amz::AmazonLogin {
    amz::AmazonLogin::new(
        amazon::DEMO_CLIENT_ID,
        Secret::from(secret),
        Secret::from(amazon::DEMO_REFRESH_TOKEN),
    )
}

#[tokio::test]
async fn amazon_logs_in_with_the_sellers_refresh_token_and_recovers_a_revoked_token() {
    let sandbox = Sandbox::start().await.unwrap();
    let session = session(
        amazon_login(amazon::DEMO_CLIENT_SECRET),
        &sandbox,
        Vendor::Amazon,
    );
    let client = client(&session, &sandbox, Vendor::Amazon);
    let answer = get_ok(
        &client,
        &sandbox,
        Vendor::Amazon,
        amazon::PARTICIPATIONS_PATH,
    )
    .await;
    assert_eq!(answer["payload"][0]["storeName"], amazon::DEMO_SELLER);
    get_ok(
        &client,
        &sandbox,
        Vendor::Amazon,
        amazon::PARTICIPATIONS_PATH,
    )
    .await;
    let state = sandbox.amazon().state();
    assert_eq!(state.login_count(), 1, "the token is reused");
    // Revoked: the 403 makes one new login with the same (non-rotating) refresh token.
    state.revoke_all();
    get_ok(
        &client,
        &sandbox,
        Vendor::Amazon,
        amazon::PARTICIPATIONS_PATH,
    )
    .await;
    assert_eq!(state.login_count(), 2);
    assert!(
        sandbox
            .amazon()
            .ledger()
            .refresh_token_is_live(amazon::DEMO_REFRESH_TOKEN)
    );
}

#[tokio::test]
async fn amazon_consent_code_gives_the_refresh_token_later_logins_use() {
    let sandbox = Sandbox::start().await.unwrap();
    let exchange = amz::AmazonCodeExchange {
        code: Secret::from(sandbox.amazon().issue_code().as_str()),
        redirect_uri: amazon::DEMO_REDIRECT_URI.into(),
        client_id: amazon::DEMO_CLIENT_ID.into(),
        client_secret: Secret::from(amazon::DEMO_CLIENT_SECRET),
    };
    let first = session(exchange.clone(), &sandbox, Vendor::Amazon)
        .token()
        .await
        .unwrap();
    let refresh_token = first.refresh_token().unwrap().clone();
    let login = amz::AmazonLogin::new(
        amazon::DEMO_CLIENT_ID,
        Secret::from(amazon::DEMO_CLIENT_SECRET),
        refresh_token,
    );
    let session = session(login, &sandbox, Vendor::Amazon);
    get_ok(
        &client(&session, &sandbox, Vendor::Amazon),
        &sandbox,
        Vendor::Amazon,
        amazon::PARTICIPATIONS_PATH,
    )
    .await;
    // The code worked once.
    let err = self::session(exchange, &sandbox, Vendor::Amazon)
        .token()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Rejected { said, .. } if said.code.as_deref() == Some("invalid_grant")),
        "{err}"
    );
}

#[tokio::test]
async fn amazon_wrong_client_secret_is_sent_once() {
    let sandbox = Sandbox::start().await.unwrap();
    let session = session(amazon_login("wrong"), &sandbox, Vendor::Amazon);
    for _ in 0..3 {
        let err = session.token().await.unwrap_err();
        assert_eq!(err.class(), ErrorClass::Rejected, "{err}");
    }
    assert_eq!(sandbox.amazon().state().login_count(), 1);
}

#[tokio::test]
async fn amazon_grantless_token_is_refused_by_a_seller_operation() {
    let sandbox = Sandbox::start().await.unwrap();
    let grantless = amz::AmazonGrantless {
        scope: amz::SCOPE_NOTIFICATIONS.into(),
        client_id: amazon::DEMO_CLIENT_ID.into(),
        client_secret: Secret::from(amazon::DEMO_CLIENT_SECRET),
    };
    let session = session(grantless, &sandbox, Vendor::Amazon);
    session.token().await.unwrap();
    let bad_scope = amz::AmazonGrantless {
        scope: "sellingpartnerapi::everything".into(),
        client_id: amazon::DEMO_CLIENT_ID.into(),
        client_secret: Secret::from(amazon::DEMO_CLIENT_SECRET),
    };
    let err = self::session(bad_scope, &sandbox, Vendor::Amazon)
        .token()
        .await
        .unwrap_err();
    assert_eq!(err.class(), ErrorClass::Protocol, "invalid_scope: {err}");
}

#[tokio::test]
async fn ebay_user_and_application_tokens() {
    let sandbox = Sandbox::start().await.unwrap();
    let user = eb::EbayUser {
        client_id: ebay::DEMO_CLIENT_ID.into(),
        client_secret: Secret::from(ebay::DEMO_CLIENT_SECRET),
        refresh_token: Secret::from(ebay::DEMO_REFRESH_TOKEN),
    };
    let session = session(user, &sandbox, Vendor::Ebay);
    let client = client(&session, &sandbox, Vendor::Ebay);
    let answer = get_ok(&client, &sandbox, Vendor::Ebay, ebay::PRIVILEGE_PATH).await;
    assert_eq!(answer["username"], ebay::DEMO_USER);
    sandbox.ebay().state().revoke_all();
    get_ok(&client, &sandbox, Vendor::Ebay, ebay::PRIVILEGE_PATH).await;
    assert_eq!(
        sandbox.ebay().state().refresh_count(),
        2,
        "one renewal after the revocation"
    );

    let app =
        eb::EbayApplication::new(ebay::DEMO_CLIENT_ID, Secret::from(ebay::DEMO_CLIENT_SECRET));
    let app_session = self::session(app, &sandbox, Vendor::Ebay);
    let token = app_session.token().await.unwrap();
    assert!(
        token
            .header()
            .unwrap()
            .1
            .to_str()
            .unwrap()
            .starts_with("Bearer ")
    );
    let wrong = eb::EbayApplication::new(ebay::DEMO_CLIENT_ID, Secret::from("wrong"));
    let err = self::session(wrong, &sandbox, Vendor::Ebay)
        .token()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Rejected { said, .. } if said.code.as_deref() == Some("invalid_client")),
        "{err}"
    );
}

#[tokio::test]
async fn walmart_sends_a_fresh_correlation_id_on_every_call() {
    let sandbox = Sandbox::start().await.unwrap();
    let login = wm::WalmartLogin {
        client_id: walmart::DEMO_CLIENT_ID.into(),
        client_secret: Secret::from(walmart::DEMO_CLIENT_SECRET),
    };
    let session = session(login, &sandbox, Vendor::Walmart);
    let client = client(&session, &sandbox, Vendor::Walmart);
    // The sandbox refuses a reused correlation id: three calls pass only with three fresh ones.
    for _ in 0..3 {
        get_ok(&client, &sandbox, Vendor::Walmart, walmart::ORDERS_PATH).await;
    }
    let state = sandbox.walmart().state();
    assert_eq!((state.login_count(), state.protected_count()), (1, 3));
    state.revoke_all();
    get_ok(&client, &sandbox, Vendor::Walmart, walmart::ORDERS_PATH).await;
    assert_eq!(state.login_count(), 2);
}

#[tokio::test]
async fn tiktok_exchanges_a_code_signs_calls_and_refreshes_with_rotation() {
    let sandbox = Sandbox::start().await.unwrap();
    let sim = sandbox.tiktok();
    let code = sim.issue_code();
    let login = tt::TiktokLogin::new(
        tiktok::DEMO_APP_KEY,
        Secret::from(tiktok::DEMO_APP_SECRET),
        Secret::from(code.as_str()),
    );
    let session = session(login, &sandbox, Vendor::Tiktok);
    let client = client(&session, &sandbox, Vendor::Tiktok);
    let answer = get_ok(&client, &sandbox, Vendor::Tiktok, tiktok::SHOPS_PATH).await;
    assert_eq!(answer["data"]["shops"][0]["name"], "Sandbox shop");
    assert_eq!(sim.ledger().live_refresh_tokens(), 1);

    session.renew().await.unwrap();
    assert_eq!(
        (sim.state().login_count(), sim.state().refresh_count()),
        (1, 1)
    );
    assert_eq!(
        sim.ledger().live_refresh_tokens(),
        1,
        "the old refresh token is spent"
    );
    get_ok(&client, &sandbox, Vendor::Tiktok, tiktok::SHOPS_PATH).await;

    // Revoked: one refresh with the newest refresh token, no second exchange of the code.
    sim.state().revoke_all();
    get_ok(&client, &sandbox, Vendor::Tiktok, tiktok::SHOPS_PATH).await;
    assert_eq!(
        (sim.state().login_count(), sim.state().refresh_count()),
        (1, 2)
    );

    // The code was single use.
    let again = tt::TiktokLogin::new(
        tiktok::DEMO_APP_KEY,
        Secret::from(tiktok::DEMO_APP_SECRET),
        Secret::from(code.as_str()),
    );
    let err = self::session(again, &sandbox, Vendor::Tiktok)
        .token()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Rejected { said, .. } if said.code.as_deref() == Some("36004005")),
        "{err}"
    );
}

#[tokio::test]
async fn tiktok_an_expired_token_answered_in_a_200_is_renewed_and_the_call_replayed() {
    let sandbox = Sandbox::start().await.unwrap();
    let sim = sandbox.tiktok();
    let login = tt::TiktokLogin::new(
        tiktok::DEMO_APP_KEY,
        Secret::from(tiktok::DEMO_APP_SECRET),
        Secret::from(sim.issue_code().as_str()),
    );
    let session = session(login, &sandbox, Vendor::Tiktok);
    let client = client(&session, &sandbox, Vendor::Tiktok);
    get_ok(&client, &sandbox, Vendor::Tiktok, tiktok::SHOPS_PATH).await;
    // The next call is answered `105002` in an HTTP 200: a declared token rejection.
    sim.state()
        .push_protected_fault(vendors::sandbox::Fault::RejectNextLogin);
    get_ok(&client, &sandbox, Vendor::Tiktok, tiktok::SHOPS_PATH).await;
    assert_eq!(
        (sim.state().refresh_count(), sim.state().protected_count()),
        (1, 3)
    );
}

#[tokio::test]
async fn shopee_exchanges_a_code_signs_shop_calls_and_refreshes_with_rotation() {
    let sandbox = Sandbox::start().await.unwrap();
    let sim = sandbox.shopee();
    let login = sp::ShopeeLogin {
        partner_id: shopee::DEMO_PARTNER_ID,
        partner_key: Secret::from(shopee::DEMO_PARTNER_KEY),
        code: Secret::from(sim.issue_code().as_str()),
        shop_id: shopee::DEMO_SHOP_ID,
    };
    let session = session(login, &sandbox, Vendor::Shopee);
    let client = client(&session, &sandbox, Vendor::Shopee);
    let answer = get_ok(&client, &sandbox, Vendor::Shopee, shopee::SHOP_INFO_PATH).await;
    assert_eq!(answer["shop_name"], "Sandbox shop");
    let first_refresh = session
        .token()
        .await
        .unwrap()
        .refresh_token()
        .unwrap()
        .expose()
        .to_owned();
    session.renew().await.unwrap();
    assert!(
        !sim.ledger().refresh_token_is_live(&first_refresh),
        "spent by the refresh"
    );
    assert_eq!(sim.ledger().live_refresh_tokens(), 1);
    // Revoked (`invalid_acceess_token` in a 200): one refresh, and the call succeeds.
    sim.state().revoke_all();
    get_ok(&client, &sandbox, Vendor::Shopee, shopee::SHOP_INFO_PATH).await;
    assert_eq!(
        (sim.state().login_count(), sim.state().refresh_count()),
        (1, 2)
    );
}

#[tokio::test]
async fn shopee_a_wrong_partner_key_is_refused_and_sent_once() {
    let sandbox = Sandbox::start().await.unwrap();
    let sim = sandbox.shopee();
    let login = sp::ShopeeLogin {
        partner_id: shopee::DEMO_PARTNER_ID,
        partner_key: Secret::from("not-the-key"),
        code: Secret::from(sim.issue_code().as_str()),
        shop_id: shopee::DEMO_SHOP_ID,
    };
    let session = session(login, &sandbox, Vendor::Shopee);
    for _ in 0..2 {
        let err = session.token().await.unwrap_err();
        assert!(
            matches!(&err, Error::Rejected { said, .. } if said.code.as_deref() == Some("error_sign")),
            "{err}"
        );
        assert!(!err.to_string().contains("not-the-key"));
    }
    assert_eq!(sim.state().login_count(), 1);
}

#[tokio::test]
async fn mercado_libre_exchanges_a_code_and_never_reuses_a_refresh_token() {
    let sandbox = Sandbox::start().await.unwrap();
    let sim = sandbox.mercadolibre();
    let login = ml::MercadoLibreLogin {
        client_id: mercadolibre::DEMO_CLIENT_ID.into(),
        client_secret: Secret::from(mercadolibre::DEMO_CLIENT_SECRET),
        code: Secret::from(sim.issue_code().as_str()),
        redirect_uri: mercadolibre::DEMO_REDIRECT_URI.into(),
    };
    let session = session(login, &sandbox, Vendor::MercadoLibre);
    let client = client(&session, &sandbox, Vendor::MercadoLibre);
    let me = get_ok(
        &client,
        &sandbox,
        Vendor::MercadoLibre,
        mercadolibre::ME_PATH,
    )
    .await;
    assert_eq!(me["id"], mercadolibre::DEMO_USER_ID);
    assert_eq!(session.token().await.unwrap().account(), Some("146322322"));
    for _ in 0..3 {
        session.renew().await.unwrap();
    }
    assert_eq!(
        (sim.state().login_count(), sim.state().refresh_count()),
        (1, 3)
    );
    assert_eq!(
        sim.ledger().live_refresh_tokens(),
        1,
        "each refresh spent the one before"
    );
    get_ok(
        &client,
        &sandbox,
        Vendor::MercadoLibre,
        mercadolibre::ME_PATH,
    )
    .await;
}

/// Asks three times; the vendor hears the credentials once.
async fn refused_once<E: LoginEndpoint>(login: E, sandbox: &Sandbox, vendor: Vendor) {
    let session = session(login, sandbox, vendor);
    for _ in 0..3 {
        let err = session.token().await.unwrap_err();
        assert_eq!(err.class(), ErrorClass::Rejected, "{vendor:?}: {err}");
        assert!(
            !err.to_string().contains("wrong-secret"),
            "{vendor:?}: {err}"
        );
    }
    let state = sandbox.vendor(vendor);
    assert_eq!(
        state.login_count() + state.refresh_count(),
        1,
        "{vendor:?}: the rejected credentials were sent once"
    );
}

#[tokio::test]
async fn every_marketplace_hears_a_wrong_secret_once() {
    let sandbox = Sandbox::start().await.unwrap();
    let wrong = || Secret::from("wrong-secret");
    refused_once(amazon_login("wrong-secret"), &sandbox, Vendor::Amazon).await;
    refused_once(
        eb::EbayUser {
            client_id: ebay::DEMO_CLIENT_ID.into(),
            client_secret: wrong(),
            refresh_token: Secret::from(ebay::DEMO_REFRESH_TOKEN),
        },
        &sandbox,
        Vendor::Ebay,
    )
    .await;
    refused_once(
        wm::WalmartLogin {
            client_id: walmart::DEMO_CLIENT_ID.into(),
            client_secret: wrong(),
        },
        &sandbox,
        Vendor::Walmart,
    )
    .await;
    refused_once(
        tt::TiktokLogin::new(
            tiktok::DEMO_APP_KEY,
            wrong(),
            Secret::from(sandbox.tiktok().issue_code().as_str()),
        ),
        &sandbox,
        Vendor::Tiktok,
    )
    .await;
    refused_once(
        sp::ShopeeLogin {
            partner_id: shopee::DEMO_PARTNER_ID,
            partner_key: wrong(),
            code: Secret::from(sandbox.shopee().issue_code().as_str()),
            shop_id: shopee::DEMO_SHOP_ID,
        },
        &sandbox,
        Vendor::Shopee,
    )
    .await;
    refused_once(
        ml::MercadoLibreLogin {
            client_id: mercadolibre::DEMO_CLIENT_ID.into(),
            client_secret: wrong(),
            code: Secret::from(sandbox.mercadolibre().issue_code().as_str()),
            redirect_uri: mercadolibre::DEMO_REDIRECT_URI.into(),
        },
        &sandbox,
        Vendor::MercadoLibre,
    )
    .await;
}

#[tokio::test]
async fn the_walmart_sandbox_refuses_a_reused_correlation_id_and_a_wrong_basic_header() {
    let sandbox = Sandbox::start().await.unwrap();
    let url = format!("{}/v3/token", sandbox.base_url(Vendor::Walmart));
    let post = |id: &'static str, basic: &'static str| {
        reqwest::Client::new()
            .post(url.clone())
            .header("Authorization", basic)
            .header("WM_SVC.NAME", "Walmart Marketplace")
            .header("WM_QOS.CORRELATION_ID", id)
            .header("Accept", "application/json")
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body("grant_type=client_credentials")
            .send()
    };
    // base64("walmart-sandbox-client-id:walmart-sandbox-client-secret"), computed with Python.
    let right =
        "Basic d2FsbWFydC1zYW5kYm94LWNsaWVudC1pZDp3YWxtYXJ0LXNhbmRib3gtY2xpZW50LXNlY3JldA==";
    assert_eq!(post("id-1", right).await.unwrap().status(), 200);
    let reused = post("id-1", right).await.unwrap();
    assert_eq!(reused.status(), 400);
    assert!(
        reused
            .text()
            .await
            .unwrap()
            .contains("WM_QOS.CORRELATION_ID must be unique")
    );
    // The same credentials with a trailing space in the secret: not the client.
    let wrong =
        "Basic d2FsbWFydC1zYW5kYm94LWNsaWVudC1pZDp3YWxtYXJ0LXNhbmRib3gtY2xpZW50LXNlY3JldCA=";
    assert_eq!(post("id-2", wrong).await.unwrap().status(), 401);
}
