//! Wahool Open API: access and secret key in a JSON body; the token already starts with
//! `Bearer ` and is sent back exactly as returned; `expiresIn` is in milliseconds (number or
//! string), whatever the table says.

use auth_core::{Secret, login_endpoint};

/// The test environment's base URL.
pub const TEST_BASE_URL: &str = "https://open-api.test.wahool.com";
/// The login path of a later revision of the docs (same body and response). Pass it to
/// `SessionBuilder::login_path` to use it.
pub const AUTHORIZATION_PATH: &str = "/seller/202405/authorization";

/// Wahool's token endpoint (`POST /seller/202405/auth/get-access-token`).
///
/// ```
/// use auth_core::LoginEndpoint;
/// use auth_core::spec::Lifetime;
/// use vendors::wahool::WahoolLogin;
///
/// assert_eq!(WahoolLogin::SPEC.default_base_url(), Some("https://open-api.wahool.com"));
/// assert!(matches!(WahoolLogin::SPEC.lifetime(), Lifetime::Millis(_)));
/// ```
#[login_endpoint(
    vendor = "Wahool",
    path = "/seller/202405/auth/get-access-token",
    base_url = "https://open-api.wahool.com",
    body = json,
    rename_all = camelCase,
    success("code" = 200),
    error_code = "code",
    error_message = "message",
    token_field = "data.accessToken",
    lifetime = millis("data.expiresIn"),
    send_as = header("Authorization")
)]
#[derive(Debug, Clone)]
pub struct WahoolLogin {
    /// The access key (`accessKey`).
    pub access_key: String,
    /// The secret key (`secretKey`).
    pub secret_key: Secret,
}

impl WahoolLogin {
    /// Credentials for a login.
    pub fn new(access_key: impl Into<String>, secret_key: Secret) -> Self {
        WahoolLogin {
            access_key: access_key.into(),
            secret_key,
        }
    }
}
