//! A session: one endpoint, one set of credentials, one cached token kept valid.

mod any;
mod builder;
mod carried;
mod fetch;
mod fleet;
mod handle;
mod policy;
mod refresh;
mod renewer;
mod scheduler;
mod shared_client;
mod spacing;

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use arc_swap::ArcSwapOption;
use futures_util::future::{BoxFuture, FutureExt, Shared};
use tokio::time::Instant;
use tracing::Instrument;
use url::Url;

pub use any::AnySession;
pub use builder::SessionBuilder;
pub use fleet::StoreFailure;
pub use handle::TokenHandle;
pub use policy::{RenewPolicy, RetryPolicy};
pub(crate) use scheduler::Scheduler;
pub(crate) use shared_client::shared_client;

/// The store key of `account`'s sessions of `endpoint` at `login_url`: what a session built
/// with [`SessionBuilder::account`] uses, computed without building one.
pub(crate) fn account_key<E: LoginEndpoint>(
    endpoint: &E,
    login_url: &Url,
    account: &str,
) -> Option<String> {
    fleet::identity_of(endpoint, login_url, account)
}

use crate::endpoint::LoginEndpoint;
use crate::error::Error;
use crate::login::AttemptLimits;
use crate::redact::Redactor;
use crate::token::{Freshness, Token};
pub(crate) use carried::Carried;
use fetch::{Fetch, LoginResult};
use fleet::{Fleet, FleetSettings, Origin};
use spacing::LoginSpacing;
use tokio::sync::watch;

type SharedLogin = Shared<BoxFuture<'static, LoginResult>>;

#[derive(Debug, Clone, Copy)]
struct Settings {
    limits: AttemptLimits,
    retry: RetryPolicy,
    renew: RenewPolicy,
    fleet: FleetSettings,
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
            fleet: FleetSettings::default(),
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
    /// How a token is obtained from the vendor.
    fetch: Fetch<E>,
    /// What authorised requests carry besides the token.
    carried: Carried,
    /// The store shared with other sessions, and this session's key in it.
    fleet: Option<Fleet>,
    /// How failed logins are spaced.
    retry: RetryPolicy,
    /// Whether plain `http://` may go to hosts other than loopback (the authorised client asks).
    allow_insecure_http: bool,
    /// The renewal task shared with other sessions (a seller directory's), instead of one of
    /// this session's own.
    scheduler: Option<Arc<scheduler::Scheduler>>,
}

struct Inner<E> {
    setup: Setup<E>,
    /// The token handed out; in its own `Arc` so that a [`TokenHandle`] can cache a view of it.
    current: Arc<ArcSwapOption<Token>>,
    flight: Mutex<FlightSlot>,
    /// Set when a token is asked for; the renewer clears it, and stops if it finds it clear.
    used: AtomicBool,
    renewer_running: AtomicBool,
    /// Set by the renewer while it looks at the clocks for the current token at least every
    /// watch interval; the hit path then trusts the token's `verified_fresh` mark.
    watching: AtomicBool,
    /// Dropped with the session, which wakes and ends the renewer. Made when a renewer task
    /// first starts (a seller directory's sessions have none: their scheduler holds them
    /// weakly, and a channel would cost every seller some 400 bytes).
    closed: std::sync::OnceLock<watch::Sender<()>>,
    counters: Counters,
}

/// The single flight: the login under way, and what decides whether another may start.
#[derive(Default)]
struct FlightSlot {
    running: Option<SharedLogin>,
    /// Set once the vendor rejects the credentials: they are never sent again.
    rejected: Option<Error>,
    /// The token last dropped by [`Session::invalidate`]: a store may still hold it, and it must
    /// not be adopted back.
    retired: Option<Arc<Token>>,
    /// Set by [`Session::invalidate`] until the next login starts: that login is a re-login
    /// after a rejected token (the metrics' `token_rejected` reason).
    token_rejected: bool,
    spacing: LoginSpacing,
}

#[derive(Default)]
struct Counters {
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
    Forced,
}

