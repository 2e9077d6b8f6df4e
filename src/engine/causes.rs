//! Causes (SPEC 4.3): what raised each component to its status, and the
//! chain of causes from the operation to it.
//!
//! A component that reached a level in round r was raised by something that
//! had its status by round r-1: the first dependency entry (file order) that
//! demands the level on round r-1's statuses, else the surge or failover
//! that changed in round r-1 (the first by its source's file order), else
//! its own state (round 0). Chains follow causes back, so rounds strictly
//! fall along them and they always end at a step.

use std::collections::HashMap;

use crate::engine::MAX_PATH;
use crate::engine::propagate::{NEVER, Propagator, evaluate_group, failover_shares, surge_amount};
use crate::engine::state::{Conditions, Reason};
use crate::model::{ComponentIdx, FailoverIdx, GroupIdx, SurgeIdx};
use crate::number::Exact;
use crate::status::Status;

/// What raised a component to its status.
#[derive(Debug, Clone, PartialEq)]
pub enum Cause {
    /// Its own state; `step` is the step that last changed it (0: before any step).
    Direct { step: usize, reason: Reason },
    /// A dependency entry, through the first member that made it bite.
    Dependency {
        group: GroupIdx,
        via: ComponentIdx,
        via_status: Status,
    },
    /// A surge from `via` (itself, for retries) that added `amount` load.
    Surge {
        surge: SurgeIdx,
        via: ComponentIdx,
        via_status: Status,
        amount: Exact,
        reason: Reason,
    },
    /// `via`'s failover, which moved `amount` load onto it.
    Failover {
        failover: FailoverIdx,
        via: ComponentIdx,
        via_status: Status,
        amount: Exact,
        reason: Reason,
    },
}

impl Cause {
    /// The component and level this cause leads back to, if it is not a step.
    pub fn via(&self) -> Option<(ComponentIdx, Status)> {
        match self {
            Cause::Direct { .. } => None,
            Cause::Dependency { via, via_status, .. }
            | Cause::Surge { via, via_status, .. }
            | Cause::Failover { via, via_status, .. } => Some((*via, *via_status)),
        }
    }
}

/// One link of the chain from an operation to a component.
#[derive(Debug, Clone, PartialEq)]
pub struct Hop {
    pub component: ComponentIdx,
    pub status: Status,
    pub cause: Cause,
}

/// The load dynamics add to `c` given round `round`'s statuses.
fn extra_at(prop: &Propagator, cond: &impl Conditions, c: ComponentIdx, round: u32) -> Exact {
    let topology = cond.topology();
    let mut extra = Exact::ZERO;
    for &s in topology.surges_into(c) {
        if prop.status_at(topology.surge(s).source, round) >= topology.surge(s).when {
            extra = extra + surge_amount(topology, cond, s, c);
        }
    }
    for &f in topology.failovers_into(c) {
        if let Some(share) = failover_share_at(prop, cond, f, c, round) {
            extra = extra + share;
        }
    }
    extra
}

/// What failover `f` moves onto `c` given round `round`'s statuses (`None`: inactive).
fn failover_share_at(
    prop: &Propagator,
    cond: &impl Conditions,
    f: FailoverIdx,
    c: ComponentIdx,
    round: u32,
) -> Option<Exact> {
    let topology = cond.topology();
    let failover = topology.failover(f);
    if prop.status_at(failover.source, round) < failover.when {
        return None;
    }
    let shares = failover_shares(topology, cond, f, |t| prop.status_at(t, round));
    let at = topology.failover_targets(f).iter().position(|t| *t == c)?;
    shares.into_iter().nth(at)
}

/// Why `c` reached `level`.
pub fn hop(prop: &Propagator, cond: &impl Conditions, c: ComponentIdx, level: Status) -> Hop {
    let topology = cond.topology();
    let round = prop.reached(c, level);
    let direct = || Cause::Direct {
        step: cond.last_step(c),
        reason: cond.direct(c, cond.base_load(c)).1.unwrap_or(Reason::Failed),
    };
    let hop = |cause| Hop {
        component: c,
        status: level,
        cause,
    };
    if round == 0 || round == NEVER {
        return hop(direct());
    }
    let before = round - 1;
    for g in topology.groups_of(c) {
        if evaluate_group(topology, g, |m| prop.status_at(m, before)) >= level {
            // The members that make the entry yield `level`.
            let bad = |s: Status| {
                if level == Status::Down {
                    s == Status::Down
                } else {
                    s >= Status::Degraded
                }
            };
            let members = topology.members_of(g);
            let via = members
                .iter()
                .copied()
                .find(|m| bad(prop.status_at(*m, before)))
                .unwrap_or(members[0]);
            return hop(Cause::Dependency {
                group: g,
                via,
                via_status: prop.status_at(via, before),
            });
        }
    }
    match dynamics_cause(prop, cond, c, before) {
        Some(cause) => hop(cause),
        None => hop(direct()),
    }
}

