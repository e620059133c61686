//! Mercado Libre (all sites).
//!
//! - The seller's consent page is [`consent_url`] (each site has its own authorization host).
//! - Token host: `https://api.mercadolibre.com` ([`BASE_URL`]) for every site; there is no
//!   separate sandbox host (test users live in production). Business calls go to the same host.
//! - An authorization-code exchange in a form body (never the query, as the best-practices page
//!   asks), with the client credentials as body fields. The answer names the user
//!   (`user_id`), which is the account the token acts for.
//! - A token lives 6 hours. Each refresh returns a new refresh token and spends the old one
//!   (single use); the session keeps the newest. The app needs the `offline_access` scope.
//! - Later requests carry `Authorization: Bearer <token>` (a token in the query is the old
//!   way). `invalid_grant` means the code or refresh token is expired or already used.
//!
//! **The refresh token's lifetime.** The old FAQ says refresh tokens never expire but work once;
//! newer pages are quoted as saying 6 months. Declared `never` (the FAQ), so its expiry reads as
//! unknown. Nothing here depends on it: a refused refresh token is forgotten and the session logs
//! in again, which with a spent code is a rejection asking for a new consent.

use auth_core::{Secret, login_endpoint};
use url::Url;

/// Where token and business calls go.
pub const BASE_URL: &str = "https://api.mercadolibre.com";
/// The consent page of the Argentine site, as the best-practices page shows it; each site has
/// its own authorization host, to be passed to [`consent_url`] instead.
pub const AUTHORIZE_URL: &str = "https://auth.mercadolibre.com.ar/authorization";

/// Exchanges an authorization code (`POST /oauth/token`, `grant_type=authorization_code`).
///
/// ```
/// use auth_core::LoginEndpoint;
/// use vendors::mercadolibre::MercadoLibreLogin;
///
/// assert_eq!(MercadoLibreLogin::SPEC.path(), "/oauth/token");
/// assert!(MercadoLibreLogin::REFRESH.is_some());
/// ```
#[login_endpoint(
    oauth2,
    vendor = "Mercado Libre",
    base_url = "https://api.mercadolibre.com",
    path = "/oauth/token",
    param("grant_type" = "authorization_code"),
    refresh_token = "refresh_token",
    // The old FAQ: "Refresh tokens do not have a time expiration, but will expire after their
    // first use". A 6-month validity is quoted for newer docs but unconfirmed: no date is
    // claimed rather than one that would list healthy sellers as at risk, or dying ones as safe.
    refresh_lifetime = never,
    account = "user_id",
    refresh = MercadoLibreRefresh
)]
#[derive(Debug, Clone)]
pub struct MercadoLibreLogin {
    /// The app id.
    pub client_id: String,
    /// The app's secret key.
    pub client_secret: Secret,
    /// The code from the consent redirect (`TG-...`, single use).
    pub code: Secret,
    /// The redirect URI registered for the app.
    pub redirect_uri: String,
}

/// Renews with the newest refresh token (`grant_type=refresh_token`).
#[login_endpoint(
    oauth2,
    vendor = "Mercado Libre",
    base_url = "https://api.mercadolibre.com",
    path = "/oauth/token",
    param("grant_type" = "refresh_token"),
    refresh_token = "refresh_token",
    // The old FAQ: "Refresh tokens do not have a time expiration, but will expire after their
    // first use". A 6-month validity is quoted for newer docs but unconfirmed: no date is
    // claimed rather than one that would list healthy sellers as at risk, or dying ones as safe.
    refresh_lifetime = never,
    account = "user_id",
    refreshes = MercadoLibreLogin
)]
#[derive(Debug, Clone)]
pub struct MercadoLibreRefresh {
    /// The app id.
    pub client_id: String,
    /// The app's secret key.
    pub client_secret: Secret,
    /// The newest refresh token.
    #[login(refresh_token)]
    pub refresh_token: Secret,
}

/// The consent page: `{authorize}?response_type=code&client_id=..&state=..&redirect_uri=..`.
/// The redirect URI must be the one registered for the app; `state` comes back with the code.
///
/// ```
/// let url = vendors::mercadolibre::consent_url(
///     vendors::mercadolibre::AUTHORIZE_URL,
///     "7616159722006050",
///     "https://app.example/cb",
///     "ABC123",
/// )
/// .unwrap();
/// assert_eq!(
///     url.as_str(),
///     "https://auth.mercadolibre.com.ar/authorization?response_type=code&client_id=7616159722006050&state=ABC123&redirect_uri=https%3A%2F%2Fapp.example%2Fcb"
/// );
/// ```
pub fn consent_url(
    authorize: &str,
    client_id: &str,
    redirect_uri: &str,
    state: &str,
) -> Result<Url, url::ParseError> {
    let mut url = Url::parse(authorize)?;
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", client_id)
        .append_pair("state", state)
        .append_pair("redirect_uri", redirect_uri);
    Ok(url)
}

/// The app's credentials, the same for every seller that approved it.
#[derive(Debug, Clone)]
pub struct MercadoLibreApp {
    /// The app id.
    pub client_id: String,
    /// The app's secret key.
    pub client_secret: Secret,
    /// The redirect URI registered for the app.
    pub redirect_uri: String,
}

/// The answer names the seller (`user_id`): the seller's id is not needed with the code.
impl auth_core::CodeGrant for MercadoLibreLogin {
    type App = MercadoLibreApp;
    fn with_code(
        app: &MercadoLibreApp,
        _seller: Option<&str>,
        code: Secret,
    ) -> Result<Self, auth_core::ConfigError> {
        Ok(MercadoLibreLogin {
            client_id: app.client_id.clone(),
            client_secret: app.client_secret.clone(),
            code,
            redirect_uri: app.redirect_uri.clone(),
        })
    }
}

/// The sessions of the app's sellers, from one store (see [`auth_core::SellerDirectory`]).
pub fn directory(app: MercadoLibreApp) -> auth_core::SellerDirectoryBuilder<MercadoLibreLogin> {
    auth_core::SellerDirectory::builder(app)
}
