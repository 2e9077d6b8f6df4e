//! A naive, independent reading of SPEC.md sections 3 (Time), 4.1
//! (statuses, propagation, policy), 4.2 (load dynamics) and 4.4 (recovery).
//!
//! It shares only the trusted layers with the product: the frozen model
//! (parsing, placements, resolved surge and failover targets) and the
//! resolved plan (selector matches). Everything else is written again from
//! the SPEC text, as literally and slowly as possible: exact rationals
//! (`BigRational`), and every fixpoint is reached by full passes over every
//! component, recomputing every effective load from the current statuses on
//! every pass, until nothing changes.
//!
//! Where the SPEC does not decide something the oracle says so instead of
//! guessing: [`Expected::undecided`] for a whole case, [`Rec::after`] = `None`
//! for one duration, several [`Rec::kinds`] when the cause chain would have to
//! choose between roots of different kinds.
#![allow(dead_code)] // each property uses its own part

pub mod r#gen;

use std::collections::BTreeSet;
use std::time::Duration;

use blast_radius::Status;
use blast_radius::model::{ComponentIdx, GroupIdx, Rule, SurgeEffect, Topology, ZoneIdx};
use blast_radius::number::Exact;
use blast_radius::plan::{Action, Amount, LoadChange, Plan};
use num_rational::BigRational;
use num_traits::Zero;

pub type Q = BigRational;

fn q(e: &Exact) -> Q {
    e.to_rational()
}

fn int(n: i64) -> Q {
    Q::from_integer(n.into())
}

/// How a component recovers after a rollback (SPEC 4.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Rollback,
    Restart,
    Restore,
    SelfSustaining,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Rollback => "rollback",
            Kind::Restart => "restart",
            Kind::Restore => "restore",
            Kind::SelfSustaining => "self_sustaining",
        }
    }
}

/// What the SPEC says about one component's recovery.
#[derive(Debug, Clone)]
pub struct Rec {
    /// R: its status after a rollback.
    pub status_after_rollback: Status,
    /// The kinds the SPEC allows: one, unless its cause chain in G would
    /// have to choose between restart and restore roots (section 4.3 decides
    /// that, which this oracle does not implement).
    pub kinds: BTreeSet<Kind>,
    /// `Some(d)`: the duration the SPEC defines; `None`: the SPEC leaves it open.
    pub after: Option<Option<Duration>>,
    /// When `after` is open: the longest chain over every root it depends on (for reports).
    pub after_guess: Option<Duration>,
    /// The restart/restore components its status in G depends on.
    pub roots: Vec<ComponentIdx>,
    /// It is kept itself, and its own kept status is its status in G.
    pub own_root: bool,
}

pub type Violation = (&'static str, Option<ComponentIdx>, usize);

#[derive(Debug, Clone)]
pub struct Expected {
    /// Statuses after each step.
    pub per_step: Vec<Vec<Status>>,
    /// W: the worst status of each component over the steps.
    pub worst: Vec<Status>,
    pub violations: BTreeSet<Violation>,
    /// The declared system's least fixpoint (no operation).
    pub baseline: Vec<Status>,
    /// G's least fixpoint (what the restart and restore components alone explain).
    pub g: Vec<Status>,
    pub recovery: Vec<Rec>,
    /// Why the SPEC does not decide this case, if it does not.
    pub undecided: Option<String>,
}

/// A component's state during the plan (SPEC section 3).
#[derive(Debug, Clone)]
struct Live {
    /// Capacity per placement, now.
    zone_capacity: Vec<Q>,
    zone_lost: Vec<bool>,
    failed: bool,
    /// While restarting: how much waiting is left (zero: "back after the next wait of any length").
    restart_left: Option<Duration>,
    /// Fell below `min_capacity`.
    needs_restart: bool,
    lost_state: bool,
    data_deleted: bool,
    base_load: Q,
}

impl Live {
    fn capacity(&self) -> Q {
        self.zone_capacity.iter().fold(Q::zero(), |a, b| a + b)
    }
}

/// Everything but load that decides direct statuses: one moment of the plan, or G.
#[derive(Debug, Clone)]
struct World {
    capacity: Vec<Q>,
    base_load: Vec<Q>,
    /// The direct status from failures, restarts, lost state or data and lost zones.
    flag: Vec<Status>,
}

pub struct Oracle<'t> {
    t: &'t Topology,
    n: usize,
    /// Declared (starting) capacity and load.
    capacity0: Vec<Q>,
    load0: Vec<Q>,
    min: Vec<Option<Q>>,
    max: Vec<Option<Q>>,
    collapse: Vec<Option<Q>>,
}

