use auth_core::{login_endpoint, Secret};

#[login_endpoint(path = "/login", method = GET, body = json, token_field = "token", lifetime = jwt_exp)]
pub struct Login {
    pub email: String,
    pub password: Secret,
}

fn main() {}
