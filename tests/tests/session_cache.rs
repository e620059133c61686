//! The session's cache over real HTTP: single flight, cancellation, renewal ahead, expiry, and
//! every failure class.

mod common;

use std::sync::Arc;
use std::time::Duration;

use auth_core::{Error, ErrorClass, ProtocolProblem, RenewPolicy, RetryPolicy, TransientKind};
use common::igv_builder;
use vendors::sandbox::{Fault, Sandbox};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_concurrent_callers_on_a_cold_cache_cause_one_login() {
    let sandbox = Sandbox::start().await.unwrap();
    // A slow login keeps the flight open while every caller arrives.
    sandbox
        .igv()
        .push_fault(Fault::Slow(Duration::from_millis(200)));
    let session = igv_builder(&sandbox).build().unwrap();
    let callers: Vec<_> = (0..10_000)
        .map(|_| {
            let session = session.clone();
            tokio::spawn(async move { session.token().await })
        })
        .collect();
    let mut tokens = Vec::new();
    for caller in callers {
        tokens.push(caller.await.unwrap().unwrap());
    }
    assert_eq!(sandbox.igv().login_count(), 1);
    assert_eq!(session.stats().login_requests, 1);
    assert!(tokens.iter().all(|t| Arc::ptr_eq(t, &tokens[0])));
}

#[tokio::test]
async fn a_cancelled_caller_does_not_cancel_the_shared_login() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox
        .igv()
        .push_fault(Fault::Slow(Duration::from_millis(300)));
    let session = igv_builder(&sandbox).build().unwrap();
    let impatient = tokio::time::timeout(Duration::from_millis(20), session.token()).await;
    assert!(impatient.is_err(), "the first caller gave up");
    let token = session.token().await.unwrap();
    assert!(token.secret().expose().starts_with("igv-"));
    assert_eq!(
        sandbox.igv().login_count(),
        1,
        "the second caller joined the same login"
    );
}

#[tokio::test]
async fn a_login_whose_only_caller_gave_up_still_completes_and_is_cached() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox
        .igv()
        .push_fault(Fault::Slow(Duration::from_millis(100)));
    let session = igv_builder(&sandbox).build().unwrap();
    let impatient = tokio::time::timeout(Duration::from_millis(10), session.token()).await;
    assert!(impatient.is_err(), "the only caller gave up");
    // Nobody waits now; the login goes on by itself and fills the cache.
    let mut waited = Duration::ZERO;
    while session.cached_token().is_none() {
        assert!(
            waited < Duration::from_secs(10),
            "the login was dropped with its caller"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
        waited += Duration::from_millis(10);
    }
    assert_eq!(session.stats().logins_succeeded, 1);
    assert_eq!(sandbox.igv().login_count(), 1);
}

#[tokio::test(start_paused = true)]
async fn renews_ahead_of_expiry_while_serving_the_current_token() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.igv().set_token_lifetime(Duration::from_secs(100));
    // Renewal exactly at 80 s, so the test can look while it is under way.
    let policy = RenewPolicy::default().with_renewal_between(0.8, 0.8);
    let session = igv_builder(&sandbox).renew(policy).build().unwrap();
    let first = session.token().await.unwrap();

    tokio::time::sleep(Duration::from_secs(70)).await;
    assert!(
        Arc::ptr_eq(&first, &session.token().await.unwrap()),
        "too early to renew"
    );
    assert_eq!(sandbox.igv().login_count(), 1);

    // The renewal at 80 s takes 5 s; the token may be sent until 90 s.
    sandbox
        .igv()
        .push_fault(Fault::Slow(Duration::from_secs(5)));
    tokio::time::sleep(Duration::from_secs(12)).await;
    let during = session.token().await.unwrap();
    assert!(
        Arc::ptr_eq(&first, &during),
        "the still-valid token is served while renewing"
    );
    assert_eq!(
        sandbox.igv().login_count(),
        2,
        "the renewal started in the background at 80 s"
    );

    tokio::time::sleep(Duration::from_secs(4)).await;
    let renewed = session.token().await.unwrap();
    assert!(!Arc::ptr_eq(&first, &renewed));
    assert_eq!(sandbox.igv().login_count(), 2);
    assert_eq!(session.stats().logins_succeeded, 2);
}

