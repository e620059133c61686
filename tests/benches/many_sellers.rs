//! Many sellers of one Lazada app, against the in-process sandbox and a `MemoryStore`: what a
//! live seller costs in memory and in tasks through the `SellerDirectory` and as plain
//! `Session`s (today's way, one per seller on a shared client), onboarding throughput, one
//! keep-alive sweep over the stored sellers, and the renewals the vendor sees when sellers
//! onboarded together are all in use.
//!
//! Each measure runs in a child process of its own (this program run again with
//! `MANY_SELLERS_CASE` set), so that one measure's freed memory does not lower the next one's
//! RSS. Within a child, the figures compared are measured in the same process, one after the
//! other. Nothing here is asserted against time; the counts are (every seller served, every due
//! seller refreshed once).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark: a failed setup stops it loudly

use std::sync::Arc;
use std::time::{Duration, Instant};

use auth_core::store::{FileStore, MemoryStore, TokenStore};
use auth_core::{AuthorizedClient, KeepAlive, RenewPolicy, Secret, SellerDirectory, Session};
use futures_util::{StreamExt, stream};
use vendors::iop::IopApp;
use vendors::lazada::{self, LazadaTokenCreate};
use vendors::sandbox::{Sandbox, Vendor, iop};

const CASE: &str = "MANY_SELLERS_CASE";
const DAY: Duration = Duration::from_secs(24 * 3600);

fn main() {
    match std::env::var(CASE) {
        Ok(case) => run_case(&case),
        Err(_) => {
            let quick = std::env::var("MANY_SELLERS_QUICK").is_ok();
            let (small, large) = if quick {
                (1_000, 10_000)
            } else {
                (10_000, 100_000)
            };
            let cases = [
                format!("memory:{small}"),
                format!("memory:{large}"),
                format!("onboard-sweep:{small}"),
                format!("onboard-sweep:{large}"),
                // The file store's onboarding (an fsync per write) makes 100,000 too slow here.
                format!("onboard-sweep-file:{small}"),
                format!("renewals:{small}"),
                format!("renewals-burst:{small}"),
            ];
            for case in cases {
                let began = Instant::now();
                let status = std::process::Command::new(std::env::current_exe().unwrap())
                    .env(CASE, &case)
                    .status()
                    .unwrap();
                assert!(status.success(), "case {case} failed");
                println!("({case} took {:.1} s)", began.elapsed().as_secs_f64());
            }
        }
    }
}

fn run_case(case: &str) {
    let (name, n) = case.split_once(':').expect("name:sellers");
    let n: usize = n.parse().expect("a number of sellers");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        match name {
            "memory" => memory(n).await,
            "onboard-sweep" => {
                onboard_and_sweep(n, Arc::new(MemoryStore::new()), "MemoryStore").await
            }
            "onboard-sweep-file" => {
                let dir = tempfile::tempdir().unwrap();
                let store = Arc::new(FileStore::new(dir.path()));
                onboard_and_sweep(n, store, "FileStore").await;
            }
            "renewals" => renewals(n, None).await,
            // Every token renewed at exactly 80% of its lifetime, 2 renewals at once: the
            // sellers fall due as fast as they were onboarded, faster than 2 at once can renew.
            "renewals-burst" => renewals(n, Some((0.8, 2))).await,
            other => panic!("unknown case {other}"),
        }
    });
}

fn app() -> IopApp {
    IopApp {
        app_key: iop::DEMO_APP_KEY.into(),
        app_secret: Secret::from(iop::DEMO_APP_SECRET),
    }
}

fn sellers(n: usize, first: usize) -> Vec<String> {
    (first..first + n)
        .map(|i| format!("{}", 10_000_000 + i))
        .collect()
}

fn directory(
    sandbox: &Sandbox,
    store: &Arc<dyn TokenStore>,
    client: &reqwest::Client,
    max_sellers: usize,
) -> SellerDirectory<LazadaTokenCreate> {
    lazada::directory(app())
        .store(Arc::clone(store))
        .client(client.clone())
        .token_base_url(sandbox.base_url(Vendor::Lazada))
        .api_base_url(sandbox.api_url(Vendor::Lazada))
        .max_sellers(max_sellers)
        .build()
        .unwrap()
}

