//! `blast diff`: how a topology change moves blast radii and redundancy.
//!
//! Components and dependency entries are compared by id; each customer's
//! single points of failure (components, zones and regions whose failure
//! alone brings the customer to the threshold, its own apps aside) are
//! compared between the two files. Gaining one, or a new topology with a
//! customer at the threshold before anything fails, is what the CI gate for
//! topology changes fails on.

use std::collections::{BTreeMap, BTreeSet};

use crate::analysis::spof::{Options, SpofEntry, Unit, spof_with};
use crate::engine::overlay::Overlay;
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
    /// Customers of NEW at the threshold or worse before any operation,
    /// in file order, with their status: the new topology fails on its own.
    pub baseline_failures: Vec<(String, Status)>,
    /// The largest moves in the spof ranking (units in both files).
    pub moves: Vec<RankMove>,
}

impl Diff {
    /// Whether any customer gained a single point of failure.
    pub fn gained(&self) -> bool {
        self.customers.iter().any(|c| !c.gained.is_empty())
    }

    /// Whether the gate fails: a customer gained a single point of failure,
    /// or NEW has a customer at the threshold before any operation.
    pub fn fails(&self) -> bool {
        self.gained() || !self.baseline_failures.is_empty()
    }
}

/// How many ranking moves to report.
const MOVES: usize = 10;

