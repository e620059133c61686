//! Configuring a seller directory.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use super::cache::Cache;
use super::{CodeGrant, Configure, SellerDirectory, Settings, Shared};
use crate::client::AuthorizedClient;
use crate::error::Error;
use crate::session::{RenewPolicy, RetryPolicy};
use crate::store::{MemoryStore, TokenStore};

/// Builds a [`SellerDirectory`]. Obtain one with [`SellerDirectory::builder`].
#[must_use]
pub struct SellerDirectoryBuilder<E: CodeGrant> {
    app: E::App,
    store: Option<Arc<dyn TokenStore>>,
    http: Option<reqwest::Client>,
    settings: Settings,
    max_sellers: usize,
    idle_after: Duration,
    renewal_concurrency: usize,
    configure: Option<Configure>,
}

impl<E: CodeGrant> std::fmt::Debug for SellerDirectoryBuilder<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SellerDirectoryBuilder")
            .field("vendor", &E::SPEC.vendor())
            .field("settings", &self.settings)
            .field("max_sellers", &self.max_sellers)
            .field("idle_after", &self.idle_after)
            .field("renewal_concurrency", &self.renewal_concurrency)
            .finish_non_exhaustive()
    }
}

/// Sellers held at once unless set.
const DEFAULT_MAX_SELLERS: usize = 10_000;

/// How long a seller's client is kept unasked for, unless set.
const DEFAULT_IDLE_AFTER: Duration = Duration::from_secs(3600);

/// Renewals ahead of expiry under way at once unless set.
const DEFAULT_RENEWAL_CONCURRENCY: usize = 16;

impl<E: CodeGrant> SellerDirectoryBuilder<E> {
    pub(super) fn new(app: E::App) -> Self {
        SellerDirectoryBuilder {
            app,
            store: None,
            http: None,
            settings: Settings {
                token_base_url: None,
                api_base_url: None,
                retry: RetryPolicy::default(),
                renew: RenewPolicy::default(),
                login_timeout: None,
                store_lease: None,
                store_timeout: None,
                allow_insecure_http: false,
            },
            max_sellers: DEFAULT_MAX_SELLERS,
            idle_after: DEFAULT_IDLE_AFTER,
            renewal_concurrency: DEFAULT_RENEWAL_CONCURRENCY,
            configure: None,
        }
    }

    /// The store holding the sellers' tokens, shared with the other processes serving them.
    /// Without one, a [`MemoryStore`]: the sellers last as long as the process.
    pub fn store(mut self, store: Arc<dyn TokenStore>) -> Self {
        self.store = Some(store);
        self
    }

    /// The HTTP client every seller sends with; otherwise the one the runtime's sessions share.
    pub fn client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Where the code exchange and the refresh grant are sent (the vendor's token host);
    /// the declared base URL otherwise.
    pub fn token_base_url(mut self, url: impl Into<String>) -> Self {
        self.settings.token_base_url = Some(url.into());
        self
    }

    /// Where the sellers' business requests go (a region's API host); the declared base URL
    /// otherwise.
    pub fn api_base_url(mut self, url: impl Into<String>) -> Self {
        self.settings.api_base_url = Some(url.into());
        self
    }

    /// How failed renewals are retried.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.settings.retry = policy;
        self
    }

    /// When tokens are renewed ahead of expiry.
    pub fn renew(mut self, policy: RenewPolicy) -> Self {
        self.settings.renew = policy;
        self
    }

    /// The time one exchange or refresh may take (30 s unless set).
    pub fn login_timeout(mut self, timeout: Duration) -> Self {
        self.settings.login_timeout = Some(timeout);
        self
    }

    /// How long a seller's renewal lease lasts in the store (30 s unless set).
    pub fn store_lease(mut self, lease: Duration) -> Self {
        self.settings.store_lease = Some(lease);
        self
    }

    /// The longest one store call may take (5 s unless set).
    pub fn store_timeout(mut self, timeout: Duration) -> Self {
        self.settings.store_timeout = Some(timeout);
        self
    }

    /// Allows plain `http://` to hosts other than loopback (tokens in clear text).
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.settings.allow_insecure_http = allow;
        self
    }

    /// How many sellers' clients are held at once (10 000 unless set); beyond it the least
    /// recently used are dropped (they are rebuilt from the store when asked for again).
    pub fn max_sellers(mut self, max: usize) -> Self {
        self.max_sellers = max;
        self
    }

    /// How long a seller's client is kept when nobody asks for it (an hour unless set): then it
    /// is dropped (it is rebuilt from the store when asked for again; a client still held
    /// elsewhere keeps working). Looked at now and then as sellers are added.
    pub fn drop_idle_after(mut self, idle: Duration) -> Self {
        self.idle_after = idle;
        self
    }

    /// How many sellers are renewed ahead of expiry at once (16 unless set). One task of the
    /// directory waits for every seller's renewal point; a renewal runs in a short task of its
    /// own, at most this many at a time, so that sellers onboarded together do not all call the
    /// vendor in the same second.
    pub fn renewal_concurrency(mut self, concurrency: usize) -> Self {
        self.renewal_concurrency = concurrency;
        self
    }

    /// Configures the sellers' [`AuthorizedClient`]: called once, and every seller's client
    /// shares the result.
    pub fn configure_clients(
        mut self,
        configure: impl Fn(AuthorizedClient) -> Result<AuthorizedClient, Error> + Send + Sync + 'static,
    ) -> Self {
        self.configure = Some(Box::new(configure));
        self
    }

    /// Makes the directory. Nothing is sent or read yet.
    pub fn build(self) -> Result<SellerDirectory<E>, Error> {
        let http = match self.http {
            Some(http) => http,
            // The runtime's shared client: one pool of connections for every seller.
            None => crate::session::shared_client()
                .map_err(|problem| Error::config(E::SPEC.vendor, problem))?,
        };
        let store = self
            .store
            .unwrap_or_else(|| Arc::new(MemoryStore::new()) as Arc<dyn TokenStore>);
        let login_url = self
            .settings
            .token_base_url
            .as_deref()
            .or(E::SPEC.default_base_url())
            .and_then(|base| {
                crate::http::login_url(base, E::SPEC.path(), self.settings.allow_insecure_http).ok()
            });
        Ok(SellerDirectory {
            shared: Arc::new(Shared {
                app: self.app,
                store,
                http,
                settings: self.settings,
                template: OnceLock::new(),
                configure: self.configure,
                sellers: Cache::new(self.max_sellers, self.idle_after),
                renewals: Arc::new(crate::session::Scheduler::new(self.renewal_concurrency)),
                login_url,
            }),
        })
    }
}
