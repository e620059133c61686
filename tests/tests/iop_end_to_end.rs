//! Lazada and AliExpress (IOP) end to end against the sandbox: code exchange, signed business
//! calls, refresh with rotation, the consent page and the documented errors.

use std::time::Duration;

use auth_core::signing::{IopSha256, Signer};
use auth_core::{Error, ErrorClass, RetryPolicy, Secret, Session, Token};
use serde_json::Value;
use vendors::iop::IopApp;
use vendors::sandbox::{IopSandbox, Sandbox, Vendor, iop};
use vendors::{aliexpress, lazada};

fn app() -> IopApp {
    IopApp {
        app_key: iop::DEMO_APP_KEY.into(),
        app_secret: Secret::from(iop::DEMO_APP_SECRET),
    }
}

fn sim(sandbox: &Sandbox, vendor: Vendor) -> &IopSandbox {
    if vendor == Vendor::Lazada {
        sandbox.lazada()
    } else {
        sandbox.aliexpress()
    }
}

/// A signed business call as the IOP documents it, carrying the token as `param`.
async fn business(sandbox: &Sandbox, vendor: Vendor, token: &Token) -> Value {
    let (name, value) = token.query_param().unwrap();
    let (path, api) = match vendor {
        Vendor::Lazada => ("/seller/get", "/seller/get"),
        _ => ("", ""),
    };
    let mut params = vec![
        ("app_key".into(), iop::DEMO_APP_KEY.into()),
        (name.into(), value.into()),
    ];
    if vendor == Vendor::AliExpress {
        params.push(("method".into(), "aliexpress.seller.get".into()));
    }
    IopSha256.sign(
        &auth_core::signing::Signing::new(api, iop::DEMO_APP_SECRET, std::time::SystemTime::now()),
        &mut params,
    );
    let url = format!("{}{path}", sandbox.api_url(vendor));
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params.iter())
        .finish();
    let response = reqwest::Client::new()
        .post(url)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    serde_json::from_slice(&response.bytes().await.unwrap()).unwrap()
}

#[tokio::test]
async fn code_exchange_then_signed_business_calls_on_both_vendors() {
    let sandbox = Sandbox::start().await.unwrap();
    for vendor in [Vendor::Lazada, Vendor::AliExpress] {
        let code = sim(&sandbox, vendor).issue_code(iop::DEMO_APP_KEY);
        let token = match vendor {
            Vendor::Lazada => {
                let s = lazada::session_builder(app(), Secret::from(code))
                    .base_url(sandbox.base_url(vendor))
                    .build()
                    .unwrap();
                s.token().await.unwrap()
            }
            _ => {
                let s = aliexpress::session_builder(app(), Secret::from(code))
                    .base_url(sandbox.base_url(vendor))
                    .build()
                    .unwrap();
                s.token().await.unwrap()
            }
        };
        // Numbers arrive as numbers on Lazada and as strings on AliExpress: both read as 7 days.
        assert_eq!(
            token.lifetime(),
            Duration::from_secs(7 * 24 * 3600),
            "{vendor:?}"
        );
        assert!(token.refresh_token().is_some());
        let param = if vendor == Vendor::Lazada {
            "access_token"
        } else {
            "session"
        };
        assert_eq!(token.query_param().unwrap().0, param);
        assert!(token.header().is_none());
        assert_eq!(
            business(&sandbox, vendor, &token).await["code"],
            "0",
            "{vendor:?}"
        );
    }
}

