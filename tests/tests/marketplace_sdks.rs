//! Widely used Python SDKs of the marketplaces (`python-amazon-sp-api`, `pyshopee`; pinned in
//! `tests/oracles/requirements.txt`, called by `tests/oracles/marketplace_sdks.py`) send their
//! token requests to a recording server; ours go to another. The two are set side by side:
//! where they differ in anything a vendor reads, one of us misread the vendor.

mod common;

use auth_core::Secret;
use vendors::amazon::{AmazonGrantless, AmazonLogin};
use vendors::shopee::ShopeeLogin;

use std::collections::BTreeMap;

use auth_core::{LoginEndpoint, RetryPolicy, Session};
use common::recorder::{RawRequest, Recorder};
use serde_json::{Value, json};

fn session<E: LoginEndpoint>(endpoint: E, server: &Recorder) -> Session<E> {
    Session::builder(endpoint)
        .base_url(&server.base_url)
        .allow_insecure_http(true)
        .retry(RetryPolicy::never())
        .build()
        .unwrap()
}

/// Runs the SDK in `mode` against `server`, off the runtime's threads.
async fn sdk(mode: &'static str, server: &Recorder, credentials: Value) -> Value {
    sdk_at(
        mode,
        server.base_url.trim_start_matches("http://").to_owned(),
        credentials,
    )
    .await
}

/// Runs the SDK in `mode` against `host` (`addr[/prefix]`), off the runtime's threads.
async fn sdk_at(mode: &'static str, host: String, credentials: Value) -> Value {
    tokio::task::spawn_blocking(move || {
        common::oracle::run(
            "marketplace_sdks.py",
            &[mode, &host],
            &credentials.to_string(),
        )
    })
    .await
    .unwrap()
}

fn form(request: &RawRequest) -> BTreeMap<String, String> {
    url::form_urlencoded::parse(&request.body)
        .into_owned()
        .collect()
}

