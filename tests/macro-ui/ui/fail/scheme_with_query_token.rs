use auth_core::{login_endpoint, Secret};

#[login_endpoint(path = "/login", token_field = "token", lifetime = fixed("1h"),
                 scheme = "Bearer", send_as = query("access_token"))]
pub struct Login {
    pub user: String,
    pub password: Secret,
}

fn main() {}
