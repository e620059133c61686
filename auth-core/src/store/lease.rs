//! A lease: the right, for a while, to log in for an account on behalf of every process.

use std::any::Any;
use std::fmt;

/// Held while logging in; given back with [`TokenStore::release`](super::TokenStore::release).
///
/// `owner` tells this holder from others (a random string); `fence` grows with every lease
/// granted on a key, so a store can refuse a write from a holder whose lease was taken over.
pub struct Lease {
    owner: String,
    fence: u64,
    /// What keeps the lease held, for stores where that is an object (an open, locked file).
    _hold: Option<Box<dyn Any + Send + Sync>>,
}

impl Lease {
    /// A lease known by its owner and fence.
    pub fn new(owner: impl Into<String>, fence: u64) -> Self {
        Lease {
            owner: owner.into(),
            fence,
            _hold: None,
        }
    }

    /// A lease that lasts while `hold` lives (dropped on release).
    pub fn holding(owner: impl Into<String>, fence: u64, hold: impl Any + Send + Sync) -> Self {
        Lease {
            owner: owner.into(),
            fence,
            _hold: Some(Box::new(hold)),
        }
    }

    /// The holder's random identity.
    pub fn owner(&self) -> &str {
        &self.owner
    }

    /// The fencing number: higher for every later lease on the same key.
    pub fn fence(&self) -> u64 {
        self.fence
    }

    /// A random owner identity, unique across processes and machines.
    pub fn random_owner() -> String {
        let mut bytes = [0u8; 16];
        if getrandom::fill(&mut bytes).is_err() {
            // Uniqueness, not secrecy, is what matters here: fall back to a seeded generator.
            bytes = fastrand::u128(..).to_le_bytes();
        }
        hex::encode(bytes)
    }
}

impl fmt::Debug for Lease {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lease")
            .field("owner", &self.owner)
            .field("fence", &self.fence)
            .finish()
    }
}