#[tokio::test]
async fn a_code_works_once_and_uuid_spoils_it() {
    let sandbox = Sandbox::start().await.unwrap();
    let code = sandbox.lazada().issue_code(iop::DEMO_APP_KEY);
    let exchange = |code: &str, uuid: Option<&str>| {
        let mut create = lazada::LazadaTokenCreate::new(&app(), Secret::from(code));
        create.uuid = uuid.map(str::to_owned);
        Session::builder(create)
            .base_url(sandbox.base_url(Vendor::Lazada))
            .build()
            .unwrap()
    };
    assert!(exchange(&code, None).token().await.is_ok());
    let reused = exchange(&code, None).token().await.unwrap_err();
    assert!(
        matches!(&reused, Error::Rejected { said, .. } if said.code.as_deref() == Some("InvalidCode")),
        "{reused}"
    );
    let fresh = sandbox.lazada().issue_code(iop::DEMO_APP_KEY);
    let spoiled = exchange(&fresh, Some("uuid")).token().await.unwrap_err();
    assert_eq!(
        spoiled.vendor_said().and_then(|s| s.code.as_deref()),
        Some("InvalidCode")
    );
}

#[tokio::test(start_paused = true)]
async fn a_code_expires_after_three_minutes() {
    let sandbox = Sandbox::start().await.unwrap();
    let code = sandbox.lazada().issue_code(iop::DEMO_APP_KEY);
    tokio::time::sleep(Duration::from_secs(181)).await;
    let session = lazada::session_builder(app(), Secret::from(code))
        .base_url(sandbox.base_url(Vendor::Lazada))
        .build()
        .unwrap();
    let err = session.token().await.unwrap_err();
    assert_eq!(
        err.vendor_said().and_then(|s| s.code.as_deref()),
        Some("InvalidCode")
    );
}

#[tokio::test]
async fn a_wrong_secret_or_unknown_app_is_rejected_with_the_documented_code() {
    let sandbox = Sandbox::start().await.unwrap();
    let code = sandbox.lazada().issue_code(iop::DEMO_APP_KEY);
    let bad_secret = IopApp {
        app_key: iop::DEMO_APP_KEY.into(),
        app_secret: Secret::from("not-the-secret"),
    };
    let err = lazada::session_builder(bad_secret, Secret::from(code.clone()))
        .base_url(sandbox.base_url(Vendor::Lazada))
        .build()
        .unwrap()
        .token()
        .await
        .unwrap_err();
    assert_eq!(
        err.vendor_said().and_then(|s| s.code.as_deref()),
        Some("IncompleteSignature")
    );
    assert_eq!(err.class(), ErrorClass::Rejected);
    let unknown = IopApp {
        app_key: "999".into(),
        app_secret: Secret::from("x"),
    };
    let err = lazada::session_builder(unknown, Secret::from(code))
        .base_url(sandbox.base_url(Vendor::Lazada))
        .build()
        .unwrap()
        .token()
        .await
        .unwrap_err();
    assert_eq!(
        err.vendor_said().and_then(|s| s.code.as_deref()),
        Some("InvalidAppkey")
    );
}

#[tokio::test]
async fn service_unavailable_is_transient_and_retried() {
    let sandbox = Sandbox::start().await.unwrap();
    let lazada_sim = sandbox.lazada();
    lazada_sim
        .state()
        .push_fault(vendors::sandbox::Fault::Unavailable);
    let code = lazada_sim.issue_code(iop::DEMO_APP_KEY);
    let once = lazada::session_builder(app(), Secret::from(code))
        .base_url(sandbox.base_url(Vendor::Lazada))
        .retry(RetryPolicy::never())
        .build()
        .unwrap();
    let err = once.token().await.unwrap_err();
    assert_eq!(err.class(), ErrorClass::Transient);
    assert_eq!(
        err.vendor_said().and_then(|s| s.code.as_deref()),
        Some("ServiceUnavailable")
    );

    lazada_sim
        .state()
        .push_fault(vendors::sandbox::Fault::Unavailable);
    let code = lazada_sim.issue_code(iop::DEMO_APP_KEY);
    let policy = RetryPolicy::default().with_base_delay(Duration::from_millis(5));
    let retrying = lazada::session_builder(app(), Secret::from(code))
        .base_url(sandbox.base_url(Vendor::Lazada))
        .retry(policy)
        .build()
        .unwrap();
    assert!(
        retrying.token().await.is_ok(),
        "the code is still unused after a temporary failure"
    );
}

