//! What every simulated vendor keeps: accounts, issued tokens, lifetimes, faults and counters.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::time::Instant;

use super::faults::{Fault, FaultOutcome, Faults, lock};
use super::token::random_token;

/// The state and test controls of one simulated vendor.
#[derive(Debug)]
pub struct VendorState {
    accounts: Mutex<HashMap<String, Account>>,
    tokens: Mutex<HashMap<String, Grant>>,
    lifetime: Mutex<Duration>,
    sliding: bool,
    faults: Faults,
    protected_faults: Faults,
    /// Until when every login answers the vendor's temporary failure.
    outage_until: Mutex<Option<Instant>>,
    logins: AtomicU64,
    refreshes: AtomicU64,
    protected: AtomicU64,
    accepted: AtomicU64,
}

#[derive(Debug, Clone)]
struct Account {
    secret: String,
    locked: bool,
}

#[derive(Debug, Clone)]
struct Grant {
    account: String,
    expires_at: Instant,
}

/// The outcome of checking an account's secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AccountCheck {
    Valid,
    Wrong,
    Locked,
}

/// The outcome of checking a token on a protected call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TokenCheck {
    Valid(String),
    Unknown,
    Expired,
}

impl VendorState {
    /// A vendor with one demo account and tokens of `lifetime`; `sliding` tokens live
    /// `lifetime` from their last valid use.
    pub(crate) fn new(account: &str, secret: &str, lifetime: Duration, sliding: bool) -> Self {
        let accounts = HashMap::from([(
            account.to_owned(),
            Account {
                secret: secret.to_owned(),
                locked: false,
            },
        )]);
        VendorState {
            accounts: Mutex::new(accounts),
            tokens: Mutex::default(),
            lifetime: Mutex::new(lifetime),
            sliding,
            faults: Faults::default(),
            protected_faults: Faults::default(),
            outage_until: Mutex::new(None),
            logins: AtomicU64::new(0),
            refreshes: AtomicU64::new(0),
            protected: AtomicU64::new(0),
            accepted: AtomicU64::new(0),
        }
    }

    /// Adds (or replaces) an account with its secret (password or secret key, in plain).
    pub fn add_account(&self, name: &str, secret: &str) {
        lock(&self.accounts).insert(
            name.to_owned(),
            Account {
                secret: secret.to_owned(),
                locked: false,
            },
        );
    }

    /// Locks an account: its logins are refused with the vendor's "account locked" answer.
    pub fn lock_account(&self, name: &str) {
        if let Some(account) = lock(&self.accounts).get_mut(name) {
            account.locked = true;
        }
    }

    /// The lifetime of tokens issued from now on.
    pub fn set_token_lifetime(&self, lifetime: Duration) {
        *lock(&self.lifetime) = lifetime.max(Duration::from_millis(1));
    }

    /// The lifetime of tokens issued from now on.
    pub fn token_lifetime(&self) -> Duration {
        *lock(&self.lifetime)
    }

    /// Queues a fault for an upcoming login (or refresh).
    pub fn push_fault(&self, fault: Fault) {
        self.faults.push(fault);
    }

    /// Queues a fault for an upcoming protected (business) call, where the vendor's module
    /// supports it (iGV).
    pub fn push_protected_fault(&self, fault: Fault) {
        self.protected_faults.push(fault);
    }

    /// For `period` from now, every login (and token refresh) answers the vendor's documented
    /// temporary failure (HTTP 503 where it documents none), as during an outage; queued faults
    /// wait until it is over.
    pub fn outage(&self, period: Duration) {
        *lock(&self.outage_until) = Some(Instant::now() + period);
    }

    /// Revokes every token issued so far.
    pub fn revoke_all(&self) {
        lock(&self.tokens).clear();
    }

    /// Login requests received, whatever their outcome.
    pub fn login_count(&self) -> u64 {
        self.logins.load(Ordering::Relaxed)
    }

    /// Refresh requests received, whatever their outcome.
    pub fn refresh_count(&self) -> u64 {
        self.refreshes.load(Ordering::Relaxed)
    }

    /// Protected (business) requests the vendor answered as a success: the vendor's own verdict,
    /// for tests that must not take the SDK's word for it.
    pub fn accepted_count(&self) -> u64 {
        self.accepted.load(Ordering::Relaxed)
    }

    /// Protected (business) requests received, whatever their outcome.
    pub fn protected_count(&self) -> u64 {
        self.protected.load(Ordering::Relaxed)
    }

    pub(crate) fn count_login(&self) {
        self.logins.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn count_refresh(&self) {
        self.refreshes.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a protected call about to be answered as a success. Always true: it is called
    /// last in the guard of the handler's success arm, so it counts exactly the calls that arm
    /// answers.
    pub(crate) fn accept(&self) -> bool {
        self.accepted.fetch_add(1, Ordering::Relaxed);
        true
    }

    pub(crate) fn count_protected(&self) {
        self.protected.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) async fn next_fault(&self) -> FaultOutcome {
        if lock(&self.outage_until).is_some_and(|until| Instant::now() < until) {
            return FaultOutcome::Unavailable;
        }
        self.faults.apply_next().await
    }

    pub(crate) async fn next_protected_fault(&self) -> FaultOutcome {
        self.protected_faults.apply_next().await
    }

    pub(crate) fn check_account(&self, name: &str, secret: &str) -> AccountCheck {
        match lock(&self.accounts).get(name) {
            Some(account) if account.locked => AccountCheck::Locked,
            Some(account) if account.secret == secret => AccountCheck::Valid,
            _ => AccountCheck::Wrong,
        }
    }

    /// The plain secret of an account, for vendors that check a digest of it.
    pub(crate) fn secret_of(&self, name: &str) -> Option<String> {
        lock(&self.accounts).get(name).map(|a| a.secret.clone())
    }

    /// Issues a token for `account`; returns it with its lifetime.
    pub(crate) fn issue(&self, account: &str, prefix: &str) -> (String, Duration) {
        let token = random_token(prefix);
        let lifetime = self.issue_named(account, &token);
        (token, lifetime)
    }

    /// Records `token` (made by the vendor module, e.g. a JWT) as issued to `account`.
    pub(crate) fn issue_named(&self, account: &str, token: &str) -> Duration {
        let lifetime = self.token_lifetime();
        let grant = Grant {
            account: account.to_owned(),
            expires_at: Instant::now() + lifetime,
        };
        lock(&self.tokens).insert(token.to_owned(), grant);
        lifetime
    }

    /// Checks a token; a sliding token's life restarts on every valid use.
    pub(crate) fn check_token(&self, token: &str) -> TokenCheck {
        let lifetime = self.token_lifetime();
        let mut tokens = lock(&self.tokens);
        let Some(grant) = tokens.get_mut(token) else {
            return TokenCheck::Unknown;
        };
        let now = Instant::now();
        if now >= grant.expires_at {
            return TokenCheck::Expired;
        }
        if self.sliding {
            grant.expires_at = now + lifetime;
        }
        TokenCheck::Valid(grant.account.clone())
    }
}
