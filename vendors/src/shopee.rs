//! Shopee Open Platform v2.
//!
//! - Hosts: `https://partner.shopeemobile.com` ([`BASE_URL`], servers near Singapore),
//!   `https://openplatform.shopee.com.br` (near the US), `https://openplatform.shopee.cn`
//!   (Chinese Mainland); sandbox `https://openplatform.sandbox.test-stable.shopee.sg`
//!   ([`SANDBOX_BASE_URL`]). Test and live partner ids are not interchangeable.
//! - The seller's consent page is the signed [`auth_partner_url`]; it returns a `code` (single
//!   use, 10 minutes).
//! - Token calls are signed ([`auth_core::signing::ShopeeSha256`]: HMAC-SHA256 of
//!   `partner_id + path + timestamp` keyed by the partner key, which is never sent), with
//!   `partner_id`, `timestamp` and `sign` in the query and a JSON body whose ids are integers;
//!   `partner_id` goes in both.
//! - Success is an empty `error` (HTTP 200 carries errors too). A token lives 4 hours; each
//!   refresh returns a new refresh token (single use, 30 days), which the session keeps.
//! - Shop calls carry `partner_id`, `timestamp`, `access_token`, `shop_id` and `sign` in the
//!   query, signed over `partner_id + path + timestamp + access_token + shop_id`.
//!   `invalid_acceess_token` (Shopee's spelling) and `invalid_access_token` reject the token.
//!   `error_server` and `error_network` are taken as transient and `error_rate_limit` as a rate
//!   limit, as integrators' error maps do (Shopee documents no retry codes).
//!
//! **`expire_in`.** Every guide sample is a duration in seconds; one API-reference sample is
//! reported to show a Unix time. Declared as seconds: a Unix time there is refused by name
//! (`EpochAsDuration`) rather than kept for decades.

use std::time::SystemTime;

use auth_core::signing::ShopeeSha256;
use auth_core::{Secret, login_endpoint};
use url::Url;

/// The production host near Singapore.
pub const BASE_URL: &str = "https://partner.shopeemobile.com";
/// The production host near the US.
pub const BASE_URL_US: &str = "https://openplatform.shopee.com.br";
/// The production host for the Chinese Mainland.
pub const BASE_URL_CN: &str = "https://openplatform.shopee.cn";
/// Shopee's sandbox.
pub const SANDBOX_BASE_URL: &str = "https://openplatform.sandbox.test-stable.shopee.sg";
/// The path of the signed consent page.
pub const AUTH_PARTNER_PATH: &str = "/api/v2/shop/auth_partner";

/// Exchanges a shop's authorization code (`POST /api/v2/auth/token/get`).
///
/// ```
/// use auth_core::LoginEndpoint;
/// use vendors::shopee::ShopeeLogin;
///
/// assert_eq!(ShopeeLogin::SPEC.path(), "/api/v2/auth/token/get");
/// assert!(ShopeeLogin::REFRESH.is_some());
/// ```
#[login_endpoint(
    vendor = "Shopee",
    base_url = "https://partner.shopeemobile.com",
    path = "/api/v2/auth/token/get",
    body = json,
    sign = ShopeeSha256,
    success("error" = ""),
    error_code = "error",
    error_message = "message",
    transient("error_server", "error_network"),
    rate_limited("error_rate_limit"),
    token_field = "access_token",
    lifetime = seconds("expire_in"),
    refresh_token = "refresh_token",
    // Not in the answer: "each refresh_token is valid for 30 days" (and used once).
    refresh_lifetime = fixed("30d"),
    token_rejected("invalid_acceess_token", "invalid_access_token"),
    send_as = query("access_token"),
    refresh = ShopeeRefresh
)]
#[derive(Debug, Clone)]
pub struct ShopeeLogin {
    /// The partner id, in the query and in the body, and on every shop call.
    #[login(also_query, every_request)]
    pub partner_id: u64,
    /// The partner key: keys every signature, never sent.
    #[login(signing_key)]
    pub partner_key: Secret,
    /// The code from the consent redirect.
    pub code: Secret,
    /// The shop, also on every shop call.
    #[login(every_request)]
    pub shop_id: u64,
}

