//! The checked, frozen topology: components, customers, dependencies, load
//! dynamics and the dependency graph.
//!
//! Built once by [`crate::model::Builder`], read-only afterwards; analyses
//! borrow it. Components, groups, zones and customers are addressed by typed
//! dense indices that only the model creates, so hot loops never hash or
//! compare strings and no index can point outside its table.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use compact_str::CompactString;
use petgraph::graph::{DiGraph, NodeIndex};

use crate::error::Pos;
pub use crate::input::raw::Section;
use crate::input::raw::{At, RawPlan};
use crate::number::Exact;
use crate::status::Status;

macro_rules! index_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        ///
        /// Held as the index plus one, so that an `Option` of it takes no
        /// more room than the index (millions of components hold several).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(std::num::NonZeroU32);

        impl $name {
            pub fn index(self) -> usize {
                self.0.get() as usize - 1
            }

            /// Only the model numbers its entries; the builder caps every
            /// table below `u32::MAX` entries.
            pub(crate) fn new(index: usize) -> Self {
                $name(std::num::NonZeroU32::new(index as u32 + 1).unwrap_or(std::num::NonZeroU32::MAX))
            }
        }
    };
}

index_type!(
    /// A component (service, subsystem, load balancer, store or customer app).
    ComponentIdx
);
index_type!(
    /// A `depends_on` entry of some component.
    GroupIdx
);
index_type!(
    /// A zone.
    ZoneIdx
);
index_type!(
    /// A region.
    RegionIdx
);
index_type!(
    /// A customer.
    CustomerIdx
);
index_type!(
    /// One entry of some component's `surges`.
    SurgeIdx
);
index_type!(
    /// Some component's `failover`.
    FailoverIdx
);

#[derive(Debug, Clone, Default)]
pub struct Guard {
    pub requires_approval: bool,
    pub max_step_percent: Option<Exact>,
}

/// Where a share of a component's capacity lives. `zone: None` is global.
#[derive(Debug, Clone)]
pub struct Placement {
    pub zone: Option<ZoneIdx>,
    pub capacity: Exact,
}

#[derive(Debug, Clone)]
pub struct Component {
    /// Held inline up to 24 bytes, as nearly every id is: a million ids
    /// then cost no allocation of their own.
    pub id: CompactString,
    /// Shared between the components of one kind.
    pub kind: Arc<str>,
    pub section: Section,
    pub region: Option<RegionIdx>,
    /// Range into the topology's placements.
    pub(crate) placement: Range<u32>,
    /// Capacity at the start, the sum of its placements.
    pub capacity: Exact,
    /// Declared load (0 when not given).
    pub load: Exact,
    pub state: Option<ComponentIdx>,
    pub customer: Option<CustomerIdx>,
    /// Range into the topology's groups: its `depends_on` entries in file order.
    pub(crate) groups: Range<u32>,
    pub pos: Pos,
    /// `None` when it sets none of them, as most components do.
    pub(crate) extras: Option<Box<Extras>>,
}

/// Settings most components leave out, kept apart so that a topology of
/// millions of components stays small.
#[derive(Debug, Clone, Default)]
pub struct Extras {
    pub min_capacity: Option<Exact>,
    pub max_capacity: Option<Exact>,
    pub collapse_at: Option<Exact>,
    pub restart_time: Option<Duration>,
    pub restore_time: Option<Duration>,
    pub guard: Guard,
    pub tags: BTreeMap<String, String>,
    /// Range into the topology's surges: this component's, in file order.
    pub(crate) surges: Range<u32>,
    pub failover: Option<FailoverIdx>,
}

static NO_EXTRAS: Extras = Extras {
    min_capacity: None,
    max_capacity: None,
    collapse_at: None,
    restart_time: None,
    restore_time: None,
    guard: Guard {
        requires_approval: false,
        max_step_percent: None,
    },
    tags: BTreeMap::new(),
    surges: 0..0,
    failover: None,
};

