//! Authorised requests for every vendor: the documented form, re-login on a rejected token,
//! renewal over a simulated day, sliding lifetimes, and no task left behind.

mod common;

use std::time::Duration;

use auth_core::{Error, ErrorClass};
use common::clients::{self, Clients, call};
use futures_util::future::join_all;
use vendors::sandbox::{Sandbox, Vendor, icekredit, igv, wahool};

#[tokio::test]
async fn every_vendor_accepts_the_token_in_its_documented_form() {
    let sandbox = Sandbox::start().await.unwrap();
    let clients = Clients::new(&sandbox);
    for vendor in Vendor::SEEDS {
        assert!(call(vendor, &sandbox, &clients).await, "{vendor:?}");
        assert_eq!(sandbox.vendor(vendor).protected_count(), 1, "{vendor:?}");
    }
}

#[tokio::test]
async fn revocation_causes_exactly_one_relogin_and_a_successful_replay() {
    let sandbox = Sandbox::start().await.unwrap();
    let clients = Clients::new(&sandbox);
    for vendor in Vendor::SEEDS {
        assert!(call(vendor, &sandbox, &clients).await, "{vendor:?}");
        let state = sandbox.vendor(vendor);
        let (logins, refreshes) = (state.login_count(), state.refresh_count());
        state.revoke_all();
        assert!(
            call(vendor, &sandbox, &clients).await,
            "{vendor:?}: the replay succeeded"
        );
        let renewals = state.login_count() - logins + state.refresh_count() - refreshes;
        assert_eq!(renewals, 1, "{vendor:?}");
        if matches!(vendor, Vendor::Lazada | Vendor::AliExpress) {
            assert_eq!(
                state.refresh_count() - refreshes,
                1,
                "{vendor:?} renews with its refresh token"
            );
        }
        assert_eq!(
            state.protected_count(),
            3,
            "{vendor:?}: one call, one rejected call, one replay"
        );
    }
}

