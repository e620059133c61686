//! iGV seller API: e-mail and password in a JSON body, a `Bearer` token whose lifetime is in
//! seconds. No refresh endpoint is documented, so an expired token means a new login.

use auth_core::{Secret, login_endpoint};

/// The documented equivalent of the default base URL.
pub const ALTERNATE_BASE_URL: &str = "https://www.igv.com/api/merchant-api";

/// iGV's seller login (`POST /seller/auth/login`).
///
/// Later requests carry `Authorization: {tokenType} {accessToken}`; the lifetime is the
/// returned `expiresIn`, whatever the documented default says.
///
/// ```
/// use auth_core::LoginEndpoint;
/// use vendors::igv::IgvLogin;
///
/// assert_eq!(IgvLogin::SPEC.path(), "/seller/auth/login");
/// assert_eq!(
///     IgvLogin::SPEC.default_base_url(),
///     Some("https://paas-gateway.imetastore.io/merchant-api")
/// );
/// ```
#[login_endpoint(
    vendor = "iGV",
    path = "/seller/auth/login",
    base_url = "https://paas-gateway.imetastore.io/merchant-api",
    body = json,
    success("code" = "0000"),
    error_code = "code",
    error_message = "msg",
    token_field = "data.accessToken",
    scheme = field("data.tokenType"),
    lifetime = seconds("data.expiresIn"),
    refresh_token = "data.refreshToken",
    send_as = header("Authorization")
)]
#[derive(Debug, Clone)]
pub struct IgvLogin {
    /// The iGV system login e-mail.
    pub email: String,
    /// The iGV system login password, sent as it is (iGV does not hash it).
    pub password: Secret,
}

impl IgvLogin {
    /// Credentials for a login.
    pub fn new(email: impl Into<String>, password: Secret) -> Self {
        IgvLogin {
            email: email.into(),
            password,
        }
    }
}
