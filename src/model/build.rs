//! Checks a topology as the parser reads it and freezes it into a
//! [`Topology`], enforcing everything SPEC section 2 requires.
//!
//! A large topology is never held twice: [`crate::input::document`] hands each
//! component to the [`Builder`] as soon as it is read, and the builder checks
//! it and keeps only its compact frozen form. References (`depends_on`,
//! `state`) may point forward, so they are kept as interned symbols and
//! resolved once the whole file has been read.
//!
//! The first problem is reported: each entry's own fields (ids, values,
//! regions and zones) in file order as they are read, then the references,
//! in file order.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use compact_str::CompactString;
use petgraph::graph::{DiGraph, NodeIndex};
use string_interner::{DefaultStringInterner, DefaultSymbol, Symbol};

use crate::error::{Diagnostic, Error, Pos, Result, nearest};
use crate::input::document::TopologySink;
use crate::input::raw::{
    At, CapacityValue, RawComponent, RawCustomer, RawDependency, RawFailover, RawMode, RawNumber, RawPlan, RawRegion,
    RawSurge, RawWhen, Section,
};
use crate::limits::forbidden_character;
use crate::model::selector::Selector;
use crate::model::topology::{
    Component, ComponentIdx, Customer, CustomerIdx, Extras, Failover, FailoverIdx, Group, GroupIdx, Guard, Placement,
    Region, RegionIdx, Rows, Rule, Scenario, Surge, SurgeEffect, SurgeIdx, Topology, Zone, ZoneIdx,
};
use crate::number::Exact;
use crate::status::Status;
use crate::text::shown;

/// What an id names, for messages like "`x` is a region, not a component".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IdKind {
    Region,
    Zone,
    Component,
    Customer,
}

impl IdKind {
    fn noun(self) -> &'static str {
        match self {
            IdKind::Region => "a region",
            IdKind::Zone => "a zone",
            IdKind::Component => "a component",
            IdKind::Customer => "a customer",
        }
    }
}

/// An id as declared: what it names and its index among those. Where it
/// was written is read back from what it names ([`Builder::defined_at`]),
/// so that the table of every name in a large file stays small.
#[derive(Debug, Clone, Copy)]
struct Declared {
    kind: IdKind,
    index: u32,
}

/// A section met before `regions`, kept as read until the zones it names are known.
enum Deferred {
    Components(Vec<RawComponent>, Section),
    Customers(Vec<RawCustomer>),
}

/// Checks a topology section by section as it is read; [`Builder::finish`]
/// resolves the references and freezes it.
pub struct Builder<'p> {
    path: &'p Path,
    max_components: usize,
    /// Every id and every reference in the file, each distinct string stored once.
    names: DefaultStringInterner,
    /// What each interned name was declared as, by symbol; `None` for a name
    /// that has only been referred to so far.
    declared: Vec<Option<Declared>>,
    /// Where each region and zone id was written (components and customers keep their own).
    region_at: Vec<Pos>,
    zone_at: Vec<Pos>,
    /// Where the id of the customer whose apps are being read was written:
    /// the customer joins `customers` after its apps.
    open_customer_at: Pos,
    name: Option<String>,
    description: Option<String>,
    regions_known: bool,
    deferred: Vec<Deferred>,
    regions: Vec<Region>,
    zones: Vec<Zone>,
    /// Kinds are few and repeated on every component: one shared copy each.
    kinds: HashSet<Arc<str>>,
    components: Vec<Component>,
    placements: Vec<Placement>,
    /// Scratch for [`component`], see there.
    zone_slots: Vec<u32>,
    groups: Vec<Group>,
    /// Each group's members in group order: resolved at once when the name
    /// was declared before (most references point back), `None` when it is
    /// resolved by [`Builder::finish`] from `pending_members`.
    members: Vec<Option<ComponentIdx>>,
    /// The members still to resolve, in member order: name and place.
    pending_members: Vec<(DefaultSymbol, Pos)>,
    /// Scratch for a group's duplicate check: the group (numbered from 1)
    /// each symbol was last listed in.
    listed_in: Vec<u32>,
    /// `state` references in component order: the component, the store's name, where.
    states: Vec<(ComponentIdx, DefaultSymbol, Pos)>,
    customers: Vec<Customer>,
    scenarios: Vec<Scenario>,
    /// Surges and failovers, whose selectors are resolved once every id is known.
    dynamics: Vec<PendingDynamics>,
}

/// A component's `surges` and `failover` as written.
struct PendingDynamics {
    source: ComponentIdx,
    surges: Vec<At<RawSurge>>,
    failover: Option<At<RawFailover>>,
}

fn pos<T>(spanned: &At<T>) -> Pos {
    spanned.pos
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'/' | b'-'))
}

/// A zone that is not in the component's list (see `zone_slots`).
const NO_SLOT: u32 = u32::MAX;

impl<'p> Builder<'p> {
    /// A builder with room for about `entries` components: growing a table
    /// of a million components by doubling would hold the old and the new
    /// copy at once.
    pub(crate) fn with_capacity(path: &'p Path, max_components: usize, entries: usize) -> Self {
        let entries = entries.min(max_components);
        let mut builder = Builder {
            path,
            max_components: max_components.min(u32::MAX as usize - 1),
            names: DefaultStringInterner::with_capacity(entries + entries / 4),
            declared: Vec::new(),
            region_at: Vec::new(),
            zone_at: Vec::new(),
            open_customer_at: Pos::default(),
            name: None,
            description: None,
            regions_known: false,
            deferred: Vec::new(),
            regions: Vec::new(),
            zones: Vec::new(),
            kinds: HashSet::new(),
            components: Vec::new(),
            placements: Vec::new(),
            zone_slots: Vec::new(),
            groups: Vec::new(),
            members: Vec::new(),
            pending_members: Vec::new(),
            listed_in: Vec::new(),
            states: Vec::new(),
            customers: Vec::new(),
            scenarios: Vec::new(),
            dynamics: Vec::new(),
        };
        builder.components.reserve_exact(entries);
        builder.placements.reserve(entries);
        builder
    }

