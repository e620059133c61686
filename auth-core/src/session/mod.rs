//! A session: one endpoint, one set of credentials, one cached token kept valid.

mod builder;
mod carried;
mod policy;
mod refresh;
mod renewer;

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use arc_swap::ArcSwapOption;
use futures_util::future::{BoxFuture, FutureExt, Shared};
use reqwest::header::HeaderValue;
use tokio::time::Instant;
use tracing::Instrument;
use url::Url;

pub use builder::SessionBuilder;
pub use policy::{RenewPolicy, RetryPolicy};

use crate::endpoint::LoginEndpoint;
use crate::error::{Error, ErrorClass, ProtocolProblem, TransientKind, VendorSaid};
use crate::login::{self, AttemptLimits, Issued};
use crate::secret::Secret;
use crate::store::{StoredToken, TokenStore};
use crate::token::{Deadlines, Freshness, Placement, Token, TokenPlacement};
pub(crate) use carried::Carried;
use refresh::Refresher;
use tokio::sync::watch;

type LoginResult = Result<Arc<Token>, Error>;
type SharedLogin = Shared<BoxFuture<'static, LoginResult>>;

#[derive(Debug, Clone, Copy)]
struct Settings {
    limits: AttemptLimits,
    retry: RetryPolicy,
    renew: RenewPolicy,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            limits: AttemptLimits {
                timeout: Duration::from_secs(30),
                max_body_bytes: 1 << 20,
            },
            retry: RetryPolicy::default(),
            renew: RenewPolicy::default(),
        }
    }
}

/// Logs in when needed and hands out the cached token while it is valid.
///
/// Cloning is cheap and clones share the cache. Concurrent callers on a cold cache share one
/// login; a token is renewed in the background ahead of its expiry while the current one is
/// still handed out; a rejected login is never sent again by this session.
///
/// ```no_run
/// use auth_core::{login_endpoint, Secret, Session};
///
/// #[login_endpoint(path = "/seller/auth/login", body = json, token_field = "data.accessToken",
///                  lifetime = seconds("data.expiresIn"), scheme = "Bearer",
///                  base_url = "https://vendor.example/api")]
/// struct Login {
///     email: String,
///     password: Secret,
/// }
///
/// # async fn run() -> Result<(), auth_core::Error> {
/// let session = Session::new(Login { email: "me@shop.example".into(), password: "pw".into() })?;
/// let token = session.token().await?;
/// let (name, value) = token.header().expect("sent in a header");
/// # Ok(()) }
/// ```
pub struct Session<E> {
    inner: Arc<Inner<E>>,
}

impl<E> Clone for Session<E> {
    fn clone(&self) -> Self {
        Session {
            inner: Arc::clone(&self.inner),
        }
    }
}

/// What the builder resolved: fixed for the session's life.
struct Setup<E> {
    endpoint: E,
    carried: Carried,
    login_url: Url,
    /// The path as the vendor's signature covers it.
    login_path: String,
    placement: TokenPlacement,
    refresher: Option<Refresher>,
    client: reqwest::Client,
    settings: Settings,
    /// The store and this session's key in it.
    store: Option<(Arc<dyn TokenStore>, String)>,
}

struct Inner<E> {
    setup: Setup<E>,
    current: ArcSwapOption<Token>,
    flight: Mutex<FlightSlot>,
    /// Set when a token is asked for; the renewer clears it, and stops if it finds it clear.
    used: AtomicBool,
    renewer_running: AtomicBool,
    /// Dropped with the session, which wakes and ends the renewer.
    closed: watch::Sender<()>,
    counters: Counters,
}

#[derive(Default)]
struct FlightSlot {
    running: Option<SharedLogin>,
    /// Set once the vendor rejects the credentials: they are never sent again.
    rejected: Option<Error>,
    /// The newest refresh token, kept across renewals (vendors may rotate it, or return a new
    /// access token without one).
    refresh_token: Option<Secret>,
    /// Whether the store was read already: only a session's first token may come from it, as a
    /// later cold start follows an invalidation, and the stored token is the one invalidated.
    store_consulted: bool,
}

#[derive(Default)]
struct Counters {
    requests: AtomicU64,
    refreshes: AtomicU64,
    succeeded: AtomicU64,
    failed: AtomicU64,
}

/// Counts of what a session has done, for tests and metrics.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SessionStats {
    /// Login requests sent to the vendor (retries included).
    pub login_requests: u64,
    /// Refresh requests sent to the vendor (retries included).
    pub refresh_requests: u64,
    /// Logins that produced a token.
    pub logins_succeeded: u64,
    /// Logins that ended in an error after their retries.
    pub logins_failed: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reason {
    Cold,
    Expired,
    RenewAhead,
}

