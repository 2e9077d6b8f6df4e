//! Components whose down status can come from arithmetic: `min_capacity`
//! (capacity lost with zones) and `collapse_at` (load over capacity, and
//! load dynamics can raise the load). No gate describes those exactly, so
//! the engine is asked directly, over every set of up to K units that can
//! influence the component, smallest sets first, skipping supersets of the
//! cuts already found: what it says is down is down by definition.

use std::collections::{BTreeSet, HashSet};

use crate::analysis::cuts::Member;
use crate::analysis::cuts::family::{Bounds, Family, Set, SetOfSets, minimise, select};
use crate::analysis::cuts::units::{Probe, Units};
use crate::engine::state::{NEEDS_RESTART, direct_status};
use crate::model::{ComponentIdx, Topology, ZoneIdx};
use crate::number::Exact;
use crate::status::Status;

pub(super) enum Influence {
    /// Only the gates can take it down.
    None,
    /// Its own zones and regions (capacity against `min_capacity`, or its
    /// fixed load against `collapse_at`), besides the gates.
    Own(Vec<u32>),
    /// Load dynamics reach it: anything upstream of it, or of what sends it
    /// load, can raise its load, through any entry (a degraded dependency
    /// is enough to start a surge).
    Wide {
        units: Vec<u32>,
        components: Vec<ComponentIdx>,
    },
}

pub(super) fn influence(topology: &Topology, units: Units, c: ComponentIdx) -> Influence {
    let extras = topology.component(c).extras();
    if extras.min_capacity.is_none() && extras.collapse_at.is_none() {
        return Influence::None;
    }
    let loaded = extras.collapse_at.is_some()
        && topology.has_dynamics()
        && !(topology.surges_into(c).is_empty() && topology.failovers_into(c).is_empty());
    let mut out = BTreeSet::new();
    if !loaded {
        zone_units(topology, units, c, &mut out);
        return Influence::Own(out.into_iter().collect());
    }
    let mut seen: HashSet<ComponentIdx> = HashSet::from([c]);
    let mut stack = vec![c];
    while let Some(x) = stack.pop() {
        out.insert(units.component(x));
        zone_units(topology, units, x, &mut out);
        let mut reach = |y: ComponentIdx| {
            if seen.insert(y) {
                stack.push(y);
            }
        };
        for g in topology.groups_of(x) {
            topology.members_of(g).iter().for_each(|m| reach(*m));
        }
        for s in topology.surges_into(x) {
            reach(topology.surge(*s).source);
        }
        // A failover's share onto `x` depends on its source and on which
        // of its other targets are down, and on their capacities.
        for f in topology.failovers_into(x) {
            reach(topology.failover(*f).source);
            topology.failover_targets(*f).iter().for_each(|t| reach(*t));
        }
    }
    let mut components: Vec<ComponentIdx> = seen.into_iter().collect();
    components.sort_unstable();
    Influence::Wide {
        units: out.into_iter().collect(),
        components,
    }
}

fn zone_units(topology: &Topology, units: Units, c: ComponentIdx, out: &mut BTreeSet<u32>) {
    for p in topology.placements_of(c) {
        if let Some(z) = p.zone {
            out.insert(units.zone(z));
            out.insert(units.region(topology.zone(z).region));
        }
    }
}

/// The minimal sets of up to K of `candidates` (its own zones and regions)
/// that take `c` down directly: no load reaches it but its own, so its
/// direct status (the engine's function, SPEC 4.1) depends only on the
/// capacity its failed zones leave. Computed here rather than by failing
/// the zones in the engine, which would propagate through everything
/// placed there, many times per component.
pub(super) fn own_cuts(
    topology: &Topology,
    units: Units,
    c: ComponentIdx,
    candidates: &[u32],
    bounds: Bounds,
) -> Family {
    let component = topology.component(c);
    let min = component.extras().min_capacity.as_ref();
    let down = |set: &[u32]| {
        let failed = |z: ZoneIdx| {
            set.iter().any(|u| match units.member(*u) {
                Member::Zone(f) => f == z,
                Member::Region(r) => topology.zone(z).region == r,
                Member::Component(_) => false,
            })
        };
        let mut capacity = Exact::ZERO;
        let mut lost_zone = false;
        for p in topology.placements_of(c) {
            match p.zone {
                Some(z) if failed(z) => lost_zone = true,
                _ => capacity = &capacity + &p.capacity,
            }
        }
        // Falling below `min_capacity` needs a restart (SPEC section 3).
        let flags = if min.is_some_and(|m| capacity < *m) {
            NEEDS_RESTART
        } else {
            0
        };
        let (status, _) = direct_status(topology, c, flags, &capacity, None, &component.load, lost_zone);
        status == Status::Down
    };
    enumerate(candidates, bounds, down)
}

/// The minimal sets of up to K of `candidates` under which the engine says
/// `c` is down.
pub(super) fn cuts(probe: &mut Probe, c: ComponentIdx, candidates: &[u32], bounds: Bounds) -> Family {
    enumerate(candidates, bounds, |set| probe.status(set, c) == Status::Down)
}

/// The minimal sets of up to K of `candidates` for which `down` holds
/// (`down` is monotone), smallest first, skipping supersets of those found.
fn enumerate(candidates: &[u32], bounds: Bounds, mut down: impl FnMut(&[u32]) -> bool) -> Family {
    let mut found: Vec<Set> = Vec::new();
    let mut kept = SetOfSets::default();
    let mut set = Vec::new();
    for size in 1..=bounds.max_size.min(candidates.len()) {
        // Indices of the current combination, in lexicographic order.
        let mut at: Vec<usize> = (0..size).collect();
        loop {
            set.clear();
            set.extend(at.iter().map(|i| candidates[*i]));
            if !contains_subset(&set, &kept) && down(&set) {
                let cut: Set = set.clone().into_boxed_slice();
                kept.insert(cut.clone());
                found.push(cut);
            }
            if !next_combination(&mut at, candidates.len()) {
                break;
            }
        }
    }
    minimise(found, false, bounds)
}

/// Whether some set of `kept` lies inside `set` (all kept sets are smaller).
fn contains_subset(set: &[u32], kept: &SetOfSets) -> bool {
    if kept.is_empty() {
        return false;
    }
    let full = 1u32 << set.len();
    let mut scratch = Vec::with_capacity(set.len());
    (1..full).any(|mask| kept.contains(select(set, mask, &mut scratch)))
}

/// Advances `at` to the next combination of `at.len()` of `n` indices.
fn next_combination(at: &mut [usize], n: usize) -> bool {
    let k = at.len();
    let Some(i) = (0..k).rev().find(|i| at[*i] < n - k + *i) else {
        return false;
    };
    at[i] += 1;
    for j in i + 1..k {
        at[j] = at[j - 1] + 1;
    }
    true
}
