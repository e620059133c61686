//! Business answers the client inspects for a rejected token (JSON, in a 2xx) are read only up
//! to the limit: a huge chunked answer (no length to check first) comes back whole, as it was
//! sent, without sitting in memory twice; a small one is still inspected.

use auth_core::{AuthorizedClient, Secret, Session, login_endpoint};
use axum::Router;
use axum::body::Body;
use axum::http::header::CONTENT_TYPE;
use axum::routing::{get, post};

#[login_endpoint(path = "/login", body = json, token_field = "token", lifetime = fixed("1h"),
                 error_code = "code", token_rejected("401"))]
struct Login {
    user: String,
    password: Secret,
}

/// 9 MiB (over the client's 8 MiB inspection limit) of JSON, in 1 KiB chunks, no length.
const CHUNKS: usize = 9 * 1024;

async fn start() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = Router::new()
        .route(
            "/login",
            post(|| async { axum::Json(serde_json::json!({"token": "t-1"})) }),
        )
        .route(
            "/huge",
            get(|| async {
                let head =
                    futures_util::stream::once(async { Ok::<_, std::io::Error>(b"[\"".to_vec()) });
                let middle = futures_util::stream::iter(
                    (0..CHUNKS).map(|_| Ok::<_, std::io::Error>(vec![b'x'; 1024])),
                );
                let tail =
                    futures_util::stream::once(async { Ok::<_, std::io::Error>(b"\"]".to_vec()) });
                use futures_util::StreamExt;
                (
                    [(CONTENT_TYPE, "application/json")],
                    Body::from_stream(head.chain(middle).chain(tail)),
                )
            }),
        )
        .route(
            "/rejected",
            get(|| async {
                let body = futures_util::stream::once(async {
                    Ok::<_, std::io::Error>(br#"{"code":"401"}"#.to_vec())
                });
                (
                    [(CONTENT_TYPE, "application/json")],
                    Body::from_stream(body),
                )
            }),
        );
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

#[tokio::test]
async fn a_huge_chunked_answer_is_returned_whole_and_a_small_one_still_inspected() {
    let base = start().await;
    let session = Session::builder(Login {
        user: "u".into(),
        password: Secret::from("p"),
    })
    .base_url(&base)
    .build()
    .unwrap();
    let client = AuthorizedClient::new(session.clone(), &base).unwrap();

    let response = client.get("/huge").send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.content_length().is_none(), "chunked, as sent");
    let body = response.bytes().await.unwrap();
    assert_eq!(body.len(), CHUNKS * 1024 + 4, "nothing cut");
    assert!(body.starts_with(b"[\"xx") && body.ends_with(b"xx\"]"));

    // A small chunked answer is still read and recognised as a token rejection.
    let err = client.get("/rejected").send().await.unwrap_err();
    assert!(
        matches!(err, auth_core::Error::TokenRejected { .. }),
        "{err}"
    );
    assert_eq!(
        session.stats().login_requests,
        2,
        "one re-login before the second rejection"
    );

    // Under a limit shorter than that answer, it is not a rejection notice: returned as sent.
    let strict = AuthorizedClient::new(session, &base)
        .unwrap()
        .max_inspected_bytes(8);
    let response = strict.get("/rejected").send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(&response.bytes().await.unwrap()[..], br#"{"code":"401"}"#);
}
