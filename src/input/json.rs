//! JSON topologies and plans: the same raw types and streaming seed as YAML,
//! read by serde_json, which is several times faster than any YAML parser on
//! the multi-megabyte files that programs generate.
//!
//! serde_json tells a visitor nothing about where a value is, so the reader
//! counts the bytes it hands the parser, and a value that wants its place
//! ([`At`](crate::input::raw::At), numbers, capacities) asks `value_start`
//! while a [`Scope`] is open on this thread. Numbers are then read again
//! from their text, exactly, as for YAML.

use std::cell::{Cell, RefCell};
use std::io::Read;
use std::path::Path;
use std::rc::Rc;

use crate::error::{Diagnostic, Error, Pos, Result};
use crate::limits::Limits;
use crate::text::shown;

/// Whether a file is read as JSON: its name ends in `.json`.
pub fn is_json(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

/// The JSON text being parsed on this thread, and how far the parser got.
struct Source {
    text: Rc<String>,
    consumed: Rc<Cell<usize>>,
    /// The last position computed: (offset, line, column).
    cursor: Cell<(usize, u32, u32)>,
}

thread_local! {
    static SOURCE: RefCell<Option<Source>> = const { RefCell::new(None) };
}

/// Open while a JSON document is parsed; closes the position source when dropped.
pub struct Scope(());

impl Drop for Scope {
    fn drop(&mut self) {
        SOURCE.with(|s| *s.borrow_mut() = None);
    }
}

/// A reader over the text that counts what it hands the parser. The parser
/// reads it a byte at a time, so it is a concrete type the compiler can
/// inline, not a trait object.
pub(crate) struct Counting {
    text: Rc<String>,
    at: usize,
    consumed: Rc<Cell<usize>>,
}

impl Read for Counting {
    #[inline]
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        // The parser reads a byte at a time.
        if let [slot] = buf {
            let Some(byte) = self.text.as_bytes().get(self.at) else {
                return Ok(0);
            };
            *slot = *byte;
            self.at += 1;
            self.consumed.set(self.at);
            return Ok(1);
        }
        let rest = &self.text.as_bytes()[self.at..];
        let n = rest.len().min(buf.len());
        buf[..n].copy_from_slice(&rest[..n]);
        self.at += n;
        self.consumed.set(self.at);
        Ok(n)
    }
}

/// Where the value about to be deserialized starts, and the byte range of
/// its token when it is a number, or `None` outside a JSON parse.
///
/// The parser has already taken the first byte of a list element or a map
/// key (it peeks to see whether the list or map ends), but not the first
/// byte of a map value: that one follows the `:` it just took.
pub(crate) fn value_start() -> Option<(Pos, usize)> {
    SOURCE.with(|s| {
        let source = s.borrow();
        let source = source.as_ref()?;
        let bytes = source.text.as_bytes();
        let consumed = source.consumed.get();
        let mut at = match consumed.checked_sub(1).map(|i| bytes[i]) {
            Some(b':') | None => consumed,
            Some(_) => consumed - 1,
        };
        while at < bytes.len() && matches!(bytes[at], b' ' | b'\t' | b'\n' | b'\r') {
            at += 1;
        }
        Some((source.position(at), at))
    })
}

/// The JSON number token starting at `at` in the text being parsed.
pub(crate) fn number_token(at: usize) -> Option<(usize, usize)> {
    SOURCE.with(|s| {
        let source = s.borrow();
        let bytes = source.as_ref()?.text.as_bytes();
        let len = bytes
            .get(at..)?
            .iter()
            .take_while(|b| matches!(b, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'))
            .count();
        Some((at, len))
    })
}

impl Source {
    /// Line and column (both from 1, columns in characters) of byte `offset`.
    /// Values come in file order, so each is counted on from the last one:
    /// linear in the file, even when it is all one line.
    fn position(&self, offset: usize) -> Pos {
        let bytes = self.text.as_bytes();
        let (mut from, mut line, mut column) = self.cursor.get();
        if offset < from {
            (from, line, column) = (0, 1, 1);
        }
        for b in &bytes[from..offset.min(bytes.len())] {
            if *b == b'\n' {
                line += 1;
                column = 1;
            } else if b & 0xC0 != 0x80 {
                // Not a UTF-8 continuation byte: a new character.
                column += 1;
            }
        }
        self.cursor.set((offset, line, column));
        Pos::new(line, column)
    }
}

/// The deepest nesting of `[` and `{` outside strings, and where it first
/// passes `limit`: serde_json's own limit (128) is not ours, and a file that
/// nests deeper than ours is refused before it is parsed.
fn too_deep(text: &str, limit: usize) -> Option<usize> {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for (i, b) in text.bytes().enumerate() {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > limit {
                    return Some(i);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// Parses `text` (the file at `path`) as JSON with `read`, which gets a
/// serde_json deserializer; values can ask where they are while it runs.
pub(crate) fn parse_with<T>(
    text: Rc<String>,
    path: &Path,
    limits: Limits,
    empty_help: &str,
    read: impl FnOnce(&mut serde_json::Deserializer<serde_json::de::IoRead<Counting>>) -> Result<T, serde_json::Error>,
) -> Result<T> {
    if text.trim().is_empty() {
        return Err(
            Diagnostic::new(format!("`{}` is empty", shown(&path.display().to_string())))
                .help(empty_help)
                .into(),
        );
    }
    let consumed = Rc::new(Cell::new(0));
    let source = Source {
        text: text.clone(),
        consumed: consumed.clone(),
        cursor: Cell::new((0, 1, 1)),
    };
    if let Some(at) = too_deep(&text, limits.max_depth) {
        let pos = source.position(at);
        return Err(Diagnostic::new(format!(
            "the file exceeds a safety limit: lists and maps nest more than {} levels deep",
            limits.max_depth
        ))
        .at(pos.at(path))
        .help("no topology or plan nests that deep; look for unclosed `[` or `{`")
        .into());
    }
    SOURCE.with(|s| *s.borrow_mut() = Some(source));
    let _scope = Scope(());
    let mut deserializer = serde_json::Deserializer::from_reader(Counting { text, at: 0, consumed });
    // Our nesting limit was checked above; serde_json's would only differ.
    let value = read(&mut deserializer).and_then(|v| deserializer.end().map(|()| v));
    value.map_err(|e| json_error(&e, path))
}

/// A serde_json error as a located diagnostic in the tool's words.
fn json_error(error: &serde_json::Error, path: &Path) -> Error {
    let text = error.to_string();
    // serde_json appends " at line L column C"; the location says that.
    let message = match text.rfind(" at line ") {
        Some(at) if error.line() > 0 => &text[..at],
        _ => text.as_str(),
    };
    let message = crate::input::read::plain_message(&shown(message));
    let mut diagnostic = Diagnostic::new(message);
    if error.line() > 0 {
        diagnostic = diagnostic.at(Pos::new(error.line(), error.column()).at(path));
    }
    if let Some(help) = crate::input::read::yaml_help(&diagnostic.message) {
        diagnostic = diagnostic.help(help);
    }
    Error::input(diagnostic)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_is_measured_outside_strings() {
        assert_eq!(too_deep(r#"{"a": "[[[[[["}"#, 2), None);
        assert_eq!(too_deep(r#"{"a": [[1]]}"#, 2), Some(7));
        assert_eq!(too_deep(r#"{"a": "\"[[[["}"#, 1), None);
    }
}
