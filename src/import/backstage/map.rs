//! From Backstage entities to a topology: which entity becomes which
//! component, under which id, depending on what. The README's mapping table
//! is the contract; every reference that cannot be followed is a warning.
//!
//! Entities are handled in the order of their refs, so the result depends
//! on the catalog only, not on the order its files were read in.

use std::collections::{BTreeMap, BTreeSet};

use crate::import::Warnings;
use crate::import::backstage::annotate::{self, Values};
use crate::import::backstage::catalog::{Entity, EntityRef, Kind, RefText};
use crate::import::backstage::emit::{Component, Dependency, Failover, Surge, Topology};
use crate::import::backstage::place::{self, Marked, Placement};
use crate::input::raw::At;
use crate::limits::forbidden_character;
use crate::text::shown;

/// Resource types whose entities become data stores.
pub const DATA_STORE_TYPES: &[&str] = &[
    "database",
    "db",
    "datastore",
    "data-store",
    "storage",
    "object-storage",
    "s3-bucket",
    "bucket",
];

/// Where customers come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CustomersFrom {
    /// Entities annotated `blast-radius.dev/customer`.
    #[default]
    Annotation,
    /// One customer per System, its Components as apps.
    System,
}

/// How to map what Backstage does not say.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The topology's `name`.
    pub name: Option<String>,
    pub customers_from: CustomersFrom,
    /// The region of components without a `region` annotation (else they are global).
    pub default_region: Option<String>,
}

/// The catalog, indexed, with each component's id decided.
pub struct Index<'a> {
    /// Components and Resources by ref, each with its id in the topology.
    pub components: BTreeMap<EntityRef, (&'a Entity, String)>,
    pub apis: BTreeMap<EntityRef, &'a Entity>,
    pub systems: BTreeMap<EntityRef, &'a Entity>,
    /// The providers of each API (refs of components), sorted.
    pub providers: BTreeMap<EntityRef, BTreeSet<EntityRef>>,
}

/// Maps the entities (duplicates already removed) onto a topology.
pub fn map(entities: &[Entity], options: &Options, warnings: &mut Warnings) -> Topology {
    let index = index(entities, warnings);
    let mut components = Vec::new();
    let mut stores = Vec::new();
    let mut placements = Vec::new();
    let mut marked = Vec::new();
    for (entity, id) in index.components.values() {
        let values = annotate::values(entity, warnings);
        let mut component = component(&index, entity, id, &values, warnings);
        tags(&index, entity, &mut component, warnings);
        placements.push(Placement {
            file: entity.file.clone(),
            region: values.region.clone(),
            zones: values.zones.clone(),
        });
        marked.push(Marked {
            file: entity.file.clone(),
            component: id.clone(),
            customers: values.customers,
        });
        stores.push(entity.kind == Kind::Resource && is_data_store(entity));
        components.push(component);
    }
    ignored_annotations(entities, warnings);
    let regions = place::regions(
        &mut components,
        &placements,
        options.default_region.as_deref(),
        warnings,
    );
    let all: Vec<&Component> = components.iter().collect();
    let customers = match options.customers_from {
        CustomersFrom::Annotation => place::annotated(&all, &regions, &marked, warnings),
        CustomersFrom::System => place::per_system(&all, &regions, &index, warnings),
    };
    if customers.is_empty() {
        warnings.push(
            crate::error::Diagnostic::new("the catalog names no customers: the topology has none").help(
                "annotate customer-facing entities `blast-radius.dev/customer: NAME`, or pass --customers-from system",
            ),
        );
    }
    let (data_stores, services): (Vec<_>, Vec<_>) = components.into_iter().zip(stores).partition(|(_, store)| *store);
    Topology {
        name: options.name.clone().unwrap_or_else(|| "Backstage catalog".to_string()),
        regions,
        services: services.into_iter().map(|(c, _)| c).collect(),
        data_stores: data_stores.into_iter().map(|(c, _)| c).collect(),
        customers,
        ..Topology::default()
    }
}

