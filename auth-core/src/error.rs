//! Typed errors: every failure says which class it belongs to, and none carries a secret.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// What kind of failure an [`Error`] is, which decides what may be done about it.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorClass {
    /// The vendor refused the credentials or the account: never retried (accounts get locked).
    Rejected,
    /// The vendor asked us to slow down: retried after the delay it gave, within the budget.
    RateLimited,
    /// The vendor could not be reached or failed on its side: retried with capped, jittered backoff.
    Transient,
    /// The vendor answered something it does not document: not retried.
    Protocol,
    /// The session was configured wrongly: nothing was sent.
    Config,
    /// The token store shared with other processes failed, and the session is set to fail
    /// rather than log in on its own: retried like a transient failure.
    Store,
    /// A seller's only credential, its refresh token, is missing, spent or refused: nothing is
    /// sent until the seller approves the app again (a new authorization code).
    NeedsConsent,
}

/// Why a seller must approve the app again.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConsentNeeded {
    /// The store holds no entry for the seller: the seller was never onboarded here, or the
    /// entry was removed.
    #[error("the store holds no token for this seller; onboard it with its authorization code")]
    NotOnboarded,
    /// The seller's entry holds no refresh token (the vendor refused the last one).
    #[error("the store holds no refresh token for this seller")]
    NoRefreshToken,
    /// The seller's refresh token died when the vendor said it would: it was not sent.
    #[error("its refresh token expired {} (as the vendor said when it was issued)", httpdate::fmt_http_date(*at))]
    Expired {
        /// When it died.
        at: std::time::SystemTime,
    },
    /// The vendor refused the seller's refresh token: it expired, was revoked or was spent.
    #[error("the vendor refused the refresh token{0}")]
    Refused(VendorSaid),
}

/// What the vendor said about a failure: its own error code and message, when it gave them.
///
/// Messages are cut to 200 characters and any credential or token they echo is replaced by
/// `[redacted]` before they are stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VendorSaid {
    /// The vendor's error code, as text (`"200002"`, `"InvalidCode"`).
    pub code: Option<String>,
    /// The vendor's message.
    pub message: Option<String>,
}

impl fmt::Display for VendorSaid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.code, &self.message) {
            (Some(code), Some(message)) => write!(f, ": code {code}: {message}"),
            (Some(code), None) => write!(f, ": code {code}"),
            (None, Some(message)) => write!(f, ": {message}"),
            (None, None) => Ok(()),
        }
    }
}

/// Why a vendor could not be used for now.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransientKind {
    /// No answer within the timeout.
    #[error("timed out")]
    Timeout,
    /// The connection could not be opened.
    #[error("could not connect")]
    Connect,
    /// The connection broke while the request or response was under way.
    #[error("the connection failed")]
    Network,
    /// The vendor answered with an HTTP server error (5xx) or 408.
    #[error("HTTP {0}")]
    Status(u16),
    /// The vendor answered with one of its documented temporary-failure codes.
    #[error("temporary failure")]
    VendorCode,
    /// A [`TokenHandle`](crate::TokenHandle) found no token right after the session obtained
    /// one: another caller invalidated it in between. Asking again logs in.
    #[error("the token was invalidated while it was being handed out")]
    Interrupted,
}

