//! The token goes only to the origin (scheme, host, port) of its client's base URL, and to the
//! origins named with `allow_origin`: an absolute URL elsewhere, a user part that hides the real
//! host, another loopback address or port, a redirect, a request through the middleware: each is
//! refused before anything is sent, and no login is made for it.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use auth_core::{AuthorizedClient, ConfigError, Error, ErrorClass, TokenMiddleware};
use common::fault_proxy::raw_server;
use common::igv_builder;
use vendors::sandbox::{Sandbox, Vendor, igv};

/// A server that records the `Authorization` header of each request it receives.
async fn listener() -> (std::net::SocketAddr, Arc<AtomicU32>) {
    raw_server(|| "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}".to_owned())
        .await
}

fn foreign_origin(err: &Error) -> (String, String) {
    match err {
        Error::Config {
            problem: ConfigError::ForeignOrigin { origin, base },
            ..
        } => (origin.clone(), base.clone()),
        other => panic!("expected a foreign origin, got {other:?}"),
    }
}

#[tokio::test]
async fn a_request_for_another_origin_is_refused_before_anything_is_sent() {
    let sandbox = Sandbox::start().await.unwrap();
    let (elsewhere, hits) = listener().await;
    let session = igv_builder(&sandbox).build().unwrap();
    let client = AuthorizedClient::new(session, sandbox.base_url(Vendor::Igv)).unwrap();
    let vendor = sandbox.addr();
    let cases = [
        format!("http://{elsewhere}/seller/orders"),
        // The vendor's host as a user name: the request would go to `elsewhere`.
        format!("http://{vendor}@{elsewhere}/seller/orders"),
        format!("http://user:pw@{elsewhere}/x"),
        // Same host, another port; same port, another loopback address.
        format!("http://127.0.0.1:{}/x", elsewhere.port()),
        format!("http://127.0.0.2:{}/x", vendor.port()),
        // Same host and port, another scheme.
        format!("https://{vendor}/x"),
    ];
    for url in &cases {
        let err = client.get(url).send().await.unwrap_err();
        let (origin, base) = foreign_origin(&err);
        assert_eq!(err.class(), ErrorClass::Config);
        assert_eq!(base, format!("http://{vendor}"), "{url}");
        assert!(!origin.contains('@') && !origin.contains("pw"), "{origin}");
        assert!(
            err.to_string().contains("refusing to send the token to"),
            "{err}"
        );
        // Checked the same way without sending.
        assert!(client.get(url).check().is_err(), "{url}");
    }
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "nothing reached the other host"
    );
    assert_eq!(
        sandbox.igv().login_count(),
        0,
        "no login for a refused request"
    );

    // A relative path, and an absolute URL on the base's own origin, go out.
    let relative = client.get(igv::WHOAMI_PATH).send().await.unwrap();
    assert_eq!(relative.status(), 200);
    let absolute = format!("{}{}", sandbox.base_url(Vendor::Igv), igv::WHOAMI_PATH);
    assert_eq!(client.get(&absolute).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn an_origin_named_with_allow_origin_receives_the_token() {
    let sandbox = Sandbox::start().await.unwrap();
    let (elsewhere, hits) = listener().await;
    let session = igv_builder(&sandbox).build().unwrap();
    let client = AuthorizedClient::new(session, sandbox.base_url(Vendor::Igv))
        .unwrap()
        .allow_origin(format!("http://{elsewhere}/any/path/is/ignored"))
        .unwrap();
    let response = client
        .get(&format!("http://{elsewhere}/labels/1.pdf"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(hits.load(Ordering::SeqCst), 1);
    // Only that origin: its neighbour port is still refused.
    let (other, other_hits) = listener().await;
    let err = client
        .get(&format!("http://{other}/x"))
        .send()
        .await
        .unwrap_err();
    foreign_origin(&err);
    assert_eq!(other_hits.load(Ordering::SeqCst), 0);
    // An origin that could not receive a token anyway is refused when named.
    assert!(
        AuthorizedClient::new(
            igv_builder(&sandbox).build().unwrap(),
            sandbox.base_url(Vendor::Igv)
        )
        .unwrap()
        .allow_origin("http://files.vendor.example")
        .is_err(),
        "plain http to a remote host"
    );
}

#[tokio::test]
async fn a_redirect_to_another_origin_is_not_followed_with_the_token() {
    let sandbox = Sandbox::start().await.unwrap();
    let (elsewhere, stolen) = listener().await;
    let (redirecting, _) = raw_server(move || {
        format!(
            "HTTP/1.1 307 Temporary Redirect\r\nLocation: http://{elsewhere}/steal\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )
    })
    .await;
    let session = igv_builder(&sandbox).build().unwrap();
    let client = AuthorizedClient::new(session, format!("http://{redirecting}")).unwrap();
    let response = client.get("/orders").send().await.unwrap();
    assert_eq!(
        response.status(),
        307,
        "the redirect comes back to the caller"
    );
    assert_eq!(
        stolen.load(Ordering::SeqCst),
        0,
        "the token did not follow it"
    );
}

#[tokio::test]
async fn the_middleware_refuses_another_origin_too() {
    let sandbox = Sandbox::start().await.unwrap();
    let (elsewhere, hits) = listener().await;
    let session = igv_builder(&sandbox).build().unwrap();
    let authorised = AuthorizedClient::new(session, sandbox.base_url(Vendor::Igv)).unwrap();
    let client = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
        .with(TokenMiddleware::new(authorised))
        .build();
    let err = client
        .get(format!("http://{elsewhere}/x"))
        .send()
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("refusing to send the token"),
        "{err}"
    );
    assert_eq!(hits.load(Ordering::SeqCst), 0);
    assert_eq!(sandbox.igv().login_count(), 0);
}

#[tokio::test]
async fn a_host_header_of_the_callers_is_refused() {
    let sandbox = Sandbox::start().await.unwrap();
    let session = igv_builder(&sandbox).build().unwrap();
    let client = AuthorizedClient::new(session, sandbox.base_url(Vendor::Igv)).unwrap();
    for name in ["Host", "host"] {
        let err = client
            .get(igv::WHOAMI_PATH)
            .header(name, "other-tenant.example")
            .send()
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::Config {
                    problem: ConfigError::HostHeader,
                    ..
                }
            ),
            "{err:?}"
        );
    }
    assert_eq!(sandbox.igv().login_count(), 0);
}

/// reqwest names the URL in its errors; through the middleware, a signed vendor's URL carries
/// the token (Lazada's `access_token`), and the error must not.
#[tokio::test]
async fn a_transport_error_through_the_middleware_names_no_token() {
    let sandbox = Sandbox::start().await.unwrap();
    let lazada = common::clients::lazada(&sandbox);
    let token = lazada.session().token().await.unwrap();
    let refused = common::fault_proxy::refused_port().await;
    let session = lazada.session().clone();
    let authorised = AuthorizedClient::new(session, format!("http://{refused}/rest")).unwrap();
    let client = reqwest_middleware::ClientBuilder::new(reqwest::Client::new())
        .with(TokenMiddleware::new(authorised))
        .build();
    let err = client
        .get(format!("http://{refused}/rest/seller/get?fields=all"))
        .send()
        .await
        .unwrap_err();
    let shown = format!("{err} {err:?} {:?}", std::error::Error::source(&err));
    assert!(
        shown.contains("connect") || shown.contains("Connect"),
        "{shown}"
    );
    assert!(!shown.contains(token.secret().expose()), "{shown}");
    assert!(!shown.contains("access_token="), "{shown}");
}
