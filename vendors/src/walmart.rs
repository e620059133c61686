//! Walmart Marketplace (US; the MX, CA and global variants share the token call).
//!
//! - Token host: `https://marketplace.walmartapis.com` ([`BASE_URL`]); sandbox
//!   `https://sandbox.walmartapis.com` ([`SANDBOX_BASE_URL`]). Business calls go to the same
//!   host.
//! - Client credentials with `Authorization: Basic base64(clientId:clientSecret)`; no refresh
//!   token: a token lives 900 s and renewal is a new login.
//! - Every call, the token call included, carries `WM_SVC.NAME` and a fresh GUID in
//!   `WM_QOS.CORRELATION_ID`, and `Accept: application/json` (without it the answer is XML).
//!   Later requests carry the token raw in `WM_SEC.ACCESS_TOKEN`.
//! - Errors are an array under `error`: the code and message are read at `error.0.code` and
//!   `error.0.description`. 401 means a missing, expired or wrong-environment token.
//!
//! **The Basic header on business calls.** The Chile and Mexico guides list `Authorization:
//! Basic` among the headers of every call; the US SDK sends only `WM_SEC.ACCESS_TOKEN`. It is
//! not sent here: the client secret then goes to the token call alone, and the US documents do
//! not require it.

use auth_core::{Secret, login_endpoint};

/// Where every call goes.
pub const BASE_URL: &str = "https://marketplace.walmartapis.com";
/// Where every call goes in Walmart's sandbox.
pub const SANDBOX_BASE_URL: &str = "https://sandbox.walmartapis.com";
/// The service name sent on every call.
pub const SERVICE_NAME: &str = "Walmart Marketplace";

/// A token by client credentials (`POST /v3/token`).
///
/// ```
/// use auth_core::LoginEndpoint;
/// use auth_core::spec::SendAs;
/// use vendors::walmart::WalmartLogin;
///
/// assert_eq!(WalmartLogin::SPEC.token_placement(), SendAs::Header("WM_SEC.ACCESS_TOKEN"));
/// ```
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
    request_header("Accept" = "application/json")
)]
#[derive(Debug, Clone)]
pub struct WalmartLogin {
    /// The client id: the Basic user.
    #[login(basic_user)]
    pub client_id: String,
    /// The client secret: the Basic password.
    #[login(basic_password)]
    pub client_secret: Secret,
}