/// How a response differed from what the vendor documents.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProtocolProblem {
    /// The body is not JSON (an HTML error page, plain text, an empty body).
    #[error("the body is not JSON ({}, {length} bytes)", content_type.as_deref().unwrap_or("no content type"))]
    NotJson {
        /// The `Content-Type` the vendor sent, if any.
        content_type: Option<String>,
        /// The body length in bytes.
        length: usize,
    },
    /// The body is larger than the configured limit.
    #[error("the body is larger than the {limit}-byte limit")]
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// A documented field is absent (or `null`).
    #[error("the field `{field}` is missing")]
    MissingField {
        /// The dotted path of the field.
        field: String,
    },
    /// A field has another JSON type than documented.
    #[error("the field `{field}` is {found}, expected {expected}")]
    WrongType {
        /// The dotted path of the field.
        field: String,
        /// What the documents promise.
        expected: &'static str,
        /// What arrived.
        found: &'static str,
    },
    /// The token is empty, or has characters that cannot go in an HTTP header.
    #[error("the token is empty or cannot be sent in an HTTP header")]
    UnusableToken,
    /// The lifetime is zero, negative, already past, or too large to represent.
    #[error("the lifetime in `{field}` is not a usable duration")]
    BadLifetime {
        /// The dotted path of the field, or `exp` for a JWT claim.
        field: String,
    },
    /// A lifetime declared as a duration holds a number only a Unix time can be (more than ten
    /// years): the endpoint should declare `unix_seconds` or `unix_millis`.
    #[error(
        "the lifetime in `{field}` is {value}, which can only be a Unix time, not a duration; declare it with `unix_seconds` or `unix_millis`"
    )]
    EpochAsDuration {
        /// The dotted path of the field.
        field: String,
        /// The number it holds (a lifetime, not a secret).
        value: u64,
    },
    /// The token's scheme, read from the answer, is empty or not one word.
    #[error("the scheme in `{field}` is empty or not a single word")]
    UnusableScheme {
        /// The dotted path of the field.
        field: String,
    },
    /// The token should be a JWT but its payload could not be decoded.
    #[error("the token is not a decodable JWT")]
    MalformedJwt,
    /// The success rule failed but the vendor gave no error code or message either.
    #[error("the response is not a success and carries no error code or message")]
    Unexplained,
    /// The vendor refused the request itself (malformed, unsupported), not the credentials.
    #[error("the vendor refused the request{0}")]
    RequestRefused(VendorSaid),
    /// An object in the body names the same key twice.
    #[error("the key `{key}` appears twice in one object")]
    DuplicateKey {
        /// The repeated key (at most 64 characters).
        key: String,
    },
}

/// A configuration mistake found before anything was sent.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// The base URL does not parse, or cannot be joined with the endpoint path.
    #[error("bad base URL: {reason}")]
    BadBaseUrl {
        /// Why it was refused.
        reason: String,
    },
    /// The login (or refresh) path cannot address the endpoint.
    #[error("bad login path `{path}`: {reason}")]
    BadLoginPath {
        /// The path as given.
        path: String,
        /// Why it was refused.
        reason: &'static str,
    },
    /// Plain `http://` to a host other than loopback, without `allow_insecure_http`.
    #[error(
        "refusing to send credentials over plain http to {host}; use https or allow_insecure_http(true)"
    )]
    InsecureHttp {
        /// The host that would have received credentials in clear text.
        host: String,
    },
    /// No base URL was given and the endpoint declares none.
    #[error("no base URL: the endpoint declares none, so pass one to the builder")]
    NoBaseUrl,
    /// A credential field holds a value that cannot go in an HTTP header.
    #[error("the value for header `{header}` cannot be sent in an HTTP header")]
    BadHeaderValue {
        /// The header name.
        header: &'static str,
    },
    /// The header chosen to carry the token is not a valid header name.
    #[error("`{name}` is not a valid header name for the token")]
    BadTokenHeader {
        /// The name given.
        name: String,
    },
    /// A request reached the token middleware with a streaming body, which can be neither signed
    /// nor replayed: build it with the bytes (`.body(bytes)`, `.form(..)`, `.json(..)`).
    #[error(
        "the request's body is a stream: it can be neither signed nor replayed; give it as bytes, a form or JSON"
    )]
    StreamingBody,
    /// A header given for an authorised request has an invalid name or value.
    #[error("the header `{name}` has an invalid name or value")]
    BadRequestHeader {
        /// The header's name.
        name: String,
    },
    /// A JSON body for an authorised request could not be serialized.
    #[error("the JSON body could not be serialized: {reason}")]
    BadJsonBody {
        /// What serde said.
        reason: String,
    },
    /// A signed request names a parameter twice (in its URL, its query, its form body, or as one
    /// the session adds: the token, a carried field): the signature covers each name once.
    #[error(
        "the parameter `{name}` is given twice; a signed request takes each parameter once (in the URL, the query or the form)"
    )]
    RepeatedParameter {
        /// The parameter's name.
        name: String,
    },
    /// A store was given, but the endpoint has no credential field at all, so nothing tells its
    /// accounts apart.
    #[error(
        "a token store needs a credential field or an account (`SessionBuilder::account`) to tell accounts apart"
    )]
    StoreNeedsIdentity,
    /// Something only a session with a token store can do (`Session::forget`) was asked of one
    /// without.
    #[error("the session has no token store (`SessionBuilder::store`)")]
    NoStore,
    /// The endpoint signs its requests but no field is marked `signing_key`.
    #[error("the endpoint signs its requests but has no signing key field")]
    MissingSigningKey,
    /// An authorised request names an origin (scheme, host, port) other than its client's base
    /// URL's: the token goes only there, and to origins named with
    /// [`AuthorizedClient::allow_origin`](crate::AuthorizedClient::allow_origin).
    #[error(
        "refusing to send the token to {origin}: the client sends it only to {base}; name other origins with allow_origin"
    )]
    ForeignOrigin {
        /// Where the request would have gone (no path, query or user part).
        origin: String,
        /// The origin of the client's base URL.
        base: String,
    },
    /// An authorised request was given a `Host` header: the token goes to the URL's host, the
    /// one checked against the client's origin, and to no other named beside it.
    #[error(
        "an authorised request cannot set its own Host header: the token goes to the URL's host only"
    )]
    HostHeader,
    /// A seller's session renews from the store only: it needs an account, a store and a
    /// refresh grant (the endpoint declares `refresh = ...`).
    #[error(
        "a seller's session needs an account, a token store and a refresh grant (`refresh = ...` on the login)"
    )]
    RenewOnlyNeedsStore,
    /// The vendor needs the seller's id with the authorization code (its answer does not name
    /// the seller), and none was given.
    #[error("this vendor's answer does not name the seller: give the seller's id with the code")]
    SellerRequired,
    /// A seller id is not of the form the vendor uses.
    #[error("`{seller}` is not a seller id of this vendor: {expected}")]
    BadSellerId {
        /// The id given (an id, not a secret).
        seller: String,
        /// What the vendor's ids look like.
        expected: &'static str,
    },
    /// A background task was asked for outside a tokio runtime.
    #[error("this needs a tokio runtime: call it from async code")]
    NoRuntime,
    /// The HTTP client could not be built.
    #[error("the HTTP client could not be built: {reason}")]
    Client {
        /// Why.
        reason: String,
    },
}

