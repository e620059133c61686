// The struct is used after a bad attribute: only the attribute's mistakes are reported, not
// "the trait `LoginEndpoint` is not implemented" wherever the struct is used.
use auth_core::{login_endpoint, AuthorizedClient, Secret, Session};

#[login_endpoint(path = "login", body = jsn, token_field = "token", lifetime = fixed("1h"))]
pub struct Login {
    pub user: String,
    pub password: Secret,
}

fn main() {
    let session = Session::new(Login { user: "me".into(), password: "pw".into() }).unwrap();
    let _client = AuthorizedClient::new(session.clone(), "https://api.vendor.example").unwrap();
    let _builder = Session::builder(Login { user: "me".into(), password: "pw".into() });
}
