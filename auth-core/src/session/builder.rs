//! Configuring a session: base URL, HTTP client, timeouts and policies.

use std::time::Duration;

use super::carried::Carried;
use super::fleet::{Fleet, StoreFailure};
use super::refresh::Refresher;
use super::{Session, Settings, Setup};
use std::sync::Arc;

use super::fetch::{Fetch, FetchState};
use crate::endpoint::LoginEndpoint;
use crate::error::{ConfigError, Error};
use crate::secret::Secret;
use crate::session::{RenewPolicy, RetryPolicy};
use crate::spec::SendAs;
use crate::store::TokenStore;
use crate::token::TokenPlacement;

type MakeRefresher<E> = Box<dyn FnOnce(&str, bool) -> Result<Refresher<E>, ConfigError> + Send>;

/// Builds a [`Session`]. Obtain one with [`Session::builder`].
#[must_use]
pub struct SessionBuilder<E> {
    endpoint: E,
    base_url: Option<String>,
    client: Option<reqwest::Client>,
    allow_insecure_http: bool,
    settings: Settings,
    login_path: Option<String>,
    /// The override of the declared placement; a bad header name is reported by `build`.
    placement: Option<Result<TokenPlacement, ConfigError>>,
    refresher: Option<MakeRefresher<E>>,
    store: Option<Arc<dyn TokenStore>>,
    account: Option<String>,
    renew_only: bool,
    scheduler: Option<Arc<super::Scheduler>>,
}

/// The settings only: the credentials are the endpoint's to show (their `Secret`s redacted).
impl<E> std::fmt::Debug for SessionBuilder<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionBuilder")
            .field("base_url", &self.base_url)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("settings", &self.settings)
            .field("login_path", &self.login_path)
            .field("refreshes", &self.refresher.is_some())
            .field("store", &self.store.is_some())
            .field("account", &self.account)
            .finish_non_exhaustive()
    }
}

impl<E: LoginEndpoint> SessionBuilder<E> {
    pub(super) fn new(endpoint: E) -> Self {
        SessionBuilder {
            endpoint,
            base_url: None,
            client: None,
            allow_insecure_http: false,
            settings: Settings::default(),
            login_path: None,
            placement: None,
            refresher: None,
            store: None,
            account: None,
            renew_only: false,
            scheduler: None,
        }
    }

    /// Renews ahead through `scheduler`, shared with other sessions, instead of a task of its
    /// own (a seller directory's sellers: no task per seller).
    pub(crate) fn scheduler(mut self, scheduler: Arc<super::Scheduler>) -> Self {
        self.scheduler = Some(scheduler);
        self
    }

    /// A seller's session from the store: it renews with the refresh token stored for its
    /// account and never sends the login itself; without a usable refresh token it answers
    /// [`Error::NeedsConsent`]. Needs an account and a store (the seller directory sets both).
    ///
    /// Its store failures are errors ([`StoreFailure::Fail`]): it has no credential of its own
    /// (the store holds the newest refresh token; one in memory may be spent already), and its
    /// caller (a keep-alive sweep, a command about to exit) must know when the seller's only
    /// credential could not be stored.
    pub(crate) fn renew_only(mut self) -> Self {
        self.renew_only = true;
        self.settings.fleet.on_failure = StoreFailure::Fail;
        self
    }

    /// The account this session is for, as the vendor names it (an IOP app's seller, by
    /// `seller_id`): one app's sessions for different sellers then never share a token in a
    /// store, and a token the vendor issues for another account is refused
    /// ([`Error::WrongAccount`]).
    ///
    /// Without it, a session with a store is told apart by its credentials: its non-secret
    /// fields and a slow fingerprint of its secret ones (an authorization code, a password),
    /// which costs PBKDF2's 100 000 rounds (tens of milliseconds) once, on tokio's blocking
    /// pool when the store is first used (never on an async thread, and not in `build`).
    /// Naming the account skips it.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use auth_core::store::MemoryStore;
    /// use auth_core::{login_endpoint, Secret, Session};
    ///
    /// #[login_endpoint(path = "/token", body = form, token_field = "access_token",
    ///                  lifetime = seconds("expires_in"), account = "seller_id",
    ///                  base_url = "https://vendor.example")]
    /// struct Exchange {
    ///     app_key: String,
    ///     code: Secret,
    /// }
    ///
    /// let session = Session::builder(Exchange { app_key: "100001".into(), code: "0_abc".into() })
    ///     .account("1001")
    ///     .store(Arc::new(MemoryStore::new()))
    ///     .build()
    ///     .unwrap();
    /// # drop(session);
    /// ```
    pub fn account(mut self, account: impl Into<String>) -> Self {
        self.account = Some(account.into());
        self
    }

