use auth_core::{login_endpoint, Secret};

// The token goes in Authorization (the default) or in the header `send_as` names.
#[login_endpoint(oauth2, path = "/token", request_header("authorization" = "Basic x"))]
pub struct Default {
    pub client_id: String,
    pub client_secret: Secret,
}

#[login_endpoint(oauth2, path = "/token", send_as = header("WM_SEC.ACCESS_TOKEN"),
                 request_header("wm_sec.access_token" = "x"))]
pub struct Named {
    pub client_id: String,
    pub client_secret: Secret,
}

fn main() {}
