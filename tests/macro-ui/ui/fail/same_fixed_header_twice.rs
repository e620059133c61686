use auth_core::{login_endpoint, Secret};

#[login_endpoint(path = "/login", token_field = "token", lifetime = fixed("1h"),
                 request_header("WM_SVC.NAME" = "Walmart Marketplace"),
                 request_header("WM_SVC.NAME" = "Walmart Marketplace"))]
pub struct Login {
    pub user: String,
    pub password: Secret,
}

fn main() {}