    fn error(&self, at: Pos, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(message).at(at.at(self.path))
    }

    fn declared(&self, name: &str) -> Option<Declared> {
        self.names.get(name).and_then(|symbol| self.declared_as(symbol))
    }

    fn declared_as(&self, symbol: DefaultSymbol) -> Option<Declared> {
        self.declared.get(symbol.to_usize()).copied().flatten()
    }

    /// An interned name's text; every symbol comes from `names`.
    fn name_of(&self, symbol: DefaultSymbol) -> &str {
        self.names.resolve(symbol).unwrap_or_default()
    }

    fn declare(&mut self, id: &str, at: Pos, kind: IdKind, index: u32) -> Result<()> {
        if !valid_id(id) {
            return Err(self
                .error(at, format!("invalid id `{}`", shown(id)))
                .help("ids use only letters, digits and `. _ : / -`")
                .into());
        }
        let symbol = self.names.get_or_intern(id);
        if let Some(first) = self.declared_as(symbol) {
            return Err(self
                .error(at, format!("duplicate id `{id}`"))
                .note(format!(
                    "first defined as {} at {}",
                    first.kind.noun(),
                    self.defined_at(first).at(self.path)
                ))
                .help("ids must be unique across the whole file (regions, zones, components, customers); rename one of them")
                .into());
        }
        let slot = symbol.to_usize();
        if slot >= self.declared.len() {
            self.declared.resize(slot + 1, None);
        }
        self.declared[slot] = Some(Declared { kind, index });
        match kind {
            IdKind::Region => self.region_at.push(at),
            IdKind::Zone => self.zone_at.push(at),
            IdKind::Component | IdKind::Customer => {}
        }
        Ok(())
    }

    /// Where a declared id was written.
    fn defined_at(&self, declared: Declared) -> Pos {
        let i = declared.index as usize;
        let at = match declared.kind {
            IdKind::Region => self.region_at.get(i),
            IdKind::Zone => self.zone_at.get(i),
            IdKind::Component => self.components.get(i).map(|c| &c.pos),
            IdKind::Customer => Some(self.customers.get(i).map_or(&self.open_customer_at, |c| &c.pos)),
        };
        at.copied().unwrap_or_default()
    }

    fn suggest(&self, wanted: &str, kind: IdKind) -> Option<String> {
        nearest(
            wanted,
            self.names
                .iter()
                .filter(|(symbol, _)| self.declared_as(*symbol).is_some_and(|d| d.kind == kind))
                .map(|(_, name)| name),
        )
    }

    /// Resolves a reference that must name an id of `kind`; `what` and
    /// `owner` say where it was written ("zone of `owner`").
    fn resolve(&self, id: &str, at: Pos, kind: IdKind, what: &str, owner: &str) -> Result<u32> {
        self.check_reference(self.declared(id), id, at, kind, what, owner)
    }

    /// [`Builder::resolve`] for an interned reference, without hashing its name again.
    fn resolve_symbol(&self, symbol: DefaultSymbol, at: Pos, kind: IdKind, what: &str, owner: &str) -> Result<u32> {
        self.check_reference(self.declared_as(symbol), self.name_of(symbol), at, kind, what, owner)
    }

    fn check_reference(
        &self,
        declared: Option<Declared>,
        id: &str,
        at: Pos,
        kind: IdKind,
        what: &str,
        owner: &str,
    ) -> Result<u32> {
        match declared {
            Some(d) if d.kind == kind => Ok(d.index),
            Some(d) => Err(self
                .error(
                    at,
                    format!("{what} of `{owner}`: `{id}` is {}, not {}", d.kind.noun(), kind.noun()),
                )
                .help(match kind {
                    IdKind::Component if d.kind == IdKind::Customer => {
                        "depend on one of the customer's apps instead".to_string()
                    }
                    _ => format!("name {} here", kind.noun()),
                })
                .into()),
            None => Err(self
                .error(at, format!("{what} of `{owner}`: `{}` does not exist", shown(id)))
                .suggest(self.suggest(id, kind))
                .into()),
        }
    }

    /// Interns a reference to resolve once every id is known.
    fn refer(&mut self, name: &str) -> DefaultSymbol {
        self.names.get_or_intern(name)
    }

    /// A number's exact value, or a located message naming the field and whose it is.
    fn number(&self, raw: &RawNumber, field: &str, id: &str) -> Result<Exact> {
        raw.value.clone().map_err(|problem| {
            self.error(raw.pos, format!("`{field}` of `{id}` is {}", problem.describe()))
                .help(problem.help())
                .into()
        })
    }

    fn optional_number(&self, raw: &Option<RawNumber>, field: &str, id: &str) -> Result<Option<Exact>> {
        raw.as_ref().map(|n| self.number(n, field, id)).transpose()
    }

    fn duration(&self, raw: &Option<At<String>>, field: &str, id: &str) -> Result<Option<Duration>> {
        let Some(text) = raw else { return Ok(None) };
        parse_duration(&text.value).map(Some).ok_or_else(|| {
            self.error(
                pos(text),
                format!("invalid {field} `{}` for `{id}`", shown(&text.value)),
            )
            .help("write a duration such as `45s`, `90m`, `4h` or `1h30m`")
            .into()
        })
    }