    /// Shares tokens through `store` with the other sessions of the same account (in other
    /// processes, on other machines): they reuse one token and its refresh token, and only one
    /// of them logs in at a time, under the store's lease.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::time::Duration;
    /// use auth_core::store::MemoryStore;
    /// use auth_core::{login_endpoint, Secret, Session, StoreFailure};
    ///
    /// #[login_endpoint(path = "/login", body = json, token_field = "token",
    ///                  lifetime = fixed("1h"), base_url = "https://vendor.example")]
    /// struct Login {
    ///     user: String,
    ///     password: Secret,
    /// }
    ///
    /// let session = Session::builder(Login { user: "me".into(), password: "pw".into() })
    ///     .store(Arc::new(MemoryStore::new()))
    ///     .store_lease(Duration::from_secs(10))
    ///     .on_store_failure(StoreFailure::Fail)
    ///     .build()
    ///     .unwrap();
    /// # drop(session);
    /// ```
    pub fn store(mut self, store: Arc<dyn TokenStore>) -> Self {
        self.store = Some(store);
        self
    }

    /// How long the lease of a session logging in lasts (default 30 s): if its holder dies,
    /// another session logs in after this. Longer than a login with its retries takes.
    pub fn store_lease(mut self, lease: Duration) -> Self {
        self.settings.fleet.lease = lease;
        self
    }

    /// The longest one store call may take before it counts as failed (default 5 s).
    pub fn store_timeout(mut self, timeout: Duration) -> Self {
        self.settings.fleet.timeout = timeout;
        self
    }

    /// What to do when the store fails: log in alone (the default) or fail.
    pub fn on_store_failure(mut self, choice: StoreFailure) -> Self {
        self.settings.fleet.on_failure = choice;
        self
    }

    /// How long, with a store, a rejected login keeps the whole fleet from sending the same
    /// credentials again (15 minutes unless set). Sessions with other credentials for the
    /// account are not held back, and their first success clears the record.
    ///
    /// ```
    /// # use auth_core::{login_endpoint, Secret, Session};
    /// # #[login_endpoint(path = "/login", body = json, token_field = "token",
    /// #                  lifetime = fixed("1h"), base_url = "https://vendor.example")]
    /// # struct Login { user: String, password: Secret }
    /// use std::sync::Arc;
    /// use std::time::Duration;
    /// use auth_core::store::MemoryStore;
    ///
    /// let session = Session::builder(Login { user: "me".into(), password: "pw".into() })
    ///     .store(Arc::new(MemoryStore::new()))
    ///     .remember_rejection(Duration::from_secs(60 * 60))
    ///     .build()
    ///     .unwrap();
    /// # drop(session);
    /// ```
    pub fn remember_rejection(mut self, period: Duration) -> Self {
        self.settings.fleet.rejection_memory = period;
        self
    }

    /// Logs in at this path instead of the declared one (a vendor renamed its endpoint).
    pub fn login_path(mut self, path: impl Into<String>) -> Self {
        self.login_path = Some(path.into());
        self
    }

    /// Later requests carry the token in this header instead of the declared placement.
    pub fn token_in_header(mut self, name: impl Into<String>) -> Self {
        let name = name.into();
        self.placement =
            Some(TokenPlacement::header(&name).ok_or(ConfigError::BadTokenHeader { name }));
        self
    }

    /// Later requests carry the token as this (query or signed) parameter instead.
    pub fn token_in_param(mut self, name: impl Into<String>) -> Self {
        self.placement = Some(Ok(TokenPlacement::Query(name.into().into())));
        self
    }

    /// Renews with the refresh token of the current token through the endpoint `make` builds,
    /// instead of logging in again (and instead of the grant the login declares with
    /// `refresh = ...`); the newest refresh token is kept when the vendor rotates
    /// them. If the vendor rejects the refresh token, the session logs in again.
    pub fn refresh_with<R, F>(mut self, make: F) -> Self
    where
        R: LoginEndpoint,
        F: Fn(Secret) -> R + Send + Sync + 'static,
    {
        self.refresher = Some(Box::new(move |base: &str, allow_insecure: bool| {
            let url = crate::http::login_url(base, R::SPEC.path(), allow_insecure)?;
            Ok(Refresher::new(url, make))
        }));
        self
    }

