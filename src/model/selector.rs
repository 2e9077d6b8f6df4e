//! Selectors: which components a step acts on (SPEC section 3).
//!
//! An exact id, a glob over ids (`s3.*`, `lb.[ab]*`), or a map whose keys
//! (`kind`, `region`, `zone`, `tags`) must all match. A selector that matches
//! nothing is an input error: acting on nothing is almost always a typo.

use std::fmt;

use crate::error::{Diagnostic, nearest, nearest_by_prefix};
use crate::input::raw::{RawSelector, RawSelectorMap};
use crate::model::{ComponentIdx, Topology};
use crate::text::shown;

#[derive(Debug, Clone)]
pub enum Selector {
    Id(String),
    Glob(glob::Pattern),
    Attributes(RawSelectorMap),
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // Selectors come from the input and are printed in reports and
            // messages: control characters are shown escaped.
            Selector::Id(id) => f.write_str(&shown(id)),
            Selector::Glob(pattern) => f.write_str(&shown(pattern.as_str())),
            Selector::Attributes(map) => {
                let mut parts = Vec::new();
                if let Some(kind) = &map.kind {
                    parts.push(format!("kind: {}", shown(kind)));
                }
                if let Some(region) = &map.region {
                    parts.push(format!("region: {}", shown(region)));
                }
                if let Some(zone) = &map.zone {
                    parts.push(format!("zone: {}", shown(zone)));
                }
                if !map.tags.is_empty() {
                    let tags: Vec<String> = map
                        .tags
                        .iter()
                        .map(|(k, v)| format!("{}: {}", shown(k), shown(v)))
                        .collect();
                    parts.push(format!("tags: {{{}}}", tags.join(", ")));
                }
                write!(f, "{{{}}}", parts.join(", "))
            }
        }
    }
}

impl Selector {
    /// Parses a selector as written; `field` names it in messages.
    pub fn parse(raw: &RawSelector, field: &str) -> Result<Selector, Diagnostic> {
        match raw {
            RawSelector::Pattern(text) if text.contains(['*', '?', '[']) => {
                glob::Pattern::new(text).map(Selector::Glob).map_err(|e| {
                    Diagnostic::new(format!("invalid glob `{}` in `{field}`: {}", shown(text), e.msg))
                        .help("globs use `*`, `?` and `[...]`, e.g. `s3.*`")
                })
            }
            RawSelector::Pattern(text) => Ok(Selector::Id(text.clone())),
            RawSelector::Attributes(map) => {
                if map.kind.is_none() && map.region.is_none() && map.zone.is_none() && map.tags.is_empty() {
                    Err(Diagnostic::new(format!("empty selector map in `{field}`"))
                        .help("give at least one of `kind`, `region`, `zone`, `tags`"))
                } else {
                    Ok(Selector::Attributes(map.clone()))
                }
            }
        }
    }

    fn matches(&self, topology: &Topology, idx: ComponentIdx) -> bool {
        let component = topology.component(idx);
        match self {
            Selector::Id(id) => component.id == *id,
            Selector::Glob(pattern) => pattern.matches(&component.id),
            Selector::Attributes(map) => {
                map.kind.as_ref().is_none_or(|k| *component.kind == **k)
                    && map
                        .region
                        .as_ref()
                        .is_none_or(|r| topology.region_id_of(idx) == Some(r.as_str()))
                    && map.zone.as_ref().is_none_or(|z| {
                        topology
                            .placements_of(idx)
                            .iter()
                            .any(|p| p.zone.is_some_and(|zone| topology.zone(zone).id == *z))
                    })
                    && map.tags.iter().all(|(k, v)| component.extras().tags.get(k) == Some(v))
            }
        }
    }

    /// Every matching component, in file order; an error if there is none.
    pub fn resolve(&self, topology: &Topology, field: &str) -> Result<Vec<ComponentIdx>, Diagnostic> {
        let matched: Vec<ComponentIdx> = match self {
            Selector::Id(id) => topology.find(id).into_iter().collect(),
            _ => topology
                .component_indices()
                .filter(|c| self.matches(topology, *c))
                .collect(),
        };
        if matched.is_empty() {
            return Err(self.no_match(topology, field));
        }
        Ok(matched)
    }

    fn no_match(&self, topology: &Topology, field: &str) -> Diagnostic {
        match self {
            Selector::Id(id) => {
                let diagnostic = Diagnostic::new(format!("`{field}` `{}` matches no component", shown(id)));
                if topology.find_customer(id).is_some() {
                    diagnostic.help("that is a customer; select its apps instead")
                } else if topology.find_zone(id).is_some() {
                    diagnostic.help("that is a zone; use `fail_zone`, or a selector `{zone: ...}`")
                } else if topology.find_region(id).is_some() {
                    diagnostic.help("that is a region; use `fail_region`, or a selector `{region: ...}`")
                } else {
                    diagnostic.suggest(nearest(id, topology.component_ids()))
                }
            }
            Selector::Glob(pattern) => {
                let stem: String = pattern
                    .as_str()
                    .chars()
                    .take_while(|c| !matches!(c, '*' | '?' | '['))
                    .collect();
                let near = nearest_by_prefix(&stem, topology.component_ids(), 5);
                let diagnostic = Diagnostic::new(format!("`{field}` `{self}` matches no component"));
                if near.is_empty() {
                    diagnostic.help("check the pattern; `blast validate` lists what the topology holds")
                } else {
                    diagnostic.help(format!("nearest ids: {}", near.join(", ")))
                }
            }
            Selector::Attributes(_) => Diagnostic::new(format!("`{field}` {self} matches no component"))
                .help("every key of a selector map must match; check kind, region, zone and tags"),
        }
    }
}