    /// Free text is printed in reports and CI logs, so it may hold no control
    /// characters (terminal escape sequences, carriage returns, NUL) but tabs,
    /// and line breaks in a description. `what` names the field; it is only
    /// written out for a message, since this runs for every component.
    fn text(&self, at: Option<Pos>, value: Option<&str>, what: impl FnOnce() -> String, multiline: bool) -> Result<()> {
        let Some(bad) = value.and_then(|v| forbidden_character(v, multiline)) else {
            return Ok(());
        };
        let mut diagnostic = Diagnostic::new(format!(
            "{} contains the control character `{}`",
            what(),
            bad.escape_debug()
        ))
        .help("remove it: free text is printed in reports and logs");
        if let Some(at) = at {
            diagnostic = diagnostic.at(at.at(self.path));
        }
        Err(diagnostic.into())
    }

    fn tags(&self, at: Pos, tags: &std::collections::BTreeMap<String, String>, id: &str) -> Result<()> {
        for (key, value) in tags {
            self.text(Some(at), Some(key), || format!("a tag name of `{id}`"), false)?;
            self.text(
                Some(at),
                Some(value),
                || format!("tag `{}` of `{id}`", shown(key)),
                false,
            )?;
        }
        Ok(())
    }
}

impl TopologySink for Builder<'_> {
    fn version(&mut self, version: &At<u64>) -> Result<()> {
        if version.value != 1 {
            return Err(self
                .error(pos(version), format!("unsupported topology version {}", version.value))
                .help("this version of blast reads `version: 1`")
                .into());
        }
        Ok(())
    }

    fn name(&mut self, name: Option<String>) -> Result<()> {
        let what = || format!("`name` of the topology `{}`", self.path.display());
        self.text(None, name.as_deref(), what, false)?;
        self.name = name;
        Ok(())
    }

    fn description(&mut self, description: Option<String>) -> Result<()> {
        let what = || format!("`description` of the topology `{}`", self.path.display());
        self.text(None, description.as_deref(), what, true)?;
        self.description = description;
        Ok(())
    }

    fn scenarios(&mut self, scenarios: BTreeMap<String, At<RawPlan>>) -> Result<()> {
        for (name, plan) in &scenarios {
            let at = Some(plan.pos);
            self.text(at, Some(name), || "a scenario name".to_string(), false)?;
            let what = || format!("`description` of scenario `{}`", shown(name));
            self.text(at, plan.value.description.as_deref(), what, true)?;
        }
        self.scenarios = scenarios
            .into_iter()
            .map(|(name, plan)| Scenario { name, plan })
            .collect();
        Ok(())
    }

    /// Whether components can be checked as they are read: their regions and zones are known.
    fn regions_known(&self) -> bool {
        self.regions_known
    }

    fn defer_components(&mut self, raw: Vec<RawComponent>, section: Section) {
        self.deferred.push(Deferred::Components(raw, section));
    }

    fn defer_customers(&mut self, raw: Vec<RawCustomer>) {
        self.deferred.push(Deferred::Customers(raw));
    }

    fn regions(&mut self, raw: Vec<RawRegion>) -> Result<()> {
        for (r, region) in raw.iter().enumerate() {
            self.declare(&region.id.value, pos(&region.id), IdKind::Region, r as u32)?;
            let what = || format!("`name` of region `{}`", region.id.value);
            self.text(Some(pos(&region.id)), region.name.as_deref(), what, false)?;
        }
        for region in &raw {
            if region.zones.value.is_empty() {
                return Err(self
                    .error(pos(&region.zones), format!("region `{}` has no zones", region.id.value))
                    .help("list at least one zone, e.g. `zones: [use1-az1]`")
                    .into());
            }
            for zone in &region.zones.value {
                self.declare(&zone.value, pos(zone), IdKind::Zone, self.zones.len() as u32)?;
                self.zones.push(Zone {
                    id: zone.value.clone(),
                    region: RegionIdx::new(self.regions.len()),
                });
            }
            let first = self.zones.len() - region.zones.value.len();
            self.regions.push(Region {
                id: region.id.value.clone(),
                name: region.name.clone(),
                zones: (first..self.zones.len()).map(ZoneIdx::new).collect(),
            });
        }
        self.regions_done()
    }

    fn component(&mut self, raw: RawComponent, section: Section) -> Result<()> {
        self.add_component(raw, section, None)
    }

    fn customer(&mut self, raw: RawCustomer) -> Result<()> {
        self.add_customer(raw)
    }
}

