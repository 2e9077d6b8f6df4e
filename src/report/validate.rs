//! `blast validate`: what a topology holds, and what looks wrong in it
//! without being an error.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::engine::causes::hop;
use crate::engine::{Cause, Conditions, Propagator, State};
use crate::error::Location;
use crate::model::{ComponentIdx, Section, SurgeEffect, Topology};
use crate::number::Exact;
use crate::plan::{Action, Plan};
use crate::report::SCHEMA_VERSION;
use crate::status::Status;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Inventory {
    pub schema_version: u32,
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
    pub severity: Severity,
    /// The components it is about, in file order.
    pub components: Vec<String>,
    pub message: String,
    /// Where the first of them is declared.
    #[serde(skip)]
    pub at: Option<Location>,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Warning,
    /// Worth fixing before the topology is trusted, though it loads.
    Error,
}

#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum WarningKind {
    /// Not ok before any operation, load dynamics included.
    NotOkAtBaseline,
    /// Its own retries, once triggered, would keep it overloaded.
    Vulnerable,
    DependencyCycle,
    /// A scenario restarts it, but it has no `restart_time`.
    RestartWithoutTime,
    UnusedDataStore,
}

impl WarningKind {
    pub fn as_str(self) -> &'static str {
        match self {
            WarningKind::NotOkAtBaseline => "not_ok_at_baseline",
            WarningKind::Vulnerable => "vulnerable",
            WarningKind::DependencyCycle => "dependency_cycle",
            WarningKind::RestartWithoutTime => "restart_without_time",
            WarningKind::UnusedDataStore => "unused_data_store",
        }
    }
}

/// What the topology holds and what looks wrong in it; `scenarios` are its
/// scenarios, resolved.
pub fn inventory(topology: &Topology, scenarios: &[Plan]) -> Inventory {
    let mut kinds = BTreeMap::new();
    for c in topology.components() {
        *kinds.entry(c.kind.to_string()).or_insert(0) += 1;
    }
    Inventory {
        schema_version: SCHEMA_VERSION,
        name: topology.name().map(str::to_string),
        components: topology.components().len(),
        kinds,
        regions: topology.regions().len(),
        zones: topology.zones().len(),
        dependencies: topology.dependency_count(),
        customers: topology.customers().len(),
        apps: topology.customers().iter().map(|c| c.apps().len()).sum(),
        scenarios: topology.scenarios().iter().map(|s| s.name.clone()).collect(),
        warnings: warnings(topology, scenarios),
    }
}

fn warning(
    topology: &Topology,
    kind: WarningKind,
    severity: Severity,
    components: &[ComponentIdx],
    message: String,
) -> Warning {
    Warning {
        kind,
        severity,
        components: components
            .iter()
            .map(|c| topology.component(*c).id.to_string())
            .collect(),
        message,
        at: components
            .first()
            .map(|c| topology.component(*c).pos.at(topology.source())),
    }
}

/// Baseline problems first, then vulnerable components, cycles, restarts
/// without a time, unused stores; each in file order.
pub fn warnings(topology: &Topology, scenarios: &[Plan]) -> Vec<Warning> {
    let mut out = baseline(topology);
    out.extend(vulnerable(topology));
    out.extend(topology.cycles().iter().map(|members| {
        let ids: Vec<String> = members
            .iter()
            .map(|c| format!("`{}`", topology.component(*c).id))
            .collect();
        warning(
            topology,
            WarningKind::DependencyCycle,
            Severity::Warning,
            members,
            format!(
                "dependency cycle between {}: they depend on each other, so a failure can travel around it",
                ids.join(", ")
            ),
        )
    }));
    let mut restarted: Vec<ComponentIdx> = scenarios
        .iter()
        .flat_map(|p| p.steps.iter())
        .filter(|s| matches!(s.action, Action::Restart))
        .flat_map(|s| s.matched.iter().copied())
        .filter(|c| topology.component(*c).extras().restart_time.is_none())
        .collect();
    restarted.sort_unstable();
    restarted.dedup();
    out.extend(restarted.into_iter().map(|c| {
        warning(
            topology,
            WarningKind::RestartWithoutTime,
            Severity::Warning,
            &[c],
            format!(
                "a scenario restarts `{}`, which has no `restart_time`: its restart is taken to end at the next `wait`",
                topology.component(c).id
            ),
        )
    }));
    out.extend(unused_stores(topology));
    out
}