#[tokio::test]
async fn a_hundred_concurrent_rejections_cause_one_relogin_for_every_vendor() {
    let sandbox = Sandbox::start().await.unwrap();
    let clients = Clients::new(&sandbox);
    for vendor in Vendor::SEEDS {
        assert!(call(vendor, &sandbox, &clients).await, "{vendor:?}");
        let state = sandbox.vendor(vendor);
        let renewals_before = state.login_count() + state.refresh_count();
        state.revoke_all();
        let calls = join_all((0..100).map(|_| call(vendor, &sandbox, &clients))).await;
        assert!(
            calls.iter().all(|ok| *ok),
            "{vendor:?}: every call succeeded after the replay"
        );
        let renewals = state.login_count() + state.refresh_count() - renewals_before;
        assert_eq!(
            renewals, 1,
            "{vendor:?}: one re-login (or refresh) for 100 rejections"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_rejections_across_threads_cause_one_relogin() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = std::sync::Arc::new(clients::igv(&sandbox));
    client.get(igv::WHOAMI_PATH).send().await.unwrap();
    sandbox.igv().revoke_all();
    let calls = (0..100).map(|_| {
        let client = std::sync::Arc::clone(&client);
        tokio::spawn(async move {
            client
                .get(igv::WHOAMI_PATH)
                .send()
                .await
                .map(|r| r.status().as_u16())
        })
    });
    for status in join_all(calls).await {
        assert_eq!(status.unwrap().unwrap(), 200);
    }
    assert_eq!(
        sandbox.igv().login_count(),
        2,
        "one login, then one re-login for 100 rejections"
    );
}

#[tokio::test]
async fn a_second_rejection_is_an_error_that_says_so() {
    let sandbox = Sandbox::start().await.unwrap();
    // An iGV token sent to Wahool's protected endpoint: rejected whatever the login.
    let client = clients::igv(&sandbox);
    let url = format!(
        "{}{}",
        sandbox.base_url(Vendor::Wahool),
        wahool::WHOAMI_PATH
    );
    let err = client.get(&url).send().await.unwrap_err();
    assert!(
        matches!(err, Error::TokenRejected { status: 401, .. }),
        "{err}"
    );
    assert_eq!(err.class(), ErrorClass::Rejected);
    assert!(err.to_string().contains("twice"), "{err}");
    assert_eq!(
        sandbox.igv().login_count(),
        2,
        "one login, one re-login, no more"
    );
}

#[tokio::test(start_paused = true)]
async fn icekredit_tokens_slide_with_use_and_an_idle_session_knows_it_lapsed() {
    let sandbox = Sandbox::start().await.unwrap();
    let clients = Clients::new(&sandbox);
    let state = sandbox.vendor(Vendor::IceKredit);
    // A request every 15 minutes for 12 hours: the sliding token never lapses.
    for _ in 0..48 {
        assert!(call(Vendor::IceKredit, &sandbox, &clients).await);
        tokio::time::sleep(Duration::from_secs(15 * 60)).await;
    }
    assert_eq!(state.login_count(), 1, "one login for twelve busy hours");
    let token = clients.icekredit.session().cached_token().unwrap();
    assert!(
        token.expires_at() > std::time::SystemTime::now() + Duration::from_secs(12 * 3600 - 60)
    );

    // Idle for 21 minutes: the session knows the token lapsed and logs in before the request.
    tokio::time::sleep(Duration::from_secs(21 * 60)).await;
    assert!(clients.icekredit.session().cached_token().is_none());
    let protected = state.protected_count();
    assert!(call(Vendor::IceKredit, &sandbox, &clients).await);
    assert_eq!(state.login_count(), 2);
    assert_eq!(
        state.protected_count(),
        protected + 1,
        "no request was sent with the lapsed token"
    );
    let _ = icekredit::DEMO_MERCHANT;
}

#[tokio::test(start_paused = true)]
async fn a_dropped_session_leaves_no_task_behind() {
    let sandbox = Sandbox::start().await.unwrap();
    // The sessions share the test's HTTP client, which outlives them: its pooled connection
    // tasks are the same before and after, so only the sessions' own tasks can differ.
    let warm = clients::http().get(format!(
        "{}{}",
        sandbox.base_url(Vendor::Igv),
        igv::WHOAMI_PATH
    ));
    warm.send().await.unwrap();
    let metrics = tokio::runtime::Handle::current().metrics();
    let baseline = metrics.num_alive_tasks();
    {
        let clients = Clients::new(&sandbox);
        for vendor in Vendor::SEEDS {
            assert!(call(vendor, &sandbox, &clients).await);
        }
        // Five renewers (IceKredit's sliding token needs none).
        assert_eq!(
            metrics.num_alive_tasks(),
            baseline + 5,
            "one renewer per session"
        );
    }
    tokio::task::yield_now().await;
    tokio::time::sleep(Duration::from_millis(1)).await;
    assert_eq!(
        metrics.num_alive_tasks(),
        baseline,
        "a task outlived its session"
    );
}

#[tokio::test(start_paused = true)]
async fn business_retries_are_for_idempotent_methods_and_honour_retry_after() {
    use auth_core::RetryPolicy;
    use vendors::sandbox::Fault;
    let sandbox = Sandbox::start().await.unwrap();
    let policy = RetryPolicy::default().with_base_delay(Duration::from_millis(10));
    let client = clients::igv(&sandbox).retry(policy);
    let state = sandbox.igv();

    state.push_protected_fault(Fault::RateLimit {
        retry_after: Some(7),
    });
    let started = tokio::time::Instant::now();
    let response = client.get(igv::WHOAMI_PATH).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert!(
        started.elapsed() >= Duration::from_secs(7),
        "Retry-After was honoured"
    );
    assert_eq!(state.protected_count(), 2);

    // POST is not idempotent: the 503 comes back as it is.
    state.push_protected_fault(Fault::HtmlErrorPage(503));
    let response = client.post(igv::WHOAMI_PATH).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 503);
    assert_eq!(state.protected_count(), 3);

    // Without a retry policy nothing is retried, and errors are the caller's to see.
    state.push_protected_fault(Fault::HtmlErrorPage(502));
    let plain = clients::igv(&sandbox);
    assert_eq!(
        plain
            .get(igv::WHOAMI_PATH)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        502
    );
    assert_eq!(
        state.login_count(),
        2,
        "one login per session; no re-login for a 5xx"
    );
}

#[tokio::test]
async fn clients_of_every_vendor_fit_in_one_list_and_clones_share_their_session() {
    fn shareable<T: Clone + Send + Sync + 'static>(_: &T) {}
    let sandbox = Sandbox::start().await.unwrap();
    let clients = Clients::new(&sandbox);
    let all: Vec<auth_core::AuthorizedClient> = vec![
        clients.igv.clone(),
        clients.wahool.clone(),
        clients.lazada.clone(),
        clients.aliexpress.clone(),
        clients.icekredit.clone(),
        clients.yz365.clone(),
    ];
    shareable(&all);
    // Clones handed to tasks: each vendor logs in once, whichever clone asks.
    let tasks: Vec<_> = all
        .iter()
        .flat_map(|client| (0..3).map(move |_| client.clone()))
        .map(|client| tokio::spawn(async move { client.session().token().await.unwrap() }))
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    for (client, vendor) in all.iter().zip(Vendor::SEEDS) {
        assert_eq!(sandbox.vendor(vendor).login_count(), 1, "{vendor:?}");
        let original = client.session().cached_token().unwrap();
        let cloned = client.clone().session().cached_token().unwrap();
        assert!(std::sync::Arc::ptr_eq(&original, &cloned), "{vendor:?}");
    }
}

#[tokio::test]
async fn a_request_keeps_its_first_mistake_and_sends_nothing() {
    struct Unserializable;
    impl serde::Serialize for Unserializable {
        fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
            Err(serde::ser::Error::custom("no JSON form"))
        }
    }
    let sandbox = Sandbox::start().await.unwrap();
    let client = clients::igv(&sandbox);
    let err = client
        .get(igv::WHOAMI_PATH)
        .header("bad header", "value")
        .header("X-Fine", "bad\nvalue")
        .json(&Unserializable)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Config { problem: auth_core::ConfigError::BadRequestHeader { name }, .. } if name == "bad header"),
        "{err}"
    );
    let err = client
        .post(igv::WHOAMI_PATH)
        .json(&Unserializable)
        .header(reqwest::header::ACCEPT, "application/json")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Config {
                problem: auth_core::ConfigError::BadJsonBody { .. },
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(sandbox.igv().protected_count(), 0, "nothing was sent");
}

