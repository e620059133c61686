//! yz365 as its seed document describes it: `POST /seller/passport/login/user` with `username`
//! and the MD5 `password` in the query string, an empty body, a `tenant-id` header; `success`
//! true and `code` 200 on success, `message`, `timestamp` (epoch ms); `result.accessToken` is an
//! HS256 JWT whose `exp` is its lifetime (5 hours by default, as in the example).
//!
//! The sandbox's own choices: later requests carry `accessToken: <jwt>` and `tenant-id`
//! (inferred from Lilishop); wrong credentials answer HTTP 200 with `success` false and `code`
//! 401; a locked account `code` 423; a missing `tenant-id` or parameter `code` 400; a rejected
//! token HTTP 403 with `code` 403.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use super::reply::{header_text, is_md5_hex, json as answer, md5_hex, pairs, param, with_field};
use super::state::{AccountCheck, TokenCheck, VendorState};
use super::time::epoch_millis;

/// The demo account's user name.
pub const DEMO_USERNAME: &str = "yz365-demo";
/// The demo account's password (the SDK sends its MD5).
pub const DEMO_PASSWORD: &str = "yz365-demo-password";
/// The demo tenant code.
pub const DEMO_TENANT_ID: &str = "10000";
/// Where the sandbox serves yz365.
pub const PREFIX: &str = "/yz365/yz365-b2b2c";
/// A protected sandbox endpoint (yz365 documents none).
pub const WHOAMI_PATH: &str = "/seller/sandbox/whoami";

const JWT_KEY: &[u8] = b"yz365 sandbox signing key";

pub(crate) fn state() -> VendorState {
    VendorState::new(
        DEMO_USERNAME,
        DEMO_PASSWORD,
        Duration::from_secs(5 * 3600),
        false,
    )
}

pub(crate) fn router(state: Arc<VendorState>) -> Router {
    Router::new()
        .route("/seller/passport/login/user", post(login))
        .route(WHOAMI_PATH, get(whoami))
        .with_state(state)
}

fn envelope(success: bool, code: u16, message: &str, result: Option<Value>) -> Value {
    let body = json!({
        "success": success,
        "message": message,
        "code": code,
        "timestamp": epoch_millis(SystemTime::now()),
    });
    with_field(body, "result", result)
}

/// An HS256 JWT with `sub` and `exp` (seconds since the epoch).
fn jwt(subject: &str, tenant: &str, lifetime: Duration) -> String {
    let exp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
        + lifetime.as_secs().max(1);
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256"}"#);
    let nonce = fastrand::u64(..);
    let claims =
        json!({ "sub": subject, "tenantId": tenant, "jti": nonce.to_string(), "exp": exp });
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    let signing_input = format!("{header}.{payload}");
    let signature = match Hmac::<Sha256>::new_from_slice(JWT_KEY) {
        Ok(mut mac) => {
            mac.update(signing_input.as_bytes());
            URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
        }
        Err(_) => String::new(),
    };
    format!("{signing_input}.{signature}")
}

async fn login(
    State(sim): State<Arc<VendorState>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    sim.count_login();
    let rejected = || {
        answer(
            StatusCode::OK,
            envelope(false, 401, "username or password is wrong", None),
        )
    };
    if let Some(reply) = sim.next_fault().await.http_reply(rejected) {
        return reply;
    }
    let Some(tenant) = header_text(&headers, "tenant-id").filter(|t| !t.is_empty()) else {
        return answer(
            StatusCode::OK,
            envelope(false, 400, "tenant-id header is required", None),
        );
    };
    let query = pairs(query.unwrap_or_default().as_bytes());
    let (Some(username), Some(password)) = (param(&query, "username"), param(&query, "password"))
    else {
        return answer(
            StatusCode::OK,
            envelope(false, 400, "username and password are required", None),
        );
    };
    // Accounts live in a tenant: the demo account in the demo tenant, and no other tenant
    // exists here, so another tenant code finds no such account.
    if !is_md5_hex(password) || tenant != DEMO_TENANT_ID {
        return rejected();
    }
    let plain = sim.secret_of(username).unwrap_or_default();
    match sim.check_account(username, &plain) {
        AccountCheck::Locked => {
            return answer(
                StatusCode::OK,
                envelope(false, 423, "account is locked", None),
            );
        }
        AccountCheck::Valid if md5_hex(&plain) == password => {}
        _ => return rejected(),
    }
    let token = jwt(username, tenant, sim.token_lifetime());
    sim.issue_named(&format!("{tenant}/{username}"), &token);
    let refresh = jwt(username, tenant, sim.token_lifetime() * 2);
    answer(
        StatusCode::OK,
        envelope(
            true,
            200,
            "success",
            Some(json!({ "accessToken": token, "refreshToken": refresh })),
        ),
    )
}

async fn whoami(State(sim): State<Arc<VendorState>>, headers: HeaderMap) -> Response {
    sim.count_protected();
    let token = header_text(&headers, "accessToken");
    let tenant = header_text(&headers, "tenant-id");
    match (token.map(|t| sim.check_token(t)), tenant) {
        (Some(TokenCheck::Valid(owner)), Some(tenant))
            if owner.starts_with(&format!("{tenant}/")) =>
        {
            answer(
                StatusCode::OK,
                envelope(true, 200, "success", Some(json!({ "user": owner }))),
            )
        }
        _ => answer(
            StatusCode::FORBIDDEN,
            envelope(false, 403, "unauthorized", None),
        ),
    }
}
