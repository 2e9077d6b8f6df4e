//! Incremental "what if these fail" on top of the baseline statuses.
//!
//! `spof` and `cuts` ask the same question thousands of times: which
//! statuses change if this small set of components fails? Statuses only rise
//! and the least fixpoint with extra failures lies above the baseline one, so
//! starting from the baseline and raising only the failed components reaches
//! exactly what a full `check --op 'fail ...'` computes, load dynamics
//! included. Each query costs the size of what it changes, and
//! [`Overlay::reset`] undoes just that.
//!
//! Zones fail as a `fail_zone` step does (every component placed there
//! loses what it holds there); the state those failures touch is forgotten
//! on reset, so it costs the components placed in the zones.

use crate::engine::propagate::{Mark, Propagator};
use crate::engine::state::State;
use crate::model::{ComponentIdx, GroupIdx, Topology, ZoneIdx};
use crate::status::Status;

/// A clone copies the statuses, counters and journal, and shares the
/// topology and the compacted graph: one per thread costs about one
/// propagation's arrays.
#[derive(Clone)]
pub struct Overlay<'t> {
    topology: &'t Topology,
    state: State<'t>,
    propagator: Propagator<'t>,
    baseline: Vec<Status>,
    /// Per zone, the components placed there; built on the first zone failure.
    placed: Option<Vec<Vec<ComponentIdx>>>,
    /// Components whose state the current query's zone failures touched.
    touched: Vec<ComponentIdx>,
}

impl<'t> Overlay<'t> {
    /// The statuses with no operation applied (components may start
    /// degraded, for example when overloaded).
    pub fn new(topology: &'t Topology) -> Self {
        let state = State::new(topology);
        let mut propagator = Propagator::new(topology, true, false);
        propagator.start(&state, None);
        let baseline = propagator.statuses().to_vec();
        propagator.keep_journal();
        propagator.compact_for_queries();
        Overlay {
            topology,
            state,
            propagator,
            baseline,
            placed: None,
            touched: Vec::new(),
        }
    }

    pub fn topology(&self) -> &'t Topology {
        self.topology
    }

    pub fn status(&self, c: ComponentIdx) -> Status {
        self.propagator.status(c)
    }

    pub fn baseline(&self, c: ComponentIdx) -> Status {
        self.baseline[c.index()]
    }

    pub fn baseline_statuses(&self) -> &[Status] {
        &self.baseline
    }

    /// Components the current query changed, with their baseline status.
    pub fn changed(&self) -> Vec<(ComponentIdx, Status)> {
        self.propagator.changed().to_vec()
    }

    /// Whether the dependency entry `g` currently yields down.
    pub fn group_down(&self, g: GroupIdx) -> bool {
        self.propagator.group_down(g)
    }

    /// Fails every component of `set` on top of the current statuses.
    pub fn fail(&mut self, set: &[ComponentIdx]) {
        for c in set {
            self.propagator.raise(*c, Status::Down);
        }
        self.propagator.run(&self.state);
    }

    /// Fails every zone of `zones` and every component of `components` on
    /// top of the current statuses, as `fail_zone` and `fail` steps would.
    pub fn fail_with_zones(&mut self, components: &[ComponentIdx], zones: &[ZoneIdx]) {
        for c in components {
            self.propagator.raise(*c, Status::Down);
        }
        if zones.is_empty() {
            self.propagator.run(&self.state);
            return;
        }
        let topology = self.topology;
        let placed = self.placed.get_or_insert_with(|| placed_by_zone(topology));
        let matched = placed_in(placed, zones);
        self.state.fail_zones(zones, &matched, 1);
        self.propagator.recondition(&self.state, &matched);
        self.touched.extend(matched);
    }

    /// Fails `zones` (one zone, or a region's zones) on top of the current
    /// statuses, as `fail-zone`/`fail-region` does: `placed` (the components
    /// placed in them, which that step matches) lose what they hold there.
    /// The zone state lives only for this query; [`Overlay::reset`] undoes
    /// the statuses it raised.
    pub fn fail_zones(&mut self, zones: &[ZoneIdx], placed: &[ComponentIdx]) {
        let mut state = State::new(self.topology);
        state.fail_zones(zones, placed, 1);
        self.propagator.recondition(&state, placed);
    }

    /// The current query's point, for a query on top of it: failing more
    /// on top of a failure's statuses reaches the same fixpoint as failing
    /// everything from the baseline, so queries nest.
    pub fn checkpoint(&self) -> Mark {
        self.propagator.mark()
    }

    /// Back to the statuses at `mark`, in time proportional to what changed since.
    pub fn rollback(&mut self, mark: Mark) {
        self.propagator.reset_to(mark);
    }

    /// Components whose status changed since `mark`, each once, with the
    /// status it had then.
    pub fn changed_since(&mut self, mark: Mark) -> Vec<(ComponentIdx, Status)> {
        self.propagator.changed_since(mark)
    }

    /// Back to the baseline, in time proportional to what the query changed.
    pub fn reset(&mut self) {
        self.propagator.reset();
        if !self.touched.is_empty() {
            self.state.forget(&self.touched);
            self.touched.clear();
        }
    }
}

/// Per zone, the components with a placement in it, in index order.
pub(crate) fn placed_by_zone(topology: &Topology) -> Vec<Vec<ComponentIdx>> {
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
pub(crate) fn placed_in(placed: &[Vec<ComponentIdx>], zones: &[ZoneIdx]) -> Vec<ComponentIdx> {
    let mut out: Vec<ComponentIdx> = zones.iter().flat_map(|z| placed[z.index()].iter().copied()).collect();
    out.sort_unstable();
    out.dedup();
    out
}
