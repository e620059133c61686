//! What a fleet learned from failed logins of one account, kept beside its token: a rejected
//! credential, so that the fleet sends it once, and the spacing of logins after transient
//! failures, so that many processes send no more logins than one would.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use argon2::{Algorithm, Argon2, Params, Version};
use secrecy::zeroize::Zeroizing;
use serde_json::{Value, json};

use crate::error::{Error, TransientKind, VendorSaid};

/// Argon2id with the parameters OWASP recommends as a minimum (19 MiB, 2 passes, 1 lane):
/// whoever reads the store pays this for every password they guess.
const MEMORY_KIB: u32 = 19 * 1024;
const PASSES: u32 = 2;
const LANES: u32 = 1;
/// The scheme tag written with every fingerprint; another tag never matches (a record written
/// by a later version with other parameters lets the credentials through once).
const SCHEME: &str = "argon2id-19456-2-1";

/// The failed logins a fleet remembers for one account; written by the process holding the
/// account's lease, read by every process before it logs in.
///
/// A [`TokenStore`](super::TokenStore) keeps it as the text of [`to_text`](Self::to_text),
/// which holds no secret: vendor messages are redacted, and credentials appear only as a
/// salted Argon2id fingerprint.
#[non_exhaustive]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FailureRecord {
    /// The vendor rejected these credentials (or said the account is locked or expired).
    pub rejected: Option<RecordedRejection>,
    /// Logins failed for a transient reason: when the fleet may try again.
    pub spacing: Option<RecordedSpacing>,
}

/// A rejected login, as the fleet remembers it.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRejection {
    /// The HTTP status of the vendor's answer.
    pub status: u16,
    /// What the vendor said (redacted).
    pub said: VendorSaid,
    /// When it was recorded.
    pub recorded_at: SystemTime,
    /// When the record stops blocking the credentials: one attempt per fleet after that.
    pub expires_at: SystemTime,
    /// Which credentials were rejected.
    pub fingerprint: CredentialFingerprint,
}

/// The fleet's login spacing after transient failures in a row.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedSpacing {
    /// Failed logins in a row, by any process of the fleet.
    pub failures: u32,
    /// No process sends a login before this.
    pub not_before: SystemTime,
    /// When the last failure was recorded.
    pub recorded_at: SystemTime,
    /// The last failure.
    pub last: TransientFailure,
}

/// A failure worth trying again after a while, as a record keeps it.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransientFailure {
    /// The vendor was unavailable.
    Unavailable {
        /// What happened.
        kind: TransientKind,
        /// What the vendor said, if it answered.
        said: VendorSaid,
    },
    /// The vendor rate-limited the login.
    RateLimited {
        /// The HTTP status of the answer.
        status: u16,
        /// The `Retry-After` the vendor gave.
        retry_after: Option<Duration>,
        /// What the vendor said.
        said: VendorSaid,
    },
}

/// A salted Argon2id digest of a session's credentials: tells "the same credentials" from
/// "fixed credentials" without letting a reader of the store test guesses cheaply.
#[derive(Clone, PartialEq, Eq)]
pub struct CredentialFingerprint {
    salt: [u8; 16],
    digest: [u8; 32],
}

impl fmt::Debug for CredentialFingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CredentialFingerprint(argon2id)")
    }
}

impl CredentialFingerprint {
    /// The fingerprint of `credentials` under a fresh random salt; `None` when the system has
    /// no randomness to give.
    pub(crate) fn new(credentials: &[u8]) -> Option<Self> {
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt).ok()?;
        let digest = digest(credentials, &salt)?;
        Some(CredentialFingerprint { salt, digest })
    }

    /// Whether `credentials` are the ones fingerprinted (a full Argon2id run).
    pub(crate) fn matches(&self, credentials: &[u8]) -> bool {
        digest(credentials, &self.salt).is_some_and(|d| constant_time_eq(&d, &self.digest))
    }

    fn to_text(&self) -> String {
        format!(
            "{SCHEME}${}${}",
            hex::encode(self.salt),
            hex::encode(self.digest)
        )
    }

    fn from_text(text: &str) -> Option<Self> {
        let mut parts = text.split('$');
        if parts.next()? != SCHEME {
            return None;
        }
        let salt = hex::decode(parts.next()?).ok()?.try_into().ok()?;
        let digest = hex::decode(parts.next()?).ok()?.try_into().ok()?;
        parts
            .next()
            .is_none()
            .then_some(CredentialFingerprint { salt, digest })
    }
}

