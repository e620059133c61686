//! Mercado Libre, as MARKETPLACES.md §6 describes it: `POST /oauth/token` with the parameters in
//! a form body (never the query), the client's id and secret among them; an authorization code
//! (single use, for the registered `redirect_uri`) or a refresh token (single use: each refresh
//! returns a new one). Business calls carry `Authorization: Bearer`.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::json;

use super::marketplace::MarketplaceSandbox;
use super::oauth::{bearer, grant_form};
use super::reply::{json as answer, param};
use super::state::{AccountCheck, TokenCheck, VendorState};
use super::token::random_token;

/// The demo application's id.
pub const DEMO_CLIENT_ID: &str = "7616159722006050";
/// The demo application's secret key.
pub const DEMO_CLIENT_SECRET: &str = "mercadolibre-sandbox-secret";
/// The redirect URI registered for the demo application.
pub const DEMO_REDIRECT_URI: &str = "https://app.example/mercadolibre/callback";
/// The demo user (a test user, as Mercado Libre has no sandbox host).
pub const DEMO_USER_ID: u64 = 146_322_322;
/// The protected endpoint.
pub const ME_PATH: &str = "/users/me";
/// Where the sandbox serves Mercado Libre.
pub const PREFIX: &str = "/mercadolibre";

/// The simulated Mercado Libre: the application, and codes for the demo (test) user.
pub(crate) fn sandbox() -> MarketplaceSandbox {
    MarketplaceSandbox::new(
        VendorState::new(
            DEMO_CLIENT_ID,
            DEMO_CLIENT_SECRET,
            Duration::from_secs(21_600),
            false,
        ),
        DEMO_USER_ID.to_string(),
        "TG",
        // Codes "may be expired" (the vendor's invalid_grant text, MARKETPLACES.md) with no
        // duration in what we have; ten minutes, as Shopee documents, until one is found.
        Duration::from_secs(10 * 60),
        // The old FAQ: no time expiration, single use.
        None,
    )
}

pub(crate) fn router(sim: Arc<MarketplaceSandbox>) -> Router {
    Router::new()
        .route("/oauth/token", post(token))
        .route(ME_PATH, get(me))
        .with_state(sim)
}

fn error(status: StatusCode, code: &str, description: &str) -> Response {
    answer(
        status,
        json!({"error": code, "error_description": description, "status": status.as_u16(), "cause": []}),
    )
}

async fn token(
    State(sim): State<Arc<MarketplaceSandbox>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let state = sim.state();
    let (fields, grant) = match grant_form(state, &headers, &body) {
        Ok(read) => read,
        Err(reply) => return *reply,
    };
    let field = |name| param(&fields, name);
    let invalid_client = || {
        error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "invalid client_id or client_secret",
        )
    };
    if let Some(reply) = state.next_fault().await.http_reply(invalid_client) {
        return reply;
    }
    if query.is_some_and(|q| !q.is_empty()) {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "send the parameters in the body, not the query",
        );
    }
    match (field("client_id"), field("client_secret")) {
        (Some(id), Some(secret)) if state.check_account(id, secret) == AccountCheck::Valid => {}
        _ => return invalid_client(),
    }
    let invalid_grant = || {
        error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "Error validating grant. Your authorization code or refresh token may be expired or it was already used",
        )
    };
    let user = match grant.as_str() {
        "authorization_code" => {
            if field("redirect_uri") != Some(DEMO_REDIRECT_URI) {
                return invalid_grant();
            }
            match field("code").and_then(|code| sim.ledger().take_code(code)) {
                Some(user) => user,
                None => return invalid_grant(),
            }
        }
        "refresh_token" => match sim
            .ledger()
            .use_refresh(field("refresh_token").unwrap_or_default(), true)
        {
            Ok(user) => user,
            Err(_) => return invalid_grant(),
        },
        _ => {
            return error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "unsupported grant_type",
            );
        }
    };
    let (token, lifetime) = state.issue(&user, "APP_USR-7616159722006050");
    let refresh = format!("{}-{user}", random_token("TG"));
    sim.ledger().grant_refresh(&refresh, &user);
    let user_id: u64 = user.parse().unwrap_or_default();
    answer(
        StatusCode::OK,
        json!({
            "access_token": format!("{token}-{user}"),
            "token_type": "Bearer",
            "expires_in": lifetime.as_secs().max(1),
            "scope": "offline_access read write",
            "user_id": user_id,
            "refresh_token": refresh,
        }),
    )
}

async fn me(State(sim): State<Arc<MarketplaceSandbox>>, headers: HeaderMap) -> Response {
    let state = sim.state();
    state.count_protected();
    let unauthorized = || {
        answer(
            StatusCode::UNAUTHORIZED,
            json!({"message": "invalid access token", "error": "unauthorized", "status": 401, "cause": []}),
        )
    };
    if let Some(reply) = state.next_protected_fault().await.http_reply(unauthorized) {
        return reply;
    }
    // The token ends with the user id, as Mercado Libre's do.
    let checked = bearer(&headers)
        .and_then(|token| token.rsplit_once('-'))
        .map(|(token, _)| state.check_token(token));
    match checked {
        Some(TokenCheck::Valid(user)) if state.accept() => answer(
            StatusCode::OK,
            json!({"id": user.parse::<u64>().unwrap_or_default(), "nickname": "TESTSANDBOXUSER", "site_id": "MLA"}),
        ),
        _ => unauthorized(),
    }
}
