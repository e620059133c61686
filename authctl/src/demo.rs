//! `authctl demo`: every vendor against an in-process sandbox with 3-second tokens.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use auth_core::store::{MemoryStore, TokenStore};
use futures_util::future::join_all;
use reqwest::Method;
use vendors::sandbox::{
    Sandbox, Vendor, amazon, ebay, icekredit, igv, mercadolibre, shopee, tiktok, wahool, walmart,
    yz365,
};

use crate::cli::VendorArg;
use crate::failure::Failure;
use crate::sandbox_env::{fresh_codes, variables};
use crate::vendor_client::{Codes, Outgoing, VendorClient, build, names};

const LIFETIME: Duration = Duration::from_secs(4);

/// One vendor's line of the table.
struct Row {
    vendor: &'static str,
    login: Duration,
    header: String,
    expires_in: Duration,
    call: u16,
    reused: bool,
    renewal: &'static str,
}

/// The protected sandbox call of each vendor, in its documented form.
fn protected_call(vendor: VendorArg) -> Outgoing {
    let (method, target, data) = match vendor {
        VendorArg::Igv => (Method::GET, igv::WHOAMI_PATH.to_owned(), None),
        VendorArg::Wahool => (Method::GET, wahool::WHOAMI_PATH.to_owned(), None),
        VendorArg::Lazada => (
            Method::POST,
            "/seller/get".to_owned(),
            Some("fields=all".to_owned()),
        ),
        VendorArg::Aliexpress => (
            Method::GET,
            "?method=aliexpress.seller.get".to_owned(),
            None,
        ),
        VendorArg::Icekredit => (Method::POST, icekredit::WHOAMI_PATH.to_owned(), None),
        VendorArg::Yz365 => (Method::GET, yz365::WHOAMI_PATH.to_owned(), None),
        VendorArg::Amazon => (Method::GET, amazon::PARTICIPATIONS_PATH.to_owned(), None),
        VendorArg::Ebay => (Method::GET, ebay::PRIVILEGE_PATH.to_owned(), None),
        VendorArg::Walmart => (Method::GET, walmart::ORDERS_PATH.to_owned(), None),
        VendorArg::Tiktok => (Method::GET, tiktok::SHOPS_PATH.to_owned(), None),
        VendorArg::Shopee => (Method::GET, shopee::SHOP_INFO_PATH.to_owned(), None),
        VendorArg::Mercadolibre => (Method::GET, mercadolibre::ME_PATH.to_owned(), None),
    };
    Outgoing {
        method,
        target,
        data,
        headers: Vec::new(),
    }
}

/// The header form with the token cut short: enough to see its shape, not to use it.
fn masked(token: &auth_core::Token) -> String {
    let (name, value) = match (token.header(), token.query_param()) {
        (Some((n, v)), _) => (
            format!(
                "{}: ",
                token.header_name_as_documented().unwrap_or(n.as_str())
            ),
            v.to_str().unwrap_or_default().to_owned(),
        ),
        (None, Some((n, v))) => (format!("{n}="), v.to_owned()),
        (None, None) => (String::new(), String::new()),
    };
    let shown: String = value.chars().take(14).collect();
    format!("{name}{shown}…")
}

