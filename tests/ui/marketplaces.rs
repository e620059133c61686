// The logins of the marketplaces most integrators meet first, each declared exactly as its
// documents say (../shared/MARKETPLACES.md): no fake fields, no hand-written headers.
// Included by the UI pass case `pass/marketplaces.rs` and by `tests/marketplace_logins.rs`.

use auth_core::signing::{ShopeeSha256, TiktokSha256};
use auth_core::{Secret, login_endpoint};

/// Amazon SP-API (Login with Amazon): the seller's refresh token is the login; it never rotates.
#[login_endpoint(
    oauth2,
    vendor = "Amazon",
    base_url = "https://api.amazon.com",
    path = "/auth/o2/token",
    param("grant_type" = "refresh_token"),
    send_as = header("x-amz-access-token"),
)]
pub struct AmazonLogin {
    pub refresh_token: Secret,
    pub client_id: String,
    pub client_secret: Secret,
}

/// Amazon's grantless operations: client credentials with a scope.
#[login_endpoint(
    oauth2,
    vendor = "Amazon",
    base_url = "https://api.amazon.com",
    path = "/auth/o2/token",
    param("grant_type" = "client_credentials"),
    send_as = header("x-amz-access-token"),
)]
pub struct AmazonGrantless {
    pub scope: String,
    pub client_id: String,
    pub client_secret: Secret,
}

/// eBay's application token: client credentials, the client authenticated with HTTP Basic.
#[login_endpoint(
    oauth2,
    vendor = "eBay",
    base_url = "https://api.ebay.com",
    path = "/identity/v1/oauth2/token",
    param("grant_type" = "client_credentials"),
    param("scope" = "https://api.ebay.com/oauth/api_scope"),
)]
pub struct EbayApplication {
    #[login(basic_user)]
    pub client_id: String,
    #[login(basic_password)]
    pub client_secret: Secret,
}

/// Walmart Marketplace: client credentials with HTTP Basic, a service name and a fresh
/// correlation id on the token call and on every later request.
#[login_endpoint(
    oauth2,
    vendor = "Walmart",
    base_url = "https://marketplace.walmartapis.com",
    path = "/v3/token",
    param("grant_type" = "client_credentials"),
    header("WM_SVC.NAME" = "Walmart Marketplace"),
    header("WM_QOS.CORRELATION_ID" = uuid),
    error_code = "error.0.code",
    error_message = "error.0.description",
    send_as = header("WM_SEC.ACCESS_TOKEN"),
    request_header("WM_SVC.NAME" = "Walmart Marketplace"),
    request_header("WM_QOS.CORRELATION_ID" = uuid),
    request_header("Accept" = "application/json"),
)]
pub struct WalmartLogin {
    #[login(basic_user)]
    pub client_id: String,
    #[login(basic_password)]
    pub client_secret: Secret,
}

/// TikTok Shop: a GET code exchange with the secret in the query; the expiry is a Unix time;
/// later requests are signed with the secret and carry the token in `x-tts-access-token`.
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
    token_rejected(105001, 105002),
    send_as = header("x-tts-access-token"),
    request_sign = TiktokSha256,
    refresh = TiktokRefresh,
)]
pub struct TiktokLogin {
    #[login(every_request)]
    pub app_key: String,
    #[login(signing_key)]
    pub app_secret: Secret,
    pub auth_code: Secret,
}

/// TikTok Shop's refresh: the refresh token rotates.
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
    refreshes = TiktokLogin,
)]
pub struct TiktokRefresh {
    pub app_key: String,
    pub app_secret: Secret,
    #[login(refresh_token)]
    pub refresh_token: Secret,
}

/// Shopee Open Platform v2: a signed code exchange; `partner_id` in the query and, as an
/// integer, in the JSON body; success is an empty `error`.
#[login_endpoint(
    vendor = "Shopee",
    base_url = "https://partner.shopeemobile.com",
    path = "/api/v2/auth/token/get",
    body = json,
    sign = ShopeeSha256,
    success("error" = ""),
    error_code = "error",
    error_message = "message",
    token_field = "access_token",
    lifetime = seconds("expire_in"),
    refresh_token = "refresh_token",
    token_rejected("invalid_acceess_token", "invalid_access_token"),
    send_as = query("access_token"),
    refresh = ShopeeRefresh,
)]
pub struct ShopeeLogin {
    #[login(also_query, every_request)]
    pub partner_id: u64,
    #[login(signing_key)]
    pub partner_key: Secret,
    pub code: Secret,
    #[login(every_request)]
    pub shop_id: u64,
}

/// Shopee's refresh: signed like the exchange; the refresh token is single use and rotates.
#[login_endpoint(
    vendor = "Shopee",
    base_url = "https://partner.shopeemobile.com",
    path = "/api/v2/auth/access_token/get",
    body = json,
    sign = ShopeeSha256,
    success("error" = ""),
    error_code = "error",
    error_message = "message",
    token_field = "access_token",
    lifetime = seconds("expire_in"),
    refresh_token = "refresh_token",
    send_as = query("access_token"),
    refreshes = ShopeeLogin,
)]
pub struct ShopeeRefresh {
    #[login(also_query)]
    pub partner_id: u64,
    #[login(signing_key)]
    pub partner_key: Secret,
    #[login(refresh_token)]
    pub refresh_token: Secret,
    pub shop_id: u64,
}

/// Mercado Libre: an authorization-code exchange in a form body.
#[login_endpoint(
    oauth2,
    vendor = "Mercado Libre",
    base_url = "https://api.mercadolibre.com",
    path = "/oauth/token",
    param("grant_type" = "authorization_code"),
    refresh_token = "refresh_token",
    account = "user_id",
    refresh = MercadoLibreRefresh,
)]
pub struct MercadoLibreLogin {
    pub client_id: String,
    pub client_secret: Secret,
    pub code: Secret,
    pub redirect_uri: String,
}

/// Mercado Libre's refresh: single use, rotating.
#[login_endpoint(
    oauth2,
    vendor = "Mercado Libre",
    base_url = "https://api.mercadolibre.com",
    path = "/oauth/token",
    param("grant_type" = "refresh_token"),
    refresh_token = "refresh_token",
    account = "user_id",
    refreshes = MercadoLibreLogin,
)]
pub struct MercadoLibreRefresh {
    pub client_id: String,
    pub client_secret: Secret,
    #[login(refresh_token)]
    pub refresh_token: Secret,
}

/// Etsy Open API v3: a public client (no secret on the token call) with PKCE, and `x-api-key`
/// beside the Bearer token on every request.
#[login_endpoint(
    oauth2,
    vendor = "Etsy",
    base_url = "https://api.etsy.com",
    path = "/v3/public/oauth/token",
    param("grant_type" = "authorization_code"),
    refresh_token = "refresh_token",
)]
pub struct EtsyLogin {
    pub client_id: String,
    pub redirect_uri: String,
    pub code: Secret,
    pub code_verifier: Secret,
    #[login(header = "x-api-key", every_request)]
    pub api_key: Secret,
}