impl Reason {
    fn as_str(self) -> &'static str {
        match self {
            Reason::Cold => "cold",
            Reason::Expired => "expired",
            Reason::RenewAhead => "renew-ahead",
        }
    }
}

enum Start {
    Cached(Arc<Token>),
    Flight(SharedLogin),
}

impl<E: LoginEndpoint> Session<E> {
    /// A session on the endpoint's declared base URL with default settings.
    pub fn new(endpoint: E) -> Result<Self, Error> {
        Self::builder(endpoint).build()
    }

    /// A builder, to set the base URL, the HTTP client, timeouts and policies.
    pub fn builder(endpoint: E) -> SessionBuilder<E> {
        SessionBuilder::new(endpoint)
    }

    fn from_setup(setup: Setup<E>) -> Self {
        Session {
            inner: Arc::new(Inner {
                setup,
                current: ArcSwapOption::empty(),
                flight: Mutex::new(FlightSlot::default()),
                used: AtomicBool::new(false),
                renewer_running: AtomicBool::new(false),
                closed: watch::channel(()).0,
                counters: Counters::default(),
            }),
        }
    }

    /// A valid token: the cached one while it may be sent, otherwise a fresh login.
    ///
    /// With a valid token cached this takes no lock and allocates nothing. Callers that arrive
    /// while a login is under way wait for that login instead of starting another; a caller that
    /// gives up waiting does not cancel it for the others.
    pub async fn token(&self) -> Result<Arc<Token>, Error> {
        let inner = &self.inner;
        // Read first: after the first call this is a load, not a write to a shared line.
        if !inner.used.load(Ordering::Relaxed) {
            inner.used.store(true, Ordering::Relaxed);
        }
        if let Some(token) = inner.cached() {
            return Ok(token);
        }
        let token = match inner.start(Reason::Expired)? {
            Start::Cached(token) => token,
            Start::Flight(flight) => flight.await?,
        };
        renewer::ensure_running(inner);
        Ok(token)
    }

    /// Records that a request with `token` succeeded. For a sliding lifetime (IceKredit) this
    /// keeps the token usable for another full lifetime; for others it changes nothing.
    /// The authorised client calls it for you.
    pub fn record_success(&self, token: &Token) {
        token.deadlines().touch(Instant::now(), SystemTime::now());
    }

    /// The token in the cache, if it may still be sent; never logs in.
    pub fn cached_token(&self) -> Option<Arc<Token>> {
        let guard = self.inner.current.load();
        let token = guard.as_ref()?;
        (token.freshness(Instant::now(), SystemTime::now()) != Freshness::Expired)
            .then(|| Arc::clone(token))
    }

    /// Drops `token` from the cache if it is still the cached one (a later request found it
    /// rejected), so the next [`Session::token`] logs in again. Returns whether it was dropped;
    /// when many requests report the same token, only the first drops it.
    pub fn invalidate(&self, token: &Arc<Token>) -> bool {
        let previous = self
            .inner
            .current
            .compare_and_swap(&Some(Arc::clone(token)), None);
        previous.as_ref().is_some_and(|p| Arc::ptr_eq(p, token))
    }

    /// What this session has done so far.
    pub fn stats(&self) -> SessionStats {
        let c = &self.inner.counters;
        SessionStats {
            login_requests: c.requests.load(Ordering::Relaxed),
            refresh_requests: c.refreshes.load(Ordering::Relaxed),
            logins_succeeded: c.succeeded.load(Ordering::Relaxed),
            logins_failed: c.failed.load(Ordering::Relaxed),
        }
    }

    /// The credentials this session logs in with.
    pub fn endpoint(&self) -> &E {
        &self.inner.setup.endpoint
    }

    /// The URL logins are sent to.
    pub fn login_url(&self) -> &Url {
        &self.inner.setup.login_url
    }

    /// The HTTP client the session sends with.
    pub fn http_client(&self) -> &reqwest::Client {
        &self.inner.setup.client
    }

    pub(crate) fn carried(&self) -> &Carried {
        &self.inner.setup.carried
    }
}

impl<E> fmt::Debug for Session<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("login_url", &self.inner.setup.login_url.as_str())
            .field("has_token", &self.inner.current.load().is_some())
            .finish_non_exhaustive()
    }
}

