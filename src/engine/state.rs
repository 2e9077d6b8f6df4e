//! The what-if state a plan builds step by step (SPEC section 3), and the
//! direct status each component has in it (SPEC 4.1).
//!
//! Most components are never touched by a plan, so the state keeps only what
//! steps changed: a slot per touched component holding its capacity (per
//! placement), base load and flags. Everything else reads the frozen
//! topology.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::model::{ComponentIdx, Topology, ZoneIdx};
use crate::number::Exact;
use crate::status::Status;

/// Why a component has its direct status. Numbers are those at the time.
#[derive(Debug, Clone, PartialEq)]
pub enum Reason {
    Failed,
    Restarting,
    /// Fell below `min_capacity` (at `capacity`) and needs a full restart.
    NeedsRestart {
        capacity: Exact,
        min: Exact,
    },
    NoCapacity,
    OverMaxCapacity {
        capacity: Exact,
        max: Exact,
    },
    Collapsed {
        load: Exact,
        capacity: Exact,
        collapse_at: Exact,
    },
    Overloaded {
        load: Exact,
        capacity: Exact,
    },
    LostState {
        store: ComponentIdx,
    },
    DataDeleted,
    LostCapacity {
        capacity: Exact,
        initial: Exact,
    },
    LostZone,
    LoadRaised {
        load: Exact,
        initial: Exact,
    },
}

impl Reason {
    /// A stable snake_case name, used in JSON.
    pub fn code(&self) -> &'static str {
        match self {
            Reason::Failed => "failed",
            Reason::Restarting => "restarting",
            Reason::NeedsRestart { .. } => "below_min_capacity",
            Reason::NoCapacity => "no_capacity",
            Reason::OverMaxCapacity { .. } => "over_max_capacity",
            Reason::Collapsed { .. } => "collapsed",
            Reason::Overloaded { .. } => "overloaded",
            Reason::LostState { .. } => "lost_state",
            Reason::DataDeleted => "data_deleted",
            Reason::LostCapacity { .. } => "lost_capacity",
            Reason::LostZone => "lost_zone",
            Reason::LoadRaised { .. } => "load_raised",
        }
    }

    pub fn describe(&self, topology: &Topology) -> String {
        match self {
            Reason::Failed => "failed".to_string(),
            Reason::Restarting => "restarting".to_string(),
            Reason::NeedsRestart { capacity, min } => {
                format!("below minimum capacity {capacity} < {min}: needs a full restart")
            }
            Reason::NoCapacity => "no capacity left".to_string(),
            Reason::OverMaxCapacity { capacity, max } => format!("above maximum capacity {capacity} > {max}"),
            Reason::Collapsed {
                load,
                capacity,
                collapse_at,
            } => {
                let ratio = load.checked_div(capacity).unwrap_or_default();
                format!(
                    "collapsed under load {load} on capacity {capacity} (ratio {ratio} >= collapse_at {collapse_at})"
                )
            }
            Reason::Overloaded { load, capacity } => format!("overloaded: load {load} > capacity {capacity}"),
            Reason::LostState { store } => {
                format!("lost its configuration in `{}`", topology.component(*store).id)
            }
            Reason::DataDeleted => "its data was deleted".to_string(),
            Reason::LostCapacity { capacity, initial } => format!("capacity down to {capacity} of {initial}"),
            Reason::LostZone => "lost a zone".to_string(),
            Reason::LoadRaised { load, initial } => format!("load up to {load} from {initial}"),
        }
    }
}

/// What decides a component's direct status: the plan's state, or the
/// rolled-back system of a recovery. Propagation reads only this.
pub trait Conditions {
    fn topology(&self) -> &Topology;
    /// The status from the component's own state and `load`, its effective
    /// load, and why.
    fn direct(&self, c: ComponentIdx, load: &Exact) -> (Status, Option<Reason>);
    /// Declared load after the plan's load steps (SPEC 4.2's base load).
    fn base_load(&self, c: ComponentIdx) -> &Exact;
    fn capacity(&self, c: ComponentIdx) -> &Exact;
    /// The step that last changed `c`'s own state (0: none did).
    fn last_step(&self, _c: ComponentIdx) -> usize {
        0
    }
}