impl Extras {
    fn is_unset(&self) -> bool {
        self.min_capacity.is_none()
            && self.max_capacity.is_none()
            && self.collapse_at.is_none()
            && self.restart_time.is_none()
            && self.restore_time.is_none()
            && !self.guard.requires_approval
            && self.guard.max_step_percent.is_none()
            && self.tags.is_empty()
            && self.surges.is_empty()
            && self.failover.is_none()
    }
}

impl Component {
    pub fn extras(&self) -> &Extras {
        self.extras.as_deref().unwrap_or(&NO_EXTRAS)
    }

    pub(crate) fn extras_mut(&mut self) -> &mut Extras {
        self.extras.get_or_insert_with(Box::default)
    }

    pub(crate) fn set_extras(&mut self, extras: Extras) {
        self.extras = (!extras.is_unset()).then(|| Box::new(extras));
    }
}

/// How a dependency entry turns its members' statuses into the dependent's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    Hard,
    Soft,
    /// At least `k` of the members must be serving; `any_of` is `k = 1`.
    Quorum {
        k: u32,
        any_of: bool,
    },
}

impl Rule {
    /// Whether a failure can travel over this entry as `down` (soft entries
    /// never take a dependent down).
    pub fn carries_down(self) -> bool {
        !matches!(self, Rule::Soft)
    }
}

/// One `depends_on` entry. It keeps no position: every message about an
/// entry is given while it is read, and a topology holds millions.
#[derive(Debug, Clone)]
pub struct Group {
    pub dependent: ComponentIdx,
    pub rule: Rule,
    /// Range into the topology's members.
    pub(crate) members: Range<u32>,
}

impl Group {
    pub fn size(&self) -> u32 {
        self.members.end - self.members.start
    }
}

/// How much load a surge adds to each target.
#[derive(Debug, Clone, PartialEq)]
pub enum SurgeEffect {
    /// The target's base load times this (at least 1): `factor - 1` times it is added.
    Factor(Exact),
    Amount(Exact),
}

/// One entry of a component's `surges` (SPEC 4.2), its targets resolved.
#[derive(Debug, Clone)]
pub struct Surge {
    pub source: ComponentIdx,
    /// It acts while the source is at or above this status.
    pub when: Status,
    pub effect: SurgeEffect,
    pub(crate) targets: Range<u32>,
    pub pos: Pos,
}

/// A component's `failover` (SPEC 4.2), its targets resolved.
#[derive(Debug, Clone)]
pub struct Failover {
    pub source: ComponentIdx,
    /// Its load moves while the source is at or above this status.
    pub when: Status,
    pub(crate) targets: Range<u32>,
    pub pos: Pos,
}

#[derive(Debug, Clone)]
pub struct Region {
    pub id: String,
    pub name: Option<String>,
    pub zones: Vec<ZoneIdx>,
}

#[derive(Debug, Clone)]
pub struct Zone {
    pub id: String,
    pub region: RegionIdx,
}

#[derive(Debug, Clone)]
pub struct Customer {
    pub id: CompactString,
    pub name: Option<String>,
    pub weight: Exact,
    pub tier: Option<String>,
    /// Its apps are the components read right after it: a range, not a list.
    pub(crate) app_range: Range<u32>,
    pub pos: Pos,
}

impl Customer {
    /// Its apps, in file order.
    pub fn apps(&self) -> impl ExactSizeIterator<Item = ComponentIdx> + Clone + use<> {
        self.app_range.clone().map(|i| ComponentIdx::new(i as usize))
    }
}

/// A scenario shipped in the topology file, as written; [`crate::plan`]
/// resolves it (every command that loads a topology checks them all).
#[derive(Debug)]
pub struct Scenario {
    pub name: String,
    pub plan: At<RawPlan>,
}

/// Compressed rows: row `i` is `items[offsets[i]..offsets[i + 1]]`.
#[derive(Debug)]
pub(crate) struct Rows<T> {
    offsets: Vec<u32>,
    items: Vec<T>,
}

