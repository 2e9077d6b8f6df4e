//! `blast cuts`: the minimal sets of component failures that take a target down.
//!
//! Only the target's upstream cone can matter, over entries that carry
//! `down` (hard and quorum; soft entries never take a dependent down). Sets
//! grow one member at a time, and only by a component whose failure reaches
//! a quorum entry the set already hits partially: a failure that touches
//! nothing the set touches cannot combine with it. Every set that takes the
//! target down is checked for minimality; sets that do not are extended, up
//! to `max_size`.

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::analysis::ImpactCounter;
use crate::engine::overlay::Overlay;
use crate::error::{Diagnostic, Error, Result, nearest};
use crate::model::{ComponentIdx, GroupIdx, Rule, Topology};
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
                components: topology.customer(customer).apps.clone(),
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

#[derive(Debug, Clone, PartialEq)]
pub struct CutSet {
    /// Members, in id order.
    pub members: Vec<ComponentIdx>,
    /// Customer weight down when the whole set fails.
    pub weight_down: Exact,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Cuts {
    /// The target is down before anything fails.
    pub already_down: bool,
    /// Components in the target's upstream cone.
    pub cone: usize,
    pub sets: Vec<CutSet>,
}

struct Search<'o, 't> {
    overlay: &'o mut Overlay<'t>,
    target: &'o Target,
}

impl Search<'_, '_> {
    fn down(&mut self, set: &[ComponentIdx]) -> bool {
        self.overlay.fail(set);
        let down = self
            .target
            .components
            .iter()
            .any(|c| self.overlay.status(*c) == Status::Down);
        self.overlay.reset();
        down
    }
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

/// Quorum entries (in the cone) that the overlay's current failures hit
/// without yet taking them down.
fn partial_groups(overlay: &Overlay, in_cone: &HashSet<ComponentIdx>, out: &mut BTreeSet<GroupIdx>) {
    let topology = overlay.topology();
    for (c, _) in overlay.changed() {
        if overlay.status(c) != Status::Down {
            continue;
        }
        for g in topology.dependents_of(c) {
            let group = topology.group(g);
            if matches!(group.rule, Rule::Quorum { .. }) && in_cone.contains(&group.dependent) && !overlay.group_down(g)
            {
                out.insert(g);
            }
        }
    }
}

pub fn cuts(topology: &Topology, target: &Target, max_size: usize, mut progress: impl FnMut(usize, usize)) -> Cuts {
    let mut overlay = Overlay::new(topology);
    let cone = cone(topology, target);
    let in_cone: HashSet<ComponentIdx> = cone.iter().copied().collect();
    if target.components.iter().any(|c| overlay.baseline(*c) == Status::Down) {
        return Cuts {
            already_down: true,
            cone: cone.len(),
            sets: Vec::new(),
        };
    }

    // Singletons, and which quorum entries each candidate's failure reaches.
    let mut found: Vec<Vec<ComponentIdx>> = Vec::new();
    let mut frontier: Vec<Vec<ComponentIdx>> = Vec::new();
    let mut hitters: HashMap<GroupIdx, Vec<ComponentIdx>> = HashMap::new();
    let mut single_cut: HashSet<ComponentIdx> = HashSet::new();
    for (i, &c) in cone.iter().enumerate() {
        overlay.fail(&[c]);
        if target.components.iter().any(|t| overlay.status(*t) == Status::Down) {
            single_cut.insert(c);
            found.push(vec![c]);
        } else {
            frontier.push(vec![c]);
            let mut reached = BTreeSet::new();
            for (changed, _) in overlay.changed() {
                if overlay.status(changed) == Status::Down {
                    reached.extend(topology.dependents_of(changed));
                }
            }
            for g in reached {
                if matches!(topology.group(g).rule, Rule::Quorum { .. }) {
                    hitters.entry(g).or_default().push(c);
                }
            }
        }
        overlay.reset();
        if i % 256 == 0 {
            progress(i, cone.len());
        }
    }

    let mut search = Search {
        overlay: &mut overlay,
        target,
    };
    let mut visited: HashSet<Vec<ComponentIdx>> = HashSet::new();
    for _size in 2..=max_size {
        let mut next = Vec::new();
        for set in &frontier {
            search.overlay.fail(set);
            let mut groups = BTreeSet::new();
            partial_groups(search.overlay, &in_cone, &mut groups);
            search.overlay.reset();
            let extensions: BTreeSet<ComponentIdx> = groups
                .iter()
                .flat_map(|g| hitters.get(g).into_iter().flatten().copied())
                .filter(|c| !set.contains(c) && !single_cut.contains(c))
                .collect();
            for c in extensions {
                let mut bigger = set.clone();
                bigger.push(c);
                bigger.sort_unstable();
                if !visited.insert(bigger.clone()) {
                    continue;
                }
                if search.down(&bigger) {
                    let minimal = (0..bigger.len()).all(|skip| {
                        let smaller: Vec<ComponentIdx> = bigger
                            .iter()
                            .enumerate()
                            .filter(|(i, _)| *i != skip)
                            .map(|(_, c)| *c)
                            .collect();
                        !search.down(&smaller)
                    });
                    if minimal {
                        found.push(bigger);
                    }
                } else {
                    next.push(bigger);
                }
            }
        }
        frontier = next;
    }

    let mut counter = ImpactCounter::new(search.overlay, Status::Down);
    let mut sets: Vec<CutSet> = found
        .into_iter()
        .map(|mut members| {
            members.sort_by(|a, b| topology.component(*a).id.cmp(&topology.component(*b).id));
            search.overlay.fail(&members);
            let weight_down = counter.measure(search.overlay).customers.down_weight;
            search.overlay.reset();
            CutSet { members, weight_down }
        })
        .collect();
    sets.sort_by(|a, b| {
        a.members
            .len()
            .cmp(&b.members.len())
            .then_with(|| b.weight_down.cmp(&a.weight_down))
            .then_with(|| {
                let ids = |s: &CutSet| {
                    s.members
                        .iter()
                        .map(|m| topology.component(*m).id.clone())
                        .collect::<Vec<_>>()
                };
                ids(a).cmp(&ids(b))
            })
    });
    Cuts {
        already_down: false,
        cone: cone.len(),
        sets,
    }
}
