//! A session of any vendor behind one type: for code that needs tokens and not the endpoint's
//! type (one list of clients for several vendors, a command line that picks its vendor at run
//! time).

use std::any::Any;
use std::fmt;
use std::sync::Arc;

use futures_util::future::BoxFuture;
use url::Url;

use super::carried::Carried;
use super::{Session, SessionStats};
use crate::endpoint::LoginEndpoint;
use crate::error::Error;
use crate::redact::Redactor;
use crate::spec::LoginSpec;
use crate::token::Token;

/// What is asked of a session whose endpoint type is not known. The hit path (`hit`) is a plain
/// call; only a miss goes through a boxed future.
pub(crate) trait SessionCore: Send + Sync + 'static {
    fn hit(&self) -> Option<Arc<Token>>;
    fn miss(&self) -> BoxFuture<'_, Result<Arc<Token>, Error>>;
    fn renew(&self) -> BoxFuture<'_, Result<Arc<Token>, Error>>;
    fn cached_token(&self) -> Option<Arc<Token>>;
    fn invalidate(&self, token: &Arc<Token>) -> bool;
    fn record_success(&self, token: &Token);
    fn stats(&self) -> SessionStats;
    fn forget(&self) -> BoxFuture<'_, Result<bool, Error>>;
    fn spec(&self) -> &'static LoginSpec;
    fn login_url(&self) -> &Url;
    fn http_client(&self) -> &reqwest::Client;
    fn carried(&self) -> &Carried;
    fn allows_insecure_http(&self) -> bool;
    /// The secrets to keep out of what a vendor says: the credentials, and the tokens of
    /// `token`'s request when there was one.
    fn redactor(&self, token: Option<&Token>) -> Redactor;
    fn as_any(&self) -> &dyn Any;
    fn debug(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result;
    /// Whether a rotated refresh token waits in this session for the store to take it.
    fn has_pending_rotation(&self) -> bool;
}

impl<E: LoginEndpoint> SessionCore for Session<E> {
    fn has_pending_rotation(&self) -> bool {
        Session::has_pending_rotation(self)
    }

    fn hit(&self) -> Option<Arc<Token>> {
        self.hit()
    }

    fn miss(&self) -> BoxFuture<'_, Result<Arc<Token>, Error>> {
        Box::pin(Session::miss(self))
    }

    fn renew(&self) -> BoxFuture<'_, Result<Arc<Token>, Error>> {
        Box::pin(Session::renew(self))
    }

    fn cached_token(&self) -> Option<Arc<Token>> {
        Session::cached_token(self)
    }

    fn invalidate(&self, token: &Arc<Token>) -> bool {
        Session::invalidate(self, token)
    }

    fn record_success(&self, token: &Token) {
        Session::record_success(self, token);
    }

    fn forget(&self) -> BoxFuture<'_, Result<bool, Error>> {
        Box::pin(Session::forget(self))
    }

    fn stats(&self) -> SessionStats {
        Session::stats(self)
    }

    fn spec(&self) -> &'static LoginSpec {
        E::SPEC
    }

    fn login_url(&self) -> &Url {
        Session::login_url(self)
    }

    fn http_client(&self) -> &reqwest::Client {
        Session::http_client(self)
    }

    fn carried(&self) -> &Carried {
        Session::carried(self)
    }

    fn allows_insecure_http(&self) -> bool {
        Session::allows_insecure_http(self)
    }

    fn redactor(&self, token: Option<&Token>) -> Redactor {
        match token {
            Some(token) => Session::redactor(self, token),
            None => self.credentials_redactor(),
        }
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn debug(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// A [`Session`] of any endpoint: cheap to clone, `Send + Sync + 'static`, with the same
/// cache, single flight and renewal. Made with `From` (or `.into()`); the typed session comes
/// back with [`AnySession::downcast_ref`].
///
/// ```
/// use auth_core::{login_endpoint, AnySession, Secret, Session};
///
/// #[login_endpoint(path = "/login", body = json, token_field = "token",
///                  lifetime = fixed("1h"), base_url = "https://one.example")]
/// struct One { user: String, password: Secret }
///
/// #[login_endpoint(path = "/auth", body = form, token_field = "data.token",
///                  lifetime = seconds("data.ttl"), base_url = "https://two.example")]
/// struct Two { key: String, secret: Secret }
///
/// let sessions: Vec<AnySession> = vec![
///     Session::new(One { user: "me".into(), password: "pw".into() })?.into(),
///     Session::new(Two { key: "k".into(), secret: "s".into() })?.into(),
/// ];
/// assert_eq!(sessions[1].login_url().as_str(), "https://two.example/auth");
/// assert!(sessions[0].downcast_ref::<One>().is_some());
/// # Ok::<(), auth_core::Error>(())
/// ```
#[derive(Clone)]
pub struct AnySession(Arc<dyn SessionCore>);

impl<E: LoginEndpoint> From<Session<E>> for AnySession {
    fn from(session: Session<E>) -> Self {
        AnySession(Arc::new(session))
    }
}

impl fmt::Debug for AnySession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.debug(f)
    }
}

impl AnySession {
    /// A valid token, as [`Session::token`]: no lock and no allocation while one is cached.
    pub fn token(&self) -> impl Future<Output = Result<Arc<Token>, Error>> + Send + '_ {
        let hit = self.0.hit();
        async move {
            match hit {
                Some(token) => Ok(token),
                None => self.0.miss().await,
            }
        }
    }

    /// A token newer than the one cached, as [`Session::renew`].
    pub async fn renew(&self) -> Result<Arc<Token>, Error> {
        self.0.renew().await
    }

    /// The token in the cache, if it may still be sent; never logs in.
    pub fn cached_token(&self) -> Option<Arc<Token>> {
        self.0.cached_token()
    }

    /// Drops `token` from the cache if it is still the cached one, as [`Session::invalidate`].
    pub fn invalidate(&self, token: &Arc<Token>) -> bool {
        self.0.invalidate(token)
    }

    /// Records that a request with `token` succeeded (extends a sliding lifetime).
    pub fn record_success(&self, token: &Token) {
        self.0.record_success(token);
    }

    /// What this session has done so far.
    pub fn stats(&self) -> SessionStats {
        self.0.stats()
    }

    /// Removes the session's entry from its token store, as [`Session::forget`].
    pub async fn forget(&self) -> Result<bool, Error> {
        self.0.forget().await
    }

    /// Whether a rotated refresh token waits in this session for the store to take it (the
    /// session must be kept until it is written).
    pub(crate) fn has_pending_rotation(&self) -> bool {
        self.0.has_pending_rotation()
    }

    /// The vendor's name, as its endpoint declares it.
    pub fn vendor(&self) -> &'static str {
        self.0.spec().vendor()
    }

    /// The endpoint's description.
    pub fn spec(&self) -> &'static LoginSpec {
        self.0.spec()
    }

    /// The URL logins are sent to.
    pub fn login_url(&self) -> &Url {
        self.0.login_url()
    }

    /// The HTTP client the session sends with.
    pub fn http_client(&self) -> &reqwest::Client {
        self.0.http_client()
    }

    /// The typed session, if its endpoint is `E`.
    pub fn downcast_ref<E: LoginEndpoint>(&self) -> Option<&Session<E>> {
        self.0.as_any().downcast_ref::<Session<E>>()
    }

    pub(crate) fn carried(&self) -> &Carried {
        self.0.carried()
    }

    pub(crate) fn allows_insecure_http(&self) -> bool {
        self.0.allows_insecure_http()
    }

    pub(crate) fn redactor(&self, token: Option<&Token>) -> Redactor {
        self.0.redactor(token)
    }
}
