//! Removing the entries of a file store whose tokens are all dead.

use std::time::{Duration, SystemTime};

use super::FileStore;
use crate::store::{StoreError, StoredToken, TokenStore};

impl FileStore {
    /// Removes the entries whose tokens have all been dead for at least `dead_for`: the access
    /// token expired, and the refresh token (if any) has a known expiry that passed too; returns
    /// their keys. An entry whose refresh token's expiry is unknown (or `never`) is kept: it may
    /// be a seller's only credential. Each entry is removed under its lease, after a second
    /// look, so an entry a session is writing or has just renewed is left alone.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use std::time::Duration;
    /// use auth_core::store::FileStore;
    ///
    /// let dir = std::env::temp_dir().join(format!("seller-auth-prune-{}", std::process::id()));
    /// let store = FileStore::new(&dir);
    /// let removed = store.prune(Duration::from_secs(86_400)).await.unwrap();
    /// assert!(removed.is_empty());
    /// # let _ = std::fs::remove_dir_all(dir); }
    /// ```
    pub async fn prune(&self, dead_for: Duration) -> Result<Vec<String>, StoreError> {
        let now = SystemTime::now();
        let mut removed = Vec::new();
        for (key, entry) in self.list().await? {
            if !all_dead(&entry, now, dead_for) {
                continue;
            }
            // Held: a session is logging in for it, and will write a live token.
            let Some(lease) = self.try_lease(&key, Duration::from_secs(30)).await? else {
                continue;
            };
            let still_dead = self
                .load(&key)
                .await?
                .is_some_and(|again| all_dead(&again.token, now, dead_for));
            if still_dead && self.remove(&key).await? {
                removed.push(key.clone());
            }
            self.release(&key, lease).await?;
        }
        Ok(removed)
    }
}

/// Whether every token of `entry` has been dead for `dead_for` at `now`.
fn all_dead(entry: &StoredToken, now: SystemTime, dead_for: Duration) -> bool {
    let long_past = |at: SystemTime| at.checked_add(dead_for).is_some_and(|end| end <= now);
    let refresh_dead = match (&entry.refresh_token, entry.refresh_expires_at) {
        (None, _) => true,
        (Some(_), Some(at)) => long_past(at),
        (Some(_), None) => false,
    };
    refresh_dead && long_past(entry.expires_at)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret::Secret;

    #[tokio::test]
    async fn only_entries_whose_tokens_are_all_long_dead_are_removed() {
        let tmp = tempfile::Builder::new()
            .prefix("seller-auth-test-prune-")
            .tempdir()
            .unwrap();
        let store = FileStore::new(tmp.path().join("store"));
        let now = SystemTime::now();
        let day = Duration::from_secs(86_400);
        let entry = |expires_at, refresh: Option<&str>, refresh_expires_at| StoredToken {
            token: Secret::from("t"),
            scheme: None,
            refresh_token: refresh.map(Secret::from),
            refresh_expires_at,
            expires_at,
            account: None,
            about: None,
        };
        let entries = [
            (
                "both-dead",
                entry(now - 9 * day, Some("r"), Some(now - 8 * day)),
            ),
            ("no-refresh-dead", entry(now - 9 * day, None, None)),
            (
                "refresh-alive",
                entry(now - 9 * day, Some("r"), Some(now + day)),
            ),
            ("refresh-unknown", entry(now - 9 * day, Some("r"), None)),
            (
                "recently-dead",
                entry(now - day, Some("r"), Some(now - day)),
            ),
            ("access-alive", entry(now + day, None, None)),
            ("held", entry(now - 9 * day, None, None)),
        ];
        for (key, token) in &entries {
            store.compare_and_swap(key, None, token, 0).await.unwrap();
        }
        let held = store.try_lease("held", day).await.unwrap().unwrap();
        let mut removed = store.prune(7 * day).await.unwrap();
        removed.sort();
        assert_eq!(removed, ["both-dead", "no-refresh-dead"]);
        let left: Vec<String> = store
            .list()
            .await
            .unwrap()
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        assert_eq!(
            left,
            [
                "access-alive",
                "held",
                "recently-dead",
                "refresh-alive",
                "refresh-unknown"
            ]
        );
        store.release("held", held).await.unwrap();
        assert_eq!(store.prune(7 * day).await.unwrap(), ["held"]);
    }
}
