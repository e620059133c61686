use auth_core::signing::IopSha256;
use auth_core::{login_endpoint, Secret};

// A key that signs the login is never sent: its wire name would be ignored.
#[login_endpoint(path = "/auth/token/create", body = form, sign = IopSha256,
                 token_field = "access_token", lifetime = seconds("expires_in"))]
pub struct Login {
    pub app_key: String,
    #[login(signing_key, rename = "appSecret")]
    pub app_secret: Secret,
    pub code: Secret,
}

fn main() {}
