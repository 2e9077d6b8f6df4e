//! Which inputs a status in G depends on (SPEC 4.4: "a component whose
//! status in G is caused by others recovers when the last of them does").
//!
//! An input u of v (a member of one of v's entries, a surge or failover
//! source that reaches v, or another target of a failover onto v) counts
//! when u's status in G alone, everything else at baseline, raises v above
//! its baseline, or when putting u alone back to its baseline lowers v. An
//! `at_risk` member behind a hard entry, or a failover that moves no load,
//! does not count: v's status does not wait for it.
//!
//! Each test changes one input of one component, so it is answered from
//! per-entry counters and per-failover serving sums in O(1), and the whole
//! pass costs what propagation does.

use crate::engine::propagate::{effective_load, group_result, surge_amount};
use crate::engine::state::{Conditions, direct_status};
use crate::model::{ComponentIdx, FailoverIdx, GroupIdx, Topology};
use crate::number::Exact;
use crate::status::Status;

/// The declared system: what a component's inputs alone make of it.
struct Declared<'t>(&'t Topology);

impl Conditions for Declared<'_> {
    fn topology(&self) -> &Topology {
        self.0
    }
    fn direct(&self, c: ComponentIdx, load: &Exact) -> (Status, Option<crate::engine::Reason>) {
        direct_status(self.0, c, 0, &self.0.component(c).capacity, None, load, false)
    }
    fn base_load(&self, c: ComponentIdx) -> &Exact {
        &self.0.component(c).load
    }
    fn capacity(&self, c: ComponentIdx) -> &Exact {
        &self.0.component(c).capacity
    }
}

/// How an input reaches v.
#[derive(Clone, Copy)]
enum Term {
    Member(usize),
    Surge(crate::model::SurgeIdx),
    FailoverSource(usize),
    FailoverPeer(usize),
}

/// v's view of one failover onto it on one side: what the other targets
/// that are not down hold.
#[derive(Clone)]
struct Peers {
    capacity: Exact,
    count: i64,
}

/// Per component of `raised` (those above their baseline in G, in
/// component order), the raised inputs its status in G depends on, in
/// component order; components with none are left out.
pub(crate) fn relevant_inputs(
    topology: &Topology,
    baseline: &[Status],
    in_g: &[Status],
    raised: &[ComponentIdx],
) -> Vec<(ComponentIdx, Vec<ComponentIdx>)> {
    let declared = Declared(topology);
    let sides = [baseline, in_g];
    let is_raised = |c: ComponentIdx| in_g[c.index()] > baseline[c.index()];
    let mut out = Vec::new();
    let mut inputs: Vec<(ComponentIdx, Term)> = Vec::new();
    let mut relevant = Vec::new();
    for &v in raised {
        inputs.clear();
        let groups: Vec<GroupIdx> = topology.groups_of(v).collect();
        for (i, &g) in groups.iter().enumerate() {
            inputs.extend(topology.members_of(g).iter().map(|&m| (m, Term::Member(i))));
        }
        for &s in topology.surges_into(v) {
            inputs.push((topology.surge(s).source, Term::Surge(s)));
        }
        let failovers: &[FailoverIdx] = topology.failovers_into(v);
        for (i, &f) in failovers.iter().enumerate() {
            inputs.push((topology.failover(f).source, Term::FailoverSource(i)));
            inputs.extend(topology.failover_targets(f).iter().map(|&t| (t, Term::FailoverPeer(i))));
        }
        inputs.retain(|(u, _)| *u != v && is_raised(*u));
        if inputs.is_empty() {
            continue;
        }
        inputs.sort_by_key(|(u, _)| *u);
        let view = sides.map(|side| View::new(topology, &declared, side, v, &groups, failovers));
        let lifted_g = view[1].value(&declared, v);
        let mut start = 0;
        while start < inputs.len() {
            let u = inputs[start].0;
            let end = start + inputs[start..].iter().take_while(|(w, _)| *w == u).count();
            let terms = &inputs[start..end];
            let (at_baseline, at_g) = (baseline[u.index()], in_g[u.index()]);
            let alone = view[0].with(topology, &declared, v, &groups, failovers, terms, at_baseline, at_g);
            let without = view[1].with(topology, &declared, v, &groups, failovers, terms, at_g, at_baseline);
            if alone > baseline[v.index()] || without < lifted_g {
                relevant.push(u);
            }
            start = end;
        }
        if !relevant.is_empty() {
            out.push((v, std::mem::take(&mut relevant)));
        }
    }
    out
}

/// Everything v's value depends on, evaluated on one side.
struct View {
    /// v's effective load on this side.
    load: Exact,
    /// Per entry of v: members not down, members ok or at risk, and the result.
    counters: Vec<(u32, u32, Status)>,
    /// How many entries yield each status.
    tally: [u32; 4],
    /// Per failover onto v: the other targets serving, and whether it is on.
    peers: Vec<(Peers, bool)>,
}