impl Builder<'_> {
    /// From here on components are checked as they come; the ones met
    /// before are checked now, in file order.
    fn regions_done(&mut self) -> Result<()> {
        self.regions_known = true;
        self.zone_slots = vec![NO_SLOT; self.zones.len()];
        for section in std::mem::take(&mut self.deferred) {
            match section {
                Deferred::Components(list, section) => {
                    for raw in list {
                        self.add_component(raw, section, None)?;
                    }
                }
                Deferred::Customers(list) => {
                    for raw in list {
                        self.add_customer(raw)?;
                    }
                }
            }
        }
        Ok(())
    }

    fn add_component(&mut self, mut raw: RawComponent, section: Section, customer: Option<CustomerIdx>) -> Result<()> {
        let index = self.components.len() as u32;
        if self.components.len() >= self.max_components {
            return Err(self
                .error(
                    pos(&raw.id),
                    format!(
                        "`{}` has more components than the limit of {}",
                        self.path.display(),
                        self.max_components
                    ),
                )
                .help("raise the limit with --max-components if the file is genuine")
                .into());
        }
        self.declare(&raw.id.value, pos(&raw.id), IdKind::Component, index)?;
        let kind = raw.kind.as_deref().unwrap_or(section.default_kind());
        let kind = match self.kinds.get(kind) {
            Some(shared) => shared.clone(),
            None => {
                let shared: Arc<str> = Arc::from(kind);
                self.kinds.insert(shared.clone());
                shared
            }
        };
        let mut placements = std::mem::take(&mut self.placements);
        let mut zone_slots = std::mem::take(&mut self.zone_slots);
        let checked = component(self, &raw, kind, section, customer, &mut placements, &mut zone_slots);
        self.placements = placements;
        self.zone_slots = zone_slots;
        self.components.push(checked?);
        let me = ComponentIdx::new(index as usize);
        if !raw.surges.is_empty() || raw.failover.is_some() {
            self.dynamics.push(PendingDynamics {
                source: me,
                surges: std::mem::take(&mut raw.surges),
                failover: raw.failover.take(),
            });
        }
        self.references(me, raw)
    }

    /// Records `state` and `depends_on` for [`Builder::finish`], checking
    /// what can be checked before the names are resolved.
    fn references(&mut self, me: ComponentIdx, raw: RawComponent) -> Result<()> {
        let id = raw.id.value;
        if let Some(state) = raw.state {
            let store = self.refer(&state.value);
            self.states.push((me, store, pos(&state)));
        }
        let first_group = self.groups.len() as u32;
        for entry in raw.depends_on {
            let at = pos(&entry);
            let first_member = self.members.len() as u32;
            let group = self.groups.len() as u32 + 1;
            let rule = match entry.value {
                RawDependency::Single { id: dep, mode } => {
                    self.member(&dep, at, &id, at, group)?;
                    match mode {
                        RawMode::Hard => Rule::Hard,
                        RawMode::Soft => Rule::Soft,
                    }
                }
                RawDependency::Group { quorum, members } => {
                    let rule = self.group_rule(quorum, members.len(), at, &id)?;
                    for member in members {
                        self.member(&member.value, pos(&member), &id, at, group)?;
                    }
                    rule
                }
            };
            self.groups.push(Group {
                dependent: me,
                rule,
                members: first_member..self.members.len() as u32,
            });
        }
        self.components[me.index()].groups = first_group..self.groups.len() as u32;
        Ok(())
    }

    /// The rule of an `any_of` or `quorum` entry with `size` members.
    fn group_rule(&self, quorum: Option<At<u64>>, size: usize, at: Pos, id: &str) -> Result<Rule> {
        if size == 0 {
            let what = if quorum.is_some() { "`of`" } else { "`any_of`" };
            return Err(self
                .error(at, format!("empty {what} in the dependencies of `{id}`"))
                .help("list at least one component")
                .into());
        }
        match quorum {
            None => Ok(Rule::Quorum { k: 1, any_of: true }),
            Some(k) if k.value == 0 || k.value > size as u64 => Err(self
                .error(
                    pos(&k),
                    format!("quorum {} of `{id}` is not between 1 and its {size} members", k.value),
                )
                .help("set `quorum` to how many of the members must be serving")
                .into()),
            Some(k) => Ok(Rule::Quorum {
                k: k.value as u32,
                any_of: false,
            }),
        }
    }

    /// Records one member of dependency entry `group` (numbered from 1) of
    /// a component, written at `at` in the entry at `entry`. A member listed twice
    /// and a dependency on itself are the entry's own problems, found here.
    fn member(&mut self, name: &str, at: Pos, id: &str, entry: Pos, group: u32) -> Result<()> {
        let symbol = self.refer(name);
        let slot = symbol.to_usize();
        if slot >= self.listed_in.len() {
            self.listed_in.resize(slot + 1, 0);
        }
        if std::mem::replace(&mut self.listed_in[slot], group) == group {
            return Err(self
                .error(
                    at,
                    format!("`{}` is listed twice in one dependency of `{id}`", shown(name)),
                )
                .help("list each member once")
                .into());
        }
        if name == id {
            return Err(self
                .error(entry, format!("`{id}` depends on itself"))
                .help("remove the dependency on itself")
                .into());
        }
        match self.declared_as(symbol) {
            Some(d) if d.kind == IdKind::Component => {
                self.members.push(Some(ComponentIdx::new(d.index as usize)));
            }
            _ => {
                self.members.push(None);
                self.pending_members.push((symbol, at));
            }
        }
        Ok(())
    }

    /// Checks one customer and its apps.
    fn add_customer(&mut self, raw: RawCustomer) -> Result<()> {
        let index = self.customers.len() as u32;
        self.declare(&raw.id.value, pos(&raw.id), IdKind::Customer, index)?;
        self.open_customer_at = pos(&raw.id);
        let at = Some(pos(&raw.id));
        let id = &raw.id.value;
        self.text(at, raw.name.as_deref(), || format!("`name` of customer `{id}`"), false)?;
        self.text(at, raw.tier.as_deref(), || format!("`tier` of customer `{id}`"), false)?;
        let weight = self.optional_number(&raw.weight, "weight", id)?.unwrap_or(Exact::ONE);
        if raw.apps.value.is_empty() {
            return Err(self
                .error(pos(&raw.apps), format!("customer `{id}` has no apps"))
                .help("a customer needs at least one app under `apps`")
                .into());
        }
        let first_app = self.components.len() as u32;
        for app in raw.apps.value {
            self.add_component(app, Section::App, Some(CustomerIdx::new(index as usize)))?;
        }
        let at = pos(&raw.id);
        self.customers.push(Customer {
            id: raw.id.value,
            name: raw.name,
            weight,
            tier: raw.tier,
            app_range: first_app..self.components.len() as u32,
            pos: at,
        });
        Ok(())
    }

    /// Resolves the references, component by component in file order (its
    /// `state`, then its dependencies), and freezes the topology.
    pub fn finish(mut self) -> Result<Topology> {
        if !self.regions_known {
            self.regions_done()?;
        }
        let mut pending = std::mem::take(&mut self.pending_members).into_iter();
        let mut states = self.states.iter().peekable();
        for i in 0..self.components.len() {
            let me = ComponentIdx::new(i);
            if let Some((_, store, at)) = states.next_if(|(c, _, _)| *c == me) {
                let id = self.components[i].id.as_str();
                let target = self.resolve_symbol(*store, *at, IdKind::Component, "state", id)?;
                if self.components[target as usize].section != Section::DataStore {
                    let name = self.name_of(*store);
                    return Err(self
                        .error(*at, format!("state of `{id}`: `{name}` is not a data store"))
                        .help("`state` names an entry of `data_stores`")
                        .into());
                }
                self.components[i].state = Some(ComponentIdx::new(target as usize));
            }
            let id = self.components[i].id.as_str();
            for g in self.components[i].groups.clone() {
                for m in self.groups[g as usize].members.clone() {
                    if self.members[m as usize].is_none()
                        && let Some((name, at)) = pending.next()
                    {
                        let target = self.resolve_symbol(name, at, IdKind::Component, "dependency", id)?;
                        self.members[m as usize] = Some(ComponentIdx::new(target as usize));
                    }
                }
            }
        }
        // Every slot is resolved now: a pending one either resolved or stopped the load.
        let members: Vec<ComponentIdx> = std::mem::take(&mut self.members).into_iter().flatten().collect();
        let Builder {
            path,
            name,
            description,
            regions,
            zones,
            components,
            placements,
            groups,
            customers,
            scenarios,
            dynamics,
            ..
        } = self;
        let graph = dependency_graph(components.len(), &groups, &members);
        let by_id = sorted_by_id(components.len(), |i| components[i].id.as_str(), ComponentIdx::new);
        let customers_by_id = sorted_by_id(customers.len(), |i| customers[i].id.as_str(), CustomerIdx::new);
        let mut topology = Topology {
            source: path.to_path_buf(),
            name,
            description,
            regions,
            zones,
            components,
            placements,
            groups,
            members,
            customers,
            scenarios,
            surges: Vec::new(),
            surge_targets: Vec::new(),
            failovers: Vec::new(),
            failover_targets: Vec::new(),
            surges_into: Rows::default(),
            failovers_into: Rows::default(),
            graph,
            by_id,
            customers_by_id,
            cycles: OnceLock::new(),
        };
        resolve_dynamics(&mut topology, path, dynamics)?;
        Ok(topology)
    }
}

