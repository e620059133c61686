//! What a marketplace remembers besides tokens: single-use codes, refresh tokens (rotating or
//! not), and the correlation ids it has seen.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use super::faults::lock;
use super::token::random_token;

/// The outcome of presenting a refresh token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RefreshCheck {
    /// Live: the account it belongs to.
    Live(String),
    /// Already exchanged (single-use tokens), or revoked.
    Spent,
    /// Never issued.
    Unknown,
}

/// Codes and refresh tokens of one marketplace.
#[derive(Debug, Default)]
pub struct Ledger {
    codes: Mutex<HashMap<String, String>>,
    spent_codes: Mutex<HashSet<String>>,
    refresh: Mutex<HashMap<String, String>>,
    spent_refresh: Mutex<HashSet<String>>,
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
        let account = lock(&self.codes).remove(code)?;
        lock(&self.spent_codes).insert(code.to_owned());
        Some(account)
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

    /// Checks a refresh token; a single-use one (`rotate`) is spent by the check.
    pub(crate) fn use_refresh(&self, refresh_token: &str, rotate: bool) -> RefreshCheck {
        let mut live = lock(&self.refresh);
        let account = if rotate {
            live.remove(refresh_token)
        } else {
            live.get(refresh_token).cloned()
        };
        match account {
            Some(account) => {
                if rotate {
                    lock(&self.spent_refresh).insert(refresh_token.to_owned());
                }
                RefreshCheck::Live(account)
            }
            None if lock(&self.spent_refresh).contains(refresh_token) => RefreshCheck::Spent,
            None => RefreshCheck::Unknown,
        }
    }

    /// Revokes every refresh token (the seller withdrew the authorization).
    pub fn revoke_refresh_tokens(&self) {
        let mut live = lock(&self.refresh);
        lock(&self.spent_refresh).extend(live.drain().map(|(token, _)| token));
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
