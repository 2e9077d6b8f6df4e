//! Applying a plan on paper and propagating its effect (SPEC section 4).
//!
//! After every step, each component's *direct* status comes from its own
//! state (capacity, load, flags); then statuses travel over dependency edges
//! until nothing changes. Propagation runs in rounds, like a breadth-first
//! search: round 0 holds the direct statuses, and round r+1 raises every
//! component whose dependency entries, evaluated on the statuses at the end of
//! round r, demand more. Each entry keeps two counters (members not down,
//! members ok or at risk) updated in O(1) per member change, and a component
//! rises at most three times, so a step costs O(components + edges).
//!
//! Rounds also make causes well founded: a component raised in round r was
//! raised by a member that had its status by round r-1, so following causes
//! always ends at a step, even around cycles.

pub mod overlay;

use std::collections::HashMap;

use crate::model::{ComponentIdx, GroupIdx, Rule, Topology};
use crate::plan::{Action, Amount, LoadChange, Plan, Step};
use crate::status::Status;
use crate::text::fmt_num;

/// Why a component has its direct status. Numbers are those at the time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Reason {
    Failed,
    Restarting,
    NoCapacity,
    BelowMinCapacity {
        capacity: f64,
        min: f64,
    },
    OverMaxCapacity {
        capacity: f64,
        max: f64,
    },
    Collapsed {
        load: f64,
        capacity: f64,
        collapse_at: f64,
    },
    Overloaded {
        load: f64,
        capacity: f64,
    },
    LostState {
        store: ComponentIdx,
    },
    DataDeleted,
    LostCapacity {
        capacity: f64,
        initial: f64,
    },
    LostZone,
    LoadRaised {
        load: f64,
        initial: f64,
    },
    /// Capacity or load arithmetic left the finite numbers; assume the worst.
    Overflow,
}

impl Reason {
    /// A stable snake_case name, used in JSON.
    pub fn code(&self) -> &'static str {
        match self {
            Reason::Failed => "failed",
            Reason::Restarting => "restarting",
            Reason::NoCapacity => "no_capacity",
            Reason::BelowMinCapacity { .. } => "below_min_capacity",
            Reason::OverMaxCapacity { .. } => "over_max_capacity",
            Reason::Collapsed { .. } => "collapsed",
            Reason::Overloaded { .. } => "overloaded",
            Reason::LostState { .. } => "lost_state",
            Reason::DataDeleted => "data_deleted",
            Reason::LostCapacity { .. } => "lost_capacity",
            Reason::LostZone => "lost_zone",
            Reason::LoadRaised { .. } => "load_raised",
            Reason::Overflow => "overflow",
        }
    }

    pub fn describe(&self, topology: &Topology) -> String {
        match *self {
            Reason::Failed => "failed".to_string(),
            Reason::Restarting => "restarting".to_string(),
            Reason::NoCapacity => "no capacity left".to_string(),
            Reason::BelowMinCapacity { capacity, min } => {
                format!("below minimum capacity {} < {}", fmt_num(capacity), fmt_num(min))
            }
            Reason::OverMaxCapacity { capacity, max } => {
                format!("above maximum capacity {} > {}", fmt_num(capacity), fmt_num(max))
            }
            Reason::Collapsed {
                load,
                capacity,
                collapse_at,
            } => format!(
                "collapsed under load {} on capacity {} (ratio {} >= collapse_at {})",
                fmt_num(load),
                fmt_num(capacity),
                fmt_num(load / capacity),
                fmt_num(collapse_at)
            ),
            Reason::Overloaded { load, capacity } => {
                format!("overloaded: load {} > capacity {}", fmt_num(load), fmt_num(capacity))
            }
            Reason::LostState { store } => {
                format!("lost its configuration in `{}`", topology.component(store).id)
            }
            Reason::DataDeleted => "its data was deleted".to_string(),
            Reason::LostCapacity { capacity, initial } => {
                format!("capacity down to {} of {}", fmt_num(capacity), fmt_num(initial))
            }
            Reason::LostZone => "lost a zone".to_string(),
            Reason::LoadRaised { load, initial } => {
                format!("load up to {} from {}", fmt_num(load), fmt_num(initial))
            }
            Reason::Overflow => "its capacity or load overflowed; assumed down".to_string(),
        }
    }
}

/// What raised a component to its status.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cause {
    /// Its own state; `step` is the step that last changed it (0: before any step).
    Direct { step: usize, reason: Reason },
    /// A dependency entry, through the first member that made it bite.
    Dependency {
        group: GroupIdx,
        via: ComponentIdx,
        via_status: Status,
    },
}

/// One link of the chain from an operation to a component.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hop {
    pub component: ComponentIdx,
    pub status: Status,
    pub cause: Cause,
}

/// A component that is not ok at some step: its worst status and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Affected {
    pub component: ComponentIdx,
    pub status: Status,
    /// The step (1-based) at which it first reached `status`.
    pub step: usize,
    /// From the origin (a direct cause) to this component. Long chains keep
    /// the origin and the last [`MAX_PATH`]` - 1` hops; see `path_length`.
    pub path: Vec<Hop>,
    /// Hops in the whole chain; more than `path.len()` when the middle was left out.
    pub path_length: usize,
}

