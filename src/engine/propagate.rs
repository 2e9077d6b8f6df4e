//! Propagation: the least fixpoint of SPEC 4.1 with the load dynamics of 4.2.
//!
//! Propagation runs in rounds, like a breadth-first search. Round 0 holds
//! the direct statuses with base loads. Round r+1 raises every component
//! whose dependency entries, evaluated on the statuses at the end of round
//! r, demand more, and every component whose effective load, with the surges
//! and failovers those statuses switch on, gives a worse direct status. Each
//! entry keeps two counters (members not down, members ok or at risk)
//! updated in O(1) per member change; each surge adds its load once, when
//! its source crosses its threshold; a failover's shares are recomputed when
//! its source crosses its threshold or one of its targets goes down. A
//! component rises at most three times, so propagation costs
//! O(components + edges + surge targets + failover targets x their targets
//! going down).
//!
//! Rounds also make causes well founded: a component raised in round r was
//! raised by something that had its status by round r-1, so following
//! causes always ends at a step, even around cycles (see [`super::causes`]).
//!
//! The same [`Propagator`] serves the engine (from scratch, with rounds),
//! recoveries (from given statuses) and `spof`/`cuts` (incremental queries
//! on the baseline, undone by [`Propagator::reset`]).

use std::sync::Arc;

use crate::engine::state::Conditions;
use crate::model::{ComponentIdx, FailoverIdx, GroupIdx, Rule, SurgeEffect, SurgeIdx, Topology};
use crate::number::Exact;
use crate::status::Status;

/// What a dependency entry yields given how many members are not down and
/// how many are ok or at risk.
pub(crate) fn group_result(rule: Rule, size: u32, not_down: u32, healthy: u32) -> Status {
    match rule {
        Rule::Hard => {
            if not_down == 0 {
                Status::Down
            } else if healthy == 0 {
                Status::Degraded
            } else {
                Status::Ok
            }
        }
        Rule::Soft => {
            if healthy == 0 {
                Status::Degraded
            } else {
                Status::Ok
            }
        }
        Rule::Quorum { k, .. } => {
            if not_down < k {
                Status::Down
            } else if healthy < k {
                Status::Degraded
            } else if healthy < size {
                Status::AtRisk
            } else {
                Status::Ok
            }
        }
    }
}

/// What a dependency entry yields given its members' statuses.
pub fn evaluate_group(topology: &Topology, group: GroupIdx, member_status: impl Fn(ComponentIdx) -> Status) -> Status {
    let members = topology.members_of(group);
    let mut not_down = 0;
    let mut healthy = 0;
    for m in members {
        let s = member_status(*m);
        not_down += u32::from(s != Status::Down);
        healthy += u32::from(s <= Status::AtRisk);
    }
    group_result(topology.group(group).rule, members.len() as u32, not_down, healthy)
}

/// The load surge `s` adds to `target` (SPEC 4.2).
pub(crate) fn surge_amount(topology: &Topology, cond: &impl Conditions, s: SurgeIdx, target: ComponentIdx) -> Exact {
    match &topology.surge(s).effect {
        SurgeEffect::Factor(f) => &(f - &Exact::ONE) * cond.base_load(target),
        SurgeEffect::Amount(a) => a.clone(),
    }
}

/// The load failover `f` moves onto each of its targets, aligned with
/// [`Topology::failover_targets`]: the source's base load in proportion to
/// capacity over the targets not down, each target's own share computed as
/// if it were serving (SPEC 4.2).
pub(crate) fn failover_shares(
    topology: &Topology,
    cond: &impl Conditions,
    f: FailoverIdx,
    status: impl Fn(ComponentIdx) -> Status,
) -> Vec<Exact> {
    let targets = topology.failover_targets(f);
    let base = cond.base_load(topology.failover(f).source);
    let serving = |t: &ComponentIdx| status(*t) != Status::Down;
    let serving_capacity: Exact = targets.iter().filter(|t| serving(t)).map(|t| cond.capacity(*t)).sum();
    let serving_count = targets.iter().filter(|t| serving(t)).count() as i64;
    targets
        .iter()
        .map(|t| {
            let own = cond.capacity(*t);
            let (others, others_count) = if serving(t) {
                (&serving_capacity - own, serving_count - 1)
            } else {
                (serving_capacity.clone(), serving_count)
            };
            let total = own + &others;
            if total.is_positive() {
                (base * own).checked_div(&total).unwrap_or_default()
            } else {
                base.checked_div(&Exact::from_int(1 + others_count)).unwrap_or_default()
            }
        })
        .collect()
}

