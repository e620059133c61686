//! No password, token or refresh token appears in any log line, `Debug` output or error message.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use auth_core::{LoginEndpoint, Secret, Session, md5_hex};
use common::{igv_builder, igv_with_password};
use vendors::igv::IgvLogin;
use vendors::sandbox::{Fault, Sandbox, igv};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn secrets_never_reach_logs_debug_or_errors() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let sandbox = Sandbox::start().await.unwrap();
    let mut printed = Vec::new();

    // Success, a transient failure retried, a renewal after invalidation.
    sandbox.igv().push_fault(Fault::HtmlErrorPage(502));
    let session = igv_builder(&sandbox).build().unwrap();
    let token = session.token().await.unwrap();
    session.invalidate(&token);
    let renewed = session.token().await.unwrap();
    printed.push(format!("{token:?} {renewed:?} {renewed:#?} {session:?}"));
    printed.push(format!("{:?}", session.endpoint()));
    printed.push(format!("{:?}", renewed.header()));
    printed.push(format!("{:?}", IgvLogin::SPEC));

    // A rejection, a protocol error, a rate limit.
    let wrong = igv_with_password(&sandbox, "wrong-password-123");
    let err = wrong.token().await.unwrap_err();
    printed.push(format!("{err} {err:?}"));
    for fault in [
        Fault::MalformedBody,
        Fault::RateLimit {
            retry_after: Some(9999),
        },
    ] {
        sandbox.igv().push_fault(fault);
        let err = igv_builder(&sandbox)
            .build()
            .unwrap()
            .token()
            .await
            .unwrap_err();
        printed.push(format!("{err} {err:?}"));
    }
    let secret = Secret::from(igv::DEMO_PASSWORD);
    printed.push(format!("{secret:?}"));
    let _ = Session::builder(IgvLogin::new("x", Secret::from("pw-in-builder")));

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("login"), "the capture works: {logs}");
    let all = format!("{logs}\n{}", printed.join("\n"));
    let forbidden = [
        igv::DEMO_PASSWORD.to_owned(),
        md5_hex(igv::DEMO_PASSWORD),
        "wrong-password-123".to_owned(),
        token.secret().expose().to_owned(),
        renewed.secret().expose().to_owned(),
        token.refresh_token().unwrap().expose().to_owned(),
        renewed.refresh_token().unwrap().expose().to_owned(),
    ];
    for secret in &forbidden {
        assert!(
            !all.contains(secret.as_str()),
            "a secret leaked into:\n{all}"
        );
    }
}