/// Entries `0..count` in the order of their ids. Each is sorted on the first
/// 16 bytes of its id held beside it, and the whole ids are compared only
/// where those tie: a million ids compared in place would mostly wait on
/// memory.
fn sorted_by_id<'a, I>(count: usize, id: impl Fn(usize) -> &'a str, index: impl Fn(usize) -> I) -> Vec<I> {
    let prefix = |text: &str| {
        let mut bytes = [0u8; 16];
        let head = &text.as_bytes()[..text.len().min(16)];
        bytes[..head.len()].copy_from_slice(head);
        // Big-endian halves, so that the numbers order as the bytes do;
        // ids hold no NUL, so the zero padding sorts a shorter id first, as
        // `str` does (and equal prefixes fall back to the ids anyway).
        let (high, low) = bytes.split_at(8);
        let half = |b: &[u8]| u64::from_be_bytes(b.try_into().unwrap_or_default());
        (half(high), half(low))
    };
    let mut keyed: Vec<((u64, u64), u32)> = (0..count).map(|i| (prefix(id(i)), i as u32)).collect();
    keyed.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| id(a.1 as usize).cmp(id(b.1 as usize))));
    keyed.into_iter().map(|(_, i)| index(i as usize)).collect()
}

/// Resolves every surge's `target` and failover's `to` against the whole
/// topology (SPEC 4.2), in file order, and indexes who sends load to whom.
fn resolve_dynamics(topology: &mut Topology, path: &Path, pending: Vec<PendingDynamics>) -> Result<()> {
    let locate = |at: Pos, diagnostic: Diagnostic, owner: &str, what: &str| -> Error {
        let message = format!("{what} of `{owner}`: {}", diagnostic.message);
        Diagnostic { message, ..diagnostic }.at(at.at(path)).into()
    };
    let mut surges = Vec::new();
    let mut surge_targets = Vec::new();
    let mut failovers = Vec::new();
    let mut failover_targets = Vec::new();
    for entry in pending {
        let owner = topology.component(entry.source).id.clone();
        let first_surge = surges.len() as u32;
        for surge in &entry.surges {
            let targets = match &surge.value.target {
                Some(raw) => Selector::parse(raw, "target")
                    .and_then(|selector| selector.resolve(topology, "target"))
                    .map_err(|d| locate(surge.pos, d, &owner, "surge"))?,
                None => vec![entry.source],
            };
            let start = surge_targets.len() as u32;
            surge_targets.extend(targets);
            surges.push(Surge {
                source: entry.source,
                when: surge.value.when.map_or(Status::Degraded, status_of),
                effect: surge_effect_checked(&surge.value),
                targets: start..surge_targets.len() as u32,
                pos: surge.pos,
            });
        }
        topology.components[entry.source.index()].extras_mut().surges = first_surge..surges.len() as u32;
        if let Some(failover) = &entry.failover {
            let targets = failover_targets_of(topology, path, entry.source, failover)?;
            let start = failover_targets.len() as u32;
            failover_targets.extend(targets);
            let index = FailoverIdx::new(failovers.len());
            failovers.push(Failover {
                source: entry.source,
                when: failover.value.when.map_or(Status::Down, status_of),
                targets: start..failover_targets.len() as u32,
                pos: failover.pos,
            });
            topology.components[entry.source.index()].extras_mut().failover = Some(index);
        }
    }
    let n = topology.components.len();
    let surge_pairs = surges
        .iter()
        .enumerate()
        .flat_map(|(i, s)| {
            surge_targets[s.targets.start as usize..s.targets.end as usize]
                .iter()
                .map(move |t| (t.index() as u32, SurgeIdx::new(i)))
        })
        .collect();
    let failover_pairs = failovers
        .iter()
        .enumerate()
        .flat_map(|(i, f)| {
            failover_targets[f.targets.start as usize..f.targets.end as usize]
                .iter()
                .map(move |t| (t.index() as u32, FailoverIdx::new(i)))
        })
        .collect();
    topology.surges_into = Rows::from_pairs(n, surge_pairs);
    topology.failovers_into = Rows::from_pairs(n, failover_pairs);
    topology.surges = surges;
    topology.surge_targets = surge_targets;
    topology.failovers = failovers;
    topology.failover_targets = failover_targets;
    Ok(())
}

