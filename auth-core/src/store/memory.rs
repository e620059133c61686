//! Tokens in this process's memory: the store of sessions that share nothing else.

use std::collections::HashMap;
use std::sync::Mutex;

use futures_util::future::BoxFuture;

use super::{StoreError, StoredToken, TokenStore};

/// A store in memory, shared by the sessions given the same instance.
#[derive(Debug, Default)]
pub struct MemoryStore {
    entries: Mutex<HashMap<String, StoredToken>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        MemoryStore::default()
    }
}

impl TokenStore for MemoryStore {
    fn load<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<StoredToken>, StoreError>> {
        // Nothing panics while the map is held, so a poisoned lock still holds a valid map.
        let entry = self
            .entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(key)
            .cloned();
        Box::pin(async move { Ok(entry) })
    }

    fn save<'a>(
        &'a self,
        key: &'a str,
        token: &'a StoredToken,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(key.to_owned(), token.clone());
        Box::pin(async { Ok(()) })
    }
}
