//! Where tokens live beyond one process: a store keyed by vendor, login URL and account.
//!
//! A session with a store looks there before logging in, and saves every token it obtains, so a
//! restarted process reuses a valid token, or renews with the stored refresh token (an IOP code
//! works only once). Stores hold tokens, never credentials.

mod file;
mod memory;

use std::fmt;
use std::time::SystemTime;

use futures_util::future::BoxFuture;

pub use file::FileStore;
pub use memory::MemoryStore;

use crate::secret::Secret;

/// A token as stored: what is needed to use it and to renew it after a restart.
#[derive(Clone)]
pub struct StoredToken {
    /// The token as the vendor returned it.
    pub token: Secret,
    /// The scheme to put before it, if any.
    pub scheme: Option<String>,
    /// The newest refresh token, if the vendor gave one.
    pub refresh_token: Option<Secret>,
    /// When the vendor stops accepting the token (wall clock).
    pub expires_at: SystemTime,
}

impl fmt::Debug for StoredToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredToken")
            .field("token", &"[redacted]")
            .field("has_refresh_token", &self.refresh_token.is_some())
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// Why a store could not be read or written.
#[non_exhaustive]
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// The storage itself failed (a file system error).
    #[error("token store I/O failed: {0}")]
    Io(String),
}

/// Keeps tokens across processes. Implement it for other backends; errors are reported through
/// tracing and never fail a login (the session then behaves as if it had no store).
pub trait TokenStore: Send + Sync + 'static {
    /// The token stored under `key`, if any. A damaged entry reads as none.
    fn load<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<StoredToken>, StoreError>>;
    /// Stores `token` under `key`, replacing what was there.
    fn save<'a>(
        &'a self,
        key: &'a str,
        token: &'a StoredToken,
    ) -> BoxFuture<'a, Result<(), StoreError>>;
}
