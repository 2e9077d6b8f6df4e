//! `blast cuts`: the minimal sets of failures (components, zones, regions)
//! that take a target down.
//!
//! The target's down event is expanded top-down into a fault tree and its
//! minimal cut sets computed bottom-up, every family of sets kept to at most
//! K units (modules `expand` and `family`): the answer is complete by construction,
//! not grown from sets already found. Zones and regions are failure units
//! like components, failed as `fail_zone`/`fail_region` would. Each set is
//! then confirmed by the engine (an [`Overlay`]): it takes the target down,
//! and no set with one unit fewer does. `max_sets` bounds both what is kept
//! per family and what is listed, so a wide quorum at a large K stops with a
//! truncated list instead of enumerating millions of sets.

mod expand;
mod family;
mod local;
mod units;

use std::collections::{HashMap, HashSet};

use crate::analysis::ImpactCounter;
use crate::analysis::cuts::expand::Expansion;
use crate::analysis::cuts::family::{Bounds, Family};
use crate::analysis::cuts::units::{Probe, Units};
use crate::engine::overlay::Overlay;
use crate::error::{Diagnostic, Error, Result, nearest};
use crate::model::{ComponentIdx, RegionIdx, Topology, ZoneIdx};
use crate::number::Exact;
use crate::status::Status;
use crate::text::shown;

/// What must go down: an app (any component), or a customer (any of its apps).
#[derive(Debug, Clone)]
pub struct Target {
    pub components: Vec<ComponentIdx>,
}

impl Target {
    /// The target `id` names: an app (any component), or a customer (any of its apps).
    pub fn resolve(topology: &Topology, id: &str) -> Result<Target> {
        if let Some(c) = topology.find(id) {
            return Ok(Target { components: vec![c] });
        }
        if let Some(customer) = topology.find_customer(id) {
            return Ok(Target {
                components: topology.customer(customer).apps().collect(),
            });
        }
        let diagnostic = Diagnostic::new(format!(
            "`{}` is not a component or customer of `{}`",
            shown(id),
            shown(&topology.source().display().to_string())
        ))
        .suggest(nearest(
            id,
            topology
                .component_ids()
                .chain(topology.customers().iter().map(|c| c.id.as_str())),
        ));
        Err(Error::usage(diagnostic))
    }
}

/// One failure unit of a cut set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Member {
    Component(ComponentIdx),
    /// The zone fails as `fail_zone` would: every component placed there
    /// loses what it holds there.
    Zone(ZoneIdx),
    /// Every zone of the region fails, as `fail_region` would.
    Region(RegionIdx),
}

