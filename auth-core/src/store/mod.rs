//! Where tokens live beyond one process: a store keyed by vendor, login URL and account.
//!
//! A session with a store reads it before logging in and writes every token it obtains, so that
//! sessions in other processes (or on other machines, with Redis) share one token and one login:
//!
//! - **read**: a token another process stored is adopted instead of logging in;
//! - **lease**: before logging in, a session takes the account's lease ("I am logging in");
//!   sessions that find it taken wait for the holder's token instead of logging in too, and take
//!   over when the holder dies (the lease expires, or its file lock is released);
//! - **compare-and-swap**: a token is written only over the version it was read as, so a rotated
//!   IOP refresh token is never overwritten by an older one.
//!
//! - **failures**: a login the vendor rejected, and the spacing of logins after transient
//!   failures, are recorded beside the token ([`FailureRecord`]), so that a fleet sends a
//!   rejected password once and no more logins to a vendor that is down than one process would.
//!
//! Stores hold tokens, never credentials; with an [`EncryptionKey`] they hold them encrypted.

mod failure;
mod file;
mod lease;
mod memory;
#[cfg(feature = "redis")]
mod redis;
mod safe_fs;
mod sealed;
mod wire;

use std::fmt;
use std::time::{Duration, SystemTime};

use futures_util::future::BoxFuture;

pub use failure::{
    CredentialFingerprint, FailureRecord, RecordedRejection, RecordedSpacing, TransientFailure,
};
pub use file::FileStore;
pub use lease::Lease;
pub use memory::MemoryStore;
#[cfg(feature = "redis")]
pub use redis::{RedisStore, RedisStoreBuilder};
pub use sealed::EncryptionKey;

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
    /// When that refresh token stops being accepted (wall clock), if known: `None` when the
    /// vendor states none, or in entries written before it was kept.
    pub refresh_expires_at: Option<SystemTime>,
    /// When the vendor stops accepting the token (wall clock).
    pub expires_at: SystemTime,
    /// The account the token acts for, as the vendor's answer named it or as the session was
    /// built for ([`SessionBuilder::account`](crate::SessionBuilder::account)), if either did.
    pub account: Option<String>,
    /// Whose entry this is and when it was written, for listings; `None` in entries written
    /// before it was kept.
    pub about: Option<EntryInfo>,
}

/// Whose entry a stored token is, and when it was written: what `authctl status` shows. It
/// holds no secret: the vendor, and the credential fields that are not secret (an e-mail, an
/// app key) or the account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryInfo {
    /// The endpoint's vendor name.
    pub vendor: String,
    /// The non-secret credential fields as `name=value`, space-separated, and the account when
    /// the entry is an account's (`email=me@shop.example`, `app_key=100001 account=1001`).
    pub label: String,
    /// When the entry was written.
    pub stored_at: SystemTime,
}

impl fmt::Debug for StoredToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredToken")
            .field("token", &"[redacted]")
            .field("has_refresh_token", &self.refresh_token.is_some())
            .field("expires_at", &self.expires_at)
            .field("refresh_expires_at", &self.refresh_expires_at)
            .field("account", &self.account)
            .field("about", &self.about)
            .finish()
    }
}

/// A stored token with the version it was stored as; the next write names that version.
#[derive(Debug, Clone)]
pub struct Versioned {
    /// The token.
    pub token: StoredToken,
    /// Grows by one with every write of the key.
    pub version: u64,
}

/// What a [`TokenStore::compare_and_swap`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Swap {
    /// The token was written as this version.
    Written {
        /// The new version.
        version: u64,
    },
    /// Nothing was written: the key holds another version than expected, or a write under a
    /// newer lease (a higher fence) came first.
    Conflict,
}

/// Why a store could not be read or written.
#[non_exhaustive]
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// The storage itself failed (a file system error).
    #[error("token store I/O failed: {0}")]
    Io(#[source] std::sync::Arc<std::io::Error>),
    /// An entry could not be sealed (no randomness for a nonce, or the cipher refused).
    #[error("a token store entry could not be encrypted: {0}")]
    Sealing(&'static str),
    /// The store's server could not be reached or answered an error.
    #[error("token store unavailable: {0}")]
    Unavailable(String),
    /// The store did not answer within its timeout.
    #[error("token store did not answer within {} ms", .0.as_millis())]
    Timeout(Duration),
    /// An entry could not be decrypted with the key given (another key, or tampered with).
    /// The built-in stores do not return it: a damaged entry reads as absent, with a warning,
    /// and the next write replaces it; one sealed with another key is
    /// [`StoreError::SealedWithAnotherKey`].
    #[error("a token store entry could not be decrypted with the key given")]
    Undecryptable,
    /// An entry names the key it was sealed with, and that is not this store's (or this store
    /// has none): the fleet's processes were given different keys. The entry is left as it is,
    /// for the processes that can read it, rather than replaced as damage would be.
    #[error(
        "a token store entry is sealed with another encryption key than this store's (or this store has none); it is left as it is: give every process of the fleet the same key"
    )]
    SealedWithAnotherKey,
    /// An entry was written by a newer version of this library, in a format this one does not
    /// read: it is left as it is for the processes that can read it.
    #[error(
        "a token store entry is in a newer format than this version reads; it is left as it is: upgrade every process of the fleet"
    )]
    NewerFormat,
    /// Another process held the entry's lease for longer than one lease period, or replaced the
    /// entry while this one held it: the write was not made.
    #[error("the token store entry is held by another process; nothing was written")]
    Busy,
    /// The store cannot do this (list its entries, say).
    #[error("this token store cannot {0}")]
    Unsupported(&'static str),
    /// A [`FileStore`]'s directory could be written by another user (its group or others may
    /// write to it, or another user than this one or root owns it): whoever can write there
    /// could plant entries or links, so the store refuses it, as ssh refuses such a key file.
    #[error("the token store directory {} is refused: {problem} (fix: {fix})", path.display())]
    UnsafeDirectory {
        /// The directory.
        path: std::path::PathBuf,
        /// What is wrong with it.
        problem: &'static str,
        /// The command that fixes it.
        fix: String,
    },
}

