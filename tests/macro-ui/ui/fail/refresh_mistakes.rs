use auth_core::{login_endpoint, Secret};

#[login_endpoint(oauth2, path = "/token", param("grant_type" = "authorization_code"),
                 refresh = NotARefresh)]
pub struct Login {
    pub client_id: String,
    pub code: Secret,
}

// Declared without `refreshes = Login`.
#[login_endpoint(oauth2, path = "/token", param("grant_type" = "refresh_token"))]
pub struct NotARefresh {
    pub client_id: String,
    #[login(refresh_token)]
    pub refresh_token: Secret,
}

// Names its login but not the field the refresh token goes in.
#[login_endpoint(oauth2, path = "/token", refreshes = Login)]
pub struct NoTokenField {
    pub client_id: String,
}

fn main() {}
