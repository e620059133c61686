//! A token ready to put on a request, with the instants at which to renew it and stop using it.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderName, HeaderValue};
use tokio::time::Instant;

use crate::login::Issued;
use crate::secret::Secret;

/// An access token, prepared in the exact form later requests carry it.
///
/// Its `Debug` shows when it expires and how it is sent, never the token itself.
pub struct Token {
    secret: Secret,
    scheme: Option<String>,
    placement: TokenPlacement,
    /// The header's value (scheme and token), when the token goes in a header.
    header_value: Option<HeaderValue>,
    refresh_token: Option<Secret>,
    /// When that refresh token stops being accepted, if known.
    refresh_expires_at: Option<SystemTime>,
    /// The account the vendor said the token acts for, where the endpoint declares where.
    account: Option<Arc<str>>,
    lifetime: Duration,
    times: Deadlines,
    /// Set after a look at both clocks found it fresh; cleared by the session's renewer, which
    /// looks again at least every [`Deadlines::watch_interval`]. While the renewer watches, the
    /// hit path trusts it instead of reading the clocks itself.
    verified_fresh: AtomicBool,
}

/// Where a session puts its tokens, resolved from the declaration's [`SendAs`] (or the
/// builder's override) once, when the session is built. A header keeps the spelling it was
/// declared with, since `HeaderName` is lower case and people copy what they are shown into
/// scripts and documents.
///
/// [`SendAs`]: crate::spec::SendAs
#[derive(Debug, Clone)]
pub(crate) enum TokenPlacement {
    /// The header, and its name as the vendor documents it.
    Header(HeaderName, Arc<str>),
    /// The (signed) parameter.
    Query(Arc<str>),
}

impl TokenPlacement {
    /// A header named `name`, or `None` when it cannot be one.
    pub(crate) fn header(name: &str) -> Option<Self> {
        HeaderName::from_bytes(name.as_bytes())
            .ok()
            .map(|header| TokenPlacement::Header(header, name.into()))
    }
}

/// When a token should be renewed and when it must no longer be sent, as offsets from when it
/// was obtained, checked on both clocks: the monotonic one (immune to clock changes) and the
/// wall clock (which keeps running while a machine is suspended and the monotonic clock stands
/// still). Whichever clock shows more time passed wins.
///
/// The offsets are atomics so that a sliding token (IceKredit) can be extended by each use
/// without a lock on the hit path.
#[derive(Debug)]
pub(crate) struct Deadlines {
    base: Instant,
    wall_base: SystemTime,
    renew_after: AtomicU64,
    use_for: AtomicU64,
    expires_after: AtomicU64,
    /// For sliding tokens: how long each use keeps it usable.
    slide: Option<Duration>,
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

impl Deadlines {
    pub(crate) fn new(
        (base, wall_base): (Instant, SystemTime),
        renew_after: Duration,
        use_for: Duration,
        lifetime: Duration,
        sliding: bool,
    ) -> Self {
        Deadlines {
            base,
            wall_base,
            renew_after: AtomicU64::new(nanos(renew_after)),
            use_for: AtomicU64::new(nanos(use_for)),
            expires_after: AtomicU64::new(nanos(lifetime)),
            slide: sliding.then_some(use_for),
        }
    }

    fn elapsed(&self, now: Instant, wall: SystemTime) -> u64 {
        let monotonic = now.saturating_duration_since(self.base);
        let wall = wall
            .duration_since(self.wall_base)
            .unwrap_or(Duration::ZERO);
        nanos(monotonic.max(wall))
    }

    /// How long until the token should be renewed (zero if due).
    pub(crate) fn until_renewal(&self, now: Instant, wall: SystemTime) -> Duration {
        let left = self
            .renew_after
            .load(Ordering::Relaxed)
            .saturating_sub(self.elapsed(now, wall));
        Duration::from_nanos(left)
    }

    pub(crate) fn is_sliding(&self) -> bool {
        self.slide.is_some()
    }

    /// How often the renewer looks at the clocks while it watches a token: a quarter of the
    /// safety margin between "stop sending" and the vendor's expiry, between 50 ms and 30 s, so
    /// a verdict the hit path trusts is never older than the margin allows.
    pub(crate) fn watch_interval(&self) -> Duration {
        let margin = self
            .expires_after
            .load(Ordering::Relaxed)
            .saturating_sub(self.use_for.load(Ordering::Relaxed));
        Duration::from_nanos(margin / 4).clamp(Duration::from_millis(50), Duration::from_secs(30))
    }

