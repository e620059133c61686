//! Two processes share a store (a directory, then a Redis server) and renew a rotating
//! marketplace token at the same moment, round after round: each round makes exactly one
//! refresh, both processes' calls succeed, no refresh token is presented twice (the sandbox
//! would refuse it), and the spent code is never sent again.

mod common;

use common::fleet::Racer;
use common::redis_server::RedisServer;
use vendors::sandbox::{Ledger, Sandbox, Vendor, VendorState};

const ROUNDS: usize = 40;

fn rotating(sandbox: &Sandbox, vendor: Vendor) -> (&VendorState, &Ledger, String) {
    match vendor {
        Vendor::Tiktok => (
            sandbox.tiktok().state(),
            sandbox.tiktok().ledger(),
            sandbox.tiktok().issue_code(),
        ),
        Vendor::Shopee => (
            sandbox.shopee().state(),
            sandbox.shopee().ledger(),
            sandbox.shopee().issue_code(),
        ),
        Vendor::MercadoLibre => (
            sandbox.mercadolibre().state(),
            sandbox.mercadolibre().ledger(),
            sandbox.mercadolibre().issue_code(),
        ),
        other => unreachable!("{other:?} does not rotate refresh tokens"),
    }
}

async fn races(store: &str) {
    let sandbox = Sandbox::start().await.unwrap();
    for vendor in [Vendor::Tiktok, Vendor::Shopee, Vendor::MercadoLibre] {
        let (state, ledger, code) = rotating(&sandbox, vendor);
        let url = sandbox.base_url(vendor);
        let args = [
            "market-race",
            vendor.name(),
            url.as_str(),
            store,
            code.as_str(),
        ];
        let mut first = Racer::start_with(&args).await;
        let mut second = Racer::start_with(&args).await;
        assert_eq!(
            state.login_count(),
            1,
            "{vendor:?}: the second process adopted the token"
        );
        for round in 1..=ROUNDS {
            let said;
            (first, second, said) = Racer::race(first, second).await;
            assert_eq!(
                (said.0.as_str(), said.1.as_str()),
                ("ok", "ok"),
                "{vendor:?}, round {round}"
            );
            assert_eq!(
                state.refresh_count(),
                round as u64,
                "{vendor:?}: one refresh in round {round}"
            );
            assert_eq!(ledger.live_refresh_tokens(), 1, "{vendor:?}, round {round}");
        }
        assert_eq!(
            state.login_count(),
            1,
            "{vendor:?}: the spent code was never sent again"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotating_marketplace_refreshes_race_through_a_file_store_without_reusing_a_token() {
    let dir = tempfile::Builder::new()
        .prefix("market-race-")
        .tempdir()
        .unwrap();
    races(&format!("file:{}", dir.path().display())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotating_marketplace_refreshes_race_through_redis_without_reusing_a_token() {
    let redis = RedisServer::start();
    races(&redis.url()).await;
}
