//! The `blast-radius.dev/` annotations of one entity, read and checked.
//!
//! An annotation is text. Numbers, durations and ids are checked here by
//! the topology format's own rules (numbers as [`parse_decimal`] reads them,
//! durations as the loader does), so the topology written later never fails
//! to load on them; one that does not pass is a warning and is left out.
//! `surges` and `failover` are structures: they are written as YAML flow
//! values inside the annotation string.

use crate::error::Pos;
use crate::import::Warnings;
use crate::import::backstage::catalog::{Entity, PREFIX};
use crate::import::node::Node;
use crate::input::raw::At;
use crate::number::{Exact, parse_decimal};
use crate::text::shown;

/// What an entity's annotations say, checked, references still as written.
#[derive(Debug, Default)]
pub struct Values {
    pub region: Option<At<String>>,
    pub zones: Vec<At<String>>,
    pub capacity: Option<Exact>,
    pub min_capacity: Option<Exact>,
    pub max_capacity: Option<Exact>,
    pub load: Option<Exact>,
    pub restart_time: Option<String>,
    pub restore_time: Option<String>,
    pub soft: Vec<At<String>>,
    pub surges: Vec<SurgeNote>,
    pub failover: Option<FailoverNote>,
    /// Customer names and weights.
    pub customers: Vec<(At<String>, Option<Exact>)>,
}

/// A surge as annotated: its target is still an entity ref.
#[derive(Debug)]
pub struct SurgeNote {
    pub when: Option<&'static str>,
    pub target: Option<At<String>>,
    pub effect: (&'static str, Exact),
}

/// A failover as annotated: `to` is still an entity ref.
#[derive(Debug)]
pub struct FailoverNote {
    pub to: At<String>,
    pub when: Option<&'static str>,
}

/// A topology id: letters, digits and `. _ : / -` (SPEC section 2).
pub fn valid_id(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'/' | b'-'))
}

/// Reads every annotation of `entity`, warning about those that do not parse.
pub fn values(entity: &Entity, warnings: &mut Warnings) -> Values {
    let mut reader = Reader { entity, warnings };
    let mut out = Values::default();
    for (key, value) in &entity.annotations {
        let text = value.value.trim();
        match key.value.as_str() {
            "region" => out.region = reader.id(key, value, text),
            "zones" => out.zones = reader.ids(key, value),
            "capacity" => out.capacity = reader.number(key, value, text),
            "load" => out.load = reader.number(key, value, text),
            "min-capacity" => out.min_capacity = reader.number(key, value, text),
            "max-capacity" => out.max_capacity = reader.number(key, value, text),
            "restart-time" => out.restart_time = reader.duration(key, value, text),
            "restore-time" => out.restore_time = reader.duration(key, value, text),
            "soft-dependencies" => out.soft = items(value),
            "surges" => out.surges = reader.surges(key, value),
            "failover" => out.failover = reader.failover(key, value),
            "customer" => out.customers = reader.customers(key, value),
            // The catalog keeps only the annotations of `ANNOTATIONS`.
            _ => {}
        }
    }
    reader.limits(&mut out);
    out
}

/// The comma-separated items of an annotation, each at the annotation's place.
fn items(value: &At<String>) -> Vec<At<String>> {
    value
        .value
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| At {
            value: item.to_string(),
            pos: value.pos,
        })
        .collect()
}

struct Reader<'a> {
    entity: &'a Entity,
    warnings: &'a mut Warnings,
}

