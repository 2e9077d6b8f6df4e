//! The inline operation grammar of `--op`: `KIND [PRIMARY] [key=value]...`.

use std::path::Path;

use crate::error::{Diagnostic, Error, Result, nearest};
use crate::input::raw::{At, RawPlan, RawSelector, RawStep};
use crate::input::read::parse_yaml;
use crate::limits::Limits;
use crate::number::parse_decimal;
use crate::plan::StepKind;
use crate::text::shown;

fn fail(message: String, help: &str) -> Error {
    Error::usage(Diagnostic::new(message).help(help.to_string()))
}

/// Parses one `--op` string: `KIND [PRIMARY] [key=value]...`.
pub fn parse_inline(op: &str) -> Result<RawStep> {
    let tokens = shlex::split(op);
    // The op is echoed in messages; control characters in it must not reach a terminal.
    let op = shown(op);
    let tokens = tokens.ok_or_else(|| fail(format!("--op `{op}`: unbalanced quotes"), "close every quote"))?;
    let Some((kind_word, rest)) = tokens.split_first() else {
        return Err(fail("--op is empty".to_string(), "write e.g. --op 'fail s3.index'"));
    };
    let step_kind = step_kind(kind_word, &op)?;
    let kind = step_kind.as_str();
    let pairs = key_value_pairs(rest, step_kind.primary_field(), &op)?;
    let mut fields = serde_json::Map::new();
    let mut selector_maps = Vec::new();
    for (key, value) in pairs {
        let value = match inline_value(&key, value) {
            Ok(InlineValue::Json(value)) => value,
            Ok(InlineValue::Selector(selector)) => {
                // Filled in below: a selector map keeps its values as written.
                selector_maps.push((key.clone(), selector));
                serde_json::Value::String(String::new())
            }
            Err((message, help)) => return Err(fail(format!("--op `{op}`: {message}"), help)),
        };
        fields.insert(key, value);
    }
    let step = serde_json::json!({ kind: fields });
    let mut step = serde_json::from_value::<RawStep>(step).map_err(|e| {
        let message = e.to_string();
        fail(format!("--op `{op}`: {}", shown(&message)), &field_help(&message, kind))
    })?;
    for (key, selector) in selector_maps {
        match selector_field(&mut step, &key) {
            Some(slot) => *slot = selector,
            None => {
                return Err(fail(
                    format!("--op `{op}`: `{}` does not take a selector map", shown(&key)),
                    "give an id here",
                ));
            }
        }
    }
    Ok(step)
}

/// The step kind a word names, in kebab- or snake-case.
fn step_kind(kind_word: &str, op: &str) -> Result<StepKind> {
    let kind = kind_word.replace('-', "_");
    StepKind::ALL.into_iter().find(|k| k.as_str() == kind).ok_or_else(|| {
        let kinds = StepKind::ALL.map(StepKind::inline_name);
        let help = match nearest(&kind, StepKind::ALL.iter().map(|k| k.as_str())) {
            Some(near) => format!("did you mean `{}`?", near.replace('_', "-")),
            None => format!("the kinds are {}", kinds.join(", ")),
        };
        fail(format!("--op `{op}`: unknown operation `{}`", shown(kind_word)), &help)
    })
}

/// The words after the kind as `(key, value)` pairs, checked for shape only:
/// every word a key=value pair (the first may stand alone for the primary
/// field), each key once.
fn key_value_pairs<'w>(words: &'w [String], primary_key: &str, op: &str) -> Result<Vec<(String, &'w str)>> {
    let mut pairs: Vec<(String, &str)> = Vec::with_capacity(words.len());
    for (i, token) in words.iter().enumerate() {
        let (key, value) = match token.split_once('=') {
            Some((key, value)) => (key.replace('-', "_"), value),
            None if i == 0 => (primary_key.to_string(), token.as_str()),
            None => {
                let help = if op.contains('{') {
                    "quote a map value so it stays one word: --op \"fail 'target={kind: database}'\"".to_string()
                } else {
                    format!("only the first word after the kind may stand alone (it is `{primary_key}`)")
                };
                return Err(fail(
                    format!("--op `{op}`: `{}` is not a key=value pair", shown(token)),
                    &help,
                ));
            }
        };
        if pairs.iter().any(|(k, _)| *k == key) {
            return Err(fail(
                format!("--op `{op}`: `{}` is given twice", shown(&key)),
                "give each field once",
            ));
        }
        pairs.push((key, value));
    }
    Ok(pairs)
}

