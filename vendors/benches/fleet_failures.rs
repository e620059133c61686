//! What remembering failures costs, measured in one run against the sandbox's iGV login:
//!
//! - a login through a file store that keeps failure records, against the same login through
//!   the same store with the failure methods left at their defaults (no I/O): the price of
//!   reading the record on every login;
//! - the credential fingerprint (Argon2id, 19 MiB, 2 passes), paid only when a login fails or
//!   a record from another process must be checked (once per process and record), against a
//!   login through the store.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark: a failed setup stops it loudly

use std::sync::Arc;
use std::time::Duration;

use auth_core::store::{
    CredentialFingerprint, FileStore, Lease, StoreError, StoredToken, Swap, TokenStore, Versioned,
};
use auth_core::{Secret, Session};
use criterion::{Criterion, criterion_group, criterion_main};
use futures_util::future::BoxFuture;
use vendors::igv::IgvLogin;
use vendors::sandbox::{Sandbox, Vendor, igv};

/// The file store with the failure methods left at the trait's defaults.
struct WithoutFailureRecords(FileStore);

impl TokenStore for WithoutFailureRecords {
    fn load<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<Versioned>, StoreError>> {
        self.0.load(key)
    }
    fn compare_and_swap<'a>(
        &'a self,
        key: &'a str,
        expected: Option<u64>,
        token: &'a StoredToken,
        fence: u64,
    ) -> BoxFuture<'a, Result<Swap, StoreError>> {
        self.0.compare_and_swap(key, expected, token, fence)
    }
    fn try_lease<'a>(
        &'a self,
        key: &'a str,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<Option<Lease>, StoreError>> {
        self.0.try_lease(key, ttl)
    }
    fn extend_lease<'a>(
        &'a self,
        key: &'a str,
        lease: &'a Lease,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<bool, StoreError>> {
        self.0.extend_lease(key, lease, ttl)
    }
    fn release<'a>(&'a self, key: &'a str, lease: Lease) -> BoxFuture<'a, Result<(), StoreError>> {
        self.0.release(key, lease)
    }
}

fn costs(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let sandbox = runtime.block_on(Sandbox::start()).expect("the sandbox");
    let base = sandbox.base_url(Vendor::Igv);
    let dir = tempfile::Builder::new()
        .prefix("seller-auth-bench-failures-")
        .tempdir()
        .unwrap();
    let session = |store: Arc<dyn TokenStore>| {
        Session::builder(IgvLogin::new(
            igv::DEMO_EMAIL,
            Secret::from(igv::DEMO_PASSWORD),
        ))
        .base_url(&base)
        .store(store)
        .build()
        .expect("a session")
    };
    let with_records = session(Arc::new(FileStore::new(dir.path().join("with"))));
    let without_records = session(Arc::new(WithoutFailureRecords(FileStore::new(
        dir.path().join("without"),
    ))));
    runtime.block_on(async {
        with_records.token().await.expect("a first login");
        without_records.token().await.expect("a first login");
    });
    // What a session fingerprints: vendor, login URL, e-mail and password, each framed.
    let credentials = format!(
        "iGV{base}/seller/auth/login email {} password {}",
        igv::DEMO_EMAIL,
        igv::DEMO_PASSWORD
    );

    let mut group = c.benchmark_group("remembering failures");
    group.bench_function(
        "iGV login through a file store without failure records",
        |b| {
            b.to_async(&runtime).iter(|| async {
                std::hint::black_box(without_records.renew().await.expect("a token"));
            });
        },
    );
    group.bench_function("iGV login through a file store with failure records", |b| {
        b.to_async(&runtime).iter(|| async {
            std::hint::black_box(with_records.renew().await.expect("a token"));
        });
    });
    group.sample_size(20);
    group.bench_function("credential fingerprint (Argon2id 19 MiB, t=2)", |b| {
        b.iter(|| {
            std::hint::black_box(CredentialFingerprint::new(credentials.as_bytes()).unwrap());
        });
    });
    group.finish();
}

criterion_group!(benches, costs);
criterion_main!(benches);