/// The effective load of `target` with statuses `status` (SPEC 4.2): its
/// base load, the surges whose sources are at their threshold, and its
/// shares of the failovers whose sources are. What a propagation's loads
/// settle to, computed for one component.
pub(crate) fn effective_load(
    topology: &Topology,
    cond: &impl Conditions,
    target: ComponentIdx,
    status: impl Fn(ComponentIdx) -> Status,
) -> Exact {
    let mut load = cond.base_load(target).clone();
    // A target listed twice is listed twice here too, once per listing.
    for &s in topology.surges_into(target) {
        if status(topology.surge(s).source) >= topology.surge(s).when {
            load = &load + &surge_amount(topology, cond, s, target);
        }
    }
    let mut failovers = topology.failovers_into(target).to_vec();
    failovers.dedup();
    for f in failovers {
        if status(topology.failover(f).source) >= topology.failover(f).when {
            let shares = failover_shares(topology, cond, f, &status);
            for (&t, share) in topology.failover_targets(f).iter().zip(shares) {
                if t == target {
                    load = &load + &share;
                }
            }
        }
    }
    load
}

/// A change undone by [`Propagator::reset`].
#[derive(Debug, Clone)]
enum Undo {
    Status(ComponentIdx, Status),
    Counters(GroupIdx, u32, u32),
    Extra(ComponentIdx, Exact),
    Share(usize, Exact),
    Active(FailoverIdx),
}

/// Statuses, dependency counters and dynamics loads, raised to a fixpoint.
#[derive(Debug, Clone)]
pub struct Propagator<'t> {
    topology: &'t Topology,
    dynamics: bool,
    status: Vec<Status>,
    /// The level each component will reach at the end of this round.
    pending: Vec<Status>,
    not_down: Vec<u32>,
    healthy: Vec<u32>,
    /// Load that surges and failovers add, per component (empty without dynamics).
    extra: Vec<Exact>,
    /// Each failover's current share per target, aligned with the topology's failover targets.
    shares: Vec<Exact>,
    active: Vec<bool>,
    /// `reached[c][l - 1]`: the round in which `c` reached level `l`, when rounds are kept.
    reached: Option<Vec<[u32; 3]>>,
    round: u32,
    /// When queries are undone: everything changed since the last reset.
    journal: Option<Vec<Undo>>,
    /// When queries are undone: each component whose status changed since
    /// the last reset, once, with its status before, and a mark per
    /// component (a set without hashing, cleared by the reset).
    first_changes: Vec<(ComponentIdx, Status)>,
    changed_mark: Vec<bool>,
    /// Scratch for [`Propagator::changed_since`], all false between calls.
    since_mark: Vec<bool>,
    /// For many queries (see [`Propagator::compact_for_queries`]); shared
    /// by clones, since it is read-only.
    compact: Option<Arc<Compact>>,
    changes: Vec<(ComponentIdx, Status, Status)>,
    candidates: Vec<ComponentIdx>,
    dirty_loads: Vec<ComponentIdx>,
    dirty_failovers: Vec<FailoverIdx>,
}

pub const NEVER: u32 = u32::MAX;

/// The entries that list each component as a member, contiguous, with what
/// propagation reads of each: queries repeated thousands of times (`spof`)
/// spend their time walking these, and the graph's edge lists and the
/// full entry records are scattered in memory. Built once per overlay,
/// never for a single propagation.
#[derive(Debug)]
struct Compact {
    /// Component `c`'s entries are `entries[start[c]..start[c + 1]]`.
    start: Vec<u32>,
    entries: Vec<(GroupIdx, ComponentIdx, Rule, u32)>,
}

impl Compact {
    fn new(topology: &Topology) -> Self {
        let mut start = Vec::with_capacity(topology.components().len() + 1);
        let mut entries = Vec::with_capacity(topology.dependency_count());
        start.push(0);
        for c in topology.component_indices() {
            for g in topology.dependents_of(c) {
                let group = topology.group(g);
                entries.push((g, group.dependent, group.rule, group.size()));
            }
            start.push(entries.len() as u32);
        }
        Compact { start, entries }
    }
}

