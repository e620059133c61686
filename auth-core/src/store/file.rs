//! Tokens in files: one file per key in a directory, written atomically, readable by the owner
//! only. Processes on one machine share tokens and logins through it; the lease is an OS file
//! lock, so it is released the moment its holder exits, however it exits.

use std::fs::{File, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use futures_util::future::BoxFuture;
use serde_json::{Value, json};

use super::safe_fs::{self, Found};
use super::wire::{self, Damage, MAX_ENTRY_BYTES};
use super::{
    EncryptionKey, FailureRecord, Lease, StoreError, StoredToken, Swap, TokenStore, Versioned,
};

/// How long a write waits for another process's write of the same key (a few file operations).
const WRITE_LOCK_WAIT: Duration = Duration::from_secs(5);

/// The most bytes of a lease file's fence counter read (a `u64` has 20 digits).
const MAX_COUNTER_BYTES: u64 = 64;

/// A store in a directory (created with mode 0700; files are 0600).
///
/// For a key `k` it holds `k.json` (the token, its version and the fence of its writer),
/// `k.lease` (locked while a process logs in; it keeps the fence counter), `k.lock` (locked
/// for the instant of a write) and, after a failed login, `k.failures` (what the fleet
/// learned from it).
///
/// It trusts nothing it finds in the directory:
/// - a directory that its group or others may write to, or that another user than this one
///   or root owns, is refused with [`StoreError::UnsafeDirectory`], which names the fix;
/// - no file is opened through a symbolic link; entries and records are written to a
///   temporary created exclusively under a random name, then renamed over the old file (a
///   link planted there is replaced, its target untouched); a lock file found to be a link or
///   not a regular file is replaced, with a warning;
/// - only regular files are read, and at most 1 MiB of an entry or a failure record (64 bytes
///   of a fence counter);
/// - an entry that is damaged, larger than that, not JSON, sealed with another key or moved
///   from another key is read as absent, with a warning naming the key and why (never the
///   content); a damaged failure record likewise. The next write under the lease replaces it,
///   and a listing skips it;
/// - a fence counter that is not a number, or cannot be advanced (at `u64::MAX`), restarts
///   just above the fence of the entry's last writer, with a warning: the lease's file lock
///   already keeps every other holder out, so the fence only has to stay above what was
///   written. An entry whose writer's fence is `u64::MAX` has it reset to 0 first.
///
/// An entry names the key and vendor it was written for, and one found under another key is
/// read as absent. Entries written by earlier versions carry no such binding and are read as
/// they are (a sealed one is bound to its key by its seal); the next write replaces them in
/// this version's format.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use std::time::{Duration, SystemTime};
/// use auth_core::store::{EncryptionKey, FileStore, StoredToken, TokenStore};
/// use auth_core::Secret;
///
/// let dir = std::env::temp_dir().join(format!("seller-auth-doc-{}", std::process::id()));
/// let store = FileStore::new(&dir).encrypted(EncryptionKey::from_bytes([42; 32]));
/// let token = StoredToken {
///     token: Secret::from("t0k3n"),
///     scheme: Some("Bearer".into()),
///     refresh_token: None,
///     refresh_expires_at: None,
///     expires_at: SystemTime::now() + Duration::from_secs(60),
///     account: None,
///     about: None,
/// };
/// let lease = store.try_lease("igv-1234", Duration::from_secs(30)).await.unwrap().unwrap();
/// store.compare_and_swap("igv-1234", None, &token, lease.fence()).await.unwrap();
/// store.release("igv-1234", lease).await.unwrap();
/// let loaded = store.load("igv-1234").await.unwrap().unwrap();
/// assert_eq!(loaded.token.token.expose(), "t0k3n");
/// assert!(!std::fs::read_to_string(dir.join("igv-1234.json")).unwrap().contains("t0k3n"));
/// # std::fs::remove_dir_all(dir).unwrap(); }
/// ```
#[derive(Debug, Clone)]
pub struct FileStore {
    dir: PathBuf,
    key: Option<EncryptionKey>,
}

/// What is stored under a key.
enum Stored {
    Absent,
    /// Not usable: why, and its writer's fence if the envelope still tells it.
    Damaged {
        why: Damage,
        fence: u64,
    },
    Entry {
        entry: Versioned,
        fence: u64,
    },
}

impl Stored {
    /// The fence of the entry's writer (0 when none is known).
    fn fence(&self) -> u64 {
        match self {
            Stored::Absent => 0,
            Stored::Damaged { fence, .. } | Stored::Entry { fence, .. } => *fence,
        }
    }
}

impl FileStore {
    /// A store in `dir`, created on first write.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        FileStore {
            dir: dir.into(),
            key: None,
        }
    }

    /// Encrypts tokens with `key`; entries written without it are ignored and replaced.
    pub fn encrypted(mut self, key: EncryptionKey) -> Self {
        self.key = Some(key);
        self
    }

    /// The directory it writes to.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, key: &str, extension: &str) -> PathBuf {
        // Keys are made of hex digits and dashes by the session; anything else is replaced so
        // a key can never leave the directory.
        let safe: String = key
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        self.dir.join(format!("{safe}.{extension}"))
    }

    /// The text of `key.extension`, bounded; a link, a non-regular or oversized file is damage.
    fn read_text(&self, key: &str, extension: &str) -> Result<Found, StoreError> {
        safe_fs::check_dir(&self.dir)?;
        safe_fs::read_bounded(&self.path(key, extension), MAX_ENTRY_BYTES).map_err(io)
    }

    /// What is stored under `key`.
    /// The entries, read now (blocking: `list` runs it on the blocking pool).
    fn list_now(&self) -> Result<Vec<(String, StoredToken)>, StoreError> {
        safe_fs::check_dir(&self.dir)?;
        let files = match std::fs::read_dir(&self.dir) {
            Ok(files) => files,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io(e)),
        };
        let mut entries = Vec::new();
        for file in files {
            let name = file.map_err(io)?.file_name();
            let Some(key) = name.to_str().and_then(|n| n.strip_suffix(".json")) else {
                continue;
            };
            // One entry that cannot be read is skipped, not the listing.
            match self.read(key) {
                Ok(Stored::Entry { entry, .. }) => entries.push((key.to_owned(), entry.token)),
                Ok(Stored::Damaged { why, .. }) => wire::ignored(key, "entry", why),
                Ok(Stored::Absent) => {}
                Err(err) => {
                    tracing::warn!(key, error = %err, "a token store entry could not be read; not listed")
                }
            }
        }
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(entries)
    }

    fn read(&self, key: &str) -> Result<Stored, StoreError> {
        let text = match self.read_text(key, "json")? {
            Found::Absent => return Ok(Stored::Absent),
            Found::Damaged(why) => return Ok(Stored::Damaged { why, fence: 0 }),
            Found::Text(text) => text,
        };
        let outer = serde_json::from_str::<Value>(&text).ok();
        let fence = outer
            .as_ref()
            .and_then(|v| v.get("fence")?.as_u64())
            .unwrap_or(0);
        let envelope = outer
            .as_ref()
            .and_then(|v| Some((v.get("version")?.as_u64()?, v.get("entry")?.as_str()?)));
        let Some((version, entry)) = envelope else {
            return Ok(Stored::Damaged {
                why: "its envelope is not the store's JSON",
                fence,
            });
        };
        Ok(match wire::read_entry(entry, self.key.as_ref(), key)? {
            Ok(token) => Stored::Entry {
                entry: Versioned { token, version },
                fence,
            },
            Err(why) => Stored::Damaged { why, fence },
        })
    }

    fn swap(
        &self,
        key: &str,
        expected: Option<u64>,
        token: &StoredToken,
        fence: u64,
    ) -> Result<Swap, StoreError> {
        let current = self.read(key)?;
        // A damaged entry is absent for the version, but its writer's fence still counts.
        let version = match &current {
            Stored::Entry { entry, .. } => Some(entry.version),
            _ => None,
        };
        if version != expected || fence < current.fence() {
            return Ok(Swap::Conflict);
        }
        let version = version.unwrap_or(0).saturating_add(1);
        let entry = wire::encode(token, self.key.as_ref(), key)?;
        let body = json!({ "version": version, "fence": fence, "entry": entry }).to_string();
        self.write_atomically(key, "json", &body)?;
        Ok(Swap::Written { version })
    }

    /// Writes `text` as `key.extension` atomically: readers see the old file or the new one.
    fn write_atomically(&self, key: &str, extension: &str, text: &str) -> Result<(), StoreError> {
        safe_fs::create_private_dir(&self.dir)?;
        safe_fs::write_atomically(&self.path(key, extension), text).map_err(io)
    }

    fn lock_file(&self, key: &str, extension: &str) -> Result<File, StoreError> {
        safe_fs::create_private_dir(&self.dir)?;
        safe_fs::open_lock_file(&self.path(key, extension)).map_err(io)
    }

    /// Holds `key`'s write lock (the caller keeps the file open for as long as it writes).
    async fn write_lock(&self, key: &str) -> Result<File, StoreError> {
        let lock = self.lock_file(key, "lock")?;
        let give_up = tokio::time::Instant::now() + WRITE_LOCK_WAIT;
        let mut pause = Duration::from_millis(1);
        while try_lock(&lock)?.is_none() {
            if tokio::time::Instant::now() >= give_up {
                return Err(StoreError::Timeout(WRITE_LOCK_WAIT));
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_millis(20));
        }
        Ok(lock)
    }

    /// The next fence of `key`, the caller holding its lease file: one above both the counter
    /// and the entry's writer's fence. A counter that is not a number or cannot be advanced,
    /// or an entry's fence at `u64::MAX`, is repaired (see the type's notes).
    async fn next_fence(&self, key: &str, lease: &mut File) -> Result<u64, StoreError> {
        let counter = read_counter(lease).map_err(io)?;
        let mut written = self.read(key)?.fence();
        if written == u64::MAX {
            tracing::warn!(
                key,
                "the token entry's writer fence is at its maximum, which no lease reaches; reset to 0"
            );
            self.reset_written_fence(key).await?;
            written = 0;
        }
        let counter = match counter {
            Some(counter) if counter < u64::MAX => counter,
            found => {
                let why = match found {
                    Some(_) => "is at its maximum and cannot be advanced",
                    None => "is not a number",
                };
                tracing::warn!(
                    key,
                    reason = why,
                    "the lease's fence counter was damaged; restarted above the entry's last writer"
                );
                0
            }
        };
        // Both are below u64::MAX here.
        let fence = counter.max(written).saturating_add(1);
        lease.set_len(0).map_err(io)?;
        lease.seek(SeekFrom::Start(0)).map_err(io)?;
        lease.write_all(fence.to_string().as_bytes()).map_err(io)?;
        Ok(fence)
    }

    /// Rewrites `key`'s entry with its writer's fence at 0, under the write lock.
    async fn reset_written_fence(&self, key: &str) -> Result<(), StoreError> {
        let _lock = self.write_lock(key).await?;
        let Found::Text(text) = self.read_text(key, "json")? else {
            return Ok(());
        };
        let Ok(mut outer) = serde_json::from_str::<Value>(&text) else {
            return Ok(());
        };
        if let Some(fence) = outer.get_mut("fence") {
            *fence = json!(0);
        }
        self.write_atomically(key, "json", &outer.to_string())
    }
}

