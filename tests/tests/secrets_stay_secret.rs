//! No password, token or refresh token appears in any log line, `Debug` output or error message.

mod common;

use std::sync::Arc;
use std::time::Duration;

use auth_core::store::{EncryptionKey, FileStore, RedisStore, TokenStore};
use auth_core::{LoginEndpoint, Secret, Session, StoreFailure, md5_hex};
use common::capture::Captured;
use common::{igv_builder, igv_with_password};
use vendors::igv::IgvLogin;
use vendors::sandbox::{Fault, Sandbox, igv};

#[tokio::test]
async fn secrets_never_reach_logs_debug_or_errors() {
    let captured = Captured::log_records();
    let _guard = tracing::subscriber::set_default(captured.subscriber());

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

    // Stores: a login stored encrypted, adopted by a second session, the entry read back; a
    // Redis with a password that cannot be reached, failing and degrading.
    let tmp = tempfile::Builder::new()
        .prefix("seller-auth-secrets-")
        .tempdir()
        .unwrap();
    let dir = tmp.path().to_path_buf();
    let key_hex = "c0ffee".repeat(10) + "c0ff";
    let file_store =
        Arc::new(FileStore::new(&dir).encrypted(EncryptionKey::parse(&key_hex).unwrap()));
    let stored_session = || {
        igv_builder(&sandbox)
            .store(Arc::clone(&file_store) as Arc<dyn TokenStore>)
            .build()
            .unwrap()
    };
    let stored = stored_session().token().await.unwrap();
    let adopted = stored_session().token().await.unwrap();
    printed.push(format!("{file_store:?} {adopted:?}"));
    let name = std::fs::read_dir(&dir)
        .unwrap()
        .find_map(|e| {
            e.unwrap()
                .file_name()
                .to_string_lossy()
                .strip_suffix(".json")
                .map(str::to_owned)
        })
        .unwrap();
    printed.push(format!("{:?}", file_store.load(&name).await.unwrap()));
    let redis = RedisStore::builder("redis://:redis-password-456@127.0.0.1:1/")
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    printed.push(format!("{redis:?}"));
    let redis: Arc<dyn TokenStore> = Arc::new(redis);
    for choice in [StoreFailure::Fail, StoreFailure::LoginLocally] {
        let outcome = igv_builder(&sandbox)
            .store(Arc::clone(&redis))
            .on_store_failure(choice)
            .build()
            .unwrap()
            .token()
            .await;
        printed.push(format!("{outcome:?}"));
        // What each choice does with a store it cannot reach is the point of printing both.
        match (choice, &outcome) {
            (StoreFailure::Fail, Err(err)) => {
                assert_eq!(err.class(), auth_core::ErrorClass::Store, "{err}");
                printed.push(format!("{err}"));
            }
            (StoreFailure::LoginLocally, Ok(_)) => {}
            (choice, outcome) => panic!("{choice:?} ended in {outcome:?}"),
        }
    }
    let _ = Session::builder(IgvLogin::new("x", Secret::from("pw-in-builder")));

    let logs = captured.text();
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
        stored.secret().expose().to_owned(),
        key_hex.clone(),
        "redis-password-456".to_owned(),
    ];
    for secret in &forbidden {
        assert!(
            !all.contains(secret.as_str()),
            "a secret leaked into:\n{all}"
        );
    }
}

/// Whether a type implements `Display`, decided at compile time for a concrete type
/// (autoref specialisation: the `Display` impl wins when it applies, the fallback otherwise).
macro_rules! displays {
    ($ty:ty) => {{
        struct Probe<T>(std::marker::PhantomData<T>);
        #[allow(dead_code, reason = "only one of the two traits is called per type")]
        trait ViaDisplay {
            fn displays(&self) -> bool {
                true
            }
        }
        impl<T: std::fmt::Display> ViaDisplay for Probe<T> {}
        #[allow(dead_code, reason = "only one of the two traits is called per type")]
        trait Fallback {
            fn displays(&self) -> bool {
                false
            }
        }
        impl<T> Fallback for &Probe<T> {}
        (&Probe::<$ty>(std::marker::PhantomData)).displays()
    }};
}

#[test]
fn tokens_and_credentials_cannot_be_displayed() {
    assert!(displays!(String), "the probe tells a Display type");
    assert!(displays!(auth_core::Error), "errors do display");
    assert!(!displays!(Secret));
    assert!(!displays!(auth_core::Token));
    assert!(!displays!(auth_core::store::StoredToken));
    assert!(!displays!(EncryptionKey));
    assert!(!displays!(IgvLogin));
    assert!(!displays!(vendors::wahool::WahoolLogin));
    assert!(!displays!(vendors::icekredit::IceKreditLogin));
    assert!(!displays!(vendors::yz365::Yz365Login));
    assert!(!displays!(vendors::lazada::LazadaTokenCreate));
    assert!(!displays!(vendors::lazada::LazadaTokenRefresh));
    assert!(!displays!(vendors::aliexpress::AliExpressTokenCreate));
    assert!(!displays!(vendors::iop::IopApp));
}

#[tokio::test]
async fn a_token_the_vendor_quotes_in_a_refusal_is_redacted() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = common::clients::igv(&sandbox);
    let first = client.session().token().await.unwrap();
    // The refusal quotes the token it refuses, for the request and for its replay.
    sandbox
        .igv()
        .push_protected_fault(Fault::EchoTokenForbidden);
    sandbox
        .igv()
        .push_protected_fault(Fault::EchoTokenForbidden);
    let err = client.get(igv::WHOAMI_PATH).send().await.unwrap_err();
    let second = client.session().token().await.unwrap();
    assert!(
        !Arc::ptr_eq(&first, &second),
        "the replay used a fresh token"
    );
    let shown = format!("{err} {err:?}");
    assert!(
        matches!(err, auth_core::Error::TokenRejected { status: 403, .. }),
        "{shown}"
    );
    assert!(shown.contains("may not call this API"), "{shown}");
    assert!(shown.contains("[redacted]"), "{shown}");
    for secret in [first.secret().expose(), second.secret().expose()] {
        assert!(!shown.contains(secret), "{shown}");
    }
    assert!(!shown.contains(igv::DEMO_PASSWORD), "{shown}");
}
