//! `token`, `request` and `authorize-url`.

use std::time::{SystemTime, UNIX_EPOCH};

use reqwest::Method;

use crate::cli::{ConsentVendorArg, Format, VendorArg};
use crate::failure::Failure;
use crate::vendor_client::{Outgoing, VendorClient, names};

pub async fn token(
    vendor: VendorArg,
    driver: &VendorClient,
    format: Format,
) -> Result<String, Failure> {
    let (name, _) = names(vendor);
    let token = driver.token().await.map_err(Failure::Auth)?;
    Ok(match format {
        Format::Token => token.secret().expose().to_owned(),
        Format::Header => match (token.header(), token.query_param()) {
            (Some((header, value)), _) => format!(
                "{}: {}",
                token.header_name_as_documented().unwrap_or(header.as_str()),
                value.to_str().unwrap_or_default()
            ),
            (None, Some((param, value))) => format!("{param}={value}"),
            (None, None) => token.secret().expose().to_owned(),
        },
        Format::Json => {
            let expires = token
                .expires_at()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0);
            let left = token
                .expires_at()
                .duration_since(SystemTime::now())
                .map(|d| d.as_secs())
                .unwrap_or(0);
            serde_json::json!({
                "vendor": name,
                "token": token.secret().expose(),
                "expires_at_unix": expires,
                "expires_in_seconds": left,
            })
            .to_string()
        }
    })
}

pub async fn request(
    vendor: VendorArg,
    driver: &VendorClient,
    method: &str,
    target: String,
    data: Option<String>,
    headers: Vec<String>,
) -> Result<String, Failure> {
    let (name, _) = names(vendor);
    let method = Method::from_bytes(method.to_ascii_uppercase().as_bytes())
        .map_err(|_| Failure::Config(format!("`{method}` is not an HTTP method")))?;
    let headers = headers
        .iter()
        .map(|h| match h.split_once(':') {
            Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_owned(), v.trim().to_owned())),
            _ => Err(Failure::Config(format!(
                "`{h}` is not a header; write `Name: value`"
            ))),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let response = driver
        .send(Outgoing {
            method,
            target,
            data,
            headers,
        })
        .await
        .map_err(Failure::Auth)?;
    let status = response.status();
    let body = response
        .text()
        .await
        .map_err(|e| Failure::Local(format!("{name}: reading the response failed: {e}")))?;
    match driver.vendor_error(status.as_u16(), body.as_bytes()) {
        Some(said) => Err(Failure::Answered {
            vendor: name,
            status: status.as_u16(),
            said,
            body,
        }),
        None => Ok(body),
    }
}

/// A URL that does not parse, blamed on the variable it came from.
fn bad<E: std::fmt::Display>(env: &'static str) -> impl Fn(E) -> Failure {
    move |e| Failure::Config(format!("{env}: {e}"))
}

/// What a consent page is asked for on the command line.
pub struct Consent<'a> {
    pub redirect_uri: Option<&'a str>,
    pub state: Option<&'a str>,
    pub draft: bool,
}

pub fn authorize_url(
    vendor: ConsentVendorArg,
    consent: Consent<'_>,
    lookup: crate::vendor_client::Lookup<'_>,
) -> Result<String, Failure> {
    let Consent {
        redirect_uri,
        state,
        draft,
    } = consent;
    let redirect = || {
        redirect_uri
            .ok_or_else(|| Failure::Config("--redirect-uri is required for this vendor".into()))
    };
    let require = |name: &str| {
        lookup(name)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| Failure::Config(format!("{name} is not set")))
    };
    let url = match vendor {
        ConsentVendorArg::Lazada | ConsentVendorArg::Aliexpress => {
            let app_key = require("IOP_APP_KEY")?;
            let (env, default) = match vendor {
                ConsentVendorArg::Lazada => {
                    ("LAZADA_AUTHORIZE_URL", vendors::lazada::AUTHORIZE_URL)
                }
                _ => (
                    "ALIEXPRESS_AUTHORIZE_URL",
                    vendors::aliexpress::AUTHORIZE_URL,
                ),
            };
            let page = lookup(env).unwrap_or_else(|| default.to_owned());
            vendors::iop::authorize_url(&page, &app_key, redirect()?).map_err(bad(env))?
        }
        ConsentVendorArg::Ebay => {
            let client_id = require("EBAY_CLIENT_ID")?;
            let page = lookup("EBAY_AUTHORIZE_URL")
                .unwrap_or_else(|| vendors::ebay::AUTHORIZE_URL.to_owned());
            let scopes =
                lookup("EBAY_SCOPES").unwrap_or_else(|| vendors::ebay::DEFAULT_SCOPE.to_owned());
            let scopes: Vec<&str> = scopes.split_whitespace().collect();
            vendors::ebay::consent_url(&page, &client_id, redirect()?, &scopes)
                .map_err(bad("EBAY_AUTHORIZE_URL"))?
        }
        ConsentVendorArg::Shopee => {
            let partner_id: u64 = require("SHOPEE_PARTNER_ID")?
                .trim()
                .parse()
                .map_err(|_| Failure::Config("SHOPEE_PARTNER_ID is not a whole number".into()))?;
            let key = auth_core::Secret::from(require("SHOPEE_PARTNER_KEY")?);
            let base =
                lookup("SHOPEE_BASE_URL").unwrap_or_else(|| vendors::shopee::BASE_URL.to_owned());
            vendors::shopee::auth_partner_url(
                &base,
                partner_id,
                &key,
                redirect()?,
                std::time::SystemTime::now(),
            )
            .map_err(bad("SHOPEE_BASE_URL"))?
        }
        ConsentVendorArg::Amazon => {
            let application_id = require("AMAZON_APPLICATION_ID")?;
            let seller_central = lookup("AMAZON_SELLER_CENTRAL_URL")
                .unwrap_or_else(|| vendors::amazon::SELLER_CENTRAL_URL.to_owned());
            vendors::amazon::consent_url(
                &seller_central,
                &application_id,
                state.unwrap_or("authctl"),
                draft,
            )
            .map_err(bad("AMAZON_SELLER_CENTRAL_URL"))?
        }
        ConsentVendorArg::Mercadolibre => {
            let client_id = require("MERCADOLIBRE_CLIENT_ID")?;
            let page = lookup("MERCADOLIBRE_AUTHORIZE_URL")
                .unwrap_or_else(|| vendors::mercadolibre::AUTHORIZE_URL.to_owned());
            vendors::mercadolibre::consent_url(
                &page,
                &client_id,
                redirect()?,
                state.unwrap_or("authctl"),
            )
            .map_err(bad("MERCADOLIBRE_AUTHORIZE_URL"))?
        }
        ConsentVendorArg::Tiktok => {
            let app_key = require("TIKTOK_APP_KEY")?;
            vendors::tiktok::consent_url(&app_key, state.unwrap_or("authctl"))
                .map_err(bad("TIKTOK_APP_KEY"))?
        }
    };
    Ok(url.to_string())
}
