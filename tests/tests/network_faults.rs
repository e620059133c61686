//! Network faults between a session and the sandbox, injected by a TCP proxy: each ends in the
//! right error class within the configured timeout, transient ones are retried with capped,
//! jittered backoff, and repeated failures space the logins out.

mod common;

use std::time::Duration;

use auth_core::{Error, ErrorClass, RetryPolicy, Secret, Session, SessionBuilder, TransientKind};
use common::fault_proxy::{Cut, FaultProxy, raw_server, refused_port};
use common::igv_builder;
use tokio::time::Instant;
use vendors::igv::IgvLogin;
use vendors::sandbox::{Fault, Sandbox, Vendor, igv};

const TIMEOUT: Duration = Duration::from_millis(500);

/// Three attempts, 100 ms then 200 ms of backoff before jitter, no spacing between logins.
fn quick_retries() -> RetryPolicy {
    let defaults = RetryPolicy::default();
    RetryPolicy::default()
        .with_max_attempts(3)
        .with_delays(Duration::from_millis(100), Duration::from_millis(200))
        .with_login_gap(Duration::ZERO, defaults.max_login_gap)
}

/// The path part of the sandbox's iGV base URL.
fn igv_base_path(sandbox: &Sandbox) -> String {
    sandbox
        .base_url(Vendor::Igv)
        .trim_start_matches(&format!("http://{}", sandbox.addr()))
        .to_owned()
}

/// A session on the sandbox's iGV, through `base`.
fn through(sandbox: &Sandbox, base: String) -> SessionBuilder<IgvLogin> {
    let path = igv_base_path(sandbox);
    // A client of its own: sessions given none share their runtime's pool, and a connection
    // kept from the previous session would go around the proxy's faults.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    igv_builder(sandbox)
        .client(client)
        .base_url(format!("{base}{path}"))
        .login_timeout(TIMEOUT)
        .retry(quick_retries())
}

fn transient_kind(err: &Error) -> TransientKind {
    match err {
        Error::Transient { kind, .. } => kind.clone(),
        other => panic!("expected a transient error, got {other:?}"),
    }
}

/// How long a call may take before the test calls it a hang: far beyond any timeout set here,
/// so that only a missing timeout (which would wait forever) trips it, never a slow machine.
const HANG: Duration = Duration::from_secs(120);

/// A failure, with how long it took; a hang fails the test instead of the suite.
async fn failing(session: &Session<IgvLogin>) -> (Error, Duration) {
    let started = Instant::now();
    let outcome = tokio::time::timeout(HANG, session.token())
        .await
        .expect("the session hung");
    (outcome.unwrap_err(), started.elapsed())
}

#[tokio::test]
async fn each_fault_ends_in_its_error_class_within_the_timeout() {
    let sandbox = Sandbox::start().await.unwrap();
    let proxy = FaultProxy::start(sandbox.addr()).await;
    let cases = [
        (Cut::ResetMidResponse, TransientKind::Network),
        (Cut::TruncateBody, TransientKind::Network),
        (Cut::NeverAnswer, TransientKind::Timeout),
        (Cut::Drip(Duration::from_millis(20)), TransientKind::Timeout),
    ];
    for (cut, expected) in cases {
        let before = proxy.connections().len();
        proxy.push([cut; 3]);
        let session = through(&sandbox, proxy.url()).build().unwrap();
        let (err, took) = failing(&session).await;
        assert_eq!(transient_kind(&err), expected, "{cut:?}: {err}");
        assert!(err.is_retryable(), "{cut:?}");
        // A silent or dripping vendor is given the whole timeout on each of the three attempts
        // (a lower bound: a slow machine only adds to it); that the call ends at all is `failing`'s.
        if expected == TransientKind::Timeout {
            assert!(took >= 3 * TIMEOUT, "{cut:?} gave up early: {took:?}");
        }
        assert_eq!(
            proxy.connections().len() - before,
            3,
            "{cut:?}: retried to the cap, no further"
        );
        assert_eq!(session.stats().login_requests, 3, "{cut:?}");
    }
}

#[tokio::test]
async fn a_refused_connection_and_tls_to_a_plain_port_are_connect_errors() {
    let sandbox = Sandbox::start().await.unwrap();
    let refused = format!("http://{}", refused_port().await);
    let tls_to_plain = format!("https://{}", sandbox.addr());
    for base in [refused, tls_to_plain] {
        let session = through(&sandbox, base.clone()).build().unwrap();
        let (err, _) = failing(&session).await;
        assert_eq!(
            transient_kind(&err),
            TransientKind::Connect,
            "{base}: {err}"
        );
        assert_eq!(session.stats().login_requests, 3, "{base}");
    }
    assert_eq!(
        sandbox.igv().login_count(),
        0,
        "no TLS handshake reached the handler"
    );
}

