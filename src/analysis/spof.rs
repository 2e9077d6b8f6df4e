//! `blast spof`: what each component's, zone's and region's failure alone
//! takes down.
//!
//! The result for a component X equals `blast check --op 'fail X'`, for a
//! zone Z `blast check --op 'fail-zone Z'`, for a region R `blast check --op
//! 'fail-region R'`. Each is computed on an [`Overlay`], so each unit costs
//! what its failure changes, not a full propagation; a component's failure
//! is measured on top of a smaller failure it contains, so it costs only
//! what it adds (see `component_impacts`).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::analysis::Impact;
use crate::engine::overlay::{Overlay, placed_by_zone, placed_in};
use crate::engine::propagate::{Mark, evaluate_group};
use crate::model::{ComponentIdx, CustomerIdx, GroupIdx, RegionIdx, Topology, ZoneIdx};
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
    /// How many of the ranked units keep their lists of customers (0:
    /// all); the others' lists are left empty. A list holds every customer
    /// down, those down at baseline too, so lists for every unit cost
    /// units times customers down: gigabytes where many are down already.
    pub listed: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            include_apps: false,
            threshold: Status::Down,
            listed: 0,
        }
    }
}

/// Every component that is not an app, every zone and every region,
/// ranked: customer weight down, then weight degraded, then id.
pub fn spof(topology: &Topology, progress: impl FnMut(usize, usize)) -> Vec<SpofEntry> {
    spof_with(topology, &Options::default(), progress)
}

/// As [`spof`], with the units, threshold and lists `options` give.
pub fn spof_with(topology: &Topology, options: &Options, progress: impl FnMut(usize, usize)) -> Vec<SpofEntry> {
    let wanted: Vec<bool> = topology
        .components()
        .iter()
        .map(|c| options.include_apps || c.customer.is_none())
        .collect();
    let every = options.listed == 0;
    let selection = Selection {
        lists: vec![every; wanted.len()],
        wanted,
        down_lists: true,
    };
    let mut entries = spof_selected(topology, options.threshold, &selection, progress).entries;
    rank(topology, &mut entries);
    if !every {
        // The lists of the units shown, each measured again on its own.
        let mut overlay = Overlay::new(topology);
        let mut counter = Counter::new(&overlay, options.threshold, true);
        let placed = placed_by_zone(topology);
        for entry in entries.iter_mut().take(options.listed) {
            entry.impact = unit_impact(&mut overlay, &mut counter, entry.unit, &placed);
        }
        // Zones and regions are always measured with their lists (they are few).
        for entry in entries.iter_mut().skip(options.listed) {
            entry.impact.down_customers = Vec::new();
            entry.impact.hit_customers = Vec::new();
        }
    }
    entries
}

/// Which components [`spof_selected`] measures, and which of those keep
/// their lists of customers (the others' are left empty, to save memory).
pub(crate) struct Selection {
    pub wanted: Vec<bool>,
    pub lists: Vec<bool>,
    /// Whether the lists include the customers down (or only those hit).
    pub down_lists: bool,
}

/// What [`spof_selected`] found, with the baseline it counted from.
pub(crate) struct Selected {
    /// The wanted components, then every zone, then every region; unranked.
    pub entries: Vec<SpofEntry>,
    pub customers: Counts,
    pub services: Counts,
    /// Each customer's status with no operation.
    pub customer_status: Vec<Status>,
}

/// The impact of each wanted component, zone and region.
pub(crate) fn spof_selected(
    topology: &Topology,
    threshold: Status,
    selection: &Selection,
    mut progress: impl FnMut(usize, usize),
) -> Selected {
    let mut overlay = Overlay::new(topology);
    let mut counter = Counter::new(&overlay, threshold, selection.down_lists);
    let total = selection.wanted.iter().filter(|w| **w).count();
    let mut entries = component_impacts(&mut overlay, &mut counter, selection, |done| progress(done, total));
    let placed = placed_by_zone(topology);
    let zones = topology.zone_indices().map(Unit::Zone);
    for unit in zones.chain(topology.region_indices().map(Unit::Region)) {
        let impact = unit_impact(&mut overlay, &mut counter, unit, &placed);
        entries.push(SpofEntry { unit, impact });
    }
    Selected {
        entries,
        customers: counter.customers,
        services: counter.services,
        customer_status: counter.customer_status,
    }
}