/// Keeps tokens across processes. Implement it for other backends.
///
/// The session calls it in this order when it needs a token: [`load`](TokenStore::load); if
/// nothing usable is stored, [`try_lease`](TokenStore::try_lease); with the lease, `load` again,
/// then [`load_failures`](TokenStore::load_failures) (a recorded rejection of the same
/// credentials, or the fleet's spacing, ends the call here), a login,
/// [`compare_and_swap`](TokenStore::compare_and_swap) with the version read and the lease's
/// fence, [`write_failures`](TokenStore::write_failures) when the record changes, then
/// [`release`](TokenStore::release). Without the lease it waits and
/// starts over. What a session does when a call fails is set with
/// [`SessionBuilder::on_store_failure`](crate::SessionBuilder::on_store_failure).
pub trait TokenStore: Send + Sync + 'static {
    /// The token stored under `key` with its version, if any. A damaged entry reads as none.
    fn load<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<Versioned>, StoreError>>;

    /// Writes `token` under `key` if the key is at version `expected` (`None`: absent) and no
    /// write with a fence above `fence` came first.
    fn compare_and_swap<'a>(
        &'a self,
        key: &'a str,
        expected: Option<u64>,
        token: &'a StoredToken,
        fence: u64,
    ) -> BoxFuture<'a, Result<Swap, StoreError>>;

    /// Takes the lease on `key` for at most `ttl` if no one holds it; `None` if someone does.
    /// Every lease granted has a higher fence than the ones before it.
    fn try_lease<'a>(
        &'a self,
        key: &'a str,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<Option<Lease>, StoreError>>;

    /// Keeps `lease` for `ttl` more while its holder's login is under way (a slow vendor may
    /// take longer than one lease); `false` if it is no longer this holder's (it expired and was
    /// taken, or was released). A lease that cannot expire while held (an OS file lock) is
    /// simply still held: `true`.
    fn extend_lease<'a>(
        &'a self,
        key: &'a str,
        lease: &'a Lease,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<bool, StoreError>>;

    /// Gives the lease back, if it is still this holder's (it may have expired and been taken).
    fn release<'a>(&'a self, key: &'a str, lease: Lease) -> BoxFuture<'a, Result<(), StoreError>>;

    /// The failures recorded under `key` ([`write_failures`](TokenStore::write_failures)), if
    /// any. A damaged record reads as none.
    ///
    /// The default remembers nothing: a store that does not override both methods lets every
    /// process of a fleet find out about a rejected password or an outage on its own.
    fn load_failures<'a>(
        &'a self,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Option<FailureRecord>, StoreError>> {
        let _ = key;
        Box::pin(async { Ok(None) })
    }

    /// Every entry the store holds, with its key, for listings (`authctl status`). The default
    /// answers [`StoreError::Unsupported`].
    fn list(&self) -> BoxFuture<'_, Result<Vec<(String, StoredToken)>, StoreError>> {
        Box::pin(async { Err(StoreError::Unsupported("list its entries")) })
    }

    /// Removes the entry under `key` and its failure record (after a password change, or to
    /// force a fresh login); `true` if there was an entry. The default answers
    /// [`StoreError::Unsupported`].
    fn remove<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<bool, StoreError>> {
        let _ = key;
        Box::pin(async { Err(StoreError::Unsupported("remove an entry")) })
    }

    /// Replaces the failures recorded under `key`; `None` removes them. The session calls it
    /// while it holds the key's lease. A store may drop the record after
    /// [`FailureRecord::expires_at`].
    fn write_failures<'a>(
        &'a self,
        key: &'a str,
        record: Option<&'a FailureRecord>,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        let _ = (key, record);
        Box::pin(async { Ok(()) })
    }
}