#[tokio::test]
async fn a_transient_fault_is_retried_after_a_jittered_pause() {
    let sandbox = Sandbox::start().await.unwrap();
    let proxy = FaultProxy::start(sandbox.addr()).await;
    let mut first_pauses = Vec::new();
    for _ in 0..8 {
        proxy.push([Cut::ResetMidResponse, Cut::ResetMidResponse]);
        let before = proxy.connections().len();
        let session = through(&sandbox, proxy.url()).build().unwrap();
        assert!(
            session.token().await.is_ok(),
            "the third attempt gets through"
        );
        let accepted = proxy.connections().split_off(before);
        assert_eq!(accepted.len(), 3);
        let pauses: Vec<Duration> = accepted.windows(2).map(|w| w[1] - w[0]).collect();
        // Equal jitter: at least half of 100 ms, then at least half of 200 ms.
        assert!(pauses[0] >= Duration::from_millis(50), "{pauses:?}");
        assert!(pauses[1] >= Duration::from_millis(100), "{pauses:?}");
        first_pauses.push(pauses[0]);
    }
    let distinct: std::collections::BTreeSet<_> =
        first_pauses.iter().map(|p| p.as_millis() / 5).collect();
    assert!(
        distinct.len() >= 3,
        "the pauses are jittered, not fixed: {first_pauses:?}"
    );
}

#[tokio::test]
async fn repeated_failures_space_the_logins_and_a_success_resets_the_gap() {
    let sandbox = Sandbox::start().await.unwrap();
    let proxy = FaultProxy::start(sandbox.addr()).await;
    let gap = Duration::from_millis(400);
    let session = through(&sandbox, proxy.url())
        .retry(
            RetryPolicy::default()
                .with_max_attempts(1)
                .with_login_gap(gap, Duration::from_secs(2)),
        )
        .build()
        .unwrap();
    proxy.push([Cut::ResetMidResponse; 3]);

    // Two failures in a row: each sent.
    for sent in 1..=2 {
        let (err, _) = failing(&session).await;
        assert_eq!(err.class(), ErrorClass::Transient);
        assert_eq!(session.stats().login_requests, sent);
    }
    // Then nothing is sent until the gap has passed; callers hear why at once.
    // (Heard at once, not after sitting out the gap: a caller that waited would then have sent
    // a login, and the counts below would show it.)
    for _ in 0..20 {
        let (err, _) = failing(&session).await;
        let Error::LoginSpaced {
            failures, retry_in, ..
        } = &err
        else {
            panic!("expected a spaced login, got {err:?}");
        };
        assert_eq!(*failures, 2);
        assert!(*retry_in <= gap);
        assert_eq!(
            err.class(),
            ErrorClass::Transient,
            "the last failure's class"
        );
        assert_eq!(err.retry_after(), Some(*retry_in));
    }
    assert_eq!(
        session.stats().login_requests,
        2,
        "the vendor was left alone"
    );
    assert_eq!(proxy.connections().len(), 2);

    // After the gap one login goes out; it fails again, and the gap doubles.
    tokio::time::sleep(gap).await;
    let (err, _) = failing(&session).await;
    assert!(matches!(err, Error::Transient { .. }), "{err:?}");
    assert_eq!(session.stats().login_requests, 3);
    let (err, _) = failing(&session).await;
    assert!(
        err.retry_after().unwrap() > gap,
        "the gap doubled: {:?}",
        err.retry_after()
    );

    // Once the vendor answers again, a success clears the count.
    tokio::time::sleep(2 * gap).await;
    assert!(session.token().await.is_ok());
    assert_eq!(session.stats().login_requests, 4);
}

#[tokio::test]
async fn a_rejected_password_is_sent_once_however_often_it_is_asked_for() {
    let sandbox = Sandbox::start().await.unwrap();
    // With retries and login spacing on (`igv_end_to_end` checks the same without them): neither
    // sends a rejected password again.
    let wrong = IgvLogin::new(igv::DEMO_EMAIL, Secret::from("wrong-password-123"));
    let session = Session::builder(wrong)
        .base_url(sandbox.base_url(Vendor::Igv))
        .retry(RetryPolicy::default())
        .build()
        .unwrap();
    for _ in 0..5 {
        let err = session.token().await.unwrap_err();
        assert_eq!(err.class(), ErrorClass::Rejected);
    }
    assert_eq!(sandbox.igv().login_count(), 1);
    assert_eq!(session.stats().login_requests, 1);
}