#[tokio::test]
async fn a_stale_timestamp_is_refused() {
    let sandbox = Sandbox::start().await.unwrap();
    let code = sandbox.lazada().issue_code(iop::DEMO_APP_KEY);
    let three_hours_ago = std::time::SystemTime::now() - Duration::from_secs(3 * 3600);
    let mut params = vec![
        ("app_key".into(), iop::DEMO_APP_KEY.into()),
        ("code".into(), code.into()),
    ];
    IopSha256.sign(
        &auth_core::signing::Signing::new(
            "/auth/token/create",
            iop::DEMO_APP_SECRET,
            three_hours_ago,
        ),
        &mut params,
    );
    let mut url = url::Url::parse(&format!(
        "{}/auth/token/create",
        sandbox.base_url(Vendor::Lazada)
    ))
    .unwrap();
    url.query_pairs_mut().extend_pairs(params.iter());
    let response = reqwest::Client::new().get(url).send().await.unwrap();
    let body: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    assert_eq!(body["code"], "InvalidTimestamp");
    assert_eq!(body["type"], "ISV");
    assert!(body["request_id"].is_string());
}

#[tokio::test(start_paused = true)]
async fn refresh_rotates_and_the_newest_refresh_token_is_kept() {
    let sandbox = Sandbox::start().await.unwrap();
    let lazada_sim = sandbox.lazada();
    lazada_sim
        .state()
        .set_token_lifetime(Duration::from_secs(100));
    let code = lazada_sim.issue_code(iop::DEMO_APP_KEY);
    let session = lazada::session_builder(app(), Secret::from(code))
        .base_url(sandbox.base_url(Vendor::Lazada))
        .build()
        .unwrap();
    let mut previous = session.token().await.unwrap();
    for round in 0..5 {
        // Past the renewal point and the safety margin: the session must renew.
        tokio::time::sleep(Duration::from_secs(95)).await;
        let token = session.token().await.unwrap();
        assert_ne!(
            token.secret().expose(),
            previous.secret().expose(),
            "round {round}"
        );
        assert_ne!(
            token.refresh_token().unwrap().expose(),
            previous.refresh_token().unwrap().expose(),
            "the refresh token rotated"
        );
        assert_eq!(
            business(&sandbox, Vendor::Lazada, &token).await["code"],
            "0"
        );
        previous = token;
    }
    assert_eq!(
        lazada_sim.state().login_count(),
        1,
        "the code was exchanged once"
    );
    // Renewal runs ahead, every 75-85 s of the 100 s lifetime: 5 or 6 refreshes in 475 s.
    let refreshes = lazada_sim.state().refresh_count();
    assert!((5..=6).contains(&refreshes), "{refreshes} refreshes");
    assert_eq!(session.stats().refresh_requests, refreshes);
    assert_eq!(
        lazada_sim.live_refresh_tokens(),
        1,
        "old refresh tokens are spent"
    );
}

#[tokio::test]
async fn the_consent_page_redirects_with_a_fresh_single_use_code() {
    let sandbox = Sandbox::start().await.unwrap();
    let page = sandbox.authorize_url(Vendor::AliExpress).unwrap();
    let consent =
        vendors::iop::authorize_url(&page, iop::DEMO_APP_KEY, "http://127.0.0.1:9/callback")
            .unwrap();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = client.get(consent).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 302);
    let location = url::Url::parse(response.headers()["location"].to_str().unwrap()).unwrap();
    assert_eq!(location.path(), "/callback");
    let code = location
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    let session = aliexpress::session_builder(app(), Secret::from(code))
        .base_url(sandbox.base_url(Vendor::AliExpress))
        .build()
        .unwrap();
    assert!(session.token().await.is_ok());
    assert_eq!(
        lazada::consent_url(iop::DEMO_APP_KEY, "https://app.example/cb")
            .unwrap()
            .as_str(),
        "https://auth.lazada.com/oauth/authorize?response_type=code&force_auth=true&redirect_uri=https%3A%2F%2Fapp.example%2Fcb&client_id=100001"
    );
}