fn lock(slot: &Mutex<FlightSlot>) -> MutexGuard<'_, FlightSlot> {
    // Nothing panics while the slot is held, and its state stays consistent if something did.
    slot.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl<E: LoginEndpoint> Inner<E> {
    /// The hit path: one atomic load, two clock reads, one reference-count increment.
    fn cached(self: &Arc<Self>) -> Option<Arc<Token>> {
        let guard = self.current.load();
        let token = guard.as_ref()?;
        match token.freshness(Instant::now(), SystemTime::now()) {
            Freshness::Fresh => Some(Arc::clone(token)),
            Freshness::RenewDue => {
                // The renewer renews it; the current token is still good to send meanwhile.
                renewer::ensure_running(self);
                Some(Arc::clone(token))
            }
            Freshness::Expired => None,
        }
    }

    /// Joins the login under way, or starts one, unless the cache already holds what is needed.
    fn start(self: &Arc<Self>, mut reason: Reason) -> Result<Start, Error> {
        let mut slot = lock(&self.flight);
        if let Some(rejected) = &slot.rejected {
            return Err(rejected.clone());
        }
        if let Some(running) = &slot.running {
            return Ok(Start::Flight(running.clone()));
        }
        // A login may have finished between the caller's look at the cache and this lock.
        if let Some(token) = self.current.load_full() {
            match (token.freshness(Instant::now(), SystemTime::now()), reason) {
                (Freshness::Fresh, _) => return Ok(Start::Cached(token)),
                (Freshness::RenewDue, Reason::Expired | Reason::Cold) => {
                    return Ok(Start::Cached(token));
                }
                _ => {}
            }
        } else if reason == Reason::Expired {
            reason = Reason::Cold;
        }
        let inner = Arc::clone(self);
        let task = tokio::spawn(async move { inner.run(reason).await });
        let flight = async move {
            task.await.unwrap_or_else(|_| {
                Err(Error::Transient {
                    vendor: E::SPEC.vendor,
                    kind: TransientKind::Interrupted,
                    said: VendorSaid::default(),
                    source: None,
                })
            })
        }
        .boxed()
        .shared();
        slot.running = Some(flight.clone());
        Ok(Start::Flight(flight))
    }

    /// One login with its retries, then publication of the result.
    async fn run(self: Arc<Self>, reason: Reason) -> LoginResult {
        let span = tracing::info_span!(
            "login",
            vendor = E::SPEC.vendor,
            reason = reason.as_str(),
            attempts = tracing::field::Empty,
            outcome = tracing::field::Empty,
        );
        let restored = if reason == Reason::Cold {
            self.restore().await
        } else {
            None
        };
        let from_store = restored.is_some();
        let result = match restored {
            Some(token) => {
                span.record("outcome", "restored");
                Ok(token)
            }
            None => self.login_with_retries().instrument(span.clone()).await,
        };
        match &result {
            Ok(token) => {
                self.current.store(Some(Arc::clone(token)));
                if !from_store {
                    self.counters.succeeded.fetch_add(1, Ordering::Relaxed);
                    span.record("outcome", "ok");
                    self.persist(token).await;
                }
            }
            Err(err) => {
                self.counters.failed.fetch_add(1, Ordering::Relaxed);
                span.record("outcome", tracing::field::debug(err.class()));
                span.in_scope(|| tracing::warn!(error = %err, "login failed"));
            }
        }
        {
            let mut slot = lock(&self.flight);
            slot.running = None;
            if let Err(err @ Error::Rejected { .. }) = &result {
                slot.rejected = Some(err.clone());
            }
        }
        result
    }

    async fn login_with_retries(&self) -> LoginResult {
        let retry = self.setup.settings.retry;
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            tracing::Span::current().record("attempts", attempt);
            let sent_at = (Instant::now(), SystemTime::now());
            let stored = self
                .setup
                .refresher
                .as_ref()
                .and_then(|_| lock(&self.flight).refresh_token.clone());
            let refreshing = stored.is_some();
            let issued = match (&self.setup.refresher, stored) {
                (Some(refresher), Some(refresh_token)) => {
                    self.counters.refreshes.fetch_add(1, Ordering::Relaxed);
                    refresher
                        .attempt(
                            refresh_token,
                            &self.setup.client,
                            self.setup.settings.limits,
                            sent_at.1,
                        )
                        .await
                }
                _ => {
                    self.counters.requests.fetch_add(1, Ordering::Relaxed);
                    let (endpoint, url, path) = (
                        &self.setup.endpoint,
                        &self.setup.login_url,
                        self.setup.login_path.as_str(),
                    );
                    login::attempt(
                        endpoint,
                        url,
                        path,
                        &self.setup.client,
                        self.setup.settings.limits,
                        sent_at.1,
                    )
                    .await
                }
            };
            match issued.and_then(|issued| self.prepare_token(issued, sent_at)) {
                Ok(token) => {
                    if let Some(rotated) = token.refresh_token() {
                        lock(&self.flight).refresh_token = Some(rotated.clone());
                    }
                    return Ok(Arc::new(token));
                }
                Err(err) if refreshing && err.class() == ErrorClass::Rejected => {
                    // The refresh token is spent or revoked: forget it and log in instead.
                    tracing::warn!(error = %err, "refresh token rejected, logging in again");
                    lock(&self.flight).refresh_token = None;
                }
                Err(err) => match retry.delay_after(attempt, &err) {
                    Some(delay) => {
                        tracing::info!(error = %err, delay_ms = delay.as_millis() as u64, "attempt failed, retrying");
                        tokio::time::sleep(delay).await;
                    }
                    None => return Err(err),
                },
            }
        }
    }

    /// A token from the store that is still good to send; its refresh token is kept for renewal
    /// either way (a restarted IOP process cannot exchange its code again).
    async fn restore(&self) -> Option<Arc<Token>> {
        let (store, key) = self.setup.store.as_ref()?;
        if std::mem::replace(&mut lock(&self.flight).store_consulted, true) {
            return None;
        }
        let stored = match store.load(key).await {
            Ok(stored) => stored?,
            Err(err) => {
                tracing::warn!(error = %err, "the token store could not be read; logging in");
                return None;
            }
        };
        if let Some(refresh_token) = &stored.refresh_token {
            let mut slot = lock(&self.flight);
            if slot.refresh_token.is_none() {
                slot.refresh_token = Some(refresh_token.clone());
            }
        }
        let now = (Instant::now(), SystemTime::now());
        let remaining = stored.expires_at.duration_since(now.1).ok()?;
        let issued = Issued {
            token: stored.token,
            scheme: stored.scheme,
            lifetime: remaining,
            refresh_token: stored.refresh_token,
        };
        let token = self.prepare_token(issued, now).ok()?;
        (token.freshness(now.0, now.1) == Freshness::Fresh).then(|| Arc::new(token))
    }

    /// Saves a token just obtained, with the newest refresh token; a failure is only reported.
    async fn persist(&self, token: &Token) {
        let Some((store, key)) = self.setup.store.as_ref() else {
            return;
        };
        let refresh_token = token
            .refresh_token()
            .cloned()
            .or_else(|| lock(&self.flight).refresh_token.clone());
        let stored = StoredToken {
            token: token.secret().clone(),
            scheme: token.scheme().map(str::to_owned),
            refresh_token,
            expires_at: token.expires_at(),
        };
        if let Err(err) = store.save(key, &stored).await {
            tracing::warn!(error = %err, "the token could not be stored; it is used from memory");
        }
    }

    /// The token in its wire form, with its deadlines counted from when the request was sent.
    fn prepare_token(
        &self,
        issued: Issued,
        sent_at: (Instant, SystemTime),
    ) -> Result<Token, Error> {
        let spec = E::SPEC;
        let (renew_after, use_for) = self.setup.settings.renew.schedule(issued.lifetime);
        // A sliding token is kept alive by use, not renewed ahead: it lapses only when idle.
        let renew_after = if spec.sliding { use_for } else { renew_after };
        let times = Deadlines::new(sent_at, renew_after, use_for, issued.lifetime, spec.sliding);
        let placement = match &self.setup.placement {
            TokenPlacement::Query(name) => Placement::Query(Arc::clone(name)),
            TokenPlacement::Header(name) => {
                let raw = issued.token.expose();
                let text = match issued.scheme.as_deref() {
                    Some(scheme) if !has_scheme(raw, scheme) => format!("{scheme} {raw}"),
                    _ => raw.to_owned(),
                };
                let mut value = HeaderValue::from_str(&text).map_err(|_| Error::Protocol {
                    vendor: spec.vendor,
                    status: 200,
                    problem: ProtocolProblem::UnusableToken,
                })?;
                value.set_sensitive(true);
                secrecy::zeroize::Zeroize::zeroize(&mut { text });
                Placement::Header(name.clone(), value)
            }
        };
        Ok(Token::new(
            issued.token,
            issued.scheme,
            placement,
            issued.refresh_token,
            issued.lifetime,
            times,
        ))
    }
}

/// Whether `token` already starts with `scheme` and a space (Wahool returns `Bearer ...`).
fn has_scheme(token: &str, scheme: &str) -> bool {
    let head = token.get(..scheme.len());
    let rest = token.get(scheme.len()..).unwrap_or("");
    head.is_some_and(|h| h.eq_ignore_ascii_case(scheme)) && rest.len() > 1 && rest.starts_with(' ')
}

#[cfg(test)]
mod tests {
    use super::has_scheme;

    #[test]
    fn scheme_is_not_doubled() {
        assert!(has_scheme("Bearer abc", "Bearer"));
        assert!(has_scheme("bearer abc", "Bearer"));
        assert!(!has_scheme("Bearerabc", "Bearer"));
        assert!(!has_scheme("abc", "Bearer"));
        assert!(!has_scheme("Bearer", "Bearer"));
        assert!(!has_scheme("é", "Bearer"));
    }
}