    /// A sliding token was just used successfully: it stays usable `slide` from now.
    pub(crate) fn touch(&self, now: Instant, wall: SystemTime) {
        if let Some(slide) = self.slide {
            let elapsed = self.elapsed(now, wall);
            let until = elapsed.saturating_add(nanos(slide));
            // The safety margin between "stop sending" and the vendor's expiry stays the same.
            let margin = self
                .expires_after
                .load(Ordering::Relaxed)
                .saturating_sub(self.use_for.load(Ordering::Relaxed));
            self.expires_after
                .fetch_max(until.saturating_add(margin), Ordering::Relaxed);
            self.use_for.fetch_max(until, Ordering::Relaxed);
            self.renew_after.fetch_max(until, Ordering::Relaxed);
        }
    }

    fn at(&self, offset: &AtomicU64) -> SystemTime {
        self.wall_base + Duration::from_nanos(offset.load(Ordering::Relaxed))
    }
}

/// Where a cached token stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Freshness {
    Fresh,
    RenewDue,
    Expired,
}

impl Token {
    /// A token as the vendor issued it, carried as `placement` says (with the header's value
    /// when it goes in a header), renewed and retired by `times`.
    pub(crate) fn new(
        issued: Issued,
        placement: TokenPlacement,
        header_value: Option<HeaderValue>,
        times: Deadlines,
    ) -> Self {
        Token {
            secret: issued.token,
            scheme: issued.scheme,
            placement,
            header_value,
            refresh_token: issued.refresh_token,
            refresh_expires_at: issued.refresh_expires_at,
            account: issued.account.map(Arc::from),
            lifetime: issued.lifetime,
            times,
            verified_fresh: AtomicBool::new(false),
        }
    }

    /// The scheme the vendor named for it (`Bearer`), if any.
    pub fn scheme(&self) -> Option<&str> {
        self.scheme.as_deref()
    }

    /// The token exactly as the vendor returned it.
    pub fn secret(&self) -> &Secret {
        &self.secret
    }

    /// The header later requests carry (`Authorization: Bearer ...`), when the vendor takes the
    /// token in a header. The value is marked sensitive.
    pub fn header(&self) -> Option<(&HeaderName, &HeaderValue)> {
        match &self.placement {
            TokenPlacement::Header(name, _) => Some((name, self.header_value.as_ref()?)),
            TokenPlacement::Query(_) => None,
        }
    }

    /// The header name as the vendor documents it (`Authorization`, `accessToken`), for showing
    /// to people; [`header`](Self::header) has it in HTTP's lower case.
    pub fn header_name_as_documented(&self) -> Option<&str> {
        match &self.placement {
            TokenPlacement::Header(_, spelled) => Some(spelled),
            TokenPlacement::Query(_) => None,
        }
    }

    /// The account the vendor said this token acts for (IOP's `seller_id`), where the endpoint
    /// declares where the answer names it.
    pub fn account(&self) -> Option<&str> {
        self.account.as_deref()
    }

    /// The parameter later requests carry (`access_token=...`), when the vendor takes the token
    /// as a (signed) parameter.
    pub fn query_param(&self) -> Option<(&str, &str)> {
        match &self.placement {
            TokenPlacement::Query(name) => Some((name.as_ref(), self.secret.expose())),
            TokenPlacement::Header(..) => None,
        }
    }

    /// The refresh token the vendor returned with this token, if any.
    pub fn refresh_token(&self) -> Option<&Secret> {
        self.refresh_token.as_ref()
    }

    /// When the [refresh token](Self::refresh_token) that came with this token stops being
    /// accepted (wall clock), as the answer said or the vendor documents
    /// (`refresh_lifetime = ...` in the declaration). `None` when that is unknown, when the
    /// vendor states no expiry (`never`), or when no refresh token came with this token (a
    /// refresh answer that keeps the previous one: the session keeps its expiry beside it). A
    /// time already past means the vendor said the refresh token cannot be used.
    pub fn refresh_expires_at(&self) -> Option<SystemTime> {
        self.refresh_expires_at
    }

    /// The lifetime the vendor gave.
    pub fn lifetime(&self) -> Duration {
        self.lifetime
    }

    /// When the vendor will stop accepting it (wall clock); a sliding token's moves with use.
    pub fn expires_at(&self) -> SystemTime {
        self.times.at(&self.times.expires_after)
    }