fn digest(credentials: &[u8], salt: &[u8]) -> Option<[u8; 32]> {
    let params = Params::new(MEMORY_KIB, PASSES, LANES, Some(32)).ok()?;
    let mut out = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(credentials, salt, out.as_mut())
        .ok()?;
    Some(*out)
}

fn constant_time_eq(a: &[u8; 32], b: &[u8; 32]) -> bool {
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl TransientFailure {
    /// The record of `err`, if it is a failure the fleet spaces logins after.
    pub(crate) fn of(err: &Error) -> Option<Self> {
        match err {
            Error::Transient { kind, said, .. } => Some(TransientFailure::Unavailable {
                kind: kind.clone(),
                said: said.clone(),
            }),
            Error::RateLimited {
                status,
                retry_after,
                said,
                ..
            } => Some(TransientFailure::RateLimited {
                status: *status,
                retry_after: *retry_after,
                said: said.clone(),
            }),
            _ => None,
        }
    }

    /// The error it was, for `vendor`.
    pub(crate) fn to_error(&self, vendor: &'static str) -> Error {
        match self {
            TransientFailure::Unavailable { kind, said } => Error::Transient {
                vendor,
                kind: kind.clone(),
                said: said.clone(),
                source: None,
            },
            TransientFailure::RateLimited {
                status,
                retry_after,
                said,
            } => Error::RateLimited {
                vendor,
                status: *status,
                retry_after: *retry_after,
                said: said.clone(),
            },
        }
    }
}

impl FailureRecord {
    /// When nothing in the record matters any more; a store may drop it then.
    pub fn expires_at(&self) -> Option<SystemTime> {
        let rejected = self.rejected.as_ref().map(|r| r.expires_at);
        let spacing = self.spacing.as_ref().map(|s| s.not_before);
        rejected.into_iter().chain(spacing).max()
    }

    /// Whether the record holds nothing.
    pub fn is_empty(&self) -> bool {
        self.rejected.is_none() && self.spacing.is_none()
    }

    /// The record as text (JSON), for a store to keep.
    ///
    /// ```
    /// use auth_core::store::FailureRecord;
    ///
    /// let record = FailureRecord::default();
    /// assert_eq!(FailureRecord::from_text(&record.to_text()), Some(record));
    /// assert_eq!(FailureRecord::from_text("<html>"), None);
    /// ```
    pub fn to_text(&self) -> String {
        let rejected = self.rejected.as_ref().map(|r| {
            json!({
                "status": r.status,
                "code": r.said.code,
                "message": r.said.message,
                "recorded_ms": millis(r.recorded_at),
                "expires_ms": millis(r.expires_at),
                "fingerprint": r.fingerprint.to_text(),
            })
        });
        let spacing = self.spacing.as_ref().map(|s| {
            let (kind, said, retry_after) = match &s.last {
                TransientFailure::Unavailable { kind, said } => (kind_tag(kind), said, None),
                TransientFailure::RateLimited {
                    status,
                    retry_after,
                    said,
                } => (
                    format!("rate_limited:{status}"),
                    said,
                    retry_after.map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
                ),
            };
            json!({
                "failures": s.failures,
                "not_before_ms": millis(s.not_before),
                "recorded_ms": millis(s.recorded_at),
                "kind": kind,
                "retry_after_ms": retry_after,
                "code": said.code,
                "message": said.message,
            })
        });
        json!({ "v": 1, "rejected": rejected, "spacing": spacing }).to_string()
    }

    /// The record in `text`; `None` when it is not one (damaged, or from another version).
    pub fn from_text(text: &str) -> Option<Self> {
        let value: Value = serde_json::from_str(text).ok()?;
        if value.get("v")?.as_u64()? != 1 {
            return None;
        }
        let rejected = match value.get("rejected") {
            None | Some(Value::Null) => None,
            Some(r) => Some(RecordedRejection {
                status: u16::try_from(r.get("status")?.as_u64()?).ok()?,
                said: said(r),
                recorded_at: time(r.get("recorded_ms")?)?,
                expires_at: time(r.get("expires_ms")?)?,
                fingerprint: CredentialFingerprint::from_text(r.get("fingerprint")?.as_str()?)?,
            }),
        };
        let spacing = match value.get("spacing") {
            None | Some(Value::Null) => None,
            Some(s) => {
                let said = said(s);
                let kind = s.get("kind")?.as_str()?;
                let last = match kind.strip_prefix("rate_limited:") {
                    Some(status) => TransientFailure::RateLimited {
                        status: status.parse().ok()?,
                        retry_after: s
                            .get("retry_after_ms")
                            .and_then(Value::as_u64)
                            .map(Duration::from_millis),
                        said,
                    },
                    None => TransientFailure::Unavailable {
                        kind: kind_from_tag(kind)?,
                        said,
                    },
                };
                Some(RecordedSpacing {
                    failures: u32::try_from(s.get("failures")?.as_u64()?).ok()?,
                    not_before: time(s.get("not_before_ms")?)?,
                    recorded_at: time(s.get("recorded_ms")?)?,
                    last,
                })
            }
        };
        Some(FailureRecord { rejected, spacing })
    }
}

fn millis(at: SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

fn time(value: &Value) -> Option<SystemTime> {
    UNIX_EPOCH.checked_add(Duration::from_millis(value.as_u64()?))
}

fn said(value: &Value) -> VendorSaid {
    let text = |name| value.get(name).and_then(Value::as_str).map(str::to_owned);
    VendorSaid {
        code: text("code"),
        message: text("message"),
    }
}

fn kind_tag(kind: &TransientKind) -> String {
    match kind {
        TransientKind::Timeout => "timeout".into(),
        TransientKind::Connect => "connect".into(),
        TransientKind::Status(status) => format!("status:{status}"),
        TransientKind::VendorCode => "vendor_code".into(),
        // The rest are failures of the connection, whatever their cause.
        _ => "network".into(),
    }
}

fn kind_from_tag(tag: &str) -> Option<TransientKind> {
    Some(match tag {
        "timeout" => TransientKind::Timeout,
        "connect" => TransientKind::Connect,
        "network" => TransientKind::Network,
        "vendor_code" => TransientKind::VendorCode,
        other => TransientKind::Status(other.strip_prefix("status:")?.parse().ok()?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> FailureRecord {
        let now = UNIX_EPOCH + Duration::from_millis(1_800_000_000_123);
        FailureRecord {
            rejected: Some(RecordedRejection {
                status: 200,
                said: VendorSaid {
                    code: Some("4001".into()),
                    message: Some("Invalid email or password".into()),
                },
                recorded_at: now,
                expires_at: now + Duration::from_secs(900),
                fingerprint: CredentialFingerprint::new(b"me\0wrong-password").unwrap(),
            }),
            spacing: Some(RecordedSpacing {
                failures: 3,
                not_before: now + Duration::from_secs(2),
                recorded_at: now,
                last: TransientFailure::RateLimited {
                    status: 429,
                    retry_after: Some(Duration::from_secs(2)),
                    said: VendorSaid::default(),
                },
            }),
        }
    }

    #[test]
    fn a_record_survives_its_text_and_holds_no_credential() {
        let record = record();
        let text = record.to_text();
        assert!(!text.contains("wrong-password"), "{text}");
        assert_eq!(FailureRecord::from_text(&text), Some(record.clone()));
        assert_eq!(
            record.expires_at(),
            Some(UNIX_EPOCH + Duration::from_millis(1_800_000_900_123))
        );
        for kind in [
            TransientKind::Timeout,
            TransientKind::Connect,
            TransientKind::Network,
            TransientKind::Status(503),
            TransientKind::VendorCode,
        ] {
            assert_eq!(kind_from_tag(&kind_tag(&kind)), Some(kind));
        }
    }

    #[test]
    fn the_fingerprint_tells_credentials_apart_and_is_salted() {
        let first = CredentialFingerprint::new(b"me\0wrong-password").unwrap();
        let second = CredentialFingerprint::new(b"me\0wrong-password").unwrap();
        assert!(first.matches(b"me\0wrong-password"));
        assert!(!first.matches(b"me\0right-password"));
        assert_ne!(first, second, "each record has its own salt");
        assert!(!format!("{first:?}").contains(&hex::encode(first.digest)));
    }

    #[test]
    fn damaged_or_foreign_text_is_no_record() {
        let good = record().to_text();
        for bad in [
            String::new(),
            "{}".into(),
            r#"{"v":2}"#.into(),
            good.replace(SCHEME, "argon2id-4096-1-1"),
            good.replace("\"failures\":3", "\"failures\":-3"),
            good.replace("rate_limited:429", "rate_limited:x"),
        ] {
            assert_eq!(FailureRecord::from_text(&bad), None, "{bad}");
        }
    }
}
