//! Entries saved by earlier versions are read back: a format change must not strand the
//! refresh tokens in every store (`fixtures/store-v1/README.md` says how they were made).

use std::path::{Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};

use auth_core::Secret;
use auth_core::store::{
    EncryptionKey, EntryInfo, FailureRecord, FileStore, StoredToken, Swap, TokenStore,
};

/// The key of the plain entry, and of the sealed one.
const PLAIN_KEY: &str = "igv-00112233445566778899aabbccddeeff";
const SEALED_KEY: &str = "igv-ffeeddccbbaa99887766554433221100";
/// The test store key the sealed fixtures were sealed with.
const STORE_KEY: [u8; 32] = [0x5a; 32];
/// A failure record: a rejection (its fingerprint matches no credentials) and a spacing.
const RECORD: &str = r#"{"v":1,"rejected":{"status":200,"code":"4001","message":"Invalid email or password","recorded_ms":2051222400000,"expires_ms":2051223300000,"fingerprint":"argon2id-19456-2-1$000102030405060708090a0b0c0d0e0f$000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"},"spacing":{"failures":3,"not_before_ms":2051222402000,"recorded_ms":2051222400000,"kind":"timeout","retry_after_ms":null,"code":null,"message":null}}"#;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/store-v1")
}

fn token(prefix: &str) -> StoredToken {
    StoredToken {
        token: Secret::from(format!("{prefix}-access")),
        scheme: Some("Bearer".into()),
        refresh_token: Some(Secret::from(format!("{prefix}-refresh"))),
        refresh_expires_at: None,
        expires_at: UNIX_EPOCH + Duration::from_millis(2_051_222_400_000),
        account: None,
        about: Some(EntryInfo {
            vendor: "iGV".into(),
            label: "email=fixture@shop.example".into(),
            stored_at: UNIX_EPOCH + Duration::from_millis(2_051_222_000_000),
        }),
    }
}

fn record() -> FailureRecord {
    FailureRecord::from_text(RECORD).unwrap()
}

/// Writes the fixtures with the code of the day into `$STORE_FIXTURES_OUT` (see the README):
/// run once per format, never over committed fixtures.
#[tokio::test]
#[ignore = "writes fixtures; run by hand when a format is retired"]
async fn write_fixtures() {
    let out = PathBuf::from(std::env::var("STORE_FIXTURES_OUT").unwrap());
    let plain = FileStore::new(out.join("plain"));
    let sealed = FileStore::new(out.join("sealed")).encrypted(EncryptionKey::from_bytes(STORE_KEY));
    for (store, key, prefix) in [
        (&plain, PLAIN_KEY, "v1-plain"),
        (&sealed, SEALED_KEY, "v1-sealed"),
    ] {
        let lease = store
            .try_lease(key, Duration::from_secs(30))
            .await
            .unwrap()
            .unwrap();
        let swap = store
            .compare_and_swap(key, None, &token(prefix), lease.fence())
            .await;
        assert_eq!(swap.unwrap(), Swap::Written { version: 1 });
        store.write_failures(key, Some(&record())).await.unwrap();
        store.release(key, lease).await.unwrap();
    }
}

/// A copy of a fixture directory (the store writes beside the entries), owner-only.
fn copy_of(name: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    for file in std::fs::read_dir(fixtures().join(name)).unwrap() {
        let file = file.unwrap();
        std::fs::copy(file.path(), tmp.path().join(file.file_name())).unwrap();
    }
    tmp
}

#[tokio::test]
async fn v1_entries_and_failure_records_are_read_back_and_renewed() {
    let key = || EncryptionKey::from_bytes(STORE_KEY);
    for (name, store_key, prefix, sealed) in [
        ("plain", PLAIN_KEY, "v1-plain", false),
        ("sealed", SEALED_KEY, "v1-sealed", true),
    ] {
        let tmp = copy_of(name);
        let store = match sealed {
            true => FileStore::new(tmp.path()).encrypted(key()),
            false => FileStore::new(tmp.path()),
        };
        let loaded = store.load(store_key).await.unwrap().expect(name);
        assert_eq!(loaded.version, 1, "{name}");
        assert_eq!(loaded.token.token.expose(), format!("{prefix}-access"));
        let refresh = loaded.token.refresh_token.clone().unwrap();
        assert_eq!(refresh.expose(), format!("{prefix}-refresh"));
        assert_eq!(loaded.token.expires_at, token(prefix).expires_at);
        assert_eq!(loaded.token.about, token(prefix).about);
        assert_eq!(
            store.load_failures(store_key).await.unwrap(),
            Some(record()),
            "{name}"
        );
        let listed = store.list().await.unwrap();
        assert_eq!(listed.len(), 1, "{name}");
        // The next write, under a lease, replaces it in the current format.
        let lease = store
            .try_lease(store_key, Duration::from_secs(30))
            .await
            .unwrap()
            .unwrap();
        let swap = store
            .compare_and_swap(store_key, Some(1), &token("renewed"), lease.fence())
            .await
            .unwrap();
        assert_eq!(swap, Swap::Written { version: 2 }, "{name}");
        store.release(store_key, lease).await.unwrap();
        let renewed = store.load(store_key).await.unwrap().unwrap();
        assert_eq!(renewed.token.token.expose(), "renewed-access");
    }
}
