//! Faults a test switches on, each consumed by the next login of that vendor, and counters.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Something to go wrong on the next login.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// An HTML error page with this status, as a gateway in front of the vendor sends.
    HtmlErrorPage(u16),
    /// `429 Too Many Requests` with `Retry-After` in seconds, if given.
    RateLimit {
        /// The `Retry-After` header's value in seconds.
        retry_after: Option<u64>,
    },
    /// `200 OK` with a body that is not JSON.
    MalformedBody,
    /// `200 OK` with a JSON body cut off halfway.
    TruncatedBody,
    /// Wait this long, then answer normally.
    Slow(Duration),
}

/// The fault queue of one vendor.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    queue: Mutex<VecDeque<Fault>>,
}

impl Faults {
    pub(crate) fn push(&self, fault: Fault) {
        lock(&self.queue).push_back(fault);
    }

    /// Applies the next fault: `Some` response to send instead of the real answer, or `None`
    /// to answer normally (after any delay).
    pub(crate) async fn apply_next(&self) -> Option<Response> {
        let fault = lock(&self.queue).pop_front()?;
        match fault {
            Fault::Slow(delay) => {
                tokio::time::sleep(delay).await;
                None
            }
            Fault::HtmlErrorPage(status) => {
                let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
                let page = format!(
                    "<html><head><title>{status}</title></head><body><center><h1>{status}</h1></center><hr><center>nginx</center></body></html>"
                );
                Some((status, [(header::CONTENT_TYPE, "text/html")], page).into_response())
            }
            Fault::RateLimit { retry_after } => {
                let mut response =
                    (StatusCode::TOO_MANY_REQUESTS, "Too Many Requests").into_response();
                if let Some(secs) = retry_after {
                    response
                        .headers_mut()
                        .insert(header::RETRY_AFTER, HeaderValue::from(secs));
                }
                Some(response)
            }
            Fault::MalformedBody => Some(
                (
                    StatusCode::OK,
                    [(header::CONTENT_TYPE, "application/json")],
                    "Service temporarily unavailable",
                )
                    .into_response(),
            ),
            Fault::TruncatedBody => Some(
                (
                    StatusCode::OK,
                    [(header::CONTENT_TYPE, "application/json")],
                    "{\"code\":\"0000\",\"data\":{\"accessTo",
                )
                    .into_response(),
            ),
        }
    }
}

/// Requests a vendor simulation has received.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) logins: AtomicU64,
    pub(crate) protected: AtomicU64,
}

impl Counters {
    pub(crate) fn count(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn read(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }
}

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding a sandbox lock leaves plain data behind; keep serving.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
