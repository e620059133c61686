//! One vendor's authorised client, built from environment variables.

use std::sync::Arc;
use std::time::Duration;

use auth_core::store::TokenStore;
use auth_core::{
    AuthorizedClient, CodeGrant, ConsentNeeded, Error, ErrorClass, LoginEndpoint, RetryPolicy,
    Secret, SellerDirectory, SellerDirectoryBuilder, Session, SessionStats, Token, VendorSaid,
};
use reqwest::Method;
use vendors::iop::IopApp;
use vendors::{
    aliexpress, amazon, ebay, icekredit, igv, lazada, mercadolibre, shopee, tiktok, wahool,
    walmart, yz365,
};

use crate::cli::VendorArg;
use crate::failure::Failure;

/// A request as the command line describes it.
pub struct Outgoing {
    pub method: Method,
    pub target: String,
    pub data: Option<String>,
    pub headers: Vec<(String, String)>,
}

/// One vendor's authorised client, whichever vendor it is.
pub struct VendorClient {
    client: AuthorizedClient,
    /// Signed vendors take their data as form pairs, so the pairs are signed too.
    form_data: bool,
}

impl VendorClient {
    /// The token, logging in if needed.
    pub async fn token(&self) -> Result<Arc<Token>, Error> {
        self.client.session().token().await
    }

    /// An authorised request.
    pub async fn send(&self, out: Outgoing) -> Result<reqwest::Response, Error> {
        let mut request = self.client.request(out.method, &out.target);
        for (name, value) in &out.headers {
            request = request.header(name.as_str(), value.as_str());
        }
        request = match out.data {
            None => request,
            Some(data) if self.form_data => request.form(&url_pairs(&data)),
            Some(data) => match serde_json::from_str::<serde_json::Value>(&data) {
                Ok(json) => request.json(&json),
                Err(_) => request.body(
                    reqwest::header::HeaderValue::from_static("text/plain"),
                    data,
                ),
            },
        };
        request.send().await
    }

    /// Removes the session's entry from the store; `true` if there was one.
    pub async fn forget(&self) -> Result<bool, Error> {
        self.client.session().forget().await
    }

    /// What the session has done.
    pub fn stats(&self) -> SessionStats {
        self.client.session().stats()
    }

    /// The vendor's refusal in an answer, if it is one, cleaned of secrets.
    pub fn vendor_error(&self, status: u16, body: &[u8]) -> Option<VendorSaid> {
        self.client.vendor_error(status, body)
    }
}

fn url_pairs(data: &str) -> Vec<(String, String)> {
    reqwest::Url::parse(&format!("http://x/?{data}"))
        .map(|u| u.query_pairs().into_owned().collect())
        .unwrap_or_default()
}

/// Reads a variable: the process environment, or the sandbox's values in the demo; an error
/// when its value cannot be used (a `NAME_FILE` that cannot be read, say).
pub type Lookup<'a> = &'a dyn Fn(&str) -> Result<Option<String>, Failure>;

/// Timeouts and retries that keep a failing command well under a minute.
fn retry() -> RetryPolicy {
    RetryPolicy::default()
        .with_max_attempts(3)
        .with_delays(Duration::from_millis(250), Duration::from_secs(2))
        .with_max_retry_after(Duration::from_secs(5))
}

const LOGIN_TIMEOUT: Duration = Duration::from_secs(10);

pub(crate) fn require(lookup: Lookup<'_>, vendor: &str, name: &str) -> Result<String, Failure> {
    lookup(name)?
        .filter(|v| !v.is_empty())
        .ok_or_else(|| Failure::Config(format!("{vendor}: {name} is not set")))
}

/// The vendor's module name and its environment prefix.
pub fn names(vendor: VendorArg) -> (&'static str, &'static str) {
    match vendor {
        VendorArg::Igv => ("igv", "IGV"),
        VendorArg::Wahool => ("wahool", "WAHOOL"),
        VendorArg::Lazada => ("lazada", "LAZADA"),
        VendorArg::Aliexpress => ("aliexpress", "ALIEXPRESS"),
        VendorArg::Icekredit => ("icekredit", "ICEKREDIT"),
        VendorArg::Yz365 => ("yz365", "YZ365"),
        VendorArg::Amazon => ("amazon", "AMAZON"),
        VendorArg::Ebay => ("ebay", "EBAY"),
        VendorArg::Walmart => ("walmart", "WALMART"),
        VendorArg::Tiktok => ("tiktok", "TIKTOK"),
        VendorArg::Shopee => ("shopee", "SHOPEE"),
        VendorArg::Mercadolibre => ("mercadolibre", "MERCADOLIBRE"),
    }
}

