//! AliExpress on the IOP platform: the same token protocol as Lazada at `api-sg.aliexpress.com`.
//! Its token responses carry numbers as strings; business calls on `/sync?method=NAME` sign
//! without the path prefix (`AuthorizedClient::sign_path(false)`) and pass the token as
//! `session`, as declared here.

crate::iop::iop_vendor! {
    vendor: "AliExpress",
    token_base_url: "https://api-sg.aliexpress.com/rest",
    authorize_url: "https://api-sg.aliexpress.com/oauth/authorize",
    token_param: "session",
    create: AliExpressTokenCreate,
    refresh: AliExpressTokenRefresh,
}
