//! Executes one login attempt: build the request, send it, read the answer within limits.

pub(crate) mod jwt;
mod refresh_expiry;
pub(crate) mod request;
pub(crate) mod response;
pub(crate) mod supplied;

use std::time::{Duration, SystemTime};

use reqwest::header::CONTENT_TYPE;
use url::Url;

pub use request::md5_hex;
pub(crate) use response::Issued;

use crate::endpoint::LoginEndpoint;
use crate::error::{Error, ProtocolProblem};
use crate::http::retry_after;

/// Limits applied to one login attempt.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AttemptLimits {
    pub(crate) timeout: Duration,
    pub(crate) max_body_bytes: usize,
}

/// One login request and its interpretation. No retries here: the session decides those.
pub(crate) async fn attempt<E: LoginEndpoint>(
    endpoint: &E,
    url: &Url,
    api_path: &str,
    client: &reqwest::Client,
    limits: AttemptLimits,
    sent_at: SystemTime,
) -> Result<Issued, Error> {
    let vendor = E::SPEC.vendor;
    let prepared = request::prepare(endpoint, url, api_path, client, limits.timeout, sent_at)?;
    let mut response = prepared
        .request
        .send()
        .await
        .map_err(|e| transport(vendor, e))?;
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let retry_after = retry_after(response.headers(), SystemTime::now());

    let too_large = |_| Error::Protocol {
        vendor,
        status,
        problem: ProtocolProblem::TooLarge {
            limit: limits.max_body_bytes,
        },
    };
    if let Some(length) = response.content_length() {
        usize::try_from(length)
            .ok()
            .filter(|l| *l <= limits.max_body_bytes)
            .ok_or(())
            .map_err(too_large)?;
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| transport(vendor, e))? {
        if body.len() + chunk.len() > limits.max_body_bytes {
            return Err(too_large(()));
        }
        body.extend_from_slice(&chunk);
    }

    let answer = response::Answer {
        status,
        content_type: content_type.as_deref(),
        retry_after,
        body: &body,
    };
    response::interpret(E::SPEC, &answer, &prepared.redactor, sent_at)
}

fn transport(vendor: &'static str, err: reqwest::Error) -> Error {
    Error::transport(vendor, err)
}
