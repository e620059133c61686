use auth_core::{login_endpoint, Secret};

#[login_endpoint(path = "/api/login.do", body = form, token_field = "token_id", lifetime = fixed("20m"))]
pub struct Login {
    pub merchant_name: String,
    #[login(hashed)]
    pub merchant_pwd: Secret,
}

fn main() {}
