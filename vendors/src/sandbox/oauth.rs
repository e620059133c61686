//! What the OAuth 2.0 marketplaces (Amazon, eBay, Walmart, Mercado Libre) share in the sandbox:
//! RFC 6749 error answers, HTTP Basic client authentication, and reading a form body.

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::json;

use super::reply::{content_type_is, header_text, json, pairs, param};
use super::state::VendorState;

/// RFC 6749 §5.2: `{"error": .., "error_description": ..}`.
pub(crate) fn error(status: StatusCode, code: &str, description: &str) -> Response {
    json(
        status,
        json!({ "error": code, "error_description": description }),
    )
}

/// The form body's fields, or the standard's `invalid_request` when the body is not a form.
/// The answer a check refused with (boxed: a `Response` is large).
pub(crate) type Refusal = Box<Response>;

pub(crate) fn form(headers: &HeaderMap, body: &[u8]) -> Result<Vec<(String, String)>, Refusal> {
    if !content_type_is(headers, "application/x-www-form-urlencoded") {
        return Err(Box::new(error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "the token request must be application/x-www-form-urlencoded",
        )));
    }
    Ok(pairs(body))
}

/// A token request's form fields and its `grant_type`, counted as a refresh for the
/// refresh-token grant and as a login for any other.
pub(crate) fn grant_form(
    state: &VendorState,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(Vec<(String, String)>, String), Refusal> {
    let fields = form(headers, body)?;
    let grant = param(&fields, "grant_type").unwrap_or_default().to_owned();
    if grant == "refresh_token" {
        state.count_refresh();
    } else {
        state.count_login();
    }
    Ok((fields, grant))
}

/// The client id and secret of an `Authorization: Basic` header, exactly as RFC 7617 encodes
/// them; `None` when absent or malformed.
pub(crate) fn basic(headers: &HeaderMap) -> Option<(String, String)> {
    let value = header_text(headers, header::AUTHORIZATION.as_str())?;
    let encoded = value.strip_prefix("Basic ")?;
    let decoded = String::from_utf8(STANDARD.decode(encoded).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

/// The token of `Authorization: Bearer <token>`.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    header_text(headers, header::AUTHORIZATION.as_str())?.strip_prefix("Bearer ")
}
