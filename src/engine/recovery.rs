//! Recovery (SPEC 4.4): what undoing the plan would leave, and for how long.
//!
//! G is the rolled-back system: declared capacities and loads, no failures,
//! but the components still restarting or needing a restart when the plan
//! ends stay down, and those that lost their state or data stay degraded.
//! Starting from the worst statuses W, closed upward under G, the loads can
//! only fall: the state after a rollback is R = S(l*), where S(l) is the
//! least fixpoint with loads held at l and l* the greatest fixpoint of
//! l <- L(S(l)). Each round of that iteration rederives only what lies
//! downstream of the components whose direct status fell (delete and
//! rederive), so its cost follows what changes.
//!
//! No fixpoint here starts from nothing: G's is the baseline raised at the
//! kept components, W's closure starts from W, and each S(l) from G's
//! ([`Propagator::start_above`]). So recovery costs what the plan reached,
//! plus a few passes over plain arrays, not several whole propagations.
//!
//! A component above its status in G's own least fixpoint is held up by
//! load dynamics alone: `self_sustaining`. Otherwise it waits for the
//! restart or restore components that reach it (the longest of them), or
//! recovers at once (`rollback`).

use std::collections::BTreeMap;
use std::time::Duration;

use crate::engine::dependence::relevant_inputs;
use crate::engine::propagate::{Propagator, effective_load};
use crate::engine::state::{
    Conditions, DATA_DELETED, LOST_STATE, NEEDS_RESTART, RESTARTING, Reason, State, direct_status,
};
use crate::model::{ComponentIdx, Direction, Topology};
use crate::number::Exact;
use crate::status::Status;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecoveryKind {
    /// Recovers as soon as the plan is undone.
    Rollback,
    /// Down until a restart completes.
    Restart,
    /// Degraded until its data is restored.
    Restore,
    /// Load dynamics keep it where it is with no step left to cause it.
    SelfSustaining,
}

impl RecoveryKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RecoveryKind::Rollback => "rollback",
            RecoveryKind::Restart => "restart",
            RecoveryKind::Restore => "restore",
            RecoveryKind::SelfSustaining => "self_sustaining",
        }
    }
}

/// How one component recovers.
#[derive(Debug, Clone, PartialEq)]
pub struct ComponentRecovery {
    pub kind: RecoveryKind,
    /// When it is back: `Some(0)` at once, `None` when unknown or unbounded.
    pub after: Option<Duration>,
    pub status_after_rollback: Status,
    /// For `self_sustaining`: the loop that holds it up, an index into [`Recovery::loops`].
    pub sustained_by: Option<usize>,
}

/// A surge or failover loop that keeps itself going after a rollback.
#[derive(Debug, Clone, PartialEq)]
pub struct SustainingLoop {
    /// The components whose load feeds the loop, in component order.
    pub members: Vec<ComponentIdx>,
    /// Where shedding load breaks it: per member overloaded in R, the load
    /// above its capacity, the smallest first.
    pub shed: Vec<(ComponentIdx, Exact)>,
}

/// What a rollback leaves.
#[derive(Debug, Clone, Default)]
pub struct Recovery {
    /// R: every component's status after a rollback.
    pub after_rollback: Vec<Status>,
    /// Components that do not recover by rollback alone, in component order.
    pending: Vec<(ComponentIdx, ComponentRecovery)>,
    pub loops: Vec<SustainingLoop>,
}

impl Recovery {
    pub fn of(&self, c: ComponentIdx) -> ComponentRecovery {
        let pending = self.pending.binary_search_by_key(&c, |(p, _)| *p).ok();
        pending
            .map(|at| self.pending[at].1.clone())
            .unwrap_or(ComponentRecovery {
                kind: RecoveryKind::Rollback,
                after: Some(Duration::ZERO),
                status_after_rollback: self.after_rollback.get(c.index()).copied().unwrap_or_default(),
                sustained_by: None,
            })
    }
}

/// G: the declared system, with what a rollback cannot undo kept.
struct Rollback<'t> {
    topology: &'t Topology,
    /// The kept flags (restarting, needs a restart, lost state, data deleted).
    kept: BTreeMap<ComponentIdx, (u8, Option<Exact>)>,
}

