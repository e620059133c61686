//! The SDK's metrics exported to Prometheus: install `metrics-exporter-prometheus` as the
//! recorder, use a session, and render what a scrape of `/metrics` would return.
//!
//! ```sh
//! cargo run -p auth-core --example prometheus
//! ```
//!
//! A service would rather call `PrometheusBuilder::new().with_http_listener(addr).install()`
//! and let Prometheus scrape it; rendering here keeps the example self-contained.

use std::time::Duration;

use auth_core::metrics::{LEASE_WAIT, LOGIN_DURATION};
use auth_core::{Secret, Session, login_endpoint};
use axum::Json;
use axum::routing::post;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder};

/// A vendor's login, served below by a stand-in on a local port.
#[login_endpoint(path = "/login", body = json, token_field = "token",
                 lifetime = seconds("expires_in"), scheme = "Bearer")]
struct Login {
    user: String,
    password: Secret,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Histograms as Prometheus histograms (the exporter's default is a summary), with buckets
    // around what a vendor's login takes.
    let login_buckets = [0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];
    let prometheus = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Full(LOGIN_DURATION.into()), &login_buckets)?
        .set_buckets_for_metric(Matcher::Full(LEASE_WAIT.into()), &login_buckets)?
        .install_recorder()?;

    let app = axum::Router::new().route(
        "/login",
        post(|| async { Json(serde_json::json!({ "token": "t0k3n", "expires_in": 3600 })) }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });

    let session = Session::builder(Login {
        user: "me@shop.example".into(),
        password: Secret::from("pw"),
    })
    .base_url(&base)
    .build()?;
    session.token().await?;
    session.renew().await?;
    tokio::time::sleep(Duration::from_millis(10)).await;

    // What a scrape returns: counters, the login-time histogram, the remaining-lifetime gauge.
    print!("{}", prometheus.render());
    Ok(())
}
