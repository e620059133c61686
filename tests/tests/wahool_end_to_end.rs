//! Wahool end to end against the sandbox.

use std::time::Duration;

use auth_core::{Error, ErrorClass, RetryPolicy, Secret, Session};
use vendors::sandbox::{Fault, Sandbox, Vendor, wahool};
use vendors::wahool::{AUTHORIZATION_PATH, WahoolLogin};

fn login(secret: &str) -> WahoolLogin {
    WahoolLogin::new(wahool::DEMO_ACCESS_KEY, Secret::from(secret))
}

async fn whoami(sandbox: &Sandbox, authorization: &str) -> u16 {
    let url = format!(
        "{}{}",
        sandbox.base_url(Vendor::Wahool),
        wahool::WHOAMI_PATH
    );
    let response = reqwest::Client::new()
        .get(url)
        .header("Authorization", authorization)
        .send()
        .await
        .unwrap();
    response.status().as_u16()
}

#[tokio::test]
async fn the_returned_bearer_value_is_sent_exactly_once() {
    let sandbox = Sandbox::start().await.unwrap();
    let session = Session::builder(login(wahool::DEMO_SECRET_KEY))
        .base_url(sandbox.base_url(Vendor::Wahool))
        .build()
        .unwrap();
    let token = session.token().await.unwrap();
    let value = token.header().unwrap().1.to_str().unwrap().to_owned();
    assert_eq!(value, token.secret().expose(), "sent exactly as returned");
    assert!(value.starts_with("Bearer ") && !value.starts_with("Bearer Bearer"));
    assert_eq!(whoami(&sandbox, &value).await, 200);
    assert_eq!(whoami(&sandbox, &format!("Bearer {value}")).await, 401);
}

#[tokio::test]
async fn expires_in_is_milliseconds_sent_as_a_string() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox
        .vendor(Vendor::Wahool)
        .set_token_lifetime(Duration::from_millis(7_200_000));
    let session = Session::builder(login(wahool::DEMO_SECRET_KEY))
        .base_url(sandbox.base_url(Vendor::Wahool))
        .build()
        .unwrap();
    assert_eq!(
        session.token().await.unwrap().lifetime(),
        Duration::from_secs(7200)
    );
}

#[tokio::test]
async fn the_renamed_path_works_without_new_code() {
    let sandbox = Sandbox::start().await.unwrap();
    let session = Session::builder(login(wahool::DEMO_SECRET_KEY))
        .base_url(sandbox.base_url(Vendor::Wahool))
        .login_path(AUTHORIZATION_PATH)
        .build()
        .unwrap();
    assert!(session.login_url().path().ends_with(AUTHORIZATION_PATH));
    assert!(session.token().await.is_ok());
}

#[tokio::test]
async fn wrong_keys_are_rejected_once_and_faults_keep_their_class() {
    let sandbox = Sandbox::start().await.unwrap();
    let wrong = Session::builder(login("wrong"))
        .base_url(sandbox.base_url(Vendor::Wahool))
        .build()
        .unwrap();
    for _ in 0..2 {
        let err = wrong.token().await.unwrap_err();
        assert!(
            matches!(&err, Error::Rejected { said, .. } if said.code.as_deref() == Some("401")),
            "{err}"
        );
    }
    assert_eq!(sandbox.vendor(Vendor::Wahool).login_count(), 1);

    let state = sandbox.vendor(Vendor::Wahool);
    state.push_fault(Fault::HtmlErrorPage(503));
    let fresh = || {
        Session::builder(login(wahool::DEMO_SECRET_KEY))
            .base_url(sandbox.base_url(Vendor::Wahool))
            .retry(RetryPolicy::never())
            .build()
            .unwrap()
    };
    assert_eq!(
        fresh().token().await.unwrap_err().class(),
        ErrorClass::Transient
    );
    state.push_fault(Fault::RateLimit {
        retry_after: Some(120),
    });
    assert_eq!(
        fresh().token().await.unwrap_err().class(),
        ErrorClass::RateLimited
    );
    state.lock_account(wahool::DEMO_ACCESS_KEY);
    assert_eq!(
        fresh().token().await.unwrap_err().class(),
        ErrorClass::Rejected
    );
}
