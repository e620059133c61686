//! Request signing: a hook the login (and later requests) run over their parameters.

pub mod iop;

use std::borrow::Cow;
use std::time::SystemTime;

pub use iop::IopSha256;

/// Parameters as they go on the wire: name and value, in the order they were added.
pub type WireParams<'a> = Vec<(Cow<'a, str>, Cow<'a, str>)>;

/// Signs a request by adding parameters (a timestamp, a signature) to it.
///
/// Name an implementation with `sign = ...` in `#[login_endpoint]`; the field marked
/// `#[login(signing_key)]` is passed as `key` and never sent.
pub trait Signer: Send + Sync + 'static {
    /// Adds the signature (and whatever it covers, such as a timestamp) to `params`.
    fn sign<'a>(&self, api_path: &str, key: &str, now: SystemTime, params: &mut WireParams<'a>);

    /// Parameters the signer always adds, replacing any of the same name: a caller may not
    /// give them, or they would go out twice.
    fn owned_parameters(&self) -> &'static [&'static str] {
        &[]
    }
}