/// A point in a [`Propagator`]'s journal (see [`Propagator::mark`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Mark {
    journal: usize,
    first_changes: usize,
}

impl<'t> Propagator<'t> {
    /// `dynamics: false` holds loads fixed at the base loads (plus nothing);
    /// `rounds` keeps when each level was reached, for causes.
    pub fn new(topology: &'t Topology, dynamics: bool, rounds: bool) -> Self {
        let n = topology.components().len();
        let dynamics = dynamics && topology.has_dynamics();
        let sizes: Vec<u32> = topology.groups().iter().map(|g| g.size()).collect();
        Propagator {
            topology,
            dynamics,
            status: vec![Status::Ok; n],
            pending: vec![Status::Ok; n],
            healthy: sizes.clone(),
            not_down: sizes,
            extra: if dynamics { vec![Exact::ZERO; n] } else { Vec::new() },
            shares: if dynamics {
                vec![Exact::ZERO; topology.failovers().iter().map(|f| f.targets.len()).sum()]
            } else {
                Vec::new()
            },
            active: vec![false; if dynamics { topology.failovers().len() } else { 0 }],
            reached: rounds.then(|| vec![[NEVER; 3]; n]),
            round: 0,
            journal: None,
            first_changes: Vec::new(),
            changed_mark: Vec::new(),
            since_mark: Vec::new(),
            compact: None,
            changes: Vec::new(),
            candidates: Vec::new(),
            dirty_loads: Vec::new(),
            dirty_failovers: Vec::new(),
        }
    }

    /// Raises every component to its direct status (at least `floor`'s),
    /// then propagates to the fixpoint.
    pub fn start(&mut self, cond: &impl Conditions, floor: Option<&[Status]>) {
        for c in self.topology.component_indices() {
            let (direct, _) = cond.direct(c, cond.base_load(c));
            let level = floor.map_or(direct, |f| f[c.index()].max(direct));
            self.raise_pending(c, level);
        }
        self.apply_candidates();
        self.run(cond);
    }

    /// Like [`Propagator::start`] on a new propagator, but from `statuses`
    /// instead of from nothing: the least fixpoint of `cond` above them.
    /// Only what can rise is evaluated: the dependents and dynamics targets
    /// of the components `statuses` leaves above ok, and `candidates`, the
    /// components whose direct status under `cond` may lie above `statuses`
    /// at their base loads (the caller knows which). So it costs what is
    /// above ok, not the whole topology. Rounds (for causes) are not kept:
    /// the given statuses have none.
    pub fn start_above(&mut self, cond: &impl Conditions, statuses: &[Status], candidates: &[ComponentIdx]) {
        debug_assert!(self.reached.is_none(), "start_above on a propagator that keeps rounds");
        for (i, &s) in statuses.iter().enumerate() {
            if s > Status::Ok {
                self.status[i] = s;
                self.pending[i] = s;
                self.changes.push((ComponentIdx::new(i), Status::Ok, s));
            }
        }
        // Their effect on the counters and loads, as one round would apply it.
        self.take_in_changes(cond);
        for &c in candidates {
            self.raise_to_direct(cond, c);
        }
        if self.dynamics {
            self.settle_loads(cond);
        }
        self.run(cond);
    }

    /// From here on, every change is recorded so that [`Propagator::reset`] can undo it.
    pub fn keep_journal(&mut self) {
        self.journal = Some(Vec::new());
        self.changed_mark = vec![false; self.topology.components().len()];
        self.since_mark = vec![false; self.topology.components().len()];
    }

    /// Lays out the dependency entries for many queries (see `Compact`):
    /// worth its memory for an [`crate::engine::overlay::Overlay`], not for
    /// one propagation.
    pub fn compact_for_queries(&mut self) {
        self.compact = Some(Arc::new(Compact::new(self.topology)));
    }

    pub fn status(&self, c: ComponentIdx) -> Status {
        self.status[c.index()]
    }

    pub fn statuses(&self) -> &[Status] {
        &self.status
    }

    pub fn into_statuses(self) -> Vec<Status> {
        self.status
    }

    /// The statuses, and every component's effective load under `cond`.
    pub fn into_statuses_and_loads(self, cond: &impl Conditions) -> (Vec<Status>, Vec<Exact>) {
        let mut loads = self.extra;
        loads.resize(self.status.len(), Exact::ZERO);
        for (i, load) in loads.iter_mut().enumerate() {
            let base = cond.base_load(ComponentIdx::new(i));
            *load = if load.is_zero() { base.clone() } else { &*load + base };
        }
        (self.status, loads)
    }

