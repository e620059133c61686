//! A token ready to put on a request, with the instants at which to renew it and stop using it.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderName, HeaderValue};
use tokio::time::Instant;

use crate::secret::Secret;

/// An access token, prepared in the exact form later requests carry it.
///
/// Its `Debug` shows when it expires and how it is sent, never the token itself.
pub struct Token {
    secret: Secret,
    placement: Placement,
    refresh_token: Option<Secret>,
    lifetime: Duration,
    times: Deadlines,
}

enum Placement {
    Header(HeaderName, HeaderValue),
    Query(Arc<str>),
}

/// Where a session puts its tokens: decided once, when the session is built.
#[derive(Debug, Clone)]
pub(crate) enum TokenPlacement {
    Header(HeaderName),
    Query(Arc<str>),
}

/// When a token should be renewed and when it must no longer be sent, on both clocks: the
/// monotonic one (immune to clock changes) and the wall clock (which keeps running while a
/// machine is suspended and the monotonic clock stands still). Whichever passes first wins.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Deadlines {
    pub(crate) renew_at: Instant,
    pub(crate) use_until: Instant,
    pub(crate) wall_renew_at: SystemTime,
    pub(crate) wall_use_until: SystemTime,
    pub(crate) wall_expires_at: SystemTime,
}

/// Where a cached token stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Freshness {
    Fresh,
    RenewDue,
    Expired,
}

impl Token {
    pub(crate) fn new_header(
        secret: Secret,
        name: HeaderName,
        value: HeaderValue,
        refresh_token: Option<Secret>,
        lifetime: Duration,
        times: Deadlines,
    ) -> Self {
        Token {
            secret,
            placement: Placement::Header(name, value),
            refresh_token,
            lifetime,
            times,
        }
    }

    pub(crate) fn new_query(
        secret: Secret,
        name: Arc<str>,
        refresh_token: Option<Secret>,
        lifetime: Duration,
        times: Deadlines,
    ) -> Self {
        Token {
            secret,
            placement: Placement::Query(name),
            refresh_token,
            lifetime,
            times,
        }
    }

    /// The token exactly as the vendor returned it.
    pub fn secret(&self) -> &Secret {
        &self.secret
    }

    /// The header later requests carry (`Authorization: Bearer ...`), when the vendor takes the
    /// token in a header. The value is marked sensitive.
    pub fn header(&self) -> Option<(&HeaderName, &HeaderValue)> {
        match &self.placement {
            Placement::Header(name, value) => Some((name, value)),
            Placement::Query(_) => None,
        }
    }

    /// The parameter later requests carry (`access_token=...`), when the vendor takes the token
    /// as a (signed) parameter.
    pub fn query_param(&self) -> Option<(&str, &str)> {
        match &self.placement {
            Placement::Query(name) => Some((name.as_ref(), self.secret.expose())),
            Placement::Header(..) => None,
        }
    }

    /// The refresh token the vendor returned with this token, if any.
    pub fn refresh_token(&self) -> Option<&Secret> {
        self.refresh_token.as_ref()
    }

    /// The lifetime the vendor gave.
    pub fn lifetime(&self) -> Duration {
        self.lifetime
    }

    /// When the vendor will stop accepting it (wall clock).
    pub fn expires_at(&self) -> SystemTime {
        self.times.wall_expires_at
    }

    /// When the session will stop handing it out and log in again (wall clock).
    pub fn use_until(&self) -> SystemTime {
        self.times.wall_use_until
    }

    pub(crate) fn freshness(&self, now: Instant, wall: SystemTime) -> Freshness {
        let t = &self.times;
        if now >= t.use_until || wall >= t.wall_use_until {
            Freshness::Expired
        } else if now >= t.renew_at || wall >= t.wall_renew_at {
            Freshness::RenewDue
        } else {
            Freshness::Fresh
        }
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sent_as = match &self.placement {
            Placement::Header(name, _) => format!("header {name}"),
            Placement::Query(name) => format!("parameter {name}"),
        };
        f.debug_struct("Token")
            .field("token", &"[redacted]")
            .field("sent_as", &sent_as)
            .field("lifetime", &self.lifetime)
            .field("expires_at", &self.times.wall_expires_at)
            .field("has_refresh_token", &self.refresh_token.is_some())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(times: Deadlines) -> Token {
        Token::new_query(
            Secret::from("t"),
            "access_token".into(),
            None,
            Duration::from_secs(100),
            times,
        )
    }

    #[test]
    fn whichever_clock_passes_first_wins() {
        let now = Instant::now();
        let wall = SystemTime::now();
        let t = token(Deadlines {
            renew_at: now + Duration::from_secs(80),
            use_until: now + Duration::from_secs(90),
            wall_renew_at: wall + Duration::from_secs(80),
            wall_use_until: wall + Duration::from_secs(90),
            wall_expires_at: wall + Duration::from_secs(100),
        });
        assert_eq!(t.freshness(now, wall), Freshness::Fresh);
        // Monotonic clock alone.
        assert_eq!(
            t.freshness(now + Duration::from_secs(85), wall),
            Freshness::RenewDue
        );
        assert_eq!(
            t.freshness(now + Duration::from_secs(90), wall),
            Freshness::Expired
        );
        // A suspended machine: the monotonic clock stood still, the wall clock moved on.
        assert_eq!(
            t.freshness(now, wall + Duration::from_secs(85)),
            Freshness::RenewDue
        );
        assert_eq!(
            t.freshness(now, wall + Duration::from_secs(3600)),
            Freshness::Expired
        );
    }

    #[test]
    fn debug_shows_placement_not_the_token() {
        let now = Instant::now();
        let wall = SystemTime::now();
        let times = Deadlines {
            renew_at: now,
            use_until: now,
            wall_renew_at: wall,
            wall_use_until: wall,
            wall_expires_at: wall,
        };
        let t = Token::new_query(
            Secret::from("s3cr3t-token"),
            "access_token".into(),
            Some(Secret::from("r3fr3sh")),
            Duration::from_secs(1),
            times,
        );
        let printed = format!("{t:?}");
        assert!(
            printed.contains("parameter access_token")
                && printed.contains("has_refresh_token: true")
        );
        assert!(
            !printed.contains("s3cr3t") && !printed.contains("r3fr3sh"),
            "{printed}"
        );
        assert_eq!(t.query_param(), Some(("access_token", "s3cr3t-token")));
        assert!(t.header().is_none());
    }
}
