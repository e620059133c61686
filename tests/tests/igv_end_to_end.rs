//! iGV end to end against the sandbox, which behaves as iGV's seed document says.

mod common;

use std::sync::Arc;
use std::time::Duration;

use auth_core::{Error, ErrorClass, RetryPolicy, TransientKind};
use common::{igv_builder, igv_whoami, igv_with_password};
use vendors::sandbox::{Fault, Sandbox};

#[tokio::test]
async fn login_then_the_exact_authorization_header_is_accepted() {
    let sandbox = Sandbox::start().await.unwrap();
    let session = igv_builder(&sandbox).build().unwrap();
    let token = session.token().await.unwrap();
    let client = reqwest::Client::new();

    let (name, value) = token.header().unwrap();
    assert_eq!(name.as_str(), "authorization");
    assert!(value.is_sensitive());
    let expected = format!("Bearer {}", token.secret().expose());
    assert_eq!(value.to_str().unwrap(), expected);
    assert!(token.secret().expose().starts_with("igv-"));
    assert!(token.refresh_token().is_some());
    assert_eq!(token.lifetime(), Duration::from_secs(7200));

    let (status, body) = igv_whoami(&client, &sandbox, Some(&expected)).await;
    assert_eq!(
        (status, body["data"]["email"].as_str()),
        (200, Some(vendors::sandbox::igv::DEMO_EMAIL))
    );
    // The raw token without its scheme is refused: the scheme is part of the contract.
    let (status, _) = igv_whoami(&client, &sandbox, Some(token.secret().expose())).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn the_token_is_reused_not_fetched_per_call() {
    let sandbox = Sandbox::start().await.unwrap();
    let session = igv_builder(&sandbox).build().unwrap();
    let first = session.token().await.unwrap();
    for _ in 0..50 {
        assert!(Arc::ptr_eq(&first, &session.token().await.unwrap()));
    }
    assert_eq!(sandbox.igv().login_count(), 1);
    assert_eq!(session.stats().login_requests, 1);
}

#[tokio::test]
async fn a_wrong_password_is_rejected_with_the_vendor_code_and_sent_exactly_once() {
    let sandbox = Sandbox::start().await.unwrap();
    let session = igv_with_password(&sandbox, "not-the-password");
    for _ in 0..3 {
        match session.token().await {
            Err(Error::Rejected { said, .. }) => {
                assert_eq!(said.code.as_deref(), Some("4001"));
                assert_eq!(said.message.as_deref(), Some("Invalid email or password"));
            }
            other => panic!("expected a rejection, got {other:?}"),
        }
    }
    assert_eq!(
        sandbox.igv().login_count(),
        1,
        "rejected credentials must never be re-sent"
    );
    assert_eq!(session.stats().logins_failed, 1);
}

#[tokio::test]
async fn an_html_502_page_is_transient_and_retried() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.igv().push_fault(Fault::HtmlErrorPage(502));
    let once = igv_builder(&sandbox)
        .retry(RetryPolicy::never())
        .build()
        .unwrap();
    let err = once.token().await.unwrap_err();
    assert_eq!(err.class(), ErrorClass::Transient);
    assert!(
        matches!(
            err,
            Error::Transient {
                kind: TransientKind::Status(502),
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(err.to_string(), "iGV is unavailable: HTTP 502");

    sandbox.igv().push_fault(Fault::HtmlErrorPage(502));
    let retrying = igv_builder(&sandbox).build().unwrap();
    assert!(retrying.token().await.is_ok());
    assert_eq!(retrying.stats().login_requests, 2);
    assert_eq!(sandbox.igv().login_count(), 3);
}

#[tokio::test(start_paused = true)]
async fn expires_in_2_is_renewed_and_every_request_is_accepted() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.igv().set_token_lifetime(Duration::from_secs(2));
    let client = reqwest::Client::new();
    let session = igv_builder(&sandbox)
        .client(client.clone())
        .build()
        .unwrap();
    let mut distinct = std::collections::HashSet::new();
    // Twenty simulated seconds of one request every 100 ms.
    for _ in 0..200 {
        let token = session.token().await.unwrap();
        assert_eq!(token.lifetime(), Duration::from_secs(2));
        let value = token.header().unwrap().1.to_str().unwrap().to_owned();
        let (status, _) = igv_whoami(&client, &sandbox, Some(&value)).await;
        assert_eq!(status, 200, "an expired token was handed out");
        distinct.insert(value);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Renewal happens between 75% and 85% of 2 s, so 20 s take 12 to 14 logins.
    let logins = sandbox.igv().login_count();
    assert!((12..=14).contains(&logins), "{logins} logins");
    // Every token was used, but perhaps the last one, renewed after the final request.
    let used = distinct.len() as u64;
    assert!(
        used == logins || used + 1 == logins,
        "{used} tokens used of {logins}"
    );
}
