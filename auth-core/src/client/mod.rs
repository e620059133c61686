//! Authorised requests: every request carries the session's token in the vendor's documented
//! form, and a request rejected for its token is replayed once after a fresh login.
//!
//! A thin wrapper over a `reqwest::Client`: signed vendors (IOP) add signed parameters to the
//! query or form body, built here from parts, and a replay needs a body we own. For a
//! `reqwest-middleware` stack, [`TokenMiddleware`] (feature `middleware`) does the same to a
//! request built elsewhere, by taking it apart first.

pub(crate) mod inspect;
#[cfg(feature = "middleware")]
mod middleware;
mod request;

use std::sync::Arc;
use std::time::Duration;

use url::Url;

#[cfg(feature = "middleware")]
pub use middleware::TokenMiddleware;
pub use request::AuthorizedRequest;

use crate::error::{Error, VendorSaid};
use crate::http::check_transport;
use crate::session::{AnySession, RetryPolicy};

/// Sends requests with a session's token attached, re-logging in when a token is rejected.
///
/// Cheap to clone (clones share the session and the settings), `Send + Sync + 'static`, and
/// the same type whatever the vendor: one `Vec<AuthorizedClient>` can hold them all.
///
/// ```no_run
/// use auth_core::{AuthorizedClient, Session};
/// # use auth_core::{login_endpoint, Secret};
/// # #[login_endpoint(path = "/login", token_field = "token", lifetime = fixed("1h"), scheme = "Bearer")]
/// # struct Login { user: String, password: Secret }
///
/// # async fn run(session: Session<Login>) -> Result<(), auth_core::Error> {
/// let client = AuthorizedClient::new(session, "https://api.vendor.example")?;
/// let orders = client.get("/orders").query(&[("page", "1")]).send().await?;
/// println!("{}", orders.status());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct AuthorizedClient {
    session: AnySession,
    settings: Arc<Settings>,
}

/// What a client was configured with; shared by its clones until one of them changes it.
#[derive(Clone)]
struct Settings {
    http: reqwest::Client,
    base_url: Url,
    /// Origins besides the base URL's that may receive the token.
    other_origins: Vec<url::Origin>,
    token_param: Option<String>,
    sign_path: bool,
    retry: Option<RetryPolicy>,
    retry_all_methods: bool,
    max_inspected_bytes: usize,
    timeout: Duration,
}

/// A request's token was rejected: dropped from the session (if still cached) so that the next
/// `token()` logs in, before the one replay.
fn drop_rejected(session: &AnySession, token: &Arc<crate::Token>) {
    tracing::info!(
        vendor = session.vendor(),
        "token rejected; logging in again and replaying once"
    );
    session.invalidate(token);
    crate::metrics::replayed(session.vendor());
}

/// Long enough for a slow report download, short enough that a silent vendor is noticed.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

impl std::fmt::Debug for AuthorizedClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthorizedClient")
            .field("base_url", &self.settings.base_url.as_str())
            .field("session", &self.session)
            .field("token_param", &self.settings.token_param)
            .field("sign_path", &self.settings.sign_path)
            .finish_non_exhaustive()
    }
}

impl AuthorizedClient {
    /// A client sending requests relative to `base_url` (the vendor's business API, which may
    /// differ from its login domain) with the session's HTTP client. `session` is a
    /// [`Session`](crate::Session) of any endpoint, or an [`AnySession`].
    pub fn new(session: impl Into<AnySession>, base_url: impl AsRef<str>) -> Result<Self, Error> {
        let session = session.into();
        let vendor = session.vendor();
        let base_url =
            crate::http::base(base_url.as_ref()).map_err(|e| Error::config(vendor, e))?;
        check_transport(&base_url, session.allows_insecure_http())
            .map_err(|problem| Error::config(vendor, problem))?;
        let http = session.http_client().clone();
        Ok(AuthorizedClient {
            session,
            settings: Arc::new(Settings {
                http,
                base_url,
                other_origins: Vec::new(),
                token_param: None,
                sign_path: true,
                retry: None,
                retry_all_methods: false,
                max_inspected_bytes: 8 << 20,
                timeout: DEFAULT_TIMEOUT,
            }),
        })
    }

