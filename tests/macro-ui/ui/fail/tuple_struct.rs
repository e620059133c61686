use auth_core::{login_endpoint, Secret};

#[login_endpoint(path = "/login", token_field = "token", lifetime = jwt_exp)]
pub struct Login(pub String, pub Secret);

fn main() {}
