//! What a marketplace remembers besides tokens: single-use codes, refresh tokens (rotating or
//! not), and the correlation ids it has seen.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

use super::faults::lock;
use super::token::random_token;

/// Codes and refresh tokens of one marketplace.
#[derive(Debug)]
pub struct Ledger {
    /// Each code's account and the moment it stops working.
    codes: Mutex<HashMap<String, (String, Instant)>>,
    code_lifetime: Duration,
    refresh: Mutex<HashMap<String, String>>,
    correlation_ids: Mutex<HashSet<String>>,
}

impl Ledger {
    /// A ledger whose codes work for `code_lifetime` after they are issued, as the vendor
    /// documents (minutes: a consent's code is exchanged at once or not at all).
    pub(crate) fn new(code_lifetime: Duration) -> Self {
        Ledger {
            codes: Mutex::default(),
            code_lifetime,
            refresh: Mutex::default(),
            correlation_ids: Mutex::default(),
        }
    }

    /// A fresh single-use code for `account`, as the consent redirect would carry it.
    pub fn issue_code(&self, account: &str, prefix: &str) -> String {
        let code = random_token(prefix);
        let expires_at = Instant::now() + self.code_lifetime;
        lock(&self.codes).insert(code.clone(), (account.to_owned(), expires_at));
        code
    }

    /// How long a code works after it is issued.
    pub fn code_lifetime(&self) -> Duration {
        self.code_lifetime
    }

    /// The account of `code`, spending it; `None` when unknown, already used or expired.
    pub(crate) fn take_code(&self, code: &str) -> Option<String> {
        let (account, expires_at) = lock(&self.codes).remove(code)?;
        (Instant::now() < expires_at).then_some(account)
    }

    /// Records `refresh_token` as live for `account` (a configured, non-rotating one, or one
    /// just issued).
    pub fn grant_refresh(&self, refresh_token: &str, account: &str) {
        lock(&self.refresh).insert(refresh_token.to_owned(), account.to_owned());
    }

    /// A new refresh token for `account`.
    pub(crate) fn issue_refresh(&self, account: &str, prefix: &str) -> String {
        let token = random_token(prefix);
        self.grant_refresh(&token, account);
        token
    }

    /// The account of a live refresh token; a single-use one (`rotate`) is spent by the check.
    /// `None` when it was never issued, is spent, or was revoked.
    pub(crate) fn use_refresh(&self, refresh_token: &str, rotate: bool) -> Option<String> {
        let mut live = lock(&self.refresh);
        if rotate {
            live.remove(refresh_token)
        } else {
            live.get(refresh_token).cloned()
        }
    }

    /// Revokes every refresh token (the seller withdrew the authorization).
    pub fn revoke_refresh_tokens(&self) {
        lock(&self.refresh).clear();
    }

    /// Refresh tokens that still work.
    pub fn live_refresh_tokens(&self) -> usize {
        lock(&self.refresh).len()
    }

    /// Whether `refresh_token` still works.
    pub fn refresh_token_is_live(&self, refresh_token: &str) -> bool {
        lock(&self.refresh).contains_key(refresh_token)
    }

    /// Whether a correlation id is new (and records it).
    pub(crate) fn first_use_of(&self, correlation_id: &str) -> bool {
        lock(&self.correlation_ids).insert(correlation_id.to_owned())
    }
}