/// An integer variable (Shopee's ids).
pub(crate) fn integer(lookup: Lookup<'_>, vendor: &str, name: &str) -> Result<u64, Failure> {
    require(lookup, vendor, name)?
        .trim()
        .parse()
        .map_err(|_| Failure::Config(format!("{vendor}: {name} is not a whole number")))
}

/// Where the vendor is and whose tokens to use: `--base-url` and `--account`, each over its
/// `<VENDOR>_...` variable.
#[derive(Debug, Default, Clone, Copy)]
pub struct Target<'a> {
    pub base_url: Option<&'a str>,
    pub account: Option<&'a str>,
}

/// Whether a seller's authorization code may be sent to onboard the seller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codes {
    /// `token`, `request`: a code is exchanged when the store holds no usable refresh token for
    /// the seller (or no seller is named), and the seller's id is shown on stderr.
    Spend,
    /// The demo: the same, without a word (its sellers belong to a throw-away sandbox).
    SpendQuietly,
    /// `forget`: nothing is sent; the seller is found by its account.
    Keep,
}

/// Builds the vendor's client from `lookup`, with `target` overriding `<VENDOR>_BASE_URL` and
/// `<VENDOR>_ACCOUNT`. For a code-exchange vendor this may onboard the seller (see [`Codes`]).
pub async fn build(
    vendor: VendorArg,
    lookup: Lookup<'_>,
    target: Target<'_>,
    http: &reqwest::Client,
    store: &Arc<dyn TokenStore>,
    codes: Codes,
) -> Result<VendorClient, Failure> {
    let (vendor_name, prefix) = names(vendor);
    let require = |name: &str| require(lookup, vendor_name, name);
    let base = match target.base_url {
        Some(base) => Some(base.to_owned()),
        None => lookup(&format!("{prefix}_BASE_URL"))?,
    };
    let account = match target.account {
        Some(account) => Some(account.to_owned()),
        None => lookup(&format!("{prefix}_ACCOUNT"))?,
    }
    .filter(|a| !a.is_empty());
    let settings = Settings {
        http,
        store,
        account,
    };
    match vendor {
        VendorArg::Igv => {
            let login = igv::IgvLogin::new(
                require("IGV_EMAIL")?,
                Secret::from(require("IGV_PASSWORD")?),
            );
            wrap(
                finish_builder(Session::builder(login), base.clone(), &settings),
                base,
                false,
                |c| c,
            )
        }
        VendorArg::Wahool => {
            let login = wahool::WahoolLogin::new(
                require("WAHOOL_ACCESS_KEY")?,
                Secret::from(require("WAHOOL_SECRET_KEY")?),
            );
            wrap(
                finish_builder(Session::builder(login), base.clone(), &settings),
                base,
                false,
                |c| c,
            )
        }
        VendorArg::Lazada | VendorArg::Aliexpress => {
            let app = IopApp {
                app_key: require("IOP_APP_KEY")?,
                app_secret: Secret::from(require("IOP_APP_SECRET")?),
            };
            // A code is one vendor's: AliExpress's may come in its own variable.
            // Looked up for AliExpress only: Lazada's run never reads AliExpress's variable.
            let own_code = match vendor {
                VendorArg::Aliexpress => lookup("ALIEXPRESS_CODE")?.filter(|c| !c.is_empty()),
                _ => None,
            };
            let code = match own_code {
                Some(code) => Some(code),
                None => lookup("IOP_CODE")?.filter(|c| !c.is_empty()),
            };
            let consent = Consent::new(
                vendor_name,
                "IOP_CODE",
                code,
                settings.account.clone(),
                codes,
            );
            if vendor == VendorArg::Lazada {
                let api = lookup("LAZADA_API_URL")?.or(base.clone());
                consent
                    .client(
                        seller_directory(lazada::directory(app), base, api, &settings),
                        true,
                    )
                    .await
            } else {
                // Business calls go to the gateway (`?method=...`), not under the token base.
                let api = lookup("ALIEXPRESS_API_URL")?
                    .unwrap_or_else(|| aliexpress::API_BASE_URL.to_owned());
                consent
                    .client(
                        seller_directory(aliexpress::directory(app), base, Some(api), &settings),
                        true,
                    )
                    .await
            }
        }
        VendorArg::Icekredit => {
            let login = icekredit::IceKreditLogin::new(
                require("ICEKREDIT_MERCHANT_NAME")?,
                Secret::from(require("ICEKREDIT_PASSWORD")?),
            );
            let api = lookup("ICEKREDIT_SERVICE_URL")?
                .unwrap_or_else(|| icekredit::SERVICE_BASE_URL.to_owned());
            wrap(
                finish_builder(Session::builder(login), base, &settings),
                Some(api),
                false,
                |c| c,
            )
        }
        VendorArg::Yz365 => {
            let login = yz365::Yz365Login::new(
                require("YZ365_USERNAME")?,
                Secret::from(require("YZ365_PASSWORD")?),
                require("YZ365_TENANT_ID")?,
            );
            wrap(
                finish_builder(Session::builder(login), base.clone(), &settings),
                base,
                false,
                |c| c,
            )
        }
        VendorArg::Amazon => {
            let (id, secret) = (
                require("AMAZON_CLIENT_ID")?,
                Secret::from(require("AMAZON_CLIENT_SECRET")?),
            );
            // Tokens come from the LWA host; business calls go to the region's SP-API host.
            let api =
                lookup("AMAZON_API_URL")?.unwrap_or_else(|| amazon::API_BASE_URLS[0].1.to_owned());
            // A seller's refresh token given as configuration; otherwise a seller of the app,
            // onboarded with `AMAZON_CODE` or found in the store by its selling partner id.
            match lookup("AMAZON_REFRESH_TOKEN")?.filter(|t| !t.is_empty()) {
                Some(refresh_token) => {
                    let login = amazon::AmazonLogin::new(id, secret, Secret::from(refresh_token));
                    wrap(
                        finish_builder(Session::builder(login), base, &settings),
                        Some(api),
                        false,
                        |c| c,
                    )
                }
                None => {
                    let app = amazon::AmazonApp {
                        client_id: id,
                        client_secret: secret,
                        redirect_uri: require("AMAZON_REDIRECT_URI")?,
                    };
                    let code = lookup("AMAZON_CODE")?.filter(|c| !c.is_empty());
                    Consent::new(
                        vendor_name,
                        "AMAZON_CODE",
                        code,
                        settings.account.clone(),
                        codes,
                    )
                    .client(
                        seller_directory(amazon::directory(app), base, Some(api), &settings),
                        false,
                    )
                    .await
                }
            }
        }
        VendorArg::Ebay => {
            let (id, secret) = (
                require("EBAY_CLIENT_ID")?,
                Secret::from(require("EBAY_CLIENT_SECRET")?),
            );
            // A user's refresh token, when given, makes a user token instead of the app's.
            match lookup("EBAY_REFRESH_TOKEN")?.filter(|t| !t.is_empty()) {
                Some(refresh_token) => {
                    let login = ebay::EbayUser {
                        client_id: id,
                        client_secret: secret,
                        refresh_token: Secret::from(refresh_token),
                    };
                    wrap(
                        finish_builder(Session::builder(login), base.clone(), &settings),
                        base,
                        false,
                        |c| c,
                    )
                }
                // A user of the app, onboarded with `EBAY_CODE` or found by its account.
                None if settings.account.is_some()
                    || lookup("EBAY_CODE")?.is_some_and(|c| !c.is_empty()) =>
                {
                    let app = ebay::EbayApp {
                        client_id: id,
                        client_secret: secret,
                        ru_name: require("EBAY_RU_NAME")?,
                    };
                    let code = lookup("EBAY_CODE")?.filter(|c| !c.is_empty());
                    Consent::new(
                        vendor_name,
                        "EBAY_CODE",
                        code,
                        settings.account.clone(),
                        codes,
                    )
                    .client(
                        seller_directory(ebay::directory(app), base.clone(), base, &settings),
                        false,
                    )
                    .await
                }
                None => {
                    let login = ebay::EbayApplication::new(id, secret);
                    wrap(
                        finish_builder(Session::builder(login), base.clone(), &settings),
                        base,
                        false,
                        |c| c,
                    )
                }
            }
        }
        VendorArg::Walmart => {
            let login = walmart::WalmartLogin {
                client_id: require("WALMART_CLIENT_ID")?,
                client_secret: Secret::from(require("WALMART_CLIENT_SECRET")?),
            };
            wrap(
                finish_builder(Session::builder(login), base.clone(), &settings),
                base,
                false,
                |c| c,
            )
        }
        VendorArg::Tiktok => {
            let app = tiktok::TiktokApp {
                app_key: require("TIKTOK_APP_KEY")?,
                app_secret: Secret::from(require("TIKTOK_APP_SECRET")?),
            };
            let code = lookup("TIKTOK_AUTH_CODE")?.filter(|c| !c.is_empty());
            let api = lookup("TIKTOK_API_URL")?.unwrap_or_else(|| tiktok::API_BASE_URL.to_owned());
            Consent::new(
                vendor_name,
                "TIKTOK_AUTH_CODE",
                code,
                settings.account.clone(),
                codes,
            )
            .client(
                seller_directory(tiktok::directory(app), base, Some(api), &settings),
                false,
            )
            .await
        }
        VendorArg::Shopee => {
            let app = shopee::ShopeeApp {
                partner_id: integer(lookup, vendor_name, "SHOPEE_PARTNER_ID")?,
                partner_key: Secret::from(require("SHOPEE_PARTNER_KEY")?),
            };
            // The shop is the seller: `--account` or `SHOPEE_ACCOUNT`, else `SHOPEE_SHOP_ID`.
            let shop = match settings.account.clone() {
                Some(shop) => shop,
                None => integer(lookup, vendor_name, "SHOPEE_SHOP_ID")?.to_string(),
            };
            let code = lookup("SHOPEE_CODE")?.filter(|c| !c.is_empty());
            Consent::new(vendor_name, "SHOPEE_CODE", code, Some(shop), codes)
                .client(
                    seller_directory(shopee::directory(app), base.clone(), base, &settings),
                    false,
                )
                .await
        }
        VendorArg::Mercadolibre => {
            let app = mercadolibre::MercadoLibreApp {
                client_id: require("MERCADOLIBRE_CLIENT_ID")?,
                client_secret: Secret::from(require("MERCADOLIBRE_CLIENT_SECRET")?),
                redirect_uri: require("MERCADOLIBRE_REDIRECT_URI")?,
            };
            let code = lookup("MERCADOLIBRE_CODE")?.filter(|c| !c.is_empty());
            Consent::new(
                vendor_name,
                "MERCADOLIBRE_CODE",
                code,
                settings.account.clone(),
                codes,
            )
            .client(
                seller_directory(mercadolibre::directory(app), base.clone(), base, &settings),
                false,
            )
            .await
        }
    }
}

