//! An authorised request through `AuthorizedClient`, and through `TokenMiddleware` in a
//! `reqwest-middleware` stack, against the same request with the header set by hand from a
//! token held in a variable: same client, same local server, same run.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark: a failed setup stops it loudly

mod support;

use criterion::{Criterion, criterion_group, criterion_main};
use reqwest::header::AUTHORIZATION;

fn overhead(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    let addr = runtime.block_on(support::start_server());
    let client = reqwest::Client::new();
    let session = support::session_builder(addr)
        .client(client.clone())
        .build()
        .expect("a session");
    let base = format!("http://{addr}");
    let authorised = auth_core::AuthorizedClient::new(session.clone(), &base).expect("a client");
    let token = runtime.block_on(session.token()).expect("a token");
    let (_, value) = token.header().expect("sent in a header");
    let value = value.clone();
    let url = format!("{base}/api");

    let mut group = c.benchmark_group("authorised GET");
    group.bench_function("header set by hand", |b| {
        b.to_async(&runtime).iter(|| async {
            let response = client
                .get(&url)
                .header(AUTHORIZATION, value.clone())
                .send()
                .await
                .expect("a response");
            assert!(response.status().is_success());
            std::hint::black_box(response.bytes().await.expect("a body"));
        });
    });
    group.bench_function("AuthorizedClient", |b| {
        b.to_async(&runtime).iter(|| async {
            let response = authorised.get("/api").send().await.expect("a response");
            assert!(response.status().is_success());
            std::hint::black_box(response.bytes().await.expect("a body"));
        });
    });
    let stack = reqwest_middleware::ClientBuilder::new(client.clone())
        .with(auth_core::TokenMiddleware::new(authorised.clone()))
        .build();
    group.bench_function("TokenMiddleware in a ClientWithMiddleware", |b| {
        b.to_async(&runtime).iter(|| async {
            let response = stack.get(&url).send().await.expect("a response");
            assert!(response.status().is_success());
            std::hint::black_box(response.bytes().await.expect("a body"));
        });
    });
    group.finish();
}

criterion_group!(benches, overhead);
criterion_main!(benches);
