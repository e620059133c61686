//! The grammar covers each seed vendor's login as a declaration.
use auth_core::signing::IopSha256;
use auth_core::spec::{Lifetime, SendAs};
use auth_core::{login_endpoint, LoginEndpoint, Secret};

#[login_endpoint(
    path = "/seller/202405/auth/get-access-token",
    body = json,
    rename_all = camelCase,
    success("code" = 200),
    error_code = "code",
    error_message = "message",
    token_field = "data.accessToken",
    lifetime = millis("data.expiresIn"),
)]
pub struct Wahool {
    pub access_key: String,
    pub secret_key: Secret,
}

#[login_endpoint(
    path = "/auth/token/create",
    body = form,
    sign = IopSha256,
    success("code" = "0"),
    error_code = "code",
    error_message = "message",
    transient("ServiceUnavailable"),
    token_field = "access_token",
    lifetime = seconds("expires_in"),
    refresh_token = "refresh_token",
    send_as = query("access_token"),
)]
pub struct Iop {
    pub app_key: String,
    #[login(signing_key)]
    pub app_secret: Secret,
    pub code: Secret,
    pub uuid: Option<String>,
}

#[login_endpoint(
    path = "/api/login.do",
    body = form,
    hash = md5,
    header("Language" = "en"),
    success("response_code" = "00"),
    error_code = "response_code",
    error_message = ["response_msg", "message"],
    transient("02", 10000001),
    rate_limited("10000429"),
    token_field = "token_id",
    lifetime = fixed("20m"),
    sliding,
    send_as = header("token_id"),
)]
pub struct IceKredit {
    pub merchant_name: String,
    #[login(hashed)]
    pub merchant_pwd: Secret,
}

#[login_endpoint(
    path = "/seller/passport/login/user",
    method = POST,
    body = query,
    hash = md5,
    success("success" = true),
    success("code" = 200),
    error_code = "code",
    error_message = "message",
    token_field = "result.accessToken",
    lifetime = jwt_exp,
    send_as = header("accessToken"),
)]
pub struct Yz365 {
    pub username: String,
    #[login(hashed)]
    pub password: Secret,
    #[login(header = "tenant-id")]
    pub tenant_id: u32,
}

fn main() {
    assert_eq!(Wahool::SPEC.path(), "/seller/202405/auth/get-access-token");
    assert!(matches!(Wahool::SPEC.lifetime(), Lifetime::Millis(_)));
    assert_eq!(Iop::SPEC.token_placement(), SendAs::Query("access_token"));
    assert!(IceKredit::SPEC.is_sliding());
    assert_eq!(IceKredit::SPEC.lifetime(), Lifetime::Fixed(std::time::Duration::from_secs(1200)));
    assert_eq!(Yz365::SPEC.lifetime(), Lifetime::JwtExp);
    assert_eq!(Yz365::SPEC.vendor(), "Yz365");
}
