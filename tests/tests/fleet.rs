//! Fleets: many processes share one token and one login through a file store or a real Redis,
//! a dead lease holder is replaced, IOP refresh races lose no refresh token, and a store that
//! goes away mid-run ends in the configured behaviour within its timeout.

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use auth_core::store::{EncryptionKey, FileStore, RedisStore, TokenStore};
use auth_core::{Error, ErrorClass, StoreFailure, md5_hex};
use common::fleet::{self, Racer};
use common::igv_builder;
use common::redis_cluster::RedisCluster;
use common::redis_server::RedisServer;
use vendors::sandbox::{Fault, Sandbox, Vendor, igv, iop};

const PROCESSES: usize = 8;
const TASKS: usize = 100;
const KEY_HEX: &str = "5e11e7a57401c0de5e11e7a57401c0de5e11e7a57401c0de5e11e7a57401c0de";

/// A directory of its own, removed when dropped, even when the test fails.
fn temp_dir(name: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(&format!("seller-auth-fleet-{name}-"))
        .tempdir()
        .unwrap()
}

/// 8 processes x 100 tasks on a cold store: one login, one token everywhere.
async fn one_login_for_the_fleet(sandbox: &Sandbox, store: &str, key: Option<&str>) -> String {
    let url = sandbox.base_url(Vendor::Igv);
    let workers: Vec<_> = (0..PROCESSES)
        .map(|_| fleet::stampede(&url, store, TASKS, 10_000, key))
        .collect();
    let mut fingerprints = BTreeSet::new();
    let mut logins = 0;
    for worker in workers {
        let report = fleet::report(worker).await;
        logins += report.logins;
        fingerprints.extend(report.fingerprints);
    }
    assert_eq!(sandbox.igv().login_count(), 1, "the vendor saw one login");
    assert_eq!(logins, 1, "one process sent it");
    assert_eq!(fingerprints.len(), 1, "all 800 callers hold the same token");
    fingerprints.into_iter().next().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_processes_share_one_login_through_a_file_store() {
    let sandbox = Sandbox::start().await.unwrap();
    let dir = temp_dir("stampede");
    one_login_for_the_fleet(&sandbox, &format!("file:{}", dir.path().display()), None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_processes_share_one_login_through_redis() {
    let sandbox = Sandbox::start().await.unwrap();
    let redis = RedisServer::start();
    one_login_for_the_fleet(&sandbox, &redis.url(), None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_processes_share_one_login_through_a_redis_cluster() {
    let sandbox = Sandbox::start().await.unwrap();
    let cluster = RedisCluster::shared_or_start("stampede");
    let held = one_login_for_the_fleet(&sandbox, &cluster.spec(), None).await;
    // The cluster's entries can be listed (what `authctl status` shows) and removed.
    let store = RedisStore::cluster_builder(cluster.urls())
        .namespace(&cluster.namespace)
        .build()
        .unwrap();
    let entries = store.list().await.unwrap();
    assert_eq!(entries.len(), 1, "{entries:?}");
    let (key, entry) = &entries[0];
    assert_eq!(md5_hex(entry.token.expose()), held);
    let about = entry.about.as_ref().unwrap();
    assert_eq!(
        (about.vendor.as_str(), about.label.as_str()),
        ("iGV", "email=seller@igv.sandbox")
    );
    assert!(store.remove(key).await.unwrap());
    assert!(store.list().await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn encrypted_stores_hold_no_plain_secret() {
    let redis = RedisServer::start();
    let dir = temp_dir("sealed");
    let file_store = format!("file:{}", dir.path().display());
    let mut held = Vec::new();
    for store in [redis.url(), file_store] {
        let sandbox = Sandbox::start().await.unwrap();
        held.push(one_login_for_the_fleet(&sandbox, &store, Some(KEY_HEX)).await);
    }
    let in_redis: Vec<String> = redis
        .dump()
        .await
        .into_iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect();
    let in_files: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|file| {
            let path = file.unwrap().path();
            format!(
                "{} {}",
                path.display(),
                std::fs::read_to_string(&path).unwrap()
            )
        })
        .collect();
    assert!(
        in_redis.len() >= 2 && in_files.len() >= 3,
        "{in_redis:?} {in_files:?}"
    );
    // The stores are readable with the key, and hold the token the fleet used.
    let key = || EncryptionKey::parse(KEY_HEX).unwrap();
    let stores: [Arc<dyn TokenStore>; 2] = [
        Arc::new(
            RedisStore::builder(&redis.url())
                .encrypted(key())
                .build()
                .unwrap(),
        ),
        Arc::new(FileStore::new(dir.path()).encrypted(key())),
    ];
    let mut tokens = Vec::new();
    for ((store, fingerprint), contents) in stores.iter().zip(&held).zip([&in_redis, &in_files]) {
        let name = store_key(contents);
        let entry = store.load(&name).await.unwrap().expect("a stored token");
        assert_eq!(&md5_hex(entry.token.token.expose()), fingerprint);
        tokens.push(entry.token.token.expose().to_owned());
    }
    for content in in_redis.iter().chain(&in_files) {
        for secret in tokens.iter().cloned().chain([
            igv::DEMO_PASSWORD.to_owned(),
            md5_hex(igv::DEMO_PASSWORD),
            igv::DEMO_EMAIL.to_owned(),
        ]) {
            assert!(
                !content.contains(&secret),
                "a plain secret in the store: {content}"
            );
        }
    }
}

/// The session key in a store dump (`ns:{key}:token` or `.../key.json`).
fn store_key(contents: &[String]) -> String {
    contents
        .iter()
        .find_map(|c| {
            let start = c.rfind("igv-")?;
            let end =
                start + c[start..].find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '-'))?;
            Some(c[start..end].to_owned())
        })
        .unwrap()
}

/// The lease holder is killed while its login hangs: the next process logs in once the lease
/// is free (at once for a file lock, after its expiry on Redis), and nobody waits forever.
async fn a_killed_holder_is_replaced(sandbox: &Sandbox, store: &str, lease_ms: u64) {
    let url = sandbox.base_url(Vendor::Igv);
    sandbox
        .igv()
        .push_fault(Fault::Slow(Duration::from_secs(600)));
    let mut holder = fleet::stampede(&url, store, 1, lease_ms, None);
    let waited = Instant::now();
    while sandbox.igv().login_count() == 0 {
        assert!(
            waited.elapsed() < Duration::from_secs(30),
            "the holder never logged in"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    holder.kill().unwrap(); // SIGKILL: no destructor, no release
    holder.wait().unwrap();
    let successor = fleet::stampede(&url, store, 10, lease_ms, None);
    let bound = Duration::from_millis(lease_ms) + Duration::from_secs(20);
    let report = tokio::time::timeout(bound, fleet::report(successor))
        .await
        .expect("the successor waited forever");
    assert_eq!(report.logins, 1);
    assert_eq!(report.fingerprints.len(), 1);
    assert_eq!(
        sandbox.igv().login_count(),
        2,
        "the dead holder's login, then one more"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_lease_holder_is_replaced_with_a_file_store() {
    let sandbox = Sandbox::start().await.unwrap();
    let dir = temp_dir("killed");
    a_killed_holder_is_replaced(&sandbox, &format!("file:{}", dir.path().display()), 30_000).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_lease_holder_is_replaced_with_redis() {
    let sandbox = Sandbox::start().await.unwrap();
    let redis = RedisServer::start();
    a_killed_holder_is_replaced(&sandbox, &redis.url(), 1_500).await;
}

/// Two processes renew an IOP token at the same moment, `rounds` times: each round makes one
/// refresh, both processes' calls succeed, and the stored refresh token is the one that works.
async fn refresh_races(store_spec: &str, store: Arc<dyn TokenStore>, rounds: usize) {
    let sandbox = Sandbox::start().await.unwrap();
    let url = sandbox.base_url(Vendor::Lazada);
    let code = sandbox.lazada().issue_code(iop::DEMO_APP_KEY);
    let mut first = Racer::start(&url, store_spec, &code).await;
    let mut second = Racer::start(&url, store_spec, &code).await;
    let iop_state = sandbox.lazada().state();
    assert_eq!(
        iop_state.login_count(),
        1,
        "the second process adopted the first's token"
    );
    let keys = stored_lazada_keys(store.as_ref(), store_spec).await;
    for round in 1..=rounds {
        let said;
        (first, second, said) = Racer::race(first, second).await;
        assert_eq!(
            (said.0.as_str(), said.1.as_str()),
            ("ok", "ok"),
            "round {round}"
        );
        for key in &keys {
            let entry = store.load(key).await.unwrap().unwrap();
            let refresh_token = entry.token.refresh_token.unwrap();
            assert!(
                sandbox
                    .lazada()
                    .refresh_token_is_live(refresh_token.expose()),
                "round {round}: the refresh token stored under {key} works"
            );
        }
        assert_eq!(sandbox.lazada().live_refresh_tokens(), 1, "round {round}");
        assert_eq!(
            iop_state.refresh_count(),
            round as u64,
            "one refresh in round {round}"
        );
    }
    assert_eq!(
        iop_state.login_count(),
        1,
        "the spent code was never sent again"
    );
}

/// The keys of the Lazada entries in a store the test can list: the session's (keyed by its
/// credentials) and the seller's the vendor named.
async fn stored_lazada_keys(store: &dyn TokenStore, spec: &str) -> Vec<String> {
    let names: Vec<String> = match spec.strip_prefix("file:") {
        Some(dir) => std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| {
                let name = e.ok()?.file_name().to_string_lossy().into_owned();
                name.strip_suffix(".json").map(str::to_owned)
            })
            .collect(),
        None => {
            // A cluster's keys are spread over its nodes (replicas repeat their master's).
            let (urls, pattern) = match spec.strip_prefix("cluster:") {
                Some(rest) => {
                    let (urls, namespace) = rest.split_once(";namespace=").unwrap();
                    (urls.split(',').collect(), format!("{namespace}:*:token"))
                }
                None => (vec![spec], "*:token".to_owned()),
            };
            let mut names = BTreeSet::new();
            for url in urls {
                let client = redis::Client::open(url).unwrap();
                let mut connection = client.get_multiplexed_async_connection().await.unwrap();
                let keys: Vec<String> = redis::cmd("KEYS")
                    .arg(&pattern)
                    .query_async(&mut connection)
                    .await
                    .unwrap();
                names.extend(
                    keys.iter()
                        .map(|k| k.split(['{', '}']).nth(1).unwrap().to_owned()),
                );
            }
            names.into_iter().collect()
        }
    };
    assert_eq!(names.len(), 2, "{names:?}");
    for name in &names {
        assert!(store.load(name).await.unwrap().is_some());
    }
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_iop_refresh_races_through_redis_lose_no_refresh_token() {
    let redis = RedisServer::start();
    let store = Arc::new(RedisStore::open(&redis.url()).unwrap());
    refresh_races(&redis.url(), store, 1_000).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_iop_refresh_races_through_a_redis_cluster_lose_no_refresh_token() {
    let cluster = RedisCluster::shared_or_start("race");
    let store = RedisStore::cluster_builder(cluster.urls())
        .namespace(&cluster.namespace)
        .build()
        .unwrap();
    refresh_races(&cluster.spec(), Arc::new(store), 1_000).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn iop_refresh_races_through_a_file_store_lose_no_refresh_token() {
    let dir = temp_dir("race");
    let store = Arc::new(FileStore::new(dir.path()));
    refresh_races(&format!("file:{}", dir.path().display()), store, 200).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_stopped_mid_run_fails_or_degrades_as_configured_within_the_timeout() {
    let sandbox = Sandbox::start().await.unwrap();
    let mut redis = RedisServer::start();
    let timeout = Duration::from_millis(500);
    let store = Arc::new(
        RedisStore::builder(&redis.url())
            .timeout(timeout)
            .build()
            .unwrap(),
    );
    let session = |choice| {
        igv_builder(&sandbox)
            .store(Arc::clone(&store) as Arc<dyn TokenStore>)
            .on_store_failure(choice)
            .build()
            .unwrap()
    };
    let degrading = session(StoreFailure::LoginLocally);
    let failing = session(StoreFailure::Fail);
    let started = Instant::now();
    let first = degrading.token().await.unwrap();
    // What a login through the store costs on this machine: the scale for the bounds below.
    let login_took = started.elapsed();
    let adopted = failing.token().await.unwrap();
    assert_eq!(adopted.secret().expose(), first.secret().expose());
    assert_eq!(sandbox.igv().login_count(), 1);

    redis.stop();
    let started = Instant::now();
    let err = failing.renew().await.unwrap_err();
    let failed_after = started.elapsed();
    assert!(matches!(err, Error::Store { .. }), "{err}");
    assert_eq!(err.class(), ErrorClass::Store);
    assert!(err.is_retryable());
    assert!(err.to_string().contains("token store"), "{err}");
    assert_eq!(sandbox.igv().login_count(), 1, "no login outside the lease");

    let started = Instant::now();
    let renewed = degrading.renew().await.unwrap();
    let degraded_after = started.elapsed();
    assert_ne!(renewed.secret().expose(), first.secret().expose());
    assert_eq!(sandbox.igv().login_count(), 2, "one login of its own");
    // Bounds, not benchmarks: at most three store calls that each give up at the timeout, plus
    // a local login, scaled by what a whole login took here; never a hang.
    for elapsed in [failed_after, degraded_after] {
        let bound = timeout * 3 + login_took * 4;
        assert!(elapsed < bound, "took {elapsed:?}, bound {bound:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rediss_store_shares_the_token_over_tls() {
    let sandbox = Sandbox::start().await.unwrap();
    let redis = RedisServer::start_tls();
    let store = |ca: Option<Vec<u8>>| {
        let mut builder = RedisStore::builder(&redis.url()).timeout(Duration::from_secs(5));
        if let Some(ca) = ca {
            builder = builder.root_certificate(ca);
        }
        Arc::new(builder.build().unwrap()) as Arc<dyn TokenStore>
    };
    let session = || {
        igv_builder(&sandbox)
            .store(store(redis.ca()))
            .on_store_failure(StoreFailure::Fail)
            .build()
            .unwrap()
    };
    let first = session().token().await.unwrap();
    let second = session().token().await.unwrap();
    assert_eq!(first.secret().expose(), second.secret().expose());
    assert_eq!(
        sandbox.igv().login_count(),
        1,
        "the second session adopted the token over TLS"
    );
    // A server whose certificate is not trusted is a store failure, not a plain-text fallback.
    let untrusted = igv_builder(&sandbox)
        .store(store(None))
        .on_store_failure(StoreFailure::Fail)
        .build()
        .unwrap();
    let err = untrusted.token().await.unwrap_err();
    assert!(matches!(err, Error::Store { .. }), "{err}");
}

#[tokio::test]
async fn a_redis_lease_is_extended_only_by_its_holder_and_not_revived() {
    let redis = RedisServer::start();
    let store = RedisStore::open(&redis.url()).unwrap();
    // Redis counts the TTL on its own clock; the test knows only when each call began and ended
    // on its own. Each step runs where those bounds decide its verdict; when the machine was too
    // slow for a window (a step began or ended on the wrong side of it), the round proves
    // nothing and is run again with twice the TTL.
    let mut ttl = Duration::from_millis(300);
    for round in 0..6 {
        let key = format!("k{round}");
        let t0 = Instant::now();
        let lease = store.try_lease(&key, ttl).await.unwrap().unwrap();
        // Granted between t0 and now: it lasts until somewhere in [t0 + ttl, taken + ttl].
        let taken = t0.elapsed();
        tokio::time::sleep(ttl * 2 / 3).await;
        let extending = t0.elapsed();
        let extended = store.extend_lease(&key, &lease, ttl).await.unwrap();
        let extended_by = t0.elapsed();
        tokio::time::sleep(ttl * 2 / 3).await;
        let checking = t0.elapsed();
        let meanwhile = store.try_lease(&key, ttl).await.unwrap();
        let checked = t0.elapsed();
        if extended_by >= ttl || checking <= taken + ttl || checked >= extending + ttl {
            ttl *= 2;
            continue;
        }
        assert!(extended, "the holder extends its live lease");
        assert!(
            meanwhile.is_none(),
            "past the first expiry, the extended lease is still held"
        );
        tokio::time::sleep((extended_by + ttl).saturating_sub(t0.elapsed()) + ttl / 3).await;
        assert!(!store.extend_lease(&key, &lease, ttl).await.unwrap());
        let next = store.try_lease(&key, ttl).await.unwrap().unwrap();
        assert!(next.fence() > lease.fence());
        assert!(!store.extend_lease(&key, &lease, ttl).await.unwrap());
        assert!(store.extend_lease(&key, &next, ttl).await.unwrap());
        return;
    }
    panic!("no round ran inside its windows, up to a TTL of {ttl:?}");
}

/// Two sellers authorise one app, each with a code of their own; four processes per seller share
/// one store. Each seller's code is exchanged once, and each process acts for its own seller.
async fn two_sellers_of_one_app(store: &str, with_accounts: bool) {
    const PER_SELLER: usize = 4;
    let sandbox = Sandbox::start().await.unwrap();
    let url = sandbox.base_url(Vendor::Lazada);
    let sellers = ["1001", "2002"];
    let codes: Vec<String> = sellers
        .iter()
        .map(|seller| sandbox.lazada().issue_code_for(iop::DEMO_APP_KEY, seller))
        .collect();
    let workers: Vec<_> = sellers
        .iter()
        .zip(&codes)
        .flat_map(|(seller, code)| {
            let account = with_accounts.then_some(*seller);
            (0..PER_SELLER).map(move |_| (*seller, code.clone(), account))
        })
        .map(|(seller, code, account)| (seller, fleet::seller(&url, store, &code, account)))
        .collect();
    let mut tokens: std::collections::BTreeMap<&str, BTreeSet<String>> = Default::default();
    for (seller, worker) in workers {
        let report = fleet::report(worker).await;
        assert_eq!(
            report.seller.as_deref(),
            Some(seller),
            "a call acted for another seller"
        );
        tokens
            .entry(seller)
            .or_default()
            .extend(report.fingerprints);
    }
    for seller in sellers {
        assert_eq!(
            sandbox.lazada().exchanges_for(seller),
            1,
            "seller {seller}'s code was exchanged once"
        );
        assert_eq!(
            tokens[seller].len(),
            1,
            "seller {seller}'s processes share one token"
        );
    }
    assert_ne!(
        tokens["1001"], tokens["2002"],
        "each seller has a token of its own"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_sellers_of_one_app_keep_their_own_tokens_in_a_file_store() {
    for with_accounts in [false, true] {
        let dir = temp_dir("two-sellers");
        two_sellers_of_one_app(&format!("file:{}", dir.path().display()), with_accounts).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_sellers_of_one_app_keep_their_own_tokens_in_redis() {
    let redis = RedisServer::start();
    two_sellers_of_one_app(&redis.url(), false).await;
    let redis = RedisServer::start();
    two_sellers_of_one_app(&redis.url(), true).await;
}