/// What every vendor's session is built with.
struct Settings<'a> {
    http: &'a reqwest::Client,
    store: &'a Arc<dyn TokenStore>,
    account: Option<String>,
}

fn finish_builder<E: LoginEndpoint>(
    builder: auth_core::SessionBuilder<E>,
    base: Option<String>,
    settings: &Settings<'_>,
) -> auth_core::SessionBuilder<E> {
    let mut builder = builder
        .client(settings.http.clone())
        .retry(retry())
        .login_timeout(LOGIN_TIMEOUT)
        .store(Arc::clone(settings.store));
    if let Some(account) = &settings.account {
        builder = builder.account(account.clone());
    }
    match base {
        Some(base) => builder.base_url(base),
        None => builder,
    }
}

fn wrap<E: LoginEndpoint>(
    builder: auth_core::SessionBuilder<E>,
    api: Option<String>,
    form_data: bool,
    configure: impl FnOnce(AuthorizedClient) -> AuthorizedClient,
) -> Result<VendorClient, Failure> {
    let session = builder.build().map_err(Failure::Auth)?;
    let api = api
        .or_else(|| E::SPEC.default_base_url().map(str::to_owned))
        .unwrap_or_default();
    let client = AuthorizedClient::new(session, api).map_err(Failure::Auth)?;
    Ok(VendorClient {
        client: configure(client),
        form_data,
    })
}

