//! The hit path: a valid cached token, ready to put on a request, against the physical floor
//! (an `Arc` clone of a prebuilt header value), the two lock designs of the anchors, and one real
//! anchor (gcp_auth's cached-token path), at 1 and 2 threads, all in one run.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark: a failed setup stops it loudly

mod support;

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use auth_core::Secret;
use criterion::{Criterion, criterion_group, criterion_main};
use gcp_auth::TokenProvider;
use reqwest::header::HeaderValue;

/// A cached token as the lock designs keep it: the header value and its expiry.
struct Cached {
    #[allow(dead_code)] // held as the anchors hold it; the callers take the Arc
    value: HeaderValue,
    expires_at: Instant,
}

/// Runs each thread's batch (made by `make`, outside the timing) of `iters` calls, on
/// `threads` threads at once; the wall time, which is the time per thread. A batch is one
/// async loop on a current-thread runtime of its thread, awaiting each call as application
/// code does.
fn on_threads<M, B>(threads: usize, iters: u64, make: &M) -> Duration
where
    M: Fn() -> B + Sync,
    B: FnMut(&tokio::runtime::Runtime, u64),
{
    let start = std::sync::Barrier::new(threads + 1);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .build()
                    .expect("a runtime");
                let mut batch = make();
                start.wait();
                batch(&runtime, iters);
            });
        }
        start.wait();
        let began = Instant::now();
        // The scope joins the threads before returning.
        began
    })
    .elapsed()
}

/// One measured case (monomorphised: no dynamic dispatch in the measured loop).
fn case<M, B>(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    threads: usize,
    name: &str,
    make: M,
) where
    M: Fn() -> B + Sync,
    B: FnMut(&tokio::runtime::Runtime, u64),
{
    group.bench_function(name, |b| {
        b.iter_custom(|iters| on_threads(threads, iters, &make))
    });
}

fn hit_path(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let (session, seller, gcp) = runtime.block_on(async {
        let addr = support::start_server().await;
        let session = support::session(addr);
        session.token().await.expect("a first login");
        let seller = directory_seller(addr).await;
        let gcp = gcp_anchor(addr).await;
        (session, seller, gcp)
    });
    // The same kind of session as `session`, erased: what a directory's client holds, without
    // the directory (its store and shared renewal task), to tell the two costs apart.
    let erased = auth_core::AnySession::from(session.clone());
    // Let the renewer take its first look, as it does right after a login in an application.
    std::thread::sleep(Duration::from_millis(50));
    let floor = Arc::new(HeaderValue::from_static("Bearer tok-0123456789abcdef"));
    let cached = || {
        Arc::new(Cached {
            value: HeaderValue::from_static("Bearer tok-0123456789abcdef"),
            expires_at: Instant::now() + Duration::from_secs(3600),
        })
    };
    // gcp_auth's design: a `tokio::sync::RwLock` around the token, expiry checked on each read;
    // yup-oauth2's: a `tokio::sync::Mutex`.
    let rwlock = tokio::sync::RwLock::new(cached());
    let mutex = tokio::sync::Mutex::new(cached());
    let scopes = ["https://www.googleapis.com/auth/cloud-platform"];

    for threads in [1, 2] {
        let mut group = c.benchmark_group(format!("hit path, {threads} thread(s)"));
        case(&mut group, threads, "floor: Arc clone", || {
            |rt: &tokio::runtime::Runtime, iters| {
                rt.block_on(async {
                    for _ in 0..iters {
                        black_box(Arc::clone(&floor));
                    }
                });
            }
        });
        case(&mut group, threads, "seller-auth Session::token", || {
            |rt: &tokio::runtime::Runtime, iters| {
                rt.block_on(async {
                    for _ in 0..iters {
                        black_box(session.token().await.expect("a token"));
                    }
                });
            }
        });
        case(
            &mut group,
            threads,
            "seller-auth AnySession::token (a plain session, erased)",
            || {
                |rt: &tokio::runtime::Runtime, iters| {
                    rt.block_on(async {
                        for _ in 0..iters {
                            black_box(erased.token().await.expect("a token"));
                        }
                    });
                }
            },
        );
        case(
            &mut group,
            threads,
            "seller-auth directory seller: client.session().token()",
            || {
                |rt: &tokio::runtime::Runtime, iters| {
                    rt.block_on(async {
                        for _ in 0..iters {
                            black_box(seller.session().token().await.expect("a token"));
                        }
                    });
                }
            },
        );
        case(
            &mut group,
            threads,
            "seller-auth TokenHandle::token (one per thread)",
            || {
                let mut handle = session.handle();
                move |rt: &tokio::runtime::Runtime, iters| {
                    rt.block_on(async {
                        for _ in 0..iters {
                            black_box(handle.token().await.expect("a token"));
                        }
                    });
                }
            },
        );
        case(&mut group, threads, "design: tokio RwLock", || {
            |rt: &tokio::runtime::Runtime, iters| {
                rt.block_on(async {
                    for _ in 0..iters {
                        let guard = rwlock.read().await;
                        assert!(guard.expires_at > Instant::now());
                        black_box(Arc::clone(&guard));
                    }
                });
            }
        });
        case(&mut group, threads, "design: tokio Mutex", || {
            |rt: &tokio::runtime::Runtime, iters| {
                rt.block_on(async {
                    for _ in 0..iters {
                        let guard = mutex.lock().await;
                        assert!(guard.expires_at > Instant::now());
                        black_box(Arc::clone(&guard));
                    }
                });
            }
        });
        case(&mut group, threads, "anchor: gcp_auth 0.12 token()", || {
            |rt: &tokio::runtime::Runtime, iters| {
                rt.block_on(async {
                    for _ in 0..iters {
                        black_box(gcp.token(&scopes).await.expect("a token"));
                    }
                });
            }
        });
        group.finish();
    }
}

