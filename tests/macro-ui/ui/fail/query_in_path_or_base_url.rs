use auth_core::{login_endpoint, Secret};

#[login_endpoint(oauth2, path = "/token?grant_type=client_credentials",
                 base_url = "https://login.vendor.example/api?v=2")]
pub struct Login {
    pub client_id: String,
    pub client_secret: Secret,
}

fn main() {}