/// Every component that is not ok with no operation, and why.
fn baseline(topology: &Topology) -> Vec<Warning> {
    let state = State::new(topology);
    let mut propagator = Propagator::new(topology, true, true);
    propagator.start(&state, None);
    topology
        .component_indices()
        .filter(|c| propagator.status(*c) > Status::Ok)
        .map(|c| {
            let status = propagator.status(c);
            let why = match hop(&propagator, &state, c, status).cause {
                Cause::Direct { reason, .. } => match reason {
                    crate::engine::Reason::NoCapacity => "its capacity is 0".to_string(),
                    reason => reason.describe(topology),
                },
                Cause::Dependency { via, via_status, .. } => {
                    format!("it depends on `{}`, which is {via_status}", topology.component(via).id)
                }
                Cause::Surge { via, amount, .. } => {
                    format!("a surge from `{}` adds {amount} load", topology.component(via).id)
                }
                Cause::Failover { via, amount, .. } => {
                    format!(
                        "a failover from `{}` moves {amount} load onto it",
                        topology.component(via).id
                    )
                }
            };
            warning(
                topology,
                WarningKind::NotOkAtBaseline,
                Severity::Error,
                &[c],
                format!("`{}` is {status} before any operation: {why}", topology.component(c).id),
            )
        })
        .collect()
}

/// Components whose own retries, once triggered, keep them at the status
/// that triggered them: any trigger would sustain itself.
fn vulnerable(topology: &Topology) -> Vec<Warning> {
    let state = State::new(topology);
    let mut out = Vec::new();
    for c in topology.component_indices() {
        let own: Vec<_> = topology
            .surges_of(c)
            .filter(|s| topology.surge_targets(*s).contains(&c))
            .collect();
        let Some(when) = own.iter().map(|s| topology.surge(*s).when).min() else {
            continue;
        };
        let base = state.base_load(c);
        let mut load = base.clone();
        for s in &own {
            load = load
                + match &topology.surge(*s).effect {
                    SurgeEffect::Factor(f) => &(f - &Exact::ONE) * base,
                    SurgeEffect::Amount(a) => a.clone(),
                };
        }
        let (status, _) = state.direct(c, &load);
        if status >= when && status >= Status::Degraded {
            let capacity = state.capacity(c);
            out.push(warning(
                topology,
                WarningKind::Vulnerable,
                Severity::Warning,
                &[c],
                format!(
                    "`{}` is vulnerable: once it is {when}, its own retries raise its load to {load} on capacity {capacity}, which keeps it {status}; any trigger would sustain itself",
                    topology.component(c).id
                ),
            ));
        }
    }
    out
}

fn unused_stores(topology: &Topology) -> Vec<Warning> {
    let mut used = vec![false; topology.components().len()];
    for c in topology.components() {
        if let Some(state) = c.state {
            used[state.index()] = true;
        }
    }
    for g in topology.group_indices() {
        for member in topology.members_of(g) {
            used[member.index()] = true;
        }
    }
    topology
        .component_indices()
        .filter(|c| topology.component(*c).section == Section::DataStore && !used[c.index()])
        .map(|c| {
            warning(
                topology,
                WarningKind::UnusedDataStore,
                Severity::Warning,
                &[c],
                format!(
                    "data store `{}` is not used by any component (no `state` or `depends_on` names it)",
                    topology.component(c).id
                ),
            )
        })
        .collect()
}
