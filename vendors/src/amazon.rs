//! Amazon Selling Partner API, authorised by Login with Amazon (LWA).
//!
//! - Token host: `https://api.amazon.com` ([`TOKEN_BASE_URL`]) for every region and for the
//!   sandbox alike; only the API host changes ([`API_BASE_URLS`], [`SANDBOX_API_BASE_URLS`]).
//! - The seller's LWA refresh token is the login ([`AmazonLogin`]): it never rotates (the
//!   answer echoes it), so a session simply logs in again with it. Grantless operations use
//!   client credentials and a scope ([`AmazonGrantless`]).
//! - Later requests carry `x-amz-access-token: <token>`, raw; SigV4 is no longer required.
//! - An expired or revoked token is answered with HTTP 403 (not 401), which the authorised
//!   client always takes for a rejected token.
//! - A seller authorizes a public app on Seller Central's consent page ([`consent_url`]); Amazon
//!   then sends the browser back with `spapi_oauth_code`, exchanged once at the token host
//!   (`grant_type=authorization_code`) for the refresh token [`AmazonLogin`] takes.
//!
//! **Form or JSON.** The developer guide posts a form; Amazon's Java client posts JSON with the
//! same names, and the endpoint accepts both. The form is declared here: it is what the
//! documentation specifies, and a form-encoded refresh token keeps its `|` as `%7C`.

use auth_core::{Secret, login_endpoint};
use url::Url;

/// Seller Central in North America, whose consent page starts the website authorization
/// workflow; sellers of other regions use their region's Seller Central.
pub const SELLER_CENTRAL_URL: &str = "https://sellercentral.amazon.com";

/// Where LWA token calls go, for every region.
pub const TOKEN_BASE_URL: &str = "https://api.amazon.com";

/// The SP-API hosts by region.
pub const API_BASE_URLS: [(&str, &str); 3] = [
    ("na", "https://sellingpartnerapi-na.amazon.com"),
    ("eu", "https://sellingpartnerapi-eu.amazon.com"),
    ("fe", "https://sellingpartnerapi-fe.amazon.com"),
];

/// The SP-API sandbox hosts by region (the token host stays [`TOKEN_BASE_URL`]).
pub const SANDBOX_API_BASE_URLS: [(&str, &str); 3] = [
    ("na", "https://sandbox.sellingpartnerapi-na.amazon.com"),
    ("eu", "https://sandbox.sellingpartnerapi-eu.amazon.com"),
    ("fe", "https://sandbox.sellingpartnerapi-fe.amazon.com"),
];

/// The grantless scopes the guide documents.
pub const SCOPE_NOTIFICATIONS: &str = "sellingpartnerapi::notifications";
/// See [`SCOPE_NOTIFICATIONS`].
pub const SCOPE_MIGRATION: &str = "sellingpartnerapi::migration";

/// A seller's access token from their LWA refresh token (`grant_type=refresh_token`).
///
/// ```
/// use auth_core::LoginEndpoint;
/// use auth_core::spec::SendAs;
/// use vendors::amazon::AmazonLogin;
///
/// assert_eq!(AmazonLogin::SPEC.path(), "/auth/o2/token");
/// assert_eq!(AmazonLogin::SPEC.token_placement(), SendAs::Header("x-amz-access-token"));
/// ```
#[login_endpoint(
    oauth2,
    vendor = "Amazon",
    base_url = "https://api.amazon.com",
    path = "/auth/o2/token",
    param("grant_type" = "refresh_token"),
    send_as = header("x-amz-access-token")
)]
#[derive(Debug, Clone)]
pub struct AmazonLogin {
    /// The seller's LWA refresh token (`Atzr|...`).
    pub refresh_token: Secret,
    /// The application's LWA client id.
    pub client_id: String,
    /// The application's LWA client secret (it rotates: Amazon can retire it).
    pub client_secret: Secret,
}

impl AmazonLogin {
    /// A seller's login.
    pub fn new(client_id: impl Into<String>, client_secret: Secret, refresh_token: Secret) -> Self {
        AmazonLogin {
            refresh_token,
            client_id: client_id.into(),
            client_secret,
        }
    }
}

