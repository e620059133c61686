//! A token store someone tampered with, under a fleet: a damaged or foreign entry costs one
//! login for eight sessions and is replaced under the lease; garbage in Redis (a lease without
//! an expiry, fences that are not numbers or cannot be advanced, keys of the wrong type, huge
//! values) is repaired before it stalls anyone.

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use auth_core::Secret;
use auth_core::store::{
    EncryptionKey, EntryInfo, FileStore, RedisStore, StoredToken, Swap, TokenStore,
};
use common::igv_builder;
use common::redis_server::RedisServer;
use redis::aio::MultiplexedConnection;
use vendors::sandbox::Sandbox;

/// What a test does to a stored entry's text.
type Change = dyn Fn(String) -> String;

/// Eight fresh sessions on `store` ask for a token at once: the distinct tokens they got.
async fn eight_at_once(sandbox: &Sandbox, store: &Arc<dyn TokenStore>) -> BTreeSet<String> {
    let calls: Vec<_> = (0..8)
        .map(|_| {
            let session = igv_builder(sandbox)
                .store(Arc::clone(store))
                .build()
                .unwrap();
            tokio::spawn(async move { session.token().await.unwrap().secret().expose().to_owned() })
        })
        .collect();
    let mut tokens = BTreeSet::new();
    for call in calls {
        tokens.insert(call.await.unwrap());
    }
    tokens
}

/// The store's only entry (the demo account's): its key and what it holds.
async fn only_entry(store: &Arc<dyn TokenStore>) -> (String, StoredToken) {
    let mut listed = store.list().await.unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    listed.pop().unwrap()
}

fn foreign(vendor: &str) -> StoredToken {
    StoredToken {
        token: Secret::from("someone else's token"),
        scheme: None,
        refresh_token: None,
        refresh_expires_at: None,
        expires_at: UNIX_EPOCH + Duration::from_secs(4_000_000_000),
        account: None,
        about: Some(EntryInfo {
            vendor: vendor.to_owned(),
            label: "email=someone@else.example".into(),
            stored_at: UNIX_EPOCH,
        }),
    }
}

async fn raw(redis: &RedisServer) -> MultiplexedConnection {
    let client = redis::Client::open(redis.url()).unwrap();
    client.get_multiplexed_async_connection().await.unwrap()
}

/// A store of each kind, sealed: the file store and Redis.
struct Stores {
    dir: tempfile::TempDir,
    redis: RedisServer,
    file: Arc<dyn TokenStore>,
    in_redis: Arc<dyn TokenStore>,
}

fn stores() -> Stores {
    let dir = tempfile::tempdir().unwrap();
    let redis = RedisServer::start();
    let key = || EncryptionKey::from_bytes([3; 32]);
    let file = Arc::new(FileStore::new(dir.path()).encrypted(key()));
    let in_redis = RedisStore::builder(&redis.url()).encrypted(key()).build();
    Stores {
        file,
        in_redis: Arc::new(in_redis.unwrap()),
        redis,
        dir,
    }
}

impl Stores {
    /// Replaces the stored text of `key`'s entry with what `change` makes of it.
    async fn tamper(&self, kind: &str, key: &str, change: impl FnOnce(String) -> String) {
        if kind == "file" {
            let path = self.dir.path().join(format!("{key}.json"));
            let mut outer: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            outer["entry"] = change(outer["entry"].as_str().unwrap().to_owned()).into();
            std::fs::write(&path, outer.to_string()).unwrap();
        } else {
            let mut c = raw(&self.redis).await;
            let name = format!("seller-auth:{{{key}}}:token");
            let text: String = redis::cmd("HGET")
                .arg(&name)
                .arg("d")
                .query_async(&mut c)
                .await
                .unwrap();
            redis::cmd("HSET")
                .arg(&name)
                .arg("d")
                .arg(change(text))
                .query_async::<i64>(&mut c)
                .await
                .unwrap();
        }
    }

    /// The sealed text of an entry written under `from` (another key).
    async fn sealed_under(&self, kind: &str, from: &str, token: &StoredToken) -> String {
        let store = self.get(kind);
        let swap = store
            .compare_and_swap(from, None, token, u64::MAX)
            .await
            .unwrap();
        assert!(matches!(swap, Swap::Written { .. }));
        let mut text = String::new();
        self.tamper(kind, from, |t| {
            text.clone_from(&t);
            t
        })
        .await;
        text
    }

    fn get(&self, kind: &str) -> &Arc<dyn TokenStore> {
        match kind {
            "file" => &self.file,
            _ => &self.in_redis,
        }
    }
}