/// The surge or failover that changed in round `before` and, with the rest
/// of the load then, raised `c`; the first by its source's file order.
fn dynamics_cause(prop: &Propagator, cond: &impl Conditions, c: ComponentIdx, before: u32) -> Option<Cause> {
    let topology = cond.topology();
    if topology.surges_into(c).is_empty() && topology.failovers_into(c).is_empty() {
        return None;
    }
    let load = cond.base_load(c) + &extra_at(prop, cond, c, before);
    let reason = cond.direct(c, &load).1?;
    let changed_then = |source: ComponentIdx, when: Status| prop.reached(source, when) == before;
    // Candidates as (source, order, cause), the earliest source first.
    let mut candidates: Vec<(ComponentIdx, usize, Cause)> = Vec::new();
    for &s in topology.surges_into(c) {
        let surge = topology.surge(s);
        if changed_then(surge.source, surge.when) {
            candidates.push((
                surge.source,
                s.index(),
                Cause::Surge {
                    surge: s,
                    via: surge.source,
                    via_status: prop.status_at(surge.source, before),
                    amount: surge_amount(topology, cond, s, c),
                    reason: reason.clone(),
                },
            ));
        }
    }
    for &f in topology.failovers_into(c) {
        let failover = topology.failover(f);
        let target_went_down = topology
            .failover_targets(f)
            .iter()
            .any(|t| *t != c && prop.reached(*t, Status::Down) == before);
        let active = prop.status_at(failover.source, before) >= failover.when;
        if active
            && (changed_then(failover.source, failover.when) || target_went_down)
            && let Some(amount) = failover_share_at(prop, cond, f, c, before)
        {
            candidates.push((
                failover.source,
                usize::MAX,
                Cause::Failover {
                    failover: f,
                    via: failover.source,
                    via_status: prop.status_at(failover.source, before),
                    amount,
                    reason: reason.clone(),
                },
            ));
        }
    }
    candidates.sort_by_key(|(source, order, _)| (*source, *order));
    candidates.into_iter().next().map(|(_, _, cause)| cause)
}

/// Every link of one propagation's cause chains, computed once: (component,
/// level) -> its hop, the length of its chain and the chain's origin.
/// Without it, each affected component would walk its whole chain, which is
/// quadratic on deep graphs (a chain of 20,000 services took 20 GB).
#[derive(Default)]
pub struct Chains {
    links: HashMap<(ComponentIdx, Status), (Hop, usize, Hop)>,
}

impl Chains {
    fn resolve(&mut self, prop: &Propagator, cond: &impl Conditions, start: (ComponentIdx, Status)) {
        let mut pending: Vec<Hop> = Vec::new();
        let mut at = start;
        while !self.links.contains_key(&at) {
            let hop = hop(prop, cond, at.0, at.1);
            let next = hop.cause.via();
            pending.push(hop);
            match next {
                // Rounds strictly decrease along a chain, so this ends.
                Some(via) => at = via,
                None => break,
            }
        }
        while let Some(hop) = pending.pop() {
            let entry = match hop.cause.via().and_then(|via| self.links.get(&via)) {
                Some((_, length, origin)) => (length + 1, origin.clone()),
                None => (1, hop.clone()),
            };
            self.links.insert((hop.component, hop.status), (hop, entry.0, entry.1));
        }
    }

    /// The origin and the last hops of the chain to `c` at `level`, and its full length.
    pub fn path(
        &mut self,
        prop: &Propagator,
        cond: &impl Conditions,
        c: ComponentIdx,
        level: Status,
    ) -> (Vec<Hop>, usize) {
        self.resolve(prop, cond, (c, level));
        let Some((_, length, origin)) = self.links.get(&(c, level)) else {
            return (Vec::new(), 0);
        };
        let (length, origin) = (*length, origin.clone());
        let mut tail = Vec::new();
        let mut at = (c, level);
        while let Some((hop, _, _)) = self.links.get(&at) {
            if tail.len() + 1 == MAX_PATH.min(length) {
                break;
            }
            tail.push(hop.clone());
            match hop.cause.via() {
                Some(via) => at = via,
                None => break,
            }
        }
        if tail.last() != Some(&origin) {
            tail.push(origin);
        }
        tail.reverse();
        (tail, length)
    }
}
