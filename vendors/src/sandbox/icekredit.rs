//! IceKredit as its seed document describes it: a form login at `/api/login.do` on the login
//! domain with `Language: en`, `merchant_pwd` the MD5 of the password (32 lower-case hex
//! digits); `response_code` `"00"` on success with `token_id`; the token is valid 20 minutes
//! from its last valid use; service calls carry `token_id` and `Language` headers.
//!
//! Every code comes from the seed's table: `10000400` missing `Language` or fields, `10000415`
//! wrong content type, `200002` wrong credentials, `200008` locked account, `10000429` rate
//! limit, `10000401` no token, `200005` invalid or expired token. Each answer carries
//! `response_code`, `response_msg`, `message` and `trace_id`, with HTTP 200.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::post;
use serde_json::{Value, json};

use super::faults::FaultOutcome;
use super::reply::{
    content_type_is, header_text, is_md5_hex, json as answer, md5_hex, pairs, param, with_field,
};
use super::state::{AccountCheck, TokenCheck, VendorState};
use super::token::random_token;

/// The demo merchant name.
pub const DEMO_MERCHANT: &str = "icekredit-demo";
/// The demo password, in plain (the SDK sends its MD5).
pub const DEMO_PASSWORD: &str = "icekredit-demo-password";
/// Where the sandbox serves the login domain.
pub const LOGIN_PREFIX: &str = "/icekredit-sso";
/// Where the sandbox serves the service domain.
pub const SERVICE_PREFIX: &str = "/icekredit-api";
/// A protected sandbox endpoint on the service domain.
pub const WHOAMI_PATH: &str = "/api/sandbox/whoami.do";

pub(crate) fn state() -> VendorState {
    VendorState::new(
        DEMO_MERCHANT,
        DEMO_PASSWORD,
        Duration::from_secs(20 * 60),
        true,
    )
}

pub(crate) fn login_router(state: Arc<VendorState>) -> Router {
    Router::new()
        .route("/api/login.do", post(login))
        .with_state(state)
}

pub(crate) fn service_router(state: Arc<VendorState>) -> Router {
    Router::new()
        .route(WHOAMI_PATH, post(whoami).get(whoami))
        .with_state(state)
}

fn envelope(code: &str, message: &str) -> Value {
    json!({
        "response_code": code,
        "response_msg": message,
        "message": message,
        "trace_id": random_token("trace"),
    })
}

fn refuse(code: &str, message: &str) -> Response {
    answer(StatusCode::OK, envelope(code, message))
}

async fn login(State(sim): State<Arc<VendorState>>, headers: HeaderMap, body: Bytes) -> Response {
    sim.count_login();
    let rejected = || refuse("200002", "invalid username or password");
    match sim.next_fault().await {
        FaultOutcome::Proceed => {}
        FaultOutcome::Respond(response) => return response,
        FaultOutcome::Reject | FaultOutcome::EchoToken => return rejected(),
        FaultOutcome::RateLimit(_) => return refuse("10000429", "too frequent requests"),
        FaultOutcome::Unavailable => {
            return refuse(
                "02",
                "authentication service error, please contact customer service",
            );
        }
    }
    if header_text(&headers, "Language").is_none() {
        return refuse("10000400", "invalid request: Language header is required");
    }
    if !content_type_is(&headers, "application/x-www-form-urlencoded") {
        return refuse(
            "10000415",
            "content-type does not supported: expected application/x-www-form-urlencoded",
        );
    }
    let form = pairs(&body);
    let (Some(name), Some(pwd)) = (param(&form, "merchant_name"), param(&form, "merchant_pwd"))
    else {
        return refuse(
            "10000400",
            "invalid request: merchant_name and merchant_pwd are required",
        );
    };
    if !is_md5_hex(pwd) {
        return rejected();
    }
    let plain = sim.secret_of(name).unwrap_or_default();
    match sim.check_account(name, &plain) {
        AccountCheck::Locked => {
            return refuse(
                "200008",
                "account is locked, please contact customer service",
            );
        }
        AccountCheck::Valid if md5_hex(&plain) == pwd => {}
        _ => return rejected(),
    }
    let (token, _) = sim.issue(name, "ik");
    answer(
        StatusCode::OK,
        with_field(
            envelope("00", "success"),
            "token_id",
            Some(Value::from(token)),
        ),
    )
}

async fn whoami(State(sim): State<Arc<VendorState>>, headers: HeaderMap) -> Response {
    sim.count_protected();
    // IceKredit answers its codes in HTTP 200 bodies, its rate limit included.
    match sim.next_protected_fault().await {
        FaultOutcome::Proceed => {}
        FaultOutcome::Respond(response) => return response,
        FaultOutcome::RateLimit(_) => return refuse("10000429", "too frequent requests"),
        FaultOutcome::Reject | FaultOutcome::EchoToken => {
            return refuse("10000401", "unauthorized");
        }
        FaultOutcome::Unavailable => {
            return refuse(
                "10000001",
                "service processing error, please contact customer service",
            );
        }
    }
    if header_text(&headers, "Language").is_none() {
        return refuse("10000400", "invalid request: Language header is required");
    }
    let Some(token) = header_text(&headers, "token_id") else {
        return refuse("10000401", "unauthorized");
    };
    match sim.check_token(token) {
        TokenCheck::Valid(merchant) => {
            let data = json!({ "merchant_name": merchant });
            answer(
                StatusCode::OK,
                with_field(envelope("00", "success"), "data", Some(data)),
            )
        }
        TokenCheck::Expired => refuse("200005", "token_id invalid: expired"),
        TokenCheck::Unknown => refuse("200005", "token_id invalid: unknown token"),
    }
}