    /// A client with these settings for another session of the same vendor (a seller
    /// directory's sellers share one template: one allocation for all of them).
    pub(crate) fn for_session(&self, session: AnySession) -> AuthorizedClient {
        AuthorizedClient {
            session,
            settings: Arc::clone(&self.settings),
        }
    }

    fn configure(mut self, change: impl FnOnce(&mut Settings)) -> Self {
        change(Arc::make_mut(&mut self.settings));
        self
    }

    /// How much of an answer is read to look for a token rejection or a rate-limit code
    /// (8 MiB unless set). A longer answer is not one: it is returned whole, the rest of it
    /// still streaming, and nothing beyond this is ever held in memory to inspect it.
    #[must_use]
    pub fn max_inspected_bytes(self, bytes: usize) -> Self {
        self.configure(|s| s.max_inspected_bytes = bytes)
    }

    /// How long one request may take, from connecting to the end of its body (30 s unless
    /// set; it takes the place of a timeout set on the `reqwest::Client`). A timeout is
    /// [`Error::Transient`], retried like any transient failure.
    #[must_use]
    pub fn timeout(self, timeout: Duration) -> Self {
        self.configure(|s| s.timeout = timeout)
    }

    /// Lets requests to absolute URLs on `origin` (its scheme, host and port; any path is
    /// ignored) carry the token too. Without it the token goes only to the base URL's origin,
    /// and a request for any other is refused with [`ConfigError::ForeignOrigin`](crate::ConfigError::ForeignOrigin) before
    /// anything is sent, whatever the path came from (a paginated answer's `next` link, a
    /// command-line argument).
    ///
    /// ```
    /// use auth_core::{login_endpoint, AuthorizedClient, ConfigError, Error, Secret, Session};
    /// # #[login_endpoint(path = "/login", token_field = "token", lifetime = fixed("1h"), scheme = "Bearer")]
    /// # struct Login { user: String, password: Secret }
    /// # let session = Session::builder(Login { user: "me".into(), password: "pw".into() })
    /// #     .base_url("https://api.vendor.example").build()?;
    /// let client = AuthorizedClient::new(session, "https://api.vendor.example")?
    ///     .allow_origin("https://files.vendor.example")?;
    /// // Built, not sent: the same checks `send` makes first.
    /// assert!(client.get("https://files.vendor.example/labels/1.pdf").check().is_ok());
    /// let Err(Error::Config { problem, .. }) = client.get("https://elsewhere.example/x").check() else {
    ///     panic!("a foreign origin is refused");
    /// };
    /// assert!(matches!(problem, ConfigError::ForeignOrigin { .. }));
    /// # Ok::<(), auth_core::Error>(())
    /// ```
    pub fn allow_origin(self, origin: impl AsRef<str>) -> Result<Self, Error> {
        let vendor = self.session.vendor();
        let url = Url::parse(origin.as_ref()).map_err(|e| {
            Error::config(
                vendor,
                crate::error::ConfigError::BadBaseUrl {
                    reason: format!("the allowed origin does not parse: {e}"),
                },
            )
        })?;
        check_transport(&url, self.session.allows_insecure_http())
            .map_err(|problem| Error::config(vendor, problem))?;
        let origin = url.origin();
        Ok(self.configure(|s| s.other_origins.push(origin)))
    }

    /// Sends the token under this parameter name instead of the declared one.
    #[must_use]
    pub fn token_param(self, name: impl Into<String>) -> Self {
        let name = name.into();
        self.configure(|s| s.token_param = Some(name))
    }

    /// Whether the signature covers the request's path below the base URL (default: yes).
    /// IOP signs `/seller/get` for a call to `{base}/seller/get`; a gateway called at the base
    /// URL itself (AliExpress's `/sync?method=...`) has no path below it, so it is signed
    /// without one, as the vendor expects, with nothing to set here.
    #[must_use]
    pub fn sign_path(self, sign_path: bool) -> Self {
        self.configure(|s| s.sign_path = sign_path)
    }