/// The most hops an [`Affected`] keeps: output stays linear in the number of
/// affected components, whatever the depth of the graph.
pub const MAX_PATH: usize = 50;

impl Affected {
    pub fn cause(&self) -> Cause {
        // The path always ends with the component itself.
        self.path.last().map_or(
            Cause::Direct {
                step: self.step,
                reason: Reason::Failed,
            },
            |hop| hop.cause,
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ViolationKind {
    BelowMinCapacity,
    OverMaxCapacity,
    OverRemoval,
    StepTooLarge,
    RequiresApproval,
    UnexpectedScope,
}

impl ViolationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ViolationKind::BelowMinCapacity => "below_min_capacity",
            ViolationKind::OverMaxCapacity => "over_max_capacity",
            ViolationKind::OverRemoval => "over_removal",
            ViolationKind::StepTooLarge => "step_too_large",
            ViolationKind::RequiresApproval => "requires_approval",
            ViolationKind::UnexpectedScope => "unexpected_scope",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    pub kind: ViolationKind,
    pub component: Option<ComponentIdx>,
    /// 1-based step index.
    pub step: usize,
    pub message: String,
}

/// Everything a plan does, step by step.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Worst status per component over all steps.
    pub worst: Vec<Status>,
    /// Components that are not ok at some step, in component order.
    pub affected: Vec<Affected>,
    pub violations: Vec<Violation>,
}

impl Outcome {
    pub fn affected_of(&self, idx: ComponentIdx) -> Option<&Affected> {
        self.affected
            .binary_search_by_key(&idx, |a| a.component)
            .ok()
            .map(|i| &self.affected[i])
    }
}

const FAILED: u8 = 1;
const LOST_STATE: u8 = 2;
const DATA_DELETED: u8 = 4;
const RESTARTING: u8 = 8;

/// Float comparisons that forgive rounding in capacity bookkeeping.
fn tolerance(reference: f64) -> f64 {
    1e-9 * reference.abs().max(1.0)
}
fn below(a: f64, b: f64) -> bool {
    a < b - tolerance(b)
}
fn above(a: f64, b: f64) -> bool {
    a > b + tolerance(b)
}

/// The mutable what-if state: capacity per placement, load and flags per component.
#[derive(Debug, Clone)]
pub struct State<'t> {
    topology: &'t Topology,
    placement_capacity: Vec<f64>,
    capacity: Vec<f64>,
    zone_failed: Vec<bool>,
    load: Vec<f64>,
    flags: Vec<u8>,
    /// The step that last changed each component's own state (0: none).
    touched: Vec<u32>,
}

impl<'t> State<'t> {
    pub fn new(topology: &'t Topology) -> Self {
        State {
            topology,
            placement_capacity: topology.placements.iter().map(|p| p.capacity).collect(),
            capacity: topology.components.iter().map(|c| c.capacity).collect(),
            zone_failed: vec![false; topology.zones.len()],
            load: topology.components.iter().map(|c| c.load).collect(),
            flags: vec![0; topology.components.len()],
            touched: vec![0; topology.components.len()],
        }
    }

    pub fn capacity(&self, c: ComponentIdx) -> f64 {
        self.capacity[c.index()]
    }

    pub fn load(&self, c: ComponentIdx) -> f64 {
        self.load[c.index()]
    }

    fn recompute_capacity(&mut self, c: ComponentIdx) {
        let range = self.topology.component(c).placement.clone();
        self.capacity[c.index()] = self.placement_capacity[range.start as usize..range.end as usize]
            .iter()
            .sum();
    }

    fn lost_zone(&self, c: ComponentIdx) -> bool {
        self.topology
            .placements_of(c)
            .iter()
            .any(|p| p.zone.is_some_and(|z| self.zone_failed[z.index()]))
    }

