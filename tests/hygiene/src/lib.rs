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

/// An OAuth 2.0 code exchange with a declared refresh grant, fresh and constant values, HTTP
/// Basic, a field in the query and a request signer: every new kind of generated code.
#[login_endpoint(
    oauth2,
    vendor = "HygienicOAuth",
    path = "/oauth/token",
    base_url = "https://vendor.example",
    param("grant_type" = "authorization_code"),
    query("ts" = unix_millis),
    header("X-Correlation" = uuid),
    request_header("X-Correlation" = uuid),
    request_param("version" = "2"),
    lifetime = unix_seconds("expire_at"),
    default_lifetime = "1h",
    refresh_token = "refresh_token",
    request_sign = auth_core::signing::TiktokSha256,
    refresh = HygienicRefresh,
)]
pub struct HygienicOAuth {
    /// Half of the Basic header, and the signing key of later requests.
    #[login(basic_user)]
    pub client_id: String,
    /// The other half.
    #[login(basic_password)]
    pub client_secret: Secret,
    /// In the query as well as the body.
    #[login(also_query)]
    pub shop: u64,
    /// Keys later requests' signatures (sent on the unsigned login).
    #[login(signing_key)]
    pub app_secret: Secret,
    /// The code.
    pub code: Secret,
}

/// The refresh grant of [`HygienicOAuth`].
#[login_endpoint(
    oauth2,
    vendor = "HygienicOAuth",
    path = "/oauth/token",
    param("grant_type" = "refresh_token"),
    refreshes = HygienicOAuth,
)]
pub struct HygienicRefresh {
    /// Copied from the login.
    #[login(basic_user)]
    pub client_id: String,
    /// Copied from the login.
    #[login(basic_password)]
    pub client_secret: Secret,
    /// The refresh token.
    #[login(refresh_token)]
    pub refresh_token: Secret,
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

    #[test]
    fn the_refresh_grant_is_tied_to_its_login() {
        assert_eq!(
            HygienicOAuth::REFRESH.map(|grant| grant.path()),
            Some("/oauth/token")
        );
        let login = HygienicOAuth {
            client_id: "id".into(),
            client_secret: Secret::from("s"),
            shop: 7,
            app_secret: Secret::from("k"),
            code: Secret::from("c"),
        };
        let refresh = <HygienicRefresh as auth_core::RefreshEndpoint<HygienicOAuth>>::refreshing(
            &login,
            Secret::from("r"),
        );
        assert_eq!(refresh.client_id, "id");
        assert_eq!(refresh.refresh_token.expose(), "r");
    }
}