/// Onboards `sellers` through `directory`, 16 at once; their codes are issued before the clock
/// starts. The time taken.
async fn onboard(
    sandbox: &Sandbox,
    directory: &SellerDirectory<LazadaTokenCreate>,
    sellers: &[String],
) -> Duration {
    let sim = sandbox.lazada();
    let codes: Vec<String> = sellers
        .iter()
        .map(|s| sim.issue_code_for(iop::DEMO_APP_KEY, s))
        .collect();
    let began = Instant::now();
    let onboarded: Vec<String> = stream::iter(codes)
        .map(|code| async move { directory.onboard(Secret::from(code), None).await.unwrap() })
        .buffered(16)
        .collect()
        .await;
    let took = began.elapsed();
    assert_eq!(onboarded, sellers, "each seller learned from its answer");
    took
}

/// Resident set size, from `/proc/self/status` (bytes).
fn rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .expect("a VmRSS line");
    let kb: u64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .expect("VmRSS in kB");
    kb * 1024
}

fn alive_tasks() -> usize {
    tokio::runtime::Handle::current()
        .metrics()
        .num_alive_tasks()
}

/// Lets the renewal task(s) take their first look, and freed memory settle.
async fn settle() {
    tokio::time::sleep(Duration::from_millis(300)).await;
}

/// RSS and tasks per live seller: directory sellers, then plain sessions, then directory
/// sellers again (a second directory on the same store), each phase on top of the previous one
/// (nothing is dropped), so that every phase but the first grows the heap rather than reusing
/// what the onboarding freed.
async fn memory(n: usize) {
    let sandbox = Sandbox::start().await.unwrap();
    let store: Arc<dyn TokenStore> = Arc::new(MemoryStore::new());
    let client = reqwest::Client::new();
    let sellers = sellers(n, 0);
    {
        // Held clients would be freed below and their memory reused: hold one.
        let seeding = directory(&sandbox, &store, &client, 1);
        onboard(&sandbox, &seeding, &sellers).await;
    }
    settle().await;

    let (rss0, tasks0) = (rss(), alive_tasks());
    let first = directory(&sandbox, &store, &client, n);
    let clients_a = use_directory_sellers(&first, &sellers).await;
    settle().await;
    let (rss1, tasks1) = (rss(), alive_tasks());

    let plain: Vec<Session<LazadaTokenCreate>> = {
        let mut plain = Vec::with_capacity(n);
        for seller in &sellers {
            let session = lazada::session_builder(app(), Secret::from("spent"))
                .base_url(sandbox.base_url(Vendor::Lazada))
                .client(client.clone())
                .account(seller.clone())
                .store(Arc::clone(&store))
                .build()
                .unwrap();
            session.token().await.unwrap();
            plain.push(session);
        }
        plain
    };
    settle().await;
    let (rss2, tasks2) = (rss(), alive_tasks());

    let second = directory(&sandbox, &store, &client, n);
    let clients_b = use_directory_sellers(&second, &sellers).await;
    settle().await;
    let (rss3, tasks3) = (rss(), alive_tasks());

    let sim = sandbox.lazada().state();
    assert_eq!(sim.refresh_count(), 0, "every token adopted from the store");
    assert_eq!(first.live_sellers(), n);
    assert_eq!(second.live_sellers(), n);
    let per = |a: u64, b: u64| (b.saturating_sub(a)) as f64 / n as f64;
    let (dir_a, plain_b, dir_c) = (per(rss0, rss1), per(rss1, rss2), per(rss2, rss3));
    println!("memory/{n} sellers: RSS before {:.1} MB", rss0 as f64 / 1e6);
    println!(
        "memory/{n} sellers: directory (1st phase, may reuse onboarding's freed heap): {dir_a:.0} B/seller, tasks {tasks0} -> {tasks1}"
    );
    println!(
        "memory/{n} sellers: plain sessions, shared client (2nd phase): {plain_b:.0} B/seller, tasks {tasks1} -> {tasks2}"
    );
    println!(
        "memory/{n} sellers: directory again, 2nd directory (3rd phase): {dir_c:.0} B/seller, tasks {tasks2} -> {tasks3}"
    );
    println!(
        "memory/{n} sellers: ratio directory/plain {:.2} (3rd phase / 2nd phase)",
        dir_c / plain_b
    );
    drop((clients_a, clients_b, plain));
}

