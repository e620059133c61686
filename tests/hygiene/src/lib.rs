//! A user crate whose only dependency is `auth-core`: the macro's output must compile here, so
//! it cannot name serde, reqwest, md-5 or anything else the user did not depend on.

use auth_core::{Secret, login_endpoint};

/// A vendor with every kind of field: plain, hashed secret, header, optional.
#[login_endpoint(
    vendor = "Hygienic",
    path = "/seller/passport/login/user",
    base_url = "https://vendor.example/api",
    body = query,
    hash = md5,
    header("Language" = "en"),
    success("success" = true),
    success("code" = 200),
    error_code = "code",
    error_message = ["message", "msg"],
    transient("500"),
    rate_limited(429),
    token_field = "result.accessToken",
    lifetime = jwt_exp,
    send_as = header("accessToken"),
)]
#[derive(Debug)]
pub struct HygienicLogin {
    /// Sent as it is.
    pub username: String,
    /// Sent as its MD5.
    #[login(hashed)]
    pub password: Secret,
    /// Sent as a header.
    #[login(header = "tenant-id")]
    pub tenant_id: u32,
    /// Left out when absent.
    #[login(rename = "deviceId")]
    pub device: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use auth_core::{LoginEndpoint, Session};

    #[test]
    fn declares_and_builds_a_session() {
        let login = HygienicLogin {
            username: "shop".into(),
            password: Secret::from("123456"),
            tenant_id: 10000,
            device: None,
        };
        assert_eq!(HygienicLogin::SPEC.vendor(), "Hygienic");
        let session = Session::new(login).unwrap();
        assert_eq!(
            session.login_url().as_str(),
            "https://vendor.example/api/seller/passport/login/user"
        );
        assert!(!format!("{:?}", session.endpoint()).contains("123456"));
    }
}
