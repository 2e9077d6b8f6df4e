//! `blast spof`: what each component's, zone's and region's failure alone
//! takes down.
//!
//! The result for a component X equals `blast check --op 'fail X'`, for a
//! zone Z `blast check --op 'fail-zone Z'`, for a region R `blast check --op
//! 'fail-region R'`. Each is computed on an [`Overlay`], so each unit costs
//! what its failure changes, not a full propagation; a component's failure
//! is measured on top of a smaller failure it contains, so it costs only
//! what it adds (see [`component_impacts`]).

use crate::analysis::Impact;
use crate::engine::overlay::Overlay;
use crate::engine::propagate::{Mark, evaluate_group};
use crate::model::{ComponentIdx, CustomerIdx, GroupIdx, RegionIdx, Section, Topology, ZoneIdx};
use crate::number::Exact;
use crate::report::Counts;
use crate::status::Status;

/// What fails: a component, a whole zone or a whole region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Unit {
    Component(ComponentIdx),
    Zone(ZoneIdx),
    Region(RegionIdx),
}

impl Unit {
    /// The unit's id in the topology file.
    pub fn id(self, topology: &Topology) -> &str {
        match self {
            Unit::Component(c) => &topology.component(c).id,
            Unit::Zone(z) => &topology.zone(z).id,
            Unit::Region(r) => &topology.region(r).id,
        }
    }

    /// `component`, `zone` or `region`.
    pub fn kind(self) -> &'static str {
        match self {
            Unit::Component(_) => "component",
            Unit::Zone(_) => "zone",
            Unit::Region(_) => "region",
        }
    }

    /// The id as a reader names it: a component's bare id, `zone Z`,
    /// `region R` (ids of zones need not differ from component ids).
    pub fn label(self, topology: &Topology) -> String {
        match self {
            Unit::Component(_) => self.id(topology).to_string(),
            _ => format!("{} {}", self.kind(), self.id(topology)),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SpofEntry {
    pub unit: Unit,
    pub impact: Impact,
}

/// What `spof` ranks and counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Rank customer apps too (each takes at least its own customer down,
    /// which says nothing about redundancy, so they are left out by default).
    pub include_apps: bool,
    /// The status at which a customer counts in `hit_customers`.
    pub threshold: Status,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            include_apps: false,
            threshold: Status::Down,
        }
    }
}

/// The units `options` asks for: components (apps only if asked), then
/// zones, then regions.
pub fn units(topology: &Topology, options: &Options) -> Vec<Unit> {
    let components = topology
        .component_indices()
        .filter(|c| options.include_apps || topology.component(*c).customer.is_none())
        .map(Unit::Component);
    components
        .chain(topology.zone_indices().map(Unit::Zone))
        .chain(topology.region_indices().map(Unit::Region))
        .collect()
}

/// Every component that is not an app, every zone and every region,
/// ranked: customer weight down, then weight degraded, then id.
pub fn spof(topology: &Topology, progress: impl FnMut(usize, usize)) -> Vec<SpofEntry> {
    spof_with(topology, &Options::default(), progress)
}

/// As [`spof`], with the units and threshold `options` give.
pub fn spof_with(topology: &Topology, options: &Options, mut progress: impl FnMut(usize, usize)) -> Vec<SpofEntry> {
    let units = units(topology, options);
    let mut overlay = Overlay::new(topology);
    let mut counter = Counter::new(&overlay, options.threshold);
    let total = units.len();
    let mut impacts = component_impacts(&mut overlay, &mut counter, |done| progress(done, total));
    let placed = placed_by_zone(topology);
    let mut entries = Vec::with_capacity(total);
    for unit in units {
        let impact = match unit {
            Unit::Component(c) => std::mem::take(&mut impacts[c.index()]),
            Unit::Zone(z) => zone_impact(&mut overlay, &mut counter, &[z], &placed),
            Unit::Region(r) => zone_impact(&mut overlay, &mut counter, &topology.region(r).zones, &placed),
        };
        let Some(impact) = impact else {
            continue;
        };
        entries.push(SpofEntry { unit, impact });
    }
    rank(topology, &mut entries);
    entries
}

/// What failing `zones` (a zone or a region's) does, from the baseline.
fn zone_impact(
    overlay: &mut Overlay,
    counter: &mut Counter,
    zones: &[ZoneIdx],
    placed: &[Vec<ComponentIdx>],
) -> Option<Impact> {
    let level = counter.level(overlay);
    overlay.fail_zones(zones, &placed_in(placed, zones));
    let impact = counter.advance(overlay, &level);
    counter.rollback(overlay, level);
    Some(impact)
}

