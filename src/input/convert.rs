//! `blast convert`: a YAML topology or plan as JSON, value for value.
//!
//! The document is read with the same parser and options as the loader
//! (YAML 1.2 booleans, budgets, one document) into a plain tree whose
//! numbers keep the text they were written with, so `0.1`, `.5` or `1e6`
//! come out exactly (`0.1`, `0.5`, `1000000`), never through a binary float.
//! Comments and anchors are not carried over (aliases are expanded).

use std::fmt::{self, Write};
use std::path::Path;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::error::Result;
use crate::input::raw::FinishNumbers;
use crate::input::read::{Document, parse_yaml};
use crate::limits::Limits;
use crate::number::parse_decimal;

/// One value of a document.
#[derive(Debug, Clone, PartialEq)]
enum Node {
    Null,
    Bool(bool),
    /// A number as JSON writes it.
    Number(String),
    /// A float scalar whose text is read again from the source (byte range).
    Float(f64, Option<(usize, usize)>),
    Text(String),
    List(Vec<Node>),
    Map(Vec<(String, Node)>),
}

/// A whole document, for the loader's `Document` messages.
#[derive(Debug)]
pub struct Tree(Node);

impl Document for Tree {
    const EMPTY_HELP: &'static str = "the file has no YAML content";
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Number(v.to_string()))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Number(v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node, E> {
        Ok(Node::Float(v, None))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Text(v.to_string()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(Node::List(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Node>()? {
            let key = match key {
                Node::Text(text) | Node::Number(text) => text,
                Node::Bool(b) => b.to_string(),
                Node::Float(f, _) => f.to_string(),
                Node::Null => "null".to_string(),
                Node::List(_) | Node::Map(_) => return Err(de::Error::custom("a key must be a plain value")),
            };
            entries.push((key, map.next_value::<Node>()?));
        }
        Ok(Node::Map(entries))
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Floats need their place, to be read again from their text.
        let spanned = serde_saphyr::Spanned::<Scalarish>::deserialize(deserializer)?;
        let span = spanned.referenced.span();
        Ok(match spanned.value.0 {
            Node::Float(f, _) => Node::Float(
                f,
                span.byte_offset()
                    .zip(span.byte_len())
                    .and_then(|(o, l)| Some((usize::try_from(o).ok()?, usize::try_from(l).ok()?))),
            ),
            other => other,
        })
    }
}

/// A node read through [`NodeVisitor`] (wrapped so `Spanned` can carry it).
struct Scalarish(Node);

impl<'de> Deserialize<'de> for Scalarish {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor).map(Scalarish)
    }
}

impl<'de> Deserialize<'de> for Tree {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Node::deserialize(deserializer).map(Tree)
    }
}

impl FinishNumbers for Node {
    fn finish_numbers(&mut self, source: &str) {
        match self {
            Node::Float(f, span) => {
                let text = span.and_then(|(start, len)| source.get(start..start.checked_add(len)?));
                *self = Node::Number(json_number(text, *f));
            }
            Node::List(items) => items.iter_mut().for_each(|i| i.finish_numbers(source)),
            Node::Map(entries) => entries.iter_mut().for_each(|(_, v)| v.finish_numbers(source)),
            _ => {}
        }
    }
}

/// A float scalar as a JSON number: its exact decimal when it is one the
/// topology format allows, else the nearest double.
fn json_number(text: Option<&str>, value: f64) -> String {
    match text.map(parse_decimal) {
        Some(Ok(exact)) => exact.display(),
        _ if value.is_finite() => format!("{value}"),
        // `.inf` and `.nan` have no JSON number; the loader refuses them anyway.
        _ => "null".to_string(),
    }
}

/// The YAML text of the file at `path` as JSON.
pub fn to_json(text: &str, path: &Path, limits: Limits) -> Result<String> {
    let Tree(mut node) = parse_yaml::<Tree>(text, path, limits)?;
    node.finish_numbers(text);
    let mut out = String::with_capacity(text.len());
    write_json(&mut out, &node, 0);
    out.push('\n');
    Ok(out)
}

/// Writes `node` at nesting `depth`: the outer two levels one item a line,
/// the rest on the line of their item, so a component is one line.
fn write_json(out: &mut String, node: &Node, depth: usize) {
    let pretty = depth < 2;
    let (open_item, between, close) = if pretty { ("\n", ",\n", "\n") } else { ("", ", ", "") };
    let indent = |out: &mut String, d: usize| {
        if pretty {
            out.extend(std::iter::repeat_n("  ", d));
        }
    };
    match node {
        Node::Null => out.push_str("null"),
        Node::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Node::Number(n) => out.push_str(n),
        Node::Float(f, _) => out.push_str(&json_number(None, *f)),
        Node::Text(t) => json_string(out, t),
        Node::List(items) if items.is_empty() => out.push_str("[]"),
        Node::Map(entries) if entries.is_empty() => out.push_str("{}"),
        Node::List(items) => {
            out.push('[');
            out.push_str(open_item);
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(between);
                }
                indent(out, depth + 1);
                write_json(out, item, depth + 1);
            }
            out.push_str(close);
            indent(out, depth);
            out.push(']');
        }
        Node::Map(entries) => {
            out.push('{');
            out.push_str(open_item);
            for (i, (key, value)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(between);
                }
                indent(out, depth + 1);
                json_string(out, key);
                out.push_str(": ");
                write_json(out, value, depth + 1);
            }
            out.push_str(close);
            indent(out, depth);
            out.push('}');
        }
    }
}

fn json_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || matches!(c, '\u{2028}' | '\u{2029}') => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn convert(yaml: &str) -> String {
        to_json(yaml, Path::new("t.yaml"), Limits::default()).expect("converts")
    }

    #[test]
    fn numbers_keep_their_exact_value() {
        let json = convert("a: 0.1\nb: .5\nc: 1e6\nd: 999999999999999.999999\ne: 7\n");
        let value: serde_json::Value = serde_json::from_str(&json).expect("JSON");
        assert_eq!(value["e"], 7);
        assert!(json.contains("\"a\": 0.1"), "{json}");
        assert!(json.contains("\"b\": 0.5"), "{json}");
        assert!(json.contains("\"c\": 1000000"), "{json}");
        assert!(json.contains("\"d\": 999999999999999.999999"), "{json}");
    }

    #[test]
    fn strings_are_escaped_and_yaml_1_2_words_stay_strings() {
        let json = convert("id: \"a\\\"b\\\\c\\u2028\"\nx: no\ny: true\n");
        let value: serde_json::Value = serde_json::from_str(&json).expect("JSON");
        assert_eq!(value["id"], "a\"b\\c\u{2028}");
        assert_eq!(value["x"], "no");
        assert_eq!(value["y"], true);
    }

    #[test]
    fn a_component_is_one_line() {
        let json = convert("services:\n  - id: a\n    depends_on: [b, {id: c, mode: soft}]\n");
        assert!(
            json.contains("\n    {\"id\": \"a\", \"depends_on\": [\"b\", {\"id\": \"c\", \"mode\": \"soft\"}]}\n"),
            "{json}"
        );
    }
}