const LWA_ANSWER: &str = r#"{"access_token":"Atza|IQEBLjAsAhRmHjNgHpi0U","token_type":"bearer","expires_in":3600,"refresh_token":"Atzr|IQEBLzAtAhRPpMJxdzv"}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn amazon_refresh_grant_is_the_request_python_amazon_sp_api_sends() {
    let (theirs, ours) = (Recorder::start().await, Recorder::start().await);
    theirs.answer(200, LWA_ANSWER);
    ours.answer(200, LWA_ANSWER);
    let credentials = json!({
        "client_id": "amzn1.application-oa2-client.a1",
        "client_secret": "s3cret+/=",
        "refresh_token": "Atzr|IQEBLzAtAhRPpMJxdzv",
    });
    let read = sdk("amazon", &theirs, credentials).await;
    assert_eq!(read["access_token"], "Atza|IQEBLjAsAhRmHjNgHpi0U");
    let token = session(
        AmazonLogin {
            refresh_token: Secret::from("Atzr|IQEBLzAtAhRPpMJxdzv"),
            client_id: "amzn1.application-oa2-client.a1".into(),
            client_secret: Secret::from("s3cret+/="),
        },
        &ours,
    )
    .token()
    .await
    .unwrap();
    assert_eq!(token.secret().expose(), "Atza|IQEBLjAsAhRmHjNgHpi0U");

    let (sdk_request, our_request) = (&theirs.requests()[0], &ours.requests()[0]);
    assert_eq!(
        (sdk_request.method.as_str(), sdk_request.target.as_str()),
        (our_request.method.as_str(), our_request.target.as_str())
    );
    let media = |r: &RawRequest| {
        r.header("content-type")
            .split(';')
            .next()
            .unwrap()
            .to_owned()
    };
    assert_eq!(media(sdk_request), media(our_request));
    assert_eq!(media(our_request), "application/x-www-form-urlencoded");
    // Every field, with the same value, whatever the order.
    assert_eq!(form(sdk_request), form(our_request));
    assert!(our_request.header_values("authorization").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn amazon_grantless_is_the_request_python_amazon_sp_api_sends() {
    let (theirs, ours) = (Recorder::start().await, Recorder::start().await);
    let answer = r#"{"access_token":"Atza|g","token_type":"bearer","expires_in":3600}"#;
    theirs.answer(200, answer);
    ours.answer(200, answer);
    let credentials = json!({
        "client_id": "id",
        "client_secret": "s",
        "scope": "sellingpartnerapi::notifications",
    });
    sdk("amazon-grantless", &theirs, credentials).await;
    session(
        AmazonGrantless {
            scope: "sellingpartnerapi::notifications".into(),
            client_id: "id".into(),
            client_secret: Secret::from("s"),
        },
        &ours,
    )
    .token()
    .await
    .unwrap();
    assert_eq!(form(&theirs.requests()[0]), form(&ours.requests()[0]));
}

const SHOPEE_TOKEN: &str = r#"{"refresh_token":"456e416149664b76745a6a794156794a","access_token":"6a55746e61546f707579627656637464","expire_in":13859,"request_id":"c040b886cfcabdfa5a23af51c595cd1b","error":"","message":""}"#;

/// The query's parameters by name.
fn query(request: &RawRequest) -> BTreeMap<String, String> {
    request.query_pairs().into_iter().collect()
}

/// The parts of a signed Shopee token call a vendor reads, with the signature checked against
/// the request's own timestamp: what both sides must agree on.
fn checked_shopee_call(request: &RawRequest, key: &str) -> (String, Value, Vec<String>) {
    let query = query(request);
    let sign = auth_core::signing::shopee::signature(
        key,
        &query["partner_id"],
        request.path(),
        &query["timestamp"],
        None,
    );
    assert_eq!(query["sign"], sign, "{}", request.target);
    let body: Value = serde_json::from_slice(&request.body).unwrap();
    (
        request.path().to_owned(),
        body,
        query.keys().cloned().collect(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shopee_exchange_and_refresh_are_the_requests_pyshopee_sends() {
    let refreshed = r#"{"partner_id":2001887,"refresh_token":"684d42685667777868597a4477587455","access_token":"4c6d6e7a","expire_in":14400,"request_id":"r2","error":"","message":"","shop_id":14701711}"#;
    let (theirs, ours) = (Recorder::start().await, Recorder::start().await);
    for server in [&theirs, &ours] {
        server.answer(200, SHOPEE_TOKEN);
        server.answer(200, refreshed);
    }
    let key = "shpk4d6e6f57504d6c6a4f6f7a";
    let read = sdk(
        "shopee-token",
        &theirs,
        json!({"shop_id": 14701711, "partner_id": 2001887, "partner_key": key, "code": "6a4b6f6c4e"}),
    )
    .await;
    assert_eq!(read["refresh_token"], "456e416149664b76745a6a794156794a");
    sdk(
        "shopee-refresh",
        &theirs,
        json!({"shop_id": 14701711, "partner_id": 2001887, "partner_key": key,
               "refresh_token": "456e416149664b76745a6a794156794a"}),
    )
    .await;

    let session = session(
        ShopeeLogin {
            partner_id: 2001887,
            partner_key: Secret::from(key),
            code: Secret::from("6a4b6f6c4e"),
            shop_id: 14701711,
        },
        &ours,
    );
    session.token().await.unwrap();
    session.renew().await.unwrap();

    let (sdk_calls, our_calls) = (theirs.requests(), ours.requests());
    // Zipped below: calls one side made and the other did not would go unseen.
    assert_eq!(our_calls.len(), 2, "the exchange and the refresh");
    assert_eq!(
        sdk_calls.len(),
        our_calls.len(),
        "the SDK made as many calls as we did"
    );
    for (sdk_call, our_call) in sdk_calls.iter().zip(&our_calls) {
        assert_eq!(sdk_call.method, our_call.method);
        assert_eq!(
            checked_shopee_call(sdk_call, key),
            checked_shopee_call(our_call, key),
            "the SDK sent {} {}, we sent {} {}",
            sdk_call.target,
            sdk_call.body_text(),
            our_call.target,
            our_call.body_text()
        );
    }
    assert_eq!(our_calls.len(), 2);
}

/// The sandbox's address and a vendor's prefix, as an SDK's `host`.
fn sandbox_host(sandbox: &vendors::sandbox::Sandbox, vendor: vendors::sandbox::Vendor) -> String {
    sandbox
        .base_url(vendor)
        .trim_start_matches("http://")
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_amazon_sandbox_serves_python_amazon_sp_api() {
    use vendors::sandbox::{Sandbox, Vendor, amazon};
    let sandbox = Sandbox::start().await.unwrap();
    let read = sdk_at(
        "amazon",
        sandbox_host(&sandbox, Vendor::Amazon),
        json!({
            "client_id": amazon::DEMO_CLIENT_ID,
            "client_secret": amazon::DEMO_CLIENT_SECRET,
            "refresh_token": amazon::DEMO_REFRESH_TOKEN,
        }),
    )
    .await;
    let token = read["access_token"].as_str().unwrap().to_owned();
    assert_eq!(read["expires_in"], 3600);
    assert_eq!(sandbox.amazon().state().login_count(), 1);
    // The token the SDK obtained opens the protected call, in SP-API's form.
    let response = reqwest::Client::new()
        .get(format!(
            "{}{}",
            sandbox.api_url(Vendor::Amazon),
            amazon::PARTICIPATIONS_PATH
        ))
        .header("x-amz-access-token", token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shopee_sandbox_serves_pyshopee_and_rotates_its_refresh_token() {
    use vendors::sandbox::{Sandbox, Vendor, shopee};
    let sandbox = Sandbox::start().await.unwrap();
    let sim = sandbox.shopee();
    let host = sandbox_host(&sandbox, Vendor::Shopee);
    let given = json!({
        "shop_id": shopee::DEMO_SHOP_ID,
        "partner_id": shopee::DEMO_PARTNER_ID,
        "partner_key": shopee::DEMO_PARTNER_KEY,
        "code": sim.issue_code(),
    });
    let first = sdk_at("shopee-token", host.clone(), given.clone()).await;
    let first_refresh = first["refresh_token"].as_str().unwrap().to_owned();
    assert!(sim.ledger().refresh_token_is_live(&first_refresh));
    let mut refresh = given;
    refresh["refresh_token"] = Value::from(first_refresh.clone());
    let second = sdk_at("shopee-refresh", host, refresh).await;
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    assert!(!sim.ledger().refresh_token_is_live(&first_refresh), "spent");
    assert_eq!(
        (sim.state().login_count(), sim.state().refresh_count()),
        (1, 1)
    );
}
