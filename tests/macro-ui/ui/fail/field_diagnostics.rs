use auth_core::signing::IopSha256;
use auth_core::{login_endpoint, Secret};

#[login_endpoint(path = "/login", body = form, sign = IopSha256, token_field = "token",
                 lifetime = fixed(3600))]
pub struct Login {
    #[login(header)]
    pub tenant: String,
    #[login(signing_key)]
    pub app_secret: Secret,
    #[login(signing_key)]
    pub other_secret: Secret,
    pub user: &'static str,
}

#[login_endpoint(path = "/login", token_field = "token", lifetime = fixed("1h"))]
pub struct Borrowed<'a> {
    pub user: String,
    pub password: &'a str,
}

fn main() {}