    /// The load dynamics add to `c` now.
    pub fn extra_load(&self, c: ComponentIdx) -> Exact {
        self.extra.get(c.index()).cloned().unwrap_or_default()
    }

    /// The round in which `c` reached `level` (0 for ok), or [`NEVER`].
    pub fn reached(&self, c: ComponentIdx, level: Status) -> u32 {
        match (level, &self.reached) {
            (Status::Ok, _) => 0,
            (_, Some(reached)) => reached[c.index()][level.index() - 1],
            (_, None) => NEVER,
        }
    }

    /// The status `c` had at the end of `round`.
    pub fn status_at(&self, c: ComponentIdx, round: u32) -> Status {
        let Some(reached) = &self.reached else {
            return self.status[c.index()];
        };
        let levels = &reached[c.index()];
        (1..=3)
            .rev()
            .find(|l| levels[l - 1] <= round)
            .map_or(Status::Ok, |l| Status::ALL[l])
    }

    /// Whether the dependency entry `g` currently yields down.
    pub fn group_down(&self, g: GroupIdx) -> bool {
        let group = self.topology.group(g);
        group_result(
            group.rule,
            group.size(),
            self.not_down[g.index()],
            self.healthy[g.index()],
        ) == Status::Down
    }

    /// Raises `c` to at least `to` (a query's failure), to propagate with [`Propagator::run`].
    pub fn raise(&mut self, c: ComponentIdx, to: Status) {
        self.raise_pending(c, to);
    }

    fn raise_pending(&mut self, c: ComponentIdx, to: Status) {
        let i = c.index();
        if to > self.pending[i] {
            if self.pending[i] == self.status[i] {
                self.candidates.push(c);
            }
            self.pending[i] = to;
        }
    }

    /// Ends a round: what was raised takes its new status.
    fn apply_candidates(&mut self) {
        for d in std::mem::take(&mut self.candidates) {
            let i = d.index();
            let (old, new) = (self.status[i], self.pending[i]);
            if new > old {
                if let Some(journal) = &mut self.journal {
                    journal.push(Undo::Status(d, old));
                    if !self.changed_mark[i] {
                        self.changed_mark[i] = true;
                        self.first_changes.push((d, old));
                    }
                }
                self.status[i] = new;
                if let Some(reached) = &mut self.reached {
                    for level in old.index() + 1..=new.index() {
                        reached[i][level - 1] = self.round;
                    }
                }
                self.changes.push((d, old, new));
            }
        }
    }

    /// Propagates every change so far to the fixpoint.
    pub fn run(&mut self, cond: &impl Conditions) {
        self.apply_candidates();
        while !self.changes.is_empty() {
            self.take_in_changes(cond);
            if self.dynamics {
                self.settle_loads(cond);
            }
            self.round += 1;
            self.apply_candidates();
        }
    }

    /// What the round's status changes do to the entry counters and the
    /// dynamics loads, raising what they demand; the list is emptied.
    fn take_in_changes(&mut self, cond: &impl Conditions) {
        let changes = std::mem::take(&mut self.changes);
        for &(x, old, new) in &changes {
            self.dependencies(x, old, new);
            if self.dynamics {
                self.dynamics_of(cond, x, old, new);
            }
        }
        self.changes = changes;
        self.changes.clear();
    }

    /// Raises `c` to its direct status under `cond` with its effective load.
    fn raise_to_direct(&mut self, cond: &impl Conditions, c: ComponentIdx) {
        let base = cond.base_load(c);
        let (direct, _) = match self.extra.get(c.index()) {
            Some(extra) => cond.direct(c, &(base + extra)),
            None => cond.direct(c, base),
        };
        self.raise_pending(c, direct);
    }

