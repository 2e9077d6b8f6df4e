//! `blast diff`: how a topology change moves blast radii and redundancy.
//!
//! Components and dependency entries are compared by id; each customer's
//! single points of failure (components whose failure alone brings the
//! customer to the threshold, its own apps aside) are compared between the
//! two files. Gaining one is what the CI gate for topology changes fails on.

use std::collections::{BTreeMap, BTreeSet};

use crate::analysis::spof::{SpofEntry, spof_with_threshold};
use crate::model::{ComponentIdx, Rule, Topology};
use crate::number::Exact;
use crate::status::Status;

#[derive(Debug, Clone, PartialEq)]
pub struct ChangedComponent {
    pub id: String,
    pub fields: Vec<&'static str>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CustomerChange {
    pub id: String,
    pub gained: Vec<String>,
    pub lost: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RankMove {
    pub id: String,
    pub old_rank: usize,
    pub new_rank: usize,
    pub old_weight_down: Exact,
    pub new_weight_down: Exact,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Diff {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub changed: Vec<ChangedComponent>,
    pub dependencies_added: Vec<String>,
    pub dependencies_removed: Vec<String>,
    /// Customers whose single points of failure changed, by id.
    pub customers: Vec<CustomerChange>,
    /// The largest moves in the spof ranking (components in both files).
    pub moves: Vec<RankMove>,
}

impl Diff {
    /// Whether any customer gained a single point of failure.
    pub fn gained(&self) -> bool {
        self.customers.iter().any(|c| !c.gained.is_empty())
    }
}

/// How many ranking moves to report.
const MOVES: usize = 10;

fn fields(topology: &Topology, c: ComponentIdx) -> BTreeMap<&'static str, String> {
    let component = topology.component(c);
    let placements: Vec<String> = topology
        .placements_of(c)
        .iter()
        .map(|p| {
            let zone = p.zone.map_or("global", |z| topology.zone(z).id.as_str());
            format!("{zone}={}", p.capacity)
        })
        .collect();
    let opt = |v: &Option<Exact>| v.as_ref().map_or_else(String::new, Exact::display);
    let extras = component.extras();
    BTreeMap::from([
        ("kind", component.kind.to_string()),
        ("region", topology.region_id_of(c).unwrap_or_default().to_string()),
        ("capacity", placements.join(",")),
        ("min_capacity", opt(&extras.min_capacity)),
        ("max_capacity", opt(&extras.max_capacity)),
        ("load", component.load.display()),
        ("collapse_at", opt(&extras.collapse_at)),
        (
            "restart_time",
            extras.restart_time.map(|d| format!("{d:?}")).unwrap_or_default(),
        ),
        (
            "state",
            component
                .state
                .map(|s| topology.component(s).id.clone())
                .unwrap_or_default(),
        ),
        (
            "guard",
            format!(
                "{}/{}",
                extras.guard.requires_approval,
                opt(&extras.guard.max_step_percent)
            ),
        ),
        ("tags", format!("{:?}", extras.tags)),
    ])
}

fn dependencies(topology: &Topology) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for c in topology.component_indices() {
        for g in topology.groups_of(c) {
            let members: Vec<&str> = topology
                .members_of(g)
                .iter()
                .map(|m| topology.component(*m).id.as_str())
                .collect();
            let entry = match topology.group(g).rule {
                Rule::Hard => format!("hard {}", members.join("")),
                Rule::Soft => format!("soft {}", members.join("")),
                Rule::Quorum { any_of: true, .. } => format!("any_of [{}]", members.join(", ")),
                Rule::Quorum { k, .. } => format!("quorum {k} of [{}]", members.join(", ")),
            };
            out.insert(format!("{} -> {entry}", topology.component(c).id));
        }
    }
    out
}

/// Each customer's single points of failure, by customer id.
fn customer_spofs(topology: &Topology, entries: &[SpofEntry]) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = topology
        .customers()
        .iter()
        .map(|c| (c.id.clone(), BTreeSet::new()))
        .collect();
    for entry in entries {
        for customer in &entry.impact.hit_customers {
            let record = topology.customer(*customer);
            if record.apps.contains(&entry.component) {
                continue;
            }
            if let Some(set) = out.get_mut(&record.id) {
                set.insert(topology.component(entry.component).id.clone());
            }
        }
    }
    out
}

