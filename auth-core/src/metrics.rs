//! What the SDK reports through the [`metrics`](https://docs.rs/metrics) facade: the
//! application installs the recorder (Prometheus, StatsD, ...); without one every call below
//! is a no-op. Nothing here is on the hit path.
//!
//! Labels hold bounded values only: the vendor's name, and fixed words for the kind, reason,
//! outcome and operation. Never an account, a URL or anything a vendor said.
//!
//! | name | type | labels | what |
//! |---|---|---|---|
//! | `seller_auth_logins_total` | counter | `vendor`, `kind`, `reason`, `outcome` | requests sent for a token: `kind` `login` or `refresh`; `reason` `cold`, `expired`, `renew_ahead`, `forced` (`Session::renew`) or `token_rejected` (a re-login after a business request's rejection); `outcome` `ok` or the [`ErrorClass`] in snake case |
//! | `seller_auth_login_duration_seconds` | histogram | `vendor`, `kind` | the time of each such request, answer read |
//! | `seller_auth_requests_replayed_total` | counter | `vendor` | business requests sent again after their token was rejected |
//! | `seller_auth_token_remaining_seconds` | gauge | `vendor` | the current token's remaining lifetime: set when a token is obtained, and at least every watch interval while the session is in use (the last session of the vendor to look sets it) |
//! | `seller_auth_store_operations_total` | counter | `vendor`, `operation`, `outcome` | token store calls: `operation` `load`, `lease`, `extend`, `swap`, `release`, `load_failures`, `write_failures`, `remove`; `outcome` `ok`, `error` or `timeout` |
//! | `seller_auth_lease_wait_seconds` | histogram | `vendor` | how long a session waited for another process's login before it adopted a token or took the lease |
//! | `seller_auth_pending_rotations` | gauge | `vendor` | sessions holding a rotated refresh token their store could not take yet: each writes it at its next store access; while it is above zero, other processes cannot renew those accounts with what the store holds |

use std::time::Duration;

use crate::error::{Error, ErrorClass};

/// Requests sent for a token.
pub const LOGINS: &str = "seller_auth_logins_total";
/// Their duration.
pub const LOGIN_DURATION: &str = "seller_auth_login_duration_seconds";
/// Business requests replayed after a token rejection.
pub const REQUESTS_REPLAYED: &str = "seller_auth_requests_replayed_total";
/// The current token's remaining lifetime.
pub const TOKEN_REMAINING: &str = "seller_auth_token_remaining_seconds";
/// Token store calls.
pub const STORE_OPERATIONS: &str = "seller_auth_store_operations_total";
/// Waits for another process's login.
pub const LEASE_WAIT: &str = "seller_auth_lease_wait_seconds";
/// Rotated refresh tokens kept in memory until their store takes them.
pub const PENDING_ROTATIONS: &str = "seller_auth_pending_rotations";

/// Describes every metric to the recorder (units and help texts), once per process; sessions
/// call it when they are built.
pub(crate) fn describe() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        metrics::describe_counter!(LOGINS, "Requests sent to a vendor for a token");
        metrics::describe_histogram!(
            LOGIN_DURATION,
            metrics::Unit::Seconds,
            "Time of each request for a token"
        );
        metrics::describe_counter!(
            REQUESTS_REPLAYED,
            "Business requests sent again after their token was rejected"
        );
        metrics::describe_gauge!(
            TOKEN_REMAINING,
            metrics::Unit::Seconds,
            "Remaining lifetime of the current token"
        );
        metrics::describe_counter!(STORE_OPERATIONS, "Token store calls");
        metrics::describe_histogram!(
            LEASE_WAIT,
            metrics::Unit::Seconds,
            "Time waiting for another process's login"
        );
        metrics::describe_gauge!(
            PENDING_ROTATIONS,
            "Rotated refresh tokens kept in memory until the token store takes them"
        );
    });
}

/// The `outcome` label of a result.
pub(crate) fn outcome<T>(result: &Result<T, Error>) -> &'static str {
    match result {
        Ok(_) => "ok",
        Err(err) => class_label(err.class()),
    }
}

fn class_label(class: ErrorClass) -> &'static str {
    match class {
        ErrorClass::Rejected => "rejected",
        ErrorClass::RateLimited => "rate_limited",
        ErrorClass::Transient => "transient",
        ErrorClass::Protocol => "protocol",
        ErrorClass::Config => "config",
        ErrorClass::Store => "store",
        ErrorClass::NeedsConsent => "needs_consent",
    }
}

/// One request for a token.
pub(crate) fn login(
    vendor: &'static str,
    kind: &'static str,
    reason: &'static str,
    outcome: &'static str,
    took: Duration,
) {
    metrics::counter!(LOGINS, "vendor" => vendor, "kind" => kind, "reason" => reason, "outcome" => outcome)
        .increment(1);
    metrics::histogram!(LOGIN_DURATION, "vendor" => vendor, "kind" => kind).record(took);
}

pub(crate) fn replayed(vendor: &'static str) {
    metrics::counter!(REQUESTS_REPLAYED, "vendor" => vendor).increment(1);
}

pub(crate) fn token_remaining(vendor: &'static str, remaining: Duration) {
    metrics::gauge!(TOKEN_REMAINING, "vendor" => vendor).set(remaining.as_secs_f64());
}

/// One token store call and how it ended.
pub(crate) fn store_operation<T>(
    vendor: &'static str,
    operation: &'static str,
    result: &Result<T, crate::store::StoreError>,
) {
    let outcome = match result {
        Ok(_) => "ok",
        Err(crate::store::StoreError::Timeout(_)) => "timeout",
        Err(_) => "error",
    };
    metrics::counter!(STORE_OPERATIONS, "vendor" => vendor, "operation" => operation, "outcome" => outcome)
        .increment(1);
}

pub(crate) fn lease_wait(vendor: &'static str, waited: Duration) {
    metrics::histogram!(LEASE_WAIT, "vendor" => vendor).record(waited);
}

/// A session started (`1.0`) or stopped (`-1.0`) holding a rotation its store has not taken.
pub(crate) fn pending_rotations(vendor: &'static str, change: f64) {
    metrics::gauge!(PENDING_ROTATIONS, "vendor" => vendor).increment(change);
}