/// The store's error for an I/O failure.
pub(super) fn io(e: std::io::Error) -> StoreError {
    StoreError::Io(std::sync::Arc::new(e))
}

/// Takes `file`'s lock without blocking; `None` if another holder has it.
fn try_lock(file: &File) -> Result<Option<()>, StoreError> {
    match file.try_lock() {
        Ok(()) => Ok(Some(())),
        Err(TryLockError::WouldBlock) => Ok(None),
        Err(TryLockError::Error(e)) => Err(io(e)),
    }
}

/// The lease file's fence counter: `Some(0)` when empty (a new lease file), `None` when it is
/// not a number.
fn read_counter(file: &mut File) -> std::io::Result<Option<u64>> {
    let mut bytes = Vec::new();
    file.seek(SeekFrom::Start(0))?;
    file.take(MAX_COUNTER_BYTES).read_to_end(&mut bytes)?;
    let text = String::from_utf8_lossy(&bytes);
    let text = text.trim();
    Ok(match text.is_empty() {
        true => Some(0),
        false => text.parse::<u64>().ok(),
    })
}

impl TokenStore for FileStore {
    fn load<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<Versioned>, StoreError>> {
        Box::pin(async move {
            Ok(match self.read(key)? {
                Stored::Entry { entry, .. } => Some(entry),
                Stored::Damaged { why, .. } => {
                    wire::ignored(key, "entry", why);
                    None
                }
                Stored::Absent => None,
            })
        })
    }

