//! The main job for now: start the sandbox, log in to its iGV as the demo seller, call a
//! protected endpoint with the token, show the token being reused, then renewed.
//!
//! Run with `cargo run -p vendors --example igv_login --features sandbox`.

use std::time::{Duration, Instant};

use auth_core::{Secret, Session, Token};
use vendors::igv::IgvLogin;
use vendors::sandbox::{Sandbox, Vendor, igv};

/// The header as a request carries it, with the token itself cut short.
fn shown(token: &Token) -> String {
    match token.header() {
        Some((name, value)) => {
            let text = value.to_str().unwrap_or("");
            let visible: String = text.chars().take(15).collect();
            format!("{name}: {visible}… ({} chars)", text.len())
        }
        None => "sent as a parameter".into(),
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start().await?;
    let base_url = sandbox.base_url(Vendor::Igv);
    println!("sandbox iGV at {base_url}");
    // Short lifetimes, so the renewal shows within seconds.
    sandbox.igv().set_token_lifetime(Duration::from_secs(2));

    let login = IgvLogin::new(igv::DEMO_EMAIL, Secret::from(igv::DEMO_PASSWORD));
    let client = reqwest::Client::new();
    let session = Session::builder(login)
        .base_url(&base_url)
        .client(client.clone())
        .build()?;

    let started = Instant::now();
    let token = session.token().await?;
    println!("logged in after {:?}: {}", started.elapsed(), shown(&token));
    println!("lifetime {:?}", token.lifetime());

    let (name, value) = token.header().ok_or("iGV takes its token in a header")?;
    let answer = client
        .get(format!("{base_url}{}", igv::WHOAMI_PATH))
        .header(name, value)
        .send()
        .await?;
    println!(
        "protected call: HTTP {} {}",
        answer.status().as_u16(),
        answer.text().await?
    );

    let again = session.token().await?;
    println!(
        "second token() reuses the cached token: {} (logins so far: {})",
        std::sync::Arc::ptr_eq(&token, &again),
        sandbox.igv().login_count()
    );

    // The session renews in the background at 75-85% of the 2 s lifetime, while the old
    // token is still valid; nobody waits for it.
    tokio::time::sleep(Duration::from_millis(1800)).await;
    let renewed = session.token().await?;
    println!(
        "after 1.8 s the token was renewed ahead of expiry: {}; logins: {}",
        !std::sync::Arc::ptr_eq(&token, &renewed),
        sandbox.igv().login_count()
    );
    println!("stats: {:?}", session.stats());
    Ok(())
}
