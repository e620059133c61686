//! Keeps secrets out of what vendors echo back in their error messages.

use std::borrow::Cow;

use serde_json::Value;

use crate::error::VendorSaid;
use crate::json::{lookup, scalar_text};
use crate::spec::LoginSpec;

const MAX_MESSAGE_CHARS: usize = 200;
/// Secrets shorter than this are redacted only where they stand alone (a whole word or the
/// whole value): inside words they are too likely to match ordinary text to be worth replacing.
const MIN_SECRET_LEN: usize = 4;
/// A vendor that cuts a long value short when it echoes it still leaks its start: a run of at
/// least this many leading characters of a secret is redacted like the whole.
const MIN_PREFIX_CHARS: usize = 8;

/// The secret texts of one login (credentials as sent, and their digests), each with the forms a
/// vendor may echo it in.
///
/// Matching ignores ASCII case (a vendor may upper-case what it quotes, and percent-encoding's
/// hex digits come in either case). Each secret is looked for as sent, JSON-escaped,
/// percent-encoded (form and path styles) and base64-encoded (standard and URL-safe, with and
/// without padding); a run of its first [`MIN_PREFIX_CHARS`] characters or more is redacted
/// too.
#[derive(Default)]
pub(crate) struct Redactor {
    /// Secrets of `MIN_SECRET_LEN` characters or more, and their encoded forms, lower-cased.
    forms: Vec<String>,
    /// The secrets themselves, lower-cased, for prefix runs.
    whole: Vec<String>,
    /// Shorter secrets, lower-cased: redacted where they stand alone.
    short: Vec<String>,
}

impl Redactor {
    pub(crate) fn add(&mut self, secret: &str) {
        // Messages are matched with their control characters removed; so are secrets.
        let visible = fold(&visible(secret));
        if visible.is_empty() {
            return;
        }
        if visible.chars().count() < MIN_SECRET_LEN {
            self.short.push(visible);
            return;
        }
        for form in encoded_forms(secret) {
            let form = fold(&visible_owned(form));
            if form.chars().count() >= MIN_SECRET_LEN && !self.forms.contains(&form) {
                self.forms.push(form);
            }
        }
        self.whole.push(visible);
    }

    /// The message with every secret replaced and its length capped.
    pub(crate) fn clean(&self, message: &str) -> String {
        // Control characters go first: removed after the secrets, they could join two halves
        // of a secret back together ("pass\u{7f}word"), as fuzzing found.
        let text = visible(message);
        // Only what can reach the capped output is searched: its characters, and enough after
        // them for a secret that starts inside to be seen whole (a vendor's answer may be long).
        let longest = self
            .forms
            .iter()
            .chain(&self.whole)
            .chain(&self.short)
            .map(|s| s.chars().count())
            .max()
            .unwrap_or(0);
        let window = MAX_MESSAGE_CHARS + longest + 1;
        let (text, cut) = match text.char_indices().nth(window) {
            Some((end, _)) => (text.get(..end).unwrap_or_default(), true),
            None => (&*text, false),
        };
        let mut cleaned = String::with_capacity(text.len());
        let mut at = 0;
        for (start, end) in self.spans(text) {
            cleaned.push_str(text.get(at..start).unwrap_or_default());
            cleaned.push_str("[redacted]");
            at = end;
        }
        cleaned.push_str(text.get(at..).unwrap_or_default());
        if cut || cleaned.chars().count() > MAX_MESSAGE_CHARS {
            let cut: String = cleaned.chars().take(MAX_MESSAGE_CHARS).collect();
            format!("{cut}…")
        } else {
            cleaned
        }
    }