    fn dependencies(&mut self, x: ComponentIdx, old: Status, new: Status) {
        // Only crossing into degraded or down changes what a member gives.
        if new <= Status::AtRisk {
            return;
        }
        let lost_down = old != Status::Down && new == Status::Down;
        let lost_healthy = old <= Status::AtRisk;
        let topology = self.topology;
        match self.compact.take() {
            Some(compact) => {
                let (start, end) = (compact.start[x.index()] as usize, compact.start[x.index() + 1] as usize);
                for &(g, dependent, rule, size) in &compact.entries[start..end] {
                    self.count(g, lost_down, lost_healthy);
                    let gi = g.index();
                    self.raise_pending(dependent, group_result(rule, size, self.not_down[gi], self.healthy[gi]));
                }
                self.compact = Some(compact);
            }
            None => {
                for g in topology.dependents_of(x) {
                    self.count(g, lost_down, lost_healthy);
                    let group = topology.group(g);
                    let gi = g.index();
                    let result = group_result(group.rule, group.size(), self.not_down[gi], self.healthy[gi]);
                    self.raise_pending(group.dependent, result);
                }
            }
        }
    }

    /// A member of `g` lost being not down and/or being healthy.
    fn count(&mut self, g: GroupIdx, lost_down: bool, lost_healthy: bool) {
        let gi = g.index();
        if let Some(journal) = &mut self.journal {
            journal.push(Undo::Counters(g, self.not_down[gi], self.healthy[gi]));
        }
        self.not_down[gi] -= u32::from(lost_down);
        self.healthy[gi] -= u32::from(lost_healthy);
    }

    /// Surges and failovers that `x` switches on, and failovers whose shares
    /// change because `x`, one of their targets, went down.
    fn dynamics_of(&mut self, cond: &impl Conditions, x: ComponentIdx, old: Status, new: Status) {
        let topology = self.topology;
        for s in topology.surges_of(x) {
            let when = topology.surge(s).when;
            if old < when && when <= new {
                for &t in topology.surge_targets(s) {
                    let amount = surge_amount(topology, cond, s, t);
                    self.add_extra(t, &amount);
                }
            }
        }
        if let Some(f) = topology.component(x).extras().failover {
            let when = topology.failover(f).when;
            if old < when && when <= new {
                if let Some(journal) = &mut self.journal {
                    journal.push(Undo::Active(f));
                }
                self.active[f.index()] = true;
                self.dirty_failovers.push(f);
            }
        }
        if new == Status::Down && old != Status::Down {
            for &f in topology.failovers_into(x) {
                if self.active[f.index()] {
                    self.dirty_failovers.push(f);
                }
            }
        }
    }

    fn add_extra(&mut self, t: ComponentIdx, amount: &Exact) {
        if amount.is_zero() {
            return;
        }
        let slot = &mut self.extra[t.index()];
        if let Some(journal) = &mut self.journal {
            journal.push(Undo::Extra(t, slot.clone()));
        }
        *slot = &*slot + amount;
        self.dirty_loads.push(t);
    }

    /// Recomputes the shares of the failovers that changed, then the direct
    /// status of every component whose load changed.
    fn settle_loads(&mut self, cond: &impl Conditions) {
        let topology = self.topology;
        let mut failovers = std::mem::take(&mut self.dirty_failovers);
        failovers.sort_unstable();
        failovers.dedup();
        for f in failovers {
            let shares = failover_shares(topology, cond, f, |c| self.status[c.index()]);
            let start = topology.failover(f).targets.start as usize;
            for (i, (share, &t)) in shares.into_iter().zip(topology.failover_targets(f)).enumerate() {
                let slot = start + i;
                if share == self.shares[slot] {
                    continue;
                }
                let delta = &share - &self.shares[slot];
                if let Some(journal) = &mut self.journal {
                    journal.push(Undo::Share(slot, self.shares[slot].clone()));
                }
                self.shares[slot] = share;
                self.add_extra(t, &delta);
            }
        }
        let mut loads = std::mem::take(&mut self.dirty_loads);
        loads.sort_unstable();
        loads.dedup();
        for &t in &loads {
            self.raise_to_direct(cond, t);
        }
        loads.clear();
        self.dirty_loads = loads;
    }

    /// After `cond` lowered the capacities of `changed` (a zone or region
    /// failure on top of the current statuses): since an active failover
    /// splits its load by its targets' current capacities, recomputes the
    /// shares of those that send load to them, then raises each to its
    /// direct status under `cond` with its new share, and propagates. A
    /// capacity loss only raises direct statuses (a target's share
    /// shrinks, but less than its capacity), so this reaches the fixpoint
    /// a full propagation would.
    pub fn recondition(&mut self, cond: &impl Conditions, changed: &[ComponentIdx]) {
        // Shares first: a target's direct status under its lower capacity
        // is that of its new, smaller share, never of the one it had.
        if self.dynamics {
            for &c in changed {
                let active: Vec<FailoverIdx> = self
                    .topology
                    .failovers_into(c)
                    .iter()
                    .copied()
                    .filter(|f| self.active[f.index()])
                    .collect();
                self.dirty_failovers.extend(active);
            }
            self.settle_loads(cond);
        }
        for &c in changed {
            self.raise_to_direct(cond, c);
        }
        self.run(cond);
    }

