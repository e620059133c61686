use auth_core::{login_endpoint, Secret};

// The codes by which a refresh grant refuses its refresh token belong on the refresh grant.
#[login_endpoint(oauth2, path = "/token", refresh_token = "refresh_token",
                 refresh_refused("invalid_grant"))]
pub struct OnTheLogin {
    pub code: Secret,
}

#[login_endpoint(oauth2, path = "/token", refresh_token = "refresh_token", refresh = Renew)]
pub struct Login {
    pub code: Secret,
}

// Codes are read at `error_code`, which a non-OAuth endpoint must name; and a code is a string
// or an integer.
#[login_endpoint(path = "/refresh", token_field = "access_token", lifetime = seconds("expires_in"),
                 refresh_refused("IllegalRefreshToken"), refreshes = Login)]
pub struct Renew {
    #[login(refresh_token)]
    pub refresh_token: Secret,
}

#[login_endpoint(oauth2, path = "/refresh", refresh_refused(true), refreshes = Login)]
pub struct BoolCode {
    #[login(refresh_token)]
    pub refresh_token: Secret,
}

fn main() {}
