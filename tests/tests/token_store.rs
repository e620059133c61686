//! Sessions with a token store: reuse across sessions, renewal after a restart with the stored
//! refresh token, and what the file holds.

mod common;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use auth_core::store::{FileStore, MemoryStore, Swap, TokenStore};
use auth_core::{Secret, md5_hex};
use common::clients::iop_app;
use common::igv_builder;
use vendors::lazada;
use vendors::sandbox::{Sandbox, Vendor, igv, iop};

#[tokio::test]
async fn a_second_session_reuses_the_stored_token() {
    let sandbox = Sandbox::start().await.unwrap();
    let store: Arc<dyn TokenStore> = Arc::new(MemoryStore::new());
    let first = igv_builder(&sandbox)
        .store(Arc::clone(&store))
        .build()
        .unwrap();
    let token = first.token().await.unwrap();
    let second = igv_builder(&sandbox)
        .store(Arc::clone(&store))
        .build()
        .unwrap();
    let reused = second.token().await.unwrap();
    assert_eq!(reused.secret().expose(), token.secret().expose());
    assert_eq!(
        reused.header().unwrap().1,
        token.header().unwrap().1,
        "the scheme was stored too"
    );
    assert_eq!(sandbox.igv().login_count(), 1);
    assert_eq!(second.stats().login_requests, 0);
}

#[tokio::test]
async fn another_account_does_not_see_the_token() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox
        .igv()
        .add_account("other@igv.sandbox", "other-password");
    let store: Arc<dyn TokenStore> = Arc::new(MemoryStore::new());
    igv_builder(&sandbox)
        .store(Arc::clone(&store))
        .build()
        .unwrap()
        .token()
        .await
        .unwrap();
    let other = vendors::igv::IgvLogin::new("other@igv.sandbox", Secret::from("other-password"));
    let session = auth_core::Session::builder(other)
        .base_url(sandbox.base_url(Vendor::Igv))
        .store(store)
        .build()
        .unwrap();
    session.token().await.unwrap();
    assert_eq!(
        sandbox.igv().login_count(),
        2,
        "a different account logs in for itself"
    );
}

#[tokio::test]
async fn a_restarted_iop_process_renews_with_the_stored_refresh_token() {
    let sandbox = Sandbox::start().await.unwrap();
    let store = Arc::new(MemoryStore::new());
    let code = sandbox.lazada().issue_code(iop::DEMO_APP_KEY);
    let build = |code: &str| {
        lazada::session_builder(iop_app(), Secret::from(code))
            .base_url(sandbox.base_url(Vendor::Lazada))
            .store(Arc::clone(&store) as Arc<dyn TokenStore>)
            .build()
            .unwrap()
    };
    build(&code).token().await.unwrap();

    // The process restarts after the access token expired: the code is spent, so only the
    // stored refresh token can renew. The token is stored for the credentials and for the
    // seller the vendor named; both entries expire.
    let keys = store.keys();
    assert_eq!(keys.len(), 2);
    let mut expired = Vec::new();
    for key in &keys {
        let stored = store.load(key).await.unwrap().unwrap();
        let mut entry = stored.token.clone();
        entry.expires_at = SystemTime::now() - Duration::from_secs(1);
        let lease = store
            .try_lease(key, Duration::from_secs(1))
            .await
            .unwrap()
            .unwrap();
        let swap = store.compare_and_swap(key, Some(stored.version), &entry, lease.fence());
        assert!(matches!(swap.await.unwrap(), Swap::Written { .. }));
        store.release(key, lease).await.unwrap();
        expired.push(entry);
    }
    let entry = expired.swap_remove(0);

    let restarted = build(&code);
    assert!(restarted.token().await.is_ok());
    assert_eq!(
        sandbox.lazada().state().login_count(),
        1,
        "the spent code was not sent again"
    );
    assert_eq!(restarted.stats().refresh_requests, 1);
    for key in &keys {
        let rotated = store.load(key).await.unwrap().unwrap().token;
        assert_ne!(
            rotated.refresh_token.unwrap().expose(),
            entry.refresh_token.as_ref().unwrap().expose(),
            "the rotated refresh token was stored under {key}"
        );
    }
}

