use auth_core::{login_endpoint, Secret};

#[login_endpoint(
    path = "login",
    token_field = "token",
    lifetime = fixed("20 minutes"),
    header("Bad Header" = "x"),
    success("code" = 1.5),
    scheme = "Bearer token",
    sliding = true,
)]
pub struct Login {
    #[login(rename = "user", hashd)]
    pub email: String,
    pub password: Secret,
}

fn main() {}
