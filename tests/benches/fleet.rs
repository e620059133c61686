//! The fleet: the time for 8 processes to all hold a token through a store with a cold cache,
//! against one process alone, in the same run; through one Redis and through a Redis Cluster
//! (three masters on loopback), with the number of logins the vendor saw. Each process is the
//! fleet worker binary asking once (process start-up included on both sides). One server or
//! cluster serves a whole group; each iteration uses a namespace of its own, so its cache is
//! cold.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark: a failed setup stops it loudly

#[path = "../tests/common/redis_cluster.rs"]
mod redis_cluster;
#[path = "../tests/common/redis_server.rs"]
mod redis_server;

use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use redis_cluster::RedisCluster;
use redis_server::RedisServer;
use vendors::sandbox::{Sandbox, Vendor};

static ITERATION: AtomicU64 = AtomicU64::new(0);

/// Starts `processes` workers at once on a fresh namespace of `store`; waits for all; checks
/// one login.
fn fleet_once(runtime: &tokio::runtime::Runtime, store: &Store, processes: usize) -> Duration {
    let sandbox = runtime.block_on(Sandbox::start()).unwrap();
    let url = sandbox.base_url(Vendor::Igv);
    let namespace = format!("bench-{}", ITERATION.fetch_add(1, Ordering::Relaxed));
    let spec = match store {
        Store::Single(redis) => redis.url(),
        Store::Cluster(cluster) => {
            format!("cluster:{};namespace={namespace}", cluster.urls().join(","))
        }
    };
    let began = Instant::now();
    let workers: Vec<_> = (0..processes)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_fleet_worker"))
                .args(["stampede", &url, &spec, "1", "10000"])
                .env("FLEET_NAMESPACE", &namespace)
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

enum Store {
    Single(RedisServer),
    Cluster(RedisCluster),
}

fn fleet(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let stores = [
        ("one Redis", Store::Single(RedisServer::start())),
        (
            "a Redis Cluster of 3 masters",
            Store::Cluster(RedisCluster::start(3, 0, "bench")),
        ),
    ];
    for (name, store) in &stores {
        let mut group = c.benchmark_group(format!("fleet through {name}, cold"));
        group.sample_size(10);
        for processes in [1, 8] {
            group.bench_function(
                format!("{processes} process(es) until all hold the token"),
                |b| {
                    b.iter_custom(|iters| {
                        (0..iters)
                            .map(|_| fleet_once(&runtime, store, processes))
                            .sum()
                    });
                },
            );
        }
        group.finish();
    }
}

criterion_group!(benches, fleet);
criterion_main!(benches);