pub(crate) const FAILED: u8 = 1;
pub(crate) const LOST_STATE: u8 = 2;
pub(crate) const DATA_DELETED: u8 = 4;
pub(crate) const RESTARTING: u8 = 8;
pub(crate) const NEEDS_RESTART: u8 = 16;

/// What steps changed about one component.
#[derive(Debug, Clone)]
struct Touched {
    /// One per placement, in the topology's order.
    placements: Vec<Exact>,
    capacity: Exact,
    base_load: Exact,
    flags: u8,
    /// The capacity it had when it fell below `min_capacity`.
    fell_to: Option<Exact>,
    /// The step that last changed it.
    step: u32,
}

/// A restart under way: how much time is left, or `None` for one without a
/// `restart_time`, which is over at the next wait.
type RestartClock = Option<Duration>;

/// The mutable what-if state: what the steps so far did.
#[derive(Debug, Clone)]
pub struct State<'t> {
    topology: &'t Topology,
    /// Per component: its slot in `touched`, or `u32::MAX`.
    slot: Vec<u32>,
    touched: Vec<Touched>,
    zone_failed: Vec<bool>,
    restarts: BTreeMap<ComponentIdx, RestartClock>,
}

const UNTOUCHED: u32 = u32::MAX;

impl<'t> State<'t> {
    pub fn new(topology: &'t Topology) -> Self {
        State {
            topology,
            slot: vec![UNTOUCHED; topology.components().len()],
            touched: Vec::new(),
            zone_failed: vec![false; topology.zones().len()],
            restarts: BTreeMap::new(),
        }
    }

    fn record(&self, c: ComponentIdx) -> Option<&Touched> {
        match self.slot[c.index()] {
            UNTOUCHED => None,
            at => self.touched.get(at as usize),
        }
    }

    /// The component's record, made on first touch; `step` marks the change.
    fn touch(&mut self, c: ComponentIdx, step: usize) -> &mut Touched {
        if self.slot[c.index()] == UNTOUCHED {
            let component = self.topology.component(c);
            self.slot[c.index()] = self.touched.len() as u32;
            self.touched.push(Touched {
                placements: self
                    .topology
                    .placements_of(c)
                    .iter()
                    .map(|p| p.capacity.clone())
                    .collect(),
                capacity: component.capacity.clone(),
                base_load: component.load.clone(),
                flags: 0,
                fell_to: None,
                step: 0,
            });
        }
        let at = self.slot[c.index()] as usize;
        let record = &mut self.touched[at];
        record.step = step as u32;
        record
    }

    /// The capacity `c` had when it fell below `min_capacity`, if it did.
    pub fn fell_to(&self, c: ComponentIdx) -> Option<Exact> {
        self.record(c).and_then(|t| t.fell_to.clone())
    }

    pub fn flags(&self, c: ComponentIdx) -> u8 {
        self.record(c).map_or(0, |t| t.flags)
    }

    /// Placement capacities now, in the topology's order.
    pub fn placement_capacities(&self, c: ComponentIdx) -> Vec<Exact> {
        match self.record(c) {
            Some(t) => t.placements.clone(),
            None => self
                .topology
                .placements_of(c)
                .iter()
                .map(|p| p.capacity.clone())
                .collect(),
        }
    }

    pub fn zone_failed(&self, zone: ZoneIdx) -> bool {
        self.zone_failed[zone.index()]
    }

    fn lost_zone(&self, c: ComponentIdx) -> bool {
        self.topology
            .placements_of(c)
            .iter()
            .any(|p| p.zone.is_some_and(|z| self.zone_failed[z.index()]))
    }

    /// What is left of each restart under way, by component.
    pub fn restarts(&self) -> &BTreeMap<ComponentIdx, RestartClock> {
        &self.restarts
    }

    pub(crate) fn set_flag(&mut self, c: ComponentIdx, flag: u8, step: usize) {
        self.touch(c, step).flags |= flag;
    }

    pub(crate) fn restart(&mut self, c: ComponentIdx, step: usize) {
        self.set_flag(c, RESTARTING, step);
        // A second restart starts the clock again.
        let time = self
            .topology
            .component(c)
            .extras()
            .restart_time
            .filter(|t| !t.is_zero());
        self.restarts.insert(c, time);
    }