    /// Retries requests that failed in transit or answered 408, 429 or 5xx, honouring
    /// `Retry-After`: for idempotent methods only, unless [`Self::retry_all_methods`]. A rate
    /// limit (HTTP 429, or a code the endpoint declares `rate_limited`, such as IceKredit's
    /// `10000429` inside an HTTP 200) means the request was refused unprocessed, so it is retried
    /// whatever the method; once the retries are spent it is [`Error::RateLimited`].
    #[must_use]
    pub fn retry(self, policy: RetryPolicy) -> Self {
        self.configure(|s| s.retry = Some(policy))
    }

    /// Lets [`Self::retry`] retry `POST` and `PATCH` too (only if the vendor deduplicates them).
    #[must_use]
    pub fn retry_all_methods(self, all: bool) -> Self {
        self.configure(|s| s.retry_all_methods = all)
    }

    /// The session whose token is attached.
    pub fn session(&self) -> &AnySession {
        &self.session
    }

    /// The base URL paths are joined to (and signatures count their path from).
    pub fn base_url(&self) -> &Url {
        &self.settings.base_url
    }

    /// Whether an answer this client received is the vendor saying no, and what it said: HTTP
    /// 400 or more, or the vendor's error envelope inside a success (the declared `error_code`
    /// present and the declared `success` not holding, as IOP answers `IncompleteSignature` with
    /// HTTP 200). What it said comes cleaned of the token, the refresh token and the credentials.
    ///
    /// ```
    /// use auth_core::{login_endpoint, AuthorizedClient, Secret, Session};
    ///
    /// #[login_endpoint(path = "/auth/token/create", body = form, token_field = "access_token",
    ///                  lifetime = seconds("expires_in"), success("code" = "0"),
    ///                  error_code = "code", error_message = "message",
    ///                  base_url = "https://api.vendor.example/rest")]
    /// struct Exchange {
    ///     app_key: String,
    ///     code: Secret,
    /// }
    ///
    /// let session = Session::new(Exchange { app_key: "100001".into(), code: "0_abc".into() })?;
    /// let client = AuthorizedClient::new(session, "https://api.vendor.example/rest")?;
    /// let refusal = br#"{"type":"ISV","code":"IncompleteSignature","message":"bad sign"}"#;
    /// let said = client.vendor_error(200, refusal).expect("an error envelope");
    /// assert_eq!(said.code.as_deref(), Some("IncompleteSignature"));
    /// assert!(client.vendor_error(200, br#"{"code":"0","data":{}}"#).is_none());
    /// assert!(client.vendor_error(404, b"<html>not found</html>").is_some());
    /// # Ok::<(), auth_core::Error>(())
    /// ```
    pub fn vendor_error(&self, status: u16, body: &[u8]) -> Option<VendorSaid> {
        let token = self.session.cached_token();
        let redactor = self.session.redactor(token.as_deref());
        match inspect::error_envelope(self.session.spec(), body, &redactor) {
            Some(said) => Some(said),
            None => (status >= 400).then(VendorSaid::default),
        }
    }

    /// A `GET` request to `path` (relative to the base URL; empty, or only a `?query`, for the
    /// base URL itself) or to an absolute URL. Parameters in it are sent, and signed, like
    /// those given to [`AuthorizedRequest::query`].
    pub fn get(&self, path: &str) -> AuthorizedRequest {
        self.request(reqwest::Method::GET, path)
    }

    /// A `POST` request.
    pub fn post(&self, path: &str) -> AuthorizedRequest {
        self.request(reqwest::Method::POST, path)
    }

    /// A `PUT` request.
    pub fn put(&self, path: &str) -> AuthorizedRequest {
        self.request(reqwest::Method::PUT, path)
    }

    /// A `PATCH` request.
    pub fn patch(&self, path: &str) -> AuthorizedRequest {
        self.request(reqwest::Method::PATCH, path)
    }

    /// A `DELETE` request.
    pub fn delete(&self, path: &str) -> AuthorizedRequest {
        self.request(reqwest::Method::DELETE, path)
    }

    /// A request with any method.
    pub fn request(&self, method: reqwest::Method, path: &str) -> AuthorizedRequest {
        AuthorizedRequest::new(self.clone(), method, path)
    }
}