    /// The base URL the endpoint's path is appended to; defaults to the one the endpoint
    /// declares (the vendor's documented production URL).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The HTTP client to use (share one across sessions). By default the sessions of one tokio
    /// runtime share one client with a 10 s connect timeout and no redirects, so credentials
    /// never follow a redirect (built once: its TLS roots cost about 40 ms and 100 KB).
    ///
    /// A client of your own keeps its own redirect policy (turn redirects off:
    /// `reqwest::redirect::Policy::none()`), and one built with `connection_verbose(true)` logs
    /// the raw bytes of every request at TRACE, credentials included.
    pub fn client(mut self, client: reqwest::Client) -> Self {
        self.client = Some(client);
        self
    }

    /// The time one login attempt may take, connection included (default 30 s).
    pub fn login_timeout(mut self, timeout: Duration) -> Self {
        self.settings.limits.timeout = timeout;
        self
    }

    /// The largest login response accepted (default 1 MiB).
    pub fn max_response_bytes(mut self, bytes: usize) -> Self {
        self.settings.limits.max_body_bytes = bytes;
        self
    }

    /// How failed logins are retried.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.settings.retry = policy;
        self
    }

    /// When tokens are renewed ahead of expiry.
    pub fn renew(mut self, policy: RenewPolicy) -> Self {
        self.settings.renew = policy;
        self
    }

    /// Allows plain `http://` to hosts other than loopback (credentials in clear text).
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Checks the configuration and makes the session. Nothing is sent yet.
    pub fn build(self) -> Result<Session<E>, Error> {
        let vendor = E::SPEC.vendor;
        crate::metrics::describe();
        let base = self
            .base_url
            .as_deref()
            .or(E::SPEC.base_url)
            .ok_or(Error::config(vendor, ConfigError::NoBaseUrl))?;
        let config = |problem| Error::config(vendor, problem);
        let login_path = self.login_path.unwrap_or_else(|| E::SPEC.path.to_owned());
        let login_url =
            crate::http::login_url(base, &login_path, self.allow_insecure_http).map_err(config)?;
        let placement = self
            .placement
            .unwrap_or_else(|| match E::SPEC.send_as {
                SendAs::Header(name) => {
                    TokenPlacement::header(name).ok_or(ConfigError::BadTokenHeader {
                        name: name.to_owned(),
                    })
                }
                SendAs::Query(name) => Ok(TokenPlacement::Query(name.into())),
            })
            .map_err(config)?;
        let refresher = match (self.refresher, E::REFRESH) {
            (Some(make), _) => Some(make(base, self.allow_insecure_http).map_err(config)?),
            (None, Some(grant)) => {
                let url = crate::http::login_url(base, grant.path(), self.allow_insecure_http)
                    .map_err(config)?;
                Some(Refresher::declared(url, grant))
            }
            (None, None) => None,
        };
        let client = match self.client {
            Some(client) => client,
            None => super::shared_client().map_err(config)?,
        };
        if self.renew_only
            && (self.account.is_none() || self.store.is_none() || refresher.is_none())
        {
            return Err(config(ConfigError::RenewOnlyNeedsStore));
        }
        let carried = Carried::of(&self.endpoint)?;
        let fleet = match self.store {
            Some(store) => Some(
                Fleet::new(
                    store,
                    &self.endpoint,
                    &login_url,
                    self.account.as_deref(),
                    self.settings.fleet,
                )
                .map_err(config)?,
            ),
            None => None,
        };
        let fetch = Fetch {
            endpoint: self.endpoint,
            login_url,
            login_path,
            placement,
            refresher,
            client,
            limits: self.settings.limits,
            retry: self.settings.retry,
            renew: self.settings.renew,
            account: self.account,
            renew_only: self.renew_only,
            state: FetchState::default(),
        };
        Ok(Session::from_setup(Setup {
            fetch,
            carried,
            fleet,
            retry: self.settings.retry,
            allow_insecure_http: self.allow_insecure_http,
            scheduler: self.scheduler,
        }))
    }
}

/// The client a session or a seller directory builds when given none: no redirects, so that
/// credentials never follow one.
pub(crate) fn default_client() -> Result<reqwest::Client, ConfigError> {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| ConfigError::Client {
            reason: e.without_url().to_string(),
        })
}