/// Help for a field serde refused: the nearest known field to an unknown one.
fn field_help(message: &str, kind: &str) -> String {
    match message.split_once("unknown field `") {
        Some((_, rest)) => {
            let field = rest.split('`').next().unwrap_or_default();
            let expected = rest.split_once("expected ").map_or("", |(_, list)| list);
            nearest(field, expected.split(", ").map(|c| c.trim_matches(['`', ' ']))).map_or_else(
                || "see `blast check --help` for the fields".to_string(),
                |n| format!("did you mean `{n}`?"),
            )
        }
        None => format!(
            "fields of `{}`: see the operations table in the README",
            kind.replace('_', "-")
        ),
    }
}

/// A parsed `key=value` value.
enum InlineValue {
    Json(serde_json::Value),
    Selector(RawSelector),
}

/// Fields that hold a number, and the fields that hold a selector.
const NUMBER_FIELDS: &[&str] = &["count", "percent", "factor", "amount"];
const SELECTOR_FIELDS: &[&str] = &["target", "from", "to", "store", "owners"];

/// A `key=value` value, typed by its key: a number for the number fields, a
/// flow map for a selector field whose value starts with `{` (quoted as one
/// word: `'target={kind: s3_subsystem}'`), else a string, so that an id that
/// looks like a number (`fail 42`) stays an id.
fn inline_value(key: &str, value: &str) -> std::result::Result<InlineValue, (String, &'static str)> {
    let shown = shown(value);
    if key == "expect_matches" {
        return value
            .parse::<u64>()
            .map(|n| InlineValue::Json(serde_json::Value::from(n)))
            .map_err(|_| {
                (
                    format!("`{key}={shown}` is not a whole, non-negative number"),
                    "write how many components the selector must match, e.g. expect_matches=1",
                )
            });
    }
    if NUMBER_FIELDS.contains(&key) {
        // Passed on as text, which the plan reads exactly.
        return match parse_decimal(value) {
            Ok(_) => Ok(InlineValue::Json(serde_json::Value::String(value.to_string()))),
            Err(problem) => Err((format!("`{key}={shown}` is {}", problem.describe()), problem.help())),
        };
    }
    if SELECTOR_FIELDS.contains(&key) && value.trim_start().starts_with('{') {
        return parse_yaml::<RawSelector>(value, Path::new("--op"), Limits::default())
            .map(InlineValue::Selector)
            .map_err(|e| {
                (
                    format!("`{key}` is not a valid selector map: {}", e.diagnostic().message),
                    "write a flow map such as '{kind: database, zone: use1-az1}', quoted as one word",
                )
            });
    }
    Ok(InlineValue::Json(serde_json::Value::String(value.to_string())))
}

/// The selector field `key` of a step, if it has one.
fn selector_field<'a>(step: &'a mut RawStep, key: &str) -> Option<&'a mut RawSelector> {
    match (step, key) {
        (RawStep::RemoveCapacity(s) | RawStep::AddCapacity(s), "target") => Some(&mut s.target),
        (RawStep::Fail(s) | RawStep::Restart(s), "target") => Some(&mut s.target),
        (RawStep::AddLoad(s), "target") => Some(&mut s.target),
        (RawStep::ShiftLoad(s), "from") => Some(&mut s.from),
        (RawStep::ShiftLoad(s), "to") => Some(&mut s.to),
        (RawStep::DeleteData(s), "store") => Some(&mut s.store),
        (RawStep::DeleteData(s), "owners") => s.owners.as_mut(),
        _ => None,
    }
}

/// A plan made of `--op` strings.
pub fn inline_plan(ops: &[String]) -> Result<At<RawPlan>> {
    let steps = ops
        .iter()
        .map(|op| parse_inline(op).map(At::unplaced))
        .collect::<Result<Vec<_>>>()?;
    Ok(At::unplaced(RawPlan {
        description: None,
        approvals: Vec::new(),
        fail_on: None,
        steps,
    }))
}