    fn compare_and_swap<'a>(
        &'a self,
        key: &'a str,
        expected: Option<u64>,
        token: &'a StoredToken,
        fence: u64,
    ) -> BoxFuture<'a, Result<Swap, StoreError>> {
        Box::pin(async move {
            // The lock is released when it is closed at the end of this block.
            let _lock = self.write_lock(key).await?;
            self.swap(key, expected, token, fence)
        })
    }

    fn try_lease<'a>(
        &'a self,
        key: &'a str,
        _ttl: Duration,
    ) -> BoxFuture<'a, Result<Option<Lease>, StoreError>> {
        // An OS lock needs no expiry: the kernel releases it when its holder exits.
        Box::pin(async move {
            let mut file = self.lock_file(key, "lease")?;
            if try_lock(&file)?.is_none() {
                return Ok(None);
            }
            let fence = self.next_fence(key, &mut file).await?;
            Ok(Some(Lease::holding(Lease::random_owner(), fence, file)))
        })
    }

    fn extend_lease<'a>(
        &'a self,
        _key: &'a str,
        _lease: &'a Lease,
        _ttl: Duration,
    ) -> BoxFuture<'a, Result<bool, StoreError>> {
        // The lock is held until the lease is dropped; there is nothing to extend.
        Box::pin(async { Ok(true) })
    }

    fn release<'a>(&'a self, _key: &'a str, lease: Lease) -> BoxFuture<'a, Result<(), StoreError>> {
        // Dropping the lease closes its file, which releases the lock.
        drop(lease);
        Box::pin(async { Ok(()) })
    }

    fn list(&self) -> BoxFuture<'_, Result<Vec<(String, StoredToken)>, StoreError>> {
        // Every file read: on the blocking pool, not on an async thread (a sweep over a
        // hundred thousand sellers reads as many files).
        let this = self.clone();
        Box::pin(async move {
            match tokio::runtime::Handle::try_current() {
                Ok(runtime) => runtime
                    .spawn_blocking(move || this.list_now())
                    .await
                    .map_err(|_| StoreError::Unavailable("the listing task failed".into()))?,
                Err(_) => this.list_now(),
            }
        })
    }

    fn remove<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<bool, StoreError>> {
        Box::pin(async move {
            safe_fs::check_dir(&self.dir)?;
            // Removing a link removes the link, never its target.
            let gone = |extension| match std::fs::remove_file(self.path(key, extension)) {
                Ok(()) => Ok(true),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
                Err(e) => Err(io(e)),
            };
            let removed = gone("json")?;
            gone("failures")?;
            Ok(removed)
        })
    }

    fn load_failures<'a>(
        &'a self,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Option<FailureRecord>, StoreError>> {
        Box::pin(async move {
            let decoded = match self.read_text(key, "failures")? {
                Found::Absent => return Ok(None),
                Found::Damaged(why) => Err(why),
                Found::Text(text) => wire::read_failures(&text, self.key.as_ref(), key)?,
            };
            Ok(decoded
                .inspect_err(|why| wire::ignored(key, "failure record", why))
                .ok())
        })
    }

    fn write_failures<'a>(
        &'a self,
        key: &'a str,
        record: Option<&'a FailureRecord>,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            match record {
                Some(record) => {
                    let text = wire::encode_failures(record, self.key.as_ref(), key)?;
                    self.write_atomically(key, "failures", &text)
                }
                None => {
                    safe_fs::check_dir(&self.dir)?;
                    match std::fs::remove_file(self.path(key, "failures")) {
                        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io(e)),
                        _ => Ok(()),
                    }
                }
            }
        })
    }
}

