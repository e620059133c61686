//! yz365 end to end against the sandbox.

use std::time::Duration;

use auth_core::{Error, ErrorClass, Secret, Session};
use vendors::sandbox::{Sandbox, Vendor, yz365};
use vendors::yz365::Yz365Login;

fn session(sandbox: &Sandbox, password: &str, tenant: &str) -> Session<Yz365Login> {
    Session::builder(Yz365Login::new(
        yz365::DEMO_USERNAME,
        Secret::from(password),
        tenant,
    ))
    .base_url(sandbox.base_url(Vendor::Yz365))
    .build()
    .unwrap()
}

async fn whoami(sandbox: &Sandbox, header: &str, token: &str, tenant: &str) -> u16 {
    let url = format!("{}{}", sandbox.base_url(Vendor::Yz365), yz365::WHOAMI_PATH);
    let request = reqwest::Client::new()
        .get(url)
        .header(header, token)
        .header("tenant-id", tenant);
    request.send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn login_lifetime_from_the_jwt_and_the_later_request() {
    let sandbox = Sandbox::start().await.unwrap();
    let session = session(&sandbox, yz365::DEMO_PASSWORD, yz365::DEMO_TENANT_ID);
    let token = session.token().await.unwrap();
    // The sandbox issues 5-hour JWTs, as in the seed's example; the lifetime is read from `exp`.
    let lifetime = token.lifetime();
    assert!(
        lifetime <= Duration::from_secs(5 * 3600) && lifetime > Duration::from_secs(5 * 3600 - 5),
        "{lifetime:?}"
    );
    let (name, value) = token.header().unwrap();
    assert_eq!(name.as_str(), "accesstoken");
    assert_eq!(value.to_str().unwrap(), token.secret().expose());
    assert_eq!(
        whoami(
            &sandbox,
            "accessToken",
            token.secret().expose(),
            yz365::DEMO_TENANT_ID
        )
        .await,
        200
    );
    assert_eq!(
        whoami(&sandbox, "accessToken", token.secret().expose(), "20000").await,
        403
    );
}

#[tokio::test]
async fn the_token_header_name_is_configurable() {
    let sandbox = Sandbox::start().await.unwrap();
    let session = Session::builder(Yz365Login::new(
        yz365::DEMO_USERNAME,
        Secret::from(yz365::DEMO_PASSWORD),
        "10000",
    ))
    .base_url(sandbox.base_url(Vendor::Yz365))
    .token_in_header("Authorization")
    .build()
    .unwrap();
    let token = session.token().await.unwrap();
    assert_eq!(token.header().unwrap().0.as_str(), "authorization");
}

#[tokio::test]
async fn a_wrong_password_a_missing_tenant_or_another_tenant_is_rejected() {
    let sandbox = Sandbox::start().await.unwrap();
    let err = session(&sandbox, "wrong", yz365::DEMO_TENANT_ID)
        .token()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Rejected { said, .. } if said.code.as_deref() == Some("401")),
        "{err}"
    );
    let err = session(&sandbox, yz365::DEMO_PASSWORD, "")
        .token()
        .await
        .unwrap_err();
    assert_eq!(err.class(), ErrorClass::Rejected, "{err}");
    // The right account and password in a tenant it does not belong to.
    let err = session(&sandbox, yz365::DEMO_PASSWORD, "20000")
        .token()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Rejected { said, .. } if said.code.as_deref() == Some("401")),
        "{err}"
    );
    assert_eq!(sandbox.vendor(Vendor::Yz365).login_count(), 3);
}