impl<T> Default for Rows<T> {
    fn default() -> Self {
        Rows {
            offsets: Vec::new(),
            items: Vec::new(),
        }
    }
}

impl<T: Copy> Rows<T> {
    /// Rows from `(row, item)` pairs, each row's items in the order given.
    pub(crate) fn from_pairs(rows: usize, mut pairs: Vec<(u32, T)>) -> Self {
        pairs.sort_by_key(|(row, _)| *row);
        let mut offsets = Vec::with_capacity(rows + 1);
        let mut at = 0;
        offsets.push(0);
        for row in 0..rows as u32 {
            while at < pairs.len() && pairs[at].0 == row {
                at += 1;
            }
            offsets.push(at as u32);
        }
        Rows {
            offsets,
            items: pairs.into_iter().map(|(_, item)| item).collect(),
        }
    }

    fn row(&self, i: usize) -> &[T] {
        match (self.offsets.get(i), self.offsets.get(i + 1)) {
            (Some(&a), Some(&b)) => &self.items[a as usize..b as usize],
            _ => &[],
        }
    }
}

#[derive(Debug)]
pub struct Topology {
    pub(crate) source: PathBuf,
    pub(crate) name: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) regions: Vec<Region>,
    pub(crate) zones: Vec<Zone>,
    pub(crate) components: Vec<Component>,
    pub(crate) placements: Vec<Placement>,
    pub(crate) groups: Vec<Group>,
    pub(crate) members: Vec<ComponentIdx>,
    pub(crate) customers: Vec<Customer>,
    pub(crate) scenarios: Vec<Scenario>,
    pub(crate) surges: Vec<Surge>,
    pub(crate) surge_targets: Vec<ComponentIdx>,
    pub(crate) failovers: Vec<Failover>,
    pub(crate) failover_targets: Vec<ComponentIdx>,
    /// Per component: the surges that reach it, by source in file order.
    pub(crate) surges_into: Rows<SurgeIdx>,
    /// Per component: the failovers that can send it load.
    pub(crate) failovers_into: Rows<FailoverIdx>,
    /// Node `i` is component `i`; an edge runs from each member of a
    /// dependency entry to the component that depends on it, weighted with the entry.
    pub(crate) graph: DiGraph<(), GroupIdx, u32>,
    /// Component indices sorted by id, for binary-search lookup.
    pub(crate) by_id: Vec<ComponentIdx>,
    /// Customer indices sorted by id, likewise: `diff` looks up every
    /// customer of one file in the other.
    pub(crate) customers_by_id: Vec<CustomerIdx>,
    /// Dependency cycles (strongly connected components of more than one
    /// member), computed on first use.
    pub(crate) cycles: OnceLock<Vec<Vec<ComponentIdx>>>,
}