/// What failing `unit` alone does, from the baseline, with its lists; a
/// zone or a region fails as `fail-zone`/`fail-region` does.
fn unit_impact(overlay: &mut Overlay, counter: &mut Counter, unit: Unit, placed: &[Vec<ComponentIdx>]) -> Impact {
    let topology = overlay.topology();
    let level = counter.level(overlay);
    match unit {
        Unit::Component(c) => overlay.fail(&[c]),
        Unit::Zone(z) => overlay.fail_zones(&[z], &placed_in(placed, &[z])),
        Unit::Region(r) => {
            let zones = &topology.region(r).zones;
            overlay.fail_zones(zones, &placed_in(placed, zones));
        }
    }
    let impact = counter.advance(overlay, &level, true);
    counter.rollback(overlay, level);
    impact
}

/// Every wanted component's impact, in index order, each failure measured
/// on top of a smaller one it contains. When X's failure alone takes its
/// dependent P down, failing X ends where failing X on top of P's failure
/// does (statuses only rise, and P's failure lies below X's), so X costs
/// only what it adds to P's: a forest of such "parents" is walked depth
/// first, each query nested on its parent's. A chain of hard dependencies
/// costs its length, not its square.
///
/// The trees are independent, so workers take chunks of roots from a shared
/// queue, each with its own overlay (this thread with the caller's); every
/// impact is a function of its unit alone, so the result does not depend on
/// who measured what. The caller's overlay and counter must stand at the
/// baseline: the helpers' are copies of them.
fn component_impacts(
    overlay: &mut Overlay,
    counter: &mut Counter,
    selection: &Selection,
    mut progress: impl FnMut(usize),
) -> Vec<SpofEntry> {
    debug_assert!(
        overlay.checkpoint() == Mark::default(),
        "the overlay stands at the baseline"
    );
    let topology = overlay.topology();
    let forest = Forest::new(topology, overlay.baseline_statuses(), selection);
    let workers = workers();
    let queue = Queue {
        next: AtomicUsize::new(0),
        done: AtomicUsize::new(0),
        finished: AtomicUsize::new(0),
        chunk: (forest.roots.len() / (workers * 16)).clamp(1, 64),
    };
    let helpers = (workers - 1).min(forest.roots.len().saturating_sub(1));
    let twins: Vec<(Overlay, Counter)> = (0..helpers).map(|_| (overlay.clone(), counter.clone())).collect();
    let mut entries = std::thread::scope(|scope| {
        // A helper that cannot be started (a process limit) leaves its
        // share of the queue to the others, this thread included.
        let handles: Vec<_> = twins
            .into_iter()
            .filter_map(|(mut overlay, mut counter)| {
                let (forest, queue, caller) = (&forest, &queue, std::thread::current());
                std::thread::Builder::new()
                    .spawn_scoped(scope, move || {
                        let _finished = Finished(&queue.finished, caller);
                        walk(&mut overlay, &mut counter, forest, queue, |_| {})
                    })
                    .ok()
            })
            .collect();
        let mut entries = walk(overlay, counter, &forest, &queue, &mut progress);
        // The helpers' share goes on the bar while they finish.
        while queue.finished.load(Ordering::Acquire) < handles.len() {
            progress(queue.done.load(Ordering::Relaxed));
            std::thread::park_timeout(Duration::from_millis(100));
        }
        for handle in handles {
            match handle.join() {
                Ok(theirs) => entries.extend(theirs),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        entries
    });
    entries.sort_unstable_by_key(|e| e.unit);
    entries
}

/// How many threads measure component failures: one per core, up to four,
/// since each holds an overlay of the whole topology; at least two, so
/// that the sharing is exercised on every machine.
fn workers() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 4))
}

/// The trees of [`component_impacts`]: each wanted component's children
/// (those nested on its failure), and the roots measured from the baseline.
struct Forest {
    children: Vec<Vec<ComponentIdx>>,
    roots: Vec<ComponentIdx>,
    lists: Vec<bool>,
}