    /// The status a component has from its own state alone, and why.
    pub fn direct(&self, c: ComponentIdx) -> (Status, Option<Reason>) {
        let component = self.topology.component(c);
        let flags = self.flags[c.index()];
        let capacity = self.capacity[c.index()];
        let load = self.load[c.index()];
        if flags & FAILED != 0 {
            return (Status::Down, Some(Reason::Failed));
        }
        // NaN compares false with everything and would read as healthy: never a silent pass.
        if !capacity.is_finite() || !load.is_finite() {
            return (Status::Down, Some(Reason::Overflow));
        }
        if flags & RESTARTING != 0 {
            return (Status::Down, Some(Reason::Restarting));
        }
        if capacity <= tolerance(component.capacity) {
            return (Status::Down, Some(Reason::NoCapacity));
        }
        if let Some(min) = component.extras().min_capacity.filter(|min| below(capacity, *min)) {
            return (Status::Down, Some(Reason::BelowMinCapacity { capacity, min }));
        }
        if let Some(max) = component.extras().max_capacity.filter(|max| above(capacity, *max)) {
            return (Status::Down, Some(Reason::OverMaxCapacity { capacity, max }));
        }
        if let Some(collapse_at) = component.extras().collapse_at
            && load / capacity >= collapse_at - tolerance(collapse_at)
        {
            return (
                Status::Down,
                Some(Reason::Collapsed {
                    load,
                    capacity,
                    collapse_at,
                }),
            );
        }
        if above(load, capacity) {
            return (Status::Degraded, Some(Reason::Overloaded { load, capacity }));
        }
        if flags & LOST_STATE != 0 {
            let store = component.state.unwrap_or(c);
            return (Status::Degraded, Some(Reason::LostState { store }));
        }
        if flags & DATA_DELETED != 0 {
            return (Status::Degraded, Some(Reason::DataDeleted));
        }
        if below(capacity, component.capacity) {
            return (
                Status::AtRisk,
                Some(Reason::LostCapacity {
                    capacity,
                    initial: component.capacity,
                }),
            );
        }
        if self.lost_zone(c) {
            return (Status::AtRisk, Some(Reason::LostZone));
        }
        if above(load, component.load) {
            return (
                Status::AtRisk,
                Some(Reason::LoadRaised {
                    load,
                    initial: component.load,
                }),
            );
        }
        (Status::Ok, None)
    }

    /// Applies one step (1-based `number`), returning the policy violations it
    /// raises. `approvals` is sorted (as [`crate::plan::Plan`] keeps it).
    pub fn apply(&mut self, number: usize, step: &Step, approvals: &[ComponentIdx]) -> Vec<Violation> {
        let topology = self.topology;
        let mut violations = Vec::new();
        let before: Vec<f64> = step.matched.iter().map(|c| self.capacity(*c)).collect();
        match &step.action {
            Action::RemoveCapacity(amount) => {
                for (c, before) in step.matched.iter().zip(&before) {
                    let wanted = match amount {
                        Amount::Count(n) => *n,
                        Amount::Percent(p) => before * p / 100.0,
                    };
                    let id = &topology.component(*c).id;
                    if above(wanted, *before) {
                        violations.push(Violation {
                            kind: ViolationKind::OverRemoval,
                            component: Some(*c),
                            step: number,
                            message: format!(
                                "step {number} removes {} from `{id}`, which has only {}",
                                fmt_num(wanted),
                                fmt_num(*before)
                            ),
                        });
                    }
                    let removed = wanted.min(*before);
                    if let Some(max_percent) = topology.component(*c).extras().guard.max_step_percent
                        && *before > 0.0
                        && above(removed * 100.0 / before, max_percent)
                    {
                        violations.push(Violation {
                                kind: ViolationKind::StepTooLarge,
                                component: Some(*c),
                                step: number,
                                message: format!(
                                    "step {number} removes {}% of `{id}` ({} of {}) at once; its guard allows at most {}% per step",
                                    fmt_num(removed * 100.0 / before),
                                    fmt_num(removed),
                                    fmt_num(*before),
                                    fmt_num(max_percent)
                                ),
                            });
                    }
                    self.remove(*c, removed);
                    self.touched[c.index()] = number as u32;
                }
            }
            Action::AddCapacity(amount) => {
                for (c, before) in step.matched.iter().zip(&before) {
                    let added = match amount {
                        Amount::Count(n) => *n,
                        Amount::Percent(p) => before * p / 100.0,
                    };
                    self.add(*c, added);
                    self.touched[c.index()] = number as u32;
                }
            }
            Action::Fail => self.flag(&step.matched, FAILED, number),
            Action::Restart => self.flag(&step.matched, RESTARTING, number),
            Action::FailZone(zone) => self.fail_zones(&[*zone], &step.matched, number),
            Action::FailRegion(region) => {
                let zones = topology.region(*region).zones.clone();
                self.fail_zones(&zones, &step.matched, number);
            }
            Action::AddLoad(change) => {
                for c in &step.matched {
                    let load = &mut self.load[c.index()];
                    *load = match change {
                        LoadChange::Factor(f) => *load * f,
                        LoadChange::Amount(a) => *load + a,
                    };
                    self.touched[c.index()] = number as u32;
                }
            }
            Action::ShiftLoad { to, percent } => {
                let mut moved = 0.0;
                for c in &step.matched {
                    let share = self.load[c.index()] * percent / 100.0;
                    self.load[c.index()] -= share;
                    moved += share;
                    self.touched[c.index()] = number as u32;
                }
                for c in to {
                    self.load[c.index()] += moved / to.len() as f64;
                    self.touched[c.index()] = number as u32;
                }
            }
            Action::DeleteData { owners } => {
                self.flag(&step.matched, DATA_DELETED, number);
                self.flag(owners, LOST_STATE, number);
            }
        }

        // Limits crossed by this step's capacity changes.
        for (c, before) in step.matched.iter().zip(&before) {
            let component = topology.component(*c);
            let after = self.capacity(*c);
            if let Some(min) = component.extras().min_capacity
                && !below(*before, min)
                && below(after, min)
            {
                violations.push(Violation {
                    kind: ViolationKind::BelowMinCapacity,
                    component: Some(*c),
                    step: number,
                    message: format!(
                        "step {number} would leave `{}` with {} of {} capacity; it needs at least {}",
                        component.id,
                        fmt_num(after),
                        fmt_num(*before),
                        fmt_num(min)
                    ),
                });
            }
            if let Some(max) = component.extras().max_capacity
                && !above(*before, max)
                && above(after, max)
            {
                violations.push(Violation {
                    kind: ViolationKind::OverMaxCapacity,
                    component: Some(*c),
                    step: number,
                    message: format!(
                        "step {number} would give `{}` capacity {}; its max_capacity is {}",
                        component.id,
                        fmt_num(after),
                        fmt_num(max)
                    ),
                });
            }
        }

        // Guarded components touched without approval.
        let zone_step = matches!(step.action, Action::FailZone(_) | Action::FailRegion(_));
        let mut touched: Vec<ComponentIdx> = if zone_step { Vec::new() } else { step.matched.clone() };
        match &step.action {
            Action::ShiftLoad { to, .. } => touched.extend(to),
            Action::DeleteData { owners } => touched.extend(owners),
            _ => {}
        }
        touched.sort_unstable();
        touched.dedup();
        for c in touched {
            let component = topology.component(c);
            if component.extras().guard.requires_approval && approvals.binary_search(&c).is_err() {
                violations.push(Violation {
                    kind: ViolationKind::RequiresApproval,
                    component: Some(c),
                    step: number,
                    message: format!(
                        "step {number} touches `{id}`, which requires approval; once approved, pass `--approve {id}` or list it under `approvals`",
                        id = component.id
                    ),
                });
            }
        }

        if let Some(expected) = step.expect_matches
            && step.matched.len() as u64 != expected
        {
            let mut ids: Vec<&str> = step
                .matched
                .iter()
                .take(5)
                .map(|c| topology.component(*c).id.as_str())
                .collect();
            if step.matched.len() > 5 {
                ids.push("...");
            }
            violations.push(Violation {
                kind: ViolationKind::UnexpectedScope,
                component: None,
                step: number,
                message: format!(
                    "step {number} matched {} component(s) ({}); the plan expected {expected}",
                    step.matched.len(),
                    ids.join(", ")
                ),
            });
        }
        violations
    }

