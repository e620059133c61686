//! Values the endpoint supplies itself, and where fields go.
use auth_core::spec::{Lifetime, Slot, Supplied, Value};
use auth_core::{login_endpoint, LoginEndpoint, Secret};

/// Bol.com style: the grant in the query beside a form body; a documented default lifetime.
#[login_endpoint(oauth2, path = "/token", query("grant_type" = "client_credentials"),
                 default_lifetime = "299s")]
pub struct QueryGrant {
    #[login(basic_user)]
    pub client_id: String,
    #[login(basic_password)]
    pub client_secret: Secret,
}

/// A JSON body with a field in the query too, an integer id, a fresh timestamp, and values on
/// every later request.
#[login_endpoint(path = "/login", body = json, token_field = "data.token",
                 lifetime = unix_millis("data.expireAt"), param("nonce" = uuid),
                 query("ts" = unix_millis), request_header("X-Request-Id" = uuid),
                 request_param("version" = "2"), request_param("ts" = unix_seconds))]
pub struct Mixed {
    #[login(also_query)]
    pub partner: u32,
    #[login(query)]
    pub region: String,
    pub password: Secret,
}

fn main() {
    let mixed = Mixed::SPEC;
    assert!(matches!(mixed.lifetime(), Lifetime::UnixMillis(_)));
    let fresh = Supplied::param("nonce", "").fresh(Value::Uuid);
    assert_eq!(fresh.slot, Slot::Body);
    let _ = QueryGrant::SPEC;
}
