//! What an HTTP status alone says about an answer, the same for a login and a business call.

use std::time::Duration;

use crate::error::{Error, TransientKind, VendorSaid};

/// The error a status stands for, whatever the body: 429 is a rate limit (with the delay the
/// vendor asked for), 408 and 5xx a transient failure. `None` for every other status, which the
/// body decides. `said` reads what the vendor said, only when it is needed.
pub(crate) fn status_error(
    vendor: &'static str,
    status: u16,
    retry_after: Option<Duration>,
    said: impl FnOnce() -> VendorSaid,
) -> Option<Error> {
    match status {
        429 => Some(Error::RateLimited {
            vendor,
            status,
            retry_after,
            said: said(),
        }),
        408 | 500..=599 => Some(Error::Transient {
            vendor,
            kind: TransientKind::Status(status),
            said: said(),
            source: None,
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorClass;

    #[test]
    fn statuses_and_their_classes() {
        let class =
            |status| status_error("V", status, None, VendorSaid::default).map(|e| e.class());
        assert_eq!(class(429), Some(ErrorClass::RateLimited));
        for transient in [408, 500, 502, 503, 504, 599] {
            assert_eq!(class(transient), Some(ErrorClass::Transient), "{transient}");
        }
        for decided_by_the_body in [200, 201, 301, 400, 401, 403, 404, 409] {
            assert_eq!(class(decided_by_the_body), None, "{decided_by_the_body}");
        }
        let delay = Some(Duration::from_secs(7));
        let limited = status_error("V", 429, delay, VendorSaid::default).unwrap();
        assert_eq!(limited.retry_after(), delay);
    }
}
