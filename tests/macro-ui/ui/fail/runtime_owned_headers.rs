use auth_core::{login_endpoint, Secret};

// The login sets Content-Type from `body` and sends `Accept: application/json` itself; Basic
// fields make its Authorization.
#[login_endpoint(oauth2, path = "/token", header("Content-Type" = "application/json"),
                 header("accept" = "application/json"), header("Authorization" = "Basic x"))]
pub struct Login {
    #[login(basic_user)]
    pub client_id: String,
    #[login(basic_password)]
    pub client_secret: Secret,
}

fn main() {}
