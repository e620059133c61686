//! Keeps secrets out of what vendors echo back in their error messages.

use std::borrow::Cow;

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
        if secret.len() >= MIN_SECRET_LEN {
            self.secrets.push(secret.to_owned());
        }
    }

    /// The message with every secret replaced and its length capped.
    pub(crate) fn clean(&self, message: &str) -> String {
        let mut text: Cow<'_, str> = Cow::Borrowed(message);
        for secret in &self.secrets {
            if text.contains(secret.as_str()) {
                text = Cow::Owned(text.replace(secret.as_str(), "[redacted]"));
            }
        }
        let cleaned: String = text.chars().filter(|c| !c.is_control()).collect();
        if cleaned.chars().count() > MAX_MESSAGE_CHARS {
            let cut: String = cleaned.chars().take(MAX_MESSAGE_CHARS).collect();
            format!("{cut}…")
        } else {
            cleaned
        }
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
}
