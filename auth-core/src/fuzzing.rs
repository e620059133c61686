//! The pure decoders, opened to the fuzz targets in `fuzz/` (feature `fuzzing`). Not an API: a
//! fuzz target only needs them to return, whatever the bytes.

use std::time::{Duration, SystemTime};

use crate::client::inspect::judge;
use crate::login::jwt;
use crate::login::response::{Answer, interpret};
use crate::redact::Redactor;
use crate::spec::LoginSpec;

/// Reads `body` as `spec`'s vendor's login answer; on success, the token's checks must hold.
pub fn login_answer(spec: &LoginSpec, status: u16, content_type: Option<&str>, body: &[u8]) {
    let answer = Answer {
        status,
        content_type,
        retry_after: Some(Duration::from_secs(1)),
        body,
    };
    let mut redactor = Redactor::default();
    redactor.add("fuzz-password");
    match interpret(spec, &answer, &redactor, SystemTime::now()) {
        Ok(issued) => {
            let token = issued.token.expose();
            // What reaches a header: never empty, never a control character.
            assert!(!token.is_empty() && !token.chars().any(char::is_control));
            assert!(issued.lifetime > Duration::ZERO);
        }
        Err(err) => {
            // Every error renders; none carries the credential it was sent with.
            let shown = format!("{err} {err:?}");
            assert!(!shown.contains("fuzz-password"));
            let _ = err.class();
        }
    }
}

/// Reads `body` as a business answer of `spec`'s vendor, as the authorised client does.
pub fn business_answer(spec: &LoginSpec, by_status: bool, body: &[u8]) {
    let mut redactor = Redactor::default();
    redactor.add("fuzz-token");
    let judgement = judge(spec, by_status, body, &redactor);
    let shown = format!("{judgement:?}");
    // What the vendor said never carries the token it was sent.
    assert!(!shown.contains("fuzz-token"));
}

/// The `exp` claim of a JWT.
pub fn jwt_expiry(token: &str) -> Option<u64> {
    jwt::expiry(token).ok()
}
