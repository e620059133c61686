//! Tokens at rest, encrypted: XChaCha20-Poly1305 with a key the user supplies, bound to the
//! entry's key so that an entry cannot be moved to another account.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use secrecy::zeroize::Zeroize;

use super::StoreError;

const NONCE_LEN: usize = 24;

/// A 256-bit key that encrypts tokens in a store. Zeroized on drop; never printed.
///
/// ```
/// use auth_core::store::EncryptionKey;
///
/// let key = EncryptionKey::parse(&"ab".repeat(32)).unwrap();
/// assert_eq!(format!("{key:?}"), "EncryptionKey([redacted])");
/// assert!(EncryptionKey::parse("too short").is_err());
/// ```
#[derive(Clone)]
pub struct EncryptionKey {
    bytes: [u8; 32],
}

/// Why a text could not be read as an [`EncryptionKey`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("an encryption key is 32 bytes, written as 64 hex digits or in base64")]
pub struct InvalidKey;

impl EncryptionKey {
    /// A key from its 32 bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        EncryptionKey { bytes }
    }

    /// A key written as 64 hex digits or as base64 of 32 bytes.
    pub fn parse(text: &str) -> Result<Self, InvalidKey> {
        let text = text.trim();
        let mut decoded = hex::decode(text)
            .ok()
            .or_else(|| STANDARD.decode(text).ok())
            .ok_or(InvalidKey)?;
        let result = <[u8; 32]>::try_from(decoded.as_slice())
            .map(EncryptionKey::from_bytes)
            .map_err(|_| InvalidKey);
        decoded.zeroize();
        result
    }

    /// A name for this key that reveals nothing of it (16 hex digits of an HMAC-SHA256 under
    /// it): written beside what it seals, so that an entry sealed with another key is told apart
    /// from a damaged one.
    pub(crate) fn id(&self) -> String {
        use hmac::{KeyInit as _, Mac};
        let Ok(mut mac) = hmac::Hmac::<sha2::Sha256>::new_from_slice(&self.bytes) else {
            // HMAC takes a key of any length: this arm is never reached.
            return String::new();
        };
        mac.update(b"seller-auth store key id");
        let tag = mac.finalize().into_bytes();
        hex::encode(tag.get(..8).unwrap_or_default())
    }

    /// `plain` encrypted under a fresh random nonce, bound to `context`: nonce then ciphertext.
    pub(crate) fn seal(&self, plain: &[u8], context: &str) -> Result<Vec<u8>, StoreError> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce)
            .map_err(|_| StoreError::Sealing("no randomness for a nonce"))?;
        let cipher = XChaCha20Poly1305::new(&self.bytes.into());
        let payload = Payload {
            msg: plain,
            aad: context.as_bytes(),
        };
        let sealed = cipher
            .encrypt(&XNonce::from(nonce), payload)
            .map_err(|_| StoreError::Sealing("the cipher refused the entry"))?;
        let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// The plain text of what [`seal`](Self::seal) produced with the same key and context.
    pub(crate) fn open(&self, sealed: &[u8], context: &str) -> Result<Vec<u8>, StoreError> {
        let nonce = sealed.get(..NONCE_LEN).ok_or(StoreError::Undecryptable)?;
        let nonce = <[u8; NONCE_LEN]>::try_from(nonce).map_err(|_| StoreError::Undecryptable)?;
        let body = sealed.get(NONCE_LEN..).ok_or(StoreError::Undecryptable)?;
        let cipher = XChaCha20Poly1305::new(&self.bytes.into());
        let payload = Payload {
            msg: body,
            aad: context.as_bytes(),
        };
        cipher
            .decrypt(&XNonce::from(nonce), payload)
            .map_err(|_| StoreError::Undecryptable)
    }
}

impl Drop for EncryptionKey {
    fn drop(&mut self) {
        self.bytes.zeroize();
    }
}

impl fmt::Debug for EncryptionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EncryptionKey([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_bound_to_key_and_context() {
        let key = EncryptionKey::from_bytes([7; 32]);
        let sealed = key.seal(b"access-123", "igv-1").unwrap();
        assert!(!sealed.windows(10).any(|w| w == b"access-123"));
        assert_eq!(key.open(&sealed, "igv-1").unwrap(), b"access-123");
        assert!(matches!(
            key.open(&sealed, "igv-2"),
            Err(StoreError::Undecryptable)
        ));
        let other = EncryptionKey::from_bytes([8; 32]);
        assert!(matches!(
            other.open(&sealed, "igv-1"),
            Err(StoreError::Undecryptable)
        ));
        let mut tampered = sealed.clone();
        if let Some(last) = tampered.last_mut() {
            *last ^= 1;
        }
        assert!(key.open(&tampered, "igv-1").is_err());
        assert!(key.open(&sealed[..10], "igv-1").is_err());
        assert_ne!(
            key.seal(b"x", "k").unwrap(),
            key.seal(b"x", "k").unwrap(),
            "every seal has its own nonce"
        );
    }

    #[test]
    fn keys_parse_from_hex_or_base64() {
        let hex_key = EncryptionKey::parse(&"0f".repeat(32)).unwrap();
        let b64_key = EncryptionKey::parse(&STANDARD.encode([0x0f; 32])).unwrap();
        assert_eq!(hex_key.bytes, b64_key.bytes);
        for bad in ["", "zz", &"0f".repeat(31), &STANDARD.encode([1; 16])] {
            assert_eq!(EncryptionKey::parse(bad).err(), Some(InvalidKey), "{bad}");
        }
    }
}
