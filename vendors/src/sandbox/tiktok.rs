//! TikTok Shop (API version 202309+), as MARKETPLACES.md §4 describes it: token calls are GETs
//! with `app_key`, `app_secret` and the code (or refresh token) in the query, unsigned; the
//! envelope is `{code, message, data, request_id}` with `code` 0 on success; expiries are Unix
//! times; each refresh returns a new refresh token and spends the old one. Business calls carry
//! `x-tts-access-token` and the query `app_key`, `timestamp` (within 5 minutes) and `sign`
//! (checked here by the sandbox's own HMAC, over the path, the sorted query without `sign` and
//! `access_token`, and the body, wrapped in the secret).
//!
//! The sandbox's own choices, where the sources are silent: a wrong app key or secret is code
//! `36004004`, a bad or used code `36004005`, a bad or used refresh token `36004006`, an
//! unknown grant type `36004001` (all HTTP 200, as TikTok answers its token calls); an expired
//! token on a business call is HTTP 200 with `105002`, an unknown one HTTP 401 with `105001`.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use axum::routing::get;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use super::ledger::RefreshRefused;
use super::marketplace::MarketplaceSandbox;
use super::reply::{header_text, json as answer, pairs, param, with_field};
use super::state::{AccountCheck, TokenCheck, VendorState};

/// The demo app's key.
pub const DEMO_APP_KEY: &str = "6a1sandbox";
/// The demo app's secret.
pub const DEMO_APP_SECRET: &str = "tiktok-sandbox-app-secret";
/// The demo seller (its `open_id`).
pub const DEMO_SELLER: &str = "7010736057180325637";
/// The protected endpoint.
pub const SHOPS_PATH: &str = "/authorization/202309/shops";
/// Where the sandbox serves TikTok Shop (auth and API hosts alike).
pub const PREFIX: &str = "/tiktok";

/// The simulated TikTok Shop.
pub(crate) fn sandbox() -> MarketplaceSandbox {
    MarketplaceSandbox::new(
        VendorState::new(
            DEMO_APP_KEY,
            DEMO_APP_SECRET,
            Duration::from_secs(7 * 24 * 3600),
            false,
        ),
        DEMO_SELLER,
        "ROW_code",
        // "auth_code one-time, ~30 min" (MARKETPLACES.md).
        Duration::from_secs(30 * 60),
        // About a century: the samples' `refresh_token_expire_in` (MARKETPLACES.md §4).
        Some(Duration::from_secs(100 * 365 * 24 * 3600)),
    )
}

pub(crate) fn router(sim: Arc<MarketplaceSandbox>) -> Router {
    Router::new()
        .route("/api/v2/token/get", get(token_get))
        .route("/api/v2/token/refresh", get(token_refresh))
        .route(SHOPS_PATH, get(shops))
        .with_state(sim)
}

