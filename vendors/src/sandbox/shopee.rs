//! Shopee Open Platform v2, as MARKETPLACES.md §3 describes it: token calls are signed POSTs
//! with `partner_id`, `timestamp` (within 5 minutes) and `sign` in the query and a JSON body
//! whose ids are integers, `partner_id` in both; the partner key is never sent. Success is an
//! empty `error`; every answer is HTTP 200 with `request_id`, `error` and `message`. Codes are
//! single use; each refresh returns a new refresh token and spends the old one. Shop calls carry
//! `partner_id`, `timestamp`, `access_token`, `shop_id` and `sign` in the query, signed over
//! `partner_id + path + timestamp + access_token + shop_id` (checked by the sandbox's own HMAC).
//!
//! The sandbox's own choices, where the sources are silent: a reused or unknown code is
//! `invalid_code`, a spent or unknown refresh token `error_shop_refresh_token` (as Shopee
//! documents for both), a bad signature `error_sign`, a stale timestamp `error_param`, and an
//! invalid token on a shop call `invalid_acceess_token` (Shopee's spelling).

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, post};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use super::ledger::RefreshRefused;
use super::marketplace::MarketplaceSandbox;
use super::oauth::Refusal;
use super::reply::{content_type_is, json as answer, pairs, param};
use super::state::{TokenCheck, VendorState};

/// The demo partner id.
pub const DEMO_PARTNER_ID: u64 = 2_001_887;
/// The demo partner key.
pub const DEMO_PARTNER_KEY: &str = "shpk-sandbox-partner-key";
/// The demo shop.
pub const DEMO_SHOP_ID: u64 = 14_701_711;
/// The protected endpoint.
pub const SHOP_INFO_PATH: &str = "/api/v2/shop/get_shop_info";
/// Where the sandbox serves Shopee.
pub const PREFIX: &str = "/shopee";

/// The simulated Shopee: the partner, and codes for the demo shop.
pub(crate) fn sandbox() -> MarketplaceSandbox {
    MarketplaceSandbox::new(
        VendorState::new(
            &DEMO_PARTNER_ID.to_string(),
            DEMO_PARTNER_KEY,
            Duration::from_secs(4 * 3600),
            false,
        ),
        DEMO_SHOP_ID.to_string(),
        "sandboxcode",
        // "code is single-use, valid 10 min" (MARKETPLACES.md).
        Duration::from_secs(10 * 60),
        // "Each refresh_token is valid for 30 days."
        Some(Duration::from_secs(30 * 24 * 3600)),
    )
}

pub(crate) fn router(sim: Arc<MarketplaceSandbox>) -> Router {
    Router::new()
        .route("/api/v2/auth/token/get", post(token_get))
        .route("/api/v2/auth/access_token/get", post(refresh))
        .route(SHOP_INFO_PATH, get(shop_info))
        .with_state(sim)
}

fn reply(error: &str, message: &str, fields: Value) -> Response {
    let mut body = json!({"request_id": super::token::random_token("req"), "error": error, "message": message});
    if let (Some(object), Value::Object(extra)) = (body.as_object_mut(), fields) {
        object.extend(extra);
    }
    answer(StatusCode::OK, body)
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Shopee's signature, computed by the sandbox itself.
fn signature(key: &str, parts: &[&str]) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key.as_bytes()) else {
        return String::new();
    };
    for part in parts {
        mac.update(part.as_bytes());
    }
    hex::encode(mac.finalize().into_bytes())
}

/// Checks the query of a signed call: the partner, a fresh timestamp, the signature over
/// `partner_id + path + timestamp` and `extra`.
fn check_signed(query: &[(String, String)], path: &str, extra: &[&str]) -> Result<(), Refusal> {
    if param(query, "partner_id") != Some(DEMO_PARTNER_ID.to_string().as_str()) {
        return Err(Box::new(reply(
            "error_param",
            "Invalid partner_id.",
            json!({}),
        )));
    }
    let timestamp = param(query, "timestamp").unwrap_or_default();
    if !timestamp
        .parse::<u64>()
        .is_ok_and(|t| t.abs_diff(unix_now()) <= 300)
    {
        return Err(Box::new(reply(
            "error_param",
            "Invalid timestamp.",
            json!({}),
        )));
    }
    let mut parts = vec![
        param(query, "partner_id").unwrap_or_default(),
        path,
        timestamp,
    ];
    parts.extend_from_slice(extra);
    if param(query, "sign") != Some(signature(DEMO_PARTNER_KEY, &parts).as_str()) {
        return Err(Box::new(reply("error_sign", "Wrong sign.", json!({}))));
    }
    Ok(())
}

