use auth_core::{login_endpoint, Secret};

#[login_endpoint(path = "/login", tokn_field = "data.accessToken", token_field = "data.accessToken", lifetime = jwt_exp)]
pub struct Login {
    pub email: String,
    pub password: Secret,
}

fn main() {}
