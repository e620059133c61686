//! Tokens in files: one file per key in a directory, written atomically, readable by the owner
//! only. Several processes on one machine share tokens through it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};

use futures_util::future::BoxFuture;
use serde_json::{Value, json};

use super::{StoreError, StoredToken, TokenStore};
use crate::secret::Secret;

/// A store in a directory (created with mode 0700; files are 0600).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use std::time::{Duration, SystemTime};
/// use auth_core::store::{FileStore, StoredToken, TokenStore};
/// use auth_core::Secret;
///
/// let dir = std::env::temp_dir().join(format!("seller-auth-doc-{}", std::process::id()));
/// let store = FileStore::new(&dir);
/// let token = StoredToken {
///     token: Secret::from("t0k3n"),
///     scheme: Some("Bearer".into()),
///     refresh_token: None,
///     expires_at: SystemTime::now() + Duration::from_secs(60),
/// };
/// store.save("igv-1234", &token).await.unwrap();
/// let loaded = store.load("igv-1234").await.unwrap().unwrap();
/// assert_eq!(loaded.token.expose(), "t0k3n");
/// # std::fs::remove_dir_all(dir).unwrap(); }
/// ```
#[derive(Debug, Clone)]
pub struct FileStore {
    dir: PathBuf,
}

impl FileStore {
    /// A store in `dir`, created on first save.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        FileStore { dir: dir.into() }
    }

    /// The directory it writes to.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, key: &str) -> PathBuf {
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
        self.dir.join(format!("{safe}.json"))
    }

    fn read(&self, key: &str) -> Result<Option<StoredToken>, StoreError> {
        let bytes = match std::fs::read(self.path(key)) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(StoreError::Io(e.to_string())),
        };
        let parsed = decode(&bytes);
        if parsed.is_none() {
            tracing::warn!(
                key,
                "a damaged token store entry was ignored and will be replaced"
            );
        }
        Ok(parsed)
    }

    fn write(&self, key: &str, token: &StoredToken) -> Result<(), StoreError> {
        let io = |e: std::io::Error| StoreError::Io(e.to_string());
        create_private_dir(&self.dir).map_err(io)?;
        let path = self.path(key);
        let temporary = path.with_extension(format!("tmp{}", std::process::id()));
        let millis = token
            .expires_at
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        let body = json!({
            "token": token.token.expose(),
            "scheme": token.scheme,
            "refresh_token": token.refresh_token.as_ref().map(Secret::expose),
            "expires_at_ms": millis,
        })
        .to_string();
        let mut file = private_file(&temporary).map_err(io)?;
        file.write_all(body.as_bytes())
            .and_then(|()| file.sync_all())
            .map_err(io)?;
        // A rename within one directory is atomic: readers see the old file or the new one.
        std::fs::rename(&temporary, &path).map_err(io)
    }
}

fn decode(bytes: &[u8]) -> Option<StoredToken> {
    let value: Value = serde_json::from_slice(bytes).ok()?;
    let token = value.get("token")?.as_str().filter(|t| !t.is_empty())?;
    let millis = value.get("expires_at_ms")?.as_u64()?;
    Some(StoredToken {
        token: Secret::from(token),
        scheme: value
            .get("scheme")
            .and_then(Value::as_str)
            .map(str::to_owned),
        refresh_token: value
            .get("refresh_token")
            .and_then(Value::as_str)
            .map(Secret::from),
        expires_at: UNIX_EPOCH + Duration::from_millis(millis),
    })
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

#[cfg(unix)]
fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)
}

impl TokenStore for FileStore {
    fn load<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<StoredToken>, StoreError>> {
        Box::pin(async move { self.read(key) })
    }

    fn save<'a>(
        &'a self,
        key: &'a str,
        token: &'a StoredToken,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move { self.write(key, token) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> PathBuf {
        std::env::temp_dir().join(format!("seller-auth-test-{name}-{}", std::process::id()))
    }

    fn token() -> StoredToken {
        StoredToken {
            token: Secret::from("access-123"),
            scheme: None,
            refresh_token: Some(Secret::from("refresh-456")),
            expires_at: UNIX_EPOCH + Duration::from_millis(1_800_000_000_123),
        }
    }

    #[tokio::test]
    async fn round_trip_private_and_atomic() {
        let dir = dir("round-trip");
        let store = FileStore::new(&dir);
        assert!(store.load("k").await.unwrap().is_none());
        store.save("k", &token()).await.unwrap();
        let loaded = store.load("k").await.unwrap().unwrap();
        assert_eq!(loaded.token.expose(), "access-123");
        assert_eq!(loaded.refresh_token.unwrap().expose(), "refresh-456");
        assert_eq!(loaded.expires_at, token().expires_at);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(store.path("k"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
            let mode = std::fs::metadata(&dir).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700);
        }
        let leftovers: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().contains("tmp"))
            .collect();
        assert!(leftovers.is_empty(), "no temporary file is left behind");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[tokio::test]
    async fn a_damaged_entry_reads_as_none_and_is_replaced() {
        let dir = dir("damaged");
        let store = FileStore::new(&dir);
        create_private_dir(&dir).unwrap();
        for damage in [
            "",
            "{",
            "[]",
            r#"{"token":""}"#,
            r#"{"token":"x","expires_at_ms":"soon"}"#,
        ] {
            std::fs::write(store.path("k"), damage).unwrap();
            assert!(store.load("k").await.unwrap().is_none(), "{damage:?}");
        }
        store.save("k", &token()).await.unwrap();
        assert!(store.load("k").await.unwrap().is_some());
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn keys_cannot_escape_the_directory() {
        let store = FileStore::new("/tmp/store");
        assert_eq!(
            store.path("../../etc/passwd"),
            PathBuf::from("/tmp/store/______etc_passwd.json")
        );
    }
}