/// The JSON body of a token call, with its integer ids checked against the query.
fn token_body(
    query: &[(String, String)],
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Value, Refusal> {
    if !content_type_is(headers, "application/json") {
        return Err(Box::new(reply(
            "error_param",
            "Content-Type must be application/json.",
            json!({}),
        )));
    }
    let body: Value = serde_json::from_slice(body)
        .map_err(|_| reply("error_param", "Invalid body.", json!({})))?;
    let partner = body.get("partner_id").and_then(Value::as_u64);
    if partner != Some(DEMO_PARTNER_ID)
        || param(query, "partner_id") != Some(DEMO_PARTNER_ID.to_string().as_str())
    {
        return Err(Box::new(reply(
            "error_param",
            "partner_id must be the same integer in the query and the body.",
            json!({}),
        )));
    }
    if body.get("shop_id").and_then(Value::as_u64) != Some(DEMO_SHOP_ID) {
        return Err(Box::new(reply(
            "invalid_shop_id",
            "Invalid shop_id.",
            json!({}),
        )));
    }
    Ok(body)
}

fn issued(sim: &MarketplaceSandbox, shop: &str, fields: Value) -> Response {
    let (token, lifetime) = sim.state().issue(shop, "shopee");
    let refresh = sim.ledger().issue_refresh(shop, "shopee-refresh");
    let mut body = json!({"access_token": token, "refresh_token": refresh, "expire_in": lifetime.as_secs().max(1)});
    if let (Some(object), Value::Object(extra)) = (body.as_object_mut(), fields) {
        object.extend(extra);
    }
    reply("", "", body)
}

async fn token_get(
    State(sim): State<Arc<MarketplaceSandbox>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    sim.state().count_login();
    if let Some(fault) = sim
        .state()
        .next_fault()
        .await
        .http_reply(|| reply("error_auth", "Invalid partner_id or sign.", json!({})))
    {
        return fault;
    }
    let query = pairs(uri.query().unwrap_or_default().as_bytes());
    if let Err(refused) = check_signed(&query, "/api/v2/auth/token/get", &[]) {
        return *refused;
    }
    let body = match token_body(&query, &headers, &body) {
        Ok(body) => body,
        Err(refused) => return *refused,
    };
    match body
        .get("code")
        .and_then(Value::as_str)
        .and_then(|code| sim.ledger().take_code(code))
    {
        Some(shop) => issued(&sim, &shop, json!({})),
        None => reply("invalid_code", "Invalid code.", json!({})),
    }
}

async fn refresh(
    State(sim): State<Arc<MarketplaceSandbox>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    sim.state().count_refresh();
    if let Some(fault) = sim
        .state()
        .next_fault()
        .await
        .http_reply(|| reply("error_auth", "Invalid refresh_token.", json!({})))
    {
        return fault;
    }
    let query = pairs(uri.query().unwrap_or_default().as_bytes());
    if let Err(refused) = check_signed(&query, "/api/v2/auth/access_token/get", &[]) {
        return *refused;
    }
    let body = match token_body(&query, &headers, &body) {
        Ok(body) => body,
        Err(refused) => return *refused,
    };
    let presented = body
        .get("refresh_token")
        .and_then(Value::as_str)
        .unwrap_or_default();
    match sim.ledger().use_refresh(presented, true) {
        Ok(shop) => issued(
            &sim,
            &shop,
            json!({"partner_id": DEMO_PARTNER_ID, "shop_id": DEMO_SHOP_ID}),
        ),
        Err(RefreshRefused::Expired) => reply(
            "refresh_token_expired",
            "The refresh_token is expired.",
            json!({}),
        ),
        Err(RefreshRefused::Unknown) => reply(
            "error_shop_refresh_token",
            "Invalid refresh_token.",
            json!({}),
        ),
    }
}

async fn shop_info(State(sim): State<Arc<MarketplaceSandbox>>, uri: Uri) -> Response {
    let state = sim.state();
    state.count_protected();
    let invalid = || reply("invalid_acceess_token", "Invalid access_token.", json!({}));
    if let Some(fault) = state.next_protected_fault().await.http_reply(invalid) {
        return fault;
    }
    let query = pairs(uri.query().unwrap_or_default().as_bytes());
    let token = param(&query, "access_token").unwrap_or_default();
    let shop = param(&query, "shop_id").unwrap_or_default();
    if let Err(refused) = check_signed(&query, SHOP_INFO_PATH, &[token, shop]) {
        return *refused;
    }
    match state.check_token(token) {
        TokenCheck::Valid(owner) if owner == shop && state.accept() => reply(
            "",
            "",
            json!({"shop_name": "Sandbox shop", "region": "SG", "status": "NORMAL", "is_cb": false}),
        ),
        _ => invalid(),
    }
}
