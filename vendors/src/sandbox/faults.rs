//! Faults a test switches on, each consumed by the next login of that vendor, and counters.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Something to go wrong on the next login (or token refresh).
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Refuse the credentials with the vendor's own rejection, even if they are right.
    RejectNextLogin,
    /// The vendor's documented temporary failure (IOP `ServiceUnavailable`, IceKredit `02`), or
    /// HTTP 503 where it documents none.
    Unavailable,
    /// An HTML error page with this status, as a gateway in front of the vendor sends.
    HtmlErrorPage(u16),
    /// The vendor's rate-limit answer (HTTP 429 with `Retry-After`, or its documented code).
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
    /// On a business call: refuse a valid token with HTTP 403 and a message that quotes it, as
    /// a vendor may about a token that lacks a permission (vendors that support it: iGV).
    EchoTokenForbidden,
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

    /// Applies the next fault: what the vendor handler should do instead of its real answer.
    pub(crate) async fn apply_next(&self) -> FaultOutcome {
        let Some(fault) = lock(&self.queue).pop_front() else {
            return FaultOutcome::Proceed;
        };
        match fault {
            Fault::Slow(delay) => {
                tokio::time::sleep(delay).await;
                FaultOutcome::Proceed
            }
            Fault::RejectNextLogin => FaultOutcome::Reject,
            Fault::EchoTokenForbidden => FaultOutcome::EchoToken,
            Fault::Unavailable => FaultOutcome::Unavailable,
            Fault::RateLimit { retry_after } => FaultOutcome::RateLimit(retry_after),
            Fault::HtmlErrorPage(status) => {
                let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
                let page = format!(
                    "<html><head><title>{status}</title></head><body><center><h1>{status}</h1></center><hr><center>nginx</center></body></html>"
                );
                FaultOutcome::Respond(
                    (status, [(header::CONTENT_TYPE, "text/html")], page).into_response(),
                )
            }
            Fault::MalformedBody => FaultOutcome::Respond(
                (
                    StatusCode::OK,
                    [(header::CONTENT_TYPE, "application/json")],
                    "Service temporarily unavailable",
                )
                    .into_response(),
            ),
            Fault::TruncatedBody => FaultOutcome::Respond(
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

/// What a vendor handler does about the next fault.
pub(crate) enum FaultOutcome {
    /// Answer normally.
    Proceed,
    /// Send this instead.
    Respond(Response),
    /// Refuse the credentials the vendor's way.
    Reject,
    /// Rate-limit the vendor's way, with this `Retry-After`.
    RateLimit(Option<u64>),
    /// Fail temporarily the vendor's way.
    Unavailable,
    /// Refuse the token with a message that quotes it.
    EchoToken,
}

/// HTTP 503, for vendors that document no temporary-failure code.
pub(crate) fn service_unavailable() -> Response {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [(header::CONTENT_TYPE, "text/plain")],
        "Service Unavailable",
    )
        .into_response()
}

impl FaultOutcome {
    /// The answer to send instead of the real one, for vendors that document no rate-limit or
    /// temporary-failure code (plain HTTP 429 and 503); `reject` renders their own refusal.
    pub(crate) fn http_reply(self, reject: impl FnOnce() -> Response) -> Option<Response> {
        match self {
            FaultOutcome::Proceed => None,
            FaultOutcome::Respond(response) => Some(response),
            FaultOutcome::Reject | FaultOutcome::EchoToken => Some(reject()),
            FaultOutcome::RateLimit(after) => Some(too_many_requests(after)),
            FaultOutcome::Unavailable => Some(service_unavailable()),
        }
    }
}

/// HTTP 429 with `Retry-After`, for vendors that document no rate-limit code.
pub(crate) fn too_many_requests(retry_after: Option<u64>) -> Response {
    let mut response = (StatusCode::TOO_MANY_REQUESTS, "Too Many Requests").into_response();
    if let Some(secs) = retry_after {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    response
}

pub(crate) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while holding a sandbox lock leaves plain data behind; keep serving.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