async fn run_vendor(
    vendor: VendorArg,
    driver: &VendorClient,
    started: Instant,
) -> Result<Row, Failure> {
    let (name, _) = names(vendor);
    let token = driver.token().await.map_err(Failure::Auth)?;
    let login = started.elapsed();
    let response = driver
        .send(protected_call(vendor))
        .await
        .map_err(Failure::Auth)?;
    let call = response.status().as_u16();
    // A 200 may still be the vendor saying no (IOP's error envelope): the demo shows only calls
    // the vendor accepted.
    let body = response
        .bytes()
        .await
        .map_err(|e| Failure::Local(format!("{name}: reading the response failed: {e}")))?;
    if let Some(said) = driver.vendor_error(call, &body) {
        return Err(Failure::Answered {
            vendor: name,
            status: call,
            said,
            body: Some(body.to_vec()),
        });
    }
    let reused = Arc::ptr_eq(&token, &driver.token().await.map_err(Failure::Auth)?);
    // Keep calling, as an application would, until the renewal shows: a new token (renewed
    // ahead at 75-85% of its life) or, for a sliding token, a later expiry. Bounded, so a
    // broken renewal ends the demo instead of hanging it.
    let expires_at = token.expires_at();
    let mut renewal = "none";
    for _ in 0..40 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        driver
            .send(protected_call(vendor))
            .await
            .map_err(Failure::Auth)?;
        let now = driver.token().await.map_err(Failure::Auth)?;
        if !Arc::ptr_eq(&token, &now) {
            renewal = if driver.stats().refresh_requests > 0 {
                "refreshed"
            } else {
                "renewed"
            };
            break;
        }
        if now.expires_at() > expires_at + Duration::from_secs(3) {
            renewal = "extended by use";
            break;
        }
    }
    let expires_in = token
        .expires_at()
        .duration_since(SystemTime::now() - started.elapsed())
        .unwrap_or_default();
    Ok(Row {
        vendor: name,
        login,
        header: masked(&token),
        expires_in,
        call,
        reused,
        renewal,
    })
}

pub async fn demo(http: &reqwest::Client) -> Result<String, Failure> {
    let sandbox = Sandbox::start()
        .await
        .map_err(|e| Failure::Local(format!("the sandbox did not start: {e}")))?;
    // IceKredit's 20 sliding minutes are documented, not sent: the SDK cannot learn a shorter
    // sandbox lifetime, so that vendor keeps its real one.
    for vendor in Vendor::ALL.into_iter().filter(|v| *v != Vendor::IceKredit) {
        sandbox.vendor(vendor).set_token_lifetime(LIFETIME);
    }
    let mut env: HashMap<String, String> = variables(&sandbox).into_iter().collect();
    env.extend(fresh_codes(&sandbox));
    let vendors = [
        VendorArg::Igv,
        VendorArg::Wahool,
        VendorArg::Lazada,
        VendorArg::Aliexpress,
        VendorArg::Icekredit,
        VendorArg::Yz365,
        VendorArg::Amazon,
        VendorArg::Ebay,
        VendorArg::Walmart,
        VendorArg::Tiktok,
        VendorArg::Shopee,
        VendorArg::Mercadolibre,
    ];
    // The demo's tokens belong to a throw-away sandbox: keep them out of the user's store.
    let store: Arc<dyn TokenStore> = Arc::new(MemoryStore::new());
    let store = &store;
    let env = &env;
    let rows = join_all(vendors.into_iter().map(|vendor| async move {
        let lookup = |name: &str| Ok(env.get(name).cloned());
        // Timed from here: a code-exchange vendor's seller is onboarded as its client is built.
        let started = Instant::now();
        let driver = build(
            vendor,
            &lookup,
            crate::vendor_client::Target::default(),
            http,
            store,
            Codes::SpendQuietly,
        )
        .await?;
        run_vendor(vendor, &driver, started).await
    }))
    .await;
    let mut table = format!(
        "sandbox at {} — tokens live {} s (IceKredit: 20 min, sliding)\n\n{:<13} {:>9}  {:<42} {:>10}  {:>5}  {:<7} {}\n",
        sandbox.addr(),
        LIFETIME.as_secs(),
        "vendor",
        "login",
        "header form",
        "expires in",
        "call",
        "reused",
        "renewal"
    );
    for row in rows {
        let row = row?;
        table.push_str(&format!(
            "{:<13} {:>9}  {:<42} {:>10}  {:>5}  {:<7} {}\n",
            row.vendor,
            format!("{:.1?}", row.login),
            row.header,
            format!("{:.0?}", row.expires_in),
            row.call,
            if row.reused { "yes" } else { "no" },
            row.renewal
        ));
    }
    Ok(table)
}