#[tokio::test]
async fn put_patch_delete_and_typed_json_reach_the_wire() {
    use axum::body::Bytes;
    use axum::http::{HeaderMap, Method};
    let echo = axum::Router::new().fallback(
        |method: Method, headers: HeaderMap, body: Bytes| async move {
            let authorization = headers
                .get("authorization")
                .map(|v| v.to_str().unwrap().starts_with("Bearer "))
                .unwrap_or(false);
            axum::Json(serde_json::json!({
                "method": method.as_str(),
                "authorized": authorization,
                "content_type": headers.get("content-type").map(|v| v.to_str().unwrap().to_owned()),
                "body": String::from_utf8(body.to_vec()).unwrap(),
            }))
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, echo).await.unwrap() });

    let sandbox = Sandbox::start().await.unwrap();
    let session = common::igv_builder(&sandbox).build().unwrap();
    let client = auth_core::AuthorizedClient::new(session, format!("http://{addr}")).unwrap();
    // Any `Serialize` value, not only a `serde_json::Value`.
    let order = std::collections::BTreeMap::from([("quantity", 2), ("sku_id", 1)]);
    for (request, method) in [
        (client.put("/orders/1").json(&order), "PUT"),
        (client.patch("/orders/1").json(&order), "PATCH"),
        (client.delete("/orders/1"), "DELETE"),
    ] {
        let answer: serde_json::Value =
            serde_json::from_slice(&request.send().await.unwrap().bytes().await.unwrap()).unwrap();
        assert_eq!(answer["method"], method);
        assert_eq!(answer["authorized"], true);
        if method != "DELETE" {
            assert_eq!(answer["content_type"], "application/json");
            assert_eq!(answer["body"], r#"{"quantity":2,"sku_id":1}"#);
        }
    }
}
