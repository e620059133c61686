use auth_core::{login_endpoint, Secret};

#[login_endpoint(path = "/login", token_field = "token", lifetime = fixed("1h"),
                 error_code = "code", transient("02", 429), rate_limited(429), protocol("02"))]
pub struct Login {
    pub user: String,
    pub password: Secret,
}

fn main() {}
