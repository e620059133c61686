//! IceKredit end to end against the sandbox.

use std::time::Duration;

use auth_core::{
    Error, ErrorClass, LoginEndpoint, ProtocolProblem, RetryPolicy, Secret, Session, md5_hex,
};
use serde_json::Value;
use vendors::icekredit::IceKreditLogin;
use vendors::sandbox::{Fault, Sandbox, Vendor, icekredit};

fn session(sandbox: &Sandbox, password: &str) -> Session<IceKreditLogin> {
    Session::builder(IceKreditLogin::new(
        icekredit::DEMO_MERCHANT,
        Secret::from(password),
    ))
    .base_url(sandbox.base_url(Vendor::IceKredit))
    .retry(RetryPolicy::never())
    .build()
    .unwrap()
}

async fn whoami(sandbox: &Sandbox, token: Option<&str>) -> Value {
    let url = format!(
        "{}{}",
        sandbox.icekredit_service_url(),
        icekredit::WHOAMI_PATH
    );
    let mut request = reqwest::Client::new().post(url).header("Language", "en");
    if let Some(token) = token {
        request = request.header("token_id", token);
    }
    serde_json::from_slice(&request.send().await.unwrap().bytes().await.unwrap()).unwrap()
}

#[tokio::test]
async fn form_login_with_md5_then_token_id_header_on_the_service_domain() {
    let sandbox = Sandbox::start().await.unwrap();
    let session = session(&sandbox, icekredit::DEMO_PASSWORD);
    let token = session.token().await.unwrap();
    assert_eq!(token.lifetime(), Duration::from_secs(20 * 60));
    let (name, value) = token.header().unwrap();
    assert_eq!(
        (name.as_str(), value.to_str().unwrap()),
        ("token_id", token.secret().expose())
    );
    assert_eq!(
        whoami(&sandbox, Some(token.secret().expose())).await["response_code"],
        "00"
    );
    assert_eq!(whoami(&sandbox, None).await["response_code"], "10000401");
    assert_eq!(
        whoami(&sandbox, Some("forged")).await["response_code"],
        "200005"
    );
}

#[tokio::test(start_paused = true)]
async fn the_sandbox_token_slides_twenty_minutes_from_its_last_use() {
    let sandbox = Sandbox::start().await.unwrap();
    let token = session(&sandbox, icekredit::DEMO_PASSWORD)
        .token()
        .await
        .unwrap();
    let secret = token.secret().expose().to_owned();
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_secs(15 * 60)).await;
        assert_eq!(
            whoami(&sandbox, Some(&secret)).await["response_code"],
            "00",
            "use keeps it alive"
        );
    }
    tokio::time::sleep(Duration::from_secs(21 * 60)).await;
    assert_eq!(
        whoami(&sandbox, Some(&secret)).await["response_code"],
        "200005",
        "idle 21 minutes"
    );
}

#[tokio::test]
async fn every_login_error_class() {
    let sandbox = Sandbox::start().await.unwrap();
    let state = sandbox.vendor(Vendor::IceKredit);

    let code_of = |err: &Error| err.vendor_said().and_then(|s| s.code.clone());
    let wrong = session(&sandbox, "wrong").token().await.unwrap_err();
    assert_eq!(
        (wrong.class(), code_of(&wrong).as_deref()),
        (ErrorClass::Rejected, Some("200002"))
    );

    state.push_fault(Fault::RateLimit { retry_after: None });
    let limited = session(&sandbox, icekredit::DEMO_PASSWORD)
        .token()
        .await
        .unwrap_err();
    assert_eq!(
        (limited.class(), code_of(&limited).as_deref()),
        (ErrorClass::RateLimited, Some("10000429"))
    );

    state.lock_account(icekredit::DEMO_MERCHANT);
    let locked = session(&sandbox, icekredit::DEMO_PASSWORD)
        .token()
        .await
        .unwrap_err();
    assert_eq!(
        (locked.class(), code_of(&locked).as_deref()),
        (ErrorClass::Rejected, Some("200008"))
    );
}

