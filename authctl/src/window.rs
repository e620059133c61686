//! Durations as people write them on a command line: `7d`, `12h`, `1h30m`, `90s`, `2w`.

use std::time::Duration;

/// `text` as a duration: whole numbers each followed by a unit (`w`, `d`, `h`, `m`, `s`),
/// summed; for clap's `value_parser`.
pub fn parse(text: &str) -> Result<Duration, String> {
    let bad = || format!("`{text}` is not a duration; write e.g. `7d`, `12h`, `1h30m` or `90s`");
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err(bad());
    }
    let mut total: u64 = 0;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .ok_or_else(|| format!("`{text}` needs a unit after its last number (`7d`, `12h`)"))?;
        let (number, tail) = rest.split_at(digits);
        let number: u64 = number.parse().map_err(|_| bad())?;
        let mut chars = tail.chars();
        let unit = chars.next().ok_or_else(bad)?;
        let seconds = match unit {
            'w' => 7 * 86_400,
            'd' => 86_400,
            'h' => 3600,
            'm' => 60,
            's' => 1,
            _ => return Err(bad()),
        };
        total = number
            .checked_mul(seconds)
            .and_then(|n| total.checked_add(n))
            .ok_or_else(bad)?;
        rest = chars.as_str();
    }
    Ok(Duration::from_secs(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_read_as_people_write_them() {
        let s = Duration::from_secs;
        assert_eq!(parse("7d"), Ok(s(604_800)));
        assert_eq!(parse("12h"), Ok(s(43_200)));
        assert_eq!(parse("1h30m"), Ok(s(5_400)));
        assert_eq!(parse(" 90s "), Ok(s(90)));
        assert_eq!(parse("2w"), Ok(s(1_209_600)));
        assert_eq!(parse("0s"), Ok(s(0)));
        for bad in [
            "",
            "7",
            "d",
            "7 d",
            "7y",
            "-1d",
            "1.5d",
            "99999999999999999999w",
            "7dé",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
