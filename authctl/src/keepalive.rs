//! `keepalive`: refreshes the stored sellers whose refresh token dies soon, vendor by vendor,
//! with each vendor's app from the variables.

use std::sync::Arc;

use auth_core::store::TokenStore;
use auth_core::{CodeGrant, KeepAlive, KeepAliveReport, Secret, SellerDirectory};
use vendors::iop::IopApp;
use vendors::{aliexpress, amazon, ebay, lazada, mercadolibre, shopee, tiktok};

use crate::cli::ConsentVendorArg;
use crate::failure::Failure;
use crate::printable::visible;
use crate::vendor_client::{Lookup, integer, require};

/// Every code-exchange vendor, in the order the summary lists them.
const ALL: [ConsentVendorArg; 7] = [
    ConsentVendorArg::Lazada,
    ConsentVendorArg::Aliexpress,
    ConsentVendorArg::Tiktok,
    ConsentVendorArg::Shopee,
    ConsentVendorArg::Mercadolibre,
    ConsentVendorArg::Ebay,
    ConsentVendorArg::Amazon,
];

/// The command line's name, the variables' prefix, and the vendor's name in store entries.
fn names(vendor: ConsentVendorArg) -> (&'static str, &'static str, &'static str) {
    match vendor {
        ConsentVendorArg::Lazada => ("lazada", "LAZADA", "Lazada"),
        ConsentVendorArg::Aliexpress => ("aliexpress", "ALIEXPRESS", "AliExpress"),
        ConsentVendorArg::Tiktok => ("tiktok", "TIKTOK", "TikTok Shop"),
        ConsentVendorArg::Shopee => ("shopee", "SHOPEE", "Shopee"),
        ConsentVendorArg::Mercadolibre => ("mercadolibre", "MERCADOLIBRE", "Mercado Libre"),
        ConsentVendorArg::Ebay => ("ebay", "EBAY", "eBay"),
        ConsentVendorArg::Amazon => ("amazon", "AMAZON", "Amazon"),
    }
}

/// The sweep of one vendor, or of every vendor whose sellers the store holds: the summary to
/// print, and whether any seller failed.
pub async fn keepalive(
    only: Option<ConsentVendorArg>,
    lookup: Lookup<'_>,
    http: &reqwest::Client,
    store: &Arc<dyn TokenStore>,
    plan: &KeepAlive,
) -> Result<(String, bool), Failure> {
    let listed = store
        .list()
        .await
        .map_err(|e| Failure::Local(format!("keepalive: the store could not be listed: {e}")))?;
    let mut lines = Vec::new();
    let mut failed = false;
    for vendor in ALL.into_iter().filter(|v| only.is_none_or(|o| o == *v)) {
        let (name, prefix, stored_as) = names(vendor);
        let held = listed
            .iter()
            .filter(|(_, t)| t.about.as_ref().is_some_and(|a| a.vendor == stored_as))
            .count();
        if held == 0 && only.is_none() {
            continue;
        }
        let swept = sweep(vendor, prefix, lookup, http, store, plan).await;
        match swept {
            Ok(report) => {
                failed |= !report.is_ok();
                lines.push(summary(name, &report));
                for (account, err) in &report.failed {
                    lines.push(format!("{name}: seller {}: {err}", visible(account)));
                }
            }
            // The vendor's app cannot be built: its stored sellers go without a refresh.
            Err(Failure::Config(why)) => {
                failed = true;
                lines.push(format!(
                    "{name}: not swept ({held} stored): {}",
                    visible(&why)
                ));
            }
            Err(other) => return Err(other),
        }
    }
    if lines.is_empty() {
        lines.push("keepalive: the store holds no seller of a code-exchange vendor".to_owned());
    }
    Ok((lines.join("\n"), failed))
}

