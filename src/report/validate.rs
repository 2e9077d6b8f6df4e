//! `blast validate`: what a topology holds, and what looks wrong in it
//! without being an error.

use std::collections::BTreeMap;

use petgraph::algo::tarjan_scc;
use serde::Serialize;

use crate::model::{ComponentIdx, Section, Topology};
use crate::text::fmt_num;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Inventory {
    pub name: Option<String>,
    pub components: usize,
    /// Components per kind, in kind order.
    pub kinds: BTreeMap<String, usize>,
    pub regions: usize,
    pub zones: usize,
    pub dependencies: usize,
    pub customers: usize,
    pub apps: usize,
    pub scenarios: Vec<String>,
    pub warnings: Vec<Warning>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Warning {
    pub kind: WarningKind,
    /// The components it is about, in file order.
    pub components: Vec<String>,
    pub message: String,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum WarningKind {
    DependencyCycle,
    OverloadedAtStart,
    UnusedDataStore,
}

pub fn inventory(topology: &Topology) -> Inventory {
    let mut kinds = BTreeMap::new();
    for c in topology.components() {
        *kinds.entry(c.kind.to_string()).or_insert(0) += 1;
    }
    Inventory {
        name: topology.name().map(str::to_string),
        components: topology.components().len(),
        kinds,
        regions: topology.regions().len(),
        zones: topology.zones().len(),
        dependencies: topology.dependency_count(),
        customers: topology.customers().len(),
        apps: topology.customers().iter().map(|c| c.apps.len()).sum(),
        scenarios: topology.scenarios().iter().map(|s| s.name.clone()).collect(),
        warnings: warnings(topology),
    }
}

/// Cycles first, then overloads, then unused stores; each in file order.
pub fn warnings(topology: &Topology) -> Vec<Warning> {
    let mut out = cycles(topology);
    for c in topology.components() {
        if c.load > c.capacity {
            out.push(Warning {
                kind: WarningKind::OverloadedAtStart,
                components: vec![c.id.clone()],
                message: format!(
                    "`{}` is overloaded before any operation: load {} > capacity {}; it starts degraded",
                    c.id,
                    fmt_num(c.load),
                    fmt_num(c.capacity)
                ),
            });
        }
    }
    let mut used = vec![false; topology.components().len()];
    for c in topology.components() {
        if let Some(state) = c.state {
            used[state.index()] = true;
        }
    }
    for g in 0..topology.groups().len() {
        for member in topology.members_of(crate::model::GroupIdx(g as u32)) {
            used[member.index()] = true;
        }
    }
    for (i, c) in topology.components().iter().enumerate() {
        if c.section == Section::DataStore && !used[i] {
            out.push(Warning {
                kind: WarningKind::UnusedDataStore,
                components: vec![c.id.clone()],
                message: format!(
                    "data store `{}` is not used by any component (no `state` or `depends_on` names it)",
                    c.id
                ),
            });
        }
    }
    out
}

fn cycles(topology: &Topology) -> Vec<Warning> {
    let mut found: Vec<Vec<ComponentIdx>> = tarjan_scc(topology.graph())
        .into_iter()
        .filter(|scc| scc.len() > 1)
        .map(|scc| {
            let mut members: Vec<ComponentIdx> = scc.into_iter().map(|n| ComponentIdx(n.index() as u32)).collect();
            members.sort_unstable();
            members
        })
        .collect();
    found.sort_unstable();
    found
        .into_iter()
        .map(|members| {
            let ids: Vec<String> = members.iter().map(|c| topology.component(*c).id.clone()).collect();
            Warning {
                kind: WarningKind::DependencyCycle,
                message: format!(
                    "dependency cycle between {}: they depend on each other, so a failure can travel around it",
                    ids.iter().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(", ")
                ),
                components: ids,
            }
        })
        .collect()
}