/// Annotations on entities that do not become components say nothing the
/// topology can hold.
fn ignored_annotations(entities: &[Entity], warnings: &mut Warnings) {
    for entity in entities {
        if let Some((key, _)) = entity.annotations.first()
            && !matches!(entity.kind, Kind::Component | Kind::Resource)
        {
            let message = format!(
                "`{}` has blast-radius.dev annotations, which only Components and Resources carry: ignored",
                entity.entity_ref()
            );
            warnings.at(&entity.file, key.pos, message);
        }
    }
}

fn is_data_store(entity: &Entity) -> bool {
    entity
        .spec
        .kind_type
        .as_ref()
        .is_some_and(|t| DATA_STORE_TYPES.contains(&t.value.trim().to_ascii_lowercase().as_str()))
}

/// Indexes the catalog and gives each component its id: its name where no
/// other Component or Resource has that name, else its full ref
/// (`component:payments/checkout`), which is always a valid, unique id.
fn index<'a>(entities: &'a [Entity], warnings: &mut Warnings) -> Index<'a> {
    let mut names: BTreeMap<String, usize> = BTreeMap::new();
    for entity in entities
        .iter()
        .filter(|e| matches!(e.kind, Kind::Component | Kind::Resource))
    {
        *names.entry(entity.name.to_ascii_lowercase()).or_default() += 1;
    }
    let mut index = Index {
        components: BTreeMap::new(),
        apis: BTreeMap::new(),
        systems: BTreeMap::new(),
        providers: BTreeMap::new(),
    };
    for entity in entities {
        let reference = entity.entity_ref();
        match entity.kind {
            Kind::Component | Kind::Resource => {
                let id = if names.get(&reference.name) == Some(&1) {
                    entity.name.clone()
                } else {
                    reference.to_string()
                };
                index.components.insert(reference, (entity, id));
            }
            Kind::Api => {
                index.apis.insert(reference, entity);
            }
            Kind::System => {
                index.systems.insert(reference, entity);
            }
            Kind::Domain | Kind::Group | Kind::Location => {}
        }
    }
    let mut providers: BTreeMap<EntityRef, BTreeSet<EntityRef>> = BTreeMap::new();
    for (reference, (entity, _)) in &index.components {
        for api in &entity.spec.provides_apis {
            if let Some(api_ref) = index.api(entity, api, "providesApis", warnings) {
                providers.entry(api_ref).or_default().insert(reference.clone());
            }
        }
    }
    index.providers = providers;
    index
}

impl Index<'_> {
    /// Warns that `entity`'s relation `field` names something unusable.
    fn unknown(entity: &Entity, at: &At<String>, field: &str, problem: String, help: Option<String>, w: &mut Warnings) {
        let message = format!("`{field}` of `{}`: {problem}: ignored", entity.entity_ref());
        match help {
            Some(help) => w.at_help(&entity.file, at.pos, message, help),
            None => w.at(&entity.file, at.pos, message),
        }
    }

    /// `text` as an entity ref in `entity`'s namespace, or a warning.
    fn parse_ref(entity: &Entity, text: &At<String>, field: &str, w: &mut Warnings) -> Option<RefText> {
        let parsed = RefText::parse(&text.value, &entity.namespace);
        if parsed.is_none() {
            let problem = format!("`{}` is not an entity ref", shown(&text.value));
            Self::unknown(entity, text, field, problem, None, w);
        }
        parsed
    }

    /// The API `text` names (default kind `api`).
    fn api(&self, entity: &Entity, text: &At<String>, field: &str, w: &mut Warnings) -> Option<EntityRef> {
        let parsed = Self::parse_ref(entity, text, field, w)?;
        if parsed.kind.as_deref().is_some_and(|k| k != "api") {
            let problem = format!("`{}` is not an API", shown(&text.value));
            Self::unknown(entity, text, field, problem, None, w);
            return None;
        }
        let reference = parsed.with_kind(Kind::Api);
        if !self.apis.contains_key(&reference) {
            let help = nearest(&reference, self.apis.keys());
            Self::unknown(
                entity,
                text,
                field,
                format!("no API `{reference}` in the catalog"),
                help,
                w,
            );
            return None;
        }
        Some(reference)
    }

    /// The Component or Resource `text` names; without a kind, whichever of
    /// the two has that name.
    pub fn component(&self, entity: &Entity, text: &At<String>, field: &str, w: &mut Warnings) -> Option<EntityRef> {
        let parsed = Self::parse_ref(entity, text, field, w)?;
        let candidates: Vec<EntityRef> = match parsed.kind.as_deref() {
            None => vec![parsed.with_kind(Kind::Component), parsed.with_kind(Kind::Resource)],
            Some(kind) => match Kind::parse(kind) {
                Some(k @ (Kind::Component | Kind::Resource)) => vec![parsed.with_kind(k)],
                _ => {
                    let problem = format!("`{}` is not a Component or Resource", shown(&text.value));
                    Self::unknown(entity, text, field, problem, None, w);
                    return None;
                }
            },
        };
        let found: Vec<&EntityRef> = candidates.iter().filter(|c| self.components.contains_key(*c)).collect();
        match found.as_slice() {
            [one] => Some((*one).clone()),
            [] => {
                let help = nearest(&candidates[0], self.components.keys());
                let problem = format!("no `{}` in the catalog", candidates[0]);
                Self::unknown(entity, text, field, problem, help, w);
                None
            }
            _ => {
                let problem = format!("`{}` is both a Component and a Resource", shown(&text.value));
                let help = Some("name the kind: `component:...` or `resource:...`".to_string());
                Self::unknown(entity, text, field, problem, help, w);
                None
            }
        }
    }

    pub fn id(&self, reference: &EntityRef) -> &str {
        self.components.get(reference).map_or("", |(_, id)| id.as_str())
    }
}