impl Reason {
    fn as_str(self) -> &'static str {
        match self {
            Reason::Cold => "cold",
            Reason::Expired => "expired",
            Reason::RenewAhead => "renew-ahead",
            Reason::Forced => "forced",
        }
    }

    /// The metrics' `reason` label.
    fn label(self) -> &'static str {
        match self {
            Reason::Cold => "cold",
            Reason::Expired => "expired",
            Reason::RenewAhead => "renew_ahead",
            Reason::Forced => "forced",
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
                current: Arc::new(ArcSwapOption::empty()),
                flight: Mutex::new(FlightSlot::default()),
                used: AtomicBool::new(false),
                renewer_running: AtomicBool::new(false),
                watching: AtomicBool::new(false),
                closed: std::sync::OnceLock::new(),
                counters: Counters::default(),
            }),
        }
    }

    /// A valid token: the cached one while it may be sent, otherwise a fresh login.
    ///
    /// With a valid token cached this takes no lock and allocates nothing. Callers that arrive
    /// while a login is under way wait for that login instead of starting another; a caller that
    /// gives up waiting does not cancel it for the others.
    pub fn token(&self) -> impl Future<Output = Result<Arc<Token>, Error>> + Send + '_ {
        // The hit is decided before the future exists, so awaiting it is one branch.
        let hit = self.hit();
        async move {
            match hit {
                Some(token) => Ok(token),
                // Boxed: the login's state machine is large, and every hit's future would
                // otherwise be as large.
                None => Box::pin(self.miss()).await,
            }
        }
    }

    /// The cached token if it may be sent now: no lock, no allocation.
    pub(crate) fn hit(&self) -> Option<Arc<Token>> {
        let inner = &self.inner;
        // Read first: after the first call this is a load, not a write to a shared line.
        if !inner.used.load(Ordering::Relaxed) {
            inner.used.store(true, Ordering::Relaxed);
        }
        inner.cached()
    }

    /// No valid token cached: join or start a login.
    pub(crate) async fn miss(&self) -> Result<Arc<Token>, Error> {
        self.obtain(Reason::Expired).await
    }

    /// The cached token if `reason` allows it, else the login under way or a new one.
    async fn obtain(&self, reason: Reason) -> Result<Arc<Token>, Error> {
        let token = match self.inner.start(reason)? {
            Start::Cached(token) => token,
            Start::Flight(flight) => join(flight).await?,
        };
        renewer::ensure_running(&self.inner, renewer::Starter::Obtained);
        Ok(token)
    }

    /// A handle for one thread or task: its `token()` borrows the cached token instead of
    /// cloning it, so that hot loops touch no shared counter (see [`TokenHandle`]).
    pub fn handle(&self) -> TokenHandle<E> {
        TokenHandle::new(self.clone(), Arc::clone(&self.inner.current))
    }

    /// A token newer than the one cached, obtained now whatever the cached one's age: from the
    /// store when another session stored a newer one, otherwise by a login (or a refresh).
    /// Callers at the same moment share one renewal.
    ///
    /// ```no_run
    /// # async fn run<E: auth_core::LoginEndpoint>(session: auth_core::Session<E>) -> Result<(), auth_core::Error> {
    /// let before = session.token().await?;
    /// let after = session.renew().await?; // e.g. after the account's permissions changed
    /// assert!(after.expires_at() >= before.expires_at());
    /// # Ok(()) }
    /// ```
    pub async fn renew(&self) -> Result<Arc<Token>, Error> {
        self.obtain(Reason::Forced).await
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
        let dropped = previous.as_ref().is_some_and(|p| Arc::ptr_eq(p, token));
        if dropped {
            let mut slot = lock(&self.inner.flight);
            slot.retired = Some(Arc::clone(token));
            slot.token_rejected = true;
        }
        dropped
    }

    /// Removes this session's entry from its token store (the one its credentials, or its
    /// account, find), with the failures recorded for it, and drops the cached token and refresh
    /// token: the next [`Session::token`] logs in. Other entries are not touched. `true` if the
    /// store held an entry.
    ///
    /// ```no_run
    /// # async fn run<E: auth_core::LoginEndpoint>(session: auth_core::Session<E>) -> Result<(), auth_core::Error> {
    /// // The password was changed at the vendor: the stored token and the recorded rejection
    /// // of the old one are of no use any more.
    /// session.forget().await?;
    /// let fresh = session.token().await?;
    /// # Ok(()) }
    /// ```
    pub async fn forget(&self) -> Result<bool, Error> {
        let vendor = E::SPEC.vendor;
        let fleet = self.store_fleet()?;
        let removed = fleet
            .forget()
            .await
            .map_err(|source| Error::Store { vendor, source })?;
        self.inner.current.store(None);
        self.inner.setup.fetch.set_refresh_token(None);
        Ok(removed)
    }

    /// Stores `token`, just issued for a new consent of this session's account (by another
    /// session of the same endpoint, which sent the code), as the account's entry, and caches
    /// it: the session then renews with its refresh token.
    pub(crate) async fn seed(&self, token: Arc<Token>) -> Result<(), Error> {
        let fleet = self.store_fleet()?;
        let fetch = &self.inner.setup.fetch;
        let stored = fleet.seed(fetch, &token).await;
        // Stored or not, the session holds the new token (a failed write waits in the session).
        if let Some(refresh) = token.refresh_token() {
            fetch.set_refresh(Some(refresh.clone()), token.refresh_expires_at());
        }
        self.inner.current.store(Some(token));
        stored
    }

    /// This session's entry in its store, read without sending anything.
    pub(crate) async fn own_entry(&self) -> Result<Option<crate::store::StoredToken>, Error> {
        let vendor = E::SPEC.vendor;
        let fleet = self.store_fleet()?;
        fleet
            .own_entry()
            .await
            .map_err(|source| Error::Store { vendor, source })
    }

    /// Stores `stored`, a seller's entry found under an older key, as this session's account's
    /// entry (see [`Session::seed`]).
    pub(crate) async fn seed_stored(&self, stored: crate::store::StoredToken) -> Result<(), Error> {
        let fleet = self.store_fleet()?;
        fleet.seed_stored(&self.inner.setup.fetch, stored).await
    }

    /// When the refresh token this session renews with stops being accepted, if known (it may
    /// be older than the current token: eBay's refresh answer carries none).
    pub(crate) fn refresh_expires_at(&self) -> Option<SystemTime> {
        match self.inner.setup.fetch.kept_refresh() {
            (Some(_), expires_at) => expires_at,
            // Adopted from the store: the token carries the refresh token and its expiry.
            (None, _) => self.inner.current.load().as_ref()?.refresh_expires_at(),
        }
    }

    /// Whether a rotated refresh token waits in this session for the store to take it.
    pub(crate) fn has_pending_rotation(&self) -> bool {
        self.inner
            .setup
            .fleet
            .as_ref()
            .is_some_and(|fleet| fleet.has_pending())
    }

    /// Starts watching the session's token (a seeded one: no call obtained it), so that a
    /// rotation waiting for the store is written as soon as it can be.
    pub(crate) fn watch(&self) {
        renewer::ensure_running(&self.inner, renewer::Starter::InUse);
    }

    /// The session's fleet, for what only a session with a store can do.
    fn store_fleet(&self) -> Result<&Fleet, Error> {
        self.inner.setup.fleet.as_ref().ok_or(Error::Config {
            vendor: E::SPEC.vendor,
            problem: crate::error::ConfigError::NoStore,
        })
    }

    /// What this session has done so far.
    pub fn stats(&self) -> SessionStats {
        let c = &self.inner.counters;
        let (login_requests, refresh_requests) = self.inner.setup.fetch.sent();
        SessionStats {
            login_requests,
            refresh_requests,
            logins_succeeded: c.succeeded.load(Ordering::Relaxed),
            logins_failed: c.failed.load(Ordering::Relaxed),
        }
    }

    /// The credentials this session logs in with.
    pub fn endpoint(&self) -> &E {
        &self.inner.setup.fetch.endpoint
    }

    /// The URL logins are sent to.
    pub fn login_url(&self) -> &Url {
        &self.inner.setup.fetch.login_url
    }

    /// The HTTP client the session sends with.
    pub fn http_client(&self) -> &reqwest::Client {
        &self.inner.setup.fetch.client
    }

    /// The secrets to keep out of what a vendor says about a request made with `token`: the
    /// token, the refresh tokens, the credentials and their digests.
    pub(crate) fn redactor(&self, token: &Token) -> Redactor {
        let mut redactor = self.credentials_redactor();
        redactor.add(token.secret().expose());
        if let Some(refresh) = token.refresh_token() {
            redactor.add(refresh.expose());
        }
        if let Some(refresh) = self.inner.setup.fetch.refresh_token() {
            redactor.add(refresh.expose());
        }
        redactor
    }

    /// The credentials and their digests, as secrets to keep out of what a vendor says.
    pub(crate) fn credentials_redactor(&self) -> Redactor {
        self.inner.setup.fetch.credentials_redactor()
    }

    pub(crate) fn carried(&self) -> &Carried {
        &self.inner.setup.carried
    }

    pub(crate) fn allows_insecure_http(&self) -> bool {
        self.inner.setup.allow_insecure_http
    }
}

