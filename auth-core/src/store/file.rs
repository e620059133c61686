//! Tokens in files: one file per key in a directory, written atomically, readable by the owner
//! only. Processes on one machine share tokens and logins through it; the lease is an OS file
//! lock, so it is released the moment its holder exits, however it exits.

use std::fs::{File, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use futures_util::future::BoxFuture;
use serde_json::{Value, json};

use super::{
    EncryptionKey, FailureRecord, Lease, StoreError, StoredToken, Swap, TokenStore, Versioned, wire,
};

/// How long a write waits for another process's write of the same key (a few file operations).
const WRITE_LOCK_WAIT: Duration = Duration::from_secs(5);

/// A store in a directory (created with mode 0700; files are 0600).
///
/// For a key `k` it holds `k.json` (the token, its version and the fence of its writer),
/// `k.lease` (locked while a process logs in; it keeps the fence counter), `k.lock` (locked
/// for the instant of a write) and, after a failed login, `k.failures` (what the fleet
/// learned from it).
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

    /// The entry's token, version and writer's fence; `None` when absent or damaged (a damaged
    /// entry is replaced by the next write as if absent).
    fn read(&self, key: &str) -> Result<Option<(Versioned, u64)>, StoreError> {
        let text = match std::fs::read_to_string(self.path(key, "json")) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => String::new(),
            Err(e) => return Err(io(e)),
        };
        let outer: Option<(u64, u64, String)> =
            serde_json::from_str::<Value>(&text).ok().and_then(|v| {
                Some((
                    v.get("version")?.as_u64()?,
                    v.get("fence")?.as_u64()?,
                    v.get("entry")?.as_str()?.to_owned(),
                ))
            });
        let Some((version, fence, entry)) = outer else {
            tracing::warn!(
                key,
                "a damaged token store entry was ignored and will be replaced"
            );
            return Ok(None);
        };
        Ok(wire::decode(&entry, self.key.as_ref(), key)?
            .map(|token| (Versioned { token, version }, fence)))
    }

    fn swap(
        &self,
        key: &str,
        expected: Option<u64>,
        token: &StoredToken,
        fence: u64,
    ) -> Result<Swap, StoreError> {
        let current = self.read(key)?;
        let (version, written_fence) = match &current {
            Some((entry, fence)) => (Some(entry.version), *fence),
            None => (None, 0),
        };
        if version != expected || fence < written_fence {
            return Ok(Swap::Conflict);
        }
        let version = version.unwrap_or(0) + 1;
        let entry = wire::encode(token, self.key.as_ref(), key)?;
        let body = json!({ "version": version, "fence": fence, "entry": entry }).to_string();
        self.write_atomically(key, "json", &body)?;
        Ok(Swap::Written { version })
    }

    /// Writes `text` as `key.extension` atomically: readers see the old file or the new one.
    fn write_atomically(&self, key: &str, extension: &str, text: &str) -> Result<(), StoreError> {
        create_private_dir(&self.dir).map_err(io)?;
        let path = self.path(key, extension);
        let temporary = path.with_extension(format!("tmp{}", std::process::id()));
        let mut file = private_file(&temporary).map_err(io)?;
        file.write_all(text.as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(io)?;
        // A rename within one directory is atomic.
        std::fs::rename(&temporary, &path).map_err(io)
    }

    fn lock_file(&self, key: &str, extension: &str) -> Result<File, StoreError> {
        create_private_dir(&self.dir).map_err(io)?;
        let path = self.path(key, extension);
        private_file_keep(&path).map_err(io)
    }
}

fn io(e: std::io::Error) -> StoreError {
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

/// Reads the lease file's fence counter, adds one and writes it back (the caller holds its lock).
fn next_fence(file: &mut File) -> std::io::Result<u64> {
    let mut text = String::new();
    file.seek(SeekFrom::Start(0))?;
    file.read_to_string(&mut text)?;
    let fence = text.trim().parse::<u64>().unwrap_or(0).saturating_add(1);
    file.set_len(0)?;
    file.seek(SeekFrom::Start(0))?;
    file.write_all(fence.to_string().as_bytes())?;
    Ok(fence)
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

fn private_options() -> std::fs::OpenOptions {
    let mut options = std::fs::OpenOptions::new();
    options.create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
}

/// A new, empty file readable by the owner only.
fn private_file(path: &Path) -> std::io::Result<File> {
    private_options().write(true).truncate(true).open(path)
}

/// A file readable by the owner only, its content kept (lock files).
fn private_file_keep(path: &Path) -> std::io::Result<File> {
    private_options()
        .read(true)
        .write(true)
        .truncate(false)
        .open(path)
}

impl TokenStore for FileStore {
    fn load<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<Versioned>, StoreError>> {
        Box::pin(async move { Ok(self.read(key)?.map(|(entry, _)| entry)) })
    }

    fn compare_and_swap<'a>(
        &'a self,
        key: &'a str,
        expected: Option<u64>,
        token: &'a StoredToken,
        fence: u64,
    ) -> BoxFuture<'a, Result<Swap, StoreError>> {
        Box::pin(async move {
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
            // The lock is released when `lock` is closed at the end of this block.
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
            let fence = next_fence(&mut file).map_err(io)?;
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
        Box::pin(async move {
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
                if let Some((entry, _)) = self.read(key)? {
                    entries.push((key.to_owned(), entry.token));
                }
            }
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Ok(entries)
        })
    }

    fn remove<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<bool, StoreError>> {
        Box::pin(async move {
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
            let text = match std::fs::read_to_string(self.path(key, "failures")) {
                Ok(text) => text,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                Err(e) if e.kind() == std::io::ErrorKind::InvalidData => return Ok(None),
                Err(e) => return Err(io(e)),
            };
            wire::decode_failures(&text, self.key.as_ref(), key)
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
                None => match std::fs::remove_file(self.path(key, "failures")) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io(e)),
                    _ => Ok(()),
                },
            }
        })
    }
}

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

    fn token(text: &str) -> StoredToken {
        StoredToken {
            token: Secret::from(text),
            scheme: None,
            refresh_token: Some(Secret::from("refresh-456")),
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
        create_private_dir(&dir).unwrap();
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
        let wrong_key = FileStore::new(&dir).encrypted(EncryptionKey::from_bytes([1; 32]));
        assert!(matches!(
            wrong_key.load("k").await,
            Err(StoreError::Undecryptable)
        ));
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