mod prune;

#[cfg(test)]
#[cfg(unix)]
mod hostile_tests;

#[cfg(test)]
mod tests {
    use std::time::{SystemTime, UNIX_EPOCH};

    use super::*;
    use crate::secret::Secret;

    /// A directory of its own, removed when dropped, even when the test fails.
    fn dir(name: &str) -> tempfile::TempDir {
        tempfile::Builder::new()
            .prefix(&format!("seller-auth-test-{name}-"))
            .tempdir()
            .unwrap()
    }

    /// A token entry holding `text` (and a fixed refresh token), for this file's tests.
    pub(super) fn token(text: &str) -> StoredToken {
        StoredToken {
            token: Secret::from(text),
            scheme: None,
            refresh_token: Some(Secret::from("refresh-456")),
            refresh_expires_at: None,
            expires_at: UNIX_EPOCH + Duration::from_millis(1_800_000_000_123),
            account: None,
            about: None,
        }
    }

    #[tokio::test]
    async fn round_trip_private_and_atomic() {
        let tmp = dir("round-trip");
        let dir = tmp.path().join("store");
        let store = FileStore::new(&dir);
        assert!(store.load("k").await.unwrap().is_none());
        let written = store
            .compare_and_swap("k", None, &token("access-123"), 0)
            .await
            .unwrap();
        assert_eq!(written, Swap::Written { version: 1 });
        let loaded = store.load("k").await.unwrap().unwrap();
        assert_eq!(loaded.version, 1);
        assert_eq!(loaded.token.token.expose(), "access-123");
        assert_eq!(loaded.token.refresh_token.unwrap().expose(), "refresh-456");
        assert_eq!(loaded.token.expires_at, token("x").expires_at);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            for extension in ["json", "lock"] {
                let mode = std::fs::metadata(store.path("k", extension))
                    .unwrap()
                    .permissions()
                    .mode();
                assert_eq!(mode & 0o777, 0o600, "{extension}");
            }
            let mode = std::fs::metadata(&dir).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700);
        }
        let leftovers: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().contains("tmp"))
            .collect();
        assert!(leftovers.is_empty(), "no temporary file is left behind");
    }

    #[tokio::test]
    async fn writes_compare_versions_and_fences() {
        let tmp = dir("cas");
        let dir = tmp.path().join("store");
        let store = FileStore::new(&dir);
        let first = store.try_lease("k", Duration::ZERO).await.unwrap().unwrap();
        assert!(
            store
                .try_lease("k", Duration::ZERO)
                .await
                .unwrap()
                .is_none(),
            "the lock is held"
        );
        let swap = store
            .compare_and_swap("k", None, &token("a"), first.fence())
            .await;
        assert_eq!(swap.unwrap(), Swap::Written { version: 1 });
        let stale = store
            .compare_and_swap("k", None, &token("b"), first.fence())
            .await;
        assert_eq!(stale.unwrap(), Swap::Conflict, "version 1 is there");
        store.release("k", first).await.unwrap();
        let second = store.try_lease("k", Duration::ZERO).await.unwrap().unwrap();
        assert_eq!(second.fence(), 2);
        let swap = store
            .compare_and_swap("k", Some(1), &token("c"), second.fence())
            .await;
        assert_eq!(swap.unwrap(), Swap::Written { version: 2 });
        let fenced_out = store.compare_and_swap("k", Some(2), &token("d"), 1).await;
        assert_eq!(fenced_out.unwrap(), Swap::Conflict);
        assert_eq!(
            store.load("k").await.unwrap().unwrap().token.token.expose(),
            "c"
        );
        drop(second);
    }

    #[tokio::test]
    async fn a_damaged_entry_reads_as_nothing_usable_and_is_replaced() {
        let tmp = dir("damaged");
        let dir = tmp.path().join("store");
        let store = FileStore::new(&dir);
        safe_fs::create_private_dir(&dir).unwrap();
        for damage in [
            "",
            "{",
            "[]",
            r#"{"version":4,"fence":0,"entry":"{"}"#,
            r#"{"version":"x"}"#,
        ] {
            std::fs::write(store.path("k", "json"), damage).unwrap();
            assert!(store.load("k").await.unwrap().is_none(), "{damage:?}");
            let swap = store
                .compare_and_swap("k", None, &token("fresh"), 0)
                .await
                .unwrap();
            assert!(matches!(swap, Swap::Written { .. }), "{damage:?}");
        }
        std::fs::write(store.path("k", "json"), [0xff, 0xfe, 0x00]).unwrap();
        assert!(store.load("k").await.is_ok(), "invalid UTF-8 is damage too");
    }

    #[tokio::test]
    async fn an_encrypted_store_holds_no_plain_token() {
        let tmp = dir("sealed");
        let dir = tmp.path().join("store");
        let key = EncryptionKey::from_bytes([9; 32]);
        let store = FileStore::new(&dir).encrypted(key);
        let mut sealed = token("access-123");
        sealed.expires_at = SystemTime::now();
        store.compare_and_swap("k", None, &sealed, 0).await.unwrap();
        let text = std::fs::read_to_string(store.path("k", "json")).unwrap();
        assert!(!text.contains("access-123") && !text.contains("refresh-456"));
        let loaded = store.load("k").await.unwrap().unwrap();
        assert_eq!(loaded.token.token.expose(), "access-123");
        // Another key is the fleet misconfigured, not damage: said, and the entry left alone.
        let wrong_key = FileStore::new(&dir).encrypted(EncryptionKey::from_bytes([1; 32]));
        assert!(matches!(
            wrong_key.load("k").await,
            Err(StoreError::SealedWithAnotherKey)
        ));
        assert_eq!(
            std::fs::read_to_string(store.path("k", "json")).unwrap(),
            text
        );
    }

    #[test]
    fn keys_cannot_escape_the_directory() {
        let store = FileStore::new("/tmp/store");
        assert_eq!(
            store.path("../../etc/passwd", "json"),
            PathBuf::from("/tmp/store/______etc_passwd.json")
        );
    }
}
