use auth_core::{login_endpoint, Secret};

// A refresh token's lifetime is not a JWT's `exp`.
#[login_endpoint(oauth2, path = "/token", refresh_token = "refresh_token",
                 refresh_lifetime = jwt_exp)]
pub struct FromJwt {
    pub code: Secret,
}

// A string, an unknown form, a `never` with an argument, a bare number.
#[login_endpoint(oauth2, path = "/token", refresh_token = "refresh_token",
                 refresh_lifetime = "30d")]
pub struct AsString {
    pub code: Secret,
}

#[login_endpoint(oauth2, path = "/token", refresh_token = "refresh_token",
                 refresh_lifetime = second("refresh_expires_in"))]
pub struct Misspelt {
    pub code: Secret,
}

#[login_endpoint(oauth2, path = "/token", refresh_token = "refresh_token",
                 refresh_lifetime = never("30d"))]
pub struct NeverWithArgument {
    pub code: Secret,
}

#[login_endpoint(oauth2, path = "/token", refresh_token = "refresh_token",
                 refresh_lifetime = fixed(2592000))]
pub struct FixedNumber {
    pub code: Secret,
}

// The answer's refresh token is not declared: there is nothing for the lifetime to be of.
#[login_endpoint(oauth2, path = "/token", refresh_lifetime = seconds("refresh_expires_in"))]
pub struct NoRefreshToken {
    pub code: Secret,
}

fn main() {}