/// Every component's impact, each failure measured on top of a smaller
/// one it contains. When X's failure alone takes its dependent P down,
/// failing X ends where failing X on top of P's failure does (statuses
/// only rise, and P's failure lies below X's), so X costs only what it
/// adds to P's: a forest of such "parents" is walked depth first, each
/// query nested on its parent's. A chain of hard dependencies costs its
/// length, not its square.
fn component_impacts(
    overlay: &mut Overlay,
    counter: &mut Counter,
    mut progress: impl FnMut(usize),
) -> Vec<Option<Impact>> {
    let topology = overlay.topology();
    let n = topology.components().len();
    let children = children(topology, overlay.baseline_statuses());
    let mut impacts: Vec<Option<Impact>> = vec![None; n];
    let mut done = 0;
    let has_parent = {
        let mut marked = vec![false; n];
        for c in children.iter().flatten() {
            marked[c.index()] = true;
        }
        marked
    };
    for root in topology.component_indices().filter(|c| !has_parent[c.index()]) {
        // (component, its next child, the level below its failure)
        let mut stack = vec![(root, 0, counter.level(overlay))];
        overlay.fail(&[root]);
        impacts[root.index()] = Some(counter.advance(overlay, &stack[0].2));
        while let Some((c, next, _)) = stack.last_mut() {
            let Some(&child) = children[c.index()].get(*next) else {
                if let Some((_, _, level)) = stack.pop() {
                    counter.rollback(overlay, level);
                }
                continue;
            };
            *next += 1;
            let level = counter.level(overlay);
            overlay.fail(&[child]);
            impacts[child.index()] = Some(counter.advance(overlay, &level));
            stack.push((child, 0, level));
            done += 1;
            if done % 1024 == 0 {
                progress(done);
            }
        }
    }
    impacts
}

/// Per component, the components whose parent it is (see
/// [`component_impacts`]): X's parent is the dependent P that X's failure
/// alone takes down through one entry (its other members as at baseline)
/// with the most below it, estimated as if the parents formed a tree.
/// Parents lie strictly downstream: a component in a dependency cycle has
/// none, so the forest has no loop.
fn children(topology: &Topology, baseline: &[Status]) -> Vec<Vec<ComponentIdx>> {
    let n = topology.components().len();
    let mut size = vec![1u64; n];
    let mut parent: Vec<Option<ComponentIdx>> = vec![None; n];
    // Tarjan's order is reverse topological along member -> dependent
    // edges: every dependent's size is known before its members'.
    for scc in petgraph::algo::tarjan_scc(&topology.graph) {
        if scc.len() > 1 {
            continue;
        }
        let x = ComponentIdx::new(scc[0].index());
        let takes_down = |g: GroupIdx| {
            evaluate_group(topology, g, |m| if m == x { Status::Down } else { baseline[m.index()] }) == Status::Down
        };
        let best = topology
            .dependents_of(x)
            .filter(|g| takes_down(*g))
            .map(|g| topology.group(g).dependent)
            .filter(|p| *p != x)
            .max_by_key(|p| (size[p.index()], std::cmp::Reverse(*p)));
        if let Some(p) = best {
            parent[x.index()] = Some(p);
            size[x.index()] = size[x.index()].saturating_add(size[p.index()]);
        }
    }
    let mut children = vec![Vec::new(); n];
    for x in topology.component_indices() {
        if let Some(p) = parent[x.index()] {
            children[p.index()].push(x);
        }
    }
    children
}

/// Customer and service counts for the overlay's current statuses, level
/// by level: each level is a query on top of the one below, and its counts
/// are those below plus what it changed.
struct Counter {
    threshold: Status,
    customers: Counts,
    services: Counts,
    customer_status: Vec<Status>,
    /// Customers down now, and customers brought to the threshold (better
    /// at baseline), in the order they got there.
    down: Vec<CustomerIdx>,
    hit: Vec<CustomerIdx>,
    /// Customer statuses to restore, newest last.
    undo: Vec<(CustomerIdx, Status)>,
    dirty_mark: Vec<bool>,
}

/// Where a [`Counter`] and its overlay stood before a query.
struct Level {
    mark: Mark,
    customers: Counts,
    services: Counts,
    down: usize,
    hit: usize,
    undo: usize,
}