    /// When the session will stop handing it out and log in again (wall clock).
    pub fn use_until(&self) -> SystemTime {
        self.times.at(&self.times.use_for)
    }

    pub(crate) fn deadlines(&self) -> &Deadlines {
        &self.times
    }

    /// Whether a recent look at the clocks found it fresh (see `verified_fresh`).
    pub(crate) fn verified_fresh(&self) -> bool {
        self.verified_fresh.load(Ordering::Relaxed)
    }

    pub(crate) fn set_verified_fresh(&self, fresh: bool) {
        self.verified_fresh.store(fresh, Ordering::Relaxed);
    }

    pub(crate) fn freshness(&self, now: Instant, wall: SystemTime) -> Freshness {
        let t = &self.times;
        let elapsed = t.elapsed(now, wall);
        if elapsed >= t.use_for.load(Ordering::Relaxed) {
            Freshness::Expired
        } else if elapsed >= t.renew_after.load(Ordering::Relaxed) {
            Freshness::RenewDue
        } else {
            Freshness::Fresh
        }
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sent_as = match &self.placement {
            TokenPlacement::Header(_, spelled) => format!("header {spelled}"),
            TokenPlacement::Query(name) => format!("parameter {name}"),
        };
        f.debug_struct("Token")
            .field("token", &"[redacted]")
            .field("sent_as", &sent_as)
            .field("lifetime", &self.lifetime)
            .field("expires_at", &self.expires_at())
            .field("has_refresh_token", &self.refresh_token.is_some())
            .field("refresh_expires_at", &self.refresh_expires_at)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: fn(u64) -> Duration = Duration::from_secs;

    fn issued(token: &str, refresh_token: Option<&str>, lifetime: Duration) -> Issued {
        Issued {
            token: Secret::from(token),
            scheme: None,
            lifetime,
            refresh_token: refresh_token.map(Secret::from),
            refresh_expires_at: None,
            account: None,
        }
    }

    fn token(sliding: bool) -> (Token, Instant, SystemTime) {
        let now = Instant::now();
        let wall = SystemTime::now();
        let times = Deadlines::new((now, wall), S(80), S(90), S(100), sliding);
        (
            Token::new(
                issued("t", None, S(100)),
                TokenPlacement::Query("access_token".into()),
                None,
                times,
            ),
            now,
            wall,
        )
    }

    #[test]
    fn whichever_clock_passes_first_wins() {
        let (t, now, wall) = token(false);
        assert_eq!(t.freshness(now, wall), Freshness::Fresh);
        // Monotonic clock alone.
        assert_eq!(t.freshness(now + S(85), wall), Freshness::RenewDue);
        assert_eq!(t.freshness(now + S(90), wall), Freshness::Expired);
        // A suspended machine: the monotonic clock stood still, the wall clock moved on.
        assert_eq!(t.freshness(now, wall + S(85)), Freshness::RenewDue);
        assert_eq!(t.freshness(now, wall + S(3600)), Freshness::Expired);
        // A wall clock set back does not make a token younger than the monotonic clock says.
        assert_eq!(t.freshness(now + S(95), wall - S(3600)), Freshness::Expired);
        assert_eq!(t.deadlines().until_renewal(now + S(30), wall), S(50));
    }

    #[test]
    fn a_sliding_token_lives_on_with_use_and_lapses_when_idle() {
        let (t, now, wall) = token(true);
        let expires = t.expires_at();
        t.deadlines().touch(now + S(60), wall);
        assert_eq!(
            t.freshness(now + S(140), wall),
            Freshness::Fresh,
            "used at 60 s: usable until 150 s"
        );
        assert_eq!(t.expires_at(), expires + S(60));
        assert_eq!(
            t.freshness(now + S(150), wall),
            Freshness::Expired,
            "idle since 60 s"
        );
        let (fixed, now, wall) = token(false);
        fixed.deadlines().touch(now + S(60), wall);
        assert_eq!(
            fixed.freshness(now + S(95), wall),
            Freshness::Expired,
            "only sliding tokens slide"
        );
    }

    #[test]
    fn debug_shows_placement_not_the_token() {
        let times = Deadlines::new((Instant::now(), SystemTime::now()), S(1), S(1), S(1), false);
        let t = Token::new(
            issued("s3cr3t-token", Some("r3fr3sh"), S(1)),
            TokenPlacement::Query("access_token".into()),
            None,
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
