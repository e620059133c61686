//! iGV as its seed document describes it: JSON login with e-mail and plain password, `code`
//! `"0000"` on success, a `Bearer` token living `expiresIn` seconds.
//!
//! The sandbox's own choices, where the document is silent: a wrong login answers HTTP 200 with
//! `code` `"4001"`; a locked account `"4003"`; a body without the fields `"4000"`; a content
//! type other than JSON HTTP 415 with `code` `"4150"`; a missing or invalid token on a protected
//! call HTTP 401 with `code` `"401"`.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::faults::FaultOutcome;
use super::reply::{content_type_is, header_text, json as answer, json_pair, with_field};
use super::state::{AccountCheck, TokenCheck, VendorState};
use super::time::iso8601;
use super::token::random_token;

/// The demo account's e-mail.
pub const DEMO_EMAIL: &str = "seller@igv.sandbox";
/// The demo account's password.
pub const DEMO_PASSWORD: &str = "igv-demo-password";
/// Where the sandbox serves iGV, below its root; the base URL ends with it.
pub const PREFIX: &str = "/igv/merchant-api";
/// A protected sandbox endpoint (iGV documents none): answers who the token belongs to.
pub const WHOAMI_PATH: &str = "/seller/sandbox/whoami";

pub(crate) fn state() -> VendorState {
    VendorState::new(DEMO_EMAIL, DEMO_PASSWORD, Duration::from_secs(7200), false)
}

pub(crate) fn router(state: Arc<VendorState>) -> Router {
    Router::new()
        .route("/seller/auth/login", post(login))
        .route(WHOAMI_PATH, get(whoami).post(whoami))
        .with_state(state)
}

fn envelope(code: &str, msg: &str, data: Option<Value>) -> Value {
    let body = json!({ "code": code, "msg": msg, "time": iso8601(SystemTime::now()) });
    with_field(body, "data", data)
}

async fn login(State(sim): State<Arc<VendorState>>, headers: HeaderMap, body: Bytes) -> Response {
    sim.count_login();
    let rejected = || {
        answer(
            StatusCode::OK,
            envelope("4001", "Invalid email or password", None),
        )
    };
    if let Some(reply) = sim.next_fault().await.http_reply(rejected) {
        return reply;
    }
    if !content_type_is(&headers, "application/json") {
        let msg = "Content-Type must be application/json";
        return answer(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            envelope("4150", msg, None),
        );
    }
    let Some((email, password)) = json_pair(&body, "email", "password") else {
        return answer(
            StatusCode::OK,
            envelope("4000", "email and password are required", None),
        );
    };
    match sim.check_account(&email, &password) {
        AccountCheck::Valid => {}
        AccountCheck::Wrong => return rejected(),
        AccountCheck::Locked => {
            return answer(StatusCode::OK, envelope("4003", "Account is locked", None));
        }
    }
    let (token, lifetime) = sim.issue(&email, "igv");
    let data = json!({
        "accessToken": token,
        "tokenType": "Bearer",
        "expiresIn": lifetime.as_secs().max(1),
        "refreshToken": random_token("igv-refresh"),
    });
    answer(StatusCode::OK, envelope("0000", "Success", Some(data)))
}

async fn whoami(State(sim): State<Arc<VendorState>>, headers: HeaderMap) -> Response {
    sim.count_protected();
    let unauthorized = || {
        answer(
            StatusCode::UNAUTHORIZED,
            envelope("401", "Unauthorized", None),
        )
    };
    let token = header_text(&headers, header::AUTHORIZATION.as_str())
        .and_then(|v| v.strip_prefix("Bearer "));
    match sim.next_protected_fault().await {
        FaultOutcome::EchoToken => {
            let message = format!("token {} may not call this API", token.unwrap_or_default());
            return answer(StatusCode::FORBIDDEN, envelope("403", &message, None));
        }
        outcome => {
            if let Some(reply) = outcome.http_reply(unauthorized) {
                return reply;
            }
        }
    }
    match token.map(|t| sim.check_token(t)) {
        Some(TokenCheck::Valid(email)) => answer(
            StatusCode::OK,
            envelope("0000", "Success", Some(json!({ "email": email }))),
        ),
        _ => answer(
            StatusCode::UNAUTHORIZED,
            envelope("401", "Unauthorized", None),
        ),
    }
}