impl<'t> Oracle<'t> {
    pub fn new(t: &'t Topology) -> Self {
        let comps = t.components();
        Oracle {
            t,
            n: comps.len(),
            capacity0: comps.iter().map(|c| q(&c.capacity)).collect(),
            load0: comps.iter().map(|c| q(&c.load)).collect(),
            min: comps.iter().map(|c| c.extras().min_capacity.as_ref().map(q)).collect(),
            max: comps.iter().map(|c| c.extras().max_capacity.as_ref().map(q)).collect(),
            collapse: comps.iter().map(|c| c.extras().collapse_at.as_ref().map(q)).collect(),
        }
    }

    fn indices(&self) -> Vec<ComponentIdx> {
        self.t.component_indices().collect()
    }

    // -----------------------------------------------------------------------
    // SPEC 4.1: direct status

    /// "Direct status of a component after the steps so far (the worst that applies)".
    fn direct(&self, w: &World, c: usize, load: &Q) -> Status {
        let capacity = &w.capacity[c];
        let mut s = w.flag[c];
        // "failed, restarting, needing a restart (fell below min_capacity)": in `flag`.
        // "capacity 0, capacity above max_capacity, or effective load/capacity >= collapse_at: down"
        if capacity.is_zero()
            || self.max[c].as_ref().is_some_and(|m| capacity > m)
            || self.collapse[c].as_ref().is_some_and(|k| &(load / capacity) >= k)
        {
            s = s.max(Status::Down);
        }
        // "effective load > capacity (overloaded) ...: degraded" (lost state / deleted data: in `flag`)
        if load > capacity {
            s = s.max(Status::Degraded);
        }
        // "any capacity lost, any zone lost (in `flag`), or effective load above its declared load: at_risk"
        if capacity < &self.capacity0[c] || load > &self.load0[c] {
            s = s.max(Status::AtRisk);
        }
        s
    }

    // -----------------------------------------------------------------------
    // SPEC 4.2: effective loads

    /// "its effective load is the base load plus every surge and failover that currently reaches it".
    fn loads(&self, w: &World, s: &[Status]) -> Vec<Q> {
        let t = self.t;
        let mut load = w.base_load.clone();
        for surge in t.surges() {
            // "while S's status is at or above `when`"
            if s[surge.source.index()] < surge.when {
                continue;
            }
            for target in self.surge_targets(surge) {
                let i = target.index();
                // "the load of every target match rises by amount, or by (factor - 1) x that target's base load"
                let extra = match &surge.effect {
                    SurgeEffect::Amount(a) => q(a),
                    SurgeEffect::Factor(f) => (q(f) - int(1)) * &w.base_load[i],
                };
                load[i] = &load[i] + extra;
            }
        }
        for f in t.failovers() {
            let source = f.source.index();
            // "while F's status is at or above `when`"
            if s[source] < f.when {
                continue;
            }
            // "the `to` matches (F itself excluded)"
            let targets: Vec<usize> = self
                .failover_targets(f.source)
                .into_iter()
                .map(|c| c.index())
                .filter(|&c| c != source)
                .collect();
            for &target in &targets {
                // "each target's own share is computed as if it were serving (over the matches not down, plus itself)"
                let over: Vec<usize> = targets
                    .iter()
                    .copied()
                    .filter(|&m| m == target || s[m] != Status::Down)
                    .collect();
                let total = over.iter().fold(Q::zero(), |a, &m| a + &w.capacity[m]);
                // "split in proportion to their current capacity (evenly where all are 0)"
                let share = if total.is_zero() {
                    &w.base_load[source] / int(over.len() as i64)
                } else {
                    &w.base_load[source] * &w.capacity[target] / total
                };
                // "F's base load is added to the `to` matches"
                load[target] = &load[target] + share;
            }
        }
        load
    }

    fn surge_targets(&self, surge: &blast_radius::model::Surge) -> Vec<ComponentIdx> {
        let t = self.t;
        let s = t
            .surges_of(surge.source)
            .find(|s| std::ptr::eq(t.surge(*s), surge))
            .expect("the surge is its source's");
        t.surge_targets(s).to_vec()
    }

