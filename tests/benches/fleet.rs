//! The fleet: the time for 8 processes to all hold a token through the Redis store with a cold
//! cache, against one process alone, in the same run; with the number of logins the vendor saw.
//! Each process is the fleet worker binary asking once (process start-up included on both sides).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark: a failed setup stops it loudly

#[path = "../tests/common/redis_server.rs"]
mod redis_server;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use redis_server::RedisServer;
use vendors::sandbox::{Sandbox, Vendor};

/// Starts `processes` workers at once against a cold store; waits for all; checks one login.
fn fleet_once(runtime: &tokio::runtime::Runtime, processes: usize) -> Duration {
    let redis = RedisServer::start();
    let sandbox = runtime.block_on(Sandbox::start()).unwrap();
    let url = sandbox.base_url(Vendor::Igv);
    let began = Instant::now();
    let workers: Vec<_> = (0..processes)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_fleet_worker"))
                .args(["stampede", &url, &redis.url(), "1", "10000"])
                .stdout(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut worker in workers {
        assert!(worker.wait().unwrap().success());
    }
    let elapsed = began.elapsed();
    assert_eq!(sandbox.igv().login_count(), 1, "one login for the fleet");
    elapsed
}

fn fleet(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mut group = c.benchmark_group("fleet through Redis, cold");
    group.sample_size(10);
    for processes in [1, 8] {
        group.bench_function(
            format!("{processes} process(es) until all hold the token"),
            |b| {
                b.iter_custom(|iters| (0..iters).map(|_| fleet_once(&runtime, processes)).sum());
            },
        );
    }
    group.finish();
}

criterion_group!(benches, fleet);
criterion_main!(benches);
