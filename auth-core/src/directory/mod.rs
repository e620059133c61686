//! One app, many sellers: each seller's session built from the store on demand.
//!
//! After a seller approves an app, the seller's only credential is the newest refresh token in
//! the store. The directory owns what the sellers share (the app's credentials, one HTTP client,
//! one store, one renewal task) and hands out an [`AuthorizedClient`] per seller, built lazily
//! from the store and kept in a bounded cache: dropped when idle (an hour unless set), and the
//! least recently used first when it is full.

mod builder;
mod cache;
mod code_grant;
mod keep_alive;

use std::sync::{Arc, OnceLock};
use std::time::Duration;

pub use builder::SellerDirectoryBuilder;
pub use code_grant::CodeGrant;
pub use keep_alive::{KeepAlive, KeepAliveReport, KeepAliveTask};

use crate::client::AuthorizedClient;
use crate::error::{ConfigError, Error};
use crate::secret::Secret;
use crate::session::{RenewPolicy, RetryPolicy, Session, SessionBuilder};
use crate::store::TokenStore;
use cache::Cache;

/// The sessions of one app's sellers, from one store.
///
/// Onboard a seller once with the code from its consent redirect; from then on, in any
/// process sharing the store, [`SellerDirectory::seller`] gives the seller's client, renewed
/// with the seller's refresh token. A seller whose refresh token is missing, spent or refused
/// answers [`Error::NeedsConsent`], and nothing is sent for it.
///
/// ```
/// use std::sync::Arc;
/// use auth_core::store::MemoryStore;
/// use auth_core::{login_endpoint, CodeGrant, ConfigError, Secret, SellerDirectory};
///
/// #[login_endpoint(path = "/token", body = form, token_field = "access_token",
///                  lifetime = seconds("expires_in"), refresh_token = "refresh_token",
///                  account = "seller_id", refresh = Refresh, base_url = "https://vendor.example")]
/// pub struct Exchange {
///     pub app_key: String,
///     pub code: Secret,
/// }
/// # #[login_endpoint(path = "/refresh", body = form, token_field = "access_token",
/// #                  lifetime = seconds("expires_in"), refresh_token = "refresh_token",
/// #                  refreshes = Exchange, base_url = "https://vendor.example")]
/// # pub struct Refresh { pub app_key: String, #[login(refresh_token)] pub refresh_token: Secret }
///
/// impl CodeGrant for Exchange {
///     type App = String;
///     fn with_code(app_key: &String, _: Option<&str>, code: Secret) -> Result<Self, ConfigError> {
///         Ok(Exchange { app_key: app_key.clone(), code })
///     }
/// }
///
/// # async fn run() -> Result<(), auth_core::Error> {
/// let directory = SellerDirectory::<Exchange>::builder("100001".to_owned())
///     .store(Arc::new(MemoryStore::new()))
///     .api_base_url("https://api.vendor.example")
///     .build()?;
/// // Once, when the seller comes back from the consent page with a code:
/// let seller = directory.onboard(Secret::from("0_abc"), None).await?;
/// // Ever after, in any process sharing the store:
/// let client = directory.seller(&seller)?;
/// let orders = client.get("/orders/get").send().await?;
/// # Ok(()) }
/// ```
pub struct SellerDirectory<E: CodeGrant> {
    shared: Arc<Shared<E>>,
}