/// The underlying transport error, kept for `source()` with its URL removed (URLs may carry
/// credentials in their query string).
#[derive(Clone, thiserror::Error)]
#[error("{0}")]
pub struct TransportError(#[source] Arc<reqwest::Error>);

impl TransportError {
    pub(crate) fn new(err: reqwest::Error) -> Self {
        TransportError(Arc::new(err.without_url()))
    }
}

/// The reqwest error's own `Debug`, as if it were not wrapped.
impl fmt::Debug for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

/// Everything that can go wrong while getting a token.
///
/// Match on [`Error::class`] to decide what to do; the variants carry the details. No variant
/// holds a credential or a token, and the vendor's own message is redacted of both.
///
/// ```
/// use auth_core::{Error, ErrorClass, VendorSaid};
///
/// let err = Error::Rejected {
///     vendor: "iGV",
///     status: 200,
///     said: VendorSaid { code: Some("1001".into()), message: Some("wrong password".into()) },
///     recorded_at: None,
/// };
/// assert_eq!(err.class(), ErrorClass::Rejected);
/// assert_eq!(err.to_string(), "iGV rejected the login: code 1001: wrong password");
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    /// The vendor refused the credentials or the account. The session will not send them again;
    /// with a shared store, no session of the fleet sends the same credentials again until the
    /// record expires ([`SessionBuilder::remember_rejection`](crate::SessionBuilder::remember_rejection)).
    #[error("{vendor} rejected the login{said}{}", Recorded(*recorded_at))]
    Rejected {
        /// The endpoint's vendor name.
        vendor: &'static str,
        /// The HTTP status of the answer.
        status: u16,
        /// What the vendor said.
        said: VendorSaid,
        /// When another session of the fleet recorded the rejection, if this session learned of
        /// it from the store instead of sending the credentials.
        recorded_at: Option<std::time::SystemTime>,
    },
    /// The vendor is rate-limiting us (a login, or a business call through the authorised client).
    #[error("{vendor} is rate-limiting our requests{said}{}", RetryAfter(*retry_after))]
    RateLimited {
        /// The endpoint's vendor name.
        vendor: &'static str,
        /// The HTTP status of the answer.
        status: u16,
        /// How long the vendor asked us to wait (`Retry-After`), when it said.
        retry_after: Option<Duration>,
        /// What the vendor said.
        said: VendorSaid,
    },
    /// The vendor could not be reached or failed on its side.
    #[error("{vendor} is unavailable: {kind}{said}")]
    Transient {
        /// The endpoint's vendor name.
        vendor: &'static str,
        /// What happened.
        kind: TransientKind,
        /// What the vendor said, if it answered.
        said: VendorSaid,
        /// The transport error, without its URL.
        #[source]
        source: Option<TransportError>,
    },
    /// The vendor answered something that its documents do not describe.
    #[error("{vendor} sent an unexpected response (HTTP {status}): {problem}")]
    Protocol {
        /// The endpoint's vendor name.
        vendor: &'static str,
        /// The HTTP status of the answer.
        status: u16,
        /// What was wrong.
        problem: ProtocolProblem,
    },
    /// A request was rejected for its token, and again after a fresh login: the account may
    /// lack the permission, or the vendor's session handling differs from its documents.
    #[error("{vendor} rejected the token twice, the second time right after a fresh login{said}")]
    TokenRejected {
        /// The endpoint's vendor name.
        vendor: &'static str,
        /// The HTTP status of the second rejection.
        status: u16,
        /// What the vendor said the second time.
        said: VendorSaid,
    },
    /// The vendor issued a token for another account than the one the session is for (a code
    /// the wrong seller approved). The token is not used, nor stored under this session's
    /// account; a shared store keeps it under the account it belongs to.
    #[error("{vendor} issued a token for account `{named}`, but this session is for `{expected}`")]
    WrongAccount {
        /// The endpoint's vendor name.
        vendor: &'static str,
        /// The account the session was built for.
        expected: String,
        /// The account the vendor's answer names.
        named: String,
    },
    /// The session is configured wrongly; nothing was sent.
    #[error("{vendor}: {problem}")]
    Config {
        /// The endpoint's vendor name.
        vendor: &'static str,
        /// What is wrong.
        problem: ConfigError,
    },
    /// The token store failed and the session is set to fail then
    /// ([`StoreFailure::Fail`](crate::StoreFailure::Fail)), or it would have had to send an
    /// account's spent authorization code (see [`StoreFailure`](crate::StoreFailure)): nothing
    /// was sent to the vendor. Or a renewal's rotated refresh token could not be stored under
    /// `Fail`: the session keeps it in memory and writes it first on its next call.
    #[error("{vendor}: no token, as the token store failed: {source}")]
    Store {
        /// The endpoint's vendor name.
        vendor: &'static str,
        /// What the store reported.
        source: crate::store::StoreError,
    },
    /// The seller's refresh token is missing, spent or refused, and a session built for the
    /// seller does not log in with a code: nothing was sent, or only the refresh request the
    /// vendor refused. The seller must approve the app again; onboard the new code with
    /// [`SellerDirectory::onboard`](crate::SellerDirectory::onboard).
    #[error("{vendor}: seller `{account}` must approve the app again: {reason}")]
    NeedsConsent {
        /// The endpoint's vendor name.
        vendor: &'static str,
        /// The seller, as the vendor names it.
        account: String,
        /// Why.
        reason: ConsentNeeded,
    },
    /// Logins failed several times in a row, so this one was not sent: the session spaces its
    /// logins after repeated failures (see [`RetryPolicy`](crate::RetryPolicy)), so that a
    /// broken vendor is not hammered and an account is not locked for too many attempts.
    #[error("{vendor}: no login sent: the last {failures} failed, the next is allowed in {} ms (last error: {last})", retry_in.as_millis())]
    LoginSpaced {
        /// The endpoint's vendor name.
        vendor: &'static str,
        /// Failed logins in a row.
        failures: u32,
        /// How long until the session sends a login again.
        retry_in: Duration,
        /// The last failure.
        #[source]
        last: Box<Error>,
    },
}