/// The components a failover's `to` names, the source itself left out;
/// refuses `when: at_risk` and a `to` that names only the source.
fn failover_targets_of(
    topology: &Topology,
    path: &Path,
    source: ComponentIdx,
    failover: &At<RawFailover>,
) -> Result<Vec<ComponentIdx>> {
    let owner = &topology.component(source).id;
    if failover.value.when.map_or(Status::Down, status_of) == Status::AtRisk {
        return Err(Diagnostic::new(format!(
            "failover of `{owner}`: `when: at_risk` would move load away from a component that still serves fully"
        ))
        .at(failover.pos.at(path))
        .help("use `when: degraded` or `when: down` (the default)")
        .into());
    }
    let mut targets = Selector::parse(&failover.value.to, "to")
        .and_then(|selector| selector.resolve(topology, "to"))
        .map_err(|d| {
            let message = format!("failover of `{owner}`: {}", d.message);
            Error::from(Diagnostic { message, ..d }.at(failover.pos.at(path)))
        })?;
    targets.retain(|t| *t != source);
    if targets.is_empty() {
        return Err(
            Diagnostic::new(format!("failover of `{owner}`: `to` matches only `{owner}` itself"))
                .at(failover.pos.at(path))
                .help("name the components that take over its load")
                .into(),
        );
    }
    Ok(targets)
}

fn status_of(when: RawWhen) -> Status {
    match when {
        RawWhen::AtRisk => Status::AtRisk,
        RawWhen::Degraded => Status::Degraded,
        RawWhen::Down => Status::Down,
    }
}

/// The effect of a surge already checked by [`surge_effect`] as it was read.
fn surge_effect_checked(raw: &RawSurge) -> SurgeEffect {
    match (&raw.factor, &raw.amount) {
        (Some(f), _) => SurgeEffect::Factor(f.value.clone().unwrap_or(Exact::ONE)),
        (None, Some(a)) => SurgeEffect::Amount(a.value.clone().unwrap_or_default()),
        (None, None) => SurgeEffect::Amount(Exact::ZERO),
    }
}

/// One node per component, one edge from each member of a dependency entry
/// to the component that depends on it, the way a failure travels.
fn dependency_graph(components: usize, groups: &[Group], members: &[ComponentIdx]) -> DiGraph<(), GroupIdx, u32> {
    let mut graph = DiGraph::with_capacity(components, members.len());
    for _ in 0..components {
        graph.add_node(());
    }
    for (g, group) in groups.iter().enumerate() {
        let dependent = NodeIndex::new(group.dependent.index());
        for member in &members[group.members.start as usize..group.members.end as usize] {
            graph.add_edge(NodeIndex::new(member.index()), dependent, GroupIdx::new(g));
        }
    }
    graph
}

/// Checks one component's own fields and builds its frozen form; its
/// references are left to [`Builder::finish`]. `zone_slots` maps each zone to
/// its position in the component's zone list, [`NO_SLOT`] for the others; it
/// comes in all `NO_SLOT` and goes out so.
fn component(
    b: &Builder,
    raw: &RawComponent,
    kind: Arc<str>,
    section: Section,
    customer: Option<CustomerIdx>,
    placements: &mut Vec<Placement>,
    zone_slots: &mut [u32],
) -> Result<Component> {
    let id = raw.id.value.as_str();
    let at = Some(pos(&raw.id));
    b.text(at, raw.name.as_deref(), || format!("`name` of `{id}`"), false)?;
    b.text(at, raw.kind.as_deref(), || format!("`kind` of `{id}`"), false)?;
    b.text(
        at,
        raw.description.as_deref(),
        || format!("`description` of `{id}`"),
        true,
    )?;
    b.tags(pos(&raw.id), &raw.tags, id)?;
    let mut region = match &raw.region {
        Some(r) => Some(RegionIdx::new(
            b.resolve(&r.value, pos(r), IdKind::Region, "region", id)? as usize,
        )),
        None => None,
    };
    let first = placements.len();
    place(b, raw, region, placements, zone_slots)?;
    let capacity: Exact = placements[first..].iter().map(|p| &p.capacity).sum();
    if region.is_none() {
        region = region_of_zones(b, &placements[first..]);
    }
    let (min_capacity, max_capacity) = capacity_limits(b, raw, &capacity)?;
    let load = b.optional_number(&raw.load, "load", id)?.unwrap_or_default();
    let collapse_at = collapse_at(b, raw, id)?;
    let guard = guard(b, raw, id)?;
    for surge in &raw.surges {
        surge_effect(b, surge, id)?;
    }
    let mut checked = Component {
        id: raw.id.value.clone(),
        kind,
        section,
        region,
        placement: first as u32..placements.len() as u32,
        capacity,
        load,
        state: None,
        customer,
        groups: 0..0,
        pos: pos(&raw.id),
        extras: None,
    };
    checked.set_extras(Extras {
        min_capacity,
        max_capacity,
        collapse_at,
        restart_time: b.duration(&raw.restart_time, "restart_time", id)?,
        restore_time: b.duration(&raw.restore_time, "restore_time", id)?,
        guard,
        tags: raw.tags.clone(),
        surges: 0..0,
        failover: None,
    });
    Ok(checked)
}