#[tokio::test]
async fn a_request_without_language_is_a_protocol_error_not_a_rejection() {
    let sandbox = Sandbox::start().await.unwrap();
    let url = format!("{}/api/login.do", sandbox.base_url(Vendor::IceKredit));
    let form = [
        ("merchant_name", icekredit::DEMO_MERCHANT.to_owned()),
        ("merchant_pwd", md5_hex(icekredit::DEMO_PASSWORD)),
    ];
    let body = reqwest::Client::new()
        .post(url)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(
            url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(form)
                .finish(),
        )
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(body.contains("\"10000400\""), "{body}");

    // Through the SDK the same code is classified as a protocol problem.
    #[auth_core::login_endpoint(path = "/api/login.do", body = form, hash = md5,
        success("response_code" = "00"), error_code = "response_code", error_message = "response_msg",
        protocol("10000400"), token_field = "token_id", lifetime = fixed("20m"))]
    struct NoLanguage {
        merchant_name: String,
        #[login(hashed)]
        merchant_pwd: Secret,
    }
    let err = Session::builder(NoLanguage {
        merchant_name: "m".into(),
        merchant_pwd: "p".into(),
    })
    .base_url(sandbox.base_url(Vendor::IceKredit))
    .build()
    .unwrap()
    .token()
    .await
    .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Protocol {
                problem: ProtocolProblem::RequestRefused(_),
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn every_code_of_the_seed_table_has_its_class() {
    use ErrorClass::*;
    let table = [
        ("02", Transient),
        ("10000001", Transient),
        ("10000429", RateLimited),
        ("10000400", Protocol),
        ("10000401", Rejected),
        ("10000404", Protocol),
        ("10000405", Protocol),
        ("10000415", Protocol),
        ("200002", Rejected),
        ("200005", Rejected),
        ("200006", Rejected),
        ("200007", Rejected),
        ("200008", Rejected),
        ("200009", Rejected),
        ("200010", Rejected),
        ("200020", Rejected),
    ];
    for (code, class) in table {
        assert_eq!(IceKreditLogin::SPEC.class_of_code(code), class, "{code}");
    }
    assert_eq!(
        vendors::icekredit::TOKEN_REJECTED_CODES,
        ["200005", "10000401", "200006"]
    );
}

#[tokio::test]
async fn a_temporary_authentication_service_error_is_retried() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox
        .vendor(Vendor::IceKredit)
        .push_fault(Fault::Unavailable);
    let policy = RetryPolicy::default().with_base_delay(Duration::from_millis(5));
    let session = Session::builder(IceKreditLogin::new(
        icekredit::DEMO_MERCHANT,
        Secret::from(icekredit::DEMO_PASSWORD),
    ))
    .base_url(sandbox.base_url(Vendor::IceKredit))
    .retry(policy)
    .build()
    .unwrap();
    assert!(session.token().await.is_ok());
    assert_eq!(session.stats().login_requests, 2);
}

#[tokio::test(start_paused = true)]
async fn a_rate_limit_code_in_a_business_answer_is_retried_then_reported() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = |retry: Option<RetryPolicy>| {
        let session = session(&sandbox, icekredit::DEMO_PASSWORD);
        let client =
            auth_core::AuthorizedClient::new(session, sandbox.icekredit_service_url()).unwrap();
        match retry {
            Some(policy) => client.retry(policy),
            None => client,
        }
    };
    let state = sandbox.vendor(Vendor::IceKredit);

    // Once rate-limited, then served: the POST is retried (the vendor refused it unprocessed).
    let retrying = client(Some(RetryPolicy::default()));
    state.push_protected_fault(Fault::RateLimit { retry_after: None });
    let before = state.protected_count();
    let response = retrying.post(icekredit::WHOAMI_PATH).send().await.unwrap();
    let body: Value = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
    assert_eq!(body["response_code"], "00", "{body}");
    assert_eq!(state.protected_count() - before, 2, "sent twice");

    // Rate-limited on every attempt: a typed error after the policy's attempts, not a 200.
    for _ in 0..3 {
        state.push_protected_fault(Fault::RateLimit { retry_after: None });
    }
    let before = state.protected_count();
    let err = retrying
        .post(icekredit::WHOAMI_PATH)
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.class(), ErrorClass::RateLimited);
    assert_eq!(err.vendor_said().unwrap().code.as_deref(), Some("10000429"));
    assert_eq!(state.protected_count() - before, 3, "max_attempts in all");

    // Without a retry policy the first rate limit is the error.
    let plain = client(None);
    state.push_protected_fault(Fault::RateLimit { retry_after: None });
    let err = plain.post(icekredit::WHOAMI_PATH).send().await.unwrap_err();
    assert!(
        matches!(err, Error::RateLimited { status: 200, .. }),
        "{err}"
    );
    assert_eq!(
        state.login_count(),
        2,
        "one login per session, none for rate limits"
    );
}
