//! The fetch layer: one token from the vendor, by logging in or refreshing, with retries,
//! refresh-token rotation, and the token prepared in the form requests carry. It knows nothing
//! of caching, single flight or stores (the session and the fleet wrap it).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use tokio::time::Instant;
use url::Url;

use super::policy::{RenewPolicy, RetryPolicy};
use super::refresh::Refresher;
use crate::endpoint::{LoginEndpoint, Params};
use crate::error::{ConsentNeeded, Error, ErrorClass, ProtocolProblem};
use crate::login::request::resolve;
use crate::login::{self, AttemptLimits, Issued};
use crate::metrics;
use crate::redact::Redactor;
use crate::secret::{Secret, sensitive_header};
use crate::token::{Deadlines, Token, TokenPlacement};

pub(super) type LoginResult = Result<Arc<Token>, Error>;

/// Everything a login or a refresh needs, fixed when the session is built.
pub(super) struct Fetch<E> {
    pub(super) endpoint: E,
    pub(super) login_url: Url,
    /// The path as the vendor's signature covers it.
    pub(super) login_path: String,
    pub(super) placement: TokenPlacement,
    pub(super) refresher: Option<Refresher<E>>,
    pub(super) client: reqwest::Client,
    pub(super) limits: AttemptLimits,
    pub(super) retry: RetryPolicy,
    pub(super) renew: RenewPolicy,
    /// The account the session is for, if the application named one.
    pub(super) account: Option<String>,
    /// A seller's session built from the store: it renews with the seller's refresh token and
    /// never sends its login (the seller's code was spent when the seller was onboarded).
    pub(super) renew_only: bool,
    pub(super) state: FetchState,
}

/// What the fetch layer changes as it works.
pub(super) struct FetchState {
    /// The newest refresh token, kept across renewals (vendors may rotate it, or return a new
    /// access token without one), and when it stops being accepted, if known.
    refresh_token: Mutex<(Option<Secret>, Option<SystemTime>)>,
    requests: AtomicU64,
    refreshes: AtomicU64,
    /// Why the current fetch runs, as the metrics' `reason` label (set by the session).
    reason: Mutex<&'static str>,
}

impl Default for FetchState {
    fn default() -> Self {
        FetchState {
            refresh_token: Mutex::default(),
            requests: AtomicU64::default(),
            refreshes: AtomicU64::default(),
            reason: Mutex::new("cold"),
        }
    }
}

impl<E: LoginEndpoint> Fetch<E> {
    /// Sets why the next fetches run (the metrics' `reason` label).
    pub(super) fn set_reason(&self, reason: &'static str) {
        *self.reason_slot() = reason;
    }

