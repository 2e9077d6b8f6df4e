//! Writing YAML by hand, safely: every scalar goes through [`scalar`], which
//! leaves it plain only when no YAML reader can take it for anything but
//! that string, and double-quotes it with escapes otherwise. Imported text
//! is untrusted (names, descriptions, tags from a catalog), so no value can
//! start a key, a comment, a document or a line of its own.

/// Words YAML 1.1 or 1.2 readers take for null, booleans or special
/// numbers; quoted so that every reader sees a string.
const RESERVED: &[&str] = &[
    "null", "true", "false", "yes", "no", "on", "off", "y", "n", "nan", "inf",
];

/// `text` as a YAML scalar: plain when it is a simple word (letters, digits,
/// `-`, `_`, `.`, starting with a letter, not a reserved word), otherwise
/// double-quoted.
pub fn scalar(text: &str) -> String {
    let mut bytes = text.bytes();
    let plain = bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        && !RESERVED.contains(&text.to_ascii_lowercase().as_str());
    if plain { text.to_string() } else { quoted(text) }
}

/// `text` double-quoted: `"` and `\` escaped, and every character YAML may
/// not hold as itself or that would change how the text shows (controls,
/// line breaks, bidi overrides, the byte order mark) as a `\u` escape.
pub fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if crate::text::unsafe_char(c) || matches!(c, '\u{FFFE}' | '\u{FFFF}') => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A comment line: the text made safe for one line (no line break can end
/// the comment and start YAML).
pub fn comment(text: &str) -> String {
    format!("# {}\n", crate::text::shown(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_stay_plain_and_everything_else_is_quoted() {
        assert_eq!(scalar("checkout"), "checkout");
        assert_eq!(scalar("use1-az1"), "use1-az1");
        assert_eq!(scalar("component:default/x"), "\"component:default/x\"");
        assert_eq!(scalar("no"), "\"no\"");
        assert_eq!(scalar("NULL"), "\"NULL\"");
        assert_eq!(scalar("1e3"), "\"1e3\"");
        assert_eq!(scalar(""), "\"\"");
        assert_eq!(scalar("a: b"), "\"a: b\"");
        assert_eq!(
            quoted("say \"hi\"\\\n\u{202e}\u{1b}"),
            "\"say \\\"hi\\\"\\\\\\n\\u202e\\u001b\""
        );
    }

    #[test]
    fn a_comment_cannot_end_its_line() {
        assert_eq!(comment("a\nversion: 2"), "# a\\nversion: 2\n");
    }
}