    fn flag(&mut self, components: &[ComponentIdx], flag: u8, number: usize) {
        for c in components {
            self.flags[c.index()] |= flag;
            self.touched[c.index()] = number as u32;
        }
    }

    /// Takes `amount` from the live placements in proportion to what each holds.
    fn remove(&mut self, c: ComponentIdx, amount: f64) {
        let total = self.capacity(c);
        let range = self.topology.component(c).placement.clone();
        if total > 0.0 {
            let keep = ((total - amount) / total).max(0.0);
            for p in range.start as usize..range.end as usize {
                self.placement_capacity[p] *= keep;
            }
        }
        self.recompute_capacity(c);
    }

    /// Adds `amount` to the live placements in proportion to their starting share.
    fn add(&mut self, c: ComponentIdx, amount: f64) {
        let topology = self.topology;
        let range = topology.component(c).placement.clone();
        let live: Vec<usize> = (range.start as usize..range.end as usize)
            .filter(|p| {
                topology.placements[*p]
                    .zone
                    .is_none_or(|z| !self.zone_failed[z.index()])
            })
            .collect();
        let weight: f64 = live.iter().map(|p| topology.placements[*p].capacity).sum();
        for p in &live {
            let share = if weight > 0.0 {
                topology.placements[*p].capacity / weight
            } else {
                1.0 / live.len() as f64
            };
            self.placement_capacity[*p] += amount * share;
        }
        self.recompute_capacity(c);
    }

    fn fail_zones(&mut self, zones: &[crate::model::ZoneIdx], matched: &[ComponentIdx], number: usize) {
        for zone in zones {
            self.zone_failed[zone.index()] = true;
        }
        for c in matched {
            let range = self.topology.component(*c).placement.clone();
            for p in range.start as usize..range.end as usize {
                // Every zone of this step is marked failed above; zones failed
                // earlier are already at zero, so the flag is enough.
                if self.topology.placements[p]
                    .zone
                    .is_some_and(|z| self.zone_failed[z.index()])
                {
                    self.placement_capacity[p] = 0.0;
                }
            }
            self.recompute_capacity(*c);
            self.touched[c.index()] = number as u32;
        }
    }

    /// Ends the step just evaluated: restarts complete before the next step.
    pub fn finish_step(&mut self) {
        for f in &mut self.flags {
            *f &= !RESTARTING;
        }
    }
}

