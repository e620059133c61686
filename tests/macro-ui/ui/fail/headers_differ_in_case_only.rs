use auth_core::{login_endpoint, Secret};

// Header names ignore case: each pair below is one header sent twice.
#[login_endpoint(path = "/login", token_field = "token", lifetime = fixed("1h"),
                 header("Language" = "en"), header("language" = "de"))]
pub struct Login {
    #[login(header = "Tenant-Id")]
    pub tenant: String,
    #[login(header = "tenant-id")]
    pub tenant_again: String,
    pub password: Secret,
}

fn main() {}