impl<E: CodeGrant> Clone for SellerDirectory<E> {
    fn clone(&self) -> Self {
        SellerDirectory {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<E: CodeGrant> std::fmt::Debug for SellerDirectory<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SellerDirectory")
            .field("vendor", &E::SPEC.vendor())
            .field("live_sellers", &self.live_sellers())
            .finish_non_exhaustive()
    }
}

/// What every seller of the directory shares.
struct Shared<E: CodeGrant> {
    app: E::App,
    store: Arc<dyn TokenStore>,
    http: reqwest::Client,
    settings: Settings,
    /// The first seller's client, configured once; every other seller's shares its settings.
    template: OnceLock<AuthorizedClient>,
    configure: Option<Configure>,
    sellers: Cache,
    /// One task renews every seller ahead of expiry: a seller costs a timer entry, not a task.
    renewals: Arc<crate::session::Scheduler>,
    /// Where the sellers' sessions exchange and refresh (what their store keys are made of);
    /// `None` when it does not parse, which every seller's session then reports.
    login_url: Option<url::Url>,
}

type Configure = Box<dyn Fn(AuthorizedClient) -> Result<AuthorizedClient, Error> + Send + Sync>;

/// The directory's settings, applied to each seller's session.
#[derive(Debug, Clone)]
struct Settings {
    token_base_url: Option<String>,
    api_base_url: Option<String>,
    retry: RetryPolicy,
    renew: RenewPolicy,
    login_timeout: Option<Duration>,
    store_lease: Option<Duration>,
    store_timeout: Option<Duration>,
    allow_insecure_http: bool,
}

/// The seller's id as the store keys it ([`CodeGrant::seller_id`]).
fn canonical<E: CodeGrant>(seller: Option<&str>) -> Result<Option<String>, Error> {
    seller
        .map(E::seller_id)
        .transpose()
        .map_err(|problem| Error::config(E::SPEC.vendor, problem))
}

/// The code a seller's session is built with: empty, and never sent (the session renews only).
fn no_code() -> Secret {
    Secret::from(String::new())
}

impl<E: CodeGrant> SellerDirectory<E> {
    /// A builder for the sellers of `app`.
    pub fn builder(app: E::App) -> SellerDirectoryBuilder<E> {
        SellerDirectoryBuilder::new(app)
    }

    /// The client of seller `account`: from the cache, or built from the store. Nothing is
    /// sent here: the first request adopts the stored token, or renews it with the seller's
    /// refresh token, or fails with [`Error::NeedsConsent`].
    pub fn seller(&self, account: &str) -> Result<AuthorizedClient, Error> {
        let account = &canonical::<E>(Some(account))?.unwrap_or_default();
        if let Some(client) = self.shared.sellers.get(account) {
            return Ok(client);
        }
        // Built outside the cache's lock (a client's configuration runs user code).
        let (client, _) = self.build_seller(account)?;
        Ok(self.shared.sellers.get_or_insert(account, client))
    }

    /// Exchanges a seller's authorization code (sent once), learns the seller's id from the
    /// vendor's answer (or takes `seller`, for vendors whose answer does not name it, which then
    /// must be given), stores the tokens as the seller's one entry, and returns the seller's id.
    /// A new consent replaces what the store held for the seller. When `seller` is given and the
    /// answer names another seller, the tokens are stored for the seller that approved the code
    /// and the call fails with [`Error::WrongAccount`].
    pub async fn onboard(&self, code: Secret, seller: Option<&str>) -> Result<String, Error> {
        let vendor = E::SPEC.vendor;
        let config = |problem| Error::config(vendor, problem);
        if seller.is_none() && E::SPEC.account_field().is_none() {
            // Checked before the code is spent: without an id the tokens could not be kept.
            return Err(config(ConfigError::SellerRequired));
        }
        let seller = canonical::<E>(seller)?;
        let seller = seller.as_deref();
        let endpoint = E::with_code(&self.shared.app, seller, code).map_err(config)?;
        // No store: the code is this process's alone, and single use.
        let exchange = self.session_builder(endpoint).build()?;
        let token = exchange.token().await?;
        let account = match (token.account(), seller) {
            (Some(named), Some(given)) if named != given => {
                // The code is spent: keep the tokens for the seller who approved it.
                let named = named.to_owned();
                self.keep_consent(&named, Arc::clone(&token)).await?;
                return Err(Error::WrongAccount {
                    vendor,
                    expected: given.to_owned(),
                    named,
                });
            }
            (Some(named), _) => named.to_owned(),
            (None, Some(given)) => given.to_owned(),
            // Ruled out above: a vendor that names the account named none.
            (None, None) => {
                return Err(Error::Protocol {
                    vendor,
                    status: 200,
                    problem: crate::error::ProtocolProblem::MissingField {
                        field: E::SPEC
                            .account_field()
                            .map(|f| f.to_string())
                            .unwrap_or_default(),
                    },
                });
            }
        };
        if token.refresh_token().is_none() {
            tracing::warn!(
                vendor,
                account = account.as_str(),
                "the vendor gave no refresh token: the seller must approve again when this token expires"
            );
        }
        self.keep_consent(&account, token).await?;
        Ok(account)
    }

