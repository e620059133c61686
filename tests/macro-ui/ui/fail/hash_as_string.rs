use auth_core::{login_endpoint, Secret};

#[login_endpoint(path = "/login", hash = "md5", token_field = "token", lifetime = jwt_exp)]
pub struct Login {
    pub email: String,
    #[login(hashed)]
    pub password: Secret,
}

fn main() {}
