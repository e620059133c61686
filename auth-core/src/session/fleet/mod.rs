//! Sharing one token and one login with the other sessions of a store (other processes, other
//! machines): adopt what they stored, or log in under the account's lease and store the result.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio::time::Instant;

mod consent;
mod failures;
mod identity;
mod pending;

use url::Url;

pub(crate) use self::failures::DEFAULT_REJECTION_MEMORY;
use self::failures::Verdicts;
use self::identity::{Identity, KeySource};
use self::pending::Pending;
use super::fetch::Fetch;
use crate::endpoint::LoginEndpoint;
use crate::error::{ConfigError, ConsentNeeded, Error};
use crate::login::Issued;
use crate::store::{EntryInfo, Lease, StoreError, StoredToken, Swap, TokenStore, Versioned};
use crate::token::{Freshness, Token};

/// What a session does when its store cannot be read or written.
///
/// Whatever the choice, a refresh token the vendor rotated is never dropped: when the store
/// cannot take it, the renewal writes it again a few times, then the session keeps it in memory
/// and writes it first at its next store access (the `seller_auth_pending_rotations` metric
/// counts such sessions). And a session never sends an authorization code because its store
/// failed: when its login declares a refresh grant (or has one set with
/// [`SessionBuilder::refresh_with`](crate::SessionBuilder::refresh_with)) and it was built for
/// an account ([`SessionBuilder::account`](crate::SessionBuilder::account)), its code was
/// exchanged once, at onboarding, and only the refresh token in the store renews it: with no
/// refresh token in memory, a store failure is [`Error::Store`] under either choice. A password
/// login, or a code exchange not yet tied to an account, logs in locally as set.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StoreFailure {
    /// Logs in on its own, with a warning: the application keeps working, at the cost of one
    /// login per process while the store is down. A renewal whose rotated refresh token could
    /// not be stored succeeds, and the token waits in memory for the store.
    #[default]
    LoginLocally,
    /// Fails the call with [`Error::Store`]: no login happens outside the fleet's lease (for
    /// vendors that allow one session per account, or lock accounts after a few logins). A
    /// renewal whose rotated refresh token could not be stored fails too, but the token is
    /// kept in memory, and the next call writes it and hands it out before anything else.
    Fail,
}

/// The store a session shares, its key there, and how the session uses it: a wrapper around
/// the fetch layer that adopts what other processes stored, or fetches under the account's
/// lease and stores the result.
pub(super) struct Fleet {
    store: Arc<dyn TokenStore>,
    /// This session's key: its account's, or its credentials' fingerprint's (made when the
    /// store is first used: see [`Fleet::ready`]).
    key: tokio::sync::OnceCell<String>,
    /// The secret fields to fingerprint for the key, until it is made.
    fingerprint: std::sync::Mutex<Option<secrecy::zeroize::Zeroizing<Vec<u8>>>>,
    /// Where the keys of the accounts a vendor names come from.
    identity: Identity,
    settings: FleetSettings,
    verdicts: Verdicts,
    /// The endpoint's vendor, for the metrics of calls made outside a fetch (lease upkeep).
    vendor: &'static str,
    /// The token this session obtained and the store could not take yet.
    pending: Pending,
}

/// How a session uses its store; set on the builder.
#[derive(Debug, Clone, Copy)]
pub(super) struct FleetSettings {
    /// How long a lease lasts: a holder that dies is replaced after this.
    pub(super) lease: Duration,
    /// The longest a single store call may take.
    pub(super) timeout: Duration,
    pub(super) on_failure: StoreFailure,
    /// How long a rejected credential stays blocked for the whole fleet.
    pub(super) rejection_memory: Duration,
}

impl Default for FleetSettings {
    fn default() -> Self {
        FleetSettings {
            lease: Duration::from_secs(30),
            timeout: Duration::from_secs(5),
            on_failure: StoreFailure::default(),
            rejection_memory: DEFAULT_REJECTION_MEMORY,
        }
    }
}

/// Where a token came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Origin {
    /// This session logged in (or refreshed).
    LoggedIn,
    /// Another session stored it.
    Adopted,
}

/// The store key of `account`'s sessions of `endpoint` at `login_url`.
pub(super) fn identity_of<E: LoginEndpoint>(
    endpoint: &E,
    login_url: &Url,
    account: &str,
) -> Option<String> {
    match Identity::of(endpoint, login_url, Some(account))? {
        (_, KeySource::Ready(key)) => Some(key),
        (_, KeySource::Fingerprint(_)) => None,
    }
}