#[tokio::test(start_paused = true)]
async fn a_failed_renewal_keeps_the_valid_token_and_tries_again() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.igv().set_token_lifetime(Duration::from_secs(100));
    let policy = RenewPolicy::default().with_renewal_between(0.8, 0.8);
    let retry = RetryPolicy::default()
        .with_max_attempts(2)
        .with_base_delay(Duration::from_secs(1));
    let session = igv_builder(&sandbox)
        .renew(policy)
        .retry(retry)
        .build()
        .unwrap();
    let first = session.token().await.unwrap();
    tokio::time::sleep(Duration::from_secs(10)).await;
    assert!(Arc::ptr_eq(&first, &session.token().await.unwrap()));

    // The renewal at 80 s fails both attempts; the vendor recovers after that.
    sandbox.igv().push_fault(Fault::HtmlErrorPage(503));
    sandbox.igv().push_fault(Fault::HtmlErrorPage(503));
    tokio::time::sleep(Duration::from_secs(69)).await;
    while session.stats().logins_failed == 0 {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The renewer waits at least half its base delay (0.5 s) before trying again.
    let kept = session.token().await.unwrap();
    assert!(
        Arc::ptr_eq(&first, &kept),
        "the still-valid token is kept after a failed renewal"
    );
    assert_eq!(
        sandbox.igv().login_count(),
        3,
        "first login and two failed attempts"
    );

    // It tries again and succeeds, before the token's 90 s limit.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let renewed = session.token().await.unwrap();
    assert!(!Arc::ptr_eq(&first, &renewed), "renewed after the failure");
    assert_eq!(session.stats().logins_succeeded, 2);
    assert_eq!(sandbox.igv().login_count(), 4);
}

#[tokio::test(start_paused = true)]
async fn an_idle_session_stops_renewing_and_its_token_lapses() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.igv().set_token_lifetime(Duration::from_secs(100));
    let session = igv_builder(&sandbox).build().unwrap();
    let first = session.token().await.unwrap();
    // Asked once, then left alone for hours: no background logins.
    tokio::time::sleep(Duration::from_secs(6 * 3600)).await;
    assert_eq!(
        sandbox.igv().login_count(),
        1,
        "an idle session does not keep logging in"
    );
    assert!(session.cached_token().is_none());
    let second = session.token().await.unwrap();
    assert!(!Arc::ptr_eq(&first, &second));
    assert_eq!(sandbox.igv().login_count(), 2);
}

// Issue 25, item 7: the renewer started by a call on a token past its renewal point used to
// forget that call, and stopped at once for idleness: the token then lapsed under its callers.
#[tokio::test(start_paused = true)]
async fn a_session_used_again_after_an_idle_stop_is_renewed_ahead_while_in_use() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.igv().set_token_lifetime(Duration::from_secs(100));
    let policy = RenewPolicy::default().with_renewal_between(0.8, 0.8);
    let session = igv_builder(&sandbox).renew(policy).build().unwrap();
    session.token().await.unwrap();
    // Asked once: at the renewal point (80 s) the renewer finds the session idle and stops.
    tokio::time::sleep(Duration::from_secs(82)).await;
    assert_eq!(
        sandbox.igv().login_count(),
        1,
        "no renewal for an idle session"
    );
    // In use again, ten calls a second, for four lifetimes: renewed ahead each time, the token
    // never lapses under its callers (it may be sent until 90% of its life).
    let step = Duration::from_millis(100);
    for call in 0..4000 {
        assert!(
            session.cached_token().is_some(),
            "the token lapsed while in use (call {call}, {} logins)",
            sandbox.igv().login_count()
        );
        session.token().await.unwrap();
        tokio::time::sleep(step).await;
    }
    let in_use = sandbox.igv().login_count();
    assert!(in_use >= 5, "renewed ahead about every 80 s: {in_use}");
    // Left alone again: at most the renewal the last calls asked for, then it lapses.
    tokio::time::sleep(Duration::from_secs(6 * 3600)).await;
    assert!(sandbox.igv().login_count() <= in_use + 1);
    assert!(session.cached_token().is_none());
}

#[tokio::test(start_paused = true)]
async fn an_expired_token_is_never_handed_out() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.igv().set_token_lifetime(Duration::from_secs(100));
    let session = igv_builder(&sandbox).build().unwrap();
    let first = session.token().await.unwrap();
    // Idle past the safety margin (the last 10 s): no background work happened meanwhile.
    tokio::time::sleep(Duration::from_secs(91)).await;
    assert!(session.cached_token().is_none());
    assert_eq!(sandbox.igv().login_count(), 1);
    let second = session.token().await.unwrap();
    assert!(!Arc::ptr_eq(&first, &second));
    assert_eq!(sandbox.igv().login_count(), 2);
}

#[tokio::test]
async fn invalidate_drops_only_the_rejected_token() {
    let sandbox = Sandbox::start().await.unwrap();
    let session = igv_builder(&sandbox).build().unwrap();
    let first = session.token().await.unwrap();
    assert!(session.invalidate(&first));
    assert!(
        !session.invalidate(&first),
        "a second report of the same token changes nothing"
    );
    let second = session.token().await.unwrap();
    assert!(!session.invalidate(&first), "a newer token is kept");
    assert!(Arc::ptr_eq(&second, &session.token().await.unwrap()));
    assert_eq!(sandbox.igv().login_count(), 2);
}

