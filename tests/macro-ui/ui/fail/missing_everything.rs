use auth_core::{login_endpoint, Secret};

#[login_endpoint()]
pub struct Login {
    pub email: String,
    pub password: Secret,
}

fn main() {}