    fn failover_targets(&self, source: ComponentIdx) -> Vec<ComponentIdx> {
        let f = self.t.component(source).extras().failover.expect("a failover");
        self.t.failover_targets(f).to_vec()
    }

    // -----------------------------------------------------------------------
    // SPEC 4.1: propagation

    /// What one dependency entry of D yields, from its members' statuses.
    fn group(&self, g: GroupIdx, s: &[Status]) -> Status {
        let members: Vec<Status> = self.t.members_of(g).iter().map(|m| s[m.index()]).collect();
        match self.t.group(g).rule {
            // "hard: X down -> D down; X degraded -> D degraded" ("at_risk never travels along an edge by itself")
            Rule::Hard => members
                .iter()
                .map(|&x| if x == Status::AtRisk { Status::Ok } else { x })
                .max()
                .unwrap_or(Status::Ok),
            // "soft: X degraded or down -> D degraded"
            Rule::Soft => {
                if members.iter().any(|&x| x >= Status::Degraded) {
                    Status::Degraded
                } else {
                    Status::Ok
                }
            }
            // "quorum K of n (any_of is K = 1)"
            Rule::Quorum { k, .. } => {
                let k = k as usize;
                let not_down = members.iter().filter(|&&x| x != Status::Down).count();
                let serving = members.iter().filter(|&&x| x <= Status::AtRisk).count();
                if not_down < k {
                    // "fewer than K members not down -> D down"
                    Status::Down
                } else if serving < k {
                    // "fewer than K members ok or at_risk -> D degraded"
                    Status::Degraded
                } else if members.iter().any(|&x| x >= Status::Degraded) {
                    // "otherwise any member degraded or down -> D at_risk (it lost redundancy)"
                    Status::AtRisk
                } else {
                    Status::Ok
                }
            }
        }
    }

    /// "D's status is the worst of its direct status and every dependency's result",
    /// with effective loads from the statuses `s` (or held at `fixed`).
    fn value(&self, w: &World, c: usize, loads: &[Q], s: &[Status]) -> Status {
        let mut v = self.direct(w, c, &loads[c]);
        for g in self.t.groups_of(idx_of(self.t, c)) {
            v = v.max(self.group(g, s));
        }
        v
    }

    /// The least fixpoint at or above `start` ("Statuses only rise, so the
    /// result is the least fixpoint"): full passes until nothing changes,
    /// every effective load recomputed from the current statuses on each
    /// pass, unless `fixed` holds them.
    fn fixpoint(&self, w: &World, start: Vec<Status>, fixed: Option<&[Q]>) -> Vec<Status> {
        let mut s = start;
        for _ in 0..=4 * self.n + 4 {
            let loads = match fixed {
                Some(l) => l.to_vec(),
                None => self.loads(w, &s),
            };
            let mut changed = false;
            for c in 0..self.n {
                let v = s[c].max(self.value(w, c, &loads, &s));
                if v != s[c] {
                    s[c] = v;
                    changed = true;
                }
            }
            if !changed {
                return s;
            }
        }
        panic!("oracle: no fixpoint after every component rose three times");
    }

    fn declared(&self) -> World {
        World {
            capacity: self.capacity0.clone(),
            base_load: self.load0.clone(),
            flag: vec![Status::Ok; self.n],
        }
    }

    // -----------------------------------------------------------------------
    // SPEC section 3 and 4.1: the plan, step by step

