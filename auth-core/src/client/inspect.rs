//! Reads a business response just enough to tell whether the vendor rejected the token, or
//! answered with a rate-limit code inside a successful HTTP response (IceKredit `10000429`).

use futures_util::StreamExt;
use reqwest::header::CONTENT_TYPE;

use crate::error::{Error, VendorSaid};
use crate::json::{lookup, parse_strict, scalar_text, success_holds};
use crate::redact::{Redactor, vendor_said};
use crate::spec::LoginSpec;

/// The response handed back, or what the vendor said when it rejected the token.
pub(super) enum Verdict {
    Accepted(reqwest::Response),
    TokenRejected {
        status: u16,
        said: VendorSaid,
    },
    /// The vendor's declared rate-limit code: the request was refused, not processed.
    RateLimited {
        status: u16,
        said: VendorSaid,
    },
}

/// `redactor` makes the list of secrets (the token, the refresh token, the credentials) to keep
/// out of what the vendor said; it is only called when an answer is read.
pub(super) async fn inspect(
    spec: &LoginSpec,
    response: reqwest::Response,
    max_bytes: usize,
    redactor: impl FnOnce() -> Redactor,
) -> Result<Verdict, Error> {
    let status = response.status().as_u16();
    let by_status = status == 401 || status == 403;
    let json = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().contains("json"));
    let small = response
        .content_length()
        .is_none_or(|n| n <= max_bytes as u64);
    let codes_to_look_for = spec.has_token_rejected_codes() || spec.has_rate_limit_codes();
    let by_code = codes_to_look_for && (200..300).contains(&status) && json && small;
    if !by_status && !by_code {
        return Ok(Verdict::Accepted(response));
    }

    let (parts, version) = (response.headers().clone(), response.version());
    let status_code = response.status();
    let rebuild = |body: reqwest::Body| {
        let mut rebuilt = http::Response::new(body);
        *rebuilt.status_mut() = status_code;
        *rebuilt.version_mut() = version;
        *rebuilt.headers_mut() = parts.clone();
        reqwest::Response::from(rebuilt)
    };
    let body = match read_bounded(spec, response, max_bytes).await? {
        Bounded::Whole(body) => body,
        // Too long to be a rejection notice: returned as it came, the rest still streaming.
        Bounded::TooLong(_) if by_status => {
            return Ok(Verdict::TokenRejected {
                status,
                said: VendorSaid::default(),
            });
        }
        Bounded::TooLong(body) => return Ok(Verdict::Accepted(rebuild(body))),
    };
    Ok(match judge(spec, by_status, &body, &redactor()) {
        Judgement::Accepted => Verdict::Accepted(rebuild(reqwest::Body::from(body))),
        Judgement::TokenRejected(said) => Verdict::TokenRejected { status, said },
        Judgement::RateLimited(said) => Verdict::RateLimited { status, said },
    })
}

/// What a whole business answer amounts to.
#[cfg_attr(feature = "fuzzing", derive(Debug))]
pub(crate) enum Judgement {
    Accepted,
    TokenRejected(VendorSaid),
    RateLimited(VendorSaid),
}

/// Pure, so that any body a vendor (or a fuzzer) sends can be judged without a network. What
/// the vendor said is cleaned of every secret `redactor` knows: a vendor may quote the token it
/// refuses.
pub(crate) fn judge(
    spec: &LoginSpec,
    by_status: bool,
    body: &[u8],
    redactor: &Redactor,
) -> Judgement {
    let parsed = parse_strict(body).ok();
    let said = || {
        parsed
            .as_ref()
            .map(|v| vendor_said(spec, v, redactor))
            .unwrap_or_default()
    };
    if by_status {
        return Judgement::TokenRejected(said());
    }
    let code = spec
        .error_code
        .and_then(|path| parsed.as_ref().and_then(|v| lookup(v, path)))
        .and_then(scalar_text);
    if code.as_ref().is_some_and(|c| spec.rejects_token(c)) {
        return Judgement::TokenRejected(said());
    }
    if code.as_ref().is_some_and(|c| spec.is_rate_limit_code(c)) {
        return Judgement::RateLimited(said());
    }
    Judgement::Accepted
}

/// A body read to the end, or, past the limit, everything as a body that streams the rest.
enum Bounded {
    Whole(Vec<u8>),
    TooLong(reqwest::Body),
}

/// Reads at most `max_bytes` (a chunked answer has no length to check first), so a hostile or
/// merely huge answer never sits whole in memory here; nothing is cut either way.
async fn read_bounded(
    spec: &LoginSpec,
    mut response: reqwest::Response,
    max_bytes: usize,
) -> Result<Bounded, Error> {
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| Error::transport(spec.vendor(), e))?
    {
        body.extend_from_slice(&chunk);
        if body.len() > max_bytes {
            let read = futures_util::stream::once(async move {
                Ok::<_, reqwest::Error>(bytes::Bytes::from(body))
            });
            let rest = futures_util::stream::unfold(Some(response), |state| async move {
                let mut response = state?;
                match response.chunk().await {
                    Ok(Some(chunk)) => Some((Ok(chunk), Some(response))),
                    Ok(None) => None,
                    // The error ends the stream.
                    Err(err) => Some((Err(err), None)),
                }
            });
            return Ok(Bounded::TooLong(reqwest::Body::wrap_stream(
                read.chain(rest),
            )));
        }
    }
    Ok(Bounded::Whole(body))
}

/// The vendor's error envelope in a business answer: its declared error code is present and its
/// declared success does not hold (IOP's `{"type":"ISV","code":"IncompleteSignature",..}` in an
/// HTTP 200). `None` for anything else, a body that is not JSON included.
pub(crate) fn error_envelope(
    spec: &LoginSpec,
    body: &[u8],
    redactor: &Redactor,
) -> Option<VendorSaid> {
    let parsed = parse_strict(body).ok()?;
    let path = spec.error_code?;
    lookup(&parsed, path)?;
    (!success_holds(spec.success, &parsed)).then(|| vendor_said(spec, &parsed, redactor))
}