/// Each field of a component as comparable text, by field name. Fields are
/// compared one by one, so that pinning a component to one zone reads
/// `zones`, not a change of everything derived from its placement.
fn fields(topology: &Topology, c: ComponentIdx) -> BTreeMap<&'static str, String> {
    let component = topology.component(c);
    let placements = topology.placements_of(c);
    let zones: Vec<&str> = placements
        .iter()
        .filter_map(|p| p.zone.map(|z| topology.zone(z).id.as_str()))
        .collect();
    let opt = |v: &Option<Exact>| v.as_ref().map_or_else(String::new, Exact::display);
    let duration = |d: Option<std::time::Duration>| d.map(|d| format!("{d:?}")).unwrap_or_default();
    let id = |c: ComponentIdx| topology.component(c).id.as_str();
    let extras = component.extras();
    // The split only counts when it is not the even split of the zones.
    let even = placements.windows(2).all(|w| w[0].capacity == w[1].capacity);
    let split: Vec<String> = placements.iter().map(|p| p.capacity.display()).collect();
    let capacity = if even {
        component.capacity.display()
    } else {
        format!("{} ({})", component.capacity.display(), split.join(", "))
    };
    let surges: Vec<String> = topology
        .surges_of(c)
        .map(|s| {
            let surge = topology.surge(s);
            let targets: Vec<&str> = topology.surge_targets(s).iter().map(|t| id(*t)).collect();
            format!("{}:{:?}:{}", surge.when, surge.effect, targets.join(","))
        })
        .collect();
    let failover = extras.failover.map_or_else(String::new, |f| {
        let targets: Vec<&str> = topology.failover_targets(f).iter().map(|t| id(*t)).collect();
        format!("{}:{}", topology.failover(f).when, targets.join(","))
    });
    BTreeMap::from([
        ("kind", component.kind.to_string()),
        ("region", topology.region_id_of(c).unwrap_or_default().to_string()),
        ("zones", zones.join(",")),
        ("capacity", capacity),
        ("min_capacity", opt(&extras.min_capacity)),
        ("max_capacity", opt(&extras.max_capacity)),
        ("load", component.load.display()),
        ("collapse_at", opt(&extras.collapse_at)),
        ("restart_time", duration(extras.restart_time)),
        ("restore_time", duration(extras.restore_time)),
        ("state", component.state.map(id).unwrap_or_default().to_string()),
        ("depends_on", entries_of(topology, c).join("; ")),
        ("surges", surges.join("; ")),
        ("failover", failover),
        (
            "customer",
            component
                .customer
                .map(|k| topology.customer(k).id.clone())
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

/// `c`'s dependency entries, as the diff lists them.
fn entries_of(topology: &Topology, c: ComponentIdx) -> Vec<String> {
    topology
        .groups_of(c)
        .map(|g| {
            let members: Vec<&str> = topology
                .members_of(g)
                .iter()
                .map(|m| topology.component(*m).id.as_str())
                .collect();
            match topology.group(g).rule {
                Rule::Hard => format!("hard {}", members.join("")),
                Rule::Soft => format!("soft {}", members.join("")),
                Rule::Quorum { any_of: true, .. } => format!("any_of [{}]", members.join(", ")),
                Rule::Quorum { k, .. } => format!("quorum {k} of [{}]", members.join(", ")),
            }
        })
        .collect()
}

fn dependencies(topology: &Topology) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for c in topology.component_indices() {
        for entry in entries_of(topology, c) {
            out.insert(format!("{} -> {entry}", topology.component(c).id));
        }
    }
    out
}

/// Each customer's single points of failure, by customer id: the labels of
/// the units whose failure alone brings it to the threshold, its own apps
/// aside.
fn customer_spofs(topology: &Topology, entries: &[SpofEntry]) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = topology
        .customers()
        .iter()
        .map(|c| (c.id.clone(), BTreeSet::new()))
        .collect();
    for entry in entries {
        for customer in &entry.impact.hit_customers {
            let record = topology.customer(*customer);
            if matches!(entry.unit, Unit::Component(c) if record.apps.contains(&c)) {
                continue;
            }
            if let Some(set) = out.get_mut(&record.id) {
                set.insert(entry.unit.label(topology));
            }
        }
    }
    out
}

/// The customers at `threshold` or worse with no operation at all, in file
/// order, with their status.
fn failing_at_baseline(topology: &Topology, threshold: Status) -> Vec<(String, Status)> {
    let overlay = Overlay::new(topology);
    topology
        .customers()
        .iter()
        .filter_map(|customer| {
            let status = customer
                .apps
                .iter()
                .map(|a| overlay.baseline(*a))
                .max()
                .unwrap_or_default();
            (status >= threshold).then(|| (customer.id.clone(), status))
        })
        .collect()
}

/// Components added, removed and changed (field by field), by id.
fn component_changes(old: &Topology, new: &Topology) -> (Vec<String>, Vec<String>, Vec<ChangedComponent>) {
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
    (added, removed, changed)
}

/// Customers whose single points of failure differ. Customers at the
/// threshold before any failure, in either file, are left out: they have
/// no redundancy to gain or lose (NEW's are reported on their own).
fn customer_changes(
    old: (&Topology, &[SpofEntry]),
    new: (&Topology, &[SpofEntry]),
    failing: &BTreeSet<&str>,
) -> Vec<CustomerChange> {
    let (old_spofs, new_spofs) = (customer_spofs(old.0, old.1), customer_spofs(new.0, new.1));
    let empty = BTreeSet::new();
    let mut customers = Vec::new();
    for id in old_spofs.keys().chain(new_spofs.keys()).collect::<BTreeSet<_>>() {
        if failing.contains(id.as_str()) {
            continue;
        }
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
    customers
}

/// The largest moves in the ranking, among units in both files.
fn rank_moves(old: (&Topology, &[SpofEntry]), new: (&Topology, &[SpofEntry])) -> Vec<RankMove> {
    // The ranking `blast spof` prints, which leaves customer apps out.
    let ranks = |t: &Topology, entries: &[SpofEntry]| -> BTreeMap<String, (usize, Exact)> {
        entries
            .iter()
            .filter(|e| !matches!(e.unit, Unit::Component(c) if t.component(c).customer.is_some()))
            .enumerate()
            .map(|(rank, e)| (e.unit.label(t), (rank + 1, e.impact.customers.down_weight.clone())))
            .collect()
    };
    let (old_ranks, new_ranks) = (ranks(old.0, old.1), ranks(new.0, new.1));
    let mut moves: Vec<RankMove> = old_ranks
        .iter()
        .filter_map(|(id, (old_rank, old_weight_down))| {
            let (new_rank, new_weight_down) = new_ranks.get(id)?;
            // Among units that take no customer down, rank is only id order.
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
    moves
}

/// `threshold`: the status a single failure must bring a customer to, to
/// count as its single point of failure; `None` (`--fail-on never`) still
/// reports the changes, but nothing counts against the gate.
pub fn diff(old: &Topology, new: &Topology, threshold: Option<Status>, mut progress: impl FnMut(usize, usize)) -> Diff {
    let (added, removed, changed) = component_changes(old, new);
    let (old_deps, new_deps) = (dependencies(old), dependencies(new));
    let dependencies_added = new_deps.difference(&old_deps).cloned().collect();
    let dependencies_removed = old_deps.difference(&new_deps).cloned().collect();

    let options = Options {
        include_apps: true,
        threshold: threshold.unwrap_or(Status::Down),
    };
    let total = old.components().len() + new.components().len();
    let old_entries = spof_with(old, &options, |done, _| progress(done, total));
    let offset = old.components().len();
    let new_entries = spof_with(new, &options, |done, _| progress(offset + done, total));
    let (customers, baseline_failures) = match threshold {
        Some(threshold) => {
            let old_failing = failing_at_baseline(old, threshold);
            let baseline_failures = failing_at_baseline(new, threshold);
            let failing: BTreeSet<&str> = old_failing
                .iter()
                .chain(&baseline_failures)
                .map(|(id, _)| id.as_str())
                .collect();
            let customers = customer_changes((old, &old_entries), (new, &new_entries), &failing);
            (customers, baseline_failures)
        }
        None => (Vec::new(), Vec::new()),
    };
    Diff {
        added,
        removed,
        changed,
        dependencies_added,
        dependencies_removed,
        customers,
        baseline_failures,
        moves: rank_moves((old, &old_entries), (new, &new_entries)),
    }
}
