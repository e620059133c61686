use auth_core::{login_endpoint, Secret};

#[login_endpoint(body = json, token_field = "data.accessToken", lifetime = seconds("data.expiresIn"))]
pub struct Login {
    pub email: String,
    pub password: Secret,
}

fn main() {}
