//! When the refresh token of a login answer dies, as its declaration says to read it.
//!
//! Unlike the access token's lifetime, nothing here fails a login: the answer already holds a
//! usable token and a refresh token, and the code that bought them cannot be sent again. A value
//! that cannot be a lifetime leaves the expiry unknown, with a warning naming the field.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::json::lookup;
use crate::spec::{FieldPath, LoginSpec, RefreshLifetime};

/// Ten years: a refresh "duration" longer than this can only be a Unix time misdeclared.
const LONGEST_DURATION: Duration = Duration::from_secs(10 * 365 * 24 * 3600);

/// A thousand years: an expiry further away is not a time any vendor means (TikTok Shop's are
/// about a hundred years out), and would overflow some clocks.
const FURTHEST_EXPIRY: Duration = Duration::from_secs(1000 * 365 * 24 * 3600);

/// When the refresh token of the answer `json`, sent at `sent_at`, stops being accepted:
/// `None` when unknown or never.
pub(crate) fn refresh_expiry(
    spec: &LoginSpec,
    json: &Value,
    sent_at: SystemTime,
) -> Option<SystemTime> {
    let (path, millis, absolute) = match spec.refresh_lifetime? {
        RefreshLifetime::Never => return None,
        RefreshLifetime::Fixed(lifetime) => return sent_at.checked_add(lifetime),
        RefreshLifetime::Seconds(path) => (path, false, false),
        RefreshLifetime::Millis(path) => (path, true, false),
        RefreshLifetime::UnixSeconds(path) => (path, false, true),
        RefreshLifetime::UnixMillis(path) => (path, true, true),
    };
    let value = lookup(json, path).filter(|v| !v.is_null())?;
    let Some(n) = signed_number(value) else {
        return unknown(spec, path, "it is not a whole number");
    };
    // IOP: "used to refresh the token when refresh_expires_in > 0"; zero or less is spent.
    if n <= 0 {
        return Some(if absolute { UNIX_EPOCH } else { sent_at });
    }
    let Ok(n) = u64::try_from(n) else {
        return unknown(spec, path, "it is too large to be a time");
    };
    let number = if millis {
        Duration::from_millis(n)
    } else {
        Duration::from_secs(n)
    };
    let expiry = if absolute {
        UNIX_EPOCH.checked_add(number)
    } else if number > LONGEST_DURATION {
        return unknown(
            spec,
            path,
            "a duration of more than ten years is a Unix time",
        );
    } else {
        sent_at.checked_add(number)
    };
    // A Unix time already past for a refresh token just issued is more likely a duration the
    // vendor sent where a time was declared: unknown, rather than a seller given up at once.
    if absolute && expiry.is_some_and(|expiry| expiry <= sent_at) {
        return unknown(
            spec,
            path,
            "a refresh token just issued cannot have expired already",
        );
    }
    let furthest = sent_at.checked_add(FURTHEST_EXPIRY);
    match (expiry, furthest) {
        (Some(expiry), Some(furthest)) if expiry <= furthest => Some(expiry),
        _ => unknown(spec, path, "it is more than a thousand years away"),
    }
}

/// A whole number, as a JSON number or a string of digits with an optional sign.
fn signed_number(value: &Value) -> Option<i128> {
    match value {
        Value::Number(n) => n
            .as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from))
            .or_else(|| {
                let f = n.as_f64()?;
                match f {
                    _ if f.fract() != 0.0 => None,
                    // Only the sign of a huge negative number matters: it is spent.
                    _ if f < 0.0 => Some(-1),
                    // Within what a u64 holds; beyond is absurd, and unknown.
                    _ if f < 1.0e19 => Some(f as i128),
                    _ => None,
                }
            }),
        Value::String(s) => s.trim().parse::<i128>().ok(),
        _ => None,
    }
}