    fn reason(&self) -> &'static str {
        *self.reason_slot()
    }

    fn reason_slot(&self) -> MutexGuard<'_, &'static str> {
        // A `&'static str` is consistent whatever a panicking holder did.
        self.state
            .reason
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Login requests and refresh requests sent so far (retries included).
    pub(super) fn sent(&self) -> (u64, u64) {
        (
            self.state.requests.load(Ordering::Relaxed),
            self.state.refreshes.load(Ordering::Relaxed),
        )
    }

    /// The refresh token the next renewal will use, if any.
    pub(super) fn refresh_token(&self) -> Option<Secret> {
        self.refresh_slot().0.clone()
    }

    /// The refresh token the next renewal will use and when it stops being accepted.
    pub(super) fn kept_refresh(&self) -> (Option<Secret>, Option<SystemTime>) {
        self.refresh_slot().clone()
    }

    /// Replaces the refresh token (none), its expiry unknown.
    pub(super) fn set_refresh_token(&self, refresh_token: Option<Secret>) {
        self.set_refresh(refresh_token, None);
    }

    /// Replaces the refresh token (one another process stored, or a rotated one) and its expiry.
    pub(super) fn set_refresh(
        &self,
        refresh_token: Option<Secret>,
        expires_at: Option<SystemTime>,
    ) {
        *self.refresh_slot() = (refresh_token, expires_at);
    }

    fn refresh_slot(&self) -> MutexGuard<'_, (Option<Secret>, Option<SystemTime>)> {
        // Two `Option`s, written together, are consistent whatever a panicking holder did.
        self.state
            .refresh_token
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A token: refreshed when a refresh token is at hand, else by a login; retried as the
    /// policy allows. A rejected refresh token is forgotten and a login made instead.
    pub(super) async fn login(&self) -> LoginResult {
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            tracing::Span::current().record("attempts", attempt);
            let sent_at = (Instant::now(), SystemTime::now());
            let stored = self.refresher.as_ref().and_then(|_| self.refresh_token());
            if self.renew_only && stored.is_none() {
                return Err(self.needs_consent(ConsentNeeded::NoRefreshToken));
            }
            // A refresh token the vendor said has died would only be refused: not sent.
            if let (true, Some(_), (_, Some(dies))) =
                (self.renews_by_refresh_only(), &stored, self.kept_refresh())
                && dies <= sent_at.1
            {
                return Err(self.needs_consent(ConsentNeeded::Expired { at: dies }));
            }
            let refreshing = stored.is_some();
            let issued = match (&self.refresher, stored) {
                (Some(refresher), Some(refresh_token)) => {
                    self.state.refreshes.fetch_add(1, Ordering::Relaxed);
                    refresher
                        .attempt(
                            &self.endpoint,
                            refresh_token,
                            &self.client,
                            self.limits,
                            sent_at.1,
                        )
                        .await
                }
                _ => {
                    self.state.requests.fetch_add(1, Ordering::Relaxed);
                    login::attempt(
                        &self.endpoint,
                        &self.login_url,
                        &self.login_path,
                        &self.client,
                        self.limits,
                        sent_at.1,
                    )
                    .await
                }
            };
            let result = issued.and_then(|issued| self.prepare(issued, sent_at));
            metrics::login(
                E::SPEC.vendor,
                if refreshing { "refresh" } else { "login" },
                self.reason(),
                metrics::outcome(&result),
                sent_at.0.elapsed(),
            );
            match result {
                Ok(token) => {
                    // An answer without a refresh token keeps the previous one and its expiry.
                    if let Some(rotated) = token.refresh_token() {
                        self.set_refresh(Some(rotated.clone()), token.refresh_expires_at());
                    }
                    return Ok(Arc::new(token));
                }
                Err(err)
                    if refreshing
                        && err.class() == ErrorClass::Rejected
                        && self.renews_by_refresh_only()
                        && self
                            .refresher
                            .as_ref()
                            .is_some_and(|r| r.refuses_refresh_token(&err)) =>
                {
                    // An account's code was spent at onboarding: sending it again would only be
                    // refused (and hide why). The seller's only credential is gone.
                    tracing::warn!(error = %err, "the refresh token was refused (spent or revoked); the seller must approve the app again");
                    self.set_refresh_token(None);
                    let said = err.vendor_said().cloned().unwrap_or_default();
                    return Err(self.needs_consent(ConsentNeeded::Refused(said)));
                }
                Err(err)
                    if refreshing
                        && err.class() == ErrorClass::Rejected
                        && self.renews_by_refresh_only() =>
                {
                    // The app or the request was refused (a wrong app secret, a bad signature),
                    // not the refresh token: it is kept, for a process that can use it.
                    return Err(err);
                }
                Err(err) if refreshing && err.class() == ErrorClass::Rejected => {
                    // The refresh token is spent or revoked: forget it and log in instead.
                    self.set_refresh_token(None);
                    tracing::warn!(error = %err, "refresh token rejected, logging in again");
                }
                Err(err) => match self.retry.delay_after(attempt, &err) {
                    Some(delay) => {
                        tracing::info!(error = %err, delay_ms = delay.as_millis() as u64, "attempt failed, retrying");
                        tokio::time::sleep(delay).await;
                    }
                    None => return Err(err),
                },
            }
        }
    }

    /// The error of a seller's session that has no usable refresh token.
    pub(super) fn needs_consent(&self, reason: ConsentNeeded) -> Error {
        Error::NeedsConsent {
            vendor: E::SPEC.vendor,
            account: self.account.clone().unwrap_or_default(),
            reason,
        }
    }

    /// Whether only a refresh token renews this session: its login is a code exchange with a
    /// refresh grant, for a named account, whose code was spent when the account was onboarded.
    pub(super) fn renews_by_refresh_only(&self) -> bool {
        self.refresher.is_some() && self.account.is_some()
    }

    /// Refuses a token the vendor issued for another account than the session's, and forgets
    /// the refresh token that came with it (renewing with it would only repeat the mistake).
    pub(super) fn check_account(&self, token: &Token) -> Result<(), Error> {
        match (&self.account, token.account()) {
            (Some(expected), Some(named)) if expected != named => {
                self.set_refresh_token(None);
                Err(Error::WrongAccount {
                    vendor: E::SPEC.vendor,
                    expected: expected.clone(),
                    named: named.to_owned(),
                })
            }
            _ => Ok(()),
        }
    }

    /// The token in its wire form, with its deadlines counted from when the request was sent.
    pub(super) fn prepare(
        &self,
        issued: Issued,
        sent_at: (Instant, SystemTime),
    ) -> Result<Token, Error> {
        let spec = E::SPEC;
        let (renew_after, use_for) = self.renew.schedule(issued.lifetime);
        // A sliding token is kept alive by use, not renewed ahead: it lapses only when idle.
        let renew_after = if spec.sliding { use_for } else { renew_after };
        let times = Deadlines::new(sent_at, renew_after, use_for, issued.lifetime, spec.sliding);
        let header_value = match &self.placement {
            TokenPlacement::Query(_) => None,
            TokenPlacement::Header(..) => {
                let raw = issued.token.expose();
                let text = match issued.scheme.as_deref() {
                    Some(scheme) if !has_scheme(raw, scheme) => format!("{scheme} {raw}"),
                    _ => raw.to_owned(),
                };
                let value = sensitive_header(text).map_err(|_| Error::Protocol {
                    vendor: spec.vendor,
                    status: 200,
                    problem: ProtocolProblem::UnusableToken,
                })?;
                Some(value)
            }
        };
        Ok(Token::new(
            issued,
            self.placement.clone(),
            header_value,
            times,
        ))
    }

    /// The longest one login may take under these settings: every attempt timing out and every
    /// pause as long as a vendor may ask for.
    pub(super) fn longest_login(&self) -> Duration {
        let attempts = self.retry.max_attempts.max(1);
        let pause = self.retry.max_delay.max(self.retry.max_retry_after);
        self.limits.timeout.saturating_mul(attempts) + pause.saturating_mul(attempts - 1)
    }

    /// The credentials and their digests, as secrets to keep out of what a vendor says.
    pub(super) fn credentials_redactor(&self) -> Redactor {
        let mut params = Params::new();
        self.endpoint.params(&mut params);
        resolve(E::SPEC, params).redactor
    }
}

/// Whether `token` already starts with `scheme` and a space (Wahool returns `Bearer ...`).
fn has_scheme(token: &str, scheme: &str) -> bool {
    let head = token.get(..scheme.len());
    let rest = token.get(scheme.len()..).unwrap_or("");
    head.is_some_and(|h| h.eq_ignore_ascii_case(scheme)) && rest.len() > 1 && rest.starts_with(' ')
}

#[cfg(test)]
mod tests {
    use super::has_scheme;

    #[test]
    fn scheme_is_not_doubled() {
        assert!(has_scheme("Bearer abc", "Bearer"));
        assert!(has_scheme("bearer abc", "Bearer"));
        assert!(!has_scheme("Bearerabc", "Bearer"));
        assert!(!has_scheme("abc", "Bearer"));
        assert!(!has_scheme("Bearer", "Bearer"));
        assert!(!has_scheme("é", "Bearer"));
    }
}