struct RetryAfter(Option<Duration>);

/// When a fleet's rejection was recorded, as an HTTP date.
struct Recorded(Option<std::time::SystemTime>);

impl fmt::Display for Recorded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(at) => write!(
                f,
                " (recorded by the fleet {}; not sent again)",
                httpdate::fmt_http_date(at)
            ),
            None => Ok(()),
        }
    }
}

impl fmt::Display for RetryAfter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(delay) => write!(f, " (retry after {} s)", delay.as_secs()),
            None => Ok(()),
        }
    }
}

impl Error {
    /// The class of this failure.
    pub fn class(&self) -> ErrorClass {
        match self {
            Error::Rejected { .. } | Error::TokenRejected { .. } | Error::WrongAccount { .. } => {
                ErrorClass::Rejected
            }
            Error::RateLimited { .. } => ErrorClass::RateLimited,
            Error::Transient { .. } => ErrorClass::Transient,
            Error::Protocol { .. } => ErrorClass::Protocol,
            Error::Config { .. } => ErrorClass::Config,
            Error::Store { .. } => ErrorClass::Store,
            Error::NeedsConsent { .. } => ErrorClass::NeedsConsent,
            Error::LoginSpaced { last, .. } => last.class(),
        }
    }

    /// Whether trying again later may succeed (transient failures and rate limits).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.class(),
            ErrorClass::Transient | ErrorClass::RateLimited | ErrorClass::Store
        )
    }

    /// The delay the vendor asked for, if it gave one.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::RateLimited { retry_after, .. } => *retry_after,
            Error::LoginSpaced { retry_in, .. } => Some(*retry_in),
            _ => None,
        }
    }

    /// What the vendor said, if it answered with an error code or message.
    pub fn vendor_said(&self) -> Option<&VendorSaid> {
        match self {
            Error::Rejected { said, .. }
            | Error::TokenRejected { said, .. }
            | Error::RateLimited { said, .. }
            | Error::Transient { said, .. } => Some(said),
            Error::NeedsConsent {
                reason: ConsentNeeded::Refused(said),
                ..
            } => Some(said),
            Error::LoginSpaced { last, .. } => last.vendor_said(),
            _ => None,
        }
    }

    pub(crate) fn transport(vendor: &'static str, err: reqwest::Error) -> Self {
        let kind = if err.is_timeout() {
            TransientKind::Timeout
        } else if err.is_connect() {
            TransientKind::Connect
        } else {
            TransientKind::Network
        };
        Error::Transient {
            vendor,
            kind,
            said: VendorSaid::default(),
            source: Some(TransportError::new(err)),
        }
    }

    pub(crate) fn config(vendor: &'static str, problem: ConfigError) -> Self {
        Error::Config { vendor, problem }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_class_has_a_message_naming_the_vendor() {
        let said = VendorSaid {
            code: Some("X".into()),
            message: None,
        };
        let errors = [
            Error::Rejected {
                vendor: "V",
                status: 200,
                said: said.clone(),
                recorded_at: None,
            },
            Error::RateLimited {
                vendor: "V",
                status: 429,
                retry_after: Some(Duration::from_secs(3)),
                said: said.clone(),
            },
            Error::Transient {
                vendor: "V",
                kind: TransientKind::Status(502),
                said,
                source: None,
            },
            Error::Protocol {
                vendor: "V",
                status: 200,
                problem: ProtocolProblem::UnusableToken,
            },
            Error::config("V", ConfigError::NoBaseUrl),
        ];
        for err in &errors {
            assert!(err.to_string().starts_with('V'), "{err}");
        }
        assert_eq!(
            errors[1].to_string(),
            "V is rate-limiting our requests: code X (retry after 3 s)"
        );
        assert_eq!(errors[2].to_string(), "V is unavailable: HTTP 502: code X");
        assert!(errors[1].is_retryable() && errors[2].is_retryable());
        assert!(!errors[0].is_retryable() && !errors[3].is_retryable());
    }
}
