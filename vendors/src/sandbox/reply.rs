//! Small helpers for reading requests and writing JSON answers.

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

/// A JSON answer.
pub(crate) fn json(status: StatusCode, body: Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// `body` with `key` set to `value` when there is one (envelopes carry their payload only on
/// success).
pub(crate) fn with_field(mut body: Value, key: &str, value: Option<Value>) -> Value {
    if let (Some(value), Some(object)) = (value, body.as_object_mut()) {
        object.insert(key.to_owned(), value);
    }
    body
}

/// Two string fields of a JSON object body, if the body is one and both are there.
pub(crate) fn json_pair(body: &[u8], first: &str, second: &str) -> Option<(String, String)> {
    let value: Value = serde_json::from_slice(body).ok()?;
    let field = |name: &str| value.get(name).and_then(Value::as_str).map(str::to_owned);
    Some((field(first)?, field(second)?))
}

/// A header's value as text.
pub(crate) fn header_text<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Whether the request's content type is `expected` (parameters such as `charset` ignored).
pub(crate) fn content_type_is(headers: &HeaderMap, expected: &str) -> bool {
    header_text(headers, header::CONTENT_TYPE.as_str())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case(expected))
}

/// A form or query string as name/value pairs, in order.
pub(crate) fn pairs(encoded: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(encoded).into_owned().collect()
}

/// The first value of `name`.
pub(crate) fn param<'p>(pairs: &'p [(String, String)], name: &str) -> Option<&'p str> {
    pairs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// Whether `text` is an MD5 digest as vendors want it: 32 lower-case hex digits.
pub(crate) fn is_md5_hex(text: &str) -> bool {
    text.len() == 32
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The MD5 of `text` in 32 lower-case hex digits, computed by the sandbox itself.
pub(crate) fn md5_hex(text: &str) -> String {
    use md5::{Digest, Md5};
    hex::encode(Md5::digest(text.as_bytes()))
}