/// A component placed only in zones of one region belongs to that region.
fn region_of_zones(b: &Builder, placements: &[Placement]) -> Option<RegionIdx> {
    let mut zone_regions = placements
        .iter()
        .filter_map(|p| p.zone)
        .map(|z| b.zones[z.index()].region);
    let first = zone_regions.next()?;
    zone_regions.all(|other| other == first).then_some(first)
}

/// `collapse_at`, a load/capacity ratio above 1.
fn collapse_at(b: &Builder, raw: &RawComponent, id: &str) -> Result<Option<Exact>> {
    let collapse_at = b.optional_number(&raw.collapse_at, "collapse_at", id)?;
    if let (Some(c), Some(written)) = (&collapse_at, &raw.collapse_at)
        && *c <= Exact::ONE
    {
        return Err(b
            .error(
                written.pos,
                format!("`collapse_at` of `{id}` is {c}, but it must be greater than 1"),
            )
            .help("collapse_at is the load/capacity ratio at which it goes down, e.g. 1.3")
            .into());
    }
    Ok(collapse_at)
}

/// Where the capacity lives: explicit zones, the region's zones, a per-zone
/// capacity map's keys, or nowhere in particular (global). Pushes one
/// placement per zone.
fn place(
    b: &Builder,
    raw: &RawComponent,
    region: Option<RegionIdx>,
    placements: &mut Vec<Placement>,
    zone_slots: &mut [u32],
) -> Result<()> {
    let id = raw.id.value.as_str();
    let mut placed: Vec<ZoneIdx> = Vec::new();
    if let Some(list) = &raw.zones {
        if list.is_empty() {
            return Err(b
                .error(pos(&raw.id), format!("`{id}` has an empty `zones` list"))
                .help("list its zones, or leave `zones` out to spread it over its region")
                .into());
        }
        for z in list {
            let zone = ZoneIdx::new(b.resolve(&z.value, pos(z), IdKind::Zone, "zone", id)? as usize);
            check_zone_in_region(b, &b.zones, &b.regions, region, zone, z, id)?;
            if zone_slots[zone.index()] != NO_SLOT {
                return Err(b
                    .error(pos(z), format!("zone `{}` is listed twice for `{id}`", z.value))
                    .help("list each zone once")
                    .into());
            }
            zone_slots[zone.index()] = placed.len() as u32;
            placed.push(zone);
        }
    } else if let Some(r) = region {
        placed.extend(b.regions[r.index()].zones.iter().copied());
        for (slot, zone) in placed.iter().enumerate() {
            zone_slots[zone.index()] = slot as u32;
        }
    }
    let result = place_capacity(b, raw, &placed, region.is_some(), placements, zone_slots);
    for zone in &placed {
        zone_slots[zone.index()] = NO_SLOT;
    }
    result
}

fn place_capacity(
    b: &Builder,
    raw: &RawComponent,
    placed: &[ZoneIdx],
    has_region: bool,
    placements: &mut Vec<Placement>,
    zone_slots: &[u32],
) -> Result<()> {
    let id = raw.id.value.as_str();
    match raw.capacity.as_ref().map(|c| &c.value) {
        Some(CapacityValue::PerZone(map)) => {
            let explicit_zones = raw.zones.is_some() || has_region;
            let mut shares = vec![Exact::ZERO; placed.len()];
            let mut extra = Vec::new();
            for (i, (zone_name, amount)) in map.iter().enumerate() {
                // YAML refuses a repeated key itself; JSON would keep both.
                if map[..i].iter().any(|(earlier, _)| earlier.value == zone_name.value) {
                    return Err(b
                        .error(
                            pos(zone_name),
                            format!(
                                "zone `{}` is given twice in the capacity of `{id}`",
                                shown(&zone_name.value)
                            ),
                        )
                        .help("give each zone's capacity once")
                        .into());
                }
                let zone =
                    ZoneIdx::new(b.resolve(&zone_name.value, pos(zone_name), IdKind::Zone, "capacity", id)? as usize);
                let amount = b.number(amount, "capacity", id)?;
                match zone_slots[zone.index()] {
                    NO_SLOT if !explicit_zones => extra.push(Placement {
                        zone: Some(zone),
                        capacity: amount,
                    }),
                    NO_SLOT => {
                        return Err(b
                            .error(
                                pos(zone_name),
                                format!(
                                    "capacity of `{id}` names zone `{}`, which is not one of its zones",
                                    zone_name.value
                                ),
                            )
                            .help("add the zone to `zones`, or remove it from the capacity map")
                            .into());
                    }
                    at => shares[at as usize] = &shares[at as usize] + &amount,
                }
            }
            placements.extend(placed.iter().zip(shares).map(|(z, capacity)| Placement {
                zone: Some(*z),
                capacity,
            }));
            placements.extend(extra);
        }
        Some(CapacityValue::Total(total)) => push_even(placements, placed, b.number(total, "capacity", id)?),
        // One unit in each zone, or one unit if it has none.
        None => push_even(placements, placed, Exact::from_int(placed.len().max(1) as i64)),
    }
    Ok(())
}

