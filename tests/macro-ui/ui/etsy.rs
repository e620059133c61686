// Etsy's login, declared as its documents say: a public client (no secret on the token call)
// with PKCE, and `x-api-key` beside the Bearer token on every request. Etsy is not a ready
// vendor; the declaration shows the grammar covers it. Included by the UI pass case
// `pass/marketplaces.rs` and by `tests/marketplace_logins.rs`.

use auth_core::{Secret, login_endpoint};

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