#[tokio::test]
async fn the_file_holds_the_token_and_a_label_but_never_a_secret() {
    let sandbox = Sandbox::start().await.unwrap();
    let tmp = tempfile::Builder::new()
        .prefix("seller-auth-store-")
        .tempdir()
        .unwrap();
    let dir = tmp.path().to_path_buf();
    let store = Arc::new(FileStore::new(&dir));
    let session = igv_builder(&sandbox).store(store).build().unwrap();
    let token = session.token().await.unwrap();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let names: Vec<String> = files
        .iter()
        .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    // The token, the lease (held while logging in) and the write lock.
    let stem = names[0].strip_suffix(".json").unwrap();
    assert_eq!(
        names,
        ["json", "lease", "lock"].map(|ext| format!("{stem}.{ext}"))
    );
    assert!(
        stem.starts_with("igv-") && !stem.contains("seller"),
        "the key is a digest: {stem}"
    );
    let entry = std::fs::read_to_string(&files[0]).unwrap();
    assert!(entry.contains(token.secret().expose()));
    for file in &files {
        let content = std::fs::read_to_string(file).unwrap();
        for credential in [igv::DEMO_PASSWORD.to_owned(), md5_hex(igv::DEMO_PASSWORD)] {
            assert!(!content.contains(&credential), "{content}");
        }
        // The e-mail, a non-secret field, only as the label `authctl status` shows.
        let label = format!("email={}", igv::DEMO_EMAIL);
        assert_eq!(
            content.matches(igv::DEMO_EMAIL).count(),
            content.matches(&label).count(),
            "{content}"
        );
    }
    assert!(
        entry.contains(&format!("\\\"label\\\":\\\"email={}\\\"", igv::DEMO_EMAIL)),
        "{entry}"
    );
}

#[tokio::test]
async fn a_rejected_token_is_not_restored_from_the_store() {
    let sandbox = Sandbox::start().await.unwrap();
    let store: Arc<dyn TokenStore> = Arc::new(MemoryStore::new());
    let session = igv_builder(&sandbox)
        .store(Arc::clone(&store))
        .build()
        .unwrap();
    let client = auth_core::AuthorizedClient::new(session, sandbox.base_url(Vendor::Igv)).unwrap();
    assert_eq!(
        client
            .get(igv::WHOAMI_PATH)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16(),
        200
    );
    sandbox.igv().revoke_all();
    let replayed = client.get(igv::WHOAMI_PATH).send().await.unwrap();
    assert_eq!(
        replayed.status().as_u16(),
        200,
        "the replay used a fresh login, not the stored token"
    );
    assert_eq!(sandbox.igv().login_count(), 2);
}

/// A memory-store entry holding `text`.
fn stored(text: &str) -> auth_core::store::StoredToken {
    auth_core::store::StoredToken {
        token: Secret::from(text),
        scheme: None,
        refresh_token: None,
        refresh_expires_at: None,
        expires_at: SystemTime::now(),
        account: None,
        about: None,
    }
}

// The store reads tokio's clock, so paused time drives it exactly: no slack for a busy machine.
#[tokio::test(start_paused = true)]
async fn only_the_holder_extends_a_live_lease() {
    let store = MemoryStore::new();
    let ttl = Duration::from_millis(300);
    let lease = store.try_lease("k", ttl).await.unwrap().unwrap();
    tokio::time::advance(Duration::from_millis(299)).await;
    assert!(store.extend_lease("k", &lease, ttl).await.unwrap());
    tokio::time::advance(Duration::from_millis(299)).await;
    assert!(
        store.try_lease("k", ttl).await.unwrap().is_none(),
        "598 ms after it was taken, the extended lease is still held"
    );
    tokio::time::advance(Duration::from_millis(2)).await;
    assert!(
        !store.extend_lease("k", &lease, ttl).await.unwrap(),
        "an expired lease is not revived"
    );
    let next = store.try_lease("k", ttl).await.unwrap().unwrap();
    assert!(!store.extend_lease("k", &lease, ttl).await.unwrap());
    assert!(store.extend_lease("k", &next, ttl).await.unwrap());
}

#[tokio::test(start_paused = true)]
async fn a_lease_expires_and_a_stale_holder_cannot_write() {
    let store = MemoryStore::new();
    let first = store
        .try_lease("k", Duration::from_millis(50))
        .await
        .unwrap()
        .unwrap();
    assert!(
        store
            .try_lease("k", Duration::from_millis(50))
            .await
            .unwrap()
            .is_none()
    );
    tokio::time::advance(Duration::from_millis(50)).await;
    let second = store
        .try_lease("k", Duration::from_secs(60))
        .await
        .unwrap()
        .unwrap();
    assert!(second.fence() > first.fence());
    let written = store
        .compare_and_swap("k", None, &stored("new"), second.fence())
        .await
        .unwrap();
    assert_eq!(written, Swap::Written { version: 1 });
    // The first holder's write comes late: its fence is older, even with the right version.
    let late = store
        .compare_and_swap("k", Some(1), &stored("old"), first.fence())
        .await
        .unwrap();
    assert_eq!(late, Swap::Conflict);
    // Releasing a lease that was taken over leaves the new holder's in place.
    store.release("k", first).await.unwrap();
    assert!(
        store
            .try_lease("k", Duration::from_secs(1))
            .await
            .unwrap()
            .is_none()
    );
    store.release("k", second).await.unwrap();
    assert!(
        store
            .try_lease("k", Duration::from_secs(1))
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        store.load("k").await.unwrap().unwrap().token.token.expose(),
        "new"
    );
    assert_eq!(store.keys(), vec!["k".to_owned()]);
}