/// `min_capacity <= capacity <= max_capacity` at the start.
fn capacity_limits(b: &Builder, raw: &RawComponent, capacity: &Exact) -> Result<(Option<Exact>, Option<Exact>)> {
    let id = raw.id.value.as_str();
    let min = b.optional_number(&raw.min_capacity, "min_capacity", id)?;
    let max = b.optional_number(&raw.max_capacity, "max_capacity", id)?;
    let at_capacity = raw.capacity.as_ref().map_or(pos(&raw.id), |c| c.pos);
    let at_min = raw.min_capacity.as_ref().map_or(pos(&raw.id), |n| n.pos);
    let given = raw.capacity.is_some();
    let problem = match (&min, &max) {
        (Some(min), _) if given && min > capacity => Some((
            at_capacity,
            format!("`{id}` has capacity {capacity} below its min_capacity {min}"),
            "min_capacity <= capacity <= max_capacity must hold at the start",
        )),
        (_, Some(max)) if capacity > max => Some((
            at_capacity,
            format!("`{id}` has capacity {capacity} above its max_capacity {max}"),
            "min_capacity <= capacity <= max_capacity must hold at the start",
        )),
        (Some(min), Some(max)) if min > max => Some((
            at_min,
            format!("`{id}` has min_capacity {min} above its max_capacity {max}"),
            "min_capacity <= capacity <= max_capacity must hold",
        )),
        (Some(min), _) if min > capacity => Some((
            at_min,
            format!("`{id}` has min_capacity {min} but no capacity (it counts {capacity} unit(s))"),
            "give it a `capacity`",
        )),
        _ => None,
    };
    match problem {
        Some((at, message, help)) => Err(b.error(at, message).help(help).into()),
        None => Ok((min, max)),
    }
}

fn guard(b: &Builder, raw: &RawComponent, id: &str) -> Result<Guard> {
    let Some(g) = &raw.guard else {
        return Ok(Guard::default());
    };
    let max_step_percent = b.optional_number(&g.max_step_percent, "max_step_percent", id)?;
    if let (Some(p), Some(written)) = (&max_step_percent, &g.max_step_percent)
        && *p > Exact::from_int(100)
    {
        return Err(b
            .error(written.pos, format!("`max_step_percent` of `{id}` is {p}, above 100"))
            .help("use a percentage between 0 and 100")
            .into());
    }
    Ok(Guard {
        requires_approval: g.requires_approval,
        max_step_percent,
    })
}

/// What one surge adds: exactly one of `factor` (at least 1) and `amount`.
fn surge_effect(b: &Builder, surge: &At<RawSurge>, id: &str) -> Result<SurgeEffect> {
    let raw = &surge.value;
    match (&raw.factor, &raw.amount) {
        (Some(factor), None) => {
            let f = b.number(factor, "factor", &format!("a surge of `{id}`"))?;
            if f < Exact::ONE {
                return Err(b
                    .error(factor.pos, format!("`factor` of a surge of `{id}` is {f}, below 1"))
                    .help("a factor multiplies the target's load: use 1 or more, or `amount` to add load")
                    .into());
            }
            Ok(SurgeEffect::Factor(f))
        }
        (None, Some(amount)) => Ok(SurgeEffect::Amount(b.number(
            amount,
            "amount",
            &format!("a surge of `{id}`"),
        )?)),
        (Some(_), Some(_)) => Err(b
            .error(surge.pos, format!("a surge of `{id}` gives both `factor` and `amount`"))
            .help("give one of them")
            .into()),
        (None, None) => Err(b
            .error(
                surge.pos,
                format!("a surge of `{id}` says neither `factor` nor `amount`"),
            )
            .help("say how much load it adds, e.g. `{ factor: 3 }` (retries) or `{ target: x, amount: 40 }`")
            .into()),
    }
}

fn check_zone_in_region(
    b: &Builder,
    zones: &[Zone],
    regions: &[Region],
    region: Option<RegionIdx>,
    zone: ZoneIdx,
    spanned: &At<CompactString>,
    id: &str,
) -> Result<()> {
    let zone_region = zones[zone.index()].region;
    match region {
        Some(r) if r != zone_region => Err(b
            .error(
                pos(spanned),
                format!(
                    "zone `{}` of `{id}` is in region `{}`, not in its region `{}`",
                    spanned.value,
                    regions[zone_region.index()].id,
                    regions[r.index()].id
                ),
            )
            .help(format!(
                "use a zone of `{}`: {}",
                regions[r.index()].id,
                regions[r.index()]
                    .zones
                    .iter()
                    .map(|z| zones[z.index()].id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
            .into()),
        _ => Ok(()),
    }
}

fn push_even(placements: &mut Vec<Placement>, zones: &[ZoneIdx], total: Exact) {
    if zones.is_empty() {
        placements.push(Placement {
            zone: None,
            capacity: total,
        });
    } else {
        // Exact shares: three zones of 100 hold 100/3 each, adding up to 100.
        let share = total
            .checked_div(&Exact::from_int(zones.len() as i64))
            .unwrap_or_default();
        placements.extend(zones.iter().map(|z| Placement {
            zone: Some(*z),
            capacity: share.clone(),
        }));
    }
}

/// `45s`, `90m`, `4h`, `1h30m`, `2d`; humantime also reads `1h 30m`.
pub fn parse_duration(text: &str) -> Option<Duration> {
    humantime::parse_duration(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Ids sharing long heads, around the 16 bytes compared in place,
        /// with NUL (which ids never hold) to test the fall-back.
        #[test]
        fn sorting_on_id_heads_orders_as_the_ids_do(ids in prop::collection::hash_set("[ab.\\x00]{0,20}", 0..300)) {
            let ids: Vec<String> = ids.into_iter().collect();
            let sorted = sorted_by_id(ids.len(), |i| ids[i].as_str(), |i| i);
            let mut naive: Vec<usize> = (0..ids.len()).collect();
            naive.sort_by(|a, b| ids[*a].cmp(&ids[*b]));
            prop_assert_eq!(sorted, naive);
        }
    }
}