fn summary(name: &str, report: &KeepAliveReport) -> String {
    let consent = match report.needs_consent.as_slice() {
        [] => String::new(),
        accounts => {
            let shown: Vec<String> = accounts.iter().take(10).map(|a| visible(a)).collect();
            let more = accounts.len().saturating_sub(shown.len());
            let tail = if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            };
            format!(" ({}{tail})", shown.join(", "))
        }
    };
    let others = match report.other_apps {
        0 => String::new(),
        n => format!(", {n} of other apps or token URLs (not swept: check the app's variables)"),
    };
    format!(
        "{name}: {} refreshed, {} need consent{consent}, {} failed, {} not due{others}",
        report.refreshed.len(),
        report.needs_consent.len(),
        report.failed.len(),
        report.not_due
    )
}

/// One vendor's directory from its variables, swept.
async fn sweep(
    vendor: ConsentVendorArg,
    prefix: &str,
    lookup: Lookup<'_>,
    http: &reqwest::Client,
    store: &Arc<dyn TokenStore>,
    plan: &KeepAlive,
) -> Result<KeepAliveReport, Failure> {
    let (name, _, _) = names(vendor);
    let require = |variable: &str| require(lookup, name, variable);
    let base = lookup(&format!("{prefix}_BASE_URL"))?;
    let setup = Setup {
        base,
        http,
        store,
        plan,
    };
    let iop = || -> Result<IopApp, Failure> {
        Ok(IopApp {
            app_key: require("IOP_APP_KEY")?,
            app_secret: Secret::from(require("IOP_APP_SECRET")?),
        })
    };
    match vendor {
        ConsentVendorArg::Lazada => setup.run(lazada::directory(iop()?)).await,
        ConsentVendorArg::Aliexpress => setup.run(aliexpress::directory(iop()?)).await,
        ConsentVendorArg::Tiktok => {
            let app = tiktok::TiktokApp {
                app_key: require("TIKTOK_APP_KEY")?,
                app_secret: Secret::from(require("TIKTOK_APP_SECRET")?),
            };
            setup.run(tiktok::directory(app)).await
        }
        ConsentVendorArg::Shopee => {
            let app = shopee::ShopeeApp {
                partner_id: integer(lookup, name, "SHOPEE_PARTNER_ID")?,
                partner_key: Secret::from(require("SHOPEE_PARTNER_KEY")?),
            };
            setup.run(shopee::directory(app)).await
        }
        ConsentVendorArg::Mercadolibre => {
            let app = mercadolibre::MercadoLibreApp {
                client_id: require("MERCADOLIBRE_CLIENT_ID")?,
                client_secret: Secret::from(require("MERCADOLIBRE_CLIENT_SECRET")?),
                redirect_uri: require("MERCADOLIBRE_REDIRECT_URI")?,
            };
            setup.run(mercadolibre::directory(app)).await
        }
        ConsentVendorArg::Ebay => {
            let app = ebay::EbayApp {
                client_id: require("EBAY_CLIENT_ID")?,
                client_secret: Secret::from(require("EBAY_CLIENT_SECRET")?),
                ru_name: require("EBAY_RU_NAME")?,
            };
            setup.run(ebay::directory(app)).await
        }
        ConsentVendorArg::Amazon => {
            let app = amazon::AmazonApp {
                client_id: require("AMAZON_CLIENT_ID")?,
                client_secret: Secret::from(require("AMAZON_CLIENT_SECRET")?),
                redirect_uri: require("AMAZON_REDIRECT_URI")?,
            };
            setup.run(amazon::directory(app)).await
        }
    }
}

/// What every vendor's sweep is built with.
struct Setup<'a> {
    base: Option<String>,
    http: &'a reqwest::Client,
    store: &'a Arc<dyn TokenStore>,
    plan: &'a KeepAlive,
}

impl Setup<'_> {
    async fn run<E: CodeGrant>(
        self,
        builder: auth_core::SellerDirectoryBuilder<E>,
    ) -> Result<KeepAliveReport, Failure> {
        let mut builder = builder
            .client(self.http.clone())
            .store(Arc::clone(self.store))
            .login_timeout(std::time::Duration::from_secs(10));
        if let Some(base) = self.base {
            // The sellers' requests are not made here: only the token host matters.
            builder = builder.token_base_url(base.clone()).api_base_url(base);
        }
        let directory: SellerDirectory<E> = builder.build().map_err(Failure::Auth)?;
        directory.keep_alive(self.plan).await.map_err(Failure::Auth)
    }
}