/// The one-time exchange that ends the consent workflow: the `spapi_oauth_code` Amazon sent
/// back, for the seller's refresh token (`grant_type=authorization_code`). Keep
/// `Token::refresh_token` and log in with [`AmazonLogin`] from then on.
#[login_endpoint(
    oauth2,
    vendor = "Amazon",
    base_url = "https://api.amazon.com",
    path = "/auth/o2/token",
    param("grant_type" = "authorization_code"),
    refresh_token = "refresh_token",
    // "It stays valid until the seller revokes the authorization" (MARKETPLACES.md §1).
    refresh_lifetime = never,
    send_as = header("x-amz-access-token"),
    refresh = AmazonRefresh
)]
#[derive(Debug, Clone)]
pub struct AmazonCodeExchange {
    /// The `spapi_oauth_code` from the consent redirect.
    pub code: Secret,
    /// The redirect URI the code was sent to.
    pub redirect_uri: String,
    /// The application's LWA client id.
    pub client_id: String,
    /// The application's LWA client secret.
    pub client_secret: Secret,
}

/// Renews a seller's tokens after a code exchange, with the seller's refresh token
/// (`grant_type=refresh_token`; Amazon does not rotate it).
#[login_endpoint(
    oauth2,
    vendor = "Amazon",
    base_url = "https://api.amazon.com",
    path = "/auth/o2/token",
    param("grant_type" = "refresh_token"),
    refresh_token = "refresh_token",
    send_as = header("x-amz-access-token"),
    refreshes = AmazonCodeExchange
)]
#[derive(Debug, Clone)]
pub struct AmazonRefresh {
    /// The seller's LWA refresh token (`Atzr|...`).
    #[login(refresh_token)]
    pub refresh_token: Secret,
    /// The application's LWA client id.
    pub client_id: String,
    /// The application's LWA client secret.
    pub client_secret: Secret,
}

/// The application's LWA credentials and its registered redirect, the same for every seller.
#[derive(Debug, Clone)]
pub struct AmazonApp {
    /// The application's LWA client id.
    pub client_id: String,
    /// The application's LWA client secret.
    pub client_secret: Secret,
    /// The redirect URI registered for the application.
    pub redirect_uri: String,
}

/// The token answer does not name the seller: the consent redirect's `selling_partner_id`
/// comes with the `spapi_oauth_code`, and is the seller's id.
impl auth_core::CodeGrant for AmazonCodeExchange {
    type App = AmazonApp;
    fn with_code(
        app: &AmazonApp,
        seller: Option<&str>,
        code: Secret,
    ) -> Result<Self, auth_core::ConfigError> {
        seller.ok_or(auth_core::ConfigError::SellerRequired)?;
        Ok(AmazonCodeExchange {
            code,
            redirect_uri: app.redirect_uri.clone(),
            client_id: app.client_id.clone(),
            client_secret: app.client_secret.clone(),
        })
    }
}

/// The sessions of the application's sellers, from one store (see
/// [`auth_core::SellerDirectory`]).
pub fn directory(app: AmazonApp) -> auth_core::SellerDirectoryBuilder<AmazonCodeExchange> {
    auth_core::SellerDirectory::builder(app)
}

/// An application token for grantless operations (`grant_type=client_credentials` and a
/// scope). Several scopes are joined with one space.
#[login_endpoint(
    oauth2,
    vendor = "Amazon",
    base_url = "https://api.amazon.com",
    path = "/auth/o2/token",
    param("grant_type" = "client_credentials"),
    send_as = header("x-amz-access-token")
)]
#[derive(Debug, Clone)]
pub struct AmazonGrantless {
    /// The scope, such as [`SCOPE_NOTIFICATIONS`].
    pub scope: String,
    /// The application's LWA client id.
    pub client_id: String,
    /// The application's LWA client secret.
    pub client_secret: Secret,
}

/// Seller Central's consent page for the app `application_id`:
/// `{seller_central}/apps/authorize/consent?application_id=..&state=..`, with `version=beta` for an
/// app still in draft status.
///
/// ```
/// let url = vendors::amazon::consent_url(
///     vendors::amazon::SELLER_CENTRAL_URL,
///     "amzn1.sp.solution.example",
///     "stateexample",
///     true,
/// )
/// .unwrap();
/// assert_eq!(
///     url.as_str(),
///     "https://sellercentral.amazon.com/apps/authorize/consent?application_id=amzn1.sp.solution.example&state=stateexample&version=beta"
/// );
/// ```
pub fn consent_url(
    seller_central: &str,
    application_id: &str,
    state: &str,
    draft: bool,
) -> Result<Url, url::ParseError> {
    let mut url = Url::parse(&format!(
        "{}/apps/authorize/consent",
        seller_central.trim_end_matches('/')
    ))?;
    url.query_pairs_mut()
        .append_pair("application_id", application_id)
        .append_pair("state", state);
    if draft {
        url.query_pairs_mut().append_pair("version", "beta");
    }
    Ok(url)
}