fn unknown(spec: &LoginSpec, path: FieldPath, why: &str) -> Option<SystemTime> {
    tracing::warn!(
        vendor = spec.vendor,
        field = %path,
        reason = why,
        "the refresh token's lifetime was not understood; its expiry is unknown"
    );
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Lifetime;
    use serde_json::json;

    fn spec(lifetime: RefreshLifetime) -> LoginSpec {
        LoginSpec::new(
            "V",
            "/t",
            FieldPath::new(&["t"]),
            Lifetime::Seconds(FieldPath::new(&["e"])),
        )
        .refresh_lifetime(lifetime)
    }

    const R: FieldPath = FieldPath::new(&["r"]);
    const S: fn(u64) -> Duration = Duration::from_secs;

    fn read(lifetime: RefreshLifetime, r: Value, sent: SystemTime) -> Option<SystemTime> {
        refresh_expiry(&spec(lifetime), &json!({ "r": r }), sent)
    }

    #[test]
    fn each_form_reads_as_the_vendor_means_it() {
        let sent = UNIX_EPOCH + S(1_700_000_000);
        assert_eq!(
            read(RefreshLifetime::Seconds(R), json!(60), sent),
            Some(sent + S(60))
        );
        assert_eq!(
            read(RefreshLifetime::Seconds(R), json!(" 60 "), sent),
            Some(sent + S(60)),
            "AliExpress sends numbers as strings"
        );
        assert_eq!(
            read(RefreshLifetime::Millis(R), json!(60_000), sent),
            Some(sent + S(60))
        );
        assert_eq!(
            read(
                RefreshLifetime::UnixSeconds(R),
                json!(4_903_858_076u64),
                sent
            ),
            Some(UNIX_EPOCH + S(4_903_858_076)),
            "TikTok Shop's, a century out"
        );
        assert_eq!(
            read(RefreshLifetime::UnixMillis(R), json!("1800000000000"), sent),
            Some(UNIX_EPOCH + S(1_800_000_000))
        );
        // A past Unix time for a refresh token just issued is suspect (a duration where a time
        // was declared would read so): unknown, so the refresh is still tried once.
        assert_eq!(
            read(
                RefreshLifetime::UnixSeconds(R),
                json!(1_691_487_031u64),
                sent
            ),
            None
        );
        let fixed = RefreshLifetime::Fixed(S(30 * 86_400));
        assert_eq!(read(fixed, json!(null), sent), Some(sent + S(2_592_000)));
        assert_eq!(read(RefreshLifetime::Never, json!(60), sent), None);
        let undeclared = LoginSpec::new("V", "/t", R, Lifetime::JwtExp);
        assert_eq!(refresh_expiry(&undeclared, &json!({"r": 60}), sent), None);
    }

    #[test]
    fn zero_or_less_is_spent_and_nonsense_is_unknown_never_a_panic() {
        let sent = UNIX_EPOCH + S(1_700_000_000);
        for spent in [json!(0), json!("0"), json!(-5), json!("-5"), json!(-1e300)] {
            assert_eq!(
                read(RefreshLifetime::Seconds(R), spent.clone(), sent),
                Some(sent),
                "{spent}"
            );
            assert_eq!(
                read(RefreshLifetime::UnixSeconds(R), spent.clone(), sent),
                Some(UNIX_EPOCH),
                "{spent}"
            );
        }
        for nonsense in [
            json!("soon"),
            json!(1.5),
            json!(true),
            json!([60]),
            json!({"s": 60}),
            json!(u64::MAX),
            json!(1e300),
            json!("123456789012345678901234567890"),
            json!(1_700_000_000u64),
        ] {
            for form in [RefreshLifetime::Seconds(R), RefreshLifetime::Millis(R)] {
                let read = read(form, nonsense.clone(), sent);
                // Milliseconds may take 1.7e9 as 20 days; anything else is unknown.
                assert!(
                    read.is_none() || nonsense == json!(1_700_000_000u64),
                    "{nonsense}"
                );
            }
            assert_eq!(
                read(RefreshLifetime::UnixSeconds(R), nonsense.clone(), sent).filter(|_| {
                    // Unix seconds of 1.7e9 is simply a time.
                    nonsense != json!(1_700_000_000u64)
                }),
                None,
                "{nonsense}"
            );
        }
        assert_eq!(read(RefreshLifetime::Seconds(R), json!(null), sent), None);
        let absent = refresh_expiry(&spec(RefreshLifetime::Seconds(R)), &json!({}), sent);
        assert_eq!(absent, None);
        // Near the end of what a clock holds: unknown, not an overflow.
        let late = UNIX_EPOCH + S(u64::MAX / 4);
        assert_eq!(
            read(RefreshLifetime::Fixed(S(u64::MAX / 2)), json!(null), late),
            None
        );
    }

    proptest::proptest! {
        /// Any JSON scalar in the field gives a time or none, and never a panic; a number and
        /// its digit string read alike.
        #[test]
        fn any_value_is_a_time_or_unknown(n: i64, f: f64, text in "\\PC{0,24}") {
            let sent = UNIX_EPOCH + S(1_700_000_000);
            for form in [
                RefreshLifetime::Seconds(R),
                RefreshLifetime::Millis(R),
                RefreshLifetime::UnixSeconds(R),
                RefreshLifetime::UnixMillis(R),
            ] {
                proptest::prop_assert_eq!(
                    read(form, json!(n), sent),
                    read(form, json!(n.to_string()), sent)
                );
                let _ = read(form, json!(f), sent);
                let _ = read(form, json!(text.clone()), sent);
            }
        }
    }
}