impl Conditions for Rollback<'_> {
    fn topology(&self) -> &Topology {
        self.topology
    }
    fn direct(&self, c: ComponentIdx, load: &Exact) -> (Status, Option<Reason>) {
        let (flags, fell_to) = self.kept.get(&c).map_or((0, None), |(f, at)| (*f, at.as_ref()));
        let capacity = &self.topology.component(c).capacity;
        direct_status(self.topology, c, flags, capacity, fell_to, load, false)
    }
    fn base_load(&self, c: ComponentIdx) -> &Exact {
        &self.topology.component(c).load
    }
    fn capacity(&self, c: ComponentIdx) -> &Exact {
        &self.topology.component(c).capacity
    }
}

/// G with every effective load held at `loads` (for S(l)).
struct FixedLoads<'g, 't> {
    rollback: &'g Rollback<'t>,
    loads: Vec<Exact>,
}

impl Conditions for FixedLoads<'_, '_> {
    fn topology(&self) -> &Topology {
        self.rollback.topology
    }
    fn direct(&self, c: ComponentIdx, load: &Exact) -> (Status, Option<Reason>) {
        self.rollback.direct(c, load)
    }
    fn base_load(&self, c: ComponentIdx) -> &Exact {
        &self.loads[c.index()]
    }
    fn capacity(&self, c: ComponentIdx) -> &Exact {
        self.rollback.capacity(c)
    }
}

/// What undoing the plan that left `state` (and reached `worst`) would
/// leave; `baseline` holds the statuses before any operation.
pub fn recover(topology: &Topology, state: &State, worst: &[Status], baseline: &[Status]) -> Recovery {
    let mut kept = BTreeMap::new();
    for c in topology.component_indices() {
        let flags = state.flags(c) & (RESTARTING | NEEDS_RESTART | LOST_STATE | DATA_DELETED);
        if flags != 0 {
            kept.insert(c, (flags, state.fell_to(c)));
        }
    }
    let rollback = Rollback { topology, kept };

    // What the restart and restore components alone explain: G's least
    // fixpoint, the baseline raised where only the kept components can be.
    let explained = above_baseline(&rollback, baseline);
    // Without dynamics, loads stay at the declared ones and R is G itself.
    let fallen = topology
        .has_dynamics()
        .then(|| fall(&rollback, worst, baseline, &explained));
    let after_rollback = fallen.as_ref().map_or(&explained, |(statuses, _)| statuses);
    let roots = roots(topology, state, &rollback, baseline);
    let waits = waits(topology, &roots, &explained, baseline);

    let kinds = kinds(&rollback, &explained, &roots, baseline);
    let mut pending = Vec::new();
    for c in topology.component_indices() {
        let i = c.index();
        let (r, g) = (after_rollback[i], explained[i]);
        let recovery = |kind, after| ComponentRecovery {
            kind,
            after,
            status_after_rollback: r,
            sustained_by: None,
        };
        if r > g {
            pending.push((c, recovery(RecoveryKind::SelfSustaining, None)));
        } else if r > baseline[i] {
            let wait = waits.binary_search_by_key(&c, |(w, _)| *w).ok().map(|at| waits[at].1);
            // Where only roots together explain it, the longest it waits for names it.
            let kind = kinds[i].or(wait.map(|w| w.kind)).unwrap_or(RecoveryKind::Restart);
            pending.push((c, recovery(kind, wait.and_then(|w| w.after))));
        }
    }
    let loops = match &fallen {
        Some((statuses, loads)) => sustaining_loops(topology, statuses, loads, &mut pending),
        None => Vec::new(),
    };
    Recovery {
        after_rollback: fallen.map_or(explained, |(statuses, _)| statuses),
        pending,
        loops,
    }
}

/// The least fixpoint of `rollback` (G, or G with some kept components
/// only) above the baseline: the baseline is that of the declared system,
/// which G only raises at the kept components.
fn above_baseline(rollback: &Rollback, baseline: &[Status]) -> Vec<Status> {
    let kept: Vec<ComponentIdx> = rollback.kept.keys().copied().collect();
    let mut propagator = Propagator::new(rollback.topology, true, false);
    propagator.start_above(rollback, baseline, &kept);
    propagator.into_statuses()
}

