//! eBay REST APIs (OAuth 2.0).
//!
//! - Token host: `https://api.ebay.com` ([`TOKEN_BASE_URL`]); sandbox
//!   `https://api.sandbox.ebay.com` ([`SANDBOX_TOKEN_BASE_URL`]). The client authenticates with
//!   `Authorization: Basic base64(client_id:client_secret)`.
//! - An application token ([`EbayApplication`], client credentials, 2 hours) is renewed by
//!   logging in again. A user token is renewed from the user's refresh token ([`EbayUser`]),
//!   which does not rotate and lives 18 months, so it is configuration, like a password. The
//!   consent's code is exchanged once ([`EbayCodeExchange`]) for the first user token and the
//!   refresh token, whose lifetime the answer gives (`refresh_token_expires_in`, seconds); its
//!   sessions then renew through [`EbayUser`], whose answer has no refresh token: the session
//!   keeps the one it has, and its expiry.
//! - Later requests carry `Authorization: Bearer <token>`. An invalid token is HTTP 401 with
//!   `errorId` 1001 (and some APIs answer 403 with 1100); both statuses mean a rejected token.
//! - The consent page for user tokens is [`consent_url`]; its `redirect_uri` is the app's
//!   RuName, not a URL.

use auth_core::{Secret, login_endpoint};
use url::Url;

/// Where token calls go.
pub const TOKEN_BASE_URL: &str = "https://api.ebay.com";
/// Where token calls go in eBay's sandbox.
pub const SANDBOX_TOKEN_BASE_URL: &str = "https://api.sandbox.ebay.com";
/// The consent page.
pub const AUTHORIZE_URL: &str = "https://auth.ebay.com/oauth2/authorize";
/// The consent page in eBay's sandbox.
pub const SANDBOX_AUTHORIZE_URL: &str = "https://auth.sandbox.ebay.com/oauth2/authorize";
/// The scope of an application token unless another is asked for.
pub const DEFAULT_SCOPE: &str = "https://api.ebay.com/oauth/api_scope";

/// An application token (`grant_type=client_credentials`).
///
/// ```
/// use auth_core::{LoginEndpoint, Secret};
/// use vendors::ebay::{EbayApplication, DEFAULT_SCOPE};
///
/// let login = EbayApplication::new("my-client-id", Secret::from("my-client-secret"));
/// assert_eq!(login.scope, DEFAULT_SCOPE);
/// assert_eq!(EbayApplication::SPEC.path(), "/identity/v1/oauth2/token");
/// ```
#[login_endpoint(
    oauth2,
    vendor = "eBay",
    base_url = "https://api.ebay.com",
    path = "/identity/v1/oauth2/token",
    param("grant_type" = "client_credentials")
)]
#[derive(Debug, Clone)]
pub struct EbayApplication {
    /// The app id (client id): the Basic user.
    #[login(basic_user)]
    pub client_id: String,
    /// The cert id (client secret): the Basic password.
    #[login(basic_password)]
    pub client_secret: Secret,
    /// Space-separated scopes.
    pub scope: String,
}

impl EbayApplication {
    /// An application token with [`DEFAULT_SCOPE`].
    pub fn new(client_id: impl Into<String>, client_secret: Secret) -> Self {
        EbayApplication {
            client_id: client_id.into(),
            client_secret,
            scope: DEFAULT_SCOPE.to_owned(),
        }
    }
}

/// The exchange of a user's consent code for a user token and an 18-month refresh token
/// (`grant_type=authorization_code`); its sessions renew through [`EbayUser`].
///
/// ```
/// use auth_core::LoginEndpoint;
/// use auth_core::spec::{FieldPath, RefreshLifetime};
/// use vendors::ebay::EbayCodeExchange;
///
/// assert_eq!(
///     EbayCodeExchange::SPEC.declared_refresh_lifetime(),
///     Some(RefreshLifetime::Seconds(FieldPath::new(&["refresh_token_expires_in"])))
/// );
/// assert!(EbayCodeExchange::REFRESH.is_some());
/// ```
#[login_endpoint(
    oauth2,
    vendor = "eBay",
    base_url = "https://api.ebay.com",
    path = "/identity/v1/oauth2/token",
    param("grant_type" = "authorization_code"),
    refresh_token = "refresh_token",
    refresh_lifetime = seconds("refresh_token_expires_in"),
    refresh = EbayUser
)]
#[derive(Debug, Clone)]
pub struct EbayCodeExchange {
    /// The app id (client id): the Basic user.
    #[login(basic_user)]
    pub client_id: String,
    /// The cert id (client secret): the Basic password.
    #[login(basic_password)]
    pub client_secret: Secret,
    /// The code from the consent redirect (single use, about 5 minutes).
    pub code: Secret,
    /// The app's RuName, the consent page's `redirect_uri`.
    pub redirect_uri: String,
}

