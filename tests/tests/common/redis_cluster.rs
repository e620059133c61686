//! A real Redis Cluster on loopback ports (`scripts/redis_cluster.sh`), for as long as the value
//! lives; or the one `.ci/run` started (`SELLER_AUTH_TEST_REDIS_CLUSTER`), shared by the tests
//! under a namespace of their own.
#![allow(dead_code, clippy::panic)] // a test fixture: a cluster that cannot start stops the test

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The variable `.ci/run` sets to the node URLs of the cluster it started (comma-separated).
pub const SHARED: &str = "SELLER_AUTH_TEST_REDIS_CLUSTER";

pub struct RedisCluster {
    /// The nodes' files; `None` for the shared cluster (not ours to stop).
    dir: Option<PathBuf>,
    ports: Vec<u16>,
    /// Prefixes this test's keys, so that tests sharing a cluster never meet.
    pub namespace: String,
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/redis_cluster.sh")
}

impl RedisCluster {
    /// The shared cluster when `.ci/run` started one, else three masters of our own.
    pub fn shared_or_start(test: &str) -> RedisCluster {
        match std::env::var(SHARED) {
            Ok(urls) if !urls.is_empty() => RedisCluster {
                dir: None,
                ports: urls
                    .split(',')
                    .map(|u| {
                        u.trim_end_matches('/')
                            .rsplit(':')
                            .next()
                            .unwrap()
                            .parse()
                            .unwrap()
                    })
                    .collect(),
                namespace: format!("{test}-{}", std::process::id()),
            },
            _ => RedisCluster::start(3, 0, test),
        }
    }

    /// `masters` masters with `replicas` replicas each, on free loopback ports.
    pub fn start(masters: usize, replicas: usize, test: &str) -> RedisCluster {
        let count = masters * (1 + replicas);
        for _ in 0..5 {
            let ports = free_ports(count);
            let dir = std::env::temp_dir().join(format!(
                "seller-auth-cluster-{}-{}",
                std::process::id(),
                ports[0]
            ));
            let status = Command::new("bash")
                .arg(script())
                .arg("start")
                .arg(&dir)
                .arg(replicas.to_string())
                .args(ports.iter().map(u16::to_string))
                .status()
                .expect("bash runs scripts/redis_cluster.sh");
            let cluster = RedisCluster {
                dir: Some(dir),
                ports,
                namespace: test.to_owned(),
            };
            if status.success() {
                return cluster;
            }
            // A port was taken meanwhile: the drop stops what started; try others.
        }
        panic!(
            "no Redis Cluster could be started (redis-server and redis-cli; .ci/run installs them)"
        );
    }

    /// The node URLs.
    pub fn urls(&self) -> Vec<String> {
        self.ports
            .iter()
            .map(|p| format!("redis://127.0.0.1:{p}/"))
            .collect()
    }

    /// The store as `fleet_worker` takes it, under this test's namespace.
    pub fn spec(&self) -> String {
        format!(
            "cluster:{};namespace={}",
            self.urls().join(","),
            self.namespace
        )
    }

    /// The port of the master that serves `key`'s slot now, asked of any live node.
    pub fn master_of(&self, key: &str) -> u16 {
        self.live_master_of(key)
            .unwrap_or_else(|| panic!("no live master serves the slot of {key}"))
    }

    /// The live master serving `key`'s slot, in the view of the first node that answers; none
    /// while a failover is under way.
    fn live_master_of(&self, key: &str) -> Option<u16> {
        let slot: u16 = self
            .cli_any(&["cluster", "keyslot", key])
            .trim()
            .parse()
            .unwrap();
        let nodes = self.cli_any(&["cluster", "nodes"]);
        for line in nodes.lines() {
            let fields: Vec<&str> = line.split_whitespace().collect();
            if !fields[2].contains("master") || fields[2].contains("fail") {
                continue;
            }
            for range in &fields[8..] {
                let (from, to) = match range.split_once('-') {
                    Some((a, b)) => (a.parse::<u16>(), b.parse::<u16>()),
                    None => (range.parse::<u16>(), range.parse::<u16>()),
                };
                if let (Ok(from), Ok(to)) = (from, to)
                    && (from..=to).contains(&slot)
                {
                    let address = fields[1].split('@').next().unwrap();
                    return address.rsplit(':').next().unwrap().parse().ok();
                }
            }
        }
        None
    }

    /// The keys matching `pattern` on the live nodes (replicas repeat their master's).
    pub fn keys(&self, pattern: &str) -> Vec<String> {
        let mut keys = std::collections::BTreeSet::new();
        for port in &self.ports {
            let output = Command::new("redis-cli")
                .args(["-p", &port.to_string(), "--raw", "keys", pattern])
                .output()
                .unwrap();
            if output.status.success() {
                let text = String::from_utf8_lossy(&output.stdout);
                keys.extend(
                    text.lines()
                        .filter(|l| !l.is_empty() && !l.starts_with("Could not connect"))
                        .map(str::to_owned),
                );
            }
        }
        keys.into_iter().collect()
    }

    /// Kills the node on `port` at once (SIGKILL), as a crash would.
    pub fn kill(&self, port: u16) {
        let dir = self
            .dir
            .as_ref()
            .expect("only our own cluster's nodes are killed");
        let pid = std::fs::read_to_string(dir.join(format!("{port}.pid"))).unwrap();
        let status = Command::new("kill")
            .args(["-9", pid.trim()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits until a live master other than `dead` serves `key`'s slot.
    pub fn wait_for_failover(&self, key: &str, dead: u16, within: Duration) -> u16 {
        let deadline = Instant::now() + within;
        loop {
            if let Some(master) = self.live_master_of(key)
                && master != dead
            {
                return master;
            }
            assert!(
                Instant::now() < deadline,
                "no replica took over from {dead}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// `redis-cli` on the first node that answers.
    fn cli_any(&self, args: &[&str]) -> String {
        for port in &self.ports {
            let output = Command::new("redis-cli")
                .args(["-p", &port.to_string()])
                .args(args)
                .output()
                .unwrap();
            let text = String::from_utf8_lossy(&output.stdout).into_owned();
            if output.status.success() && !text.is_empty() && !text.starts_with("Could not connect")
            {
                return text;
            }
        }
        panic!("no node of the cluster answers");
    }
}

impl Drop for RedisCluster {
    fn drop(&mut self) {
        if let Some(dir) = &self.dir {
            let _ = Command::new("bash")
                .arg(script())
                .arg("stop")
                .arg(dir)
                .status();
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// `count` ports free now, each with its cluster bus port (+10000) free too.
fn free_ports(count: usize) -> Vec<u16> {
    let mut ports = Vec::new();
    while ports.len() < count {
        let port = 20_000 + fastrand::u16(..20_000);
        if ports.contains(&port) {
            continue;
        }
        let free = |p: u16| TcpListener::bind(("127.0.0.1", p)).is_ok();
        if free(port) && free(port + 10_000) {
            ports.push(port);
        }
    }
    ports
}
