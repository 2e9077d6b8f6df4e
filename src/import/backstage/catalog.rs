//! Backstage entities as far as the import reads them, picked out of the
//! YAML `Node` tree one field at a time: a field of the wrong shape is a
//! warning about that field, an entity that cannot be read at all (no kind,
//! no name, a kind the import does not map) a warning that skips it.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::error::Pos;
use crate::import::Warnings;
use crate::import::node::Node;
use crate::input::raw::At;
use crate::text::shown;

/// The prefix of the annotations the import reads.
pub const PREFIX: &str = "blast-radius.dev/";

/// The annotations under [`PREFIX`] the import understands.
pub const ANNOTATIONS: &[&str] = &[
    "region",
    "zones",
    "capacity",
    "load",
    "min-capacity",
    "max-capacity",
    "restart-time",
    "restore-time",
    "soft-dependencies",
    "surges",
    "failover",
    "customer",
];

/// The entity kinds the import reads; anything else is skipped with a warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Component,
    Resource,
    Api,
    System,
    Domain,
    Group,
    Location,
}

impl Kind {
    /// Backstage compares kinds without regard to case.
    pub fn parse(text: &str) -> Option<Kind> {
        Some(match text.to_ascii_lowercase().as_str() {
            "component" => Kind::Component,
            "resource" => Kind::Resource,
            "api" => Kind::Api,
            "system" => Kind::System,
            "domain" => Kind::Domain,
            "group" => Kind::Group,
            "location" => Kind::Location,
            _ => return None,
        })
    }

    /// The kind as written in an entity ref, lower case.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Component => "component",
            Kind::Resource => "resource",
            Kind::Api => "api",
            Kind::System => "system",
            Kind::Domain => "domain",
            Kind::Group => "group",
            Kind::Location => "location",
        }
    }
}

/// An entity ref, `kind:namespace/name`, in lower case: Backstage compares
/// refs without regard to case.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EntityRef {
    pub kind: Kind,
    pub namespace: String,
    pub name: String,
}

impl fmt::Display for EntityRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}/{}", self.kind.as_str(), self.namespace, self.name)
    }
}

/// A ref as written in a relation, before it is looked up: the kind may be
/// missing (then the relation's default applies) or one the import does not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefText {
    pub kind: Option<String>,
    pub namespace: String,
    pub name: String,
}

impl RefText {
    /// Reads `[kind:][namespace/]name`; the namespace defaults to the
    /// entity's own, as Backstage does. `None` when it is not a ref.
    pub fn parse(text: &str, own_namespace: &str) -> Option<RefText> {
        let text = text.trim();
        let (kind, rest) = match text.split_once(':') {
            Some((kind, rest)) => (Some(kind.to_ascii_lowercase()), rest),
            None => (None, text),
        };
        let (namespace, name) = match rest.split_once('/') {
            Some((namespace, name)) => (namespace.to_ascii_lowercase(), name),
            None => (own_namespace.to_ascii_lowercase(), rest),
        };
        let valid = kind.as_deref().is_none_or(valid_name) && valid_name(&namespace) && valid_name(name);
        valid.then(|| RefText {
            kind,
            namespace,
            name: name.to_ascii_lowercase(),
        })
    }

    /// The ref with `kind`, for looking up.
    pub fn with_kind(&self, kind: Kind) -> EntityRef {
        EntityRef {
            kind,
            namespace: self.namespace.clone(),
            name: self.name.clone(),
        }
    }
}

