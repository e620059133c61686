//! AliExpress on the IOP platform: the same token protocol as Lazada at `api-sg.aliexpress.com`.
//! Its token responses carry numbers as strings. Business calls go to the gateway
//! [`API_BASE_URL`] (`/sync`, beside `/rest` at the host's root) with the API's name in `method`
//! and the token in `session`; called at the gateway itself, they are signed without a path, as
//! the vendor's official SDK signs them:
//!
//! ```no_run
//! use auth_core::{AuthorizedClient, Secret};
//! use vendors::aliexpress;
//!
//! # async fn run() -> Result<(), auth_core::Error> {
//! let app = aliexpress::IopApp { app_key: "100001".into(), app_secret: Secret::from("app secret") };
//! let session = aliexpress::session_builder(app, Secret::from("0_code")).build()?;
//! let client = AuthorizedClient::new(session, aliexpress::API_BASE_URL)?;
//! let products = client
//!     .post("")
//!     .form(&[("method", "aliexpress.solution.product.list.get"), ("current_page", "1")])
//!     .send()
//!     .await?;
//! # Ok(()) }
//! ```

crate::iop::iop_vendor! {
    vendor: "AliExpress",
    token_base_url: "https://api-sg.aliexpress.com/rest",
    authorize_url: "https://api-sg.aliexpress.com/oauth/authorize",
    token_param: "session",
    create: AliExpressTokenCreate,
    refresh: AliExpressTokenRefresh,
}

/// The business-call gateway: the API's name goes in `method`.
pub const API_BASE_URL: &str = "https://api-sg.aliexpress.com/sync";
