//! How a stored token is written as text: JSON, or that JSON sealed with an [`EncryptionKey`].
//! The file and Redis stores share it.
//!
//! Format 2 (this version's) names the store key and the vendor the entry was written for, and
//! an entry read under another key is foreign: treated as absent. Format 1 entries (no `"v"`)
//! are still read: sealed ones are bound to their key by the seal; plain ones carry no binding
//! and are accepted as they are until their next write (the next renewal), which writes
//! format 2. Format 2 gained `refresh_expires_at_ms` (the refresh token's expiry) without a new
//! number: entries written before read as unknown, and a process of the previous version reads
//! the new ones (it ignores the field), so a rolling upgrade loses nothing but that field, until
//! the next write of an upgraded process. A text that is not an entry for this key (damaged, foreign, of an unknown
//! format, sealed with another key, or over [`MAX_ENTRY_BYTES`]) is reported as a [`Damage`],
//! and stores treat it as absent.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use secrecy::zeroize::{Zeroize, Zeroizing};
use serde_json::{Value, json};

use super::{EncryptionKey, EntryInfo, FailureRecord, StoreError, StoredToken};
use crate::secret::Secret;

/// Marks a sealed entry of format 1; what follows is base64 of nonce and ciphertext.
const SEALED: &str = "sealed-v1:";
/// Marks a sealed entry that names its key: `sealed-v2:<key id>:` then as above.
const SEALED_NAMED: &str = "sealed-v2:";

/// The entry format this version writes.
const FORMAT: u64 = 2;

/// The most bytes of an entry or failure record a store reads (1 MiB, hundreds of times a
/// real one); a larger one is damaged.
pub(crate) const MAX_ENTRY_BYTES: u64 = 1024 * 1024;

/// Why a stored text was not used, for a warning; it names no secret.
pub(crate) type Damage = &'static str;

/// Says that the `what` stored under `key` was not used, and why; it is treated as absent.
pub(crate) fn ignored(key: &str, what: &'static str, why: &str) {
    tracing::warn!(
        key,
        reason = why,
        "a token store {what} was ignored as absent; the next write replaces it"
    );
}

