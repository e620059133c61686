//! Wahool as its seed document and VENDORS.md describe it: JSON `accessKey`/`secretKey`, `code`
//! 200 (an integer) on success, a token that already starts with `Bearer `, `expiresIn` in
//! milliseconds sent as a string, top-level `locale` and `localeDisplay`. Both the original path
//! and the later revision's `/seller/202405/authorization` answer.
//!
//! The sandbox's own choices (errors are not documented): wrong keys answer HTTP 200 with `code`
//! 401; a locked account `code` 423; a malformed body `code` 400; a protected call whose
//! `Authorization` is not exactly a token as returned answers HTTP 401 with `code` 401.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::reply::{content_type_is, header_text, json as answer, json_pair, with_field};
use super::state::{AccountCheck, TokenCheck, VendorState};

/// The demo account's access key.
pub const DEMO_ACCESS_KEY: &str = "wahool-demo-access-key";
/// The demo account's secret key.
pub const DEMO_SECRET_KEY: &str = "wahool-demo-secret-key";
/// Where the sandbox serves Wahool.
pub const PREFIX: &str = "/wahool";
/// A protected sandbox endpoint (Wahool's business calls are out of the seed's scope).
pub const WHOAMI_PATH: &str = "/seller/202405/sandbox/whoami";

pub(crate) fn state() -> VendorState {
    VendorState::new(
        DEMO_ACCESS_KEY,
        DEMO_SECRET_KEY,
        Duration::from_secs(7200),
        false,
    )
}

pub(crate) fn router(state: Arc<VendorState>) -> Router {
    Router::new()
        .route("/seller/202405/auth/get-access-token", post(login))
        .route("/seller/202405/authorization", post(login))
        .route(WHOAMI_PATH, get(whoami))
        .with_state(state)
}

fn envelope(code: u16, message: &str, data: Option<Value>) -> Value {
    let body = json!({ "code": code, "message": message, "locale": 8, "localeDisplay": "GMT+8" });
    with_field(body, "data", data)
}

async fn login(State(sim): State<Arc<VendorState>>, headers: HeaderMap, body: Bytes) -> Response {
    sim.count_login();
    let rejected = || {
        answer(
            StatusCode::OK,
            envelope(401, "invalid accessKey or secretKey", None),
        )
    };
    if let Some(reply) = sim.next_fault().await.http_reply(rejected) {
        return reply;
    }
    if !content_type_is(&headers, "application/json") {
        return answer(
            StatusCode::OK,
            envelope(400, "Content-Type must be application/json", None),
        );
    }
    let Some((access_key, secret_key)) = json_pair(&body, "accessKey", "secretKey") else {
        return answer(
            StatusCode::OK,
            envelope(400, "accessKey and secretKey are required", None),
        );
    };
    match sim.check_account(&access_key, &secret_key) {
        AccountCheck::Valid => {}
        AccountCheck::Wrong => return rejected(),
        AccountCheck::Locked => {
            return answer(StatusCode::OK, envelope(423, "account is locked", None));
        }
    }
    let (token, lifetime) = sim.issue(&access_key, "wahool");
    let data = json!({
        "accessToken": format!("Bearer {token}"),
        "expiresIn": lifetime.as_millis().to_string(),
    });
    answer(StatusCode::OK, envelope(200, "success", Some(data)))
}

async fn whoami(State(sim): State<Arc<VendorState>>, headers: HeaderMap) -> Response {
    sim.count_protected();
    // Exactly the returned value: `Bearer <token>`, never `Bearer Bearer <token>`.
    let token = header_text(&headers, header::AUTHORIZATION.as_str())
        .and_then(|v| v.strip_prefix("Bearer "));
    match token.map(|t| sim.check_token(t)) {
        Some(TokenCheck::Valid(key)) => answer(
            StatusCode::OK,
            envelope(200, "success", Some(json!({ "accessKey": key }))),
        ),
        _ => answer(
            StatusCode::UNAUTHORIZED,
            envelope(401, "unauthorized", None),
        ),
    }
}
