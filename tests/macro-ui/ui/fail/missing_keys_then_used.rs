// Required keys missing and a field flag given a value, then the struct used generically: the
// stand-in impl keeps the use quiet, so the three mistakes are all that is reported.
use auth_core::{login_endpoint, LoginEndpoint, Secret};

#[login_endpoint(body = form)]
pub struct Login {
    pub user: String,
    #[login(hashed = true)]
    pub password: Secret,
}

fn vendor_of<E: LoginEndpoint>(_: &E) -> &'static str {
    E::SPEC.vendor()
}

fn main() {
    let login = Login { user: "me".into(), password: "pw".into() };
    let _ = vendor_of(&login);
}