/// The first pause between looks at a lease held by another process; it doubles up to the max.
const FIRST_PAUSE: Duration = Duration::from_millis(5);
const MAX_PAUSE: Duration = Duration::from_millis(200);

impl Fleet {
    /// The fleet of `endpoint`'s account at `login_url` in `store`: the session's key is the
    /// account's, when one is named, or else its credentials' fingerprint's.
    pub(super) fn new<E: LoginEndpoint>(
        store: Arc<dyn TokenStore>,
        endpoint: &E,
        login_url: &Url,
        account: Option<&str>,
        settings: FleetSettings,
    ) -> Result<Fleet, ConfigError> {
        let (identity, source) =
            Identity::of(endpoint, login_url, account).ok_or(ConfigError::StoreNeedsIdentity)?;
        let (key, fingerprint) = match source {
            KeySource::Ready(key) => (tokio::sync::OnceCell::from(key), None),
            KeySource::Fingerprint(secrets) => (tokio::sync::OnceCell::new(), Some(secrets)),
        };
        Ok(Fleet {
            store,
            key,
            fingerprint: std::sync::Mutex::new(fingerprint),
            identity,
            settings,
            verdicts: Verdicts::default(),
            vendor: E::SPEC.vendor,
            pending: Pending::new(E::SPEC.vendor),
        })
    }
}

impl Fleet {
    /// Makes this session's key, if it is a fingerprint of the credentials, on the blocking
    /// pool (PBKDF2 takes tens of milliseconds: not on an async thread). Every entry point
    /// that uses the store calls it first; [`Fleet::key`] reads the result.
    pub(super) async fn ready(&self) -> Result<(), StoreError> {
        self.key
            .get_or_try_init(|| async {
                let secrets = self
                    .fingerprint
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner())
                    .clone()
                    .unwrap_or_default();
                let identity = self.identity.clone();
                tokio::task::spawn_blocking(move || identity.fingerprint_key(&secrets))
                    .await
                    .map_err(|_| StoreError::Unavailable("the key derivation task failed".into()))
            })
            .await?;
        // The secrets are not needed any more.
        self.fingerprint
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take();
        Ok(())
    }

    /// This session's key, once [`Fleet::ready`] made it (empty before: no entry has that key,
    /// and every entry point makes it first).
    pub(super) fn key(&self) -> &str {
        self.key.get().map_or("", String::as_str)
    }

    /// Removes the session's entry and its failure record from the store.
    pub(super) async fn forget(&self) -> Result<bool, StoreError> {
        self.ready().await?;
        self.call("remove", self.store.remove(self.key())).await
    }

    /// A store call bounded by the fleet's timeout, whatever the store does; counted in the
    /// metrics under `operation`.
    pub(super) async fn call<T>(
        &self,
        operation: &'static str,
        call: impl Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        let timeout = self.settings.timeout;
        let result = tokio::time::timeout(timeout, call)
            .await
            .unwrap_or(Err(StoreError::Timeout(timeout)));
        crate::metrics::store_operation(self.vendor, operation, &result);
        result
    }
}

/// One fetch through the fleet: the session's fetch layer, and how new a token it holds.
pub(super) struct Through<'a, E> {
    fleet: &'a Fleet,
    fetch: &'a Fetch<E>,
    /// When the newest token this session holds expires (the current one, the one being
    /// replaced, or one waiting to be stored): no stored entry older than this is taken, nor its
    /// refresh token.
    held: Option<SystemTime>,
}

impl Fleet {
    /// A token for the fleet: one another session stored, or this session's own fetch under the
    /// lease. `current` is the token the session holds, `retired` the one being replaced (never
    /// adopted back).
    pub(super) async fn through_store<E: LoginEndpoint>(
        &self,
        fetch: &Fetch<E>,
        current: Option<&Token>,
        retired: Option<Arc<Token>>,
    ) -> Result<(Arc<Token>, Origin), Error> {
        let held = [
            current.map(Token::expires_at),
            retired.as_deref().map(Token::expires_at),
            self.pending.expires_at(),
        ]
        .into_iter()
        .flatten()
        .max();
        let through = Through {
            fleet: self,
            fetch,
            held,
        };
        if let Err(err) = self.ready().await {
            return through.without_store(err).await;
        }
        through.write_pending().await;
        through.run(retired).await
    }
}

