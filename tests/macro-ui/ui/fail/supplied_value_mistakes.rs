use auth_core::{login_endpoint, Secret};

#[login_endpoint(path = "/login", token_field = "token", lifetime = jwt_exp,
                 default_lifetime = "1h", param("nonce" = uuid4), query("t" = 17),
                 param("grant_type" = "password"), param("grant_type" = "password"))]
pub struct Login {
    pub user: String,
    pub password: Secret,
}

fn main() {}