/// A rejection as the fleet records it, for the store tests.
fn rejection_record() -> auth_core::store::FailureRecord {
    let text = serde_json::json!({
        "v": 1,
        "rejected": {
            "status": 200,
            "code": "4001",
            "message": "Invalid email or password",
            "recorded_ms": 1_800_000_000_000u64,
            "expires_ms": 4_000_000_000_000u64,
            "fingerprint": format!("argon2id-19456-2-1${}${}", "ab".repeat(16), "cd".repeat(32)),
        },
        "spacing": null,
    })
    .to_string();
    auth_core::store::FailureRecord::from_text(&text).expect("a record")
}

#[tokio::test]
async fn every_store_keeps_and_forgets_a_failure_record_sealed_under_a_key() {
    let redis = common::redis_server::RedisServer::start();
    let dir = tempfile::Builder::new()
        .prefix("seller-auth-failures-")
        .tempdir()
        .unwrap();
    let key = || auth_core::store::EncryptionKey::from_bytes([9; 32]);
    let stores: Vec<(&str, Box<dyn TokenStore>)> = vec![
        ("memory", Box::new(MemoryStore::new())),
        (
            "file",
            Box::new(FileStore::new(dir.path()).encrypted(key())),
        ),
        (
            "redis",
            Box::new(
                auth_core::store::RedisStore::builder(&redis.url())
                    .encrypted(key())
                    .build()
                    .unwrap(),
            ),
        ),
    ];
    let record = rejection_record();
    for (name, store) in &stores {
        assert_eq!(store.load_failures("igv-1").await.unwrap(), None, "{name}");
        store.write_failures("igv-1", Some(&record)).await.unwrap();
        assert_eq!(
            store.load_failures("igv-1").await.unwrap().as_ref(),
            Some(&record),
            "{name}"
        );
        assert_eq!(store.load_failures("igv-2").await.unwrap(), None, "{name}");
        store.write_failures("igv-1", None).await.unwrap();
        assert_eq!(store.load_failures("igv-1").await.unwrap(), None, "{name}");
        store.write_failures("igv-1", Some(&record)).await.unwrap();
    }
    // Sealed at rest: neither the vendor's message nor the fingerprint is readable.
    let on_disk = std::fs::read_to_string(dir.path().join("igv-1.failures")).unwrap();
    let in_redis = redis.dump().await;
    for text in std::iter::once(on_disk).chain(in_redis.into_iter().map(|(_, v)| v)) {
        assert!(text.starts_with("sealed-v2:"), "{text}");
        assert!(
            !text.contains("Invalid email") && !text.contains("cdcd"),
            "{text}"
        );
    }
    // Read with another key, a sealed record is left as it is for the processes that hold the
    // fleet's key, and the reader is told why: replacing it would be taking the fleet's state.
    let other =
        FileStore::new(dir.path()).encrypted(auth_core::store::EncryptionKey::from_bytes([8; 32]));
    let err = other.load_failures("igv-1").await.unwrap_err();
    assert!(
        matches!(err, auth_core::store::StoreError::SealedWithAnotherKey),
        "{err}"
    );
    assert!(err.to_string().contains("same key"), "{err}");
    // A damaged record (one flipped character) is no record: the next write replaces it.
    let path = dir.path().join("igv-1.failures");
    let mut text = std::fs::read_to_string(&path).unwrap().into_bytes();
    let last = text.len() - 2;
    text[last] = if text[last] == b'A' { b'B' } else { b'A' };
    std::fs::write(&path, text).unwrap();
    let same = FileStore::new(dir.path()).encrypted(key());
    assert_eq!(same.load_failures("igv-1").await.unwrap(), None);
}