impl<E: LoginEndpoint> Through<'_, E> {
    async fn run(&self, retired: Option<Arc<Token>>) -> Result<(Arc<Token>, Origin), Error> {
        let fleet = self.fleet;
        // A holder keeps its lease for as long as its login lasts; one that lives but never
        // finishes (a stuck process holding a file lock) is not waited for beyond the longest
        // a login may take here, plus a lease.
        let patience =
            (self.fetch.longest_login() + fleet.settings.lease).max(fleet.settings.lease * 2);
        let give_up = Instant::now() + patience;
        let mut pause = FIRST_PAUSE;
        // When this session first found another process logging in, for the lease-wait metric.
        let mut waiting_since: Option<Instant> = None;
        let waited = |since: Option<Instant>| {
            if let Some(since) = since {
                crate::metrics::lease_wait(E::SPEC.vendor, since.elapsed());
            }
        };
        loop {
            let entry = match self.call("load", fleet.store.load(fleet.key())).await {
                Ok(entry) => self.follow_account(entry).await,
                Err(err) => return self.without_store(err).await,
            };
            if let Some(token) = self.adoptable(entry.as_ref(), retired.as_deref()) {
                waited(waiting_since);
                return Ok((token, Origin::Adopted));
            }
            let lease = self.call(
                "lease",
                fleet.store.try_lease(fleet.key(), fleet.settings.lease),
            );
            match lease.await {
                Ok(Some(lease)) => {
                    waited(waiting_since);
                    return self.login_under(lease, retired).await;
                }
                Ok(None) => {
                    waiting_since.get_or_insert_with(Instant::now);
                }
                Err(err) => return self.without_store(err).await,
            }
            if Instant::now() >= give_up {
                tracing::warn!(
                    waited_ms = patience.as_millis() as u64,
                    "another process holds the login lease and has not stored a token; logging in without it"
                );
                let entry = entry.as_ref().map(|e| e.version);
                return self.login_and_store(entry, 0).await;
            }
            tokio::time::sleep(jittered(pause)).await;
            pause = (pause * 2).min(MAX_PAUSE);
        }
    }

    /// With the lease: one more look (the previous holder may have just stored a token), then a
    /// login, stored over the version seen; the lease is released whatever happens.
    async fn login_under(
        &self,
        lease: Lease,
        retired: Option<Arc<Token>>,
    ) -> Result<(Arc<Token>, Origin), Error> {
        let fleet = self.fleet;
        let loaded = match self.call("load", fleet.store.load(fleet.key())).await {
            Ok(entry) => Ok(self.follow_account(entry).await),
            Err(err) => Err(err),
        };
        let result = match loaded {
            Err(err) => Err(err),
            Ok(entry) => match self.adoptable(entry.as_ref(), retired.as_deref()) {
                Some(token) => Ok(Ok((token, Origin::Adopted))),
                None if self.fetch.renew_only && entry.is_none() => {
                    Ok(Err(self.fetch.needs_consent(ConsentNeeded::NotOnboarded)))
                }
                None => match self.failures_before_login().await {
                    // The fleet already knows how this login would end.
                    Err(known) => Ok(Err(known)),
                    Ok(previous) => {
                        self.take_refresh_token(entry.as_ref());
                        // The refresh token this login sends, if it refreshes.
                        let sending = self.fetch.refresh_token();
                        let version = entry.as_ref().map(|e| e.version);
                        let login = self.login_and_store(version, lease.fence());
                        // A slow vendor may take longer than one lease: keep it meanwhile, so
                        // that no other process logs in beside this one.
                        let outcome = tokio::select! {
                            outcome = login => outcome,
                            never = keep_lease(fleet, &lease) => match never {},
                        };
                        self.failures_after_login(previous, &outcome).await;
                        if let Err(Error::NeedsConsent {
                            reason: ConsentNeeded::Refused(_),
                            ..
                        }) = &outcome
                        {
                            consent::drop_refused_refresh_token(
                                fleet,
                                self.fetch,
                                entry.as_ref(),
                                sending.as_ref(),
                                lease.fence(),
                            )
                            .await;
                        }
                        Ok(outcome)
                    }
                },
            },
        };
        if let Err(err) = self
            .call("release", fleet.store.release(fleet.key(), lease))
            .await
        {
            // It expires on its own; others wait at most that long.
            tracing::warn!(error = %err, "the login lease could not be released");
        }
        match result {
            Ok(outcome) => outcome,
            Err(err) => self.without_store(err).await,
        }
    }

    /// Logs in, then stores the token over `version`. If another session stored one meanwhile
    /// (its lease outlived ours), that one is adopted: the fleet converges on one token.
    async fn login_and_store(
        &self,
        version: Option<u64>,
        fence: u64,
    ) -> Result<(Arc<Token>, Origin), Error> {
        let fleet = self.fleet;
        let token = self.fetch.login().await?;
        let stored = self.stored_form(&token);
        if let Some(named) = token.account() {
            let theirs = fleet.identity.account_key(named);
            if theirs != fleet.key() {
                // The vendor named the account: keep the token where a session for that account
                // looks, even when this session was built for another one.
                self.store_beside(&theirs, &stored).await;
            }
        }
        self.fetch.check_account(&token)?;
        match self.write_token(version, &stored, fence).await {
            Ok(Swap::Written { .. }) => {}
            Ok(Swap::Conflict) => {
                tracing::info!("another process stored a token meanwhile");
                match self.call("load", fleet.store.load(fleet.key())).await {
                    // A write that timed out and still went through.
                    Ok(Some(entry)) if entry.token.token.expose() == stored.token.expose() => {}
                    Ok(entry) => {
                        let not_older = entry
                            .as_ref()
                            .is_some_and(|e| e.token.expires_at >= token.expires_at());
                        if not_older
                            && let Some(theirs) = self.adoptable(entry.as_ref(), Some(&token))
                        {
                            return Ok((theirs, Origin::Adopted));
                        }
                        // Theirs is older than this token: this one is written next time.
                        self.keep_unstored(stored);
                    }
                    Err(_) => self.keep_unstored(stored),
                }
            }
            Err(err) => return self.unstored(token, stored, err),
        }
        Ok((token, Origin::LoggedIn))
    }

    /// A token whose writes all failed: its rotation waits in memory; the call fails or goes on
    /// as the session is set.
    fn unstored(
        &self,
        token: Arc<Token>,
        stored: StoredToken,
        err: StoreError,
    ) -> Result<(Arc<Token>, Origin), Error> {
        let rotated = stored.refresh_token.is_some();
        self.keep_unstored(stored);
        match self.fleet.settings.on_failure {
            StoreFailure::Fail if rotated => Err(Error::Store {
                vendor: E::SPEC.vendor,
                source: err,
            }),
            _ => {
                tracing::warn!(error = %err, "the token could not be stored; it is used from memory");
                Ok((token, Origin::LoggedIn))
            }
        }
    }

    /// Keeps `stored` in memory until the store takes it, if it carries a refresh token (a token
    /// without one is only a saving for other processes: they can log in themselves).
    fn keep_unstored(&self, stored: StoredToken) {
        if stored.refresh_token.is_some() {
            self.fleet.pending.keep(stored);
        }
    }

    /// Writes `stored` under another key than the session's (its account's), under that key's
    /// lease like any write; best effort: when another session holds the lease, it is logging
    /// in for the account and will store its own token.
    async fn store_beside(&self, key: &str, stored: &StoredToken) {
        let fleet = self.fleet;
        let lease = match self
            .call("lease", fleet.store.try_lease(key, fleet.settings.lease))
            .await
        {
            Ok(Some(lease)) => lease,
            Ok(None) => {
                tracing::info!("the account's entry is being renewed elsewhere; left to it");
                return;
            }
            Err(err) => {
                tracing::warn!(error = %err, "the account's entry could not be leased");
                return;
            }
        };
        let written = match self.call("load", fleet.store.load(key)).await {
            Ok(entry) => {
                let version = entry.map(|e| e.version);
                let swap = fleet
                    .store
                    .compare_and_swap(key, version, stored, lease.fence());
                self.call("swap", swap).await.map(|_| ())
            }
            Err(err) => Err(err),
        };
        if let Err(err) = written {
            tracing::warn!(error = %err, "the token could not be stored for its account");
        }
        if let Err(err) = self.call("release", fleet.store.release(key, lease)).await {
            tracing::warn!(error = %err, "the account's lease could not be released");
        }
    }

    /// A session told apart by its credentials whose entry names an account: that account's
    /// entry, where it holds a newer token (sessions for the account renewed it since), under
    /// this entry's version.
    async fn follow_account(&self, entry: Option<Versioned>) -> Option<Versioned> {
        let fleet = self.fleet;
        let entry = entry?;
        let Some(named) = entry.token.account.as_deref().filter(|_| self.own(&entry)) else {
            return Some(entry);
        };
        let theirs = fleet.identity.account_key(named);
        if self.fetch.account.is_some() || theirs == fleet.key() {
            return Some(entry);
        }
        match self.call("load", fleet.store.load(&theirs)).await {
            Ok(Some(newer)) if newer.token.expires_at > entry.token.expires_at => Some(Versioned {
                token: newer.token,
                version: entry.version,
            }),
            _ => Some(entry),
        }
    }

    /// The store failed: log in alone with a warning, or fail, as configured.
    async fn without_store(&self, err: StoreError) -> Result<(Arc<Token>, Origin), Error> {
        let fleet = self.fleet;
        match fleet.settings.on_failure {
            StoreFailure::Fail => Err(Error::Store {
                vendor: E::SPEC.vendor,
                source: err,
            }),
            // Without the store's refresh token, this login would send a code spent long ago.
            StoreFailure::LoginLocally
                if self.fetch.renews_by_refresh_only() && self.fetch.refresh_token().is_none() =>
            {
                tracing::warn!(error = %err, "the token store failed and no refresh token is in memory; the authorization code is not sent");
                Err(Error::Store {
                    vendor: E::SPEC.vendor,
                    source: err,
                })
            }
            StoreFailure::LoginLocally => {
                tracing::warn!(error = %err, "the token store failed; logging in without it");
                let token = self.fetch.login().await?;
                self.fetch.check_account(&token)?;
                // A refresh rotated the refresh token: kept until the store takes it.
                self.keep_unstored(self.stored_form(&token));
                Ok((token, Origin::LoggedIn))
            }
        }
    }

    /// A store call bounded by the fleet's timeout, whatever the store does; counted in the
    /// metrics under `operation`.
    async fn call<T>(
        &self,
        operation: &'static str,
        call: impl Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        self.fleet.call(operation, call).await
    }

    /// The stored token, if it is worth using: this vendor's, still fresh, and not the one
    /// being replaced.
    fn adoptable(&self, entry: Option<&Versioned>, retired: Option<&Token>) -> Option<Arc<Token>> {
        let stored = &entry.filter(|e| self.own(e))?.token;
        if retired.is_some_and(|r| r.secret().expose() == stored.token.expose()) {
            return None;
        }
        // Older than what this session holds: its write failed, or it is a token this session
        // replaced since. Adopting it would hand out a spent token and lose the rotation.
        if self.held.is_some_and(|held| stored.expires_at < held) {
            return None;
        }
        let now = (Instant::now(), SystemTime::now());
        let remaining = stored.expires_at.duration_since(now.1).ok()?;
        let issued = Issued {
            token: stored.token.clone(),
            scheme: stored.scheme.clone(),
            lifetime: remaining,
            refresh_token: stored.refresh_token.clone(),
            refresh_expires_at: stored.refresh_expires_at,
            account: stored.account.clone(),
        };
        let token = self.fetch.prepare(issued, now).ok()?;
        (token.freshness(now.0, now.1) == Freshness::Fresh).then(|| Arc::new(token))
    }

    /// Whether `entry` was written for this session's vendor (an entry without a description,
    /// from before it was kept, is taken as its key says). Another vendor's entry (copied over
    /// this key) is not used; its version is still the one the next write replaces.
    fn own(&self, entry: &Versioned) -> bool {
        let vendor = entry
            .token
            .about
            .as_ref()
            .map(|about| about.vendor.as_str());
        let own = vendor.is_none_or(|vendor| vendor == E::SPEC.vendor);
        if !own {
            tracing::warn!(
                key = self.fleet.key(),
                reason = "it was written for another vendor",
                "a token store entry was ignored as absent; the next write replaces it"
            );
        }
        own
    }

    /// The fleet's newest refresh token replaces this session's, unless this session holds a
    /// newer token than the stored one (its own write failed).
    fn take_refresh_token(&self, entry: Option<&Versioned>) {
        let Some(entry) = entry.filter(|e| self.own(e)) else {
            return;
        };
        let Some(refresh_token) = &entry.token.refresh_token else {
            return;
        };
        let ours_is_newer = self.held.is_some_and(|held| held > entry.token.expires_at);
        if !ours_is_newer {
            self.fetch
                .set_refresh(Some(refresh_token.clone()), entry.token.refresh_expires_at);
        }
    }

    /// What the store keeps of `token`, with the newest refresh token, and whose it is.
    fn stored_form(&self, token: &Token) -> StoredToken {
        let (refresh_token, refresh_expires_at) = match token.refresh_token() {
            Some(own) => (Some(own.clone()), token.refresh_expires_at()),
            None => self.fetch.kept_refresh(),
        };
        let account = token.account().or(self.fetch.account.as_deref());
        StoredToken {
            token: token.secret().clone(),
            scheme: token.scheme().map(str::to_owned),
            refresh_token,
            refresh_expires_at,
            expires_at: token.expires_at(),
            // As the vendor named it, or as the session was built for (a seller whose vendor's
            // answer names no one: a listing still finds whose entry this is).
            account: account.map(str::to_owned),
            about: Some(EntryInfo {
                vendor: E::SPEC.vendor.to_owned(),
                label: self.fleet.identity.label(account),
                stored_at: SystemTime::now(),
            }),
        }
    }
}

