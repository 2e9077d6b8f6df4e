//! The target's down event expanded, bottom-up, into the minimal cut sets
//! of every component it can be reached through (MOCUS-style fault-tree
//! expansion, every family kept to sets of at most K units).
//!
//! SPEC 4.1 says what makes a component down: its own failure; losing the
//! capacity of every zone it holds capacity in (a zone fails by itself or
//! with its region); a hard entry whose members are all down; a quorum K of
//! n with n - K + 1 members down (`any_of` is K = 1); and, for components
//! with `min_capacity` or `collapse_at`, capacity or load crossing a limit.
//! Soft entries never take a dependent down. The first four are the fault
//! tree's gates. The limits depend on arithmetic and on load dynamics, so
//! for those components the engine itself is asked, over every set of up to
//! K units that can influence them (module `local`).
//!
//! Components are visited in the order of the condensation of the
//! down-carrying dependency graph, dependencies first. Inside a cycle the
//! families are the least fixpoint of their equations, reached by iterating
//! from "never": as in the engine, a cycle alone cannot bring itself down.

use std::collections::{HashMap, HashSet};

use petgraph::Direction;
use petgraph::graph::{DiGraph, NodeIndex};

use crate::analysis::cuts::family::{Bounds, Family};
use crate::analysis::cuts::local;
use crate::analysis::cuts::units::{Probe, Units};
use crate::model::{ComponentIdx, Rule, Topology};
use crate::status::Status;

pub(super) struct Expansion<'p, 'o, 't> {
    topology: &'t Topology,
    units: Units,
    probe: &'p mut Probe<'o, 't>,
    bounds: Bounds,
    /// The target's down-carrying upstream cone, sorted.
    cone: Vec<ComponentIdx>,
    position: HashMap<ComponentIdx, usize>,
    families: Vec<Family>,
    /// Components outside the cone that load dynamics let influence it.
    pub influence: HashSet<ComponentIdx>,
    /// Components whose families are asked for at the end (the target's).
    kept: Vec<ComponentIdx>,
}

impl<'p, 'o, 't> Expansion<'p, 'o, 't> {
    /// `kept`: the components whose families [`Expansion::family_of`] will be asked for.
    pub fn new(
        topology: &'t Topology,
        probe: &'p mut Probe<'o, 't>,
        bounds: Bounds,
        cone: Vec<ComponentIdx>,
        kept: Vec<ComponentIdx>,
    ) -> Self {
        let position = cone.iter().enumerate().map(|(i, c)| (*c, i)).collect();
        Expansion {
            topology,
            units: Units::new(topology),
            probe,
            bounds,
            families: vec![Family::never(); cone.len()],
            cone,
            position,
            influence: HashSet::new(),
            kept,
        }
    }

    /// Every family in the cone, dependencies first.
    pub fn run(&mut self, mut progress: impl FnMut(usize, usize)) {
        let mut graph: DiGraph<(), (), u32> = DiGraph::with_capacity(self.cone.len(), 0);
        for _ in &self.cone {
            graph.add_node(());
        }
        for (i, c) in self.cone.iter().enumerate() {
            for g in self.topology.groups_of(*c) {
                if !self.topology.group(g).rule.carries_down() {
                    continue;
                }
                for m in self.topology.members_of(g) {
                    if let Some(j) = self.position.get(m) {
                        graph.add_edge(NodeIndex::new(i), NodeIndex::new(*j), ());
                    }
                }
            }
        }
        // Sets come after every set they reach (kosaraju_scc: iterative, so
        // a deep chain cannot overflow the stack).
        let sccs = petgraph::algo::kosaraju_scc(&graph);
        // A family is dropped once every dependent has read it, so a long
        // chain holds one family at a time, not one per link.
        let mut readers: Vec<usize> = (0..self.cone.len())
            .map(|i| graph.neighbors_directed(NodeIndex::new(i), Direction::Incoming).count())
            .collect();
        for (done, scc) in sccs.iter().enumerate() {
            let members: Vec<usize> = scc.iter().map(|n| n.index()).collect();
            if members.len() == 1 {
                self.families[members[0]] = self.family(self.cone[members[0]]);
            } else {
                self.fixpoint(&members);
            }
            for &i in &members {
                for j in graph.neighbors_directed(NodeIndex::new(i), Direction::Outgoing) {
                    readers[j.index()] -= 1;
                    if readers[j.index()] == 0 && !self.kept.contains(&self.cone[j.index()]) {
                        self.families[j.index()] = Family::never();
                    }
                }
            }
            if done % 256 == 0 {
                progress(done, sccs.len());
            }
        }
        progress(sccs.len(), sccs.len());
    }