impl Topology {
    pub fn source(&self) -> &Path {
        &self.source
    }
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }
    pub fn regions(&self) -> &[Region] {
        &self.regions
    }
    pub fn zones(&self) -> &[Zone] {
        &self.zones
    }
    pub fn components(&self) -> &[Component] {
        &self.components
    }
    pub fn customers(&self) -> &[Customer] {
        &self.customers
    }
    pub fn scenarios(&self) -> &[Scenario] {
        &self.scenarios
    }
    pub fn groups(&self) -> &[Group] {
        &self.groups
    }
    pub fn surges(&self) -> &[Surge] {
        &self.surges
    }
    pub fn failovers(&self) -> &[Failover] {
        &self.failovers
    }

    pub fn component(&self, idx: ComponentIdx) -> &Component {
        &self.components[idx.index()]
    }
    pub fn group(&self, idx: GroupIdx) -> &Group {
        &self.groups[idx.index()]
    }
    pub fn customer(&self, idx: CustomerIdx) -> &Customer {
        &self.customers[idx.index()]
    }
    pub fn zone(&self, idx: ZoneIdx) -> &Zone {
        &self.zones[idx.index()]
    }
    pub fn region(&self, idx: RegionIdx) -> &Region {
        &self.regions[idx.index()]
    }
    pub fn surge(&self, idx: SurgeIdx) -> &Surge {
        &self.surges[idx.index()]
    }
    pub fn failover(&self, idx: FailoverIdx) -> &Failover {
        &self.failovers[idx.index()]
    }

    pub fn component_indices(&self) -> impl ExactSizeIterator<Item = ComponentIdx> + use<> {
        (0..self.components.len()).map(ComponentIdx::new)
    }
    pub fn group_indices(&self) -> impl ExactSizeIterator<Item = GroupIdx> + use<> {
        (0..self.groups.len()).map(GroupIdx::new)
    }
    pub fn zone_indices(&self) -> impl ExactSizeIterator<Item = ZoneIdx> + use<> {
        (0..self.zones.len()).map(ZoneIdx::new)
    }
    pub fn region_indices(&self) -> impl ExactSizeIterator<Item = RegionIdx> + use<> {
        (0..self.regions.len()).map(RegionIdx::new)
    }
    pub fn customer_indices(&self) -> impl ExactSizeIterator<Item = CustomerIdx> + use<> {
        (0..self.customers.len()).map(CustomerIdx::new)
    }

    pub fn placements_of(&self, idx: ComponentIdx) -> &[Placement] {
        let range = &self.components[idx.index()].placement;
        &self.placements[range.start as usize..range.end as usize]
    }

    /// The range of `idx`'s placements among all placements, for per-placement tables.
    pub fn placement_range(&self, idx: ComponentIdx) -> Range<usize> {
        let range = &self.components[idx.index()].placement;
        range.start as usize..range.end as usize
    }

    pub fn placement_count(&self) -> usize {
        self.placements.len()
    }

    pub fn groups_of(&self, idx: ComponentIdx) -> impl ExactSizeIterator<Item = GroupIdx> + use<> {
        let range = self.components[idx.index()].groups.clone();
        range.map(|g| GroupIdx::new(g as usize))
    }

    pub fn members_of(&self, group: GroupIdx) -> &[ComponentIdx] {
        let range = &self.groups[group.index()].members;
        &self.members[range.start as usize..range.end as usize]
    }

    /// The dependency groups that list `idx` as a member: where its failure travels.
    pub fn dependents_of(&self, idx: ComponentIdx) -> impl Iterator<Item = GroupIdx> + '_ {
        self.graph
            .edges_directed(NodeIndex::new(idx.index()), petgraph::Direction::Outgoing)
            .map(|edge| *edge.weight())
    }

    /// The surges of `idx`, in file order.
    pub fn surges_of(&self, idx: ComponentIdx) -> impl ExactSizeIterator<Item = SurgeIdx> + use<> {
        let range = self.components[idx.index()].extras().surges.clone();
        range.map(|s| SurgeIdx::new(s as usize))
    }

    pub fn surge_targets(&self, surge: SurgeIdx) -> &[ComponentIdx] {
        let range = &self.surges[surge.index()].targets;
        &self.surge_targets[range.start as usize..range.end as usize]
    }

    pub fn failover_targets(&self, failover: FailoverIdx) -> &[ComponentIdx] {
        let range = &self.failovers[failover.index()].targets;
        &self.failover_targets[range.start as usize..range.end as usize]
    }

    /// The surges that add load to `idx`.
    pub fn surges_into(&self, idx: ComponentIdx) -> &[SurgeIdx] {
        self.surges_into.row(idx.index())
    }

    /// The failovers that can move load onto `idx`.
    pub fn failovers_into(&self, idx: ComponentIdx) -> &[FailoverIdx] {
        self.failovers_into.row(idx.index())
    }

    /// Whether any component has surges or a failover.
    pub fn has_dynamics(&self) -> bool {
        !self.surges.is_empty() || !self.failovers.is_empty()
    }

    /// Every component reachable from `starts` over dependency entries that
    /// `follow` accepts, `starts` included, in component order. `Upstream`
    /// walks from a component to what it depends on, `Downstream` to what
    /// depends on it.
    pub fn reachable(
        &self,
        starts: &[ComponentIdx],
        direction: Direction,
        follow: impl Fn(GroupIdx) -> bool,
    ) -> Vec<ComponentIdx> {
        let mut seen = vec![false; self.components.len()];
        let mut stack: Vec<ComponentIdx> = Vec::new();
        for &c in starts {
            if !std::mem::replace(&mut seen[c.index()], true) {
                stack.push(c);
            }
        }
        while let Some(c) = stack.pop() {
            let mut visit = |next: ComponentIdx| {
                if !std::mem::replace(&mut seen[next.index()], true) {
                    stack.push(next);
                }
            };
            match direction {
                Direction::Upstream => {
                    for g in self.groups_of(c).filter(|g| follow(*g)) {
                        self.members_of(g).iter().for_each(|m| visit(*m));
                    }
                }
                Direction::Downstream => {
                    for g in self.dependents_of(c).filter(|g| follow(*g)) {
                        visit(self.groups[g.index()].dependent);
                    }
                }
            }
        }
        (0..seen.len()).filter(|i| seen[*i]).map(ComponentIdx::new).collect()
    }

    /// Sets of components that depend on each other in a cycle, each in
    /// component order, the sets ordered by their first member.
    pub fn cycles(&self) -> &[Vec<ComponentIdx>] {
        self.cycles.get_or_init(|| {
            let mut found: Vec<Vec<ComponentIdx>> = petgraph::algo::kosaraju_scc(&self.graph)
                .into_iter()
                .filter(|scc| scc.len() > 1)
                .map(|scc| {
                    let mut members: Vec<ComponentIdx> =
                        scc.into_iter().map(|n| ComponentIdx::new(n.index())).collect();
                    members.sort_unstable();
                    members
                })
                .collect();
            found.sort_unstable();
            found
        })
    }

    pub fn find(&self, id: &str) -> Option<ComponentIdx> {
        self.by_id
            .binary_search_by(|probe| self.components[probe.index()].id.as_str().cmp(id))
            .ok()
            .map(|pos| self.by_id[pos])
    }

    pub fn find_zone(&self, id: &str) -> Option<ZoneIdx> {
        self.zones.iter().position(|z| z.id == id).map(ZoneIdx::new)
    }

    pub fn find_region(&self, id: &str) -> Option<RegionIdx> {
        self.regions.iter().position(|r| r.id == id).map(RegionIdx::new)
    }

    pub fn find_customer(&self, id: &str) -> Option<CustomerIdx> {
        self.customers_by_id
            .binary_search_by(|probe| self.customers[probe.index()].id.as_str().cmp(id))
            .ok()
            .map(|pos| self.customers_by_id[pos])
    }

    pub fn find_scenario(&self, name: &str) -> Option<&Scenario> {
        self.scenarios.iter().find(|s| s.name == name)
    }

    /// Every component id, in id order (for "did you mean" suggestions).
    pub fn component_ids(&self) -> impl Iterator<Item = &str> {
        self.by_id.iter().map(|c| self.components[c.index()].id.as_str())
    }

    pub fn region_id_of(&self, idx: ComponentIdx) -> Option<&str> {
        self.components[idx.index()]
            .region
            .map(|r| self.regions[r.index()].id.as_str())
    }

    /// Whether `idx` holds capacity in `zone`.
    pub fn placed_in(&self, idx: ComponentIdx, zone: ZoneIdx) -> bool {
        self.placements_of(idx).iter().any(|p| p.zone == Some(zone))
    }

    pub fn dependency_count(&self) -> usize {
        self.members.len()
    }
}

/// Which way [`Topology::reachable`] walks the dependency graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// From a component to what it depends on.
    Upstream,
    /// From a component to what depends on it.
    Downstream,
}