/// "Did you mean" help: the ref whose name is nearest to `wanted`'s (the
/// `kind:namespace/` they share would make every ref look alike).
fn nearest<'a>(wanted: &EntityRef, refs: impl Iterator<Item = &'a EntityRef>) -> Option<String> {
    let refs: Vec<&EntityRef> = refs.collect();
    let name = crate::error::nearest(&wanted.name, refs.iter().map(|r| r.name.as_str()))?;
    let found = refs.iter().find(|r| r.name == name)?;
    Some(format!("did you mean `{found}`?"))
}

/// Free text for the topology, or `None` with a warning when it holds
/// control characters the topology refuses.
fn text(entity: &Entity, value: &Option<At<String>>, what: &str, multiline: bool, w: &mut Warnings) -> Option<String> {
    let value = value.as_ref()?;
    let trimmed = value.value.trim();
    if let Some(c) = forbidden_character(trimmed, multiline) {
        let message = format!(
            "{what} of `{}` holds the control character `{}`: ignored",
            entity.entity_ref(),
            c.escape_debug()
        );
        w.at(&entity.file, value.pos, message);
        return None;
    }
    (!trimmed.is_empty()).then(|| trimmed.to_string())
}

/// One Component or Resource, without placement, customers and tags.
fn component(index: &Index, entity: &Entity, id: &str, values: &Values, w: &mut Warnings) -> Component {
    let kind = text(entity, &entity.spec.kind_type, "`spec.type`", false, w)
        .or_else(|| (entity.kind == Kind::Resource).then(|| "resource".to_string()));
    let number = |n: &Option<crate::number::Exact>| n.as_ref().map(ToString::to_string);
    Component {
        id: id.to_string(),
        name: text(entity, &entity.title, "`metadata.title`", false, w),
        kind,
        description: text(entity, &entity.description, "`metadata.description`", true, w),
        capacity: number(&values.capacity),
        min_capacity: number(&values.min_capacity),
        max_capacity: number(&values.max_capacity),
        load: number(&values.load),
        restart_time: values.restart_time.clone(),
        restore_time: values.restore_time.clone(),
        depends_on: dependencies(index, entity, id, values, w),
        surges: surges(index, entity, id, values, w),
        failover: failover(index, entity, id, values, w),
        ..Component::default()
    }
}

