//! IceKredit: merchant name and MD5 of the password in a form body with `Language: en`; a
//! `token_id` valid 20 minutes from the last valid request, sent back in a `token_id` header.
//!
//! Error codes of the seed's table and their classes: `10000429` rate limit; `02`, `10000001`
//! transient; `10000400`, `10000404`, `10000405`, `10000415` protocol (our request is wrong);
//! every other code (`200002` credentials, `200008` locked, `200009` expired, `200010`, `200020`,
//! `200007`, and on later calls `200005`, `10000401`, `200006`) is a rejection, never retried.

use auth_core::{Secret, login_endpoint};

/// The service domain; like the login domain, IceKredit sends each merchant its own by e-mail.
pub const SERVICE_BASE_URL: &str = "https://api-ng.icekredit.ai";
/// The codes of a later request that mean the token is no longer valid: log in again.
pub const TOKEN_REJECTED_CODES: [&str; 3] = ["200005", "10000401", "200006"];
/// The request timeout the vendor recommends.
pub const RECOMMENDED_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);

/// IceKredit's login (`POST /api/login.do`).
///
/// ```
/// use auth_core::LoginEndpoint;
/// use vendors::icekredit::IceKreditLogin;
///
/// assert!(IceKreditLogin::SPEC.is_sliding());
/// ```
#[login_endpoint(
    vendor = "IceKredit",
    path = "/api/login.do",
    base_url = "https://sso-ng.icekredit.ai",
    body = form,
    hash = md5,
    header("Language" = "en"),
    request_header("Language" = "en"),
    success("response_code" = "00"),
    error_code = "response_code",
    error_message = ["response_msg", "message"],
    transient("02", "10000001"),
    rate_limited("10000429"),
    protocol("10000400", "10000404", "10000405", "10000415"),
    token_rejected("200005", "10000401", "200006"),
    token_field = "token_id",
    lifetime = fixed("20m"),
    sliding,
    send_as = header("token_id")
)]
#[derive(Debug, Clone)]
pub struct IceKreditLogin {
    /// The merchant name.
    pub merchant_name: String,
    /// The plain password: the SDK sends its MD5 (32 lower-case hex digits).
    #[login(hashed)]
    pub merchant_pwd: Secret,
}

impl IceKreditLogin {
    /// Credentials for a login, with the plain password.
    pub fn new(merchant_name: impl Into<String>, password: Secret) -> Self {
        IceKreditLogin {
            merchant_name: merchant_name.into(),
            merchant_pwd: password,
        }
    }
}
