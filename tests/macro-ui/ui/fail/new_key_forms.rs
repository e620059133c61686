use auth_core::{login_endpoint, Secret};

#[login_endpoint(oauth2 = true, path = "/token", lifetime = unix_seconds,
                 request_param("v" = "1"), request_param("v" = "2"), refresh = "Refresh")]
pub struct Login {
    pub client_id: String,
    pub client_secret: Secret,
}

fn main() {}
