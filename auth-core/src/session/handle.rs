//! A per-thread view of a session's token, for hot loops: reading it writes to no shared
//! memory (no reference count, no lock), so threads do not slow each other down.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use arc_swap::{ArcSwapOption, Cache};

use super::Session;
use crate::endpoint::LoginEndpoint;
use crate::error::{Error, TransientKind, VendorSaid};
use crate::token::Token;

/// What [`Session::handle`] returns: the session's token for one thread or task.
///
/// [`token`](TokenHandle::token) borrows the token from a cache local to the handle; while the
/// cached token is fresh (the session's renewer watches it, see [`Session::token`]) a call is a
/// few atomic loads. Otherwise it does what [`Session::token`] does. Clone a handle per thread.
///
/// ```no_run
/// # async fn run<E: auth_core::LoginEndpoint>(session: auth_core::Session<E>) -> Result<(), auth_core::Error> {
/// let mut handle = session.handle();
/// for _ in 0..1_000 {
///     let token = handle.token().await?;
///     let (_name, _value) = token.header().expect("a header token");
///     // ... sign or send a request with it
/// }
/// # Ok(()) }
/// ```
pub struct TokenHandle<E> {
    session: Session<E>,
    cache: Cache<Arc<ArcSwapOption<Token>>, Option<Arc<Token>>>,
    /// The token of the last slow call, when the session's current token changed meanwhile.
    obtained: Option<Arc<Token>>,
}

impl<E> std::fmt::Debug for TokenHandle<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenHandle")
            .field("session", &self.session)
            .finish_non_exhaustive()
    }
}

impl<E> Clone for TokenHandle<E> {
    fn clone(&self) -> Self {
        TokenHandle {
            session: self.session.clone(),
            cache: self.cache.clone(),
            obtained: None,
        }
    }
}

impl<E: LoginEndpoint> TokenHandle<E> {
    pub(super) fn new(session: Session<E>, current: Arc<ArcSwapOption<Token>>) -> Self {
        TokenHandle {
            session,
            cache: Cache::new(current),
            obtained: None,
        }
    }

    /// A valid token, borrowed from this handle.
    pub async fn token(&mut self) -> Result<&Token, Error> {
        let inner = &self.session.inner;
        if !inner.used.load(Ordering::Relaxed) {
            inner.used.store(true, Ordering::Relaxed);
        }
        let hit = inner.watching.load(Ordering::Relaxed)
            && self
                .cache
                .load()
                .as_ref()
                .is_some_and(|t| t.verified_fresh());
        if !hit {
            // What `Session::token` does; the token is then borrowed from the cache if it is
            // still the session's current one, else kept here.
            let token = self.session.token().await?;
            let current = self.cache.load();
            if !current.as_ref().is_some_and(|c| Arc::ptr_eq(c, &token)) {
                // Replaced or dropped since: hand out the one just obtained.
                return Ok(self.obtained.insert(token));
            }
        }
        self.obtained = None;
        self.cache.load().as_deref().ok_or_else(interrupted::<E>)
    }

    /// The session this handle reads.
    pub fn session(&self) -> &Session<E> {
        &self.session
    }
}

/// Not reached: the cache was just seen holding a token. An error rather than a panic.
fn interrupted<E: LoginEndpoint>() -> Error {
    Error::Transient {
        vendor: E::SPEC.vendor,
        kind: TransientKind::Interrupted,
        said: VendorSaid::default(),
        source: None,
    }
}
