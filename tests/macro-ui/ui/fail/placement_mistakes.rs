use auth_core::signing::{IopSha256, TiktokSha256};
use auth_core::{login_endpoint, Secret};

#[login_endpoint(path = "/token", method = GET, sign = IopSha256, request_sign = TiktokSha256,
                 token_field = "token", lifetime = fixed("1h"))]
pub struct Login {
    #[login(also_query)]
    pub partner_id: u64,
    #[login(signing_key)]
    pub key: Secret,
    #[login(basic_password)]
    pub secret: Secret,
    #[login(query, header = "x-id")]
    pub id: String,
}

fn main() {}