    pub fn expect(&self, plan: &Plan) -> Expected {
        let t = self.t;
        let all = self.indices();
        let mut live: Vec<Live> = all
            .iter()
            .map(|&c| Live {
                zone_capacity: t.placements_of(c).iter().map(|p| q(&p.capacity)).collect(),
                zone_lost: vec![false; t.placements_of(c).len()],
                failed: false,
                restart_left: None,
                needs_restart: false,
                lost_state: false,
                data_deleted: false,
                base_load: q(&t.component(c).load),
            })
            .collect();
        let mut violations = BTreeSet::new();
        let mut undecided = None;
        let mut per_step = Vec::new();
        let mut worst = vec![Status::Ok; self.n];
        let approved = |c: ComponentIdx| plan.approvals.contains(&c);
        for (i, step) in plan.steps.iter().enumerate() {
            let number = i + 1;
            let matched: Vec<usize> = step.matched.iter().map(|c| c.index()).collect();
            // Components whose capacity the step changes (for below/over limits).
            let mut resized: Vec<usize> = Vec::new();
            // "a step touches a requires_approval component (as target, from/to,
            // store, or an owner that loses its state) without approval"
            let mut touched: Vec<usize> = Vec::new();
            // "for fail_zone/fail_region the components placed there whatever they hold there now"
            let mut scope = matched.len();
            match &step.action {
                Action::RemoveCapacity(amount) => {
                    touched.extend(&matched);
                    for &c in &matched {
                        let before = live[c].capacity();
                        // "`percent` is of the capacity just before the step"
                        let asked = match amount {
                            Amount::Count(n) => q(n),
                            Amount::Percent(p) => &before * q(p) / int(100),
                        };
                        // "a removal asks for more than the component has (`over_removal`)"
                        if asked > before {
                            violations.insert(("over_removal", Some(idx_of(t, c)), number));
                        }
                        // "one removal asks for more than guard.max_step_percent of the capacity before it";
                        // "step_too_large compares what the removal asks for, before it is cut"
                        if let Some(p) = &t.component(idx_of(t, c)).extras().guard.max_step_percent
                            && asked > &before * q(p) / int(100)
                        {
                            violations.insert(("step_too_large", Some(idx_of(t, c)), number));
                        }
                        let removed = if asked > before { before.clone() } else { asked };
                        // "taken from its live zones in proportion to what each holds"
                        if !before.is_zero() {
                            let l = &mut live[c];
                            for z in 0..l.zone_capacity.len() {
                                let share = &l.zone_capacity[z] * &removed / &before;
                                l.zone_capacity[z] = &l.zone_capacity[z] - share;
                            }
                        }
                        resized.push(c);
                    }
                }
                Action::AddCapacity(amount) => {
                    touched.extend(&matched);
                    for &c in &matched {
                        let before = live[c].capacity();
                        let added = match amount {
                            Amount::Count(n) => q(n),
                            Amount::Percent(p) => &before * q(p) / int(100),
                        };
                        // The SPEC does not say where added capacity goes; the README's
                        // documented choice: "additions go to live zones in proportion
                        // to their starting share".
                        let starting: Vec<Q> = t.placements_of(idx_of(t, c)).iter().map(|p| q(&p.capacity)).collect();
                        let l = &mut live[c];
                        let live_share = (0..starting.len())
                            .filter(|&z| !l.zone_lost[z])
                            .fold(Q::zero(), |a, z| a + &starting[z]);
                        if live_share.is_zero() {
                            if !added.is_zero() {
                                undecided.get_or_insert(format!(
                                    "step {number} adds capacity to `{}`, which has no live zone with a starting share",
                                    t.component(idx_of(t, c)).id
                                ));
                            }
                        } else {
                            for (z, start) in starting.iter().enumerate() {
                                if !l.zone_lost[z] {
                                    let share = &added * start / &live_share;
                                    l.zone_capacity[z] = &l.zone_capacity[z] + share;
                                }
                            }
                        }
                        resized.push(c);
                    }
                }
                // "fail: down"
                Action::Fail => {
                    touched.extend(&matched);
                    matched.iter().for_each(|&c| live[c].failed = true);
                }
                // "restart: down until its restart_time has passed"; "A second
                // restart of a restarting component starts its clock again"
                Action::Restart => {
                    touched.extend(&matched);
                    for &c in &matched {
                        let rt = t
                            .component(idx_of(t, c))
                            .extras()
                            .restart_time
                            .unwrap_or(Duration::ZERO);
                        live[c].restart_left = Some(rt);
                    }
                }
                // "every component loses the share of capacity it holds there now"
                Action::FailZone(zone) => {
                    scope = self.fail_zones(&mut live, &[*zone], &mut resized);
                }
                Action::FailRegion(region) => {
                    let zones = t.region(*region).zones.clone();
                    scope = self.fail_zones(&mut live, &zones, &mut resized);
                }
                // "add_load: load multiplied or raised"
                Action::AddLoad(change) => {
                    touched.extend(&matched);
                    for &c in &matched {
                        let l = &mut live[c];
                        l.base_load = match change {
                            LoadChange::Factor(f) => &l.base_load * q(f),
                            LoadChange::Amount(a) => &l.base_load + q(a),
                        };
                    }
                }
                // "that share of every from match's load moves, all at once, split evenly over the to matches"
                Action::ShiftLoad { to, percent } => {
                    touched.extend(&matched);
                    touched.extend(to.iter().map(|c| c.index()));
                    let moved: Vec<(usize, Q)> = matched
                        .iter()
                        .map(|&c| (c, &live[c].base_load * q(percent) / int(100)))
                        .collect();
                    for (c, m) in &moved {
                        live[*c].base_load = &live[*c].base_load - m;
                    }
                    for (_, m) in &moved {
                        let each = m / int(to.len() as i64);
                        for d in to {
                            live[d.index()].base_load = &live[d.index()].base_load + &each;
                        }
                    }
                }
                // "store degraded; owners whose state is that store lose their configuration"
                Action::DeleteData { owners } => {
                    touched.extend(&matched);
                    touched.extend(owners.iter().map(|c| c.index()));
                    matched.iter().for_each(|&c| live[c].data_deleted = true);
                    owners.iter().for_each(|c| live[c.index()].lost_state = true);
                }
                // "A restarting component is down from its restart step until waits
                // adding up to its restart_time have passed ... Without a restart_time
                // (or with 0s) it is back after the next wait of any length."
                Action::Wait(d) => {
                    for (c, l) in live.iter_mut().enumerate() {
                        if let Some(left) = l.restart_left {
                            let left = left.saturating_sub(*d);
                            if left.is_zero() {
                                l.restart_left = None;
                                // "until a restart of it completes (if it is still below
                                // min_capacity then, it needs another)"
                                l.needs_restart = self.min[c].as_ref().is_some_and(|m| &l.capacity() < m);
                            } else {
                                l.restart_left = Some(left);
                            }
                        }
                    }
                }
            }
            // "a step leaves a component below min_capacity (below_min_capacity)
            // or above max_capacity (over_max_capacity)"
            for &c in &resized {
                let capacity = live[c].capacity();
                if self.min[c].as_ref().is_some_and(|m| &capacity < m) {
                    violations.insert(("below_min_capacity", Some(idx_of(t, c)), number));
                }
                if self.max[c].as_ref().is_some_and(|m| &capacity > m) {
                    violations.insert(("over_max_capacity", Some(idx_of(t, c)), number));
                }
            }
            touched.sort_unstable();
            touched.dedup();
            for &c in &touched {
                let ci = idx_of(t, c);
                if t.component(ci).extras().guard.requires_approval && !approved(ci) {
                    violations.insert(("requires_approval", Some(ci), number));
                }
            }
            // "a selector matches a different number of components than expect_matches"
            if let Some(e) = step.expect_matches
                && scope as u64 != e
            {
                violations.insert(("unexpected_scope", None, number));
            }
            // "A component that falls below its min_capacity cannot serve and needs a full restart"
            for (c, l) in live.iter_mut().enumerate() {
                if self.min[c].as_ref().is_some_and(|m| &l.capacity() < m) {
                    l.needs_restart = true;
                }
            }
            // "Status is evaluated after every step"
            let w = self.world(&live);
            let s = self.fixpoint(&w, vec![Status::Ok; self.n], None);
            for c in 0..self.n {
                worst[c] = worst[c].max(s[c]);
            }
            per_step.push(s);
        }
        let (baseline, g, recovery) = self.recover(&live, &worst);
        Expected {
            per_step,
            worst,
            violations,
            baseline,
            g,
            recovery,
            undecided,
        }
    }

