//! What the auth-core benches share: a local login server and an endpoint declared for it.
#![allow(dead_code, missing_docs)]

use std::net::SocketAddr;

use auth_core::{CodeGrant, ConfigError, Secret, Session, SessionBuilder, login_endpoint};
use axum::Router;
use axum::routing::post;

/// A login the local server accepts: a bearer token for an hour.
#[login_endpoint(path = "/login", body = json, token_field = "token",
                 lifetime = seconds("expires_in"), scheme = "Bearer")]
pub struct BenchLogin {
    pub user: String,
    pub password: Secret,
}

/// A seller's code exchange on the local server: the answer names the seller and carries a
/// refresh token, as a marketplace's does (what a `SellerDirectory` needs).
#[login_endpoint(path = "/exchange", body = form, token_field = "access_token",
                 lifetime = seconds("expires_in"), refresh_token = "refresh_token",
                 account = "seller_id", refresh = BenchRefresh, scheme = "Bearer")]
pub struct BenchExchange {
    pub app_key: String,
    pub code: Secret,
}

/// The refresh grant of [`BenchExchange`].
#[login_endpoint(path = "/exchange", body = form, token_field = "access_token",
                 lifetime = seconds("expires_in"), refresh_token = "refresh_token",
                 refreshes = BenchExchange)]
pub struct BenchRefresh {
    pub app_key: String,
    #[login(refresh_token)]
    pub refresh_token: Secret,
}

impl CodeGrant for BenchExchange {
    type App = String;
    fn with_code(app_key: &String, _: Option<&str>, code: Secret) -> Result<Self, ConfigError> {
        Ok(BenchExchange {
            app_key: app_key.clone(),
            code,
        })
    }
}

/// Starts a server on a free loopback port that answers every login with a fresh token, and
/// `/api` with 200 when a bearer token is sent.
pub async fn start_server() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let addr = listener.local_addr().expect("its address");
    let app = Router::new()
        .route(
            "/login",
            post(|| async {
                let n = fastrand::u64(..);
                axum::Json(
                    serde_json::json!({ "token": format!("tok-{n:016x}"), "expires_in": 3600 }),
                )
            }),
        )
        .route(
            "/exchange",
            post(|body: String| async move {
                // The seller is named by the code (`code:<seller>`) or the refresh token
                // (`ref:<seller>:<n>`): each seller's tokens act for that seller.
                let seller = url::form_urlencoded::parse(body.as_bytes())
                    .find_map(|(name, value)| match name.as_ref() {
                        "code" => value.strip_prefix("code:").map(str::to_owned),
                        "refresh_token" => value
                            .strip_prefix("ref:")
                            .and_then(|v| v.split(':').next())
                            .map(str::to_owned),
                        _ => None,
                    })
                    .unwrap_or_else(|| "seller-1".to_owned());
                let n = fastrand::u64(..);
                axum::Json(serde_json::json!({
                    "access_token": format!("tok-{n:016x}"),
                    "expires_in": 3600,
                    "refresh_token": format!("ref:{seller}:{n:016x}"),
                    "seller_id": seller,
                }))
            }),
        )
        .route(
            "/login-20ms",
            post(|| async {
                // A vendor's usual answer time over the internet.
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                let n = fastrand::u64(..);
                axum::Json(
                    serde_json::json!({ "token": format!("tok-{n:016x}"), "expires_in": 3600 }),
                )
            }),
        )
        .route(
            "/oauth2/token",
            post(|| async {
                axum::Json(serde_json::json!({
                    "access_token": format!("ya29.{:016x}", fastrand::u64(..)),
                    "expires_in": 3599,
                    "token_type": "Bearer",
                }))
            }),
        )
        .route(
            "/api",
            axum::routing::get(|headers: axum::http::HeaderMap| async move {
                match headers.get("authorization") {
                    Some(_) => (axum::http::StatusCode::OK, "{\"ok\":true}"),
                    None => (axum::http::StatusCode::UNAUTHORIZED, "{}"),
                }
            }),
        );
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

pub fn session_builder(addr: SocketAddr) -> SessionBuilder<BenchLogin> {
    Session::builder(BenchLogin {
        user: "bench".into(),
        password: Secret::from("pw"),
    })
    .base_url(format!("http://{addr}"))
}

pub fn session(addr: SocketAddr) -> Session<BenchLogin> {
    session_builder(addr).build().expect("a valid session")
}