#[tokio::test]
async fn a_damaged_or_foreign_entry_costs_eight_sessions_one_login_and_is_replaced() {
    let stores = stores();
    for kind in ["file", "redis"] {
        let sandbox = Sandbox::start().await.unwrap();
        let store = stores.get(kind);
        eight_at_once(&sandbox, store).await;
        assert_eq!(sandbox.igv().login_count(), 1, "{kind}");
        let (key, ours) = only_entry(store).await;
        let vendor = ours.about.as_ref().unwrap().vendor.clone();
        let copied = stores
            .sealed_under(kind, "igv-another-seller", &foreign(&vendor))
            .await;
        store.remove("igv-another-seller").await.unwrap();
        let damage: [(&str, Box<Change>); 2] = [
            // One flipped character of the sealed text.
            (
                "a flipped byte",
                Box::new(|text: String| {
                    let mut bytes = text.into_bytes();
                    let at = bytes.len() - 8;
                    bytes[at] = if bytes[at] == b'A' { b'B' } else { b'A' };
                    String::from_utf8(bytes).unwrap()
                }),
            ),
            (
                "another seller's entry",
                Box::new(move |_: String| copied.clone()),
            ),
        ];
        for (round, (what, change)) in damage.into_iter().enumerate() {
            stores.tamper(kind, &key, change).await;
            assert!(store.load(&key).await.unwrap().is_none(), "{kind}, {what}");
            let tokens = eight_at_once(&sandbox, store).await;
            assert_eq!(tokens.len(), 1, "{kind}, {what}: one token for all");
            assert_eq!(
                sandbox.igv().login_count(),
                2 + round as u64,
                "{kind}, {what}: exactly one login for the eight sessions"
            );
            let (_, replaced) = only_entry(store).await;
            assert_eq!(
                Some(replaced.token.expose()),
                tokens.first().map(String::as_str)
            );
        }
    }
}

#[tokio::test]
async fn another_vendors_entry_over_the_key_is_not_adopted_and_is_replaced_once() {
    let sandbox = Sandbox::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn TokenStore> = Arc::new(FileStore::new(dir.path()));
    eight_at_once(&sandbox, &store).await;
    let (key, _) = only_entry(&store).await;
    // Written for this key, but for another vendor.
    let lease = store
        .try_lease(&key, Duration::from_secs(30))
        .await
        .unwrap()
        .unwrap();
    let version = store.load(&key).await.unwrap().map(|e| e.version);
    let swap = store
        .compare_and_swap(&key, version, &foreign("IOP"), lease.fence())
        .await
        .unwrap();
    assert!(matches!(swap, Swap::Written { .. }));
    store.release(&key, lease).await.unwrap();
    let tokens = eight_at_once(&sandbox, &store).await;
    assert_eq!(tokens.len(), 1);
    assert!(!tokens.contains("someone else's token"));
    assert_eq!(sandbox.igv().login_count(), 2, "one login for the eight");
    let (_, replaced) = only_entry(&store).await;
    assert_ne!(replaced.about.unwrap().vendor, "IOP");
}

async fn set(c: &mut MultiplexedConnection, args: &[&str]) {
    let mut command = redis::cmd(args[0]);
    for arg in &args[1..] {
        command.arg(*arg);
    }
    command.query_async::<redis::Value>(c).await.unwrap();
}

async fn get<T: redis::FromRedisValue>(c: &mut MultiplexedConnection, args: &[&str]) -> T {
    let mut command = redis::cmd(args[0]);
    for arg in &args[1..] {
        command.arg(*arg);
    }
    command.query_async(c).await.unwrap()
}

