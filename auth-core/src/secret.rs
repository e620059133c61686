//! A string that must never be printed: passwords, keys, codes and tokens.

use std::fmt;

use bytes::Bytes;
use reqwest::header::{HeaderValue, InvalidHeaderValue};
use secrecy::{ExposeSecret, SecretString};

/// A secret string: a password, an API secret, an authorization code or a token.
///
/// It has no `Display`, its `Debug` prints `Secret([redacted])`, and its memory is zeroed when
/// it is dropped. Read it only where it must go on the wire, with [`Secret::expose`].
///
/// ```
/// use auth_core::Secret;
///
/// let password = Secret::from("hunter2");
/// assert_eq!(format!("{password:?}"), "Secret([redacted])");
/// assert_eq!(password.expose(), "hunter2");
/// ```
#[derive(Clone)]
pub struct Secret(SecretString);

impl Secret {
    /// Wraps a string.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(SecretString::from(value.into()))
    }

    /// The secret text. Call it only to put the value on the wire.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    /// Whether the secret is the empty string.
    pub fn is_empty(&self) -> bool {
        self.expose().is_empty()
    }
}

/// A header value holding a secret (`Bearer <token>`), marked sensitive (HTTP/2 never indexes
/// it, and `Debug` hides it) and zeroed once the last clone of it is dropped: the value's bytes
/// are owned by a buffer that wipes itself, shared by every clone without copying.
pub(crate) fn sensitive_header(text: String) -> Result<HeaderValue, InvalidHeaderValue> {
    let mut value = HeaderValue::from_maybe_shared(Bytes::from_owner(Wiped(text.into_bytes())))?;
    value.set_sensitive(true);
    Ok(value)
}

/// A request body holding credentials, zeroed once the HTTP client is done with it.
pub(crate) fn wiped_body(text: String) -> Bytes {
    Bytes::from_owner(Wiped(text.into_bytes()))
}

/// Bytes zeroed when dropped.
struct Wiped(Vec<u8>);

impl AsRef<[u8]> for Wiped {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl Drop for Wiped {
    fn drop(&mut self) {
        secrecy::zeroize::Zeroize::zeroize(&mut self.0);
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret::new(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret::new(value)
    }
}

impl PartialEq for Secret {
    /// Compares in time independent of where the first difference is.
    fn eq(&self, other: &Self) -> bool {
        let (a, b) = (self.expose().as_bytes(), other.expose().as_bytes());
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

impl Eq for Secret {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sensitive_header_keeps_its_text_and_hides_it() {
        let value = sensitive_header("Bearer abc.def".to_owned()).unwrap();
        assert_eq!(value.to_str().unwrap(), "Bearer abc.def");
        assert!(value.is_sensitive());
        assert!(!format!("{value:?}").contains("abc"));
        assert!(sensitive_header("Bearer a\nb".to_owned()).is_err());
    }

    #[test]
    fn debug_is_redacted() {
        let s = Secret::from("correct horse");
        let printed = format!("{s:?} {s:#?}");
        assert!(!printed.contains("correct"), "{printed}");
        assert!(printed.contains("redacted"));
    }

    #[test]
    fn equality_compares_content() {
        assert_eq!(Secret::from("a"), Secret::from(String::from("a")));
        assert_ne!(Secret::from("a"), Secret::from("b"));
        assert_ne!(Secret::from("a"), Secret::from("ab"));
    }
}
