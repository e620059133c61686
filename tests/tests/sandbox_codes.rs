//! The sandbox's marketplaces refuse what the vendors refuse about codes and scopes: a consent's
//! code works for the minutes the vendor documents and not after; Amazon's code exchange names
//! the app's registered redirect URI; eBay's application scopes are matched whole.
//!
//! The second witness for each rule is MARKETPLACES.md, quoted beside each code lifetime in the
//! sandbox modules; these tests keep the sandbox to it.

mod common;

use std::time::Duration;

use auth_core::{Error, ErrorClass, RetryPolicy, Secret, Session};
use common::clients::marketplace;
use vendors::amazon as amz;
use vendors::sandbox::{Sandbox, Vendor, amazon, ebay};

/// The code lifetimes the vendors document (MARKETPLACES.md).
const DOCUMENTED: [(Vendor, Duration); 4] = [
    (Vendor::Tiktok, Duration::from_secs(30 * 60)),
    (Vendor::Shopee, Duration::from_secs(10 * 60)),
    (Vendor::MercadoLibre, Duration::from_secs(10 * 60)),
    (Vendor::Amazon, Duration::from_secs(5 * 60)),
];

fn amazon_exchange(sandbox: &Sandbox, redirect_uri: &str) -> Session<amz::AmazonCodeExchange> {
    Session::builder(amz::AmazonCodeExchange {
        code: Secret::from(sandbox.amazon().issue_code().as_str()),
        redirect_uri: redirect_uri.into(),
        client_id: amazon::DEMO_CLIENT_ID.into(),
        client_secret: Secret::from(amazon::DEMO_CLIENT_SECRET),
    })
    .base_url(sandbox.base_url(Vendor::Amazon))
    .retry(RetryPolicy::never())
    .build()
    .unwrap()
}

fn rejected_for_the_code(err: &Error) -> bool {
    err.class() == ErrorClass::Rejected
}

// Paused time: the codes' clock is tokio's, so "ten minutes later" takes no ten minutes.
#[tokio::test(start_paused = true)]
async fn a_code_works_until_its_documented_lifetime_and_not_after() {
    for (vendor, lifetime) in DOCUMENTED {
        let sandbox = Sandbox::start().await.unwrap();
        // A code used just inside its lifetime is exchanged.
        let fresh = marketplace_or_amazon(&sandbox, vendor);
        tokio::time::advance(lifetime - Duration::from_secs(5)).await;
        fresh
            .await_token()
            .await
            .unwrap_or_else(|e| panic!("{vendor:?}: {e}"));

        // One used just after it is refused as the vendor refuses a stale code.
        let stale = marketplace_or_amazon(&sandbox, vendor);
        tokio::time::advance(lifetime + Duration::from_secs(5)).await;
        let err = stale.await_token().await.unwrap_err();
        assert!(rejected_for_the_code(&err), "{vendor:?}: {err}");
        assert_eq!(
            sandbox.vendor(vendor).login_count(),
            2,
            "{vendor:?}: both were sent"
        );
    }
}

/// A session holding a freshly issued code of `vendor`.
enum Exchange {
    Client(auth_core::AuthorizedClient),
    Amazon(Session<amz::AmazonCodeExchange>),
}

impl Exchange {
    async fn await_token(&self) -> Result<(), Error> {
        match self {
            Exchange::Client(client) => client.session().token().await.map(|_| ()),
            Exchange::Amazon(session) => session.token().await.map(|_| ()),
        }
    }
}

fn marketplace_or_amazon(sandbox: &Sandbox, vendor: Vendor) -> Exchange {
    match vendor {
        Vendor::Amazon => Exchange::Amazon(amazon_exchange(sandbox, amazon::DEMO_REDIRECT_URI)),
        other => Exchange::Client(marketplace(sandbox, other, Some(RetryPolicy::never()))),
    }
}

#[tokio::test]
async fn amazon_refuses_a_code_exchange_for_another_redirect_uri() {
    let sandbox = Sandbox::start().await.unwrap();
    let err = amazon_exchange(&sandbox, "https://elsewhere.example/callback")
        .token()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Rejected { said, .. }
            if said.code.as_deref() == Some("invalid_grant")
                && said.message.as_deref().is_some_and(|m| m.ends_with(": redirect_uri"))),
        "{err}"
    );
    // The registered one goes through.
    amazon_exchange(&sandbox, amazon::DEMO_REDIRECT_URI)
        .token()
        .await
        .unwrap();
}

#[tokio::test]
async fn ebay_matches_application_scopes_whole() {
    let sandbox = Sandbox::start().await.unwrap();
    let token_url = format!(
        "{}/identity/v1/oauth2/token",
        sandbox.base_url(Vendor::Ebay)
    );
    let ask = |scope: &str| {
        reqwest::Client::new()
            .post(&token_url)
            .basic_auth(ebay::DEMO_CLIENT_ID, Some(ebay::DEMO_CLIENT_SECRET))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(
                url::form_urlencoded::Serializer::new(String::new())
                    .append_pair("grant_type", "client_credentials")
                    .append_pair("scope", scope)
                    .finish(),
            )
            .send()
    };
    for scope in ebay::APP_SCOPES {
        assert_eq!(ask(scope).await.unwrap().status(), 200, "{scope}");
    }
    for scope in [
        "https://api.ebay.com/oauth/api_scopeX",
        "https://api.ebay.com/oauth/api_scope/sell.anything.else",
    ] {
        let response = ask(scope).await.unwrap();
        assert_eq!(response.status(), 400, "{scope}");
        let body: serde_json::Value =
            serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
        assert_eq!(body["error"], "invalid_scope", "{scope}");
    }
}
