use auth_core::{login_endpoint, Secret};

#[login_endpoint(path = "/login", body = yaml, tokenfield = "token", lifetime = minutes("ttl"))]
pub struct Login {
    pub email: String,
    pub password: Secret,
}

fn main() {}
