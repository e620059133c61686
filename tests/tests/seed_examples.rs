//! Each vendor's own documented example response, served verbatim by a plain local server, read
//! through the ready declarations: the declarations agree with the documents, not only with our
//! sandbox.

use std::time::Duration;

use auth_core::{Error, LoginEndpoint, ProtocolProblem, Secret, Session};
use axum::Router;
use axum::routing::any;
use vendors::aliexpress::AliExpressTokenCreate;
use vendors::igv::IgvLogin;
use vendors::iop::IopApp;
use vendors::wahool::WahoolLogin;
use vendors::yz365::Yz365Login;

/// Serves `body` as JSON at `path`; returns the base URL.
async fn serve(path: &'static str, body: &'static str) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = Router::new().route(
        path,
        any(move || async move { ([("content-type", "application/json")], body) }),
    );
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{addr}")
}

#[tokio::test]
async fn igv_seed_example() {
    let body = r#"{"code":"0000","msg":"Success","time":"2025-12-17T13:44:16.000Z","data":{"accessToken":"eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9...","tokenType":"Bearer","expiresIn":7200,"refreshToken":"eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9..."}}"#;
    let base = serve(IgvLogin::SPEC.path(), body).await;
    let session = Session::builder(IgvLogin::new("e@x", Secret::from("pw")))
        .base_url(base)
        .build()
        .unwrap();
    let token = session.token().await.unwrap();
    assert_eq!(token.lifetime(), Duration::from_secs(7200));
    assert_eq!(
        token.header().unwrap().1.to_str().unwrap(),
        "Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9..."
    );
}

#[tokio::test]
async fn wahool_seed_example() {
    let body = r#"{"code":200,"message":"success","data":{"accessToken":"Bearer eyJhbGciOiJIUzUxMiJ9.eyJ0dGxNaWxsaXMiOjcyMDAwMDAsIm9wZW5BY2NvdW50SWQiOjEsImlhdCI6MTcxNDk5MTI5OSwiZXhwIjoxNzE0OTk4NDk5fQ.Nxad0qm7pvpxi9yW9ksqgC0HFTflnhYnggbHpRLY8CH1eOEF85-wWfVyngCmFmMOjoPQdD2oA3MSsC-nxxI_tA","expiresIn":"7200000"},"locale":8,"localeDisplay":"GMT+8"}"#;
    let base = serve(WahoolLogin::SPEC.path(), body).await;
    let session = Session::builder(WahoolLogin::new("RjtQObU4DB3egXyAjiYO", Secret::from("k")))
        .base_url(base)
        .build()
        .unwrap();
    let token = session.token().await.unwrap();
    assert_eq!(
        token.lifetime(),
        Duration::from_secs(7200),
        "milliseconds, sent as a string"
    );
    let value = token.header().unwrap().1.to_str().unwrap().to_owned();
    assert!(value.starts_with("Bearer eyJhbGciOiJIUzUxMiJ9.") && !value.contains("Bearer Bearer"));

    // The table says integer: a number works the same.
    let numeric = r#"{"code":200,"message":"success","data":{"accessToken":"Bearer abc","expiresIn":7200000}}"#;
    let base = serve(WahoolLogin::SPEC.path(), numeric).await;
    let session = Session::builder(WahoolLogin::new("a", Secret::from("k")))
        .base_url(base)
        .build()
        .unwrap();
    assert_eq!(
        session.token().await.unwrap().lifetime(),
        Duration::from_secs(7200)
    );
}

#[tokio::test]
async fn aliexpress_seed_example_with_numbers_as_strings() {
    let body = r#"{"refresh_token_valid_time":"1437129035362","havana_id":"1001","code":"0","expire_time":"1437129035362","locale":"zh_CN","user_nick":"nick","access_token":"50000601c30atpedfgu3LVvik87Ixlsvle3mSoB7701ceb156fPunYZ43GBg","refresh_token":"500016000300bwa2WteaQyfwBMnPxurcA0mXGhQdTt18356663CfcDTYpWoi","account_id":"7063844","user_id":"1001","account_platform":"seller_center","refresh_expires_in":"60","expires_in":"10","sp":"ae","request_id":"0ba2887315178178017221014","seller_id":"1001","account":"xxx@gmail.com"}"#;
    let base = serve(AliExpressTokenCreate::SPEC.path(), body).await;
    let app = IopApp {
        app_key: "123456".into(),
        app_secret: Secret::from("helloworld"),
    };
    let session = Session::builder(AliExpressTokenCreate::new(
        &app,
        Secret::from("0_2DL4DV3jcU1UOT7WGI1A4rY91"),
    ))
    .base_url(base)
    .build()
    .unwrap();
    let token = session.token().await.unwrap();
    assert_eq!(token.lifetime(), Duration::from_secs(10));
    assert_eq!(
        token.query_param(),
        Some((
            "session",
            "50000601c30atpedfgu3LVvik87Ixlsvle3mSoB7701ceb156fPunYZ43GBg"
        ))
    );
    assert_eq!(
        token.refresh_token().unwrap().expose(),
        "500016000300bwa2WteaQyfwBMnPxurcA0mXGhQdTt18356663CfcDTYpWoi"
    );
}

#[tokio::test]
async fn yz365_seed_example_is_already_expired_and_a_malformed_jwt_is_a_protocol_error() {
    // The seed's token expired on 2024-09-25: honouring `exp` means refusing it, not panicking.
    let body = r#"{"success":true,"message":"success","code":200,"timestamp":1727243338065,"result":{"accessToken":"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMzAxMTExMTExMSIsImV4cCI6MTcyNzI2MTMzOH0.L-iFkZsuGyK05xv9CX6hqccchxmum-I3cwYECtr3cfA","refreshToken":"x"}}"#;
    let base = serve(Yz365Login::SPEC.path(), body).await;
    let session = Session::builder(Yz365Login::new("testuser", Secret::from("123456"), "10000"))
        .base_url(base)
        .build()
        .unwrap();
    let err = session.token().await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Protocol {
                problem: ProtocolProblem::BadLifetime { .. },
                ..
            }
        ),
        "{err}"
    );

    let garbage =
        r#"{"success":true,"message":"success","code":200,"result":{"accessToken":"not.a-jwt"}}"#;
    let base = serve(Yz365Login::SPEC.path(), garbage).await;
    let session = Session::builder(Yz365Login::new("testuser", Secret::from("123456"), "10000"))
        .base_url(base)
        .build()
        .unwrap();
    let err = session.token().await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Protocol {
                problem: ProtocolProblem::MalformedJwt,
                ..
            }
        ),
        "{err}"
    );
}
