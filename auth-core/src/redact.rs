//! Keeps secrets out of what vendors echo back in their error messages.

use std::borrow::Cow;

use serde_json::Value;

use crate::error::VendorSaid;
use crate::json::{lookup, scalar_text};
use crate::spec::LoginSpec;

const MAX_MESSAGE_CHARS: usize = 200;
/// Shorter values are too likely to match ordinary words to be worth replacing.
const MIN_SECRET_LEN: usize = 4;

/// The secret texts of one login (credentials as sent, and their digests).
#[derive(Default)]
pub(crate) struct Redactor {
    secrets: Vec<String>,
}

impl Redactor {
    pub(crate) fn add(&mut self, secret: &str) {
        // Messages are matched with their control characters removed; so are secrets.
        let visible = visible(secret).into_owned();
        if visible.len() >= MIN_SECRET_LEN {
            self.secrets.push(visible);
        }
    }

    /// The message with every secret replaced and its length capped.
    pub(crate) fn clean(&self, message: &str) -> String {
        // Control characters go first: removed after the secrets, they could join two halves
        // of a secret back together ("pass\u{7f}word"), as fuzzing found.
        let mut text = visible(message);
        for secret in &self.secrets {
            if text.contains(secret.as_str()) {
                text = Cow::Owned(text.replace(secret.as_str(), "[redacted]"));
            }
        }
        if text.chars().count() > MAX_MESSAGE_CHARS {
            let cut: String = text.chars().take(MAX_MESSAGE_CHARS).collect();
            format!("{cut}…")
        } else {
            text.into_owned()
        }
    }
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
        for secret in &mut self.secrets {
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
            "bad password [redacted] for abc"
        );
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
}
