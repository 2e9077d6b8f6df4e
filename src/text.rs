//! Text helpers every layer uses: one escaping function per output context,
//! so that no input (an id, a name, a path, a description) can change what a
//! terminal, a CI log, a pull-request comment or another tool makes of the
//! output, and numbers written as people write them. A leaf: it imports
//! nothing from the crate.
//!
//! | context | function |
//! |---|---|
//! | a terminal or a CI log, on one line | [`shown`] (paths: [`path`]) |
//! | a terminal, text that may span lines | [`indented`] |
//! | markdown text / messages / inline code | [`markdown`] / [`markdown_message`] / [`markdown_code`] |
//! | XML text and attributes (JUnit) | [`xml`] |
//! | GitHub workflow commands | [`github_data`] / [`github_property`] |
//! | Graphviz DOT strings | [`dot_quote`] |
//! | Mermaid labels | [`mermaid`] |
//! | JSON (after serde_json) | [`json_invisible`] |

use std::path::Path;

/// Characters that change how the text around them is shown without being
/// seen: bidirectional overrides and isolates (the "Trojan Source" trick),
/// line and paragraph separators, marks and the byte order mark.
fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}'
    )
}

/// A character that must not reach an output as itself: control characters
/// (C0, DEL and C1) and the invisible ones above.
pub fn unsafe_char(c: char) -> bool {
    c.is_control() || invisible(c)
}

/// Text from the input made safe to show on one line of a terminal or CI log:
/// control characters (C0, C1, escape sequences, line breaks) and invisible
/// ones (bidi overrides, U+2028) are written as Rust escapes (`\n`,
/// `\u{1b}`, `\u{202e}`), everything else as is.
pub fn shown(text: &str) -> String {
    if !text.chars().any(unsafe_char) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\0' => out.push_str("\\0"),
            c if unsafe_char(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// A file path for messages: `<stdin>` for `-`, else the path as [`shown`].
pub fn path(path: &Path) -> String {
    if path == Path::new("-") {
        "<stdin>".to_string()
    } else {
        shown(&path.display().to_string())
    }
}

/// Text that may hold line breaks (a description), for a terminal: each line
/// as [`shown`], every line after the first starting with `indent`, so no
/// input can start an output line (a forged `PASS:` verdict).
pub fn indented(text: &str, indent: &str) -> String {
    text.trim()
        .split('\n')
        .map(|line| shown(line.trim_end_matches('\r')))
        .collect::<Vec<_>>()
        .join(&format!("\n{indent}"))
}

/// Plain text for a markdown document or table cell: HTML (`<details>`,
/// `<img>`, `<!--`), links, code spans and cell separators are escaped, and
/// line breaks become `<br>`, so no input can start a line (a heading, a
/// list, a fake verdict), hide the rest of a comment or add markup.
pub fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let text = text.trim_end_matches(['\n', '\r']);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '`' => out.push_str("&#96;"),
            '|' => out.push_str("\\|"),
            '\n' => out.push_str("<br>"),
            '\r' => {}
            // Links and images need brackets; a backslash could undo an escape.
            '\\' | '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            c if unsafe_char(c) => out.push_str(&shown(&c.to_string())),
            c => out.push(c),
        }
    }
    out
}

/// A message for markdown whose `backticked` parts (ids, in the messages
/// `blast` writes) stay code spans and the rest is [`markdown`] text; with
/// unpaired backticks it is all text. A code span cannot carry HTML, so
/// even a pairing the input made up shows only literal text.
pub fn markdown_message(text: &str) -> String {
    let parts: Vec<&str> = text.split('`').collect();
    if parts.len().is_multiple_of(2) {
        return markdown(text);
    }
    parts
        .iter()
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 0 {
                markdown(part)
            } else {
                markdown_code(part)
            }
        })
        .collect()
}