impl Forest {
    fn new(topology: &Topology, baseline: &[Status], selection: &Selection) -> Self {
        let wanted = |c: ComponentIdx| selection.wanted.get(c.index()).copied().unwrap_or(false);
        let children: Vec<Vec<ComponentIdx>> = children(topology, baseline)
            .into_iter()
            .map(|mut list| {
                list.retain(|c| wanted(*c));
                list
            })
            .collect();
        // Nested under a wanted parent, or measured from the baseline.
        let mut nested = vec![false; topology.components().len()];
        for (p, list) in children.iter().enumerate() {
            if wanted(ComponentIdx::new(p)) {
                list.iter().for_each(|c| nested[c.index()] = true);
            }
        }
        let roots = topology
            .component_indices()
            .filter(|c| wanted(*c) && !nested[c.index()])
            .collect();
        let mut lists = selection.lists.clone();
        lists.resize(topology.components().len(), false);
        Forest { children, roots, lists }
    }
}

/// The roots not yet taken, handed out a chunk at a time, and how many
/// components are measured so far.
struct Queue {
    next: AtomicUsize,
    /// Failures measured and reported, by every worker.
    done: AtomicUsize,
    /// Helpers that have stopped, normally or not.
    finished: AtomicUsize,
    chunk: usize,
}

/// Counts a helper as stopped when it is dropped, a panic included, and
/// wakes the thread waiting for it.
struct Finished<'q>(&'q AtomicUsize, std::thread::Thread);

impl Drop for Finished<'_> {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::Release);
        self.1.unpark();
    }
}

/// Measures the trees of the roots this worker takes from `queue`.
fn walk(
    overlay: &mut Overlay,
    counter: &mut Counter,
    forest: &Forest,
    queue: &Queue,
    mut progress: impl FnMut(usize),
) -> Vec<SpofEntry> {
    let mut entries = Vec::new();
    let mut measure = |overlay: &mut Overlay, counter: &mut Counter, c: ComponentIdx, level: &Level| {
        overlay.fail(&[c]);
        let impact = counter.advance(overlay, level, forest.lists[c.index()]);
        entries.push(SpofEntry {
            unit: Unit::Component(c),
            impact,
        });
    };
    // Measured since the last report; reported every so often, so that a
    // long tree (a chain is one) still moves the bar.
    let mut measured = 0;
    let mut report = |measured: &mut usize, at_least: usize| {
        if *measured >= at_least {
            progress(queue.done.fetch_add(*measured, Ordering::Relaxed) + *measured);
            *measured = 0;
        }
    };
    loop {
        let start = queue.next.fetch_add(queue.chunk, Ordering::Relaxed);
        let end = (start + queue.chunk).min(forest.roots.len());
        let Some(roots) = forest.roots.get(start..end).filter(|roots| !roots.is_empty()) else {
            break;
        };
        for &root in roots {
            // (component, its next child, the level below its failure)
            let mut stack = vec![(root, 0, counter.level(overlay))];
            measure(overlay, counter, root, &stack[0].2);
            measured += 1;
            while let Some((c, next, _)) = stack.last_mut() {
                let Some(&child) = forest.children[c.index()].get(*next) else {
                    if let Some((_, _, level)) = stack.pop() {
                        counter.rollback(overlay, level);
                    }
                    continue;
                };
                *next += 1;
                let level = counter.level(overlay);
                measure(overlay, counter, child, &level);
                stack.push((child, 0, level));
                measured += 1;
                report(&mut measured, REPORT_EVERY);
            }
        }
        report(&mut measured, 1);
    }
    entries
}

/// How many failures a worker measures between two reports of progress.
const REPORT_EVERY: usize = 1024;

