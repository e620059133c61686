//! Request signing: a hook the login (and later requests) run over their parameters, once
//! everything else (the token, the carried fields, the body) is in place.
//!
//! A vendor's own algorithm is one small type:
//!
//! ```
//! use std::borrow::Cow;
//! use auth_core::signing::{Signer, Signing, WireParams};
//!
//! /// "Acme" signs `key + path + sorted name=value pairs` with MD5, in lower-case hex.
//! struct AcmeMd5;
//!
//! impl Signer for AcmeMd5 {
//!     fn sign<'a>(&self, request: &Signing<'_>, params: &mut WireParams<'a>) {
//!         let mut sorted: Vec<_> = params.iter().map(|(n, v)| format!("{n}={v}")).collect();
//!         sorted.sort();
//!         let text = format!("{}{}{}", request.key(), request.api_path(), sorted.concat());
//!         params.push((Cow::Borrowed("sign"), Cow::Owned(auth_core::md5_hex(&text))));
//!     }
//!
//!     fn owned_parameters(&self) -> &'static [&'static str] {
//!         &["sign"]
//!     }
//! }
//!
//! let mut params: WireParams<'_> = vec![("shop".into(), "7".into())];
//! let request = Signing::new("/orders", "k", std::time::UNIX_EPOCH);
//! AcmeMd5.sign(&request, &mut params);
//! assert_eq!(params[1].1, auth_core::md5_hex("k/ordersshop=7"));
//! ```
//!
//! Name it with `sign = AcmeMd5` (the login and every later request) or `request_sign = AcmeMd5`
//! (later requests only), and mark the key's field `#[login(signing_key)]`.

pub mod iop;
pub mod shopee;
pub mod tiktok;

use std::borrow::Cow;
use std::fmt;
use std::time::SystemTime;

pub use iop::IopSha256;
pub use shopee::ShopeeSha256;
pub use tiktok::TiktokSha256;

/// Parameters as they go on the wire: name and value, in the order they were added.
pub type WireParams<'a> = Vec<(Cow<'a, str>, Cow<'a, str>)>;

/// What a signature may cover besides the parameters: the method, the path, the exact body
/// bytes, the key and the time. The token is among the parameters when it travels as one.
#[derive(Clone, Copy)]
pub struct Signing<'r> {
    method: &'r str,
    api_path: &'r str,
    key: &'r str,
    body: &'r [u8],
    now: SystemTime,
}

impl<'r> Signing<'r> {
    /// A `GET` without a body, at `api_path` (the path under the base URL), signed with `key`
    /// at `now`.
    pub fn new(api_path: &'r str, key: &'r str, now: SystemTime) -> Self {
        Signing {
            method: "GET",
            api_path,
            key,
            body: &[],
            now,
        }
    }
    /// The HTTP method.
    pub fn with_method(mut self, method: &'r str) -> Self {
        self.method = method;
        self
    }
    /// The exact body bytes as sent. A form's fields are parameters instead, and the body is
    /// empty here.
    pub fn with_body(mut self, body: &'r [u8]) -> Self {
        self.body = body;
        self
    }
    /// The HTTP method (`GET`, `POST`, ...).
    pub fn method(&self) -> &'r str {
        self.method
    }
    /// The path under the base URL, as the vendor signs it.
    pub fn api_path(&self) -> &'r str {
        self.api_path
    }
    /// The key: the field marked `#[login(signing_key)]`.
    pub fn key(&self) -> &'r str {
        self.key
    }
    /// The body bytes.
    pub fn body(&self) -> &'r [u8] {
        self.body
    }
    /// When the request is made.
    pub fn now(&self) -> SystemTime {
        self.now
    }
}

/// The key never shows.
impl fmt::Debug for Signing<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signing")
            .field("method", &self.method)
            .field("api_path", &self.api_path)
            .field("body_len", &self.body.len())
            .finish_non_exhaustive()
    }
}

/// Signs a request by adding parameters (a timestamp, a signature) to it.
///
/// Name an implementation with `sign = ...` or `request_sign = ...` in `#[login_endpoint]`;
/// the field marked `#[login(signing_key)]` is the key. What the signer adds goes in the form
/// when the body is a form, and in the query otherwise.
pub trait Signer: Send + Sync + 'static {
    /// Adds the signature (and whatever it covers, such as a timestamp) to `params`.
    fn sign<'a>(&self, request: &Signing<'_>, params: &mut WireParams<'a>);

    /// Parameters the signer always adds, replacing any of the same name: a caller may not
    /// give them, or they would go out twice.
    fn owned_parameters(&self) -> &'static [&'static str] {
        &[]
    }
}

/// Lower-case hex HMAC-SHA256 of `message` keyed by `key` (Shopee, TikTok Shop).
pub(crate) fn hmac_sha256_hex<'m>(
    key: &str,
    message: impl IntoIterator<Item = &'m [u8]>,
) -> String {
    use hmac::{Hmac, KeyInit, Mac};
    // HMAC accepts keys of any length, so this cannot fail; the fallback keeps it panic-free.
    let Ok(mut mac) = Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()) else {
        return String::new();
    };
    for part in message {
        mac.update(part);
    }
    hex::encode(mac.finalize().into_bytes())
}

/// The Unix time in seconds as text.
pub(crate) fn unix_seconds(now: SystemTime) -> String {
    now.duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
        .to_string()
}