/// `threshold`: the status a single failure must bring a customer to, to
/// count as its single point of failure; `None` (`--fail-on never`) still
/// reports the changes, but no single failure counts against the gate.
pub fn diff(old: &Topology, new: &Topology, threshold: Option<Status>, mut progress: impl FnMut(usize, usize)) -> Diff {
    let counted = threshold.is_some();
    let threshold = threshold.unwrap_or(Status::Down);
    let ids = |t: &Topology| t.component_ids().map(str::to_string).collect::<BTreeSet<String>>();
    let (old_ids, new_ids) = (ids(old), ids(new));
    let added = new_ids.difference(&old_ids).cloned().collect();
    let removed = old_ids.difference(&new_ids).cloned().collect();
    let mut changed = Vec::new();
    for id in old_ids.intersection(&new_ids) {
        let (Some(a), Some(b)) = (old.find(id), new.find(id)) else {
            continue;
        };
        let (fa, fb) = (fields(old, a), fields(new, b));
        let differing: Vec<&'static str> = fa
            .iter()
            .filter(|(k, v)| fb.get(*k) != Some(*v))
            .map(|(k, _)| *k)
            .collect();
        if !differing.is_empty() {
            changed.push(ChangedComponent {
                id: id.clone(),
                fields: differing,
            });
        }
    }
    let (old_deps, new_deps) = (dependencies(old), dependencies(new));
    let dependencies_added = new_deps.difference(&old_deps).cloned().collect();
    let dependencies_removed = old_deps.difference(&new_deps).cloned().collect();

    let total = old.components().len() + new.components().len();
    let old_entries = spof_with_threshold(old, threshold, |done, _| progress(done, total));
    let offset = old.components().len();
    let new_entries = spof_with_threshold(new, threshold, |done, _| progress(offset + done, total));
    let (old_spofs, new_spofs) = (customer_spofs(old, &old_entries), customer_spofs(new, &new_entries));
    let empty = BTreeSet::new();
    let mut customers = Vec::new();
    for id in old_spofs
        .keys()
        .chain(new_spofs.keys())
        .filter(|_| counted)
        .collect::<BTreeSet<_>>()
    {
        let before = old_spofs.get(id).unwrap_or(&empty);
        let after = new_spofs.get(id).unwrap_or(&empty);
        let gained: Vec<String> = after.difference(before).cloned().collect();
        let lost: Vec<String> = before.difference(after).cloned().collect();
        if !gained.is_empty() || !lost.is_empty() {
            customers.push(CustomerChange {
                id: id.clone(),
                gained,
                lost,
            });
        }
    }

    let ranks = |t: &Topology, entries: &[SpofEntry]| -> BTreeMap<String, (usize, Exact)> {
        entries
            .iter()
            .enumerate()
            .map(|(rank, e)| {
                (
                    t.component(e.component).id.clone(),
                    (rank + 1, e.impact.customers.down_weight.clone()),
                )
            })
            .collect()
    };
    let (old_ranks, new_ranks) = (ranks(old, &old_entries), ranks(new, &new_entries));
    let mut moves: Vec<RankMove> = old_ranks
        .iter()
        .filter_map(|(id, (old_rank, old_weight_down))| {
            let (new_rank, new_weight_down) = new_ranks.get(id)?;
            // Among components that take no customer down, rank is only id order.
            let matters = old_weight_down.is_positive() || new_weight_down.is_positive();
            (matters && old_rank != new_rank).then(|| RankMove {
                id: id.clone(),
                old_rank: *old_rank,
                new_rank: *new_rank,
                old_weight_down: old_weight_down.clone(),
                new_weight_down: new_weight_down.clone(),
            })
        })
        .collect();
    moves.sort_by(|a, b| {
        let shift = |m: &RankMove| m.old_rank.abs_diff(m.new_rank);
        shift(b)
            .cmp(&shift(a))
            .then_with(|| a.new_rank.cmp(&b.new_rank))
            .then_with(|| a.id.cmp(&b.id))
    });
    moves.truncate(MOVES);

    Diff {
        added,
        removed,
        changed,
        dependencies_added,
        dependencies_removed,
        customers,
        moves,
    }
}