    /// Zones fail: every component placed there loses what it holds there now.
    /// Returns how many components are placed there.
    fn fail_zones(&self, live: &mut [Live], zones: &[ZoneIdx], resized: &mut Vec<usize>) -> usize {
        let mut placed = 0;
        for c in self.indices() {
            let placements = self.t.placements_of(c);
            let mut hit = false;
            for (z, p) in placements.iter().enumerate() {
                if p.zone.is_some_and(|zone| zones.contains(&zone)) {
                    let l = &mut live[c.index()];
                    l.zone_capacity[z] = Q::zero();
                    l.zone_lost[z] = true;
                    hit = true;
                }
            }
            if hit {
                placed += 1;
                resized.push(c.index());
            }
        }
        placed
    }

    fn world(&self, live: &[Live]) -> World {
        World {
            capacity: live.iter().map(Live::capacity).collect(),
            base_load: live.iter().map(|l| l.base_load.clone()).collect(),
            flag: live
                .iter()
                .map(|l| {
                    if l.failed || l.restart_left.is_some() || l.needs_restart {
                        Status::Down
                    } else if l.lost_state || l.data_deleted {
                        Status::Degraded
                    } else if l.zone_lost.iter().any(|&x| x) {
                        Status::AtRisk
                    } else {
                        Status::Ok
                    }
                })
                .collect(),
        }
    }

