//! TikTok Shop Partner API (API version 202309 and later).
//!
//! - Token calls go to `https://auth.tiktok-shops.com` ([`AUTH_BASE_URL`]) as GETs with the app
//!   secret in the query, unsigned; business calls go to
//!   `https://open-api.tiktokglobalshop.com` ([`API_BASE_URL`]). TikTok runs no sandbox for
//!   these versions: test shops live in production.
//! - The seller's consent page is [`consent_url`]; it returns an `auth_code` (single use).
//! - `access_token_expire_in` is the expiry as a Unix time in seconds (about a week out), not a
//!   duration: declared `unix_seconds`, so a misreading fails loudly instead of keeping a token
//!   for decades. Each refresh returns a new refresh token, which the session keeps.
//! - Success is `code == 0` with the payload under `data`. Later requests carry
//!   `x-tts-access-token: <token>` and the query parameters `app_key`, `timestamp` and `sign`
//!   ([`auth_core::signing::TiktokSha256`], keyed by the app secret, over the path, the sorted
//!   query and the exact body). `105002` (expired) and `105001` (invalid) reject the token.
//!
//! **GET or POST.** TikTok's SDK sends the token calls as GETs; some integrators post JSON.
//! GET is declared here, as the SDK and its tests do.

use auth_core::signing::TiktokSha256;
use auth_core::{Secret, login_endpoint};
use url::Url;

/// Where token calls go.
pub const AUTH_BASE_URL: &str = "https://auth.tiktok-shops.com";
/// Where business calls go.
pub const API_BASE_URL: &str = "https://open-api.tiktokglobalshop.com";
/// The seller consent page.
pub const AUTHORIZE_URL: &str = "https://auth.tiktok-shops.com/oauth/authorize";

/// Exchanges a seller's `auth_code` (`GET /api/v2/token/get`).
///
/// ```
/// use auth_core::LoginEndpoint;
/// use vendors::tiktok::TiktokLogin;
///
/// assert_eq!(TiktokLogin::REFRESH.map(|r| r.path()), Some("/api/v2/token/refresh"));
/// ```
#[login_endpoint(
    vendor = "TikTok Shop",
    base_url = "https://auth.tiktok-shops.com",
    path = "/api/v2/token/get",
    method = GET,
    param("grant_type" = "authorized_code"),
    success("code" = 0),
    error_code = "code",
    error_message = "message",
    token_field = "data.access_token",
    lifetime = unix_seconds("data.access_token_expire_in"),
    refresh_token = "data.refresh_token",
    // An absolute Unix time in seconds, like the access token's (about a century out).
    refresh_lifetime = unix_seconds("data.refresh_token_expire_in"),
    account = "data.open_id",
    token_rejected(105001, 105002),
    send_as = header("x-tts-access-token"),
    request_sign = TiktokSha256,
    refresh = TiktokRefresh
)]
#[derive(Debug, Clone)]
pub struct TiktokLogin {
    /// The app key, also sent on every business call.
    #[login(every_request)]
    pub app_key: String,
    /// The app secret: sent on the token calls, and the key of every business call's signature.
    #[login(signing_key)]
    pub app_secret: Secret,
    /// The seller's authorization code.
    pub auth_code: Secret,
}

impl TiktokLogin {
    /// The exchange of `auth_code` for the app.
    pub fn new(app_key: impl Into<String>, app_secret: Secret, auth_code: Secret) -> Self {
        TiktokLogin {
            app_key: app_key.into(),
            app_secret,
            auth_code,
        }
    }
}

/// Renews with the newest refresh token (`GET /api/v2/token/refresh`); the answer carries a
/// new one.
#[login_endpoint(
    vendor = "TikTok Shop",
    base_url = "https://auth.tiktok-shops.com",
    path = "/api/v2/token/refresh",
    method = GET,
    param("grant_type" = "refresh_token"),
    success("code" = 0),
    error_code = "code",
    error_message = "message",
    token_field = "data.access_token",
    lifetime = unix_seconds("data.access_token_expire_in"),
    refresh_token = "data.refresh_token",
    // An absolute Unix time in seconds, like the access token's (about a century out).
    refresh_lifetime = unix_seconds("data.refresh_token_expire_in"),
    account = "data.open_id",
    // A bad or used refresh token; and 36004001, which an EcomPHP pull request reports as
    // "refresh token expired" (MARKETPLACES.md, TikTok Shop).
    refresh_refused(36004006, 36004001),
    refreshes = TiktokLogin
)]
#[derive(Debug, Clone)]
pub struct TiktokRefresh {
    /// The app key.
    pub app_key: String,
    /// The app secret (TikTok's token calls carry it in the query).
    pub app_secret: Secret,
    /// The newest refresh token.
    #[login(refresh_token)]
    pub refresh_token: Secret,
}

/// The seller consent page: `{authorize}?app_key=..&state=..`.
///
/// ```
/// let url = vendors::tiktok::consent_url("29a39d", "s-1").unwrap();
/// assert_eq!(url.as_str(), "https://auth.tiktok-shops.com/oauth/authorize?app_key=29a39d&state=s-1");
/// ```
pub fn consent_url(app_key: &str, state: &str) -> Result<Url, url::ParseError> {
    let mut url = Url::parse(AUTHORIZE_URL)?;
    url.query_pairs_mut()
        .append_pair("app_key", app_key)
        .append_pair("state", state);
    Ok(url)
}

/// The app's credentials, the same for every shop that approved it.
#[derive(Debug, Clone)]
pub struct TiktokApp {
    /// The app key.
    pub app_key: String,
    /// The app secret: keys every signature, never sent.
    pub app_secret: Secret,
}

/// The answer names the seller (`data.open_id`): the seller's id is not needed with the code.
impl auth_core::CodeGrant for TiktokLogin {
    type App = TiktokApp;
    fn with_code(
        app: &TiktokApp,
        _seller: Option<&str>,
        code: Secret,
    ) -> Result<Self, auth_core::ConfigError> {
        Ok(TiktokLogin::new(
            app.app_key.clone(),
            app.app_secret.clone(),
            code,
        ))
    }
}

/// The sessions of the app's sellers, from one store (see [`auth_core::SellerDirectory`]).
pub fn directory(app: TiktokApp) -> auth_core::SellerDirectoryBuilder<TiktokLogin> {
    auth_core::SellerDirectory::builder(app)
}
