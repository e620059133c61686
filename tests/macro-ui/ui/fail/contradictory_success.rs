use auth_core::{login_endpoint, Secret};

#[login_endpoint(path = "/login", token_field = "token", lifetime = fixed("1h"),
                 success("code" = "0"), success("ok" = true), success("code" = 1), success("ok" = true))]
pub struct Login {
    pub user: String,
    pub password: Secret,
}

fn main() {}
