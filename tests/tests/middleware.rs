//! `TokenMiddleware` in a `reqwest-middleware` stack with `reqwest-retry`, against the sandbox
//! for every vendor: the token in the vendor's form, IOP, Shopee and TikTok Shop signatures
//! computed from the request's own URL and body, one replay after a token rejection, retries
//! that pass through the middleware again (a fresh signature each time), and a streaming body
//! refused with a clear error.

mod common;

use auth_core::{AuthorizedClient, TokenMiddleware};
use common::clients::{Clients, http, protected_path};
use reqwest::header::{CONTENT_TYPE, HeaderValue};
use reqwest_middleware::{ClientBuilder, ClientWithMiddleware, RequestBuilder};
use reqwest_retry::RetryTransientMiddleware;
use reqwest_retry::policies::ExponentialBackoff;
use vendors::sandbox::{Fault, Sandbox, Vendor, icekredit, igv, wahool, yz365};

/// A stack as an application builds it: retries outside, the token inside, so that every
/// attempt is authorised (and signed) afresh.
fn stack(client: &AuthorizedClient) -> ClientWithMiddleware {
    let retries = ExponentialBackoff::builder()
        .retry_bounds(
            std::time::Duration::from_millis(10),
            std::time::Duration::from_millis(50),
        )
        .build_with_max_retries(2);
    ClientBuilder::new(http())
        .with(RetryTransientMiddleware::new_with_policy(retries))
        .with(TokenMiddleware::new(client.clone()))
        .build()
}

fn url(client: &AuthorizedClient, path: &str) -> String {
    format!("{}{path}", client.base_url().as_str().trim_end_matches('/'))
}

/// The vendor's protected call, built with reqwest's own builder.
fn protected(vendor: Vendor, clients: &Clients) -> (ClientWithMiddleware, RequestBuilder) {
    let form = |builder: RequestBuilder, body: &'static str| {
        builder
            .header(
                CONTENT_TYPE,
                HeaderValue::from_static("application/x-www-form-urlencoded"),
            )
            .body(body)
    };
    match vendor {
        Vendor::Igv => {
            let s = stack(&clients.igv);
            let r = s.get(url(&clients.igv, igv::WHOAMI_PATH));
            (s, r)
        }
        Vendor::Wahool => {
            let s = stack(&clients.wahool);
            let r = s.get(url(&clients.wahool, wahool::WHOAMI_PATH));
            (s, r)
        }
        Vendor::Lazada => {
            let s = stack(&clients.lazada);
            let r = form(s.post(url(&clients.lazada, "/seller/get")), "fields=all");
            (s, r)
        }
        Vendor::AliExpress => {
            let s = stack(&clients.aliexpress);
            let r = s.get(url(&clients.aliexpress, "?method=aliexpress.seller.get"));
            (s, r)
        }
        Vendor::IceKredit => {
            let s = stack(&clients.icekredit);
            let r = s.post(url(&clients.icekredit, icekredit::WHOAMI_PATH));
            (s, r)
        }
        Vendor::Yz365 => {
            let s = stack(&clients.yz365);
            let r = s.get(url(&clients.yz365, yz365::WHOAMI_PATH));
            (s, r)
        }
        marketplace => {
            let client = &clients.marketplaces[&marketplace];
            let s = stack(client);
            let r = s.get(url(client, protected_path(marketplace)));
            (s, r)
        }
    }
}

/// Whether the vendor accepted the call: a 200 that is not its error envelope, and, for the
/// marketplaces (whose verdict the SDK's classifier reads here), the sandbox's own record.
async fn accepted(vendor: Vendor, sandbox: &Sandbox, clients: &Clients) -> bool {
    let (_stack, request) = protected(vendor, clients);
    let before = sandbox.vendor(vendor).accepted_count();
    let response = request.send().await.unwrap();
    let recorded = sandbox.vendor(vendor).accepted_count() > before;
    let status = response.status().as_u16();
    let bytes = response.bytes().await.unwrap();
    let client = match vendor {
        Vendor::Igv => &clients.igv,
        Vendor::Wahool => &clients.wahool,
        Vendor::Lazada => &clients.lazada,
        Vendor::AliExpress => &clients.aliexpress,
        Vendor::IceKredit => &clients.icekredit,
        Vendor::Yz365 => &clients.yz365,
        marketplace => &clients.marketplaces[&marketplace],
    };
    let json: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
    let code_ok = [&json["code"], &json["response_code"]]
        .iter()
        .any(|c| matches!(c.as_str(), Some("0000" | "0" | "00")) || c.as_u64() == Some(200));
    let seed = Vendor::SEEDS.contains(&vendor);
    let said = status == 200 && client.vendor_error(status, &bytes).is_none() && (!seed || code_ok);
    if !seed {
        assert_eq!(
            said, recorded,
            "{vendor:?}: the SDK and the vendor disagree"
        );
    }
    said
}

#[tokio::test]
async fn every_vendor_is_authorised_through_the_stack_and_a_rejection_replays_once() {
    let sandbox = Sandbox::start().await.unwrap();
    let clients = Clients::new(&sandbox);
    for vendor in Vendor::ALL {
        assert!(accepted(vendor, &sandbox, &clients).await, "{vendor:?}");
        let state = sandbox.vendor(vendor);
        let renewals = || state.login_count() + state.refresh_count();
        let (before, calls) = (renewals(), state.protected_count());
        state.revoke_all();
        assert!(
            accepted(vendor, &sandbox, &clients).await,
            "{vendor:?}: the replay succeeded"
        );
        assert_eq!(renewals() - before, 1, "{vendor:?}: one renewal");
        assert_eq!(
            state.protected_count() - calls,
            2,
            "{vendor:?}: the rejected call and its replay"
        );
    }
}

#[tokio::test]
async fn the_retry_middleware_retries_through_the_token_middleware() {
    let sandbox = Sandbox::start().await.unwrap();
    let clients = Clients::new(&sandbox);
    assert!(accepted(Vendor::Igv, &sandbox, &clients).await);
    let calls = sandbox.igv().protected_count();
    sandbox.igv().push_protected_fault(Fault::Unavailable);
    assert!(
        accepted(Vendor::Igv, &sandbox, &clients).await,
        "retried after the 503"
    );
    assert_eq!(sandbox.igv().protected_count() - calls, 2);
    assert_eq!(
        sandbox.igv().login_count(),
        1,
        "a 503 is not a token rejection"
    );
}

#[tokio::test]
async fn a_streaming_body_is_refused_with_a_clear_error() {
    let sandbox = Sandbox::start().await.unwrap();
    let clients = Clients::new(&sandbox);
    // The token middleware alone (a retry middleware refuses a streaming body itself, first).
    let stack = ClientBuilder::new(http())
        .with(TokenMiddleware::new(clients.lazada.clone()))
        .build();
    let chunks = futures_util::stream::iter([Ok::<_, std::io::Error>("fields=all")]);
    let err = stack
        .post(url(&clients.lazada, "/seller/get"))
        .body(reqwest::Body::wrap_stream(chunks))
        .send()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("is a stream"), "{err}");
    assert_eq!(
        sandbox.lazada().state().protected_count(),
        0,
        "nothing was sent"
    );
}
