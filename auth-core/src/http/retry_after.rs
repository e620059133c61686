//! `Retry-After`, in both of its forms (RFC 9110 §10.2.3): delay-seconds or an HTTP date.

use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, RETRY_AFTER};

/// How long the answer asks us to wait, counted from `now`; a date in the past means at once.
/// A value in neither form is ignored (the retry policy's own backoff applies).
pub(crate) fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(value: &str) -> HeaderMap {
        let mut map = HeaderMap::new();
        map.insert(RETRY_AFTER, HeaderValue::from_str(value).unwrap());
        map
    }

    #[test]
    fn seconds_and_dates_are_both_read() {
        let now = httpdate::parse_http_date("Tue, 24 Nov 2026 08:00:00 GMT").unwrap();
        assert_eq!(
            retry_after(&headers(" 120 "), now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            retry_after(&headers("Tue, 24 Nov 2026 08:00:30 GMT"), now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            retry_after(&headers("Tue, 24 Nov 2026 07:59:00 GMT"), now),
            Some(Duration::ZERO),
            "a date already past: at once"
        );
        for junk in ["-5", "soon", "1.5", "99999999999999999999999"] {
            assert_eq!(retry_after(&headers(junk), now), None, "{junk}");
        }
        assert_eq!(retry_after(&HeaderMap::new(), now), None);
    }
}
