//! The values an endpoint supplies itself, made for the request at hand.

use std::borrow::Cow;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::spec::Value;

/// The text of `value` for a request made at `now`.
pub(crate) fn text(value: Value, now: SystemTime) -> Cow<'static, str> {
    let since_epoch = now.duration_since(UNIX_EPOCH).unwrap_or_default();
    match value {
        Value::Text(text) => Cow::Borrowed(text),
        Value::Uuid => Cow::Owned(uuid::Uuid::new_v4().to_string()),
        Value::UnixSeconds => Cow::Owned(since_epoch.as_secs().to_string()),
        Value::UnixMillis => Cow::Owned(since_epoch.as_millis().to_string()),
    }
}

/// `Basic base64(user:password)` (RFC 7617).
pub(crate) fn basic(user: &str, password: &str) -> String {
    let mut credentials = String::with_capacity(user.len() + password.len() + 1);
    credentials.push_str(user);
    credentials.push(':');
    credentials.push_str(password);
    let encoded = STANDARD.encode(credentials.as_bytes());
    secrecy::zeroize::Zeroize::zeroize(&mut credentials);
    format!("Basic {encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn basic_matches_the_published_vector_and_times_are_epoch_based() {
        // MARKETPLACES.md §9, computed outside Rust.
        assert_eq!(
            basic("my-client-id", "my-client-secret"),
            "Basic bXktY2xpZW50LWlkOm15LWNsaWVudC1zZWNyZXQ="
        );
        let now = UNIX_EPOCH + Duration::from_millis(1_623_812_664_123);
        assert_eq!(text(Value::UnixSeconds, now), "1623812664");
        assert_eq!(text(Value::UnixMillis, now), "1623812664123");
        let a = text(Value::Uuid, now);
        let b = text(Value::Uuid, now);
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(a.as_bytes()[14], b'4', "version 4: {a}");
    }
}