impl Member {
    /// The component's id, or `zone ID`, `region ID` (ids hold no spaces,
    /// so the three cannot be confused).
    pub fn label(self, topology: &Topology) -> String {
        match self {
            Member::Component(c) => topology.component(c).id.to_string(),
            Member::Zone(z) => format!("zone {}", topology.zone(z).id),
            Member::Region(r) => format!("region {}", topology.region(r).id),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct CutSet {
    /// Members: components in id order, then zones, then regions.
    pub members: Vec<Member>,
    /// Customer weight down when the whole set fails.
    pub weight_down: Exact,
}

/// How far the search goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest set listed (K).
    pub max_size: usize,
    /// The search stops once it has this many minimal sets.
    pub max_sets: usize,
}

impl Limits {
    pub const DEFAULT_MAX_SETS: usize = 10_000;
}

#[derive(Debug, Clone, PartialEq)]
pub struct Cuts {
    /// The target is down before anything fails.
    pub already_down: bool,
    /// Components whose failure can reach the target.
    pub cone: usize,
    pub sets: Vec<CutSet>,
    /// The search stopped at `max_sets`: more minimal sets may exist.
    pub truncated: bool,
}

/// The components whose failure can travel to the target as `down`.
fn cone(topology: &Topology, target: &Target) -> Vec<ComponentIdx> {
    let mut seen: HashSet<ComponentIdx> = target.components.iter().copied().collect();
    let mut stack: Vec<ComponentIdx> = target.components.clone();
    while let Some(c) = stack.pop() {
        for g in topology.groups_of(c) {
            if !topology.group(g).rule.carries_down() {
                continue;
            }
            for m in topology.members_of(g) {
                if seen.insert(*m) {
                    stack.push(*m);
                }
            }
        }
    }
    let mut cone: Vec<ComponentIdx> = seen.into_iter().collect();
    cone.sort_unstable();
    cone
}

/// [`cuts_with`] with the default `max_sets`.
pub fn cuts(topology: &Topology, target: &Target, max_size: usize, progress: impl FnMut(usize, usize)) -> Cuts {
    let limits = Limits {
        max_size,
        max_sets: Limits::DEFAULT_MAX_SETS,
    };
    cuts_with(topology, target, limits, progress)
}

/// Every minimal set of at most `limits.max_size` units that takes the
/// target down, up to `limits.max_sets` of them, sorted by size, then
/// customer weight down (largest first), then members.
pub fn cuts_with(topology: &Topology, target: &Target, limits: Limits, progress: impl FnMut(usize, usize)) -> Cuts {
    let mut overlay = Overlay::new(topology);
    let cone = cone(topology, target);
    if target.components.iter().any(|c| overlay.baseline(*c) == Status::Down) {
        return Cuts {
            already_down: true,
            cone: cone.len(),
            sets: Vec::new(),
            truncated: false,
        };
    }
    let mut probe = Probe::new(&mut overlay);
    let (family, reach) = expand_target(topology, target, &mut probe, limits, &cone, progress);
    let mut truncated = family.truncated;
    let mut confirmed = Vec::new();
    let mut counter = ImpactCounter::new(probe.current(), Status::Down);
    // Sets share their smaller sets ({zone a, x} and {zone a, y} both ask
    // about {zone a}), and a zone's failure costs what is placed there.
    let mut smaller: HashMap<Box<[u32]>, bool> = HashMap::new();
    for set in family.sets.iter() {
        if confirmed.len() == limits.max_sets {
            truncated = true;
            break;
        }
        // The expansion follows the engine's rules; the engine has the last word.
        if !probe.any_down(set, &target.components) {
            continue;
        }
        let weight_down = counter.measure(probe.current()).customers.down_weight;
        let minimal = (0..set.len()).all(|skip| {
            let without: Box<[u32]> = set
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != skip)
                .map(|(_, u)| *u)
                .collect();
            !*smaller
                .entry(without)
                .or_insert_with_key(|without| probe.any_down(without, &target.components))
        });
        if minimal {
            confirmed.push((set.clone(), weight_down));
        }
    }
    probe.apply(&[]);
    Cuts {
        already_down: false,
        cone: reach,
        sets: order(topology, confirmed),
        truncated,
    }
}

/// The target's family, with the cap per family raised while the only
/// thing cut was an intermediate family (a wide quorum's partial counts can
/// far outnumber its result) and the result stays under `max_sets`; and how
/// many components can reach the target.
fn expand_target<'t>(
    topology: &'t Topology,
    target: &Target,
    probe: &mut Probe<'_, 't>,
    limits: Limits,
    cone: &[ComponentIdx],
    mut progress: impl FnMut(usize, usize),
) -> (Family, usize) {
    let max_sets = limits.max_sets.max(1);
    let mut cap = max_sets;
    loop {
        let bounds = Bounds {
            max_size: limits.max_size,
            cap,
        };
        let mut expansion = Expansion::new(topology, probe, bounds, cone.to_vec(), target.components.clone());
        expansion.run(&mut progress);
        let mut family = Family::never();
        for c in &target.components {
            family = family.or(&expansion.family_of(*c), bounds);
        }
        let reach = cone.len()
            + expansion
                .influence
                .iter()
                .filter(|c| cone.binary_search(c).is_err())
                .count();
        if !family.truncated || family.sets.len() >= max_sets || cap >= max_sets.saturating_mul(MAX_CAP_GROWTH) {
            return (family, reach);
        }
        cap = cap.saturating_mul(4);
    }
}

/// How far the cap per family may grow past `max_sets` (memory stays within
/// this factor of what is printed).
const MAX_CAP_GROWTH: usize = 64;

/// Each set's members, in output order.
fn order(topology: &Topology, confirmed: Vec<(Box<[u32]>, Exact)>) -> Vec<CutSet> {
    let units = Units::new(topology);
    let mut sets: Vec<(Vec<String>, CutSet)> = confirmed
        .into_iter()
        .map(|(set, weight_down)| {
            let mut members: Vec<Member> = set.iter().map(|u| units.member(*u)).collect();
            members.sort_by_key(|m| (rank(*m), m.label(topology)));
            let labels = members.iter().map(|m| m.label(topology)).collect();
            (labels, CutSet { members, weight_down })
        })
        .collect();
    sets.sort_by(|(a_ids, a), (b_ids, b)| {
        a.members
            .len()
            .cmp(&b.members.len())
            .then_with(|| b.weight_down.cmp(&a.weight_down))
            .then_with(|| a_ids.cmp(b_ids))
    });
    sets.into_iter().map(|(_, set)| set).collect()
}

/// Components before zones before regions within a set.
fn rank(m: Member) -> u8 {
    match m {
        Member::Component(_) => 0,
        Member::Zone(_) => 1,
        Member::Region(_) => 2,
    }
}