impl View {
    fn new(
        topology: &Topology,
        declared: &Declared,
        side: &[Status],
        v: ComponentIdx,
        groups: &[GroupIdx],
        failovers: &[FailoverIdx],
    ) -> Self {
        let status = |c: ComponentIdx| side[c.index()];
        let mut tally = [0; 4];
        let counters = groups
            .iter()
            .map(|&g| {
                let members = topology.members_of(g);
                let not_down = members.iter().filter(|m| status(**m) != Status::Down).count() as u32;
                let healthy = members.iter().filter(|m| status(**m) <= Status::AtRisk).count() as u32;
                let result = group_result(topology.group(g).rule, members.len() as u32, not_down, healthy);
                tally[result.index()] += 1;
                (not_down, healthy, result)
            })
            .collect();
        let peers = failovers
            .iter()
            .map(|&f| {
                let serving = topology
                    .failover_targets(f)
                    .iter()
                    .filter(|t| **t != v && status(**t) != Status::Down);
                let peers = Peers {
                    capacity: serving.clone().map(|t| declared.capacity(*t)).sum(),
                    count: serving.count() as i64,
                };
                let on = status(topology.failover(f).source) >= topology.failover(f).when;
                (peers, on)
            })
            .collect();
        View {
            load: effective_load(topology, declared, v, status),
            counters,
            tally,
            peers,
        }
    }

    /// v's value from its inputs on this side: its direct status with its
    /// effective load, and its entries.
    fn value(&self, declared: &Declared, v: ComponentIdx) -> Status {
        let worst_entry = Status::ALL.into_iter().rev().find(|s| self.tally[s.index()] > 0);
        let direct = declared.direct(v, &self.load).0;
        worst_entry.map_or(direct, |e| e.max(direct))
    }

    /// v's value on this side with input `u` (reaching v through `terms`)
    /// moved from status `from` to `to`.
    #[allow(clippy::too_many_arguments)]
    fn with(
        &self,
        topology: &Topology,
        declared: &Declared,
        v: ComponentIdx,
        groups: &[GroupIdx],
        failovers: &[FailoverIdx],
        terms: &[(ComponentIdx, Term)],
        from: Status,
        to: Status,
    ) -> Status {
        let mut tally = self.tally;
        let mut load = self.load.clone();
        let crosses = |when: Status| (from >= when) != (to >= when);
        let sign = |when: Status| if to >= when { 1 } else { -1 };
        let down_changes = (from == Status::Down) != (to == Status::Down);
        let u = terms[0].0;
        for (_, term) in terms {
            match *term {
                Term::Member(i) => {
                    let (_, _, result) = self.counters[i];
                    let changed = self.member_moved(topology, groups[i], self.counters[i], from, to);
                    tally[result.index()] -= 1;
                    tally[changed.index()] += 1;
                }
                Term::Surge(s) => {
                    let when = topology.surge(s).when;
                    if crosses(when) {
                        let amount = surge_amount(topology, declared, s, v);
                        load = if sign(when) > 0 {
                            &load + &amount
                        } else {
                            &load - &amount
                        };
                    }
                }
                Term::FailoverSource(i) => {
                    let f = failovers[i];
                    let when = topology.failover(f).when;
                    if crosses(when) {
                        let share = share(declared, f, topology, v, &self.peers[i].0);
                        load = if sign(when) > 0 { &load + &share } else { &load - &share };
                    }
                }
                Term::FailoverPeer(i) => {
                    let (peers, on) = &self.peers[i];
                    if *on && down_changes {
                        let moved = peers_moved(peers, declared.capacity(u), to == Status::Down);
                        let f = failovers[i];
                        let delta = &share(declared, f, topology, v, &moved) - &share(declared, f, topology, v, peers);
                        load = &load + &delta;
                    }
                }
            }
        }
        let worst_entry = Status::ALL.into_iter().rev().find(|s| tally[s.index()] > 0);
        let direct = declared.direct(v, &load).0;
        worst_entry.map_or(direct, |e| e.max(direct))
    }

    /// The result of entry `g` (with `counters` as on this side) once one
    /// member moves from status `from` to `to`.
    fn member_moved(
        &self,
        topology: &Topology,
        g: GroupIdx,
        (mut not_down, mut healthy, _): (u32, u32, Status),
        from: Status,
        to: Status,
    ) -> Status {
        if (from == Status::Down) != (to == Status::Down) {
            not_down = if to == Status::Down { not_down - 1 } else { not_down + 1 };
        }
        if (from <= Status::AtRisk) != (to <= Status::AtRisk) {
            healthy = if to <= Status::AtRisk { healthy + 1 } else { healthy - 1 };
        }
        group_result(
            topology.group(g).rule,
            topology.members_of(g).len() as u32,
            not_down,
            healthy,
        )
    }
}

/// The peers serving beside a failover target once one of them, of
/// `capacity`, goes down (`lost`) or comes back.
fn peers_moved(peers: &Peers, capacity: &Exact, lost: bool) -> Peers {
    if lost {
        Peers {
            capacity: &peers.capacity - capacity,
            count: peers.count - 1,
        }
    } else {
        Peers {
            capacity: &peers.capacity + capacity,
            count: peers.count + 1,
        }
    }
}

/// v's share of failover `f` with `peers` serving beside it (SPEC 4.2, as
/// [`crate::engine::propagate::failover_shares`] splits it).
fn share(declared: &Declared, f: FailoverIdx, topology: &Topology, v: ComponentIdx, peers: &Peers) -> Exact {
    let base = declared.base_load(topology.failover(f).source);
    let own = declared.capacity(v);
    let total = own + &peers.capacity;
    if total.is_positive() {
        (base * own).checked_div(&total).unwrap_or_default()
    } else {
        base.checked_div(&Exact::from_int(1 + peers.count)).unwrap_or_default()
    }
}