#[tokio::test]
async fn malformed_bodies_are_protocol_errors_and_not_retried() {
    let sandbox = Sandbox::start().await.unwrap();
    for fault in [Fault::MalformedBody, Fault::TruncatedBody] {
        sandbox.igv().push_fault(fault.clone());
        let session = igv_builder(&sandbox).build().unwrap();
        match session.token().await {
            Err(Error::Protocol {
                problem: ProtocolProblem::NotJson { .. },
                status: 200,
                ..
            }) => {}
            other => panic!("{fault:?}: expected a protocol error, got {other:?}"),
        }
        assert_eq!(session.stats().login_requests, 1, "{fault:?} was retried");
        // The session is not poisoned by a protocol error: the next call logs in.
        assert!(session.token().await.is_ok());
    }
}

#[tokio::test(start_paused = true)]
async fn a_rate_limit_is_honoured_then_retried() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.igv().push_fault(Fault::RateLimit {
        retry_after: Some(3),
    });
    let session = igv_builder(&sandbox).build().unwrap();
    let started = tokio::time::Instant::now();
    assert!(session.token().await.is_ok());
    assert!(
        started.elapsed() >= Duration::from_secs(3),
        "retried before Retry-After"
    );
    assert_eq!(sandbox.igv().login_count(), 2);

    sandbox.igv().push_fault(Fault::RateLimit {
        retry_after: Some(3600),
    });
    let patient = igv_builder(&sandbox).build().unwrap();
    let err = patient.token().await.unwrap_err();
    assert_eq!(err.class(), ErrorClass::RateLimited);
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3600)));
    assert_eq!(
        patient.stats().login_requests,
        1,
        "a wait beyond the budget ends the retries"
    );
}

#[tokio::test(start_paused = true)]
async fn a_silent_vendor_times_out() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox
        .igv()
        .push_fault(Fault::Slow(Duration::from_secs(60)));
    let session = igv_builder(&sandbox)
        .login_timeout(Duration::from_secs(5))
        .retry(RetryPolicy::never())
        .build()
        .unwrap();
    let started = tokio::time::Instant::now();
    let err = session.token().await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transient {
                kind: TransientKind::Timeout,
                ..
            }
        ),
        "{err}"
    );
    assert!(started.elapsed() < Duration::from_secs(6));
}

#[tokio::test]
async fn transient_failures_are_retried_within_the_budget() {
    let sandbox = Sandbox::start().await.unwrap();
    for _ in 0..3 {
        sandbox.igv().push_fault(Fault::HtmlErrorPage(503));
    }
    let policy = RetryPolicy::default().with_base_delay(Duration::from_millis(5));
    let session = igv_builder(&sandbox).retry(policy).build().unwrap();
    let err = session.token().await.unwrap_err();
    assert!(matches!(
        err,
        Error::Transient {
            kind: TransientKind::Status(503),
            ..
        }
    ));
    assert_eq!(session.stats().login_requests, 3, "three attempts in all");
    assert!(
        session.token().await.is_ok(),
        "a transient failure does not poison the session"
    );
}

#[tokio::test]
async fn an_unreachable_vendor_is_a_connect_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let session = auth_core::Session::builder(vendors::igv::IgvLogin::new("a@b", "pw".into()))
        .base_url(format!("http://{addr}/merchant-api"))
        .retry(RetryPolicy::never())
        .build()
        .unwrap();
    let err = session.token().await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transient {
                kind: TransientKind::Connect,
                ..
            }
        ),
        "{err}"
    );
    assert!(
        !err.to_string().contains(&addr.to_string()),
        "URLs stay out of messages: {err}"
    );
}

#[tokio::test]
async fn a_token_handle_follows_the_session_through_invalidation() {
    let sandbox = Sandbox::start().await.unwrap();
    let session = igv_builder(&sandbox).build().unwrap();
    let mut handle = session.handle();
    let first = handle.token().await.unwrap().secret().expose().to_owned();
    assert_eq!(session.token().await.unwrap().secret().expose(), first);
    let current = session.token().await.unwrap();
    assert!(session.invalidate(&current));
    let second = handle.token().await.unwrap().secret().expose().to_owned();
    assert_ne!(
        second, first,
        "the handle saw the invalidation and the new login"
    );
    assert_eq!(session.token().await.unwrap().secret().expose(), second);
    let mut clone = handle.clone();
    assert_eq!(clone.token().await.unwrap().secret().expose(), second);
    assert_eq!(sandbox.igv().login_count(), 2);
}

#[test]
fn a_cached_token_is_read_without_panicking_outside_any_runtime() {
    use futures_util::FutureExt;
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (sandbox, session, first) = runtime.block_on(async {
        let sandbox = Sandbox::start().await.unwrap();
        let session = igv_builder(&sandbox).build().unwrap();
        let first = session.token().await.unwrap();
        (sandbox, session, first)
    });
    // The runtime goes, and its renewer task with it: no runtime is left to start another.
    drop(runtime);
    let read = std::thread::spawn(move || {
        let token = session.token().now_or_never();
        (token, session)
    })
    .join()
    .expect("no panic outside a runtime");
    let token = read.0.expect("a hit completes at once").unwrap();
    assert!(Arc::ptr_eq(&token, &first));
    drop(sandbox);
}