/// A user token from the user's refresh token (`grant_type=refresh_token`). The scope is left
/// out, which eBay documents as the safe choice (the granted scopes apply). It is also the
/// refresh grant of [`EbayCodeExchange`]; its answer carries no refresh token.
#[login_endpoint(
    oauth2,
    vendor = "eBay",
    base_url = "https://api.ebay.com",
    path = "/identity/v1/oauth2/token",
    param("grant_type" = "refresh_token"),
    refreshes = EbayCodeExchange
)]
#[derive(Debug, Clone)]
pub struct EbayUser {
    /// The app id (client id).
    #[login(basic_user)]
    pub client_id: String,
    /// The cert id (client secret).
    #[login(basic_password)]
    pub client_secret: Secret,
    /// The user's refresh token (18 months, not rotated).
    #[login(refresh_token)]
    pub refresh_token: Secret,
}

/// The app's credentials and RuName, the same for every user that approved it.
#[derive(Debug, Clone)]
pub struct EbayApp {
    /// The app id (client id).
    pub client_id: String,
    /// The cert id (client secret).
    pub client_secret: Secret,
    /// The app's RuName.
    pub ru_name: String,
}

/// The token answer does not name the user: the application names it with the code (the user
/// it sent to the consent page, bound to the consent's `state`), and the tokens are kept under
/// that id.
impl auth_core::CodeGrant for EbayCodeExchange {
    type App = EbayApp;
    fn with_code(
        app: &EbayApp,
        seller: Option<&str>,
        code: Secret,
    ) -> Result<Self, auth_core::ConfigError> {
        seller.ok_or(auth_core::ConfigError::SellerRequired)?;
        Ok(EbayCodeExchange {
            client_id: app.client_id.clone(),
            client_secret: app.client_secret.clone(),
            code,
            redirect_uri: app.ru_name.clone(),
        })
    }
}

/// The sessions of the app's users, from one store (see [`auth_core::SellerDirectory`]).
pub fn directory(app: EbayApp) -> auth_core::SellerDirectoryBuilder<EbayCodeExchange> {
    auth_core::SellerDirectory::builder(app)
}

/// The user consent page: `{authorize}?client_id=..&redirect_uri=<RuName>&response_type=code&scope=..`.
///
/// ```
/// let url = vendors::ebay::consent_url(
///     vendors::ebay::AUTHORIZE_URL,
///     "my-client-id",
///     "My_App-RuName",
///     &["https://api.ebay.com/oauth/api_scope", "https://api.ebay.com/oauth/api_scope/sell.account"],
/// )
/// .unwrap();
/// assert_eq!(
///     url.as_str(),
///     "https://auth.ebay.com/oauth2/authorize?client_id=my-client-id&redirect_uri=My_App-RuName&response_type=code&scope=https%3A%2F%2Fapi.ebay.com%2Foauth%2Fapi_scope+https%3A%2F%2Fapi.ebay.com%2Foauth%2Fapi_scope%2Fsell.account"
/// );
/// ```
pub fn consent_url(
    authorize: &str,
    client_id: &str,
    ru_name: &str,
    scopes: &[&str],
) -> Result<Url, url::ParseError> {
    let mut url = Url::parse(authorize)?;
    url.query_pairs_mut()
        .append_pair("client_id", client_id)
        .append_pair("redirect_uri", ru_name)
        .append_pair("response_type", "code")
        .append_pair("scope", &scopes.join(" "));
    Ok(url)
}