/// Extends `lease` every third of its time, for as long as it is polled; never ends. A lease
/// found taken (this process stalled past its expiry) is left alone: the fence keeps the
/// stale write out.
async fn keep_lease(fleet: &Fleet, lease: &Lease) -> std::convert::Infallible {
    let every = fleet.settings.lease / 3;
    loop {
        tokio::time::sleep(every).await;
        let extend = fleet
            .store
            .extend_lease(fleet.key(), lease, fleet.settings.lease);
        let extended = tokio::time::timeout(fleet.settings.timeout, extend)
            .await
            .unwrap_or(Err(StoreError::Timeout(fleet.settings.timeout)));
        crate::metrics::store_operation(fleet.vendor, "extend", &extended);
        match extended {
            Ok(true) => {}
            Ok(false) => {
                tracing::warn!("the login lease expired and was taken during a slow login");
                return std::future::pending().await;
            }
            Err(err) => tracing::warn!(error = %err, "the login lease could not be extended"),
        }
    }
}

/// `pause` plus up to half of it again, so that waiting processes do not poll in step.
fn jittered(pause: Duration) -> Duration {
    pause + pause.mul_f64(fastrand::f64() / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoint::{FieldSpec, Params};
    use crate::secret::Secret;
    use crate::spec::{FieldPath, Lifetime, LoginSpec};
    use crate::store::MemoryStore;

    struct Login {
        user: String,
        password: Secret,
    }

    impl LoginEndpoint for Login {
        const SPEC: &'static LoginSpec = &LoginSpec::new(
            "Example",
            "/login",
            FieldPath::new(&["token"]),
            Lifetime::JwtExp,
        );
        fn params<'a>(&'a self, out: &mut Params<'a>) {
            out.push(FieldSpec::body("user"), &self.user);
            out.push(FieldSpec::body("password"), &self.password);
        }
    }

    fn fleet(account: Option<&str>) -> Fleet {
        let login = Login {
            user: "me".into(),
            password: "pw".into(),
        };
        let url = Url::parse("https://vendor.example/login").unwrap();
        Fleet::new(
            Arc::new(MemoryStore::new()),
            &login,
            &url,
            account,
            FleetSettings::default(),
        )
        .unwrap()
    }

    #[tokio::test(flavor = "current_thread")]
    async fn the_credentials_fingerprint_is_made_when_the_store_is_first_used_not_when_built() {
        let fleet = fleet(None);
        assert_eq!(fleet.key(), "", "no PBKDF2 while the session is built");
        fleet.ready().await.unwrap();
        let key = fleet.key().to_owned();
        assert!(key.starts_with("example-") && key.len() > 20, "{key}");
        assert!(
            fleet.fingerprint.lock().unwrap().is_none(),
            "the secrets are dropped"
        );
        fleet.ready().await.unwrap();
        assert_eq!(fleet.key(), key, "made once");
        // The same credentials find the same key in another process.
        let again = self::fleet(None);
        again.ready().await.unwrap();
        assert_eq!(again.key(), key);
    }

    #[test]
    fn a_named_account_s_key_is_ready_at_once() {
        let fleet = fleet(Some("1001"));
        assert_eq!(fleet.key(), fleet.identity.account_key("1001"));
    }
}