/// R = S(l*) and its loads l*: W closed upward under G, then loads fall
/// until they hold. G's least fixpoint `explained` lies below every S(l)
/// with l at least its loads, so each S(l) is built up from it.
fn fall(rollback: &Rollback, worst: &[Status], baseline: &[Status], explained: &[Status]) -> (Vec<Status>, Vec<Exact>) {
    let topology = rollback.topology;
    // Above W, only the kept components, and those the baseline holds
    // higher than W, can rise by their own direct status.
    let candidates: Vec<ComponentIdx> = topology
        .component_indices()
        .filter(|c| baseline[c.index()] > worst[c.index()] || rollback.kept.contains_key(c))
        .collect();
    let mut closed = Propagator::new(topology, true, false);
    closed.start_above(rollback, worst, &candidates);
    let (mut before, loads) = closed.into_statuses_and_loads(rollback);
    let mut fixed = FixedLoads { rollback, loads };
    let raised_loads: Vec<ComponentIdx> = topology
        .component_indices()
        .filter(|c| fixed.loads[c.index()] != *rollback.base_load(*c))
        .collect();
    let mut s = Propagator::new(topology, false, false);
    s.start_above(&fixed, explained, &raised_loads);
    let mut fell: Vec<ComponentIdx> = topology
        .component_indices()
        .filter(|c| s.status(*c) < before[c.index()])
        .collect();
    loop {
        // Only the loads that what fell feeds can change; where one fell
        // enough to lower a direct status, rederive downstream.
        let mut fed: Vec<ComponentIdx> = Vec::new();
        for &c in &fell {
            for surge in topology.surges_of(c) {
                fed.extend_from_slice(topology.surge_targets(surge));
            }
            if let Some(f) = topology.component(c).extras().failover {
                fed.extend_from_slice(topology.failover_targets(f));
            }
            for &f in topology.failovers_into(c) {
                fed.extend_from_slice(topology.failover_targets(f));
            }
        }
        fed.sort_unstable();
        fed.dedup();
        let mut seeds = Vec::new();
        for t in fed {
            let next = effective_load(topology, rollback, t, |c| s.status(c));
            let i = t.index();
            if next != fixed.loads[i] {
                let was = rollback.direct(t, &fixed.loads[i]).0;
                if rollback.direct(t, &next).0 < was {
                    seeds.push(t);
                }
                fixed.loads[i] = next;
            }
        }
        if seeds.is_empty() {
            return (s.into_statuses(), fixed.loads);
        }
        let region = topology.reachable(&seeds, Direction::Downstream, |_| true);
        for &c in &region {
            before[c.index()] = s.status(c);
        }
        s.rederive(&fixed, &region);
        fell = region
            .into_iter()
            .filter(|c| s.status(*c) < before[c.index()])
            .collect();
    }
}

/// A component whose kept state a rollback cannot undo.
#[derive(Debug, Clone, Copy)]
struct Root {
    kind: RecoveryKind,
    /// The status its kept state gives it.
    level: Status,
    after: Option<Duration>,
}

/// The later of two recoveries; unknown is later than any.
fn longest(a: Option<Duration>, b: Option<Duration>) -> Option<Duration> {
    Some(a?.max(b?))
}

/// The components whose kept state a rollback cannot undo and that it
/// raises above their baseline, with what they wait for and how long.
fn roots(topology: &Topology, state: &State, rollback: &Rollback, baseline: &[Status]) -> BTreeMap<ComponentIdx, Root> {
    let mut out = BTreeMap::new();
    for (&c, (flags, _)) in &rollback.kept {
        let component = topology.component(c);
        let restore_time = |store: ComponentIdx| topology.component(store).extras().restore_time;
        let mut restore = None;
        if flags & DATA_DELETED != 0 {
            restore = Some(restore_time(c));
        }
        if flags & LOST_STATE != 0 {
            let store = component.state.map_or(Some(Duration::ZERO), restore_time);
            restore = Some(restore.map_or(store, |r| longest(r, store)));
        }
        let root = if flags & (RESTARTING | NEEDS_RESTART) != 0 {
            // A restart under way has what is left of its clock; a fall below
            // min_capacity needs a whole new one.
            let restart = match state.restarts().get(&c) {
                Some(left) => *left,
                None => component.extras().restart_time.filter(|t| !t.is_zero()),
            };
            Root {
                kind: RecoveryKind::Restart,
                level: Status::Down,
                after: restore.map_or(restart, |r| longest(restart, r)),
            }
        } else {
            Root {
                kind: RecoveryKind::Restore,
                level: Status::Degraded,
                after: restore.flatten(),
            }
        };
        if root.level > baseline[c.index()] {
            out.insert(c, root);
        }
    }
    out
}