/// A process given another encryption key than its fleet's reads the fleet's entry as sealed
/// elsewhere, not as damage: it logs in on its own if told to, and the entry (with its refresh
/// token) stays for the processes that can read it.
#[tokio::test]
async fn a_process_with_another_key_leaves_the_fleets_entry_alone() {
    use auth_core::StoreFailure;
    use auth_core::store::EncryptionKey;
    let sandbox = Sandbox::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let with_key = |byte: u8, choice: StoreFailure| {
        let store = FileStore::new(dir.path()).encrypted(EncryptionKey::from_bytes([byte; 32]));
        igv_builder(&sandbox)
            .store(Arc::new(store) as Arc<dyn TokenStore>)
            .on_store_failure(choice)
            .build()
            .unwrap()
    };
    let fleet = with_key(1, StoreFailure::Fail).token().await.unwrap();
    let entry = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "json"))
        .unwrap();
    let before = std::fs::read(&entry).unwrap();

    let err = with_key(2, StoreFailure::Fail).token().await.unwrap_err();
    assert_eq!(err.class(), auth_core::ErrorClass::Store, "{err}");
    assert!(err.to_string().contains("another encryption key"), "{err}");
    let alone = with_key(2, StoreFailure::LoginLocally)
        .token()
        .await
        .unwrap();
    assert_ne!(alone.secret().expose(), fleet.secret().expose());
    assert_eq!(
        std::fs::read(&entry).unwrap(),
        before,
        "the entry is untouched"
    );

    // The fleet still reads its own token, with no login of its own.
    let again = with_key(1, StoreFailure::Fail).token().await.unwrap();
    assert_eq!(again.secret().expose(), fleet.secret().expose());
    assert_eq!(
        sandbox.igv().login_count(),
        2,
        "the fleet's, and the stray process's own"
    );

    // The same through Redis, where a read that took the entry for damage would delete it.
    let redis = common::redis_server::RedisServer::start();
    let on_redis = |byte: u8, choice: StoreFailure| {
        let store = auth_core::store::RedisStore::builder(&redis.url())
            .encrypted(EncryptionKey::from_bytes([byte; 32]))
            .build()
            .unwrap();
        igv_builder(&sandbox)
            .store(Arc::new(store) as Arc<dyn TokenStore>)
            .on_store_failure(choice)
            .build()
            .unwrap()
    };
    let fleet = on_redis(1, StoreFailure::Fail).token().await.unwrap();
    let err = on_redis(2, StoreFailure::Fail).token().await.unwrap_err();
    assert!(err.to_string().contains("another encryption key"), "{err}");
    on_redis(2, StoreFailure::LoginLocally)
        .token()
        .await
        .unwrap();
    let listed = auth_core::store::RedisStore::builder(&redis.url())
        .encrypted(EncryptionKey::from_bytes([2; 32]))
        .build()
        .unwrap()
        .list()
        .await
        .unwrap();
    assert!(listed.is_empty(), "skipped, not failed on, not removed");
    let again = on_redis(1, StoreFailure::Fail).token().await.unwrap();
    assert_eq!(again.secret().expose(), fleet.secret().expose());
    assert_eq!(sandbox.igv().login_count(), 4);
}

/// Redis keeps an entry until both its tokens are dead, plus a minute; one whose refresh token
/// has no known expiry, forever (it may be the seller's only credential).
#[tokio::test]
async fn redis_entries_expire_after_both_tokens_and_never_while_the_refresh_expiry_is_unknown() {
    use auth_core::store::{RedisStore, StoredToken, Swap};
    let redis = common::redis_server::RedisServer::start();
    let store = RedisStore::builder(&redis.url()).build().unwrap();
    let client = redis::Client::open(redis.url()).unwrap();
    let mut raw = client.get_multiplexed_async_connection().await.unwrap();
    let hour = Duration::from_secs(3600);
    let month = Duration::from_secs(30 * 86_400);
    let entry = |refresh_expires_at| StoredToken {
        refresh_token: Some(Secret::from("refresh")),
        refresh_expires_at,
        expires_at: SystemTime::now() + hour,
        ..stored("access")
    };
    let mut ttl_of = async |key: &str, token: &StoredToken| -> i64 {
        let lease = store.try_lease(key, hour).await.unwrap().unwrap();
        let swap = store
            .compare_and_swap(key, None, token, lease.fence())
            .await;
        assert!(matches!(swap, Ok(Swap::Written { .. })), "{swap:?}");
        store.release(key, lease).await.unwrap();
        redis::cmd("PTTL")
            .arg(format!("seller-auth:{{{key}}}:token"))
            .query_async(&mut raw)
            .await
            .unwrap()
    };
    let before = SystemTime::now();
    let known = ttl_of("known", &entry(Some(SystemTime::now() + month))).await;
    let elapsed = before.elapsed().unwrap_or_default();
    let longest = (month + Duration::from_secs(60)).as_millis() as i64;
    // Three truncations to whole milliseconds (the TTL the store computes, Redis's PTTL, the
    // elapsed time read here) each lose up to one.
    let shortest = longest - elapsed.as_millis() as i64 - 3;
    assert!(
        (shortest..=longest).contains(&known),
        "{known} not within [{shortest}, {longest}]"
    );
    assert_eq!(ttl_of("unknown", &entry(None)).await, -1, "no TTL");
}