fn envelope(code: u64, message: &str, data: Option<Value>) -> Value {
    let body =
        json!({"code": code, "message": message, "request_id": super::token::random_token("req")});
    with_field(body, "data", data)
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

async fn token_get(
    State(sim): State<Arc<MarketplaceSandbox>>,
    RawQuery(query): RawQuery,
) -> Response {
    sim.state().count_login();
    let query = pairs(query.unwrap_or_default().as_bytes());
    exchange(&sim, &query, "authorized_code", |sim, query| {
        param(query, "auth_code")
            .and_then(|code| sim.ledger().take_code(code))
            .ok_or((36004005, "The auth_code is invalid or has been used"))
    })
    .await
}

async fn token_refresh(
    State(sim): State<Arc<MarketplaceSandbox>>,
    RawQuery(query): RawQuery,
) -> Response {
    sim.state().count_refresh();
    let query = pairs(query.unwrap_or_default().as_bytes());
    exchange(&sim, &query, "refresh_token", |sim, query| {
        match sim
            .ledger()
            .use_refresh(param(query, "refresh_token").unwrap_or_default(), true)
        {
            Ok(seller) => Ok(seller),
            // An EcomPHP pull request reports 36004001 as "refresh token expired" (§12).
            Err(RefreshRefused::Expired) => Err((36004001, "The refresh_token is expired")),
            Err(RefreshRefused::Unknown) => {
                Err((36004006, "The refresh_token is invalid or has been used"))
            }
        }
    })
    .await
}

type Grant = fn(&MarketplaceSandbox, &[(String, String)]) -> Result<String, (u64, &'static str)>;

async fn exchange(
    sim: &MarketplaceSandbox,
    query: &[(String, String)],
    grant_type: &str,
    grant: Grant,
) -> Response {
    let state = sim.state();
    let refused = |code, message: &str| answer(StatusCode::OK, envelope(code, message, None));
    if let Some(reply) = state
        .next_fault()
        .await
        .http_reply(|| refused(36004004, "Invalid app_key or app_secret"))
    {
        return reply;
    }
    if param(query, "grant_type") != Some(grant_type) {
        return refused(36004001, "Invalid grant_type");
    }
    match (param(query, "app_key"), param(query, "app_secret")) {
        (Some(key), Some(secret)) if state.check_account(key, secret) == AccountCheck::Valid => {}
        _ => return refused(36004004, "Invalid app_key or app_secret"),
    }
    let seller = match grant(sim, query) {
        Ok(seller) => seller,
        Err((code, message)) => return refused(code, message),
    };
    let (token, lifetime) = state.issue(&seller, "TTP_sandbox");
    let refresh = sim.ledger().issue_refresh(&seller, "TTP_refresh");
    let data = json!({
        "access_token": token,
        "access_token_expire_in": unix_now() + lifetime.as_secs().max(1),
        "refresh_token": refresh,
        "refresh_token_expire_in": unix_now().saturating_add(
            sim.ledger()
                .refresh_lifetime()
                .unwrap_or(Duration::from_secs(100 * 365 * 24 * 3600))
                .as_secs()
        ),
        "open_id": seller,
        "seller_name": "Sandbox shop",
        "seller_base_region": "ID",
        "user_type": 0,
        "granted_scopes": ["seller.authorization.info"],
    });
    answer(StatusCode::OK, envelope(0, "success", Some(data)))
}

/// TikTok's signature, computed by the sandbox itself.
pub(crate) fn signature(
    secret: &str,
    path: &str,
    query: &[(String, String)],
    body: &[u8],
) -> String {
    let mut sorted: Vec<&(String, String)> = query
        .iter()
        .filter(|(name, _)| name != "sign" && name != "access_token")
        .collect();
    sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut text = Vec::with_capacity(256);
    text.extend_from_slice(secret.as_bytes());
    text.extend_from_slice(path.as_bytes());
    for (name, value) in sorted {
        text.extend_from_slice(name.as_bytes());
        text.extend_from_slice(value.as_bytes());
    }
    text.extend_from_slice(body);
    text.extend_from_slice(secret.as_bytes());
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(&text);
    hex::encode(mac.finalize().into_bytes())
}

async fn shops(
    State(sim): State<Arc<MarketplaceSandbox>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let state = sim.state();
    state.count_protected();
    let unknown = || {
        answer(
            StatusCode::UNAUTHORIZED,
            envelope(105001, "The access token is invalid", None),
        )
    };
    let expired = || {
        answer(
            StatusCode::OK,
            envelope(105002, "access token is expired, please refresh it", None),
        )
    };
    // A queued rejection (`Fault::RejectNextLogin`) is the expiry answer, in an HTTP 200.
    if let Some(reply) = state.next_protected_fault().await.http_reply(expired) {
        return reply;
    }
    let query = pairs(uri.query().unwrap_or_default().as_bytes());
    if param(&query, "app_key") != Some(DEMO_APP_KEY) {
        return answer(
            StatusCode::UNAUTHORIZED,
            envelope(
                106001,
                "Invalid credentials. The 'app_key' query parameter is invalid.",
                None,
            ),
        );
    }
    let fresh = param(&query, "timestamp")
        .and_then(|t| t.parse::<u64>().ok())
        .is_some_and(|t| t.abs_diff(unix_now()) <= 300);
    if !fresh {
        return answer(
            StatusCode::OK,
            envelope(36009004, "Invalid timestamp", None),
        );
    }
    let path = uri.path().strip_prefix(PREFIX).unwrap_or(uri.path());
    let expected = signature(DEMO_APP_SECRET, path, &query, &body);
    if param(&query, "sign") != Some(expected.as_str()) {
        return answer(
            StatusCode::UNAUTHORIZED,
            envelope(
                106001,
                "Invalid credentials. The 'sign' query parameter is invalid.",
                None,
            ),
        );
    }
    match header_text(&headers, "x-tts-access-token").map(|token| state.check_token(token)) {
        Some(TokenCheck::Valid(seller)) if state.accept() => answer(
            StatusCode::OK,
            envelope(
                0,
                "Success",
                Some(
                    json!({"shops": [{"id": "7000714532876273420", "name": "Sandbox shop", "region": "ID", "seller_type": "LOCAL", "cipher": format!("ROW_{seller}"), "code": "IDLCW4MWLH"}]}),
                ),
            ),
        ),
        Some(TokenCheck::Expired) => expired(),
        _ => unknown(),
    }
}