impl Counter {
    fn new(overlay: &Overlay, threshold: Status) -> Self {
        let topology = overlay.topology();
        let mut customers = Counts::default();
        let mut services = Counts::default();
        let mut customer_status = Vec::with_capacity(topology.customers().len());
        for customer in topology.customers() {
            let status = customer
                .apps
                .iter()
                .map(|a| overlay.baseline(*a))
                .max()
                .unwrap_or_default();
            customers.add(status, &customer.weight);
            customer_status.push(status);
        }
        for c in topology.component_indices() {
            if topology.component(c).section != Section::App {
                services.add(overlay.baseline(c), &Exact::ZERO);
            }
        }
        let down = topology
            .customer_indices()
            .filter(|k| customer_status[k.index()] == Status::Down)
            .collect();
        Counter {
            threshold,
            customers,
            services,
            customer_status,
            down,
            hit: Vec::new(),
            undo: Vec::new(),
            dirty_mark: vec![false; topology.customers().len()],
        }
    }

    fn level(&self, overlay: &Overlay) -> Level {
        Level {
            mark: overlay.checkpoint(),
            customers: self.customers.clone(),
            services: self.services.clone(),
            down: self.down.len(),
            hit: self.hit.len(),
            undo: self.undo.len(),
        }
    }

    /// Takes in what the overlay changed since `level`, and returns the
    /// counts `check` would report for the current statuses.
    fn advance(&mut self, overlay: &mut Overlay, level: &Level) -> Impact {
        let topology = overlay.topology();
        let mut dirty = Vec::new();
        for (c, old) in overlay.changed_since(level.mark) {
            let component = topology.component(c);
            match component.customer {
                Some(k) if !self.dirty_mark[k.index()] => {
                    self.dirty_mark[k.index()] = true;
                    dirty.push(k);
                }
                Some(_) => {}
                None => {
                    self.services.remove(old, &Exact::ZERO);
                    self.services.add(overlay.status(c), &Exact::ZERO);
                }
            }
        }
        for k in dirty {
            self.dirty_mark[k.index()] = false;
            let before = self.customer_status[k.index()];
            let record = topology.customer(k);
            let now = record.apps.iter().map(|a| overlay.status(*a)).max().unwrap_or_default();
            if now == before {
                continue;
            }
            self.customers.remove(before, &record.weight);
            self.customers.add(now, &record.weight);
            self.undo.push((k, before));
            self.customer_status[k.index()] = now;
            if now == Status::Down {
                self.down.push(k);
            }
            if now >= self.threshold && before < self.threshold {
                self.hit.push(k);
            }
        }
        let sorted = |list: &[CustomerIdx]| {
            let mut list = list.to_vec();
            list.sort_unstable();
            list
        };
        Impact {
            customers: self.customers.clone(),
            services: self.services.clone(),
            down_customers: sorted(&self.down),
            hit_customers: sorted(&self.hit),
        }
    }

    /// Back to `level`, the overlay too.
    fn rollback(&mut self, overlay: &mut Overlay, level: Level) {
        overlay.rollback(level.mark);
        while self.undo.len() > level.undo {
            if let Some((k, status)) = self.undo.pop() {
                self.customer_status[k.index()] = status;
            }
        }
        self.customers = level.customers;
        self.services = level.services;
        self.down.truncate(level.down);
        self.hit.truncate(level.hit);
    }
}

/// Per zone, the components with a placement in it, in index order.
fn placed_by_zone(topology: &Topology) -> Vec<Vec<ComponentIdx>> {
    let mut placed = vec![Vec::new(); topology.zones().len()];
    for c in topology.component_indices() {
        for p in topology.placements_of(c) {
            if let Some(z) = p.zone {
                placed[z.index()].push(c);
            }
        }
    }
    placed
}

/// The components placed in any of `zones`, each once, in index order: what
/// a `fail-zone`/`fail-region` step matches.
fn placed_in(placed: &[Vec<ComponentIdx>], zones: &[ZoneIdx]) -> Vec<ComponentIdx> {
    let mut out: Vec<ComponentIdx> = zones.iter().flat_map(|z| placed[z.index()].iter().copied()).collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Customer weight down, then weight degraded (both descending), then id,
/// then the kind of unit, so that equal ids still sort one way.
pub fn rank(topology: &Topology, entries: &mut [SpofEntry]) {
    entries.sort_by(|a, b| {
        b.impact
            .customers
            .down_weight
            .cmp(&a.impact.customers.down_weight)
            .then_with(|| {
                b.impact
                    .customers
                    .degraded_weight
                    .cmp(&a.impact.customers.degraded_weight)
            })
            .then_with(|| a.unit.id(topology).cmp(b.unit.id(topology)))
            .then_with(|| a.unit.cmp(&b.unit))
    });
}