    /// Delete and rederive: the components of `region` (closed downstream:
    /// nothing outside it depends on anything in it) lose the statuses they
    /// had, then take the least fixpoint again from their direct statuses
    /// and from what lies outside the region, which keeps its statuses. For
    /// propagations whose loads are held fixed (no dynamics), after some
    /// direct statuses fell. Costs the region and its edges.
    pub fn rederive(&mut self, cond: &impl Conditions, region: &[ComponentIdx]) {
        let topology = self.topology;
        for &c in region {
            self.status[c.index()] = Status::Ok;
            self.pending[c.index()] = Status::Ok;
        }
        for &c in region {
            for g in topology.groups_of(c) {
                let members = topology.members_of(g);
                let gi = g.index();
                self.not_down[gi] = members
                    .iter()
                    .filter(|m| self.status[m.index()] != Status::Down)
                    .count() as u32;
                self.healthy[gi] = members
                    .iter()
                    .filter(|m| self.status[m.index()] <= Status::AtRisk)
                    .count() as u32;
                let group = topology.group(g);
                let result = group_result(group.rule, group.size(), self.not_down[gi], self.healthy[gi]);
                self.raise_pending(c, result);
            }
            let (direct, _) = cond.direct(c, cond.base_load(c));
            self.raise_pending(c, direct);
        }
        self.run(cond);
    }

    /// Back to the statuses at [`Propagator::keep_journal`], in time
    /// proportional to what changed since.
    pub fn reset(&mut self) {
        self.reset_to(Mark::default());
    }

    /// Where the journal stands now, to come back to with
    /// [`Propagator::reset_to`]: queries nest, each on top of the last.
    pub fn mark(&self) -> Mark {
        Mark {
            journal: self.journal.as_ref().map_or(0, Vec::len),
            first_changes: self.first_changes.len(),
        }
    }

    /// Back to the statuses at `mark`, in time proportional to what changed since.
    pub fn reset_to(&mut self, mark: Mark) {
        let Some(journal) = &mut self.journal else {
            return;
        };
        while journal.len() > mark.journal {
            let Some(undo) = journal.pop() else {
                break;
            };
            match undo {
                Undo::Status(c, old) => {
                    self.status[c.index()] = old;
                    self.pending[c.index()] = old;
                }
                Undo::Counters(g, not_down, healthy) => {
                    self.not_down[g.index()] = not_down;
                    self.healthy[g.index()] = healthy;
                }
                Undo::Extra(c, old) => self.extra[c.index()] = old,
                Undo::Share(slot, old) => self.shares[slot] = old,
                Undo::Active(f) => self.active[f.index()] = false,
            }
        }
        let kept = mark.first_changes.min(self.first_changes.len());
        for (c, _) in self.first_changes.drain(kept..) {
            self.changed_mark[c.index()] = false;
        }
        self.changes.clear();
        self.candidates.clear();
    }

    /// Components whose status changed since `mark`, each once, with the
    /// status it had at `mark`, in the order they first changed.
    pub fn changed_since(&mut self, mark: Mark) -> Vec<(ComponentIdx, Status)> {
        let Some(journal) = &self.journal else {
            return Vec::new();
        };
        // The first record of each component after the mark holds its
        // status at the mark; `since_mark` is a set without hashing.
        let mut out = Vec::new();
        for undo in journal.get(mark.journal..).unwrap_or_default() {
            if let Undo::Status(c, old) = undo
                && !self.since_mark[c.index()]
            {
                self.since_mark[c.index()] = true;
                out.push((*c, *old));
            }
        }
        for (c, _) in &out {
            self.since_mark[c.index()] = false;
        }
        out
    }

    /// Components whose status the current query changed (since the last
    /// reset), each once, with the status it had before.
    pub fn changed(&self) -> &[(ComponentIdx, Status)] {
        &self.first_changes
    }
}