/// The result of one propagation: statuses and the round each level was reached.
#[derive(Debug, Clone)]
pub struct Propagation {
    pub status: Vec<Status>,
    /// `reached[c][l - 1]`: the round in which `c` reached level `l` (at_risk,
    /// degraded, down), or `NEVER`.
    reached: Vec<[u32; 3]>,
}

const NEVER: u32 = u32::MAX;

/// Reusable buffers for [`propagate`].
#[derive(Debug, Default)]
pub struct Scratch {
    not_down: Vec<u32>,
    healthy: Vec<u32>,
    pending: Vec<Status>,
}

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

/// Direct statuses, then the least fixpoint over dependency edges.
pub fn propagate(state: &State, scratch: &mut Scratch) -> Propagation {
    let topology = state.topology;
    let n = topology.components.len();
    let mut status = vec![Status::Ok; n];
    let mut reached = vec![[NEVER; 3]; n];
    scratch.not_down.clear();
    scratch
        .not_down
        .extend(topology.groups.iter().map(|g| g.members.end - g.members.start));
    scratch.healthy.clear();
    scratch.healthy.extend_from_slice(&scratch.not_down);
    scratch.pending.clear();
    scratch.pending.resize(n, Status::Ok);

    let mut changes: Vec<(ComponentIdx, Status, Status)> = Vec::new();
    for c in topology.component_indices() {
        let (s, _) = state.direct(c);
        if s > Status::Ok {
            status[c.index()] = s;
            scratch.pending[c.index()] = s;
            for level in 1..=s.index() {
                reached[c.index()][level - 1] = 0;
            }
            changes.push((c, Status::Ok, s));
        }
    }

    let mut round = 0u32;
    let mut candidates: Vec<ComponentIdx> = Vec::new();
    while !changes.is_empty() {
        candidates.clear();
        for &(x, old, new) in &changes {
            // Only crossing into degraded or down changes what a member gives.
            if new <= Status::AtRisk {
                continue;
            }
            let lost_down = old != Status::Down && new == Status::Down;
            let lost_healthy = old <= Status::AtRisk;
            for g in topology.dependents_of(x) {
                let gi = g.index();
                scratch.not_down[gi] -= u32::from(lost_down);
                scratch.healthy[gi] -= u32::from(lost_healthy);
                let group = &topology.groups[gi];
                let result = group_result(
                    group.rule,
                    group.members.end - group.members.start,
                    scratch.not_down[gi],
                    scratch.healthy[gi],
                );
                let d = group.dependent.index();
                if result > scratch.pending[d] {
                    if scratch.pending[d] <= status[d] {
                        candidates.push(group.dependent);
                    }
                    scratch.pending[d] = result;
                }
            }
        }
        round += 1;
        changes.clear();
        for &d in &candidates {
            let di = d.index();
            let new = scratch.pending[di];
            let old = status[di];
            if new > old {
                status[di] = new;
                for level in old.index() + 1..=new.index() {
                    reached[di][level - 1] = round;
                }
                changes.push((d, old, new));
            }
        }
    }
    Propagation { status, reached }
}

impl Propagation {
    fn reached(&self, c: ComponentIdx, level: Status) -> u32 {
        if level == Status::Ok {
            0
        } else {
            self.reached[c.index()][level.index() - 1]
        }
    }

    /// The status `c` had at the end of `round`.
    fn status_at(&self, c: ComponentIdx, round: u32) -> Status {
        let levels = &self.reached[c.index()];
        (1..=3)
            .rev()
            .find(|l| levels[l - 1] <= round)
            .map_or(Status::Ok, |l| Status::ALL[l])
    }

    /// Why `c` reached `level`: its own state, or the first dependency entry
    /// (file order) that demanded it one round earlier.
    fn hop(&self, topology: &Topology, state: &State, c: ComponentIdx, level: Status) -> Hop {
        let round = self.reached(c, level);
        let direct = || Cause::Direct {
            step: state.touched[c.index()] as usize,
            reason: state.direct(c).1.unwrap_or(Reason::Failed),
        };
        if round == 0 || round == NEVER {
            return Hop {
                component: c,
                status: level,
                cause: direct(),
            };
        }
        for g in topology.groups_of(c) {
            let result = evaluate_group(topology, g, |m| self.status_at(m, round - 1));
            if result >= level {
                // The members that make the entry yield `level`.
                let bad = |s: Status| {
                    if level == Status::Down {
                        s == Status::Down
                    } else {
                        s >= Status::Degraded
                    }
                };
                let via = topology
                    .members_of(g)
                    .iter()
                    .copied()
                    .find(|m| bad(self.status_at(*m, round - 1)))
                    .unwrap_or(topology.members_of(g)[0]);
                return Hop {
                    component: c,
                    status: level,
                    cause: Cause::Dependency {
                        group: g,
                        via,
                        via_status: self.status_at(via, round - 1),
                    },
                };
            }
        }
        Hop {
            component: c,
            status: level,
            cause: direct(),
        }
    }
}