/// A Backstage name or namespace: letters, digits, `-`, `_` and `.`, at
/// most 63 characters. The import also relies on it for ids: a name holds
/// none of the characters of the topology's qualified ids (`:` and `/`).
pub fn valid_name(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 63
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// One entity of a kind the import reads.
#[derive(Debug, Clone)]
pub struct Entity {
    pub kind: Kind,
    /// `metadata.name` as written.
    pub name: String,
    /// `metadata.namespace` as written (`default` when absent).
    pub namespace: String,
    pub title: Option<At<String>>,
    pub description: Option<At<String>>,
    /// The file it was read from, as the user named it.
    pub file: PathBuf,
    /// Where the entity starts.
    pub pos: Pos,
    /// The annotations under [`PREFIX`], prefix removed, in file order.
    pub annotations: Vec<(At<String>, At<String>)>,
    /// `metadata.tags`.
    pub tags: Vec<At<String>>,
    pub spec: Spec,
}

/// The `spec` fields the import reads.
#[derive(Debug, Clone, Default)]
pub struct Spec {
    pub kind_type: Option<At<String>>,
    pub owner: Option<At<String>>,
    pub system: Option<At<String>>,
    pub domain: Option<At<String>>,
    pub lifecycle: Option<At<String>>,
    pub depends_on: Vec<At<String>>,
    pub provides_apis: Vec<At<String>>,
    pub consumes_apis: Vec<At<String>>,
    /// A Location's `type` (`file` or `url`).
    pub location_type: Option<At<String>>,
    /// A Location's `target` and `targets`.
    pub targets: Vec<At<String>>,
}

impl Entity {
    /// The entity's own ref.
    pub fn entity_ref(&self) -> EntityRef {
        EntityRef {
            kind: self.kind,
            namespace: self.namespace.to_ascii_lowercase(),
            name: self.name.to_ascii_lowercase(),
        }
    }

    /// The annotation `key` (without the prefix), if given.
    pub fn annotation(&self, key: &str) -> Option<&At<String>> {
        self.annotations.iter().find(|(k, _)| k.value == key).map(|(_, v)| v)
    }
}

/// Reads one document; `None` (with a warning) when it is not an entity the
/// import maps.
pub fn entity(document: &At<Node>, file: &Path, warnings: &mut Warnings) -> Option<Entity> {
    let mut fields = Fields { file, warnings };
    let Node::Map(_) = document.value else {
        fields.warn(
            document.pos,
            format!(
                "a catalog document is {}, not an entity (a mapping): skipped",
                document.value.shape()
            ),
        );
        return None;
    };
    let node = &document.value;
    let kind_text = fields.text(node, "kind", "`kind`");
    let Some(kind_text) = kind_text else {
        fields.warn(document.pos, "an entity without `kind`: skipped".to_string());
        return None;
    };
    let api_version = fields.text(node, "apiVersion", "`apiVersion`");
    if let Some(version) = &api_version
        && !version.value.starts_with("backstage.io/")
    {
        let message = format!(
            "`{}` entity with apiVersion `{}`, not `backstage.io/...`: skipped",
            shown(&kind_text.value),
            shown(&version.value)
        );
        fields.warn(version.pos, message);
        return None;
    }
    let Some(kind) = Kind::parse(&kind_text.value) else {
        fields.warn_help(
            kind_text.pos,
            format!("unsupported entity kind `{}`: skipped", shown(&kind_text.value)),
            "the import reads Component, Resource, API, System, Domain, Group and Location entities",
        );
        return None;
    };
    let empty = Node::Map(Vec::new());
    let metadata = node.get("metadata").map_or(&empty, |m| &m.value);
    let Some(name) = fields.text(metadata, "name", "`metadata.name`") else {
        fields.warn(
            document.pos,
            format!("a {} without `metadata.name`: skipped", kind.as_str()),
        );
        return None;
    };
    let namespace = fields
        .text(metadata, "namespace", "`metadata.namespace`")
        .map_or_else(|| "default".to_string(), |n| n.value);
    if !valid_name(&name.value) || !valid_name(&namespace) {
        fields.warn_help(
            name.pos,
            format!(
                "`{}/{}` is not a valid entity name: skipped",
                shown(&namespace),
                shown(&name.value)
            ),
            "names and namespaces are letters, digits, `-`, `_` and `.`, at most 63 characters",
        );
        return None;
    }
    let spec_node = node.get("spec").map_or(&empty, |s| &s.value);
    Some(Entity {
        kind,
        title: fields.text(metadata, "title", "`metadata.title`"),
        description: fields.text(metadata, "description", "`metadata.description`"),
        annotations: fields.annotations(metadata),
        tags: fields.list(metadata, "tags", "`metadata.tags`"),
        spec: fields.spec(spec_node, kind),
        name: name.value,
        namespace,
        file: file.to_path_buf(),
        pos: document.pos,
    })
}

/// Reads fields of one document, warning about those of the wrong shape.
struct Fields<'a> {
    file: &'a Path,
    warnings: &'a mut Warnings,
}

