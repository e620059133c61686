//! The IOP open platform shared by Lazada and AliExpress: an OAuth-style code exchange and a
//! refresh, both form POSTs signed with HMAC-SHA256 (`auth_core::signing::IopSha256`).
//!
//! A code works once and for 3 minutes, so after the first exchange the refresh token is how a
//! session renews: the exchange names its refresh grant (`refresh = ...`), so every session of
//! it renews through `/auth/token/refresh`; refresh tokens may rotate, and the session keeps
//! the newest.

use auth_core::Secret;
use url::Url;

/// The seller consent page URL: `{authorize}?response_type=code&force_auth=true&redirect_uri=..&client_id=..`.
///
/// ```
/// let url = vendors::iop::authorize_url(
///     "https://auth.lazada.com/oauth/authorize",
///     "123456",
///     "https://app.example/callback?x=1",
/// )
/// .unwrap();
/// assert_eq!(
///     url.as_str(),
///     "https://auth.lazada.com/oauth/authorize?response_type=code&force_auth=true&redirect_uri=https%3A%2F%2Fapp.example%2Fcallback%3Fx%3D1&client_id=123456"
/// );
/// ```
pub fn authorize_url(
    authorize: &str,
    app_key: &str,
    redirect_uri: &str,
) -> Result<Url, url::ParseError> {
    let mut url = Url::parse(authorize)?;
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("force_auth", "true")
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("client_id", app_key);
    Ok(url)
}

/// The app's credentials, from which both requests are made.
#[derive(Debug, Clone)]
pub struct IopApp {
    /// The app key (`app_key`).
    pub app_key: String,
    /// The app secret, which keys the signature and is never sent.
    pub app_secret: Secret,
}

/// Declares one IOP vendor's token endpoints and helpers; Lazada and AliExpress differ only in
/// names and URLs.
macro_rules! iop_vendor {
    (
        vendor: $vendor:tt,
        token_base_url: $base:tt,
        authorize_url: $authorize:tt,
        token_param: $param:tt,
        create: $create:ident,
        refresh: $refresh:ident $(,)?
    ) => {
        use auth_core::signing::IopSha256;
        use auth_core::{Secret, login_endpoint};

        pub use $crate::iop::IopApp;

        /// The seller consent page.
        pub const AUTHORIZE_URL: &str = $authorize;
        /// Where the token calls go.
        pub const TOKEN_BASE_URL: &str = $base;

        /// The consent URL for `app_key` that returns the seller to `redirect_uri` with a code.
        pub fn consent_url(app_key: &str, redirect_uri: &str) -> Result<url::Url, url::ParseError> {
            $crate::iop::authorize_url(AUTHORIZE_URL, app_key, redirect_uri)
        }

        #[doc = concat!("Exchanges a seller's authorization code for tokens at ", $vendor, " (`/auth/token/create`).")]
        #[login_endpoint(
            vendor = $vendor,
            path = "/auth/token/create",
            base_url = $base,
            body = form,
            sign = IopSha256,
            success("code" = "0"),
            error_code = "code",
            error_message = "message",
            transient("ServiceUnavailable"),
            token_rejected("IllegalAccessToken"),
            token_field = "access_token",
            lifetime = seconds("expires_in"),
            refresh_token = "refresh_token",
            // VENDORS.md §3: seconds (numbers on Lazada, strings on AliExpress); the seed page:
            // "used to refresh the token when refresh_expires_in > 0".
            refresh_lifetime = seconds("refresh_expires_in"),
            account = "seller_id",
            send_as = query($param),
            refresh = $refresh
        )]
        #[derive(Debug, Clone)]
        pub struct $create {
            /// The app key, sent (and signed) on every later request too.
            #[login(every_request)]
            pub app_key: String,
            /// The app secret: keys the signature, never sent.
            #[login(signing_key)]
            pub app_secret: Secret,
            /// The code from the consent callback (single use, valid 3 minutes).
            pub code: Secret,
            /// Documented as harmful (it makes the code invalid): sent only when set.
            pub uuid: Option<String>,
        }

        impl $create {
            /// The exchange of `code` for the app.
            pub fn new(app: &IopApp, code: Secret) -> Self {
                $create { app_key: app.app_key.clone(), app_secret: app.app_secret.clone(), code, uuid: None }
            }
        }

        #[doc = concat!("Renews tokens at ", $vendor, " with a refresh token (`/auth/token/refresh`).")]
        #[login_endpoint(
            vendor = $vendor,
            path = "/auth/token/refresh",
            base_url = $base,
            body = form,
            sign = IopSha256,
            success("code" = "0"),
            error_code = "code",
            error_message = "message",
            transient("ServiceUnavailable"),
            token_field = "access_token",
            lifetime = seconds("expires_in"),
            refresh_token = "refresh_token",
            // VENDORS.md §3: seconds (numbers on Lazada, strings on AliExpress); the seed page:
            // "used to refresh the token when refresh_expires_in > 0".
            refresh_lifetime = seconds("refresh_expires_in"),
            account = "seller_id",
            send_as = query($param),
            refresh_refused("IllegalRefreshToken"),
            refreshes = $create
        )]
        #[derive(Debug, Clone)]
        pub struct $refresh {
            /// The app key.
            pub app_key: String,
            /// The app secret: keys the signature, never sent.
            #[login(signing_key)]
            pub app_secret: Secret,
            /// The newest refresh token.
            #[login(refresh_token)]
            pub refresh_token: Secret,
        }

        impl $refresh {
            /// The refresh of `refresh_token` for the app.
            pub fn new(app: &IopApp, refresh_token: Secret) -> Self {
                $refresh { app_key: app.app_key.clone(), app_secret: app.app_secret.clone(), refresh_token }
            }
        }

        /// The answer names the seller (`seller_id`): the seller's id is not needed with the code.
        impl auth_core::CodeGrant for $create {
            type App = IopApp;
            fn with_code(app: &IopApp, _seller: Option<&str>, code: Secret) -> Result<Self, auth_core::ConfigError> {
                Ok($create::new(app, code))
            }
        }

        /// The sessions of the app's sellers, from one store (see [`auth_core::SellerDirectory`]).
        pub fn directory(app: IopApp) -> auth_core::SellerDirectoryBuilder<$create> {
            auth_core::SellerDirectory::builder(app)
        }

        /// A session that exchanges `code` once, then renews with the (rotating) refresh token
        /// through the declared refresh grant. For many sellers, use [`directory`].
        pub fn session_builder(app: IopApp, code: Secret) -> auth_core::SessionBuilder<$create> {
            auth_core::Session::builder($create::new(&app, code))
        }
    };
}
pub(crate) use iop_vendor;