/// Every link of the step's cause chains, computed once: (component, level)
/// -> its hop, the length of its chain and the chain's origin. Without it,
/// each affected component would walk its whole chain, which is quadratic on
/// deep graphs (a chain of 20,000 services took 20 GB).
#[derive(Default)]
struct Chains {
    links: HashMap<(ComponentIdx, Status), (Hop, usize, Hop)>,
}

impl Chains {
    fn resolve(
        &mut self,
        propagation: &Propagation,
        topology: &Topology,
        state: &State,
        start: (ComponentIdx, Status),
    ) {
        let mut pending: Vec<Hop> = Vec::new();
        let mut at = start;
        while !self.links.contains_key(&at) {
            let hop = propagation.hop(topology, state, at.0, at.1);
            pending.push(hop);
            match hop.cause {
                // Rounds strictly decrease along a chain, so this ends.
                Cause::Dependency { via, via_status, .. } => at = (via, via_status),
                Cause::Direct { .. } => break,
            }
        }
        while let Some(hop) = pending.pop() {
            let entry = match hop.cause {
                Cause::Dependency { via, via_status, .. } => match self.links.get(&(via, via_status)) {
                    Some((_, length, origin)) => (hop, length + 1, *origin),
                    None => (hop, 1, hop),
                },
                Cause::Direct { .. } => (hop, 1, hop),
            };
            self.links.insert((hop.component, hop.status), entry);
        }
    }

    /// The origin and the last hops of the chain to `c` at `level`, and its full length.
    fn path(
        &mut self,
        propagation: &Propagation,
        topology: &Topology,
        state: &State,
        c: ComponentIdx,
        level: Status,
    ) -> (Vec<Hop>, usize) {
        self.resolve(propagation, topology, state, (c, level));
        let Some(&(_, length, origin)) = self.links.get(&(c, level)) else {
            return (Vec::new(), 0);
        };
        let mut tail = Vec::new();
        let mut at = (c, level);
        while let Some(&(hop, _, _)) = self.links.get(&at) {
            if tail.len() + 1 == MAX_PATH.min(length) {
                break;
            }
            tail.push(hop);
            match hop.cause {
                Cause::Dependency { via, via_status, .. } => at = (via, via_status),
                Cause::Direct { .. } => break,
            }
        }
        if tail.last() != Some(&origin) {
            tail.push(origin);
        }
        tail.reverse();
        (tail, length)
    }
}