/// A code-exchange vendor's directory, with the settings every vendor's session gets.
fn seller_directory<E: CodeGrant>(
    builder: SellerDirectoryBuilder<E>,
    base: Option<String>,
    api: Option<String>,
    settings: &Settings<'_>,
) -> Result<SellerDirectory<E>, Failure> {
    let mut builder = builder
        .client(settings.http.clone())
        .retry(retry())
        .login_timeout(LOGIN_TIMEOUT)
        .store(Arc::clone(settings.store));
    if let Some(base) = base {
        builder = builder.token_base_url(base);
    }
    if let Some(api) = api {
        builder = builder.api_base_url(api);
    }
    builder.build().map_err(Failure::Auth)
}

/// A seller of a code-exchange vendor: its code (if one was given), its account (if named), and
/// whether the code may be spent.
struct Consent {
    vendor: &'static str,
    variable: &'static str,
    code: Option<Secret>,
    account: Option<String>,
    codes: Codes,
}

impl Consent {
    fn new(
        vendor: &'static str,
        variable: &'static str,
        code: Option<String>,
        account: Option<String>,
        codes: Codes,
    ) -> Self {
        Consent {
            vendor,
            variable,
            code: code.map(Secret::from),
            account,
            codes,
        }
    }

    /// The seller's client: the stored seller when it can still be renewed, otherwise the
    /// seller onboarded with the code (which is sent once, only then).
    async fn client<E: CodeGrant>(
        self,
        directory: Result<SellerDirectory<E>, Failure>,
        form_data: bool,
    ) -> Result<VendorClient, Failure> {
        let directory = directory?;
        let ready = |client| VendorClient { client, form_data };
        let code = self.code.filter(|_| self.codes != Codes::Keep);
        match (code, self.account) {
            (None, Some(account)) => directory.seller(&account).map(ready).map_err(Failure::Auth),
            (Some(code), Some(account)) => {
                let client = directory.seller(&account).map_err(Failure::Auth)?;
                match client.session().token().await {
                    Ok(_) => Ok(ready(client)),
                    // Stored by an earlier version under the code's key: moved, not re-sent.
                    Err(Error::NeedsConsent {
                        reason: ConsentNeeded::NotOnboarded,
                        ..
                    }) if directory
                        .adopt_entry_of_code(code.clone(), Some(&account))
                        .await
                        .map_err(Failure::Auth)?
                        .is_some() =>
                    {
                        directory.seller(&account).map(ready).map_err(Failure::Auth)
                    }
                    Err(Error::NeedsConsent { .. }) => {
                        directory
                            .onboard(code, Some(&account))
                            .await
                            .map_err(Failure::Auth)?;
                        directory.seller(&account).map(ready).map_err(Failure::Auth)
                    }
                    Err(err) => Err(Failure::Auth(err)),
                }
            }
            (Some(code), None) => {
                // Stored by an earlier version under the code's key: moved, not re-sent.
                if let Some(account) = directory
                    .adopt_entry_of_code(code.clone(), None)
                    .await
                    .map_err(Failure::Auth)?
                {
                    return directory.seller(&account).map(ready).map_err(Failure::Auth);
                }
                let account = match directory.onboard(code, None).await {
                    Ok(account) => account,
                    Err(err) => {
                        if err.class() == ErrorClass::Rejected && self.codes == Codes::Spend {
                            crate::output::stderr_line(&format!(
                                "authctl: a code works once: name a seller onboarded before with --account (or {}_ACCOUNT)",
                                self.vendor.to_ascii_uppercase()
                            ));
                        }
                        return Err(Failure::Auth(err));
                    }
                };
                if self.codes == Codes::Spend {
                    crate::output::stderr_line(&format!(
                        "authctl: {} seller {} onboarded; later runs need only --account {} (no code)",
                        self.vendor,
                        crate::printable::visible(&account),
                        crate::printable::visible(&account),
                    ));
                }
                directory.seller(&account).map(ready).map_err(Failure::Auth)
            }
            (None, None) if self.codes == Codes::Keep => Err(Failure::Config(format!(
                "{}: name the seller with --account (a seller's entry is found by its id)",
                self.vendor
            ))),
            (None, None) => Err(Failure::Config(format!(
                "{}: {} is not set: give a seller's consent code to onboard it, or --account for a seller already onboarded",
                self.vendor, self.variable
            ))),
        }
    }
}