    /// Time passes: restarts whose time is up complete, and those without a
    /// `restart_time` complete at any wait.
    pub(crate) fn wait(&mut self, duration: Duration, step: usize) {
        let mut done = Vec::new();
        for (c, left) in self.restarts.iter_mut() {
            match left {
                Some(t) if *t > duration => *t -= duration,
                _ => done.push(*c),
            }
        }
        for c in done {
            self.restarts.remove(&c);
            let min = self.topology.component(c).extras().min_capacity.clone();
            let record = self.touch(c, step);
            record.flags &= !RESTARTING;
            // A restart fixes a fall below min_capacity only if there is
            // enough capacity by the time it completes.
            if min.is_none_or(|min| record.capacity >= min) {
                record.flags &= !NEEDS_RESTART;
                record.fell_to = None;
            }
        }
    }

    /// Takes `amount` from the live placements in proportion to what each holds.
    pub(crate) fn remove(&mut self, c: ComponentIdx, amount: &Exact, step: usize) {
        let record = self.touch(c, step);
        let total = record.capacity.clone();
        if total.is_positive() {
            let left = (&total - amount).max(Exact::ZERO);
            let keep = left.checked_div(&total).unwrap_or_default();
            for p in &mut record.placements {
                *p = &*p * &keep;
            }
        }
        self.settle_capacity(c);
    }

    /// Adds `amount` to the live placements in proportion to their starting
    /// share (evenly where they all started at zero). A component with no
    /// live placement left gains nothing: its capacity has nowhere to live.
    pub(crate) fn add(&mut self, c: ComponentIdx, amount: &Exact, step: usize) {
        let topology = self.topology;
        let live: Vec<usize> = topology
            .placements_of(c)
            .iter()
            .enumerate()
            .filter(|(_, p)| p.zone.is_none_or(|z| !self.zone_failed[z.index()]))
            .map(|(i, _)| i)
            .collect();
        let initial = topology.placements_of(c);
        let weight: Exact = live.iter().map(|i| &initial[*i].capacity).sum();
        let count = Exact::from_int(live.len() as i64);
        let record = self.touch(c, step);
        for i in &live {
            let share = if weight.is_positive() {
                initial[*i].capacity.checked_div(&weight)
            } else {
                Exact::ONE.checked_div(&count)
            };
            record.placements[*i] = &record.placements[*i] + &(amount * &share.unwrap_or_default());
        }
        self.settle_capacity(c);
    }

    /// Every listed component loses what it holds in the failed zones.
    pub(crate) fn fail_zones(&mut self, zones: &[ZoneIdx], matched: &[ComponentIdx], step: usize) {
        for zone in zones {
            self.zone_failed[zone.index()] = true;
        }
        let topology = self.topology;
        for c in matched {
            let failed: Vec<bool> = topology
                .placements_of(*c)
                .iter()
                .map(|p| p.zone.is_some_and(|z| self.zone_failed[z.index()]))
                .collect();
            let record = self.touch(*c, step);
            for (p, lost) in record.placements.iter_mut().zip(failed) {
                if lost {
                    *p = Exact::ZERO;
                }
            }
            self.settle_capacity(*c);
        }
    }

    /// Recomputes the total and marks a fall below `min_capacity`, which
    /// sticks until a restart completes (SPEC section 3).
    fn settle_capacity(&mut self, c: ComponentIdx) {
        let min = self.topology.component(c).extras().min_capacity.clone();
        let at = self.slot[c.index()] as usize;
        let record = &mut self.touched[at];
        record.capacity = record.placements.iter().sum();
        if let Some(min) = min
            && record.capacity < min
            && record.flags & NEEDS_RESTART == 0
        {
            record.flags |= NEEDS_RESTART;
            record.fell_to = Some(record.capacity.clone());
        }
    }

    /// Back to no step applied, for a state whose steps touched only
    /// `touched` (the overlay's zone failures): costs those components and
    /// the zones, not the whole topology.
    pub(crate) fn forget(&mut self, touched: &[ComponentIdx]) {
        for c in touched {
            self.slot[c.index()] = UNTOUCHED;
        }
        self.touched.clear();
        self.zone_failed.iter_mut().for_each(|z| *z = false);
        self.restarts.clear();
    }

