//! Helpers shared by the integration tests.
#![allow(dead_code)]

use auth_core::{RetryPolicy, Secret, Session, SessionBuilder};
use vendors::igv::IgvLogin;
use vendors::sandbox::{Sandbox, Vendor, igv};

/// A session builder for the sandbox's iGV demo account.
pub fn igv_builder(sandbox: &Sandbox) -> SessionBuilder<IgvLogin> {
    Session::builder(IgvLogin::new(
        igv::DEMO_EMAIL,
        Secret::from(igv::DEMO_PASSWORD),
    ))
    .base_url(sandbox.base_url(Vendor::Igv))
}

/// A session with the given password (for wrong-password cases) and no retries.
pub fn igv_with_password(sandbox: &Sandbox, password: &str) -> Session<IgvLogin> {
    Session::builder(IgvLogin::new(igv::DEMO_EMAIL, Secret::from(password)))
        .base_url(sandbox.base_url(Vendor::Igv))
        .retry(RetryPolicy::never())
        .build()
        .unwrap()
}

/// Calls the sandbox's protected iGV endpoint with `authorization` as the header value.
pub async fn igv_whoami(
    client: &reqwest::Client,
    sandbox: &Sandbox,
    authorization: Option<&str>,
) -> (u16, serde_json::Value) {
    let url = format!("{}{}", sandbox.base_url(Vendor::Igv), igv::WHOAMI_PATH);
    let mut request = client.get(url);
    if let Some(value) = authorization {
        request = request.header("Authorization", value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (
        status,
        serde_json::from_slice(&response.bytes().await.unwrap()).unwrap(),
    )
}
pub mod capture;
pub mod clients;
pub mod fault_proxy;
pub mod flaky_store;
pub mod fleet;
pub mod oracle;
pub mod recorder;
pub mod redis_cluster;
pub mod redis_server;
