//! The checked, frozen topology: components, customers and the dependency graph.
//!
//! Built once by [`crate::build`], read-only afterwards; analyses borrow it.
//! Components, groups, zones and customers are addressed by typed dense
//! indices, so hot loops never hash or compare strings.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use petgraph::graph::{DiGraph, NodeIndex};

use crate::error::Pos;
pub use crate::input::raw::Section;
use crate::input::raw::{At, RawPlan};

macro_rules! index_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub u32);

        impl $name {
            pub fn index(self) -> usize {
                self.0 as usize
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

#[derive(Debug, Clone, Default)]
pub struct Guard {
    pub requires_approval: bool,
    pub max_step_percent: Option<f64>,
}

/// Where a share of a component's capacity lives. `zone: None` is global.
#[derive(Debug, Clone, Copy)]
pub struct Placement {
    pub zone: Option<ZoneIdx>,
    pub capacity: f64,
}

#[derive(Debug, Clone)]
pub struct Component {
    pub id: String,
    /// Shared between the components of one kind.
    pub kind: Arc<str>,
    pub section: Section,
    pub region: Option<RegionIdx>,
    /// Range into [`Topology::placements`].
    pub placement: Range<u32>,
    /// Capacity at the start, the sum of its placements.
    pub capacity: f64,
    pub load: f64,
    pub state: Option<ComponentIdx>,
    pub customer: Option<CustomerIdx>,
    /// Range into [`Topology::groups`]: its `depends_on` entries in file order.
    pub groups: Range<u32>,
    pub pos: Pos,
    /// `None` when it sets none of them, as most components do.
    pub(crate) extras: Option<Box<Extras>>,
}

/// Settings most components leave out, kept apart so that a topology of
/// millions of components stays small.
#[derive(Debug, Clone, Default)]
pub struct Extras {
    pub min_capacity: Option<f64>,
    pub max_capacity: Option<f64>,
    pub collapse_at: Option<f64>,
    pub restart_time: Option<Duration>,
    pub guard: Guard,
    pub tags: BTreeMap<String, String>,
}

static NO_EXTRAS: Extras = Extras {
    min_capacity: None,
    max_capacity: None,
    collapse_at: None,
    restart_time: None,
    guard: Guard {
        requires_approval: false,
        max_step_percent: None,
    },
    tags: BTreeMap::new(),
};

impl Extras {
    fn is_unset(&self) -> bool {
        self.min_capacity.is_none()
            && self.max_capacity.is_none()
            && self.collapse_at.is_none()
            && self.restart_time.is_none()
            && !self.guard.requires_approval
            && self.guard.max_step_percent.is_none()
            && self.tags.is_empty()
    }
}

impl Component {
    pub fn extras(&self) -> &Extras {
        self.extras.as_deref().unwrap_or(&NO_EXTRAS)
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

#[derive(Debug, Clone)]
pub struct Group {
    pub dependent: ComponentIdx,
    pub rule: Rule,
    /// Range into [`Topology::members`].
    pub members: Range<u32>,
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
    pub id: String,
    pub name: Option<String>,
    pub weight: f64,
    pub tier: Option<String>,
    pub apps: Vec<ComponentIdx>,
}

/// A scenario shipped in the topology file.
#[derive(Debug)]
pub struct Scenario {
    pub name: String,
    pub plan: At<RawPlan>,
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
    /// Node `i` is component `i`; an edge runs from each member of a
    /// dependency entry to the component that depends on it, weighted with the entry.
    pub(crate) graph: DiGraph<(), GroupIdx, u32>,
    /// Component indices sorted by id, for binary-search lookup.
    pub(crate) by_id: Vec<ComponentIdx>,
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
    pub fn graph(&self) -> &DiGraph<(), GroupIdx, u32> {
        &self.graph
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

    pub fn component_indices(&self) -> impl ExactSizeIterator<Item = ComponentIdx> + use<> {
        (0..self.components.len() as u32).map(ComponentIdx)
    }

    pub fn placements_of(&self, idx: ComponentIdx) -> &[Placement] {
        let range = &self.components[idx.index()].placement;
        &self.placements[range.start as usize..range.end as usize]
    }

    pub fn groups_of(&self, idx: ComponentIdx) -> impl ExactSizeIterator<Item = GroupIdx> + use<> {
        let range = self.components[idx.index()].groups.clone();
        range.map(GroupIdx)
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

    pub fn find(&self, id: &str) -> Option<ComponentIdx> {
        self.by_id
            .binary_search_by(|probe| self.components[probe.index()].id.as_str().cmp(id))
            .ok()
            .map(|pos| self.by_id[pos])
    }

    pub fn find_zone(&self, id: &str) -> Option<ZoneIdx> {
        self.zones.iter().position(|z| z.id == id).map(|i| ZoneIdx(i as u32))
    }

    pub fn find_region(&self, id: &str) -> Option<RegionIdx> {
        self.regions
            .iter()
            .position(|r| r.id == id)
            .map(|i| RegionIdx(i as u32))
    }

    pub fn find_customer(&self, id: &str) -> Option<CustomerIdx> {
        self.customers
            .iter()
            .position(|c| c.id == id)
            .map(|i| CustomerIdx(i as u32))
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

    pub fn dependency_count(&self) -> usize {
        self.members.len()
    }
}
