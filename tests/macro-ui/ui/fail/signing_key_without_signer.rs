use auth_core::{login_endpoint, Secret};

#[login_endpoint(path = "/auth/token/create", body = form, token_field = "access_token", lifetime = seconds("expires_in"))]
pub struct Login {
    pub app_key: String,
    #[login(signing_key)]
    pub app_secret: Secret,
    pub code: Secret,
}

fn main() {}
