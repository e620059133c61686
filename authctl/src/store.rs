//! `--store`: where authctl keeps tokens between runs.

use std::sync::Arc;

use auth_core::store::{FileStore, MemoryStore, TokenStore};

use crate::failure::Failure;

/// The store named by `--store`, or the per-user file store in the cache directory.
pub fn open(choice: Option<&str>) -> Result<Arc<dyn TokenStore>, Failure> {
    match choice {
        Some("memory") => Ok(Arc::new(MemoryStore::new())),
        Some(spec) if spec.starts_with("file:") => {
            let path = &spec["file:".len()..];
            if path.is_empty() {
                return Err(Failure::Config(
                    "--store file: needs a directory, e.g. file:/tmp/tokens".into(),
                ));
            }
            Ok(Arc::new(FileStore::new(path)))
        }
        Some(spec) if spec.starts_with("redis://") || spec.starts_with("rediss://") => {
            Err(Failure::Config(
                "the Redis store is not available in this version; use memory or file:PATH".into(),
            ))
        }
        Some(other) => Err(Failure::Config(format!(
            "unknown store `{other}`; use memory, file:PATH or redis://..."
        ))),
        None => match dirs::cache_dir() {
            Some(cache) => Ok(Arc::new(FileStore::new(cache.join("seller-auth")))),
            None => Err(Failure::Config(
                "no cache directory is known for this user; pass --store".into(),
            )),
        },
    }
}
