use auth_core::login_endpoint;

#[login_endpoint(path = "/login", token_field = "token", lifetime = jwt_exp)]
pub struct Login<P> {
    pub email: String,
    pub password: P,
}

fn main() {}
