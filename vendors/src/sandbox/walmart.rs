//! Walmart Marketplace, as MARKETPLACES.md §5 describes it: `POST /v3/token` with the client in
//! `Authorization: Basic`, `grant_type=client_credentials` in a form, and on every call the
//! headers `WM_SVC.NAME`, a fresh GUID in `WM_QOS.CORRELATION_ID` (a reused one is refused) and
//! `Accept: application/json` (without it the answer is XML, camelCase). Business calls carry the
//! token raw in `WM_SEC.ACCESS_TOKEN`. Errors are an array under `error`.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;

use super::marketplace::MarketplaceSandbox;
use super::oauth::{Refusal, basic, form};
use super::reply::{header_text, json as answer, param};
use super::state::{AccountCheck, TokenCheck, VendorState};

/// The demo seller's client id.
pub const DEMO_CLIENT_ID: &str = "walmart-sandbox-client-id";
/// The demo seller's client secret.
pub const DEMO_CLIENT_SECRET: &str = "walmart-sandbox-client-secret";
/// The protected endpoint.
pub const ORDERS_PATH: &str = "/v3/orders";
/// Where the sandbox serves Walmart (token and business calls share the host).
pub const PREFIX: &str = "/walmart";

/// The simulated Walmart (no codes: client credentials only).
pub(crate) fn sandbox() -> MarketplaceSandbox {
    MarketplaceSandbox::new(
        VendorState::new(
            DEMO_CLIENT_ID,
            DEMO_CLIENT_SECRET,
            Duration::from_secs(900),
            false,
        ),
        DEMO_CLIENT_ID,
        "",
        // No codes are exchanged here.
        Duration::ZERO,
        // "refresh token 1 year"; this sandbox issues none.
        Some(Duration::from_secs(365 * 24 * 3600)),
    )
}

pub(crate) fn router(sim: Arc<MarketplaceSandbox>) -> Router {
    Router::new()
        .route("/v3/token", post(token))
        .route(ORDERS_PATH, get(orders))
        .with_state(sim)
}

fn failure(status: StatusCode, code: &str, description: &str, info: &str) -> Response {
    answer(
        status,
        json!({"error": [{
            "code": code, "field": code.split('.').next().unwrap_or(code), "description": description,
            "info": info, "severity": "ERROR", "category": "DATA", "causes": [], "errorIdentifiers": {},
        }]}),
    )
}

fn unauthorized() -> Response {
    failure(
        StatusCode::UNAUTHORIZED,
        "UNAUTHORIZED.GMP_GATEWAY_API",
        "Unauthorized",
        "Unauthorized token or incorrect authorization header. Please verify correct format: \"Authorization: Basic Base64Encode(clientId:clientSecret)\"",
    )
}

/// The headers every call needs; `Err` with Walmart's answer when one is missing or reused.
fn common_headers(sim: &MarketplaceSandbox, headers: &HeaderMap) -> Result<(), Refusal> {
    let missing = |name: &str| {
        failure(
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST_HEADER.GMP_GATEWAY_API",
            &format!("{name} is required"),
            "",
        )
    };
    if header_text(headers, "WM_SVC.NAME").is_none_or(str::is_empty) {
        return Err(Box::new(missing("WM_SVC.NAME")));
    }
    let Some(id) = header_text(headers, "WM_QOS.CORRELATION_ID").filter(|id| !id.is_empty()) else {
        return Err(Box::new(missing("WM_QOS.CORRELATION_ID")));
    };
    if !sim.ledger().first_use_of(id) {
        return Err(Box::new(failure(
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST_HEADER.GMP_GATEWAY_API",
            "WM_QOS.CORRELATION_ID must be unique per call",
            "",
        )));
    }
    Ok(())
}

fn wants_json(headers: &HeaderMap) -> bool {
    header_text(headers, header::ACCEPT.as_str()).is_some_and(|v| v.contains("application/json"))
}

async fn token(
    State(sim): State<Arc<MarketplaceSandbox>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let state = sim.state();
    state.count_login();
    if let Some(reply) = state.next_fault().await.http_reply(unauthorized) {
        return reply;
    }
    if let Err(reply) = common_headers(&sim, &headers) {
        return *reply;
    }
    match basic(&headers) {
        Some((id, secret)) if state.check_account(&id, &secret) == AccountCheck::Valid => {}
        _ => return unauthorized(),
    }
    let fields = match form(&headers, &body) {
        Ok(fields) => fields,
        Err(reply) => return *reply,
    };
    if param(&fields, "grant_type") != Some("client_credentials") {
        return failure(
            StatusCode::BAD_REQUEST,
            "INVALID_REQUEST.GMP_GATEWAY_API",
            "grant_type must be client_credentials",
            "",
        );
    }
    let (token, lifetime) = state.issue(DEMO_CLIENT_ID, "eyJraWQiOiJzYW5kYm94");
    if !wants_json(&headers) {
        let xml = format!(
            "<OAuthTokenDTO><accessToken>{token}</accessToken><tokenType>Bearer</tokenType><expiresIn>{}</expiresIn></OAuthTokenDTO>",
            lifetime.as_secs().max(1)
        );
        return (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/xml")],
            xml,
        )
            .into_response();
    }
    answer(
        StatusCode::OK,
        json!({"access_token": token, "token_type": "Bearer", "expires_in": lifetime.as_secs().max(1)}),
    )
}

async fn orders(State(sim): State<Arc<MarketplaceSandbox>>, headers: HeaderMap) -> Response {
    let state = sim.state();
    state.count_protected();
    if let Some(reply) = state.next_protected_fault().await.http_reply(unauthorized) {
        return reply;
    }
    if let Err(reply) = common_headers(&sim, &headers) {
        return *reply;
    }
    match header_text(&headers, "WM_SEC.ACCESS_TOKEN").map(|token| state.check_token(token)) {
        Some(TokenCheck::Valid(_)) if state.accept() => answer(
            StatusCode::OK,
            json!({"list": {"meta": {"totalCount": 0, "limit": 10}, "elements": {"order": []}}}),
        ),
        _ => unauthorized(),
    }
}
