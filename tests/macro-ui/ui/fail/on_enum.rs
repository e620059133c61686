use auth_core::login_endpoint;

#[login_endpoint(path = "/login", token_field = "token", lifetime = jwt_exp)]
pub enum Login {
    Password(String),
}

fn main() {}