    // -----------------------------------------------------------------------
    // SPEC 4.4: recovery

    fn recover(&self, live: &[Live], worst: &[Status]) -> (Vec<Status>, Vec<Status>, Vec<Rec>) {
        let t = self.t;
        let n = self.n;
        let bottom = vec![Status::Ok; n];
        let declared = self.declared();
        let baseline = self.fixpoint(&declared, bottom.clone(), None);
        // "G the rolled-back system (declared capacities and loads, no failures, no shifts)
        // in which the components that are restarting or need a restart when the plan ends,
        // and those that lost their state or data, keep that direct status"
        let restart_root: Vec<bool> = live
            .iter()
            .map(|l| l.restart_left.is_some() || l.needs_restart)
            .collect();
        let restore_root: Vec<bool> = live.iter().map(|l| l.lost_state || l.data_deleted).collect();
        let own: Vec<Status> = (0..n)
            .map(|c| {
                if restart_root[c] {
                    Status::Down
                } else if restore_root[c] {
                    Status::Degraded
                } else {
                    Status::Ok
                }
            })
            .collect();
        let g_world = World {
            flag: own.clone(),
            ..declared.clone()
        };
        // "G's least fixpoint (what the restart and restore components alone explain)"
        let g = self.fixpoint(&g_world, bottom.clone(), None);
        // "Close W upward under G (the least fixpoint of G above W), take l0 = L of that"
        let closed = self.fixpoint(&g_world, worst.to_vec(), None);
        let mut l = self.loads(&g_world, &closed);
        // "iterate l <- L(S(l)): loads only fall, and the iteration ends at the greatest fixpoint l*"
        let mut r = None;
        for _ in 0..=4 * n + 4 {
            let s = self.fixpoint(&g_world, bottom.clone(), Some(&l));
            let next = self.loads(&g_world, &s);
            assert!(
                next.iter().zip(&l).all(|(a, b)| a <= b),
                "oracle: loads rose in the rollback iteration"
            );
            if next == l {
                r = Some(s);
                break;
            }
            l = next;
        }
        // "The state after a rollback is R = S(l*)"
        let r = r.expect("oracle: the rollback iteration did not end");
        for c in 0..n {
            assert!(r[c] >= g[c], "oracle: R below G's least fixpoint");
        }

        // Which components each component's status in G depends on: an input u of v
        // counts when u's status in G alone (everything else at baseline) raises v
        // above its baseline, or when putting u back to baseline lowers v.
        let lifted = |s: &[Status], v: usize| {
            let loads = self.loads(&declared, s);
            self.value(&declared, v, &loads, s)
        };
        let raised: Vec<bool> = (0..n).map(|c| g[c] > baseline[c]).collect();
        let mut relevant = vec![vec![false; n]; n]; // relevant[u][v]
        for u in (0..n).filter(|&u| raised[u]) {
            let mut alone = baseline.clone();
            alone[u] = g[u];
            let mut without = g.clone();
            without[u] = baseline[u];
            for v in (0..n).filter(|&v| v != u && raised[v]) {
                relevant[u][v] = lifted(&alone, v) > baseline[v] || lifted(&without, v) < lifted(&g, v);
            }
        }
        let is_root = |c: usize| own[c] > baseline[c];
        let roots_of = |c: usize| -> Vec<usize> {
            let mut seen = vec![false; n];
            let mut stack = vec![c];
            seen[c] = true;
            while let Some(v) = stack.pop() {
                for u in 0..n {
                    if relevant[u][v] && !seen[u] {
                        seen[u] = true;
                        stack.push(u);
                    }
                }
            }
            (0..n).filter(|&k| seen[k] && is_root(k)).collect()
        };
        // Durations: "a component still restarting recovers after what is left of its
        // restart_time when the plan ends, one that needs a restart after its full
        // restart_time (0s or none: unknown); a restore component after its store's restore_time"
        let restart_after = |c: usize| -> Option<Duration> {
            let rt = t
                .component(idx_of(t, c))
                .extras()
                .restart_time
                .filter(|d| !d.is_zero())?;
            Some(live[c].restart_left.unwrap_or(rt))
        };
        let restore_after = |c: usize| -> Option<Duration> {
            let mut longest = Some(Duration::ZERO);
            let component = t.component(idx_of(t, c));
            if live[c].data_deleted {
                longest = longest_of(longest, component.extras().restore_time);
            }
            if live[c].lost_state {
                let store = component.state.expect("an owner that lost its state has one");
                longest = longest_of(longest, t.component(store).extras().restore_time);
            }
            longest
        };
        let root_after = |c: usize| {
            if restart_root[c] {
                let a = restart_after(c);
                if restore_root[c] {
                    longest_of(a, restore_after(c))
                } else {
                    a
                }
            } else {
                restore_after(c)
            }
        };
        let root_kind = |c: usize| if restart_root[c] { Kind::Restart } else { Kind::Restore };
        // G with only root k kept: which components k alone raises, and how far.
        let alone: Vec<Option<Vec<Status>>> = (0..n)
            .map(|k| {
                is_root(k).then(|| {
                    let mut flag = vec![Status::Ok; n];
                    flag[k] = own[k];
                    let w = World {
                        flag,
                        ..declared.clone()
                    };
                    self.fixpoint(&w, bottom.clone(), None)
                })
            })
            .collect();
        let mut recs = Vec::with_capacity(n);
        for c in 0..n {
            let mut rec = Rec {
                status_after_rollback: r[c],
                kinds: BTreeSet::new(),
                after: None,
                after_guess: None,
                roots: Vec::new(),
                own_root: false,
            };
            if r[c] > g[c] {
                // "A component is self_sustaining when its status in R is above its status
                // in G's least fixpoint"; "self_sustaining has no bound"
                rec.kinds.insert(Kind::SelfSustaining);
                rec.after = Some(None);
            } else if r[c] == baseline[c] {
                // "or rollback when R leaves it at its baseline status"
                rec.kinds.insert(Kind::Rollback);
                rec.after = Some(Some(Duration::ZERO));
            } else {
                // "otherwise its recovery kind is that of the restart/restore component its
                // cause chain in G leads to"
                let roots = roots_of(c);
                let others: Vec<usize> = roots.iter().copied().filter(|&k| k != c).collect();
                if is_root(c) && own[c] >= g[c] {
                    // Its own kept status explains its status in G: the chain starts at itself.
                    rec.kinds.insert(root_kind(c));
                    rec.own_root = true;
                } else {
                    // The chain ends at a root that raises it to its status in G; when
                    // some roots do so alone, it is one of them (section 4.3 picks which).
                    // Itself among them: its own kept status can raise it further
                    // through its own load dynamics (retries after it lost its state).
                    let explaining: Vec<usize> = roots
                        .iter()
                        .copied()
                        .filter(|&k| alone[k].as_ref().is_some_and(|a| a[c] >= g[c]))
                        .collect();
                    let candidates = if explaining.is_empty() { &others } else { &explaining };
                    rec.kinds.extend(candidates.iter().map(|&k| root_kind(k)));
                }
                if rec.kinds.is_empty() {
                    rec.kinds.extend([Kind::Restart, Kind::Restore]);
                }
                let longest = roots
                    .iter()
                    .try_fold(Duration::ZERO, |a, &k| longest_of(Some(a), root_after(k)));
                rec.after_guess = longest;
                let double = roots.iter().any(|&k| restart_root[k] && restore_root[k]);
                if is_root(c) {
                    // Its own duration, when nothing else holds it (with other roots
                    // upstream, or both a restart and a restore of its own, the SPEC
                    // does not say whether the durations add up to the longest).
                    if others.is_empty() && !double {
                        rec.after = Some(root_after(c));
                    }
                } else if !double && !roots.is_empty() {
                    // "a component whose status in G is caused by others recovers when the
                    // last of them does (the longest such chain)"
                    rec.after = Some(longest);
                }
                rec.roots = roots.iter().map(|&k| idx_of(t, k)).collect();
            }
            recs.push(rec);
        }
        (baseline, g, recs)
    }
}

/// The later of two recoveries; `None` (unknown) is later than any.
fn longest_of(a: Option<Duration>, b: Option<Duration>) -> Option<Duration> {
    Some(a?.max(b?))
}

fn idx_of(t: &Topology, i: usize) -> ComponentIdx {
    t.component_indices().nth(i).expect("a component index")
}

/// The oracle's reading of `plan` on `t`.
pub fn expect(t: &Topology, plan: &Plan) -> Expected {
    Oracle::new(t).expect(plan)
}