/// The recovery kind of each component raised in G, where a root's own
/// effect decides it: that of the root its cause chain in G leads to. Its
/// own, when its kept state explains its status; else the kind whose roots
/// alone explain it, when only one kind's do; else that of the first root
/// that explains it alone. `None` where only roots together explain it:
/// then no single chain does, and the longest root it waits for names it.
fn kinds(
    rollback: &Rollback,
    g: &[Status],
    roots: &BTreeMap<ComponentIdx, Root>,
    baseline: &[Status],
) -> Vec<Option<RecoveryKind>> {
    let topology = rollback.topology;
    let by_kind = explained_by_kind(rollback, roots, baseline);
    let mut out = vec![None; g.len()];
    let mut open = Vec::new();
    for c in topology
        .component_indices()
        .filter(|c| g[c.index()] > baseline[c.index()])
    {
        let i = c.index();
        out[i] = match roots.get(&c) {
            Some(own) if own.level >= g[i] => Some(own.kind),
            _ => match by_kind
                .as_ref()
                .map(|[restart, restore]| (restart[i] >= g[i], restore[i] >= g[i]))
            {
                Some((true, false)) => Some(RecoveryKind::Restart),
                Some((false, true)) => Some(RecoveryKind::Restore),
                Some((true, true)) => {
                    open.push(c);
                    None
                }
                _ => None,
            },
        };
    }
    single_root_kinds(topology, roots, &open, g, baseline, &mut out);
    out
}

/// With roots of both kinds: G's least fixpoint with only the restart
/// roots kept, and with only the restore roots kept.
fn explained_by_kind(
    rollback: &Rollback,
    roots: &BTreeMap<ComponentIdx, Root>,
    baseline: &[Status],
) -> Option<[Vec<Status>; 2]> {
    let has = |kind| roots.values().any(|r| r.kind == kind);
    if !(has(RecoveryKind::Restart) && has(RecoveryKind::Restore)) {
        return None;
    }
    Some([true, false].map(|restarts| {
        let kept = rollback
            .kept
            .iter()
            .filter(|(_, (flags, _))| (flags & (RESTARTING | NEEDS_RESTART) != 0) == restarts)
            .map(|(c, kept)| (*c, kept.clone()))
            .collect();
        let only = Rollback {
            topology: rollback.topology,
            kept,
        };
        above_baseline(&only, baseline)
    }))
}

/// For the `open` components, which roots of both kinds explain only
/// together: the kind of the first root (in component order) that raises
/// it to its status in G on its own. Each root is one incremental query on
/// the baseline; the queries stop once their work passes a few times the
/// topology's size, and what is left falls back to the cause chains.
fn single_root_kinds(
    topology: &Topology,
    roots: &BTreeMap<ComponentIdx, Root>,
    open: &[ComponentIdx],
    g: &[Status],
    baseline: &[Status],
    out: &mut [Option<RecoveryKind>],
) {
    if open.is_empty() {
        return;
    }
    let declared = State::new(topology);
    let mut alone = Propagator::new(topology, true, false);
    alone.start_above(&declared, baseline, &[]);
    alone.keep_journal();
    let mut is_open = vec![false; g.len()];
    for c in open {
        is_open[c.index()] = true;
    }
    let mut left = open.len();
    let mut budget = 4 * (topology.components().len() + topology.groups().len()) + 1024;
    for (&k, root) in roots {
        if left == 0 || budget == 0 {
            break;
        }
        alone.raise(k, root.level);
        alone.run(&declared);
        let changed = alone.changed().to_vec();
        budget = budget.saturating_sub(changed.len() + 1);
        for (c, _) in changed {
            let i = c.index();
            if is_open[i] && alone.status(c) >= g[i] {
                out[i] = Some(root.kind);
                is_open[i] = false;
                left -= 1;
            }
        }
        alone.reset();
    }
}