/// Text as markdown inline code: HTML is not read inside a code span, so
/// only what would end it needs care. The fence is one backtick longer than
/// any run inside, a pipe is escaped for tables, line breaks become spaces.
pub fn markdown_code(text: &str) -> String {
    let body: String = shown(&text.replace(['\n', '\r'], " ")).replace('|', "\\|");
    let longest = body.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    // A space keeps a backtick at either end from joining the fence.
    let pad = if body.starts_with('`') || body.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{body}{pad}{fence}")
}

/// Text for XML content and attribute values (JUnit): markup escaped, and
/// characters XML cannot hold or that would hide text written as escapes.
pub fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Our own line breaks inside a failure's text stay line breaks.
            '\n' => out.push('\n'),
            c if unsafe_char(c) => out.push_str(&shown(&c.to_string())),
            c => out.push(c),
        }
    }
    out
}

/// The message of a GitHub workflow command (`::error ...::MESSAGE`): shown
/// on one line, with `%` escaped as the runner expects, so no input can end
/// the command or start another.
pub fn github_data(text: &str) -> String {
    shown(text).replace('%', "%25")
}

/// A property value of a workflow command (`file=`, `title=`): as
/// [`github_data`], and `:` and `,` escaped, which end a property.
pub fn github_property(text: &str) -> String {
    github_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// A Graphviz DOT string: every label and id goes through here, so a
/// backslash, a quote or a line break in the input cannot end the string
/// early or become a DOT escape (`\N`, `\G`, `\l`).
pub fn dot_quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            // DOT's own line break in labels.
            '\n' => out.push_str("\\n"),
            c if unsafe_char(c) => out.push_str(&shown(&c.to_string()).replace('\\', "\\\\")),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Text inside a quoted Mermaid label, which Mermaid reads as HTML and where
/// `#...;` is its own escape.
pub fn mermaid(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '#' => out.push_str("#35;"),
            '|' => out.push_str("#124;"),
            '`' => out.push_str("#96;"),
            c if unsafe_char(c) => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Serialized JSON with the characters serde_json leaves raw but a terminal
/// or a viewer would act on (C1 controls, bidi overrides, U+2028) written as
/// `\uXXXX`. They can only occur inside strings, so this keeps the JSON
/// valid and its values the same.
pub fn json_invisible(json: String) -> String {
    // serde_json has escaped C0 controls already; newlines here are its own.
    let raw = |c: char| unsafe_char(c) && c != '\n';
    // What is left to escape is DEL or not ASCII: a scan of the bytes clears
    // most documents, which are ASCII, without decoding them.
    if !json.bytes().any(|b| b >= 0x7f) || !json.chars().any(raw) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if raw(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// `ids` joined by `arrow`, shortened in the middle to at most `max` chars:
/// the first id, `...`, and as many of the last ids as fit (at least the last).
pub fn shorten_middle(ids: &[String], arrow: &str, max: usize) -> String {
    let full = ids.join(arrow);
    if full.chars().count() <= max || ids.len() <= 2 {
        return full;
    }
    let count = |s: &str| s.chars().count();
    let head = format!("{}{arrow}...", ids[0]);
    let mut tail: Vec<&str> = Vec::new();
    let mut used = count(&head);
    for id in ids[1..].iter().rev() {
        let cost = count(arrow) + count(id);
        if !tail.is_empty() && used + cost > max {
            break;
        }
        used += cost;
        tail.push(id);
    }
    if tail.len() == ids.len() - 1 {
        return full;
    }
    tail.reverse();
    format!("{head}{arrow}{}", tail.join(arrow))
}

/// Text wrapped at spaces to `width` columns, continuation lines starting
/// with `indent`; a word longer than a line stays whole.
pub fn wrap(text: &str, width: usize, indent: &str) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let prefix = if lines.is_empty() { 0 } else { indent.chars().count() };
        if !line.is_empty() && prefix + line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push(line);
    lines.join(&format!("\n{indent}"))
}

/// Numbers as people write them: `80`, `2.5`, never `80.0`.
pub fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        let s = format!("{v:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// Short weights: 950, 12.5k, 51.2M, 3.1B.
pub fn fmt_weight(w: f64) -> String {
    let (value, suffix) = if w >= 1e9 {
        (w / 1e9, "B")
    } else if w >= 1e6 {
        (w / 1e6, "M")
    } else if w >= 1e4 {
        (w / 1e3, "k")
    } else {
        return fmt_num((w * 100.0).round() / 100.0);
    };
    format!("{}{suffix}", fmt_num((value * 10.0).round() / 10.0))
}

/// `1 app`, `2 apps`.
pub fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Durations as people write them: `45s`, `90m` as `1h30m`, `4h`, `2d3h`.
pub fn fmt_duration(d: std::time::Duration) -> String {
    let mut seconds = d.as_secs();
    if seconds == 0 {
        return "0s".to_string();
    }
    let mut out = String::new();
    for (unit, size) in [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)] {
        if seconds >= size {
            out.push_str(&format!("{}{unit}", seconds / size));
            seconds %= size;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_escapes_controls_c1_and_bidi() {
        assert_eq!(shown("a\x1b[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(shown("x\ny"), "x\\ny");
        assert_eq!(shown("\u{202e}evil"), "\\u{202e}evil");
        assert_eq!(shown("\u{2066}i\u{2069}"), "\\u{2066}i\\u{2069}");
        assert_eq!(shown("a\u{2028}b"), "a\\u{2028}b");
        assert_eq!(shown("c1\u{9b}"), "c1\\u{9b}");
        assert_eq!(shown("plain: é ü 日本"), "plain: é ü 日本");
    }

    #[test]
    fn markdown_escapes_html_and_line_starts() {
        assert_eq!(markdown("<!-- x"), "&lt;!-- x");
        assert_eq!(markdown("a\n## PASS"), "a<br>## PASS");
        assert_eq!(markdown("[x](http://e)"), "\\[x\\](http://e)");
        assert_eq!(markdown("<img src=x>"), "&lt;img src=x>");
        assert_eq!(markdown_message("on `db.a`, <b>"), "on `db.a`, &lt;b>");
        assert_eq!(markdown_message("odd ` tick"), "odd &#96; tick");
        assert_eq!(markdown("a|b"), "a\\|b");
    }

    #[test]
    fn markdown_code_fences_around_backticks() {
        assert_eq!(markdown_code("fail a"), "`fail a`");
        assert_eq!(markdown_code("a`b"), "``a`b``");
        assert_eq!(markdown_code("`x"), "`` `x ``");
    }

    #[test]
    fn shorten_middle_keeps_origin_and_target() {
        let ids: Vec<String> = ["s3.index", "s3.api", "ec2.api", "elb.api", "ticketmaster.presale"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            shorten_middle(&ids, " -> ", 40),
            "s3.index -> ... -> ticketmaster.presale"
        );
        assert_eq!(shorten_middle(&ids, " -> ", 200), ids.join(" -> "));
    }

    #[test]
    fn json_invisible_keeps_json_valid() {
        let json = serde_json::to_string(&"a\u{202e}b\u{2028}").expect("json");
        let safe = json_invisible(json);
        assert_eq!(safe, "\"a\\u202eb\\u2028\"");
        assert_eq!(
            serde_json::from_str::<String>(&safe).expect("valid"),
            "a\u{202e}b\u{2028}"
        );
    }

    #[test]
    fn json_invisible_escapes_del_and_c1_but_not_its_own_newlines() {
        let json = "{\n  \"id\": \"a\u{7f}b\u{85}c\"\n}\n".to_string();
        assert_eq!(json_invisible(json), "{\n  \"id\": \"a\\u007fb\\u0085c\"\n}\n");
        let plain = "{\n  \"id\": \"caf\u{e9}\"\n}\n".to_string();
        assert_eq!(json_invisible(plain.clone()), plain);
    }

    #[test]
    fn wrap_breaks_at_spaces() {
        assert_eq!(wrap("aaa bbb ccc", 7, "  "), "aaa bbb\n  ccc");
    }
}
