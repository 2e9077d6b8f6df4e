//! What `blast graph` and the markdown diagram draw, as data: the nodes
//! (with their region, zone and status), dependency edges, and the edges of
//! load dynamics and state. Renderers turn it into DOT or Mermaid.

use std::collections::{BTreeSet, VecDeque};

use crate::engine::Outcome;
use crate::model::{ComponentIdx, Rule, SurgeEffect, Topology};
use crate::plan::Plan;
use crate::status::Status;

/// One component to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Stable across drawings of one topology (the component's position).
    pub key: usize,
    pub id: String,
    pub kind: String,
    /// Its worst status, when an operation was given.
    pub status: Option<Status>,
    /// A step acts on it directly.
    pub target: bool,
    pub region: Option<String>,
    /// Only for components in exactly one zone.
    pub zone: Option<String>,
}

/// What an edge stands for; it points from the component that needs (or
/// receives) to the one it comes from, as dependencies read.
#[derive(Debug, Clone, PartialEq)]
pub enum EdgeKind {
    Hard,
    Soft,
    /// `any_of` or `K of N`.
    Quorum(String),
    /// A surge of `from` adds load to `to` (label: `x3`, `+40`, `when`).
    Surge(String),
    /// `from`'s failover moves its load to `to`.
    Failover,
    /// `from` keeps its configuration in the store `to`.
    State,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    /// Positions in [`GraphData::nodes`].
    pub from: usize,
    pub to: usize,
    pub kind: EdgeKind,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct GraphData {
    /// Whether nodes carry statuses (an operation was given).
    pub with_status: bool,
    /// In component order.
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
    /// Affected components left out of a capped diagram.
    pub omitted: usize,
}

/// How many components a pull-request diagram draws at most.
pub const DIAGRAM_CAP: usize = 40;

/// The graph of `nodes` (all when `None`), coloured by `run`'s statuses.
pub fn graph(topology: &Topology, run: Option<(&Plan, &Outcome)>, nodes: Option<&BTreeSet<ComponentIdx>>) -> GraphData {
    let targets: BTreeSet<ComponentIdx> = run.map_or_else(BTreeSet::new, |(plan, _)| {
        plan.steps.iter().flat_map(|s| s.matched.iter().copied()).collect()
    });
    let drawn: Vec<ComponentIdx> = topology
        .component_indices()
        .filter(|c| nodes.is_none_or(|set| set.contains(c)))
        .collect();
    let mut position = vec![usize::MAX; topology.components().len()];
    for (i, c) in drawn.iter().enumerate() {
        position[c.index()] = i;
    }
    let node = |c: ComponentIdx| {
        let component = topology.component(c);
        let zones: Vec<_> = topology.placements_of(c).iter().filter_map(|p| p.zone).collect();
        Node {
            key: c.index(),
            id: component.id.to_string(),
            kind: component.kind.to_string(),
            status: run.map(|(_, outcome)| outcome.worst[c.index()]),
            target: targets.contains(&c),
            region: topology.region_id_of(c).map(str::to_string),
            zone: match zones.as_slice() {
                [z] => Some(topology.zone(*z).id.clone()),
                _ => None,
            },
        }
    };
    let mut edges = Vec::new();
    let mut push = |from: ComponentIdx, to: ComponentIdx, kind: EdgeKind| {
        let (a, b) = (position[from.index()], position[to.index()]);
        if a != usize::MAX && b != usize::MAX {
            edges.push(Edge { from: a, to: b, kind });
        }
    };
    for &c in &drawn {
        for g in topology.groups_of(c) {
            let members = topology.members_of(g);
            let kind = match topology.group(g).rule {
                Rule::Hard => EdgeKind::Hard,
                Rule::Soft => EdgeKind::Soft,
                Rule::Quorum { any_of: true, .. } => EdgeKind::Quorum("any_of".to_string()),
                Rule::Quorum { k, .. } => EdgeKind::Quorum(format!("{k} of {}", members.len())),
            };
            for m in members {
                push(c, *m, kind.clone());
            }
        }
        if let Some(store) = topology.component(c).state {
            push(c, store, EdgeKind::State);
        }
        for s in topology.surges_of(c) {
            let surge = topology.surge(s);
            let effect = match &surge.effect {
                SurgeEffect::Factor(f) => format!("x{f}"),
                SurgeEffect::Amount(a) => format!("+{a}"),
            };
            let label = format!("surge {effect} when {}", surge.when);
            for t in topology.surge_targets(s) {
                // Drawn from the one that receives the load, like a dependency.
                push(*t, c, EdgeKind::Surge(label.clone()));
            }
        }
        if let Some(f) = topology.component(c).extras().failover {
            for t in topology.failover_targets(f) {
                push(*t, c, EdgeKind::Failover);
            }
        }
    }
    GraphData {
        with_status: run.is_some(),
        nodes: drawn.into_iter().map(node).collect(),
        edges,
        omitted: 0,
    }
}

/// The affected components of a run (worst first, at most [`DIAGRAM_CAP`]),
/// for a pull-request comment.
pub fn affected(topology: &Topology, plan: &Plan, outcome: &Outcome) -> GraphData {
    let mut affected: Vec<(Status, ComponentIdx)> = outcome.affected.iter().map(|a| (a.status, a.component)).collect();
    affected.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let omitted = affected.len().saturating_sub(DIAGRAM_CAP);
    let nodes: BTreeSet<ComponentIdx> = affected.into_iter().take(DIAGRAM_CAP).map(|(_, c)| c).collect();
    GraphData {
        omitted,
        ..graph(topology, Some((plan, outcome)), Some(&nodes))
    }
}

/// The neighbourhood of `focus` up to `depth` hops, following dependencies both ways.
pub fn neighbourhood(topology: &Topology, focus: ComponentIdx, depth: usize) -> BTreeSet<ComponentIdx> {
    let mut seen = BTreeSet::from([focus]);
    let mut queue = VecDeque::from([(focus, 0)]);
    while let Some((c, d)) = queue.pop_front() {
        if d == depth {
            continue;
        }
        let upstream = topology
            .groups_of(c)
            .flat_map(|g| topology.members_of(g).iter().copied());
        let downstream = topology.dependents_of(c).map(|g| topology.group(g).dependent);
        for next in upstream.chain(downstream).collect::<Vec<_>>() {
            if seen.insert(next) {
                queue.push_back((next, d + 1));
            }
        }
    }
    seen
}
