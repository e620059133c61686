//! yz365 (tongueai): user name and MD5 of the password in the URL query with an empty body, a
//! `tenant-id` header; the token is a JWT whose `exp` claim is its lifetime.
//!
//! Later requests are not documented: the response envelope matches the Lilishop code base,
//! which reads a raw `accessToken` header (inferred), with `tenant-id` on every request. The
//! header name can be changed with `SessionBuilder::token_in_header`.

use auth_core::{Secret, login_endpoint};

/// yz365's login (`POST /seller/passport/login/user?username=...&password=<md5>`).
///
/// ```
/// use auth_core::LoginEndpoint;
/// use auth_core::spec::{Lifetime, SendAs};
/// use vendors::yz365::Yz365Login;
///
/// assert_eq!(Yz365Login::SPEC.lifetime(), Lifetime::JwtExp);
/// assert_eq!(Yz365Login::SPEC.token_placement(), SendAs::Header("accessToken"));
/// ```
#[login_endpoint(
    vendor = "yz365",
    path = "/seller/passport/login/user",
    base_url = "https://yz365.tongueai.com/yz365-b2b2c",
    method = POST,
    body = query,
    hash = md5,
    success("success" = true),
    success("code" = 200),
    error_code = "code",
    error_message = "message",
    token_field = "result.accessToken",
    lifetime = jwt_exp,
    send_as = header("accessToken")
)]
#[derive(Debug, Clone)]
pub struct Yz365Login {
    /// The login name.
    pub username: String,
    /// The plain password: the SDK sends its MD5.
    #[login(hashed)]
    pub password: Secret,
    /// The tenant code, e.g. `10000`.
    #[login(header = "tenant-id", every_request)]
    pub tenant_id: String,
}

impl Yz365Login {
    /// Credentials for a login, with the plain password.
    pub fn new(
        username: impl Into<String>,
        password: Secret,
        tenant_id: impl Into<String>,
    ) -> Self {
        Yz365Login {
            username: username.into(),
            password,
            tenant_id: tenant_id.into(),
        }
    }
}