/// Each seller's client from the directory, and one token each (adopted from the store): the
/// sellers are then live and idle.
async fn use_directory_sellers(
    directory: &SellerDirectory<LazadaTokenCreate>,
    sellers: &[String],
) -> usize {
    let mut used = 0;
    for seller in sellers {
        let client: AuthorizedClient = directory.seller(seller).unwrap();
        client.session().token().await.unwrap();
        used += 1;
    }
    used
}

/// Onboarding throughput, then two keep-alive sweeps over the stored sellers: one with nothing
/// due (listing and filtering alone), one with 1% due (their refresh tokens die in a day, the
/// others' in 30 days; the window is 7 days).
async fn onboard_and_sweep(n: usize, store: Arc<dyn TokenStore>, kind: &str) {
    let sandbox = Sandbox::start().await.unwrap();
    let sim = sandbox.lazada();
    let client = reqwest::Client::new();
    let due = n / 100;
    let sellers = sellers(n, 0);
    let onboarding = directory(&sandbox, &store, &client, 10_000);
    sim.set_refresh_lifetime(Some(DAY));
    let t_due = onboard(&sandbox, &onboarding, &sellers[..due]).await;
    sim.set_refresh_lifetime(Some(30 * DAY));
    let t_rest = onboard(&sandbox, &onboarding, &sellers[due..]).await;
    let took = t_due + t_rest;
    println!(
        "onboard/{n} sellers, {kind}, 16 at once, default directory: {:.2} s, {:.0} sellers/s",
        took.as_secs_f64(),
        n as f64 / took.as_secs_f64()
    );
    drop(onboarding);

    // Another process's directory: nothing cached.
    let sweeper = directory(&sandbox, &store, &client, 10_000);
    let plan = KeepAlive::within(Duration::from_secs(3600)).concurrency(16);
    let began = Instant::now();
    let report = sweeper.keep_alive(&plan).await.unwrap();
    let scan = began.elapsed();
    assert_eq!(report.not_due, n);
    assert!(report.refreshed.is_empty() && report.failed.is_empty());
    println!(
        "sweep/{n} stored ({kind}), none due: {:.3} s, {:.0} sellers scanned/s",
        scan.as_secs_f64(),
        n as f64 / scan.as_secs_f64()
    );

    // What the sweep with none due is made of: listing the store, and building a seller's
    // session for every entry (to tell this app's entries from others').
    let began = Instant::now();
    let listed = store.list().await.unwrap();
    let list = began.elapsed();
    assert_eq!(listed.len(), n);
    drop(listed);
    let builder = directory(&sandbox, &store, &client, 1);
    let began = Instant::now();
    for seller in &sellers {
        drop(builder.seller(seller).unwrap());
    }
    let build = began.elapsed();
    println!(
        "sweep/{n} stored ({kind}), its parts: store.list() {:.3} s; a seller's session built and dropped for each entry {:.3} s ({:.2} us each)",
        list.as_secs_f64(),
        build.as_secs_f64(),
        build.as_secs_f64() * 1e6 / n as f64
    );

    let refreshes_before = sim.state().refresh_count();
    let plan = KeepAlive::within(7 * DAY).concurrency(16);
    let began = Instant::now();
    let report = sweeper.keep_alive(&plan).await.unwrap();
    let sweep = began.elapsed();
    assert_eq!(report.refreshed.len(), due, "{:?}", report.failed);
    assert_eq!(report.not_due, n - due);
    assert_eq!(sim.state().refresh_count() - refreshes_before, due as u64);
    println!(
        "sweep/{n} stored ({kind}), {due} due (1%): {:.3} s, {:.0} sellers scanned/s, {:.0} refreshes/s over the whole sweep; {:+.3} s against the sweep with none due",
        sweep.as_secs_f64(),
        n as f64 / sweep.as_secs_f64(),
        due as f64 / sweep.as_secs_f64(),
        sweep.as_secs_f64() - scan.as_secs_f64(),
    );
}