    /// Where secrets stand in `text`, as sorted, merged byte ranges on character boundaries.
    fn spans(&self, text: &str) -> Vec<(usize, usize)> {
        // Compared character by character, each folded to lower case, so that offsets stay
        // those of `text` whatever lower-casing does to lengths.
        let chars: Vec<(usize, char)> = text
            .char_indices()
            .map(|(i, c)| (i, fold_char(c)))
            .collect();
        let end_of = |k: usize| chars.get(k).map_or(text.len(), |&(i, _)| i);
        let mut spans = Vec::new();
        let matches_at = |k: usize, needle: &[char]| {
            chars
                .get(k..k + needle.len())
                .is_some_and(|window| window.iter().map(|&(_, c)| c).eq(needle.iter().copied()))
        };
        for form in &self.forms {
            let needle: Vec<char> = form.chars().collect();
            for k in 0..chars.len() {
                if matches_at(k, &needle) {
                    spans.push((end_of(k), end_of(k + needle.len())));
                }
            }
        }
        for secret in &self.whole {
            let needle: Vec<char> = secret.chars().collect();
            let head = needle.len().min(MIN_PREFIX_CHARS);
            for k in 0..chars.len() {
                if matches_at(k, needle.get(..head).unwrap_or_default()) {
                    let run = chars
                        .get(k..)
                        .unwrap_or_default()
                        .iter()
                        .zip(&needle)
                        .take_while(|((_, a), b)| a == *b)
                        .count();
                    spans.push((end_of(k), end_of(k + run)));
                }
            }
        }
        for secret in &self.short {
            let needle: Vec<char> = secret.chars().collect();
            let alone = |k: Option<usize>| {
                !k.and_then(|k| chars.get(k))
                    .is_some_and(|&(_, c)| c.is_alphanumeric())
            };
            for k in 0..chars.len() {
                if matches_at(k, &needle)
                    && alone(k.checked_sub(1))
                    && alone(Some(k + needle.len()))
                {
                    spans.push((end_of(k), end_of(k + needle.len())));
                }
            }
        }
        spans.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::with_capacity(spans.len());
        for (start, end) in spans {
            match merged.last_mut() {
                Some(last) if start <= last.1 => last.1 = last.1.max(end),
                _ => merged.push((start, end)),
            }
        }
        merged
    }
}

/// A character as matching compares it: its first lower-case character (`İ` to `i`, `Ö` to
/// `ö`), so that a vendor that changed the case of what it quotes is still caught.
fn fold_char(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

fn fold(text: &str) -> String {
    text.chars().map(fold_char).collect()
}

/// The forms a vendor may echo `secret` in, itself included.
fn encoded_forms(secret: &str) -> Vec<String> {
    use base64::Engine as _;
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    let json = serde_json::to_string(secret).unwrap_or_default();
    let json = json
        .strip_prefix('"')
        .and_then(|j| j.strip_suffix('"'))
        .unwrap_or_default()
        .to_owned();
    let form: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
    // As JSON encoders that write ASCII only (Python's `json.dumps`) escape the rest.
    let ascii_json: String = json
        .chars()
        .flat_map(|c| {
            let mut units = [0u16; 2];
            let escaped: Vec<String> = if c.is_ascii() {
                vec![c.to_string()]
            } else {
                c.encode_utf16(&mut units)
                    .iter()
                    .map(|u| format!("\\u{u:04x}"))
                    .collect()
            };
            escaped
        })
        .collect();
    // RFC 3986 (JavaScript's `encodeURIComponent` keeps `!'()*` too; both are looked for).
    let strict: String = secret
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    let component = ['!', '\'', '(', ')', '*']
        .into_iter()
        .fold(strict.clone(), |text, kept| {
            text.replace(&format!("%{:02X}", u32::from(kept)), &kept.to_string())
        });
    // As an HTML or XML page quotes it.
    let html = secret
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;");
    let mut forms = vec![
        secret.to_owned(),
        html.replace('\'', "&#39;"),
        html.replace('\'', "&#x27;"),
        strict,
        component,
        ascii_json,
        json.replace('/', "\\/"),
        json,
        form.replace('+', "%20"),
        form,
    ];
    for engine in [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD] {
        forms.push(engine.encode(secret.as_bytes()));
    }
    forms
}

/// What the vendor said in an answer (its declared error code and message), cleaned of every
/// secret `redactor` knows: logins and business calls read it alike.
pub(crate) fn vendor_said(spec: &LoginSpec, json: &Value, redactor: &Redactor) -> VendorSaid {
    let code = spec
        .error_code
        .and_then(|path| lookup(json, path))
        .and_then(scalar_text)
        .map(|code| redactor.clean(&code));
    let message = spec
        .error_message
        .iter()
        .find_map(|path| lookup(json, *path).and_then(scalar_text))
        .map(|message| redactor.clean(&message));
    VendorSaid { code, message }
}

fn visible_owned(text: String) -> String {
    match visible(&text) {
        Cow::Borrowed(_) => text,
        Cow::Owned(cleaned) => cleaned,
    }
}

/// `text` without its control characters (borrowed when it has none).
fn visible(text: &str) -> Cow<'_, str> {
    if text.chars().any(char::is_control) {
        Cow::Owned(text.chars().filter(|c| !c.is_control()).collect())
    } else {
        Cow::Borrowed(text)
    }
}