/// Applies every step of the plan in order, evaluating after each.
pub fn run(topology: &Topology, plan: &Plan) -> Outcome {
    let mut state = State::new(topology);
    let mut scratch = Scratch::default();
    let n = topology.components.len();
    let mut worst = vec![Status::Ok; n];
    let mut slot: Vec<u32> = vec![u32::MAX; n];
    let mut affected: Vec<Affected> = Vec::new();
    let mut violations = Vec::new();
    for (i, step) in plan.steps.iter().enumerate() {
        let number = i + 1;
        violations.extend(state.apply(number, step, &plan.approvals));
        let propagation = propagate(&state, &mut scratch);
        let mut chains = Chains::default();
        for c in topology.component_indices() {
            let s = propagation.status[c.index()];
            if s > worst[c.index()] {
                worst[c.index()] = s;
                let (path, path_length) = chains.path(&propagation, topology, &state, c, s);
                let record = Affected {
                    component: c,
                    status: s,
                    step: number,
                    path,
                    path_length,
                };
                match slot[c.index()] {
                    u32::MAX => {
                        slot[c.index()] = affected.len() as u32;
                        affected.push(record);
                    }
                    at => affected[at as usize] = record,
                }
            }
        }
        state.finish_step();
    }
    affected.sort_unstable_by_key(|a| a.component);
    violations.sort_by_key(|v| (v.step, v.kind, v.component));
    Outcome {
        worst,
        affected,
        violations,
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::limits::Limits;
    use crate::model::topology_from_str;
    use crate::plan::{Origin, inline_plan, resolve};

    const HEADER: &str = "version: 1\nregions:\n  - id: r\n    zones: [z1, z2, z3]\n";

    fn topology(body: &str) -> Topology {
        let text = format!("{HEADER}{body}");
        match topology_from_str(&text, Path::new("test.yaml"), Limits::default()) {
            Ok(t) => t,
            Err(e) => panic!("fixture does not load: {e}\n{text}"),
        }
    }

    /// Worst status of every component after the inline ops.
    fn run_ops(topology: &Topology, ops: &[&str]) -> Outcome {
        let ops: Vec<String> = ops.iter().map(|s| s.to_string()).collect();
        let raw = inline_plan(&ops).expect("ops parse");
        let plan = resolve(topology, &raw, Origin::Inline, &[]).expect("ops resolve");
        run(topology, &plan)
    }

    fn status(topology: &Topology, outcome: &Outcome, id: &str) -> Status {
        outcome.worst[topology.find(id).expect("id exists").index()]
    }

    fn statuses(body: &str, ops: &[&str], ids: &[&str]) -> Vec<Status> {
        let t = topology(body);
        let outcome = run_ops(&t, ops);
        ids.iter().map(|id| status(&t, &outcome, id)).collect()
    }

    use Status::{AtRisk, Degraded, Down};
    const OK: Status = Status::Ok;

    #[test]
    fn failed_component_is_down() {
        assert_eq!(statuses("services:\n  - id: a\n", &["fail a"], &["a"]), [Down]);
    }

    #[test]
    fn restarting_component_is_down_for_its_step_only() {
        let t = topology("services:\n  - id: a\n  - id: b\n");
        let outcome = run_ops(&t, &["restart a", "fail b"]);
        assert_eq!(status(&t, &outcome, "a"), Down);
        let plan = resolve(
            &t,
            &inline_plan(&["restart a".into(), "fail b".into()]).unwrap(),
            Origin::Inline,
            &[],
        )
        .unwrap();
        let mut state = State::new(&t);
        state.apply(1, &plan.steps[0], &[]);
        assert_eq!(state.direct(t.find("a").unwrap()).0, Down);
        state.finish_step();
        state.apply(2, &plan.steps[1], &[]);
        assert_eq!(
            state.direct(t.find("a").unwrap()).0,
            OK,
            "a restart is over before the next step"
        );
    }

    #[test]
    fn capacity_zero_is_down() {
        let body = "services:\n  - id: a\n    capacity: 10\n";
        assert_eq!(statuses(body, &["remove-capacity a count=10"], &["a"]), [Down]);
    }

    #[test]
    fn below_min_capacity_is_down_and_at_min_is_at_risk() {
        let body = "services:\n  - id: a\n    capacity: 10\n    min_capacity: 6\n";
        assert_eq!(statuses(body, &["remove-capacity a count=4"], &["a"]), [AtRisk]);
        assert_eq!(statuses(body, &["remove-capacity a count=5"], &["a"]), [Down]);
    }

    #[test]
    fn above_max_capacity_is_down() {
        let body = "services:\n  - id: a\n    capacity: 10\n    max_capacity: 12\n";
        assert_eq!(statuses(body, &["add-capacity a count=2"], &["a"]), [OK]);
        assert_eq!(statuses(body, &["add-capacity a count=3"], &["a"]), [Down]);
    }

    #[test]
    fn collapse_ratio_is_down_overload_is_degraded() {
        let body = "services:\n  - id: a\n    capacity: 10\n    load: 5\n    collapse_at: 1.5\n";
        assert_eq!(statuses(body, &["add-load a amount=4"], &["a"]), [AtRisk]);
        assert_eq!(statuses(body, &["add-load a amount=6"], &["a"]), [Degraded]);
        assert_eq!(statuses(body, &["add-load a factor=3"], &["a"]), [Down]);
    }

    #[test]
    fn lost_state_and_deleted_store_are_degraded() {
        let body = "services:\n  - id: a\n    state: st\n  - id: b\n    state: st\ndata_stores:\n  - id: st\n";
        assert_eq!(
            statuses(body, &["delete-data st"], &["a", "b", "st"]),
            [Degraded, Degraded, Degraded]
        );
        assert_eq!(
            statuses(body, &["delete-data st owners=b"], &["a", "b", "st"]),
            [OK, Degraded, Degraded]
        );
    }

    #[test]
    fn losing_a_zone_or_some_capacity_is_at_risk() {
        let body = "services:\n  - id: a\n    region: r\n  - id: b\n    region: r\n    capacity: 30\n";
        assert_eq!(statuses(body, &["fail-zone z1"], &["a", "b"]), [AtRisk, AtRisk]);
        assert_eq!(
            statuses(body, &["fail-zone z1", "fail-zone z2", "fail-zone z3"], &["a", "b"]),
            [Down, Down]
        );
        assert_eq!(statuses(body, &["remove-capacity b count=1"], &["b"]), [AtRisk]);
    }

    #[test]
    fn global_components_survive_region_failure() {
        let body = "services:\n  - id: g\n  - id: a\n    region: r\n";
        assert_eq!(statuses(body, &["fail-region r"], &["g", "a"]), [OK, Down]);
    }

    #[test]
    fn hard_edges_carry_down_and_degraded_but_not_at_risk() {
        let body = "services:\n  - id: x\n    capacity: 10\n    load: 5\n  - id: d\n    depends_on: [x]\n";
        assert_eq!(statuses(body, &["fail x"], &["d"]), [Down]);
        assert_eq!(statuses(body, &["add-load x amount=6"], &["d"]), [Degraded]);
        assert_eq!(
            statuses(body, &["remove-capacity x count=1"], &["x", "d"]),
            [AtRisk, OK]
        );
    }

    #[test]
    fn soft_edges_carry_only_degraded() {
        let body = "services:\n  - id: x\n  - id: d\n    depends_on: [{id: x, mode: soft}]\n";
        assert_eq!(statuses(body, &["fail x"], &["d"]), [Degraded]);
    }

    const QUORUM: &str = "services:\n  - id: a\n  - id: b\n  - id: c\n    state: st\n  - id: d\n    depends_on: [{quorum: 2, of: [a, b, c]}]\ndata_stores:\n  - id: st\n";

    #[test]
    fn quorum_with_one_member_down_loses_redundancy() {
        assert_eq!(statuses(QUORUM, &["fail a"], &["d"]), [AtRisk]);
    }

    #[test]
    fn quorum_below_k_up_is_down() {
        assert_eq!(statuses(QUORUM, &["fail a", "fail b"], &["d"]), [Down]);
    }

    #[test]
    fn quorum_with_degraded_members_is_degraded() {
        // a down, c degraded: 2 not down (b, c) but only 1 healthy.
        assert_eq!(statuses(QUORUM, &["fail a", "delete-data st"], &["d"]), [Degraded]);
    }

    #[test]
    fn quorum_ignores_at_risk_members() {
        let body =
            "services:\n  - id: a\n    region: r\n  - id: b\n  - id: d\n    depends_on: [{quorum: 2, of: [a, b]}]\n";
        assert_eq!(statuses(body, &["fail-zone z1"], &["a", "d"]), [AtRisk, OK]);
    }

    #[test]
    fn quorum_k_equal_n_needs_every_member() {
        let body = "services:\n  - id: a\n  - id: b\n  - id: d\n    depends_on: [{quorum: 2, of: [a, b]}]\n";
        assert_eq!(statuses(body, &["fail a"], &["d"]), [Down]);
    }

    #[test]
    fn any_of_is_quorum_one() {
        let body = "services:\n  - id: a\n  - id: b\n  - id: d\n    depends_on: [{any_of: [a, b]}]\n";
        assert_eq!(statuses(body, &["fail a"], &["d"]), [AtRisk]);
        assert_eq!(statuses(body, &["fail a", "fail b"], &["d"]), [Down]);
    }

    #[test]
    fn cycles_without_failure_stay_ok_and_carry_failure_around() {
        let body = "services:\n  - id: a\n    depends_on: [b]\n  - id: b\n    depends_on: [a]\n  - id: c\n";
        assert_eq!(statuses(body, &["fail c"], &["a", "b"]), [OK, OK]);
        assert_eq!(statuses(body, &["fail a"], &["a", "b"]), [Down, Down]);
    }

    #[test]
    fn worst_status_over_steps_is_reported() {
        let body = "services:\n  - id: a\n    capacity: 10\n";
        let t = topology(body);
        let outcome = run_ops(&t, &["restart a", "add-capacity a count=1"]);
        assert_eq!(status(&t, &outcome, "a"), Down);
        assert_eq!(outcome.affected_of(t.find("a").unwrap()).map(|a| a.step), Some(1));
    }

    #[test]
    fn cause_paths_in_cycles_end_at_the_step() {
        let body = "services:\n  - id: x\n  - id: a\n    depends_on: [b, x]\n  - id: b\n    depends_on: [a]\n";
        let t = topology(body);
        let outcome = run_ops(&t, &["fail x"]);
        for id in ["a", "b"] {
            let affected = outcome.affected_of(t.find(id).unwrap()).expect("affected");
            let ids: Vec<&str> = affected
                .path
                .iter()
                .map(|h| t.component(h.component).id.as_str())
                .collect();
            assert_eq!(ids.first(), Some(&"x"), "path of {id}: {ids:?}");
            assert_eq!(ids.last(), Some(&id));
            assert!(matches!(
                affected.path[0].cause,
                Cause::Direct {
                    step: 1,
                    reason: Reason::Failed
                }
            ));
        }
    }

    #[test]
    fn cause_prefers_first_dependency_in_file_order() {
        let body = "services:\n  - id: x\n  - id: y\n  - id: d\n    depends_on: [y, x]\n";
        let t = topology(body);
        let outcome = run_ops(&t, &["fail x", "fail y"]);
        let d = outcome.affected_of(t.find("d").unwrap()).expect("affected");
        // d went down at step 1 through x; y failing later changes nothing.
        assert_eq!(d.step, 1);
        let Cause::Dependency { via, .. } = d.cause() else {
            panic!("dependency cause expected")
        };
        assert_eq!(t.component(via).id, "x");

        let outcome = run_ops(&t, &["fail [xy]"]);
        let d = outcome.affected_of(t.find("d").unwrap()).expect("affected");
        let Cause::Dependency { via, .. } = d.cause() else {
            panic!("dependency cause expected")
        };
        assert_eq!(
            t.component(via).id,
            "y",
            "both fail at once: the first entry in file order wins"
        );
    }

    #[test]
    fn overflowing_numbers_never_read_as_healthy() {
        // Load grows past f64::MAX to infinity; moving an infinite share away
        // leaves NaN behind, which must count as down, not ok.
        let body = "services:\n  - id: a\n    capacity: 10\n    load: 1\n  - id: b\n    capacity: 10\n";
        let mut ops = vec!["add-load a factor=1000000000000000"; 21];
        ops.push("shift-load a to=b");
        assert_eq!(statuses(body, &ops, &["a", "b"]), [Down, Down]);
    }
}