/// Renewals at the vendor: `n` sellers onboarded together with 60 s tokens, all in use (each
/// seller's token asked for every 500 ms); the sandbox's refresh counter and the runtime's
/// alive tasks sampled every 100 ms until every seller was renewed once.
/// With `burst`, every token is renewed at that fraction of its lifetime (no jitter), with that
/// many renewals at once; otherwise the defaults (75-85%, 16 at once).
async fn renewals(n: usize, burst: Option<(f64, usize)>) {
    const LIFETIME: Duration = Duration::from_secs(60);
    let sandbox = Sandbox::start().await.unwrap();
    let sim = sandbox.lazada();
    sim.state().set_token_lifetime(LIFETIME);
    let store: Arc<dyn TokenStore> = Arc::new(MemoryStore::new());
    let client = reqwest::Client::new();
    let sellers = sellers(n, 0);
    let mut builder = lazada::directory(app())
        .store(Arc::clone(&store))
        .client(client.clone())
        .token_base_url(sandbox.base_url(Vendor::Lazada))
        .api_base_url(sandbox.api_url(Vendor::Lazada))
        .max_sellers(n);
    let (from, to) = burst.map_or((0.75, 0.85), |(at, _)| (at, at));
    let label = match burst {
        Some((at, concurrency)) => {
            builder = builder
                .renew(RenewPolicy::default().with_renewal_between(at, at))
                .renewal_concurrency(concurrency);
            format!(
                "renewals-burst/{n} sellers (renewal at {:.0}%, {concurrency} at once)",
                at * 100.0
            )
        }
        None => format!("renewals/{n} sellers (default policy, 16 at once)"),
    };
    let directory = builder.build().unwrap();
    let tasks_before = alive_tasks();
    let start = Instant::now();
    let onboarding = onboard(&sandbox, &directory, &sellers).await;
    let clients: Arc<Vec<AuthorizedClient>> = Arc::new(
        sellers
            .iter()
            .map(|s| directory.seller(s).unwrap())
            .collect(),
    );
    let users = {
        let clients = Arc::clone(&clients);
        tokio::spawn(async move {
            loop {
                for client in clients.iter() {
                    client.session().token().await.unwrap();
                }
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        })
    };
    let tasks_in_use = {
        settle().await;
        alive_tasks()
    };
    // (seconds since the first onboarding began, refreshes so far, alive tasks)
    let mut samples: Vec<(f64, u64, usize)> = Vec::new();
    let deadline = start + onboarding + LIFETIME;
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    loop {
        tick.tick().await;
        let refreshed = sim.state().refresh_count();
        samples.push((start.elapsed().as_secs_f64(), refreshed, alive_tasks()));
        if refreshed >= n as u64 || Instant::now() > deadline {
            break;
        }
    }
    users.abort();
    let total = samples.last().map(|s| s.1).unwrap_or(0);
    assert_eq!(
        total, n as u64,
        "every seller renewed once before its token expired"
    );
    let first = samples.iter().find(|s| s.1 > 0).unwrap().0;
    let last = samples.iter().find(|s| s.1 >= total).unwrap().0;
    let mut per_second = std::collections::BTreeMap::<u64, u64>::new();
    let mut previous = 0;
    for &(t, count, _) in &samples {
        *per_second.entry(t as u64).or_default() += count - previous;
        previous = count;
    }
    let peak = per_second.values().copied().max().unwrap_or(0);
    let peak_tasks = samples.iter().map(|s| s.2).max().unwrap_or(0);
    println!(
        "{label}, {} s tokens: onboarded over {:.2} s; renewals from {first:.1} s to {last:.1} s after onboarding began (window {:.1} s; the policy alone: {:.0}-{:.0}% = {:.1}-{:.1} s)",
        LIFETIME.as_secs(),
        onboarding.as_secs_f64(),
        last - first,
        from * 100.0,
        to * 100.0,
        LIFETIME.as_secs_f64() * from,
        LIFETIME.as_secs_f64() * to,
    );
    println!(
        "{label}: peak {peak} refreshes in one second; mean over the window {:.0}/s",
        n as f64 / (last - first).max(0.1)
    );
    let histogram: Vec<String> = per_second
        .iter()
        .filter(|(_, c)| **c > 0)
        .map(|(s, c)| format!("{s}s:{c}"))
        .collect();
    println!("{label}: per second {}", histogram.join(" "));
    println!(
        "{label}: alive tasks before onboarding {tasks_before}, all in use {tasks_in_use}, peak while renewing {peak_tasks}"
    );
}