/// Per component, the components whose parent it is (see
/// [`component_impacts`]): X's parent is the dependent P that X's failure
/// alone takes down through one entry (its other members as at baseline)
/// whose own failure takes the most down, estimated by adding up what
/// each such dependent's takes down (shared parts counted twice: only the
/// choice depends on it, never a result).
/// Parents lie strictly downstream: a component in a dependency cycle has
/// none, so the forest has no loop.
fn children(topology: &Topology, baseline: &[Status]) -> Vec<Vec<ComponentIdx>> {
    let n = topology.components().len();
    let mut size = vec![1u64; n];
    let mut parent: Vec<Option<ComponentIdx>> = vec![None; n];
    // Kosaraju's order is reverse topological along member -> dependent
    // edges: every dependent's size is known before its members'.
    // (iterative: a chain of a million dependencies must not exhaust the stack).
    for scc in petgraph::algo::kosaraju_scc(&topology.graph) {
        if scc.len() > 1 {
            continue;
        }
        let x = ComponentIdx::new(scc[0].index());
        let takes_down = |g: GroupIdx| {
            evaluate_group(topology, g, |m| if m == x { Status::Down } else { baseline[m.index()] }) == Status::Down
        };
        let mut best: Option<ComponentIdx> = None;
        for p in topology
            .dependents_of(x)
            .filter(|g| takes_down(*g))
            .map(|g| topology.group(g).dependent)
        {
            size[x.index()] = size[x.index()].saturating_add(size[p.index()]);
            if best.is_none_or(|b| (size[p.index()], std::cmp::Reverse(p)) > (size[b.index()], std::cmp::Reverse(b))) {
                best = Some(p);
            }
        }
        parent[x.index()] = best;
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
#[derive(Clone)]
struct Counter {
    threshold: Status,
    /// Whether lists include the customers down, not only those hit.
    down_lists: bool,
    /// Read only, so shared by the clones of other threads.
    owners: Arc<Owners>,
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

/// Who owns each app, kept apart from the topology's records, which are
/// large and cold.
struct Owners {
    /// Per component: its customer (apps), or `None` for a service.
    customer_of: Vec<Option<CustomerIdx>>,
    /// Customer `k`'s apps are `apps[app_start[k]..app_start[k + 1]]`.
    app_start: Vec<u32>,
    apps: Vec<ComponentIdx>,
    weight: Vec<Exact>,
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
    fn new(overlay: &Overlay, threshold: Status, down_lists: bool) -> Self {
        let topology = overlay.topology();
        let (customers, services, customer_status) = crate::analysis::baseline_counts(overlay);
        let down = topology
            .customer_indices()
            .filter(|k| customer_status[k.index()] == Status::Down)
            .collect();
        let mut app_start = vec![0];
        let mut apps = Vec::new();
        for customer in topology.customers() {
            apps.extend(customer.apps());
            app_start.push(apps.len() as u32);
        }
        let owners = Owners {
            customer_of: topology.components().iter().map(|c| c.customer).collect(),
            app_start,
            apps,
            weight: topology.customers().iter().map(|k| k.weight.clone()).collect(),
        };
        Counter {
            threshold,
            down_lists,
            owners: Arc::new(owners),
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
    /// counts `check` would report for the current statuses, with the
    /// lists of customers if `lists`.
    fn advance(&mut self, overlay: &mut Overlay, level: &Level, lists: bool) -> Impact {
        let mut dirty = Vec::new();
        for (c, old) in overlay.changed_since(level.mark) {
            match self.owners.customer_of[c.index()] {
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
            let i = k.index();
            self.dirty_mark[i] = false;
            let before = self.customer_status[i];
            let owners = &self.owners;
            let apps = &owners.apps[owners.app_start[i] as usize..owners.app_start[i + 1] as usize];
            let now = apps.iter().map(|a| overlay.status(*a)).max().unwrap_or_default();
            if now == before {
                continue;
            }
            self.customers.remove(before, &owners.weight[i]);
            self.customers.add(now, &owners.weight[i]);
            self.undo.push((k, before));
            self.customer_status[i] = now;
            if now == Status::Down {
                self.down.push(k);
            }
            if now >= self.threshold && before < self.threshold {
                self.hit.push(k);
            }
        }
        let sorted = |list: &[CustomerIdx], wanted: bool| {
            let mut list = if wanted { list.to_vec() } else { Vec::new() };
            list.sort_unstable();
            list
        };
        Impact {
            customers: self.customers.clone(),
            services: self.services.clone(),
            down_customers: sorted(&self.down, lists && self.down_lists),
            hit_customers: sorted(&self.hit, lists),
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
