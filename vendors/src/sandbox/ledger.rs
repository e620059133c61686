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
    /// Each live refresh token's account and the moment it stops working, if it does.
    refresh: Mutex<HashMap<String, (String, Option<Instant>)>>,
    /// How long refresh tokens issued from now on work; `None`: until revoked.
    refresh_lifetime: Mutex<Option<Duration>>,
    correlation_ids: Mutex<HashSet<String>>,
}

/// Why a refresh token is refused, for the vendors that answer an expired one differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RefreshRefused {
    /// Never issued, spent, or revoked.
    Unknown,
    /// Issued, but past its lifetime.
    Expired,
}

impl Ledger {
    /// A ledger whose codes work for `code_lifetime` after they are issued, and whose refresh
    /// tokens work for `refresh_lifetime` (`None`: until revoked), as the vendor documents.
    pub(crate) fn new(code_lifetime: Duration, refresh_lifetime: Option<Duration>) -> Self {
        Ledger {
            codes: Mutex::default(),
            code_lifetime,
            refresh: Mutex::default(),
            refresh_lifetime: Mutex::new(refresh_lifetime),
            correlation_ids: Mutex::default(),
        }
    }

    /// How long refresh tokens issued from now on work (`None`: until revoked); tests shorten
    /// it. A zero lifetime issues refresh tokens that are already expired.
    pub fn set_refresh_lifetime(&self, lifetime: Option<Duration>) {
        *lock(&self.refresh_lifetime) = lifetime;
    }

    /// How long refresh tokens issued now work (`None`: until revoked).
    pub fn refresh_lifetime(&self) -> Option<Duration> {
        *lock(&self.refresh_lifetime)
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
    /// It works for the ledger's refresh lifetime from now.
    pub fn grant_refresh(&self, refresh_token: &str, account: &str) {
        // A lifetime past what the clock holds is no expiry at all.
        let expires_at = self
            .refresh_lifetime()
            .and_then(|lifetime| Instant::now().checked_add(lifetime));
        lock(&self.refresh).insert(refresh_token.to_owned(), (account.to_owned(), expires_at));
    }

    /// A new refresh token for `account`.
    pub(crate) fn issue_refresh(&self, account: &str, prefix: &str) -> String {
        let token = random_token(prefix);
        self.grant_refresh(&token, account);
        token
    }

    /// The account of a live refresh token; a single-use one (`rotate`) is spent by the check.
    /// Refused when it was never issued, is spent or revoked, or has expired.
    pub(crate) fn use_refresh(
        &self,
        refresh_token: &str,
        rotate: bool,
    ) -> Result<String, RefreshRefused> {
        let mut live = lock(&self.refresh);
        let (account, expires_at) = if rotate {
            live.remove(refresh_token)
        } else {
            live.get(refresh_token).cloned()
        }
        .ok_or(RefreshRefused::Unknown)?;
        match expires_at {
            Some(at) if Instant::now() >= at => Err(RefreshRefused::Expired),
            _ => Ok(account),
        }
    }

    /// Revokes every refresh token (the seller withdrew the authorization).
    pub fn revoke_refresh_tokens(&self) {
        lock(&self.refresh).clear();
    }

    /// Refresh tokens that still work.
    pub fn live_refresh_tokens(&self) -> usize {
        let now = Instant::now();
        lock(&self.refresh)
            .values()
            .filter(|(_, expires_at)| expires_at.is_none_or(|at| now < at))
            .count()
    }

    /// Whether `refresh_token` still works.
    pub fn refresh_token_is_live(&self, refresh_token: &str) -> bool {
        let now = Instant::now();
        lock(&self.refresh)
            .get(refresh_token)
            .is_some_and(|(_, expires_at)| expires_at.is_none_or(|at| now < at))
    }

    /// Whether a correlation id is new (and records it).
    pub(crate) fn first_use_of(&self, correlation_id: &str) -> bool {
        lock(&self.correlation_ids).insert(correlation_id.to_owned())
    }
}