#[tokio::test]
async fn a_code_another_seller_approved_is_refused_and_kept_for_that_seller() {
    use auth_core::store::MemoryStore;
    let sandbox = Sandbox::start().await.unwrap();
    let store = std::sync::Arc::new(MemoryStore::new());
    let builder = |code: String, account: &str| {
        lazada::session_builder(app(), Secret::from(code))
            .base_url(sandbox.base_url(Vendor::Lazada))
            .store(store.clone())
            .account(account)
            .retry(RetryPolicy::never())
            .build()
            .unwrap()
    };
    let code = sandbox.lazada().issue_code_for(iop::DEMO_APP_KEY, "2002");
    let wrong = builder(code, "1001");
    let err = wrong.token().await.unwrap_err();
    assert!(
        matches!(&err, Error::WrongAccount { expected, named, .. } if expected == "1001" && named == "2002"),
        "{err}"
    );
    assert_eq!(err.class(), ErrorClass::Rejected);
    assert!(wrong.cached_token().is_none());
    // The spent code's token is not lost: a session for seller 2002 finds it in the store.
    let right = builder("0_spent".into(), "2002");
    let token = right.token().await.unwrap();
    assert_eq!(token.account(), Some("2002"));
    assert_eq!(sandbox.lazada().exchanges_for("2002"), 1);
    assert_eq!(
        sandbox
            .lazada()
            .seller_of(token.secret().expose())
            .as_deref(),
        Some("2002")
    );
}

#[tokio::test]
async fn parameters_written_into_the_url_are_signed_as_sent() {
    let sandbox = Sandbox::start().await.unwrap();
    let code = sandbox.lazada().issue_code(iop::DEMO_APP_KEY);
    let session = lazada::session_builder(app(), Secret::from(code))
        .base_url(sandbox.base_url(Vendor::Lazada))
        .build()
        .unwrap();
    let api = sandbox.api_url(Vendor::Lazada);
    let client = auth_core::AuthorizedClient::new(session, &api).unwrap();
    for request in [
        client.get("/seller/get?fields=all&note=a%26b%3Dc+%C3%A9"),
        client.post("/seller/get?fields=all").form(&[("x", "1")]),
        client.get(&format!("{api}/seller/get?fields=all")),
    ] {
        let response = request.send().await.unwrap();
        let body: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
        assert_eq!(body["code"], "0", "{body}");
    }
}

#[tokio::test]
async fn a_plain_client_at_aliexpress_gateway_needs_nothing_extra() {
    let sandbox = Sandbox::start().await.unwrap();
    let code = sandbox.aliexpress().issue_code(iop::DEMO_APP_KEY);
    let session = aliexpress::session_builder(app(), Secret::from(code))
        .base_url(sandbox.base_url(Vendor::AliExpress))
        .build()
        .unwrap();
    let client =
        auth_core::AuthorizedClient::new(session, sandbox.api_url(Vendor::AliExpress)).unwrap();
    for request in [
        client.post("").form(&[("method", "aliexpress.seller.get")]),
        client.get("?method=aliexpress.seller.get"),
    ] {
        let response = request.send().await.unwrap();
        let body: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
        assert_eq!(body["code"], "0", "{body}");
    }
    // The gateway is beside `/rest`, not under it, at the vendor and in the sandbox alike.
    let under_rest = format!("{}/sync", sandbox.base_url(Vendor::AliExpress));
    let response = reqwest::Client::new().get(under_rest).send().await.unwrap();
    assert_eq!(response.status(), 404);
}