#[tokio::test]
async fn garbage_in_redis_is_repaired_and_a_lease_always_has_a_ttl() {
    let redis = RedisServer::start();
    let store = RedisStore::open(&redis.url()).unwrap();
    let mut c = raw(&redis).await;
    let (lease_key, fence_key, token_key, failures_key) = (
        "seller-auth:{k}:lease",
        "seller-auth:{k}:fence",
        "seller-auth:{k}:token",
        "seller-auth:{k}:failures",
    );
    let ttl = Duration::from_secs(30);
    // A lease nobody will ever release, and a fence counter that is not a number.
    set(&mut c, &["SET", lease_key, "planted"]).await;
    set(&mut c, &["SET", fence_key, "garbage"]).await;
    let lease = store
        .try_lease("k", ttl)
        .await
        .unwrap()
        .expect("granted at once");
    let pttl: i64 = get(&mut c, &["PTTL", lease_key]).await;
    assert!(pttl > 0 && pttl <= 30_000, "the lease has a TTL: {pttl}");
    let counter: String = get(&mut c, &["GET", fence_key]).await;
    assert_eq!(counter.parse::<u64>().unwrap(), lease.fence());
    let swap = store
        .compare_and_swap("k", None, &foreign("iGV"), lease.fence())
        .await;
    assert_eq!(swap.unwrap(), Swap::Written { version: 1 });
    store.release("k", lease).await.unwrap();

    // A lease of the wrong type, with a TTL, is no lease either.
    set(&mut c, &["HSET", lease_key, "owner", "planted"]).await;
    set(&mut c, &["PEXPIRE", lease_key, "3600000"]).await;
    let lease = store
        .try_lease("k", ttl)
        .await
        .unwrap()
        .expect("granted at once");
    store.release("k", lease).await.unwrap();

    // Counters at u64::MAX: the counter and the entry's writer's fence.
    let max = u64::MAX.to_string();
    set(&mut c, &["SET", fence_key, max.as_str()]).await;
    set(&mut c, &["HSET", token_key, "f", max.as_str()]).await;
    let lease = store.try_lease("k", ttl).await.unwrap().expect("granted");
    let swap = store
        .compare_and_swap("k", Some(1), &foreign("iGV"), lease.fence())
        .await
        .unwrap();
    assert_eq!(swap, Swap::Written { version: 2 }, "storing goes on");
    let written: String = get(&mut c, &["HGET", token_key, "f"]).await;
    assert_eq!(written, lease.fence().to_string());
    store.release("k", lease).await.unwrap();
    // A writer's fence that is plausible but above the counter: the next lease passes it.
    let ahead = (server_clock(&mut c).await + 3_600_000_000).to_string();
    set(&mut c, &["HSET", token_key, "f", ahead.as_str()]).await;
    let lease = store.try_lease("k", ttl).await.unwrap().expect("granted");
    assert!(lease.fence() > ahead.parse::<u64>().unwrap());
    let swap = store
        .compare_and_swap("k", Some(2), &foreign("iGV"), lease.fence())
        .await;
    assert_eq!(swap.unwrap(), Swap::Written { version: 3 });
    store.release("k", lease).await.unwrap();

    // An entry of the wrong type, then one over the size limit, then a version that is not a
    // number: each reads as absent and is replaced.
    let huge = "x".repeat(2 << 20);
    let plants: [&[&str]; 3] = [
        &["SET", token_key, "not a hash"],
        &["HSET", token_key, "v", "1", "d", huge.as_str()],
        &["HSET", token_key, "v", "one", "d", "{}"],
    ];
    for plant in plants {
        set(&mut c, &["DEL", token_key]).await;
        set(&mut c, plant).await;
        assert!(store.load("k").await.unwrap().is_none(), "{}", plant[0]);
        assert!(store.list().await.unwrap().is_empty());
        let lease = store.try_lease("k", ttl).await.unwrap().unwrap();
        let swap = store
            .compare_and_swap("k", None, &foreign("iGV"), lease.fence())
            .await;
        assert_eq!(swap.unwrap(), Swap::Written { version: 1 }, "{}", plant[0]);
        store.release("k", lease).await.unwrap();
    }

    // Failure records of the wrong type or over the limit read as none.
    set(&mut c, &["HSET", failures_key, "a", "b"]).await;
    assert_eq!(store.load_failures("k").await.unwrap(), None);
    set(&mut c, &["SET", failures_key, huge.as_str()]).await;
    assert_eq!(store.load_failures("k").await.unwrap(), None);
}

/// The server's clock in microseconds.
async fn server_clock(c: &mut MultiplexedConnection) -> u64 {
    let (seconds, micros): (u64, u64) = get(c, &["TIME"]).await;
    seconds * 1_000_000 + micros
}

#[tokio::test]
async fn a_session_logs_in_under_a_lease_past_a_planted_lease_without_expiry() {
    let sandbox = Sandbox::start().await.unwrap();
    let redis = RedisServer::start();
    let store: Arc<dyn TokenStore> = Arc::new(RedisStore::open(&redis.url()).unwrap());
    let session = || {
        igv_builder(&sandbox)
            .store(Arc::clone(&store))
            .build()
            .unwrap()
    };
    session().token().await.unwrap();
    let (key, _) = only_entry(&store).await;
    store.remove(&key).await.unwrap();
    let mut c = raw(&redis).await;
    let lease_key = format!("seller-auth:{{{key}}}:lease");
    let fence_key = format!("seller-auth:{{{key}}}:fence");
    set(&mut c, &["SET", lease_key.as_str(), "planted"]).await;
    set(&mut c, &["SET", fence_key.as_str(), "garbage"]).await;
    session().token().await.unwrap();
    assert_eq!(sandbox.igv().login_count(), 2);
    // A write under a lease carries its fence; one by a session that gave up waiting, 0.
    let token_key = format!("seller-auth:{{{key}}}:token");
    let fence: String = get(&mut c, &["HGET", token_key.as_str(), "f"]).await;
    assert!(
        fence.parse::<u64>().unwrap() > 0,
        "stored under a lease: {fence}"
    );
    let pttl: i64 = get(&mut c, &["PTTL", lease_key.as_str()]).await;
    assert_eq!(pttl, -2, "the lease was released");
}