/// A seller's client from a `SellerDirectory` on a memory store: onboarded once with a code,
/// then asked for by id, its token cached and watched by the directory's one renewal task.
async fn directory_seller(addr: std::net::SocketAddr) -> auth_core::AuthorizedClient {
    let directory = auth_core::SellerDirectory::<support::BenchExchange>::builder("app".into())
        .token_base_url(format!("http://{addr}"))
        .api_base_url(format!("http://{addr}"))
        .build()
        .expect("a directory");
    let seller = directory
        .onboard(Secret::from("code"), None)
        .await
        .expect("the seller onboarded");
    let client = directory.seller(&seller).expect("the seller's client");
    client.session().token().await.expect("the seller's token");
    client
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

/// `Session::token` on one thread without a metrics recorder, then with a Prometheus recorder
/// installed (process-wide, so measured last): the hit path reports nothing, and must not slow.
fn hit_path_with_metrics(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let session = runtime.block_on(async {
        let addr = support::start_server().await;
        let session = support::session(addr);
        session.token().await.expect("a first login");
        session
    });
    std::thread::sleep(Duration::from_millis(50));
    let mut group = c.benchmark_group("hit path, 1 thread, metrics");
    let token = || {
        |rt: &tokio::runtime::Runtime, iters| {
            rt.block_on(async {
                for _ in 0..iters {
                    black_box(session.token().await.expect("a token"));
                }
            });
        }
    };
    case(&mut group, 1, "Session::token, no recorder", token);
    let _prometheus = metrics_exporter_prometheus::PrometheusBuilder::new()
        .install_recorder()
        .expect("the only recorder of this process");
    // A renewal now reports through the recorder, as in an application that scrapes it.
    runtime.block_on(async { session.renew().await.expect("a renewal") });
    std::thread::sleep(Duration::from_millis(50));
    case(
        &mut group,
        1,
        "Session::token, Prometheus recorder installed",
        token,
    );
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2));
    targets = hit_path, hit_path_with_metrics
}
criterion_main!(benches);