impl Drop for Redactor {
    fn drop(&mut self) {
        for secret in self
            .forms
            .iter_mut()
            .chain(&mut self.whole)
            .chain(&mut self.short)
        {
            // Overwrite before freeing so the copies do not linger in freed memory.
            secrecy::zeroize::Zeroize::zeroize(secret);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echoed_secrets_are_replaced_and_long_messages_cut() {
        let mut r = Redactor::default();
        r.add("hunter22");
        r.add("abc");
        assert_eq!(
            r.clean("bad password hunter22 for abc"),
            "bad password [redacted] for [redacted]"
        );
        // A short secret inside a word is left: "abc" is too common to hunt for everywhere.
        assert_eq!(r.clean("abcdef"), "abcdef");
        let long = "é".repeat(500);
        assert_eq!(r.clean(&long).chars().count(), MAX_MESSAGE_CHARS + 1);
        assert_eq!(r.clean("line\nbreak"), "linebreak");
    }

    #[test]
    fn control_characters_cannot_split_a_secret_past_the_redaction() {
        let mut r = Redactor::default();
        r.add("fuzz-password");
        r.add("tab\tsecret");
        // The shape of the input libFuzzer found: DEL characters inside an echoed secret.
        let echoed = "x fuzz-pass\u{7f}\u{7f}word y tab\tsecret z";
        let cleaned = r.clean(echoed);
        assert_eq!(cleaned, "x [redacted] y [redacted] z");
    }

    #[test]
    fn encoded_forms_of_a_secret_are_redacted() {
        use base64::Engine as _;
        let secret = "p@ss/wörd \"42\"+&=";
        let mut r = Redactor::default();
        r.add(secret);
        let json = serde_json::to_string(secret).unwrap();
        let json = json.trim_matches('"');
        let percent: String = url::form_urlencoded::byte_serialize(secret.as_bytes()).collect();
        let b64 = base64::engine::general_purpose::STANDARD.encode(secret);
        let b64url = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(secret);
        let echoes = [
            "p@ss/wörd &quot;42&quot;+&amp;=".to_owned(),
            "p%40ss%2Fw%C3%B6rd%20%2242%22%2B%26%3D".to_owned(),
            json.to_owned(),
            json.replace('ö', "\\u00F6"),
            json.replace('/', "\\/"),
            percent.clone(),
            percent.replace('+', "%20"),
            percent.to_lowercase(),
            secret.to_uppercase(),
            b64,
            b64url,
        ];
        for echo in echoes {
            let cleaned = r.clean(&format!("bad value <{echo}> here"));
            assert_eq!(cleaned, "bad value <[redacted]> here", "{echo}");
        }
    }

    #[test]
    fn a_prefix_of_a_long_secret_is_redacted_and_a_short_one_where_it_stands_alone() {
        let mut r = Redactor::default();
        r.add("Atzr|IwEBIA-long-refresh-token-value");
        r.add("q7");
        assert_eq!(
            r.clean("token Atzr|IwEBIA-long-ref... expired"),
            "token [redacted]... expired"
        );
        // Fewer than eight leading characters are ordinary text.
        assert_eq!(r.clean("Atzr|Iw"), "Atzr|Iw");
        assert_eq!(r.clean("code=q7"), "code=[redacted]");
        assert_eq!(r.clean("q7"), "[redacted]");
        assert_eq!(r.clean("\"q7\" is wrong"), "\"[redacted]\" is wrong");
        assert_eq!(r.clean("q77 and aq7"), "q77 and aq7");
    }

    #[test]
    fn the_base64_of_a_basic_header_is_redacted_however_it_is_quoted() {
        let header = crate::login::supplied::basic("my-client-id", "my-client-secret");
        let encoded = header.strip_prefix("Basic ").unwrap();
        let mut r = Redactor::default();
        r.add("my-client-secret");
        r.add(encoded);
        for echo in [
            header.clone(),
            header.to_lowercase(),
            encoded.replace('=', "%3D"),
            format!("{{\"authorization\":\"{header}\"}}"),
        ] {
            let cleaned = r.clean(&echo);
            assert!(!cleaned.contains("bXktY2xpZW50"), "{echo} -> {cleaned}");
        }
    }
}