/// What a component waits for: the longest root, and the kind of the
/// longest other than itself (its own where there is none).
#[derive(Debug, Clone, Copy)]
struct Wait {
    kind: RecoveryKind,
    after: Option<Duration>,
}

/// Whether `a` ends later than `b` (unknown is the latest).
fn later(a: Option<Duration>, b: Option<Duration>) -> bool {
    match (a, b) {
        (None, Some(_)) => true,
        (Some(x), Some(y)) => x > y,
        _ => false,
    }
}

/// Per component raised in G: the longest of the roots its status in G
/// depends on, itself included, through the inputs that matter (see
/// [`crate::engine::dependence`]). Strongly connected sets of those inputs
/// wait for the same roots, so one pass over their condensation, sources
/// first, is linear.
fn waits(
    topology: &Topology,
    roots: &BTreeMap<ComponentIdx, Root>,
    explained: &[Status],
    baseline: &[Status],
) -> Vec<(ComponentIdx, Wait)> {
    let raised: Vec<ComponentIdx> = topology
        .component_indices()
        .filter(|c| explained[c.index()] > baseline[c.index()])
        .collect();
    let mut sub = Subgraph::new(topology, &raised);
    for (v, from) in relevant_inputs(topology, baseline, explained, &raised) {
        for u in from {
            sub.edge(u, v);
        }
    }
    let graph = sub.graph;
    let n = raised.len();
    /// A root's wait, and which root it is.
    type Longest = Option<(Option<Duration>, RecoveryKind, usize)>;
    let take = |best: &mut Longest, candidate: Longest| {
        if let Some(c) = candidate
            && best.is_none_or(|b| later(c.0, b.0))
        {
            *best = Some(c);
        }
    };
    let mut longest: Vec<Longest> = vec![None; n];
    let mut out: Vec<Option<Wait>> = vec![None; n];
    // The strongly connected sets come sinks first (kosaraju_scc, which
    // unlike tarjan_scc does not recurse, so deep chains cannot overflow
    // the stack): walk them backwards.
    for scc in petgraph::algo::kosaraju_scc(&graph).iter().rev() {
        // From upstream, and the two longest roots inside (a root names its
        // kind after the others it waits for, not itself).
        let (mut upstream, mut first, mut second): (Longest, Longest, Longest) = (None, None, None);
        for member in scc {
            if let Some(root) = roots.get(&raised[member.index()]) {
                let candidate = Some((root.after, root.kind, member.index()));
                if first.is_none_or(|b| later(root.after, b.0)) {
                    second = first;
                    first = candidate;
                } else {
                    take(&mut second, candidate);
                }
            }
            for u in graph.neighbors_directed(*member, petgraph::Direction::Incoming) {
                take(&mut upstream, longest[u.index()]);
            }
        }
        let mut all = upstream;
        take(&mut all, first);
        for member in scc {
            let mut others = upstream;
            take(
                &mut others,
                if first.is_some_and(|f| f.2 == member.index()) {
                    second
                } else {
                    first
                },
            );
            longest[member.index()] = all;
            out[member.index()] = all.map(|(after, kind, _)| Wait {
                after,
                kind: others.map_or(kind, |o| o.1),
            });
        }
    }
    raised
        .into_iter()
        .zip(out)
        .filter_map(|(c, wait)| Some((c, wait?)))
        .collect()
}

/// A graph over some of the components, in the order given, with each
/// component's node looked up in an array (not a map, so that walking
/// every edge stays linear).
struct Subgraph {
    graph: petgraph::graph::DiGraph<(), ()>,
    position: Vec<u32>,
}

impl Subgraph {
    fn new(topology: &Topology, nodes: &[ComponentIdx]) -> Self {
        let mut position = vec![u32::MAX; topology.components().len()];
        let mut graph = petgraph::graph::DiGraph::<(), ()>::with_capacity(nodes.len(), 0);
        for c in nodes {
            position[c.index()] = graph.add_node(()).index() as u32;
        }
        Subgraph { graph, position }
    }

    fn node(&self, c: ComponentIdx) -> Option<petgraph::graph::NodeIndex> {
        let at = self.position[c.index()];
        (at != u32::MAX).then(|| petgraph::graph::NodeIndex::new(at as usize))
    }

