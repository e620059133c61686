//! eBay's OAuth 2.0 token endpoint, as MARKETPLACES.md §2 describes it: a form POST to
//! `/identity/v1/oauth2/token` with the client in `Authorization: Basic`; client credentials (an
//! application token, no refresh token), an authorization code (a user token and an 18-month
//! refresh token), or that refresh token (which does not rotate). Business calls carry
//! `Authorization: Bearer`; an invalid token is HTTP 401 with `errorId` 1001.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::{Value, json};

use super::marketplace::MarketplaceSandbox;
use super::oauth::{basic, bearer, error, grant_form};
use super::reply::{json as answer, param};
use super::state::{AccountCheck, TokenCheck, VendorState};

/// The demo application's client id (app id).
pub const DEMO_CLIENT_ID: &str = "SandboxA-sellerau-SBX-0123456789-abcdef01";
/// The demo application's client secret (cert id).
pub const DEMO_CLIENT_SECRET: &str = "SBX-ebay-demo-cert-id";
/// The demo application's RuName, its `redirect_uri`.
pub const DEMO_RU_NAME: &str = "Sandbox_App-SandboxA-seller-abcdefgh";
/// The demo user whose consent codes the sandbox issues.
pub const DEMO_USER: &str = "sandbox_seller_1";
/// The demo user's refresh token (18 months, not rotated), as a consent would have given it.
pub const DEMO_REFRESH_TOKEN: &str = "v^1.1#i^1#r^1#sandbox-user-refresh-token";
/// The scope of an application token.
pub const APP_SCOPE: &str = "https://api.ebay.com/oauth/api_scope";
/// The scopes the demo application may ask an application token for, each matched whole: a
/// scope that merely starts like one of them (`.../api_scopeX`) is unknown to eBay.
pub const APP_SCOPES: [&str; 2] = [
    APP_SCOPE,
    "https://api.ebay.com/oauth/api_scope/buy.item.feed",
];
/// The protected endpoint (it needs a user token).
pub const PRIVILEGE_PATH: &str = "/sell/account/v1/privilege";
/// Where the sandbox serves eBay.
pub const PREFIX: &str = "/ebay";

/// The simulated eBay: the application, the demo user's refresh token, consent codes.
pub(crate) fn sandbox() -> MarketplaceSandbox {
    let sim = MarketplaceSandbox::new(
        VendorState::new(
            DEMO_CLIENT_ID,
            DEMO_CLIENT_SECRET,
            Duration::from_secs(7200),
            false,
        ),
        DEMO_USER,
        "v^1.1#i^1#code",
        // The consent redirect carries `expires_in=299` for the code (MARKETPLACES.md).
        Duration::from_secs(299),
        // 18 months: `refresh_token_expires_in` is 47,304,000 in eBay's samples.
        Some(Duration::from_secs(47_304_000)),
    );
    sim.ledger().grant_refresh(DEMO_REFRESH_TOKEN, DEMO_USER);
    sim
}

pub(crate) fn router(sim: Arc<MarketplaceSandbox>) -> Router {
    Router::new()
        .route("/identity/v1/oauth2/token", post(token))
        .route(PRIVILEGE_PATH, get(privilege))
        .with_state(sim)
}

async fn token(
    State(sim): State<Arc<MarketplaceSandbox>>,
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
            "client authentication failed",
        )
    };
    if let Some(reply) = state.next_fault().await.http_reply(invalid_client) {
        return reply;
    }
    match basic(&headers) {
        Some((id, secret)) if state.check_account(&id, &secret) == AccountCheck::Valid => {}
        _ => return invalid_client(),
    }
    let invalid_grant = |what: &str| {
        error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            &format!(
                "the provided authorization {what} is invalid or was issued to another client"
            ),
        )
    };
    let (user, refresh) = match grant.as_str() {
        "client_credentials" => match field("scope") {
            Some(scope) if scope.split(' ').all(|s| APP_SCOPES.contains(&s)) => (None, None),
            _ => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "invalid_scope",
                    "The requested scope is invalid, unknown, malformed, or exceeds the scope granted to the client",
                );
            }
        },
        "authorization_code" => {
            if field("redirect_uri") != Some(DEMO_RU_NAME) {
                return error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "redirect_uri must be the application's RuName",
                );
            }
            match field("code").and_then(|code| sim.ledger().take_code(code)) {
                Some(user) => {
                    let refresh = sim.ledger().issue_refresh(&user, "v^1.1#i^1#r");
                    (Some(user), Some(refresh))
                }
                None => return invalid_grant("grant code"),
            }
        }
        "refresh_token" => match sim
            .ledger()
            .use_refresh(field("refresh_token").unwrap_or_default(), false)
        {
            Ok(user) => (Some(user), None),
            Err(_) => return invalid_grant("refresh token"),
        },
        _ => {
            return error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "grant type is not supported",
            );
        }
    };
    let account = user.clone().unwrap_or_else(|| "application".to_owned());
    let (token, lifetime) = state.issue(&account, "v^1.1#i^1#p^1#t");
    let mut body = json!({
        "access_token": token,
        "expires_in": lifetime.as_secs().max(1),
        "token_type": if user.is_some() { "User Access Token" } else { "Application Access Token" },
    });
    if let (Some(refresh), Some(object)) = (refresh, body.as_object_mut()) {
        object.insert("refresh_token".into(), Value::from(refresh));
        if let Some(lifetime) = sim.ledger().refresh_lifetime() {
            object.insert(
                "refresh_token_expires_in".into(),
                Value::from(lifetime.as_secs()),
            );
        }
    }
    answer(StatusCode::OK, body)
}

async fn privilege(State(sim): State<Arc<MarketplaceSandbox>>, headers: HeaderMap) -> Response {
    let state = sim.state();
    state.count_protected();
    let invalid = || {
        answer(
            StatusCode::UNAUTHORIZED,
            json!({"errors": [{
                "errorId": 1001, "domain": "OAuth", "category": "REQUEST",
                "message": "Invalid access token",
                "longMessage": "Invalid access token. Check the value of the Authorization HTTP request header.",
            }]}),
        )
    };
    if let Some(reply) = state.next_protected_fault().await.http_reply(invalid) {
        return reply;
    }
    match bearer(&headers).map(|token| state.check_token(token)) {
        Some(TokenCheck::Valid(user)) if user != "application" && state.accept() => answer(
            StatusCode::OK,
            json!({"sellerRegistrationCompleted": true, "sellingLimit": {"amount": {"currency": "USD", "value": "5000.0"}, "quantity": 500}, "username": user}),
        ),
        Some(TokenCheck::Valid(_)) => answer(
            StatusCode::FORBIDDEN,
            json!({"errors": [{"errorId": 1100, "domain": "ACCESS", "category": "REQUEST", "message": "Access denied", "longMessage": "Insufficient permissions to fulfill the request."}]}),
        ),
        _ => invalid(),
    }
}
