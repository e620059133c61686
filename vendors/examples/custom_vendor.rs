//! Declaring your own vendor with the macro, then using it like a ready one.
//!
//! "Acme" here speaks the same protocol as the sandbox's iGV (JSON login, `code` "0000", a
//! Bearer token with `expiresIn` seconds), so the example can run against the sandbox.
//!
//! Run with `cargo run -p vendors --example custom_vendor --features sandbox`.

use auth_core::{AuthorizedClient, Secret, Session, login_endpoint};
use vendors::sandbox::{Sandbox, Vendor, igv};

/// Acme's seller login, as its (imagined) documents describe it.
#[login_endpoint(
    vendor = "Acme",
    path = "/seller/auth/login",
    base_url = "https://api.acme.example/merchant-api",
    body = json,
    success("code" = "0000"),
    error_code = "code",
    error_message = "msg",
    token_field = "data.accessToken",
    scheme = field("data.tokenType"),
    lifetime = seconds("data.expiresIn"),
    send_as = header("Authorization")
)]
struct AcmeLogin {
    email: String,
    password: Secret,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start().await?;
    let base = sandbox.base_url(Vendor::Igv);
    let login = AcmeLogin {
        email: igv::DEMO_EMAIL.into(),
        password: Secret::from(igv::DEMO_PASSWORD),
    };
    // Without `.base_url(...)` the session would use the declared production URL.
    let session = Session::builder(login).base_url(&base).build()?;
    let client = AuthorizedClient::new(session, &base)?;
    let answer = client.get(igv::WHOAMI_PATH).send().await?;
    println!(
        "Acme answered HTTP {}: {}",
        answer.status().as_u16(),
        answer.text().await?
    );
    println!("logins: {}", client.session().stats().logins_succeeded);
    Ok(())
}
