//! `token`, `request` and `authorize-url`.

use std::time::{SystemTime, UNIX_EPOCH};

use reqwest::Method;

use auth_core::store::TokenStore;

use crate::cli::{ConsentVendorArg, Format, ListFormat, VendorArg};
use crate::failure::Failure;
use crate::output;
use crate::printable::visible;
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
            // Not echoed: a header written without its colon is likely `Authorization Bearer ...`.
            _ => Err(Failure::Config(
                "a -H argument is not a header (not shown: it may hold a secret); write `Name: value`"
                    .to_owned(),
            )),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut response = driver
        .send(Outgoing {
            method,
            target,
            data,
            headers,
        })
        .await
        .map_err(Failure::Auth)?;
    let status = response.status().as_u16();
    let failed =
        |e: reqwest::Error| Failure::Local(format!("{name}: reading the response failed: {e}"));
    // An error envelope (IOP's, inside a 200) is small: it is looked for in the first
    // ENVELOPE_LIMIT bytes, and a longer answer is streamed from there on, never held whole.
    let mut head = Vec::new();
    let mut ended = false;
    while head.len() <= ENVELOPE_LIMIT {
        match response.chunk().await.map_err(failed)? {
            Some(chunk) => head.extend_from_slice(&chunk),
            None => {
                ended = true;
                break;
            }
        }
    }
    let said = driver.vendor_error(status, &head);
    output::stdout(&head)?;
    drop(head);
    if !ended {
        while let Some(chunk) = response.chunk().await.map_err(failed)? {
            output::stdout(&chunk)?;
        }
    }
    match said {
        Some(said) => Err(Failure::Answered {
            vendor: name,
            status,
            said,
            body: None,
        }),
        None => Ok(String::new()),
    }
}

