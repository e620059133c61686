//! The stampede: 10,000 tasks ask a cold session for a token at once. Measured: the time until
//! all of them hold it, against one caller's login on the same server, in the same run; once
//! with the local server answering at once, once with a vendor-like 20 ms answer time.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark: a failed setup stops it loudly

mod support;

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};

const CALLERS: usize = 10_000;

fn stampede(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let addr = runtime.block_on(support::start_server());
    for path in ["/login", "/login-20ms"] {
        let mut group = c.benchmark_group(format!("stampede, server {path}"));
        group.sample_size(20);
        let cold = || {
            support::session_builder(addr)
                .login_path(path)
                .build()
                .expect("a session")
        };
        group.bench_function("1 caller", |b| {
            b.iter_custom(|iters| {
                runtime.block_on(async {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        let session = cold();
                        let began = Instant::now();
                        session.token().await.expect("a token");
                        total += began.elapsed();
                    }
                    total
                })
            });
        });
        group.bench_function("10,000 callers", |b| {
            b.iter_custom(|iters| {
                runtime.block_on(async {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        let session = cold();
                        let began = Instant::now();
                        let callers: Vec<_> = (0..CALLERS)
                            .map(|_| {
                                let session = session.clone();
                                tokio::spawn(async move { session.token().await })
                            })
                            .collect();
                        for caller in callers {
                            caller.await.expect("joined").expect("a token");
                        }
                        total += began.elapsed();
                        assert_eq!(session.stats().login_requests, 1);
                    }
                    total
                })
            });
        });
        group.bench_function("harness only: 10,000 tasks spawned and joined", |b| {
            b.iter_custom(|iters| {
                runtime.block_on(async {
                    let began = Instant::now();
                    for _ in 0..iters {
                        let tasks: Vec<_> = (0..CALLERS).map(|_| tokio::spawn(async {})).collect();
                        for task in tasks {
                            task.await.expect("joined");
                        }
                    }
                    began.elapsed()
                })
            });
        });
        group.finish();
    }
}

criterion_group!(benches, stampede);
criterion_main!(benches);
