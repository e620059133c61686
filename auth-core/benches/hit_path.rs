//! The hit path: a valid cached token, ready to put on a request, against the physical floor
//! (an `Arc` clone of a prebuilt header value), the two lock designs of the anchors, and one real
//! anchor (gcp_auth's cached-token path), at 1 and 2 threads, all in one run.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark: a failed setup stops it loudly

mod support;

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use futures_util::FutureExt;
use gcp_auth::TokenProvider;
use reqwest::header::HeaderValue;

/// A cached token as the lock designs keep it: the header value and its expiry.
struct Cached {
    #[allow(dead_code)] // held as the anchors hold it; the callers take the Arc
    value: HeaderValue,
    expires_at: Instant,
}

/// gcp_auth's design: a `tokio::sync::RwLock` around the token, expiry checked on each read.
fn rwlock_hit(cache: &tokio::sync::RwLock<Arc<Cached>>) -> Arc<Cached> {
    // The calling threads are outside the runtime, so a contended lock parks them, as it
    // would park a task.
    let guard = cache.blocking_read();
    assert!(guard.expires_at > Instant::now());
    Arc::clone(&guard)
}

/// yup-oauth2's design: a `tokio::sync::Mutex` around the token.
fn mutex_hit(cache: &tokio::sync::Mutex<Arc<Cached>>) -> Arc<Cached> {
    let guard = cache.blocking_lock();
    assert!(guard.expires_at > Instant::now());
    Arc::clone(&guard)
}

/// Runs `call` `iters` times on each of `threads` threads at once; the wall time per thread.
fn on_threads<F: Fn() + Sync>(threads: usize, iters: u64, call: F) -> Duration {
    let start = std::sync::Barrier::new(threads + 1);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                start.wait();
                for _ in 0..iters {
                    call();
                }
            });
        }
        start.wait();
        let began = Instant::now();
        // The scope joins the threads before returning.
        began
    })
    .elapsed()
}

fn hit_path(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let (session, gcp) = runtime.block_on(async {
        let addr = support::start_server().await;
        let session = support::session(addr);
        session.token().await.expect("a first login");
        let gcp = gcp_anchor(addr).await;
        (session, gcp)
    });
    let floor = Arc::new(HeaderValue::from_static("Bearer tok-0123456789abcdef"));
    let cached = || {
        Arc::new(Cached {
            value: HeaderValue::from_static("Bearer tok-0123456789abcdef"),
            expires_at: Instant::now() + Duration::from_secs(3600),
        })
    };
    let rwlock = tokio::sync::RwLock::new(cached());
    let mutex = tokio::sync::Mutex::new(cached());
    let scopes = ["https://www.googleapis.com/auth/cloud-platform"];
    let _guard = runtime.enter();

    let ours = || {
        let token = session
            .token()
            .now_or_never()
            .expect("a hit")
            .expect("a token");
        black_box(token);
    };
    let floor_call = || {
        black_box(Arc::clone(&floor));
    };
    let rwlock_call = || {
        black_box(rwlock_hit(&rwlock));
    };
    let mutex_call = || {
        black_box(mutex_hit(&mutex));
    };
    let gcp_call = || {
        let token = gcp
            .token(&scopes)
            .now_or_never()
            .expect("a hit")
            .expect("a token");
        black_box(token);
    };
    let cases: [(&str, &(dyn Fn() + Sync)); 5] = [
        ("floor: Arc clone", &floor_call),
        ("seller-auth Session::token", &ours),
        ("design: tokio RwLock", &rwlock_call),
        ("design: tokio Mutex", &mutex_call),
        ("anchor: gcp_auth 0.12 token()", &gcp_call),
    ];
    for threads in [1, 2] {
        let mut group = c.benchmark_group(format!("hit path, {threads} thread(s)"));
        for (name, call) in cases {
            group.bench_function(name, |b| {
                b.iter_custom(|iters| on_threads(threads, iters, call))
            });
        }
        group.finish();
    }
}

/// gcp_auth's service-account provider, its `token_uri` on the local server, one token fetched.
async fn gcp_anchor(addr: std::net::SocketAddr) -> gcp_auth::CustomServiceAccount {
    let key = std::process::Command::new("openssl")
        .args([
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
        ])
        .output()
        .expect("openssl makes the anchor's RSA key");
    let json = serde_json::json!({
        "type": "service_account",
        "project_id": "bench",
        "private_key": String::from_utf8_lossy(&key.stdout),
        "client_email": "bench@bench.iam.example",
        "token_uri": format!("http://{addr}/oauth2/token"),
    });
    let account = gcp_auth::CustomServiceAccount::from_json(&json.to_string()).expect("a key");
    account
        .token(&["https://www.googleapis.com/auth/cloud-platform"])
        .await
        .expect("the anchor's first token");
    account
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2));
    targets = hit_path
}
criterion_main!(benches);
