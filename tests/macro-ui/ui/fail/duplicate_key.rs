use auth_core::{login_endpoint, Secret};

#[login_endpoint(path = "/login", token_field = "token", path = "/signin", lifetime = jwt_exp)]
pub struct Login {
    pub email: String,
    pub password: Secret,
}

fn main() {}