/// How much of an answer `request` reads before writing it: an error envelope is found in an
/// answer up to this long (they are a few hundred bytes); a longer one is passed on as it comes.
const ENVELOPE_LIMIT: usize = 64 * 1024;

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
        lookup(name)?
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
            let page = lookup(env)?.unwrap_or_else(|| default.to_owned());
            vendors::iop::authorize_url(&page, &app_key, redirect()?).map_err(bad(env))?
        }
        ConsentVendorArg::Ebay => {
            let client_id = require("EBAY_CLIENT_ID")?;
            let page = lookup("EBAY_AUTHORIZE_URL")?
                .unwrap_or_else(|| vendors::ebay::AUTHORIZE_URL.to_owned());
            let scopes =
                lookup("EBAY_SCOPES")?.unwrap_or_else(|| vendors::ebay::DEFAULT_SCOPE.to_owned());
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
                lookup("SHOPEE_BASE_URL")?.unwrap_or_else(|| vendors::shopee::BASE_URL.to_owned());
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
            let seller_central = lookup("AMAZON_SELLER_CENTRAL_URL")?
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
            let page = lookup("MERCADOLIBRE_AUTHORIZE_URL")?
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

/// `status`: what the store holds, one entry a line (or a JSON array); never a token. With
/// `expiring`, only the entries whose refresh token dies within that window (or has died).
pub async fn status(
    store: &dyn TokenStore,
    format: ListFormat,
    expiring: Option<std::time::Duration>,
) -> Result<String, Failure> {
    let mut entries = store
        .list()
        .await
        .map_err(|e| Failure::Local(format!("the token store could not be listed: {e}")))?;
    let now = SystemTime::now();
    if let Some(window) = expiring {
        // A window past what the clock holds takes in every known expiry.
        let horizon = now.checked_add(window);
        entries.retain(|(_, entry)| {
            let dies = entry
                .refresh_expires_at
                .filter(|_| entry.refresh_token.is_some());
            dies.is_some_and(|at| horizon.is_none_or(|h| at <= h))
        });
    }
    let unix = |at: SystemTime| at.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let rows: Vec<serde_json::Value> = entries
        .iter()
        .map(|(key, entry)| {
            let about = entry.about.as_ref();
            serde_json::json!({
                "key": key,
                "vendor": about.map(|a| a.vendor.as_str()),
                "account": about.map(|a| a.label.as_str()).filter(|l| !l.is_empty()),
                "expires_at_unix": unix(entry.expires_at),
                "expires_in_seconds": entry.expires_at.duration_since(now).map_or(0, |d| d.as_secs()),
                "refresh_token": entry.refresh_token.is_some(),
                "refresh_expires_at_unix": entry.refresh_expires_at.map(unix),
                "stored_at_unix": about.map(|a| unix(a.stored_at)),
            })
        })
        .collect();
    if format == ListFormat::Json {
        return Ok(crate::printable::json(
            &serde_json::Value::Array(rows).to_string(),
        ));
    }
    if entries.is_empty() {
        return Ok(match expiring {
            Some(_) => "no stored refresh token dies within that window".to_owned(),
            None => "the token store holds no token".to_owned(),
        });
    }
    let mut lines = vec![format!(
        "{:<14} {:<36} {:<42} {:<7} {:<42} {:<29}  {}",
        "VENDOR", "ACCOUNT", "EXPIRES", "REFRESH", "REFRESH EXPIRES", "STORED", "KEY"
    )];
    for (key, entry) in &entries {
        let about = entry.about.as_ref();
        let when = |at: SystemTime| match at.duration_since(now) {
            Ok(left) => format!("{} (in {})", short_date(at), span(left)),
            Err(_) => format!("{} (expired)", short_date(at)),
        };
        let expires = when(entry.expires_at);
        let refresh_expires = match (&entry.refresh_token, entry.refresh_expires_at) {
            (None, _) => "-".to_owned(),
            (Some(_), Some(at)) => when(at),
            (Some(_), None) => "unknown".to_owned(),
        };
        lines.push(format!(
            "{:<14} {:<36} {:<42} {:<7} {:<42} {:<29}  {}",
            visible(about.map_or("?", |a| a.vendor.as_str())),
            visible(about.map_or(key.as_str(), |a| a.label.as_str())),
            expires,
            if entry.refresh_token.is_some() {
                "yes"
            } else {
                "no"
            },
            refresh_expires,
            about.map_or_else(|| "-".to_owned(), |a| short_date(a.stored_at)),
            visible(key),
        ));
    }
    Ok(lines.join("\n"))
}

/// `forget`: removes the vendor's entry the variables find.
pub async fn forget(vendor: VendorArg, driver: &VendorClient) -> Result<String, Failure> {
    let (name, _) = names(vendor);
    let removed = driver.forget().await.map_err(Failure::Auth)?;
    Ok(match removed {
        true => format!("{name}: the stored token was removed"),
        false => format!("{name}: the store held no token for these credentials"),
    })
}

/// An HTTP date (`Wed, 02 Dec 2026 03:21:07 GMT`): UTC, to the second.
fn short_date(at: SystemTime) -> String {
    httpdate::fmt_http_date(at)
}

/// `6d 23h`, `1h 59m`, `4m 10s`, `12s`.
fn span(left: std::time::Duration) -> String {
    let secs = left.as_secs();
    match (
        secs / 86_400,
        secs % 86_400 / 3600,
        secs % 3600 / 60,
        secs % 60,
    ) {
        (0, 0, 0, s) => format!("{s}s"),
        (0, 0, m, s) => format!("{m}m {s}s"),
        (0, h, m, _) => format!("{h}h {m}m"),
        (d, h, _, _) => format!("{d}d {h}h"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_read_as_people_write_them() {
        let at = UNIX_EPOCH + std::time::Duration::from_secs(1_796_181_667);
        assert_eq!(short_date(at), "Wed, 02 Dec 2026 03:21:07 GMT");
        assert_eq!(span(std::time::Duration::from_secs(604_790)), "6d 23h");
        assert_eq!(span(std::time::Duration::from_secs(7_170)), "1h 59m");
        assert_eq!(span(std::time::Duration::from_secs(250)), "4m 10s");
        assert_eq!(span(std::time::Duration::from_secs(12)), "12s");
    }
}