/// `dependsOn` (hard, or soft when `soft-dependencies` names it) and
/// `consumesApis` (on the API's provider, `any_of` when there are several).
fn dependencies(index: &Index, entity: &Entity, id: &str, values: &Values, w: &mut Warnings) -> Vec<Dependency> {
    let mut soft = SoftList::new(entity, values, w);
    let mut collected = Collected::default();
    for target in &entity.spec.depends_on {
        let Some(reference) = index.component(entity, target, "dependsOn", w) else {
            continue;
        };
        let target_id = index.id(&reference).to_string();
        let is_soft = soft.matches(&reference);
        if target_id == id {
            let message = format!("`{}` depends on itself: ignored", entity.entity_ref());
            w.at(&entity.file, target.pos, message);
            continue;
        }
        collected.add(target_id, is_soft);
    }
    for api in &entity.spec.consumes_apis {
        if let Some(api_ref) = index.api(entity, api, "consumesApis", w) {
            let is_soft = soft.matches(&api_ref);
            consumed(index, entity, id, (api, &api_ref), is_soft, &mut collected, w);
        }
    }
    soft.report_unused(entity, w);
    collected.into_list()
}

/// The dependency on the providers of a consumed API.
fn consumed(
    index: &Index,
    entity: &Entity,
    id: &str,
    (api, api_ref): (&At<String>, &EntityRef),
    soft: bool,
    collected: &mut Collected,
    w: &mut Warnings,
) {
    let providers: Vec<String> = index
        .providers
        .get(api_ref)
        .into_iter()
        .flatten()
        .map(|p| index.id(p).to_string())
        .filter(|p| p != id)
        .collect();
    match providers.as_slice() {
        [] => {
            let message = if index.providers.contains_key(api_ref) {
                format!(
                    "`{}` consumes `{api_ref}`, which only it provides: no dependency",
                    entity.entity_ref()
                )
            } else {
                format!(
                    "API `{api_ref}` has no provider: the dependency of `{}` on it is left out",
                    entity.entity_ref()
                )
            };
            let help = "list the API under `spec.providesApis` of the component that serves it";
            w.at_help(&entity.file, api.pos, message, help);
        }
        [one] => collected.add(one.clone(), soft),
        several => {
            if soft {
                // A soft `any_of` would be degraded, not down, when every
                // provider is down; the format has no such rule.
                let message = format!(
                    "`{}` consumes `{api_ref}` softly, but it has {} providers: the topology has no soft `any_of`, so it is hard",
                    entity.entity_ref(),
                    several.len()
                );
                w.at(&entity.file, api.pos, message);
            }
            collected.groups.insert(several.to_vec());
        }
    }
}

/// The `soft-dependencies` of one entity, and which of them named a dependency.
struct SoftList<'a> {
    entries: Vec<(RefText, &'a At<String>)>,
    used: Vec<bool>,
}

impl<'a> SoftList<'a> {
    fn new(entity: &Entity, values: &'a Values, w: &mut Warnings) -> Self {
        let mut entries = Vec::new();
        for text in &values.soft {
            match RefText::parse(&text.value, &entity.namespace) {
                Some(reference) => entries.push((reference, text)),
                None => {
                    let problem = format!("`{}` is not an entity ref", shown(&text.value));
                    Index::unknown(entity, text, "soft-dependencies", problem, None, w);
                }
            }
        }
        SoftList {
            used: vec![false; entries.len()],
            entries,
        }
    }

    /// Whether an entry names `reference` (with its kind, or without one).
    fn matches(&mut self, reference: &EntityRef) -> bool {
        let mut found = false;
        for ((entry, _), used) in self.entries.iter().zip(&mut self.used) {
            let kind_matches = entry.kind.as_deref().is_none_or(|k| k == reference.kind.as_str());
            if kind_matches && entry.namespace == reference.namespace && entry.name == reference.name {
                *used = true;
                found = true;
            }
        }
        found
    }

    fn report_unused(&self, entity: &Entity, w: &mut Warnings) {
        for ((_, at), used) in self.entries.iter().zip(&self.used) {
            if !used {
                let message = format!(
                    "`soft-dependencies` of `{}`: `{}` is not in its dependsOn or consumesApis: ignored",
                    entity.entity_ref(),
                    shown(&at.value)
                );
                w.at(&entity.file, at.pos, message);
            }
        }
    }
}

