//! What a vendor declares so that one app can serve many sellers: how its code exchange is made
//! from the app's credentials and one seller's authorization code.

use crate::endpoint::LoginEndpoint;
use crate::error::ConfigError;
use crate::secret::Secret;

/// A login that exchanges a seller's authorization code for tokens, on behalf of an app that
/// many sellers approved, and that renews through a refresh grant (`refresh = ...`).
///
/// A [`SellerDirectory`](crate::SellerDirectory) builds it twice: once with the code, to onboard
/// a seller, and once per seller session, with an empty code that is never sent (such a session
/// renews with the seller's stored refresh token only; without one it answers
/// [`Error::NeedsConsent`](crate::Error::NeedsConsent) and sends nothing).
///
/// ```
/// use auth_core::{login_endpoint, CodeGrant, ConfigError, Secret};
///
/// #[login_endpoint(path = "/token", body = form, token_field = "access_token",
///                  lifetime = seconds("expires_in"), refresh_token = "refresh_token",
///                  account = "seller_id", refresh = Refresh,
///                  base_url = "https://vendor.example")]
/// pub struct Exchange {
///     pub app_key: String,
///     pub code: Secret,
/// }
///
/// #[login_endpoint(path = "/refresh", body = form, token_field = "access_token",
///                  lifetime = seconds("expires_in"), refresh_token = "refresh_token",
///                  account = "seller_id", refreshes = Exchange,
///                  base_url = "https://vendor.example")]
/// pub struct Refresh {
///     pub app_key: String,
///     #[login(refresh_token)]
///     pub refresh_token: Secret,
/// }
///
/// /// The app's own credentials, the same for every seller.
/// pub struct App {
///     pub app_key: String,
/// }
///
/// impl CodeGrant for Exchange {
///     type App = App;
///     // The vendor's answer names the seller (`account = "seller_id"`): `seller` is not needed.
///     fn with_code(app: &App, _seller: Option<&str>, code: Secret) -> Result<Self, ConfigError> {
///         Ok(Exchange { app_key: app.app_key.clone(), code })
///     }
/// }
/// ```
pub trait CodeGrant: LoginEndpoint + Sized {
    /// The app's credentials: what every seller's requests share.
    type App: Send + Sync + 'static;

    /// The exchange of `code` for the app. `seller` is the seller's id when it is known before
    /// the exchange (a consent redirect that names it: Shopee's `shop_id`, Amazon's
    /// `selling_partner_id`); a vendor that needs it in the request refuses `None`
    /// ([`ConfigError::SellerRequired`]) or an id of the wrong form
    /// ([`ConfigError::BadSellerId`]).
    ///
    /// Where the vendor's answer does not name the seller, the tokens are stored under the id
    /// given, replacing what the store held for it: the application must know the id is the
    /// approving seller's (bound to the consent's `state`, say), not take it from the redirect
    /// alone, or a seller could overwrite another's entry.
    fn with_code(app: &Self::App, seller: Option<&str>, code: Secret) -> Result<Self, ConfigError>;

    /// The seller's id as the store keys it: `seller` itself unless the vendor's ids have
    /// several spellings (Shopee's `+123` and `0123` are shop 123).
    fn seller_id(seller: &str) -> Result<String, ConfigError> {
        Ok(seller.to_owned())
    }
}
