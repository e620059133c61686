//! Amazon SP-API's Login with Amazon, as MARKETPLACES.md §1 describes it: a form POST to
//! `/auth/o2/token`; the refresh-token grant (the seller's refresh token is configured and never
//! rotates: the answer echoes it), the one-time `spapi_oauth_code` exchange that gives a seller's
//! refresh token, or client credentials with a documented scope (never with a refresh token);
//! RFC 6749 errors. Business calls carry the token raw in `x-amz-access-token`; a bad, expired or
//! revoked token is HTTP 403 with SP-API's `errors` array, a missing one 403
//! `MissingAuthenticationToken`.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::json;

use super::marketplace::MarketplaceSandbox;
use super::oauth::{error, form};
use super::reply::{header_text, json as answer, param};
use super::state::{AccountCheck, TokenCheck, VendorState};

/// The demo application's LWA client id.
pub const DEMO_CLIENT_ID: &str = "amzn1.application-oa2-client.sandbox";
/// The demo application's LWA client secret.
pub const DEMO_CLIENT_SECRET: &str = "amazon-demo-client-secret";
/// The demo seller's LWA refresh token (with a `|`, as Amazon's have).
pub const DEMO_REFRESH_TOKEN: &str = "Atzr|sandbox-seller-refresh-token";
/// The demo seller.
pub const DEMO_SELLER: &str = "A2SANDBOXSELLER";
/// The demo application's registered redirect URI: a code exchange names it, as the consent did.
pub const DEMO_REDIRECT_URI: &str = "https://app.example/amazon";
/// The scopes of grantless operations.
pub const SCOPES: [&str; 2] = [
    "sellingpartnerapi::notifications",
    "sellingpartnerapi::migration",
];
/// The protected endpoint.
pub const PARTICIPATIONS_PATH: &str = "/sellers/v1/marketplaceParticipations";
/// Where the sandbox serves Amazon (token and API host alike).
pub const PREFIX: &str = "/amazon";

/// The simulated Amazon: the application, its sellers' refresh tokens, issued tokens.
pub(crate) fn sandbox() -> MarketplaceSandbox {
    let sim = MarketplaceSandbox::new(
        VendorState::new(
            DEMO_CLIENT_ID,
            DEMO_CLIENT_SECRET,
            Duration::from_secs(3600),
            false,
        ),
        DEMO_SELLER,
        "spapi-code",
        // "The code lives ~5 minutes" (MARKETPLACES.md, Amazon's support answer).
        Duration::from_secs(5 * 60),
        // "It stays valid until the seller revokes the authorization."
        None,
    );
    sim.ledger().grant_refresh(DEMO_REFRESH_TOKEN, DEMO_SELLER);
    sim
}

pub(crate) fn router(sim: Arc<MarketplaceSandbox>) -> Router {
    Router::new()
        .route("/auth/o2/token", post(token))
        .route(PARTICIPATIONS_PATH, get(participations))
        .with_state(sim)
}

async fn token(
    State(sim): State<Arc<MarketplaceSandbox>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let state = sim.state();
    let fields = match form(&headers, &body) {
        Ok(fields) => fields,
        Err(reply) => return *reply,
    };
    let field = |name| param(&fields, name);
    let grant = field("grant_type").unwrap_or_default().to_owned();
    // The seller's refresh token is the login: every grant counts as one.
    state.count_login();
    let invalid_client = || {
        error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Client authentication failed",
        )
    };
    if let Some(reply) = state.next_fault().await.http_reply(invalid_client) {
        return reply;
    }
    let (Some(client_id), Some(secret)) = (field("client_id"), field("client_secret")) else {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "client_id and client_secret are required",
        );
    };
    if state.check_account(client_id, secret) != AccountCheck::Valid {
        return invalid_client();
    }
    if field("refresh_token").is_some() && field("scope").is_some() {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "If you include refresh_token, do not include scope",
        );
    }
    let account = match grant.as_str() {
        "refresh_token" => {
            let refresh_token = field("refresh_token").unwrap_or_default();
            match sim.ledger().use_refresh(refresh_token, false) {
                Ok(seller) => seller,
                Err(_) => {
                    return error(
                        StatusCode::BAD_REQUEST,
                        "invalid_grant",
                        "The request has an invalid grant parameter : refresh_token. User may have revoked or didn't grant the permission.",
                    );
                }
            }
        }
        "authorization_code" if field("redirect_uri") != Some(DEMO_REDIRECT_URI) => {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid_grant",
                "The request has an invalid grant parameter : redirect_uri",
            );
        }
        "authorization_code" => match field("code").and_then(|code| sim.ledger().take_code(code)) {
            Some(seller) => seller,
            None => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "The request has an invalid grant parameter : code",
                );
            }
        },
        "client_credentials" => match field("scope") {
            Some(scope) if scope.split(' ').all(|s| SCOPES.contains(&s)) => {
                format!("grantless:{scope}")
            }
            _ => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "invalid_scope",
                    "The scope is not valid for grantless operations",
                );
            }
        },
        _ => {
            return error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "The grant type is not supported",
            );
        }
    };
    let (token, lifetime) = state.issue(&account, "Atza|sandbox");
    let mut body = json!({
        "access_token": token,
        "token_type": "bearer",
        "expires_in": lifetime.as_secs().max(1),
    });
    let refresh_token = match grant.as_str() {
        // The seller's new refresh token, for every later login.
        "authorization_code" => Some(sim.ledger().issue_refresh(&account, "Atzr|sandbox")),
        // The refresh token "that you submitted in the request": it does not rotate.
        _ => field("refresh_token").map(str::to_owned),
    };
    if let (Some(refresh_token), Some(object)) = (refresh_token, body.as_object_mut()) {
        object.insert("refresh_token".into(), refresh_token.into());
    }
    answer(StatusCode::OK, body)
}

async fn participations(
    State(sim): State<Arc<MarketplaceSandbox>>,
    headers: HeaderMap,
) -> Response {
    let state = sim.state();
    state.count_protected();
    let denied = |details: &str| {
        answer(
            StatusCode::FORBIDDEN,
            json!({"errors": [{
                "code": "Unauthorized",
                "message": "Access to requested resource is denied.",
                "details": details,
            }]}),
        )
    };
    if let Some(reply) = state
        .next_protected_fault()
        .await
        .http_reply(|| denied("The access token you provided is revoked, malformed or invalid."))
    {
        return reply;
    }
    let Some(token) = header_text(&headers, "x-amz-access-token") else {
        let mut reply = answer(
            StatusCode::FORBIDDEN,
            json!({"errors": [{"code": "MissingAuthenticationToken", "message": "Missing Authentication Token"}]}),
        );
        reply.headers_mut().insert(
            "x-amzn-ErrorType",
            HeaderValue::from_static("MissingAuthenticationTokenException"),
        );
        return reply;
    };
    match state.check_token(token) {
        TokenCheck::Valid(seller) if !seller.starts_with("grantless:") && state.accept() => answer(
            StatusCode::OK,
            json!({"payload": [{
                "marketplace": {"id": "ATVPDKIKX0DER", "countryCode": "US", "name": "Amazon.com"},
                "participation": {"isParticipating": true, "hasSuspendedListings": false},
                "storeName": seller,
            }]}),
        ),
        TokenCheck::Valid(_) => denied("A grantless token cannot call a seller operation."),
        _ => denied("The access token you provided is revoked, malformed or invalid."),
    }
}