/// One entity's dependencies, each target once.
#[derive(Default)]
struct Collected {
    /// Targets and whether the dependency is soft.
    single: BTreeMap<String, bool>,
    groups: BTreeSet<Vec<String>>,
}

impl Collected {
    fn add(&mut self, target: String, soft: bool) {
        // Hard wins when a target is named both ways.
        *self.single.entry(target).or_insert(soft) &= soft;
    }

    /// Single targets by id, then the `any_of` groups.
    fn into_list(self) -> Vec<Dependency> {
        let mut out: Vec<Dependency> = self
            .single
            .into_iter()
            .map(|(target, soft)| {
                if soft {
                    Dependency::Soft(target)
                } else {
                    Dependency::Hard(target)
                }
            })
            .collect();
        out.extend(self.groups.into_iter().map(Dependency::AnyOf));
        out
    }
}

fn surges(index: &Index, entity: &Entity, id: &str, values: &Values, w: &mut Warnings) -> Vec<Surge> {
    let mut out = Vec::new();
    for note in &values.surges {
        let target = match &note.target {
            None => None,
            Some(target) => match index.component(entity, target, "surges", w) {
                Some(reference) => Some(index.id(&reference).to_string()).filter(|t| t != id),
                None => continue,
            },
        };
        out.push(Surge {
            when: note.when,
            target,
            effect: (note.effect.0, note.effect.1.to_string()),
        });
    }
    out
}

fn failover(index: &Index, entity: &Entity, id: &str, values: &Values, w: &mut Warnings) -> Option<Failover> {
    let note = values.failover.as_ref()?;
    let reference = index.component(entity, &note.to, "failover", w)?;
    let to = index.id(&reference).to_string();
    if to == id {
        let message = format!("the failover of `{}` goes to itself: ignored", entity.entity_ref());
        w.at(&entity.file, note.to.pos, message);
        return None;
    }
    Some(Failover { to, when: note.when })
}

/// The tags: the entity's ref, system (and its domain), owner, lifecycle,
/// and one `tag.NAME: "true"` per Backstage tag.
fn tags(index: &Index, entity: &Entity, component: &mut Component, w: &mut Warnings) {
    let mut tags = BTreeMap::new();
    tags.insert("backstage-ref".to_string(), entity.entity_ref().to_string());
    if let Some(system) = &entity.spec.system {
        match system_of(index, entity, system, w) {
            Some(found) => {
                tags.insert("system".to_string(), found.name.clone());
                if let Some(domain) = text(found, &found.spec.domain, "`spec.domain`", false, w) {
                    tags.insert("domain".to_string(), domain);
                }
            }
            None => {
                if let Some(written) = text(entity, &entity.spec.system, "`spec.system`", false, w) {
                    tags.insert("system".to_string(), written);
                }
            }
        }
    }
    for (key, value) in [("owner", &entity.spec.owner), ("lifecycle", &entity.spec.lifecycle)] {
        if let Some(value) = text(entity, value, &format!("`spec.{key}`"), false, w) {
            tags.insert(key.to_string(), value);
        }
    }
    for tag in &entity.tags {
        if let Some(tag) = text(entity, &Some(tag.clone()), "a tag", false, w) {
            tags.insert(format!("tag.{tag}"), "true".to_string());
        }
    }
    component.tags = tags;
}

/// The System entity `system` names (default kind `system`), warning when
/// the catalog has none by that name.
pub fn system_of<'a>(index: &Index<'a>, entity: &Entity, system: &At<String>, w: &mut Warnings) -> Option<&'a Entity> {
    let parsed = RefText::parse(&system.value, &entity.namespace)?;
    let reference = parsed.with_kind(Kind::System);
    let found = index.systems.get(&reference).copied();
    if found.is_none() {
        let message = format!(
            "`spec.system` of `{}`: no System `{reference}` in the catalog: kept as a tag only",
            entity.entity_ref()
        );
        w.at(&entity.file, system.pos, message);
    }
    found
}