    /// A cycle's families: Kleene iteration from "never". A derivation that
    /// takes a member down never needs to pass the same member twice, so
    /// one round per member (plus one to see nothing changes) reaches the
    /// least fixpoint; the bound only matters for truncated families, whose
    /// truncation could otherwise keep changing which sets are kept.
    fn fixpoint(&mut self, members: &[usize]) {
        for _round in 0..=members.len() {
            let mut changed = false;
            for &i in members {
                let next = self.family(self.cone[i]);
                if next != self.families[i] {
                    self.families[i] = next;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
    }

    pub fn family_of(&self, c: ComponentIdx) -> Family {
        self.position
            .get(&c)
            .map_or_else(Family::never, |i| self.families[*i].clone())
    }

    /// What takes `c` down, from the current families of its members.
    fn family(&mut self, c: ComponentIdx) -> Family {
        if self.probe.status(&[], c) == Status::Down {
            return Family::always();
        }
        let own = Family::unit(self.units.component(c));
        let mut family = match local::influence(self.topology, self.units, c) {
            local::Influence::None => own.or(&self.placement(c), self.bounds),
            local::Influence::Own(units) => own.or(
                &local::own_cuts(self.topology, self.units, c, &units, self.bounds),
                self.bounds,
            ),
            local::Influence::Wide { units, components } => {
                // The engine's answer over everything that can reach `c`
                // already covers its dependencies.
                self.influence.extend(components);
                return own.or(&local::cuts(self.probe, c, &units, self.bounds), self.bounds);
            }
        };
        let never = Family::never();
        for g in self.topology.groups_of(c) {
            let group = self.topology.group(g);
            let need = match group.rule {
                Rule::Soft => continue,
                // A hard entry yields down when no member is left (SPEC 4.1;
                // written entries have one member).
                Rule::Hard => group.size(),
                Rule::Quorum { k, .. } => group.size() - k + 1,
            };
            let members: Vec<&Family> = self
                .topology
                .members_of(g)
                .iter()
                .map(|m| self.position.get(m).map_or(&never, |i| &self.families[*i]))
                .collect();
            let entry = Family::at_least(&members, need as usize, self.bounds);
            family = family.or(&entry, self.bounds);
            if family.is_always() {
                break;
            }
        }
        family
    }

    /// A component with capacity in zones only is down once each of those
    /// zones has failed, by itself or with its region (its capacity is 0).
    fn placement(&self, c: ComponentIdx) -> Family {
        let mut family = Family::always();
        let mut any = false;
        let mut zones: Vec<_> = Vec::new();
        for p in self.topology.placements_of(c) {
            if !p.capacity.is_positive() {
                continue;
            }
            match p.zone {
                Some(z) => zones.push(z),
                // Global capacity: no zone failure reaches it.
                None => return Family::never(),
            }
        }
        zones.sort_unstable();
        zones.dedup();
        for z in zones {
            any = true;
            let region = self.topology.zone(z).region;
            let lost = Family::unit(self.units.zone(z)).or(&Family::unit(self.units.region(region)), self.bounds);
            family = family.and(&lost, self.bounds);
        }
        if any { family } else { Family::never() }
    }
}