impl<E> fmt::Debug for Session<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("login_url", &self.inner.setup.fetch.login_url.as_str())
            .field("has_token", &self.inner.current.load().is_some())
            .finish_non_exhaustive()
    }
}

fn lock(slot: &Mutex<FlightSlot>) -> MutexGuard<'_, FlightSlot> {
    // Nothing panics while the slot is held, and its state stays consistent if something did.
    slot.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl<E: LoginEndpoint> Inner<E> {
    /// The hit path. While the renewer watches the token (it looks at both clocks at least every
    /// watch interval), two relaxed loads say whether it is fresh; otherwise both clocks are
    /// read here. Either way: no lock, no allocation, one reference-count increment.
    fn cached(self: &Arc<Self>) -> Option<Arc<Token>> {
        let guard = self.current.load();
        let token = guard.as_ref()?;
        if token.verified_fresh() && self.watching.load(Ordering::Relaxed) {
            return Some(Arc::clone(token));
        }
        match token.freshness(Instant::now(), SystemTime::now()) {
            Freshness::Fresh => {
                token.set_verified_fresh(true);
                // In use again after an idle stop: a renewer watches again, and renews ahead.
                if !self.renewer_running.load(Ordering::Relaxed) {
                    renewer::ensure_running(self, renewer::Starter::InUse);
                }
                Some(Arc::clone(token))
            }
            Freshness::RenewDue => {
                // The renewer renews it; the current token is still good to send meanwhile.
                renewer::ensure_running(self, renewer::Starter::InUse);
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
                (_, Reason::Forced) => {}
                (Freshness::Fresh, _) => return Ok(Start::Cached(token)),
                (Freshness::RenewDue, Reason::Expired | Reason::Cold) => {
                    return Ok(Start::Cached(token));
                }
                _ => {}
            }
        } else if reason == Reason::Expired {
            reason = Reason::Cold;
        }
        slot.spacing.check(E::SPEC.vendor)?;
        let label = match std::mem::take(&mut slot.token_rejected) {
            true => "token_rejected",
            false => reason.label(),
        };
        self.setup.fetch.set_reason(label);
        let inner = Arc::clone(self);
        // The first caller drives the login itself (no task to hand the result across threads);
        // a caller that gives up hands it to a task instead (see `join`).
        let flight = async move { inner.run(reason).await }.boxed().shared();
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
        let fetch = &self.setup.fetch;
        let result = match &self.setup.fleet {
            Some(fleet) => {
                let current = self.current.load_full();
                let retired = match &current {
                    Some(current) => Some(Arc::clone(current)),
                    None => lock(&self.flight).retired.clone(),
                };
                fleet
                    .through_store(fetch, current.as_deref(), retired)
                    .instrument(span.clone())
                    .await
            }
            None => fetch
                .login()
                .instrument(span.clone())
                .await
                .and_then(|token| {
                    fetch.check_account(&token)?;
                    Ok((token, Origin::LoggedIn))
                }),
        };
        match &result {
            Ok((token, origin)) => {
                self.current.store(Some(Arc::clone(token)));
                let remaining = token.expires_at().duration_since(SystemTime::now());
                crate::metrics::token_remaining(E::SPEC.vendor, remaining.unwrap_or_default());
                match origin {
                    Origin::LoggedIn => {
                        self.counters.succeeded.fetch_add(1, Ordering::Relaxed);
                        span.record("outcome", "ok");
                    }
                    Origin::Adopted => {
                        span.record("outcome", "adopted");
                    }
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
            match &result {
                Ok(_) => slot.spacing.succeeded(),
                // The fleet's record said so: it decides again on the next call (it expires,
                // or fixed credentials clear it).
                Err(
                    Error::Rejected {
                        recorded_at: Some(_),
                        ..
                    }
                    | Error::LoginSpaced { .. },
                ) => {}
                Err(err @ Error::Rejected { .. }) => slot.rejected = Some(err.clone()),
                Err(err) => slot.spacing.failed(err, &self.setup.retry),
            }
        }
        result.map(|(token, _)| token)
    }
}

/// Waits for a login. If the waiter gives up first (its future dropped), the login is handed to
/// a task so that it still completes for the others, and its result is cached.
pub(super) async fn join(flight: SharedLogin) -> LoginResult {
    let mut hand_off = HandOff(Some(flight.clone()));
    let result = flight.await;
    hand_off.0 = None;
    result
}

struct HandOff(Option<SharedLogin>);

impl Drop for HandOff {
    fn drop(&mut self) {
        let Some(flight) = self.0.take() else { return };
        if flight.peek().is_some() {
            return;
        }
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                runtime.spawn(flight.map(drop));
            }
            // Outside a runtime the login waits, paused, for the next caller to drive it.
            Err(_) => tracing::debug!("a login was left paused by a cancelled caller"),
        }
    }
}
