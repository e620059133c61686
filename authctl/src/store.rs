//! `--store`: where authctl keeps tokens between runs, and `SELLER_AUTH_STORE_KEY` to encrypt them.

use std::sync::Arc;
use std::time::Duration;

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
        // Only what comes before any `:` or `/` is named: a mistyped URL may hold a password.
        Some(other) => Err(Failure::Config(format!(
            "unknown store kind `{}`; use memory, file:PATH, redis://... or redis-cluster:redis://NODE,...",
            crate::printable::visible(other.split([':', '/']).next().unwrap_or_default())
        ))),
        None => match dirs::cache_dir() {
            Some(cache) => Ok(file(cache.join("seller-auth"))),
            None => Err(Failure::Config(
                "no cache directory is known for this user; pass --store".into(),
            )),
        },
    }
}

/// How the store is named in messages: the `--store` value with any user name and password
/// taken out of its URLs, or the default directory.
pub fn shown(choice: Option<&str>) -> String {
    match choice {
        Some(spec) if spec.starts_with("redis-cluster:") => {
            let nodes: Vec<String> = spec["redis-cluster:".len()..]
                .split(',')
                .map(without_userinfo)
                .collect();
            format!("redis-cluster:{}", nodes.join(","))
        }
        Some(spec) => without_userinfo(spec),
        None => match dirs::cache_dir() {
            Some(cache) => format!("file:{}", cache.join("seller-auth").display()),
            None => "file:?".to_owned(),
        },
    }
}

/// `url` without its user name and password; a value that is not a URL with a host is shown
/// as it is (`memory`, `file:PATH`).
fn without_userinfo(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut parsed) if parsed.has_host() => {
            let _ = parsed.set_username("");
            let _ = parsed.set_password(None);
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

/// The user names and passwords in `choice`'s URLs: never part of a message.
fn userinfo(choice: &str) -> Vec<String> {
    choice
        .trim_start_matches("redis-cluster:")
        .split(',')
        .filter_map(|node| reqwest::Url::parse(node).ok())
        .flat_map(|url| {
            [
                url.username().to_owned(),
                url.password().unwrap_or("").to_owned(),
            ]
        })
        .filter(|part| !part.is_empty())
        .collect()
}

/// The longest the first look at the store may take; Redis stores answer within their own
/// (shorter) timeout.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// A key no session uses (sessions' keys are hex digests): reading it tells whether the store
/// answers, without touching an entry.
const PROBE_KEY: &str = "authctl-probe";

/// `store` if a first read works; otherwise, after one line on stderr naming the store and the
/// reason, a memory store, so that the command goes on without the broken store (and without
/// each of its calls waiting for a timeout).
pub async fn usable(store: Arc<dyn TokenStore>, choice: Option<&str>) -> Arc<dyn TokenStore> {
    let why = match tokio::time::timeout(PROBE_TIMEOUT, store.load(PROBE_KEY)).await {
        Ok(Ok(_)) => return store,
        Ok(Err(e)) => e.to_string(),
        Err(_) => format!("no answer within {} s", PROBE_TIMEOUT.as_secs()),
    };
    crate::output::stderr_line(&unusable_message(choice, &why));
    Arc::new(MemoryStore::new())
}

/// The line that says a store cannot be used: its name and the reason, with no user name or
/// password of its URL in either.
fn unusable_message(choice: Option<&str>, why: &str) -> String {
    format!(
        "authctl: the token store {} cannot be used ({}); going on without it",
        shown(choice),
        redacted(choice, why)
    )
}

/// The line that says a store call failed during the run, and what the session did instead.
pub fn trouble_message(choice: Option<&str>, why: &str) -> String {
    format!(
        "authctl: the token store {} failed: {}",
        shown(choice),
        redacted(choice, why)
    )
}

/// `why` on one line, without the user names and passwords of `choice`'s URLs.
fn redacted(choice: Option<&str>, why: &str) -> String {
    let mut why = crate::printable::one_line(why);
    for secret in choice.map(userinfo).unwrap_or_default() {
        why = why.replace(&secret, "[redacted]");
    }
    why
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_is_named_without_the_user_name_and_password_of_its_urls() {
        assert_eq!(
            shown(Some("redis://admin:s3cret@10.0.0.1:6379/0")),
            "redis://10.0.0.1:6379/0"
        );
        assert_eq!(
            shown(Some(
                "redis-cluster:redis://:pw1@a:7000,redis://u:pw2@b:7000"
            )),
            "redis-cluster:redis://a:7000,redis://b:7000"
        );
        assert_eq!(shown(Some("file:/tmp/tokens")), "file:/tmp/tokens");
        let line = unusable_message(
            Some("redis://admin:s3cret@10.0.0.1:6379/0"),
            "auth failed for admin with s3cret",
        );
        assert_eq!(
            line,
            "authctl: the token store redis://10.0.0.1:6379/0 cannot be used (auth failed for \
             [redacted] with [redacted]); going on without it"
        );
    }
}
