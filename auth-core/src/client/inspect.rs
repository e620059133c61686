//! Reads a business response just enough to tell whether the vendor rejected the token, or
//! answered with a rate-limit code inside a successful HTTP response (IceKredit `10000429`).

use reqwest::header::CONTENT_TYPE;

use crate::error::{Error, VendorSaid};
use crate::login::json::{lookup, parse_strict, scalar_text};
use crate::login::redact::Redactor;
use crate::login::response::vendor_said;
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

pub(super) async fn inspect(
    spec: &LoginSpec,
    response: reqwest::Response,
    max_bytes: usize,
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
    let codes_to_look_for = !spec.token_rejected.is_empty() || spec.has_rate_limit_codes();
    let by_code = codes_to_look_for && (200..300).contains(&status) && json && small;
    if !by_status && !by_code {
        return Ok(Verdict::Accepted(response));
    }

    let (parts, version) = (response.headers().clone(), response.version());
    let status_code = response.status();
    let body = read_all(spec, response).await?;
    let parsed: Option<serde_json::Value> = if body.len() <= max_bytes {
        parse_strict(&body).ok()
    } else {
        None
    };
    let said = parsed
        .as_ref()
        .map(|v| vendor_said(spec, v, &Redactor::default()))
        .unwrap_or_default();
    if by_status {
        return Ok(Verdict::TokenRejected { status, said });
    }
    let code = spec
        .error_code
        .and_then(|path| parsed.as_ref().and_then(|v| lookup(v, path)))
        .and_then(scalar_text);
    if code
        .as_ref()
        .is_some_and(|c| spec.token_rejected.contains(&c.as_ref()))
    {
        return Ok(Verdict::TokenRejected { status, said });
    }
    if code.as_ref().is_some_and(|c| spec.is_rate_limit_code(c)) {
        return Ok(Verdict::RateLimited { status, said });
    }
    let mut rebuilt = http::Response::new(body);
    *rebuilt.status_mut() = status_code;
    *rebuilt.version_mut() = version;
    *rebuilt.headers_mut() = parts;
    Ok(Verdict::Accepted(reqwest::Response::from(rebuilt)))
}

/// The whole body: it goes back to the caller unless it is a rejection, so nothing is cut.
async fn read_all(spec: &LoginSpec, mut response: reqwest::Response) -> Result<Vec<u8>, Error> {
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| Error::transport(spec.vendor(), e))?
    {
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}
