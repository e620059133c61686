//! `--store`: where authctl keeps tokens between runs, and `SELLER_AUTH_STORE_KEY` to encrypt them.

use std::sync::Arc;

use auth_core::store::{
    EncryptionKey, FileStore, MemoryStore, RedisStore, RedisStoreBuilder, TokenStore,
};

use crate::failure::Failure;

/// The variable that holds the store's encryption key (64 hex digits or base64 of 32 bytes).
pub const KEY_VARIABLE: &str = "SELLER_AUTH_STORE_KEY";

/// The store named by `--store`, or the per-user file store in the cache directory; encrypted
/// when `key` (the variable's value) is set.
pub fn open(choice: Option<&str>, key: Option<String>) -> Result<Arc<dyn TokenStore>, Failure> {
    let key = match key {
        Some(text) => Some(
            EncryptionKey::parse(&text)
                .map_err(|e| Failure::Config(format!("{KEY_VARIABLE}: {e}")))?,
        ),
        None => None,
    };
    let redis = |builder: RedisStoreBuilder| -> Result<Arc<dyn TokenStore>, Failure> {
        let builder = match &key {
            Some(key) => builder.encrypted(key.clone()),
            None => builder,
        };
        let store = builder
            .build()
            .map_err(|e| Failure::Config(format!("--store: {e}")))?;
        Ok(Arc::new(store))
    };
    let file = |dir: std::path::PathBuf| -> Arc<dyn TokenStore> {
        let store = FileStore::new(dir);
        Arc::new(match &key {
            Some(key) => store.encrypted(key.clone()),
            None => store,
        })
    };
    match choice {
        Some("memory") => Ok(Arc::new(MemoryStore::new())),
        Some(spec) if spec.starts_with("file:") => {
            let path = &spec["file:".len()..];
            if path.is_empty() {
                return Err(Failure::Config(
                    "--store file: needs a directory, e.g. file:/tmp/tokens".into(),
                ));
            }
            Ok(file(path.into()))
        }
        Some(spec) if spec.starts_with("redis://") || spec.starts_with("rediss://") => {
            redis(RedisStore::builder(spec))
        }
        Some(spec) if spec.starts_with("redis-cluster:") => {
            let nodes = spec["redis-cluster:".len()..].split(',');
            redis(RedisStore::cluster_builder(nodes.filter(|n| !n.is_empty())))
        }
        Some(other) => Err(Failure::Config(format!(
            "unknown store `{other}`; use memory, file:PATH, redis://... or redis-cluster:redis://NODE,..."
        ))),
        None => match dirs::cache_dir() {
            Some(cache) => Ok(file(cache.join("seller-auth"))),
            None => Err(Failure::Config(
                "no cache directory is known for this user; pass --store".into(),
            )),
        },
    }
}
