//! An application using a ready vendor (Lazada) through the authorised client: the seller's
//! consent code is exchanged once, business calls are signed, and renewal uses the rotating
//! refresh token, all without the application seeing a token.
//!
//! Run with `cargo run -p vendors --example authorised_app --features sandbox`.

use std::time::Duration;

use auth_core::{AuthorizedClient, Secret};
use vendors::iop::IopApp;
use vendors::lazada;
use vendors::sandbox::{Sandbox, Vendor, iop};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start().await?;
    // Short tokens, so a renewal happens while the example runs.
    sandbox
        .vendor(Vendor::Lazada)
        .set_token_lifetime(Duration::from_secs(2));

    // In production the code arrives at your callback after the seller approves the app at
    // `lazada::consent_url(app_key, redirect_uri)`; the sandbox hands one out directly.
    let code = sandbox.lazada().issue_code(iop::DEMO_APP_KEY);
    let app = IopApp {
        app_key: iop::DEMO_APP_KEY.into(),
        app_secret: Secret::from(iop::DEMO_APP_SECRET),
    };
    let session = lazada::session_builder(app, Secret::from(code))
        .base_url(sandbox.base_url(Vendor::Lazada))
        .build()?;
    let client = AuthorizedClient::new(session, sandbox.base_url(Vendor::Lazada))?;

    for call in 1..=6 {
        let answer = client
            .post("/seller/get")
            .form(&[("fields", "all")])
            .send()
            .await?;
        println!(
            "call {call}: HTTP {} {}",
            answer.status().as_u16(),
            answer.text().await?
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let stats = client.session().stats();
    println!(
        "code exchanges: {}, refreshes: {}",
        stats.login_requests, stats.refresh_requests
    );
    Ok(())
}
