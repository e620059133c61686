//! What a marketplace remembers besides tokens: single-use codes, refresh tokens (rotating or
//! not), and the correlation ids it has seen.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use super::faults::lock;
use super::token::random_token;

/// Codes and refresh tokens of one marketplace.
#[derive(Debug, Default)]
pub struct Ledger {
    codes: Mutex<HashMap<String, String>>,
    refresh: Mutex<HashMap<String, String>>,
    correlation_ids: Mutex<HashSet<String>>,
}

impl Ledger {
    /// A fresh single-use code for `account`, as the consent redirect would carry it.
    pub fn issue_code(&self, account: &str, prefix: &str) -> String {
        let code = random_token(prefix);
        lock(&self.codes).insert(code.clone(), account.to_owned());
        code
    }

    /// The account of `code`, spending it; `None` when unknown or already used.
    pub(crate) fn take_code(&self, code: &str) -> Option<String> {
        lock(&self.codes).remove(code)
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