    /// An edge from `from` to `to`, where both are nodes.
    fn edge(&mut self, from: ComponentIdx, to: ComponentIdx) {
        if let (Some(a), Some(b)) = (self.node(from), self.node(to)) {
            self.graph.add_edge(a, b, ());
        }
    }
}

/// The graph among held components (indexed as in `held`) along dependency
/// entries and the surges and failovers active in R, and which of them feed
/// themselves.
fn held_graph(
    topology: &Topology,
    held: &[ComponentIdx],
    after_rollback: &[Status],
) -> (petgraph::graph::DiGraph<(), ()>, Vec<bool>) {
    let mut sub = Subgraph::new(topology, held);
    let mut self_fed = vec![false; held.len()];
    for (i, &c) in held.iter().enumerate() {
        let status = after_rollback[c.index()];
        let mut edge = |t: ComponentIdx| {
            if t == c {
                self_fed[i] = true;
            } else {
                sub.edge(c, t);
            }
        };
        topology
            .dependents_of(c)
            .for_each(|g| edge(topology.group(g).dependent));
        for s in topology.surges_of(c).filter(|s| status >= topology.surge(*s).when) {
            topology.surge_targets(s).iter().for_each(|t| edge(*t));
        }
        if let Some(f) = topology.component(c).extras().failover
            && status >= topology.failover(f).when
        {
            topology.failover_targets(f).iter().for_each(|t| edge(*t));
        }
    }
    (sub.graph, self_fed)
}

/// Groups the self-sustaining components by the loops that hold them up:
/// strongly connected sets among them over dependency entries and the
/// surges and failovers active in R. Each component points at the loop it
/// is in or that feeds it (the first in component order).
fn sustaining_loops(
    topology: &Topology,
    after_rollback: &[Status],
    loads: &[Exact],
    pending: &mut [(ComponentIdx, ComponentRecovery)],
) -> Vec<SustainingLoop> {
    let held: Vec<ComponentIdx> = pending
        .iter()
        .filter(|(_, r)| r.kind == RecoveryKind::SelfSustaining)
        .map(|(c, _)| *c)
        .collect();
    if held.is_empty() {
        return Vec::new();
    }
    let (graph, self_fed) = held_graph(topology, &held, after_rollback);
    // The strongly connected sets come sinks first; loops are
    // numbered by their first member, for a stable order.
    let sccs = petgraph::algo::kosaraju_scc(&graph);
    let mut looped: Vec<Vec<usize>> = sccs
        .iter()
        .filter(|scc| scc.len() > 1 || self_fed[scc[0].index()])
        .map(|scc| {
            let mut members: Vec<usize> = scc.iter().map(|n| n.index()).collect();
            members.sort_unstable();
            members
        })
        .collect();
    looped.sort_unstable();
    let mut loop_of: Vec<Option<usize>> = vec![None; held.len()];
    let mut loops = Vec::new();
    for members in looped {
        let members: Vec<ComponentIdx> = members
            .into_iter()
            .map(|i| {
                loop_of[i] = Some(loops.len());
                held[i]
            })
            .collect();
        let mut shed: Vec<(ComponentIdx, Exact)> = members
            .iter()
            .filter_map(|&m| {
                let over = &loads[m.index()] - &topology.component(m).capacity;
                over.is_positive().then_some((m, over))
            })
            .collect();
        shed.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
        loops.push(SustainingLoop { members, shed });
    }
    // Components fed by a loop point at the first loop upstream: sources
    // first, each set takes the least loop of what feeds it. Linear.
    for scc in sccs.iter().rev() {
        if loop_of[scc[0].index()].is_some() {
            continue;
        }
        let fed = scc
            .iter()
            .flat_map(|n| graph.neighbors_directed(*n, petgraph::Direction::Incoming))
            .filter_map(|p| loop_of[p.index()])
            .min();
        for n in scc {
            loop_of[n.index()] = fed;
        }
    }
    let held_entries = pending
        .iter_mut()
        .filter(|(_, r)| r.kind == RecoveryKind::SelfSustaining);
    for ((_, entry), sustained_by) in held_entries.zip(loop_of) {
        entry.sustained_by = sustained_by;
    }
    loops
}