#[tokio::test]
async fn retry_after_is_honoured_in_seconds_and_as_a_date() {
    // `Retry-After` as a date, from a server standing in for a vendor's gateway.
    let (addr, hits) = raw_server(|| {
        // Two seconds ahead, whole seconds: the wait is between one and two seconds.
        let at = std::time::SystemTime::now() + Duration::from_secs(2);
        format!(
            "HTTP/1.1 429 Too Many Requests\r\nRetry-After: {}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            httpdate::fmt_http_date(at)
        )
    })
    .await;
    let sandbox = Sandbox::start().await.unwrap();
    let session = through(&sandbox, format!("http://{addr}"))
        .retry(
            quick_retries()
                .with_max_attempts(2)
                .with_base_delay(Duration::from_millis(10)),
        )
        .build()
        .unwrap();
    let started = Instant::now();
    let err = session.token().await.unwrap_err();
    assert_eq!(err.class(), ErrorClass::RateLimited);
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 2);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "retried before the date: {:?}",
        started.elapsed()
    );

    // In seconds, from the sandbox's own rate limit.
    sandbox.igv().push_fault(Fault::RateLimit {
        retry_after: Some(1),
    });
    let session = igv_builder(&sandbox).build().unwrap();
    let started = Instant::now();
    assert!(session.token().await.is_ok());
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert_eq!(sandbox.igv().login_count(), 2);
}

#[tokio::test]
async fn a_login_answered_with_a_redirect_does_not_follow_it() {
    let (elsewhere, stolen) =
        raw_server(|| "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}".to_owned()).await;
    let (addr, _) = raw_server(move || {
        format!(
            "HTTP/1.1 307 Temporary Redirect\r\nLocation: http://{elsewhere}/steal\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )
    })
    .await;
    let sandbox = Sandbox::start().await.unwrap();
    let session = through(&sandbox, format!("http://{addr}")).build().unwrap();
    let (err, _) = failing(&session).await;
    assert_eq!(err.class(), ErrorClass::Protocol, "{err}");
    assert_eq!(
        stolen.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "the credentials went to the redirect target"
    );
}

#[tokio::test]
async fn an_authorised_request_to_a_silent_vendor_times_out_and_is_retried_to_the_cap() {
    let sandbox = Sandbox::start().await.unwrap();
    let proxy = FaultProxy::start(sandbox.addr()).await;
    let session = igv_builder(&sandbox).build().unwrap();
    let path = igv_base_path(&sandbox);
    let client = auth_core::AuthorizedClient::new(session, format!("{}{path}", proxy.url()))
        .unwrap()
        .timeout(TIMEOUT)
        .retry(quick_retries());
    proxy.push([
        Cut::NeverAnswer,
        Cut::Drip(Duration::from_millis(50)),
        Cut::NeverAnswer,
    ]);
    let started = Instant::now();
    let outcome = tokio::time::timeout(HANG, client.get(vendors::sandbox::igv::WHOAMI_PATH).send())
        .await
        .expect("the request hung");
    let err = outcome.unwrap_err();
    assert_eq!(transient_kind(&err), TransientKind::Timeout, "{err}");
    // Each of the three attempts had its whole timeout: a lower bound, whatever the machine.
    assert!(started.elapsed() >= 3 * TIMEOUT, "{:?}", started.elapsed());
    assert_eq!(
        proxy.connections().len(),
        3,
        "retried to the cap, no further"
    );

    // The faults spent, the same client gets through.
    let response = client
        .get(vendors::sandbox::igv::WHOAMI_PATH)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn a_token_never_goes_over_plain_http_to_another_host() {
    let sandbox = Sandbox::start().await.unwrap();
    let session = igv_builder(&sandbox).build().unwrap();
    let err =
        auth_core::AuthorizedClient::new(session.clone(), "http://api.vendor.example").unwrap_err();
    assert!(
        matches!(
            err,
            Error::Config {
                problem: auth_core::ConfigError::InsecureHttp { .. },
                ..
            }
        ),
        "{err:?}"
    );
    let client = auth_core::AuthorizedClient::new(session, sandbox.base_url(Vendor::Igv)).unwrap();
    let err = client
        .get("http://api.vendor.example/seller/sandbox/whoami")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.class(), ErrorClass::Config, "{err}");
}

#[tokio::test]
async fn an_oversized_login_answer_is_a_protocol_error_by_length_or_by_stream() {
    let sandbox = Sandbox::start().await.unwrap();
    let body = format!("{{\"pad\":\"{}\"}}", "x".repeat(2 << 20));
    let with_length = {
        let body = body.clone();
        move || {
            format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            )
        }
    };
    let chunked = move || {
        let mut answer = String::from(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
        );
        for chunk in body.as_bytes().chunks(64 << 10) {
            answer.push_str(&format!("{:x}\r\n", chunk.len()));
            answer.push_str(std::str::from_utf8(chunk).unwrap());
            answer.push_str("\r\n");
        }
        answer.push_str("0\r\n\r\n");
        answer
    };
    let (by_length, _) = raw_server(with_length).await;
    let (by_stream, _) = raw_server(chunked).await;
    for addr in [by_length, by_stream] {
        let session = through(&sandbox, format!("http://{addr}"))
            .max_response_bytes(1 << 20)
            .build()
            .unwrap();
        let (err, _) = failing(&session).await;
        assert!(
            matches!(
                err,
                Error::Protocol {
                    problem: auth_core::ProtocolProblem::TooLarge { limit: 1_048_576 },
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(session.stats().login_requests, 1, "not retried");
    }
}