/// The entry's text, sealed when a key is given (`context` is the store key it is written under).
pub(crate) fn encode(
    token: &StoredToken,
    key: Option<&EncryptionKey>,
    context: &str,
) -> Result<String, StoreError> {
    let unix_millis = |at: SystemTime| {
        at.duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    };
    let millis = unix_millis(token.expires_at);
    let plain = json!({
        "v": FORMAT,
        "key": context,
        "vendor": token.about.as_ref().map(|about| &about.vendor),
        "token": token.token.expose(),
        "scheme": token.scheme,
        "refresh_token": token.refresh_token.as_ref().map(Secret::expose),
        "expires_at_ms": millis,
        "refresh_expires_at_ms": token.refresh_expires_at.map(unix_millis),
        "account": token.account,
        "about": token.about.as_ref().map(|about| json!({
            "vendor": about.vendor,
            "label": about.label,
            "stored_ms": unix_millis(about.stored_at),
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

/// The failure record in `text`, or why it is not one.
fn decode_failures(
    text: &str,
    key: Option<&EncryptionKey>,
    context: &str,
) -> Result<FailureRecord, Damage> {
    let plain = open_text(text, key, &format!("{context}/failures"))?;
    std::str::from_utf8(&plain)
        .ok()
        .and_then(FailureRecord::from_text)
        .ok_or("it is not a failure record of this version")
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
    Ok(format!(
        "{SEALED_NAMED}{}:{}",
        key.id(),
        STANDARD.encode(sealed?)
    ))
}

/// Whether `text` was sealed by a process with another key than `key` (or with a key, where
/// this one has none): not damage to repair but a fleet whose processes disagree. Such a text
/// is left as it is, and the reader hears [`StoreError::SealedWithAnotherKey`]; replacing it
/// would take the fleet's token (and its refresh token) from the processes that can read it.
fn sealed_elsewhere(text: &str, key: Option<&EncryptionKey>) -> Result<(), StoreError> {
    let theirs = match (text.strip_prefix(SEALED_NAMED), text.strip_prefix(SEALED)) {
        // A key's id is 16 hex digits: anything else in its place is damage, to be replaced.
        (Some(rest), _) => match rest.split_once(':') {
            Some((id, _)) if id.len() == 16 && id.bytes().all(|b| b.is_ascii_hexdigit()) => id,
            _ => return Ok(()),
        },
        // A format 1 seal names no key, but a reader with none at all is surely not the fleet's.
        (None, Some(_)) if key.is_none() => return Err(StoreError::SealedWithAnotherKey),
        _ => return Ok(()),
    };
    match key {
        Some(key) if key.id() == theirs => Ok(()),
        _ => Err(StoreError::SealedWithAnotherKey),
    }
}

/// The plain text of what [`seal_text`] wrote, or why it cannot be had: a plain text where a
/// key is set, a sealed one where none is, or one the key cannot open (damaged, moved from
/// another key, or sealed with another store key).
pub(crate) fn open_text(
    text: &str,
    key: Option<&EncryptionKey>,
    context: &str,
) -> Result<Zeroizing<Vec<u8>>, Damage> {
    // A named seal's key was checked by `sealed_elsewhere`; what follows is read as format 1.
    let text = match text.strip_prefix(SEALED_NAMED) {
        Some(rest) => match rest.split_once(':') {
            Some((_, sealed)) => format!("{SEALED}{sealed}"),
            None => return Err(UNDECRYPTABLE),
        },
        None => text.to_owned(),
    };
    match (text.strip_prefix(SEALED), key) {
        (Some(sealed), Some(key)) => {
            let sealed = STANDARD.decode(sealed).map_err(|_| UNDECRYPTABLE)?;
            key.open(&sealed, context)
                .map(Zeroizing::new)
                .map_err(|_| UNDECRYPTABLE)
        }
        (Some(_), None) => Err("it is encrypted and this store has no key"),
        (None, Some(_)) => Err("it is not encrypted and this store is"),
        (None, None) => Ok(Zeroizing::new(text.into_bytes())),
    }
}

/// Why an entry of a later format is not read: not damage, but a newer version of this
/// library in the fleet; stores leave it as it is ([`StoreError::NewerFormat`]).
const NEWER_FORMAT: Damage = "it is in a format this version does not know";

const UNDECRYPTABLE: Damage = "it cannot be decrypted with this store's key (damaged, moved from another key, or sealed with another store key)";

/// What a store makes of an entry's text read under `context`: `Err` when it is not this
/// process's to judge and stays as it is (sealed with another key, or in a newer format),
/// `Ok(Err(damage))` when it is damage the next write replaces, else the token.
pub(crate) fn read_entry(
    text: &str,
    key: Option<&EncryptionKey>,
    context: &str,
) -> Result<Result<StoredToken, Damage>, StoreError> {
    sealed_elsewhere(text, key)?;
    match decode(text, key, context) {
        Err(why) if why == NEWER_FORMAT => Err(StoreError::NewerFormat),
        read => Ok(read),
    }
}

/// The same for a failure record.
pub(crate) fn read_failures(
    text: &str,
    key: Option<&EncryptionKey>,
    context: &str,
) -> Result<Result<FailureRecord, Damage>, StoreError> {
    sealed_elsewhere(text, key)?;
    Ok(decode_failures(text, key, context))
}

/// The token in an entry's text written under `context`, or why it is not one.
fn decode(text: &str, key: Option<&EncryptionKey>, context: &str) -> Result<StoredToken, Damage> {
    parse(&open_text(text, key, context)?, context)
}

fn parse(bytes: &[u8], context: &str) -> Result<StoredToken, Damage> {
    let value: Value = serde_json::from_slice(bytes).map_err(|_| "it is not JSON")?;
    let format = match value.get("v") {
        None => 1,
        Some(v) if v.as_u64() == Some(FORMAT) => FORMAT,
        Some(_) => return Err(NEWER_FORMAT),
    };
    if format == FORMAT && value.get("key").and_then(Value::as_str) != Some(context) {
        return Err("it was written for another key");
    }
    let token = token_in(&value).ok_or("it is not a token entry")?;
    let vendor = value.get("vendor").and_then(Value::as_str);
    if format == FORMAT && vendor != token.about.as_ref().map(|about| about.vendor.as_str()) {
        return Err("its vendor does not match its description");
    }
    Ok(token)
}

fn token_in(value: &Value) -> Option<StoredToken> {
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
        // Absent in entries written before it was kept: unknown.
        refresh_expires_at: value
            .get("refresh_expires_at_ms")
            .and_then(Value::as_u64)
            .and_then(|ms| UNIX_EPOCH.checked_add(Duration::from_millis(ms))),
        expires_at: UNIX_EPOCH.checked_add(Duration::from_millis(millis))?,
        account: value
            .get("account")
            .and_then(Value::as_str)
            .map(str::to_owned),
        about: value.get("about").and_then(|about| {
            Some(EntryInfo {
                vendor: about.get("vendor")?.as_str()?.to_owned(),
                label: about.get("label")?.as_str()?.to_owned(),
                stored_at: UNIX_EPOCH
                    .checked_add(Duration::from_millis(about.get("stored_ms")?.as_u64()?))?,
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
            refresh_expires_at: Some(UNIX_EPOCH + Duration::from_millis(1_815_000_000_789)),
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
            let back = decode(&text, key, "k").unwrap();
            assert_eq!(back.token.expose(), "access-123");
            assert_eq!(back.refresh_token.unwrap().expose(), "refresh-456");
            assert_eq!(back.scheme.as_deref(), Some("Bearer"));
            assert_eq!(back.expires_at, token().expires_at);
            assert_eq!(back.refresh_expires_at, token().refresh_expires_at);
            assert_eq!(back.about, token().about);
            if key.is_some() {
                assert!(!text.contains("access-123") && !text.contains("refresh-456"));
            }
        }
    }

    #[test]
    fn an_entry_sealed_with_another_key_is_told_apart_from_damage() {
        let key = EncryptionKey::from_bytes([3; 32]);
        let other = EncryptionKey::from_bytes([4; 32]);
        let sealed = encode(&token(), Some(&key), "k").unwrap();
        assert!(sealed.starts_with(&format!("{SEALED_NAMED}{}:", key.id())));
        assert!(sealed_elsewhere(&sealed, Some(&key)).is_ok());
        for reader in [Some(&other), None] {
            assert!(matches!(
                sealed_elsewhere(&sealed, reader),
                Err(StoreError::SealedWithAnotherKey)
            ));
        }
        // The same key, a flipped byte: damage, not another key.
        let mut damaged = sealed.clone().into_bytes();
        if let Some(last) = damaged.last_mut() {
            *last = if *last == b'A' { b'B' } else { b'A' };
        }
        let damaged = String::from_utf8(damaged).unwrap();
        assert!(sealed_elsewhere(&damaged, Some(&key)).is_ok());
        assert!(decode(&damaged, Some(&key), "k").is_err());
        // Plain text and format 1 seals name no key: nothing to tell, unless the reader has none.
        assert!(sealed_elsewhere("{}", Some(&key)).is_ok());
        assert!(sealed_elsewhere("sealed-v1:AAAA", Some(&key)).is_ok());
        assert!(sealed_elsewhere("sealed-v1:AAAA", None).is_err());
        // A damaged id is damage, not another key.
        for garbage in [
            "sealed-v2:zz:AAAA",
            "sealed-v2:0123",
            "sealed-v2:0123456789abcdeX:AAAA",
        ] {
            assert!(sealed_elsewhere(garbage, Some(&key)).is_ok(), "{garbage}");
        }
        assert_ne!(key.id(), other.id());
        assert_eq!(key.id().len(), 16);
    }

    #[test]
    fn a_sealed_entry_needs_its_key_and_a_plain_one_is_ignored_under_a_key() {
        let key = EncryptionKey::from_bytes([3; 32]);
        let sealed = encode(&token(), Some(&key), "k").unwrap();
        assert!(decode(&sealed, None, "k").is_err());
        assert_eq!(
            decode(&format!("{SEALED}!!!"), Some(&key), "k").err(),
            Some(UNDECRYPTABLE)
        );
        let plain = encode(&token(), None, "k").unwrap();
        assert!(decode(&plain, Some(&key), "k").is_err());
    }

    #[test]
    fn an_entry_is_bound_to_its_key_and_vendor_sealed_or_not() {
        let key = EncryptionKey::from_bytes([3; 32]);
        for key in [None, Some(&key)] {
            let text = encode(&token(), key, "igv-1").unwrap();
            assert!(decode(&text, key, "igv-1").is_ok());
            assert!(
                decode(&text, key, "igv-2").is_err(),
                "copied to another key"
            );
        }
        let plain: Value = serde_json::from_str(&encode(&token(), None, "igv-1").unwrap()).unwrap();
        let with = |field: &str, value: Value| {
            let mut changed = plain.clone();
            changed[field] = value;
            changed.to_string()
        };
        assert_eq!(
            decode(&with("vendor", json!("IOP")), None, "igv-1").err(),
            Some("its vendor does not match its description")
        );
        assert!(decode(&with("v", json!(3)), None, "igv-1").is_err());
        assert!(decode(&with("key", json!("igv-2")), None, "igv-1").is_err());
    }

    #[test]
    fn a_format_1_entry_is_read_unbound_when_plain_and_by_its_seal_when_sealed() {
        // What the previous version wrote: no format, key or vendor.
        let v1 = r#"{"token":"access-123","scheme":"Bearer","refresh_token":"refresh-456","expires_at_ms":1800000000123,"account":null,"about":null}"#;
        let read = decode(v1, None, "any-key").unwrap();
        assert_eq!(read.refresh_token.unwrap().expose(), "refresh-456");
        let key = EncryptionKey::from_bytes([3; 32]);
        let sealed = seal_text(v1.to_owned(), Some(&key), "igv-1").unwrap();
        assert!(decode(&sealed, Some(&key), "igv-1").is_ok());
        assert!(decode(&sealed, Some(&key), "igv-2").is_err());
    }

    #[test]
    fn an_entry_without_a_refresh_expiry_reads_as_unknown() {
        // What the previous version wrote in format 2: no `refresh_expires_at_ms`.
        let before = r#"{"v":2,"key":"k","vendor":null,"token":"access-123","scheme":null,"refresh_token":"refresh-456","expires_at_ms":1800000000123,"account":null,"about":null}"#;
        let read = decode(before, None, "k").unwrap();
        assert_eq!(read.refresh_token.unwrap().expose(), "refresh-456");
        assert_eq!(read.refresh_expires_at, None);
        let unknown = StoredToken {
            refresh_expires_at: None,
            ..token()
        };
        let text = encode(&unknown, None, "k").unwrap();
        assert!(text.contains(r#""refresh_expires_at_ms":null"#), "{text}");
        assert_eq!(decode(&text, None, "k").unwrap().refresh_expires_at, None);
        // Garbage in the field is unknown, not damage: the token is still good.
        let garbage = text.replace(
            r#""refresh_expires_at_ms":null"#,
            r#""refresh_expires_at_ms":"soon""#,
        );
        assert_eq!(
            decode(&garbage, None, "k").unwrap().refresh_expires_at,
            None
        );
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
            assert!(decode(damage, None, "k").is_err(), "{damage:?}");
        }
    }
}