impl Reader<'_> {
    /// Warns that annotation `key` of the entity is not taken, and why.
    fn reject(&mut self, key: &At<String>, value: &At<String>, problem: &str, help: &str) {
        let message = format!(
            "annotation `{PREFIX}{}` of `{}`: {problem}: ignored",
            key.value,
            self.entity.entity_ref()
        );
        self.warnings.at_help(&self.entity.file, value.pos, message, help);
    }

    fn id(&mut self, key: &At<String>, value: &At<String>, text: &str) -> Option<At<String>> {
        if valid_id(text) {
            return Some(At {
                value: text.to_string(),
                pos: value.pos,
            });
        }
        let problem = format!("`{}` is not a valid id", shown(text));
        self.reject(key, value, &problem, "ids are letters, digits and . _ : / -");
        None
    }

    fn ids(&mut self, key: &At<String>, value: &At<String>) -> Vec<At<String>> {
        let mut out: Vec<At<String>> = Vec::new();
        for item in items(value) {
            if let Some(id) = self.id(key, value, &item.value)
                && !out.iter().any(|o| o.value == id.value)
            {
                out.push(id);
            }
        }
        out
    }

    fn number(&mut self, key: &At<String>, value: &At<String>, text: &str) -> Option<Exact> {
        match parse_decimal(text) {
            Ok(n) => Some(n),
            Err(problem) => {
                let described = format!("`{}` is {}", shown(text), problem.describe());
                self.reject(key, value, &described, problem.help());
                None
            }
        }
    }

    fn duration(&mut self, key: &At<String>, value: &At<String>, text: &str) -> Option<String> {
        if crate::model::build::parse_duration(text).is_some() && !text.chars().any(crate::text::unsafe_char) {
            return Some(text.to_string());
        }
        let problem = format!("`{}` is not a duration", shown(text));
        self.reject(
            key,
            value,
            &problem,
            "write a duration such as `45s`, `90m`, `4h` or `1h30m`",
        );
        None
    }

    /// `min-capacity <= capacity <= max-capacity`, as the topology requires;
    /// the bounds need a capacity to be compared with.
    fn limits(&mut self, out: &mut Values) {
        let entity = self.entity;
        let mut drop = |key: &str, problem: String, help: &str| {
            if let Some((k, v)) = entity.annotations.iter().find(|(k, _)| k.value == key) {
                self.reject(k, v, &problem, help);
            }
        };
        match &out.capacity {
            None => {
                if out.min_capacity.take().is_some() {
                    drop(
                        "min-capacity",
                        "no capacity to compare it with".into(),
                        "annotate `blast-radius.dev/capacity` too",
                    );
                }
                if out.max_capacity.take().is_some() {
                    drop(
                        "max-capacity",
                        "no capacity to compare it with".into(),
                        "annotate `blast-radius.dev/capacity` too",
                    );
                }
            }
            Some(capacity) => {
                if out.min_capacity.as_ref().is_some_and(|min| min > capacity) {
                    out.min_capacity = None;
                    drop(
                        "min-capacity",
                        format!("it is above the capacity {capacity}"),
                        "min-capacity <= capacity <= max-capacity must hold",
                    );
                }
                if out.max_capacity.as_ref().is_some_and(|max| max < capacity) {
                    out.max_capacity = None;
                    drop(
                        "max-capacity",
                        format!("it is below the capacity {capacity}"),
                        "min-capacity <= capacity <= max-capacity must hold",
                    );
                }
            }
        }
    }

    /// A YAML flow value written inside an annotation.
    fn flow(&mut self, key: &At<String>, value: &At<String>) -> Option<Node> {
        let options = serde_saphyr::options! { with_snippet: false, strict_booleans: true };
        match serde_saphyr::from_str_with_options::<Node>(&value.value, options) {
            Ok(node) => Some(node),
            Err(e) => {
                let problem = format!("not a YAML flow value ({})", shown(&e.to_string()));
                self.reject(
                    key,
                    value,
                    &problem,
                    "write e.g. '[{factor: 3}]' or '{to: other, when: down}'",
                );
                None
            }
        }
    }

    fn surges(&mut self, key: &At<String>, value: &At<String>) -> Vec<SurgeNote> {
        let help = "write a list of {when, target, factor | amount}, e.g. '[{factor: 3}, {target: db, amount: 40}]'";
        let items = match self.flow(key, value) {
            None => return Vec::new(),
            Some(Node::Seq(items)) => items.into_iter().map(|i| i.value).collect(),
            Some(map @ Node::Map(_)) => vec![map],
            Some(other) => {
                self.reject(
                    key,
                    value,
                    &format!("it is {}, not a list of surges", other.shape()),
                    help,
                );
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        for item in items {
            match surge(&item) {
                // Later messages about the surge point at its annotation.
                Ok(s) => out.push(SurgeNote {
                    target: s.target.map(|t| At {
                        value: t.value,
                        pos: value.pos,
                    }),
                    ..s
                }),
                Err(problem) => self.reject(key, value, &problem, help),
            }
        }
        out
    }

    fn failover(&mut self, key: &At<String>, value: &At<String>) -> Option<FailoverNote> {
        let help = "write a ref, or {to: REF, when: degraded | down}";
        let node = self.flow(key, value)?;
        let fields = match &node {
            Node::Scalar(to) => Ok((Some(to.clone()), None)),
            Node::Map(_) => known_keys(&node, &["to", "when"])
                .and_then(|()| Ok((scalar_field(&node, "to")?, scalar_field(&node, "when")?))),
            other => Err(format!("it is {}", other.shape())),
        };
        let result = fields.and_then(|(to, when)| {
            let to = to.ok_or_else(|| "it has no `to`".to_string())?;
            let when = when.map(|w| status(&w, &["degraded", "down"])).transpose()?;
            Ok(FailoverNote {
                to: At {
                    value: to,
                    pos: value.pos,
                },
                when,
            })
        });
        result.map_err(|problem| self.reject(key, value, &problem, help)).ok()
    }

    /// `acme`, `acme:5`, or several: `acme:5, globex`.
    fn customers(&mut self, key: &At<String>, value: &At<String>) -> Vec<(At<String>, Option<Exact>)> {
        let mut out = Vec::new();
        for item in items(value) {
            let (name, weight) = match item.value.split_once(':') {
                Some((name, weight)) => (name.trim(), Some(weight.trim())),
                None => (item.value.as_str(), None),
            };
            if !crate::import::backstage::catalog::valid_name(name) {
                let problem = format!("`{}` is not a customer name", shown(name));
                self.reject(
                    key,
                    value,
                    &problem,
                    "names are letters, digits, `-`, `_` and `.`; a weight follows a colon: `acme:5`",
                );
                continue;
            }
            let weight = match weight.map(parse_decimal) {
                None => None,
                Some(Ok(w)) => Some(w),
                Some(Err(problem)) => {
                    let described = format!("the weight of `{name}` is {}", problem.describe());
                    self.reject(key, value, &described, problem.help());
                    continue;
                }
            };
            out.push((
                At {
                    value: name.to_string(),
                    pos: item.pos,
                },
                weight,
            ));
        }
        out
    }
}

/// Refuses keys other than `known` in a flow mapping.
fn known_keys(node: &Node, known: &[&str]) -> Result<(), String> {
    if let Node::Map(entries) = node
        && let Some((key, _)) = entries.iter().find(|(k, _)| !known.contains(&k.value.as_str()))
    {
        return Err(format!(
            "unknown key `{}` (known: {})",
            shown(&key.value),
            known.join(", ")
        ));
    }
    Ok(())
}

fn scalar_field(node: &Node, key: &str) -> Result<Option<String>, String> {
    match node.get(key).map(|v| &v.value) {
        None | Some(Node::Null) => Ok(None),
        Some(Node::Scalar(text)) => Ok(Some(text.trim().to_string())),
        Some(other) => Err(format!("`{key}` is {}, not a single value", other.shape())),
    }
}

/// A status word among `allowed`, as the topology spells it.
fn status(text: &str, allowed: &[&'static str]) -> Result<&'static str, String> {
    allowed
        .iter()
        .copied()
        .find(|a| *a == text)
        .ok_or_else(|| format!("`when` is `{}`, not one of {}", shown(text), allowed.join(", ")))
}

/// One surge of a `surges` annotation.
fn surge(node: &Node) -> Result<SurgeNote, String> {
    known_keys(node, &["when", "target", "factor", "amount"])?;
    if !matches!(node, Node::Map(_)) {
        return Err(format!("a surge is {}, not a mapping", node.shape()));
    }
    let when = scalar_field(node, "when")?
        .map(|w| status(&w, &["at_risk", "degraded", "down"]))
        .transpose()?;
    let number = |key: &str| -> Result<Option<Exact>, String> {
        scalar_field(node, key)?
            .map(|text| parse_decimal(&text).map_err(|p| format!("`{key}` `{}` is {}", shown(&text), p.describe())))
            .transpose()
    };
    let effect = match (number("factor")?, number("amount")?) {
        (Some(f), None) if f >= Exact::ONE => ("factor", f),
        (Some(_), None) => return Err("`factor` is below 1".to_string()),
        (None, Some(a)) => ("amount", a),
        (Some(_), Some(_)) => return Err("a surge gives both `factor` and `amount`".to_string()),
        (None, None) => return Err("a surge gives neither `factor` nor `amount`".to_string()),
    };
    let target = scalar_field(node, "target")?.map(|value| At {
        value,
        pos: Pos::default(),
    });
    Ok(SurgeNote { when, target, effect })
}