/// Renews with the newest refresh token (`POST /api/v2/auth/access_token/get`).
#[login_endpoint(
    vendor = "Shopee",
    base_url = "https://partner.shopeemobile.com",
    path = "/api/v2/auth/access_token/get",
    body = json,
    sign = ShopeeSha256,
    success("error" = ""),
    error_code = "error",
    error_message = "message",
    transient("error_server", "error_network"),
    rate_limited("error_rate_limit"),
    token_field = "access_token",
    lifetime = seconds("expire_in"),
    refresh_token = "refresh_token",
    // Not in the answer: "each refresh_token is valid for 30 days" (and used once).
    refresh_lifetime = fixed("30d"),
    send_as = query("access_token"),
    // A wrong or spent refresh token, an expired one, or a lapsed authorization; not
    // `error_auth`, which also means a bad signature (MARKETPLACES.md, Shopee).
    refresh_refused(
        "error_shop_refresh_token",
        "error_merchant_refresh_token",
        "refresh_token_expired",
        "shop_access_expired",
        "merchant_access_expired"
    ),
    refreshes = ShopeeLogin
)]
#[derive(Debug, Clone)]
pub struct ShopeeRefresh {
    /// The partner id.
    #[login(also_query)]
    pub partner_id: u64,
    /// The partner key.
    #[login(signing_key)]
    pub partner_key: Secret,
    /// The newest refresh token.
    #[login(refresh_token)]
    pub refresh_token: Secret,
    /// The shop.
    pub shop_id: u64,
}

/// The signed consent page: `{base}/api/v2/shop/auth_partner?partner_id=..&timestamp=..&sign=..&redirect=..`,
/// valid for 5 minutes from `now`.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use auth_core::Secret;
///
/// let now = UNIX_EPOCH + Duration::from_secs(1_655_714_431);
/// let url = vendors::shopee::auth_partner_url(
///     vendors::shopee::BASE_URL, 2001887, &Secret::from("test_partner_key"), "https://app.example/cb", now,
/// )
/// .unwrap();
/// let sign = auth_core::signing::shopee::signature(
///     "test_partner_key", "2001887", "/api/v2/shop/auth_partner", "1655714431", None,
/// );
/// assert_eq!(
///     url.as_str(),
///     format!("https://partner.shopeemobile.com/api/v2/shop/auth_partner?partner_id=2001887&timestamp=1655714431&sign={sign}&redirect=https%3A%2F%2Fapp.example%2Fcb")
/// );
/// ```
pub fn auth_partner_url(
    base: &str,
    partner_id: u64,
    partner_key: &Secret,
    redirect: &str,
    now: SystemTime,
) -> Result<Url, url::ParseError> {
    // The base may carry a path of its own (a gateway, the sandbox's prefix): the page is below it.
    let mut url = Url::parse(&format!(
        "{}{AUTH_PARTNER_PATH}",
        base.trim_end_matches('/')
    ))?;
    let timestamp = now
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
        .to_string();
    let partner = partner_id.to_string();
    let sign = auth_core::signing::shopee::signature(
        partner_key.expose(),
        &partner,
        AUTH_PARTNER_PATH,
        &timestamp,
        None,
    );
    url.query_pairs_mut()
        .append_pair("partner_id", &partner)
        .append_pair("timestamp", &timestamp)
        .append_pair("sign", &sign)
        .append_pair("redirect", redirect);
    Ok(url)
}

/// The partner's credentials, the same for every shop that approved it.
#[derive(Debug, Clone)]
pub struct ShopeeApp {
    /// The partner id.
    pub partner_id: u64,
    /// The partner key: keys every signature, never sent.
    pub partner_key: Secret,
}

/// The answer does not name the shop: the consent redirect's `shop_id` comes with the code, and
/// is the seller's id.
impl auth_core::CodeGrant for ShopeeLogin {
    type App = ShopeeApp;
    fn with_code(
        app: &ShopeeApp,
        seller: Option<&str>,
        code: Secret,
    ) -> Result<Self, auth_core::ConfigError> {
        let seller = seller.ok_or(auth_core::ConfigError::SellerRequired)?;
        let shop_id = shop_id(seller)?;
        Ok(ShopeeLogin {
            partner_id: app.partner_id,
            partner_key: app.partner_key.clone(),
            code,
            shop_id,
        })
    }

    fn seller_id(seller: &str) -> Result<String, auth_core::ConfigError> {
        shop_id(seller).map(|id| id.to_string())
    }
}

/// A shop id as Shopee writes it (a whole number): `+123` and `0123` are shop 123.
fn shop_id(seller: &str) -> Result<u64, auth_core::ConfigError> {
    seller
        .parse()
        .map_err(|_| auth_core::ConfigError::BadSellerId {
            seller: seller.chars().take(64).collect(),
            expected: "a Shopee shop_id is a whole number",
        })
}

/// The sessions of the partner's shops, from one store (see [`auth_core::SellerDirectory`]).
pub fn directory(app: ShopeeApp) -> auth_core::SellerDirectoryBuilder<ShopeeLogin> {
    auth_core::SellerDirectory::builder(app)
}
