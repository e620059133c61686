//! How a stored token is written as text: JSON, or that JSON sealed with an [`EncryptionKey`].
//! The file and Redis stores share it.

use std::time::{Duration, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use secrecy::zeroize::{Zeroize, Zeroizing};
use serde_json::{Value, json};

use super::{EncryptionKey, EntryInfo, FailureRecord, StoreError, StoredToken};
use crate::secret::Secret;

/// Marks a sealed entry; what follows is base64 of nonce and ciphertext.
const SEALED: &str = "sealed-v1:";

/// The entry's text, sealed when a key is given (`context` is the store key it is written under).
pub(crate) fn encode(
    token: &StoredToken,
    key: Option<&EncryptionKey>,
    context: &str,
) -> Result<String, StoreError> {
    let millis = token
        .expires_at
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
    let plain = json!({
        "token": token.token.expose(),
        "scheme": token.scheme,
        "refresh_token": token.refresh_token.as_ref().map(Secret::expose),
        "expires_at_ms": millis,
        "account": token.account,
        "about": token.about.as_ref().map(|about| json!({
            "vendor": about.vendor,
            "label": about.label,
            "stored_ms": about.stored_at.duration_since(UNIX_EPOCH)
                .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
        })),
    })
    .to_string();
    seal_text(plain, key, context)
}

/// A failure record's text, sealed when a key is given (it is bound to `context/failures`,
/// so it cannot be passed off as a token entry).
pub(crate) fn encode_failures(
    record: &FailureRecord,
    key: Option<&EncryptionKey>,
    context: &str,
) -> Result<String, StoreError> {
    seal_text(record.to_text(), key, &format!("{context}/failures"))
}

/// The failure record in `text`; `Ok(None)` when damaged or plain under a key.
pub(crate) fn decode_failures(
    text: &str,
    key: Option<&EncryptionKey>,
    context: &str,
) -> Result<Option<FailureRecord>, StoreError> {
    let plain = open_text(text, key, &format!("{context}/failures"))?;
    Ok(plain
        .as_deref()
        .and_then(|bytes| std::str::from_utf8(bytes).ok())
        .and_then(FailureRecord::from_text))
}

/// `plain` as a store keeps it: as is, or sealed with `key` (`context`: where it is written).
pub(crate) fn seal_text(
    plain: String,
    key: Option<&EncryptionKey>,
    context: &str,
) -> Result<String, StoreError> {
    let mut plain = plain;
    let Some(key) = key else {
        return Ok(plain);
    };
    let sealed = key.seal(plain.as_bytes(), context);
    plain.zeroize();
    Ok(format!("{SEALED}{}", STANDARD.encode(sealed?)))
}

/// The plain text of what [`seal_text`] wrote. `Ok(None)` for a plain text where a key is set
/// (it is replaced by the next write); an error for a sealed one the key cannot open.
pub(crate) fn open_text(
    text: &str,
    key: Option<&EncryptionKey>,
    context: &str,
) -> Result<Option<Zeroizing<Vec<u8>>>, StoreError> {
    match (text.strip_prefix(SEALED), key) {
        (Some(sealed), Some(key)) => {
            let sealed = STANDARD
                .decode(sealed)
                .map_err(|_| StoreError::Undecryptable)?;
            Ok(Some(Zeroizing::new(key.open(&sealed, context)?)))
        }
        (Some(_), None) => Err(StoreError::Undecryptable),
        (None, Some(_)) => {
            tracing::warn!("an entry stored unencrypted was ignored; it will be replaced");
            Ok(None)
        }
        (None, None) => Ok(Some(Zeroizing::new(text.as_bytes().to_vec()))),
    }
}

/// The token in an entry's text. `Ok(None)` for a damaged entry, or a plain one where a key is
/// set (it is replaced by the next write); an error for a sealed one the key cannot open.
pub(crate) fn decode(
    text: &str,
    key: Option<&EncryptionKey>,
    context: &str,
) -> Result<Option<StoredToken>, StoreError> {
    Ok(open_text(text, key, context)?.and_then(|plain| parse(&plain)))
}

fn parse(bytes: &[u8]) -> Option<StoredToken> {
    let value: Value = serde_json::from_slice(bytes).ok()?;
    let token = value.get("token")?.as_str().filter(|t| !t.is_empty())?;
    let millis = value.get("expires_at_ms")?.as_u64()?;
    Some(StoredToken {
        token: Secret::from(token),
        scheme: value
            .get("scheme")
            .and_then(Value::as_str)
            .map(str::to_owned),
        refresh_token: value
            .get("refresh_token")
            .and_then(Value::as_str)
            .map(Secret::from),
        expires_at: UNIX_EPOCH + Duration::from_millis(millis),
        account: value
            .get("account")
            .and_then(Value::as_str)
            .map(str::to_owned),
        about: value.get("about").and_then(|about| {
            Some(EntryInfo {
                vendor: about.get("vendor")?.as_str()?.to_owned(),
                label: about.get("label")?.as_str()?.to_owned(),
                stored_at: UNIX_EPOCH + Duration::from_millis(about.get("stored_ms")?.as_u64()?),
            })
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token() -> StoredToken {
        StoredToken {
            token: Secret::from("access-123"),
            scheme: Some("Bearer".into()),
            refresh_token: Some(Secret::from("refresh-456")),
            expires_at: UNIX_EPOCH + Duration::from_millis(1_800_000_000_123),
            account: None,
            about: Some(EntryInfo {
                vendor: "iGV".into(),
                label: "email=me@shop.example".into(),
                stored_at: UNIX_EPOCH + Duration::from_millis(1_790_000_000_456),
            }),
        }
    }

    #[test]
    fn plain_and_sealed_round_trips() {
        let key = EncryptionKey::from_bytes([3; 32]);
        for key in [None, Some(&key)] {
            let text = encode(&token(), key, "k").unwrap();
            let back = decode(&text, key, "k").unwrap().unwrap();
            assert_eq!(back.token.expose(), "access-123");
            assert_eq!(back.refresh_token.unwrap().expose(), "refresh-456");
            assert_eq!(back.scheme.as_deref(), Some("Bearer"));
            assert_eq!(back.expires_at, token().expires_at);
            assert_eq!(back.about, token().about);
            if key.is_some() {
                assert!(!text.contains("access-123") && !text.contains("refresh-456"));
            }
        }
    }

    #[test]
    fn a_sealed_entry_needs_its_key_and_a_plain_one_is_ignored_under_a_key() {
        let key = EncryptionKey::from_bytes([3; 32]);
        let sealed = encode(&token(), Some(&key), "k").unwrap();
        assert!(matches!(
            decode(&sealed, None, "k"),
            Err(StoreError::Undecryptable)
        ));
        assert!(matches!(
            decode(&format!("{SEALED}!!!"), Some(&key), "k"),
            Err(StoreError::Undecryptable)
        ));
        let plain = encode(&token(), None, "k").unwrap();
        assert!(decode(&plain, Some(&key), "k").unwrap().is_none());
    }

    #[test]
    fn damaged_entries_read_as_none() {
        for damage in [
            "",
            "{",
            "[]",
            r#"{"token":""}"#,
            r#"{"token":"x","expires_at_ms":"soon"}"#,
        ] {
            assert!(decode(damage, None, "k").unwrap().is_none(), "{damage:?}");
        }
    }
}