    pub(crate) fn set_base_load(&mut self, c: ComponentIdx, load: Exact, step: usize) {
        self.touch(c, step).base_load = load;
    }
}

impl Conditions for State<'_> {
    fn topology(&self) -> &Topology {
        self.topology
    }

    fn direct(&self, c: ComponentIdx, load: &Exact) -> (Status, Option<Reason>) {
        let component = self.topology.component(c);
        let (flags, capacity, fell_to) = match self.record(c) {
            Some(t) => (t.flags, &t.capacity, t.fell_to.as_ref()),
            None => (0, &component.capacity, None),
        };
        direct_status(self.topology, c, flags, capacity, fell_to, load, self.lost_zone(c))
    }

    fn base_load(&self, c: ComponentIdx) -> &Exact {
        match self.record(c) {
            Some(t) => &t.base_load,
            None => &self.topology.component(c).load,
        }
    }

    fn capacity(&self, c: ComponentIdx) -> &Exact {
        match self.record(c) {
            Some(t) => &t.capacity,
            None => &self.topology.component(c).capacity,
        }
    }

    fn last_step(&self, c: ComponentIdx) -> usize {
        self.record(c).map_or(0, |t| t.step as usize)
    }
}

/// Down by what an operation did to it: failed, restarting, or below its
/// minimum and waiting for a restart.
fn flagged_down(flags: u8, capacity: &Exact, fell_to: Option<&Exact>, min: Option<&Exact>) -> Option<Reason> {
    if flags & FAILED != 0 {
        return Some(Reason::Failed);
    }
    if flags & RESTARTING != 0 {
        return Some(Reason::Restarting);
    }
    (flags & NEEDS_RESTART != 0).then(|| Reason::NeedsRestart {
        capacity: fell_to.unwrap_or(capacity).clone(),
        min: min.cloned().unwrap_or_default(),
    })
}

/// SPEC 4.1's direct status: the worst that applies.
pub(crate) fn direct_status(
    topology: &Topology,
    c: ComponentIdx,
    flags: u8,
    capacity: &Exact,
    fell_to: Option<&Exact>,
    load: &Exact,
    lost_zone: bool,
) -> (Status, Option<Reason>) {
    let component = topology.component(c);
    let extras = component.extras();
    let down = |reason| (Status::Down, Some(reason));
    if let Some(reason) = flagged_down(flags, capacity, fell_to, extras.min_capacity.as_ref()) {
        return down(reason);
    }
    if !capacity.is_positive() {
        return down(Reason::NoCapacity);
    }
    if let Some(max) = extras.max_capacity.as_ref().filter(|max| capacity > *max) {
        return down(Reason::OverMaxCapacity {
            capacity: capacity.clone(),
            max: max.clone(),
        });
    }
    if let Some(collapse_at) = &extras.collapse_at
        && *load >= collapse_at * capacity
    {
        return down(Reason::Collapsed {
            load: load.clone(),
            capacity: capacity.clone(),
            collapse_at: collapse_at.clone(),
        });
    }
    if load > capacity {
        return (
            Status::Degraded,
            Some(Reason::Overloaded {
                load: load.clone(),
                capacity: capacity.clone(),
            }),
        );
    }
    if flags & LOST_STATE != 0 {
        let store = component.state.unwrap_or(c);
        return (Status::Degraded, Some(Reason::LostState { store }));
    }
    if flags & DATA_DELETED != 0 {
        return (Status::Degraded, Some(Reason::DataDeleted));
    }
    if *capacity < component.capacity {
        return (
            Status::AtRisk,
            Some(Reason::LostCapacity {
                capacity: capacity.clone(),
                initial: component.capacity.clone(),
            }),
        );
    }
    if lost_zone {
        return (Status::AtRisk, Some(Reason::LostZone));
    }
    if *load > component.load {
        return (
            Status::AtRisk,
            Some(Reason::LoadRaised {
                load: load.clone(),
                initial: component.load.clone(),
            }),
        );
    }
    (Status::Ok, None)
}
