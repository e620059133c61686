//! The file store in a directory someone tampered with: links, FIFOs, huge files, copied or
//! damaged entries, fence counters that cannot be advanced, a directory others can write to.

use std::os::unix::fs::{PermissionsExt, symlink};

use super::tests::token;
use super::*;

fn store_in(tmp: &tempfile::TempDir) -> FileStore {
    let dir = tmp.path().join("store");
    safe_fs::create_private_dir(&dir).unwrap();
    FileStore::new(dir)
}

/// Takes the lease, writes over what was loaded, records failures, releases: a fleet's round.
async fn write_round(store: &FileStore, key: &str, text: &str) -> u64 {
    let lease = store.try_lease(key, Duration::ZERO).await.unwrap().unwrap();
    let version = store.load(key).await.unwrap().map(|e| e.version);
    let swap = store
        .compare_and_swap(key, version, &token(text), lease.fence())
        .await
        .unwrap();
    assert!(matches!(swap, Swap::Written { .. }), "{text}: {swap:?}");
    store
        .write_failures(key, Some(&FailureRecord::default()))
        .await
        .unwrap();
    let fence = lease.fence();
    store.release(key, lease).await.unwrap();
    fence
}

#[tokio::test]
async fn planted_links_are_replaced_and_never_written_through() {
    let tmp = tempfile::tempdir().unwrap();
    let store = store_in(&tmp);
    let target = tmp.path().join("precious");
    std::fs::write(&target, "precious").unwrap();
    // The entry, the lease, the write lock, the failure record, and the temporary name the
    // previous version used.
    let temporary = store
        .path("k", "json")
        .with_extension(format!("tmp{}", std::process::id()));
    for planted in [
        store.path("k", "json"),
        store.path("k", "lease"),
        store.path("k", "lock"),
        store.path("k", "failures"),
        temporary.clone(),
    ] {
        symlink(&target, &planted).unwrap();
    }
    assert!(
        store.load("k").await.unwrap().is_none(),
        "a link reads as absent"
    );
    assert!(store.load_failures("k").await.unwrap().is_none());
    write_round(&store, "k", "fresh").await;
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "precious");
    let loaded = store.load("k").await.unwrap().unwrap();
    assert_eq!(loaded.token.token.expose(), "fresh");
    assert_eq!(
        store.load_failures("k").await.unwrap(),
        Some(FailureRecord::default())
    );
    for extension in ["json", "lease", "lock", "failures"] {
        let metadata = std::fs::symlink_metadata(store.path("k", extension)).unwrap();
        assert!(metadata.is_file(), "{extension} is a file of its own now");
        assert_eq!(metadata.permissions().mode() & 0o777, 0o600, "{extension}");
    }
    assert!(
        std::fs::symlink_metadata(&temporary)
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

#[tokio::test]
async fn entries_that_are_devices_fifos_or_huge_read_as_absent_and_are_replaced() {
    let tmp = tempfile::tempdir().unwrap();
    let store = store_in(&tmp);
    let entry = store.path("k", "json");
    let huge = format!(
        r#"{{"version":1,"fence":0,"entry":"{}"}}"#,
        "x".repeat(2 << 20)
    );
    for plant in ["/dev/zero", "fifo", "huge"] {
        let _ = std::fs::remove_file(&entry);
        match plant {
            "fifo" => assert!(
                std::process::Command::new("mkfifo")
                    .arg(&entry)
                    .status()
                    .unwrap()
                    .success()
            ),
            "huge" => std::fs::write(&entry, &huge).unwrap(),
            device => symlink(device, &entry).unwrap(),
        }
        assert!(store.load("k").await.unwrap().is_none(), "{plant}");
        assert!(store.list().await.unwrap().is_empty(), "{plant}");
        write_round(&store, "k", plant).await;
        assert_eq!(
            store.load("k").await.unwrap().unwrap().token.token.expose(),
            plant
        );
    }
    std::fs::write(store.path("k", "failures"), "y".repeat(2 << 20)).unwrap();
    assert!(store.load_failures("k").await.unwrap().is_none());
}

#[tokio::test]
async fn an_entry_copied_from_another_key_or_damaged_reads_as_absent_sealed_or_not() {
    let tmp = tempfile::tempdir().unwrap();
    let plain = store_in(&tmp);
    let sealed = FileStore::new(plain.dir()).encrypted(EncryptionKey::from_bytes([9; 32]));
    for store in [&plain, &sealed] {
        write_round(store, "seller-a", "a's token").await;
        std::fs::copy(
            store.path("seller-a", "json"),
            store.path("seller-b", "json"),
        )
        .unwrap();
        assert!(store.load("seller-b").await.unwrap().is_none(), "foreign");
        let listed = store.list().await.unwrap();
        assert_eq!(listed.len(), 1, "only seller-a's entry is listed");
        write_round(store, "seller-b", "b's token").await;
        let b = store.load("seller-b").await.unwrap().unwrap();
        assert_eq!(b.token.token.expose(), "b's token");
        std::fs::remove_file(store.path("seller-b", "json")).unwrap();
    }
    // One flipped character of the sealed text.
    let text = std::fs::read_to_string(sealed.path("seller-a", "json")).unwrap();
    // Inside the sealed bytes, past the prefix and the key's id (`sealed-v2:<16 hex>:`).
    let at = text.find("sealed-v2:").unwrap() + "sealed-v2:".len() + 17 + 10;
    let mut flipped = text.into_bytes();
    flipped[at] = if flipped[at] == b'A' { b'B' } else { b'A' };
    std::fs::write(sealed.path("seller-a", "json"), flipped).unwrap();
    assert!(sealed.load("seller-a").await.unwrap().is_none());
    assert!(sealed.list().await.unwrap().is_empty());
    write_round(&sealed, "seller-a", "renewed").await;
    let renewed = sealed.load("seller-a").await.unwrap().unwrap();
    assert_eq!(renewed.token.token.expose(), "renewed");
}

#[tokio::test]
async fn a_fence_counter_that_cannot_be_advanced_is_repaired_and_writes_go_on() {
    let tmp = tempfile::tempdir().unwrap();
    let store = store_in(&tmp);
    let first = write_round(&store, "k", "first").await;
    for counter in [u64::MAX.to_string(), "garbage".to_owned(), "0".to_owned()] {
        std::fs::write(store.path("k", "lease"), &counter).unwrap();
        let fence = write_round(&store, "k", &counter).await;
        assert!(
            fence > first,
            "{counter}: {fence} is above the last writer's"
        );
    }
    // The entry's writer fence at the maximum: no lease could ever write over it.
    let entry = store.path("k", "json");
    let text = std::fs::read_to_string(&entry).unwrap();
    let mut outer: Value = serde_json::from_str(&text).unwrap();
    outer["fence"] = json!(u64::MAX);
    std::fs::write(&entry, outer.to_string()).unwrap();
    write_round(&store, "k", "after max").await;
    let loaded = store.load("k").await.unwrap().unwrap();
    assert_eq!(loaded.token.token.expose(), "after max");
    // A stale holder's lower fence is still refused.
    let swap = store
        .compare_and_swap("k", Some(loaded.version), &token("stale"), 0)
        .await
        .unwrap();
    assert_eq!(swap, Swap::Conflict);
}

#[tokio::test]
async fn a_directory_others_can_write_to_is_refused_naming_the_fix() {
    let tmp = tempfile::tempdir().unwrap();
    let store = store_in(&tmp);
    std::fs::set_permissions(store.dir(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let expected = format!("chmod go-w {}", store.dir().display());
    let refused = [
        store.load("k").await.unwrap_err(),
        store.try_lease("k", Duration::ZERO).await.unwrap_err(),
        store
            .compare_and_swap("k", None, &token("t"), 0)
            .await
            .unwrap_err(),
        store.list().await.unwrap_err(),
    ];
    for err in refused {
        assert!(matches!(err, StoreError::UnsafeDirectory { .. }), "{err:?}");
        assert!(err.to_string().contains(&expected), "{err}");
    }
    assert_eq!(
        std::fs::read_dir(store.dir()).unwrap().count(),
        0,
        "nothing was written there"
    );
}
