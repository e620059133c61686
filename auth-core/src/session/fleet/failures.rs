//! What the fleet learned from failed logins: read under the lease before a login (a rejected
//! credential is not sent again, a spaced fleet waits), written under it after one.

use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use super::{Origin, Through};
use crate::endpoint::LoginEndpoint;
use crate::error::Error;
use crate::store::{
    CredentialFingerprint, FailureRecord, RecordedRejection, RecordedSpacing, TransientFailure,
};
use crate::token::Token;

/// How long a rejected credential stays blocked for the fleet unless set: long enough that a
/// fleet restarted with a stale password sends it about four times an hour (account lockouts
/// commonly count five failures over 15 to 30 minutes), short enough that an account the
/// vendor unlocks, or a password fixed at the vendor's side, is tried again the same quarter.
pub(crate) const DEFAULT_REJECTION_MEMORY: Duration = Duration::from_secs(15 * 60);

/// This process's verdict on the last rejection record it checked, so that one record costs
/// one Argon2id run per process, not one per call.
#[derive(Default)]
pub(super) struct Verdicts {
    last: Mutex<Option<(CredentialFingerprint, bool)>>,
}

impl Verdicts {
    fn slot(&self) -> MutexGuard<'_, Option<(CredentialFingerprint, bool)>> {
        // An `Option` is consistent whatever a panicking holder did.
        self.last
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl<E: LoginEndpoint> Through<'_, E> {
    /// Before a login, under the lease: the record, or the error that stops the login (these
    /// credentials were rejected, or the fleet's spacing is not over). A store that cannot be
    /// read does not stop the login: its failure shows in the token write that follows.
    pub(super) async fn failures_before_login(&self) -> Result<Option<FailureRecord>, Error> {
        let fleet = self.fleet;
        let record = match self
            .call("load_failures", fleet.store.load_failures(fleet.key()))
            .await
        {
            Ok(record) => record,
            Err(err) => {
                tracing::warn!(error = %err, "the fleet's failure record could not be read");
                return Ok(None);
            }
        };
        let Some(record) = record else {
            return Ok(None);
        };
        let now = SystemTime::now();
        if let Some(rejected) = &record.rejected
            && rejected.expires_at > now
            && self.same_credentials(&rejected.fingerprint).await
        {
            tracing::warn!(
                code = rejected.said.code.as_deref(),
                "these credentials were rejected by the vendor for another process of the fleet; not sent"
            );
            return Err(Error::Rejected {
                vendor: E::SPEC.vendor,
                status: rejected.status,
                said: rejected.said.clone(),
                recorded_at: Some(rejected.recorded_at),
            });
        }
        if let Some(spacing) = &record.spacing
            && let Ok(retry_in) = spacing.not_before.duration_since(now)
            && !retry_in.is_zero()
        {
            return Err(Error::LoginSpaced {
                vendor: E::SPEC.vendor,
                failures: spacing.failures,
                retry_in,
                last: Box::new(spacing.last.to_error(E::SPEC.vendor)),
            });
        }
        Ok(Some(record))
    }

    /// After a login, under the lease: a success clears the record, a rejection records the
    /// credentials, a transient failure moves the fleet's next attempt back.
    pub(super) async fn failures_after_login(
        &self,
        previous: Option<FailureRecord>,
        outcome: &Result<(std::sync::Arc<Token>, Origin), Error>,
    ) {
        let now = SystemTime::now();
        let next = match outcome {
            Ok(_) => match previous {
                Some(_) => None,
                None => return,
            },
            Err(Error::Rejected {
                status,
                said,
                recorded_at: None,
                ..
            }) => {
                let Some(fingerprint) = self.fingerprint().await else {
                    tracing::warn!("no randomness for a salt: the rejection is not recorded");
                    return;
                };
                Some(FailureRecord {
                    rejected: Some(RecordedRejection {
                        status: *status,
                        said: said.clone(),
                        recorded_at: now,
                        expires_at: now + self.fleet.settings.rejection_memory,
                        fingerprint,
                    }),
                    spacing: None,
                })
            }
            Err(err) => {
                let Some(last) = TransientFailure::of(err) else {
                    return;
                };
                let policy = &self.fetch.retry;
                let previous = previous.unwrap_or_default();
                // Failures in a row: a count left from long ago starts again.
                let earlier = previous
                    .spacing
                    .as_ref()
                    .filter(|s| {
                        now.duration_since(s.not_before)
                            .map_or(true, |past| past <= policy.max_login_gap)
                    })
                    .map_or(0, |s| s.failures);
                let failures = earlier.saturating_add(1);
                let wait = policy
                    .login_gap_after(failures)
                    .max(err.retry_after().unwrap_or_default());
                Some(FailureRecord {
                    rejected: previous.rejected,
                    spacing: Some(RecordedSpacing {
                        failures,
                        not_before: now + wait,
                        recorded_at: now,
                        last,
                    }),
                })
            }
        };
        let fleet = self.fleet;
        let write = fleet.store.write_failures(fleet.key(), next.as_ref());
        if let Err(err) = self.call("write_failures", write).await {
            tracing::warn!(error = %err, "the fleet's failure record could not be written");
        }
    }

    /// Whether this session's credentials are the ones `fingerprint` was made of.
    async fn same_credentials(&self, fingerprint: &CredentialFingerprint) -> bool {
        let verdicts = &self.fleet.verdicts;
        if let Some((seen, verdict)) = verdicts.slot().as_ref()
            && seen == fingerprint
        {
            return *verdict;
        }
        let credentials = self.fleet.identity.credentials(&self.fetch.endpoint);
        let theirs = fingerprint.clone();
        // Argon2id takes tens of milliseconds of CPU: off the async workers.
        let verdict = tokio::task::spawn_blocking(move || theirs.matches(&credentials))
            .await
            .unwrap_or(false);
        *verdicts.slot() = Some((fingerprint.clone(), verdict));
        verdict
    }

    /// A fingerprint of this session's credentials with a fresh salt.
    async fn fingerprint(&self) -> Option<CredentialFingerprint> {
        let credentials = self.fleet.identity.credentials(&self.fetch.endpoint);
        let fingerprint =
            tokio::task::spawn_blocking(move || CredentialFingerprint::new(&credentials))
                .await
                .ok()
                .flatten()?;
        *self.fleet.verdicts.slot() = Some((fingerprint.clone(), true));
        Some(fingerprint)
    }
}
