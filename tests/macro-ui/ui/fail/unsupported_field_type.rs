use auth_core::{login_endpoint, Secret};

#[login_endpoint(path = "/login", token_field = "token", lifetime = jwt_exp)]
pub struct Login {
    pub email: String,
    pub password: Secret,
    pub avatar: Vec<u8>,
}

fn main() {}