impl Fields<'_> {
    fn warn(&mut self, pos: Pos, message: String) {
        self.warnings.at(self.file, pos, message);
    }

    fn warn_help(&mut self, pos: Pos, message: String, help: &str) {
        self.warnings.at_help(self.file, pos, message, help);
    }

    /// A single value under `key`; absent and null are `None`.
    fn text(&mut self, node: &Node, key: &str, what: &str) -> Option<At<String>> {
        let value = node.get(key)?;
        match &value.value {
            Node::Null => None,
            Node::Scalar(text) => Some(At {
                value: text.clone(),
                pos: value.pos,
            }),
            other => {
                let message = format!("{what} is {}, not a single value: ignored", other.shape());
                self.warn(value.pos, message);
                None
            }
        }
    }

    /// A list of single values under `key`.
    fn list(&mut self, node: &Node, key: &str, what: &str) -> Vec<At<String>> {
        let Some(value) = node.get(key) else {
            return Vec::new();
        };
        match &value.value {
            Node::Null => Vec::new(),
            Node::Seq(items) => items
                .iter()
                .filter_map(|item| match &item.value {
                    Node::Scalar(text) => Some(At {
                        value: text.clone(),
                        pos: item.pos,
                    }),
                    other => {
                        let message = format!("an item of {what} is {}, not a single value: ignored", other.shape());
                        self.warn(item.pos, message);
                        None
                    }
                })
                .collect(),
            other => {
                let message = format!("{what} is {}, not a list: ignored", other.shape());
                self.warn_help(value.pos, message, "write a list, e.g. `[a, b]`, even for one item");
                Vec::new()
            }
        }
    }

    /// The annotations under [`PREFIX`]; others belong to other tools.
    fn annotations(&mut self, metadata: &Node) -> Vec<(At<String>, At<String>)> {
        let Some(annotations) = metadata.get("annotations") else {
            return Vec::new();
        };
        let Node::Map(entries) = &annotations.value else {
            if !matches!(annotations.value, Node::Null) {
                let message = format!(
                    "`metadata.annotations` is {}, not a mapping: ignored",
                    annotations.value.shape()
                );
                self.warn(annotations.pos, message);
            }
            return Vec::new();
        };
        let mut out = Vec::new();
        for (key, value) in entries {
            let Some(short) = key.value.strip_prefix(PREFIX) else {
                continue;
            };
            if !ANNOTATIONS.contains(&short) {
                let message = format!("unknown annotation `{}`: ignored", shown(&key.value));
                let help = match crate::error::nearest(short, ANNOTATIONS.iter().copied()) {
                    Some(near) => format!("did you mean `{PREFIX}{near}`?"),
                    None => format!("the annotations are {PREFIX}{}", ANNOTATIONS.join(", ")),
                };
                self.warn_help(key.pos, message, &help);
                continue;
            }
            match &value.value {
                Node::Scalar(text) => out.push((
                    At {
                        value: short.to_string(),
                        pos: key.pos,
                    },
                    At {
                        value: text.clone(),
                        pos: value.pos,
                    },
                )),
                other => {
                    let message = format!(
                        "annotation `{}` is {}, not text: ignored",
                        shown(&key.value),
                        other.shape()
                    );
                    self.warn_help(
                        value.pos,
                        message,
                        "annotations are strings; quote a flow value, e.g. '{factor: 3}'",
                    );
                }
            }
        }
        out
    }

    fn spec(&mut self, spec: &Node, kind: Kind) -> Spec {
        let mut out = Spec {
            kind_type: self.text(spec, "type", "`spec.type`"),
            owner: self.text(spec, "owner", "`spec.owner`"),
            system: self.text(spec, "system", "`spec.system`"),
            domain: self.text(spec, "domain", "`spec.domain`"),
            lifecycle: self.text(spec, "lifecycle", "`spec.lifecycle`"),
            depends_on: self.list(spec, "dependsOn", "`spec.dependsOn`"),
            provides_apis: self.list(spec, "providesApis", "`spec.providesApis`"),
            consumes_apis: self.list(spec, "consumesApis", "`spec.consumesApis`"),
            ..Spec::default()
        };
        if kind == Kind::Location {
            out.location_type = out.kind_type.take();
            out.targets = self.text(spec, "target", "`spec.target`").into_iter().collect();
            out.targets.extend(self.list(spec, "targets", "`spec.targets`"));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refs_default_to_the_entitys_namespace_and_compare_in_lower_case() {
        let parsed = RefText::parse("Component:Payments/Checkout", "default").expect("a ref");
        assert_eq!(parsed.kind.as_deref(), Some("component"));
        assert_eq!(
            parsed.with_kind(Kind::Component).to_string(),
            "component:payments/checkout"
        );
        let short = RefText::parse(" checkout ", "shop").expect("a ref");
        assert_eq!((short.kind, short.namespace.as_str()), (None, "shop"));
        for bad in ["", "a/b/c", "kind:", "x y", "component:default/"] {
            assert_eq!(RefText::parse(bad, "default"), None, "{bad:?}");
        }
    }

    #[test]
    fn kinds_are_read_without_regard_to_case() {
        assert_eq!(Kind::parse("API"), Some(Kind::Api));
        assert_eq!(Kind::parse("resource"), Some(Kind::Resource));
        assert_eq!(Kind::parse("User"), None);
    }
}
