//! Text from outside (a store's labels, a server's error message) made safe to print on a
//! terminal: it can neither drive the terminal nor start a line of its own.

/// `text` for a terminal: a character that is not printable (C0 and C1 controls, DEL, line and
/// paragraph separators, format characters such as bidi overrides) is written as its escape
/// (`\u{1b}`, `\n`), and `\` as `\\`, so a stored label can neither drive the terminal nor
/// forge a row.
pub fn visible(text: &str) -> String {
    let mut shown = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => shown.push_str("\\\\"),
            // Quotes print as they are; `escape_debug` would escape them for Rust's literals.
            '"' | '\'' => shown.push(c),
            _ => shown.extend(c.escape_debug()),
        }
    }
    shown
}

/// A JSON text for a terminal: every character [`visible`] would escape is written as a JSON
/// `\uXXXX` escape (serde escapes only those below U+0020), so the document means the same and
/// can no longer drive the terminal it is printed on.
pub fn json(text: &str) -> String {
    let mut shown = String::with_capacity(text.len());
    for c in text.chars() {
        let plain = c == '\\' || c == '"' || c == '\'' || c.escape_debug().count() == 1;
        if plain {
            shown.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                shown.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    shown
}

/// `text` on one line: its lines joined by a space, then [`visible`].
pub fn one_line(text: &str) -> String {
    let joined: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    visible(&joined.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_keeps_its_meaning_and_loses_what_drives_a_terminal() {
        let value = serde_json::json!({"label": "a\u{9b}b\u{202e}c\\d\"e ü\u{1b}"});
        let shown = json(&value.to_string());
        assert!(shown.is_ascii() || shown.contains('ü'), "{shown}");
        assert!(
            !shown.contains('\u{9b}') && !shown.contains('\u{202e}'),
            "{shown}"
        );
        assert!(
            shown.contains("\\u009b") && shown.contains("\\u202e"),
            "{shown}"
        );
        let back: serde_json::Value = serde_json::from_str(&shown).unwrap();
        assert_eq!(back, value);
    }

    #[test]
    fn what_a_terminal_would_act_on_is_escaped() {
        assert_eq!(
            visible("a\u{1b}]0;owned\u{7}b\n\r\u{9b}c\u{7f}\u{202e}d\\e \"f\" g's ü"),
            r#"a\u{1b}]0;owned\u{7}b\n\r\u{9b}c\u{7f}\u{202e}d\\e "f" g's ü"#
        );
    }

    #[test]
    fn a_message_of_many_lines_is_one() {
        assert_eq!(
            one_line("Parse error at 1\nUnexpected `84`\r\n\nUnexpected \u{1b}[2J\n"),
            r"Parse error at 1 Unexpected `84` Unexpected \u{1b}[2J"
        );
    }
}