    /// Stores a new consent's tokens as the seller's entry and caches the seller's client. A
    /// store that fails does not lose them (the code is spent): they wait in the cached session,
    /// which keeps trying to write them, and serve the seller meanwhile.
    async fn keep_consent(&self, account: &str, token: Arc<crate::Token>) -> Result<(), Error> {
        let (client, session) = self.build_seller(account)?;
        match session.seed(token).await {
            Ok(()) => {}
            Err(err @ Error::Store { .. }) => {
                tracing::warn!(
                    vendor = E::SPEC.vendor,
                    account,
                    error = %err,
                    "a new consent's tokens could not be stored; they are kept in this process and written when the store takes them"
                );
                session.watch();
            }
            Err(other) => return Err(other),
        }
        self.shared.sellers.insert(account, client);
        Ok(())
    }

    /// Moves a seller's entry stored before this directory (by a session built from the code
    /// alone, keyed by a fingerprint of the code) to the seller's own key, and returns the
    /// seller's id; `None` when the store holds no such entry with a refresh token. Nothing is
    /// sent: the code only finds the old key. For stores written by versions before 0.2.
    pub async fn adopt_entry_of_code(
        &self,
        code: Secret,
        seller: Option<&str>,
    ) -> Result<Option<String>, Error> {
        let vendor = E::SPEC.vendor;
        let config = |problem| Error::config(vendor, problem);
        let seller = canonical::<E>(seller)?;
        let endpoint = E::with_code(&self.shared.app, seller.as_deref(), code).map_err(config)?;
        let old = self
            .session_builder(endpoint)
            .store(Arc::clone(&self.shared.store))
            .build()?;
        let Some(stored) = old.own_entry().await? else {
            return Ok(None);
        };
        if stored.refresh_token.is_none() {
            return Ok(None);
        }
        let Some(account) = stored.account.clone().or(seller) else {
            return Ok(None);
        };
        let (client, session) = self.build_seller(&account)?;
        // Moved only where the seller's own key holds nothing yet: never over a newer consent.
        if session.own_entry().await?.is_some() {
            return Ok(Some(account));
        }
        session.seed_stored(stored).await?;
        self.shared.sellers.insert(&account, client);
        tracing::info!(
            vendor,
            account = account.as_str(),
            "a seller's entry moved to its own key"
        );
        Ok(Some(account))
    }

    /// How many sellers' clients the directory holds now.
    pub fn live_sellers(&self) -> usize {
        self.shared.sellers.len()
    }

    /// Drops the clients of sellers not asked for since `idle`; returns how many. The
    /// directory does it on its own when it is full; call it to free memory sooner. A client
    /// still held elsewhere keeps working.
    pub fn drop_idle(&self, idle: Duration) -> usize {
        self.shared.sellers.drop_idle(idle)
    }

    fn session_builder(&self, endpoint: E) -> SessionBuilder<E> {
        let s = &self.shared.settings;
        let mut builder = Session::builder(endpoint)
            .client(self.shared.http.clone())
            .retry(s.retry)
            .renew(s.renew)
            .allow_insecure_http(s.allow_insecure_http);
        if let Some(base) = &s.token_base_url {
            builder = builder.base_url(base.clone());
        }
        if let Some(timeout) = s.login_timeout {
            builder = builder.login_timeout(timeout);
        }
        if let Some(lease) = s.store_lease {
            builder = builder.store_lease(lease);
        }
        if let Some(timeout) = s.store_timeout {
            builder = builder.store_timeout(timeout);
        }
        builder
    }

    /// A seller's session from the store, and its client.
    fn build_seller(&self, account: &str) -> Result<(AuthorizedClient, Session<E>), Error> {
        let vendor = E::SPEC.vendor;
        let endpoint = E::with_code(&self.shared.app, Some(account), no_code())
            .map_err(|problem| Error::config(vendor, problem))?;
        let session = self
            .session_builder(endpoint)
            .account(account)
            .store(Arc::clone(&self.shared.store))
            .renew_only()
            .scheduler(Arc::clone(&self.shared.renewals))
            .build()?;
        let client = match self.shared.template.get() {
            Some(template) => template.for_session(session.clone().into()),
            None => {
                let api = self
                    .shared
                    .settings
                    .api_base_url
                    .clone()
                    .or_else(|| E::SPEC.default_base_url().map(str::to_owned))
                    .ok_or(Error::config(vendor, ConfigError::NoBaseUrl))?;
                let client = AuthorizedClient::new(session.clone(), api)?;
                let client = match &self.shared.configure {
                    Some(configure) => configure(client)?,
                    None => client,
                };
                // Two first sellers at once: either template serves, both were configured alike.
                let template = self.shared.template.get_or_init(|| client.clone());
                template.for_session(session.clone().into())
            }
        };
        Ok((client, session))
    }
}
