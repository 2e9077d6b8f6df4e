//! `blast diff`: how a topology change moves blast radii and redundancy.
//!
//! Components and dependency entries are compared by id; each customer's
//! single points of failure (components, zones and regions whose failure
//! alone brings the customer to the threshold, its own apps aside) are
//! compared between the two files. Gaining one, or a new topology with a
//! customer at the threshold before anything fails, is what the CI gate for
//! topology changes fails on.

use std::collections::{BTreeMap, BTreeSet};

use crate::analysis::Impact;
use crate::analysis::spof::{Selected, Selection, SpofEntry, Unit, rank, spof_selected};
use crate::engine::overlay::Overlay;
use crate::model::{ComponentIdx, Rule, Topology};
use crate::number::Exact;
use crate::report::Counts;
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
                .map(|k| topology.customer(k).id.to_string())
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

/// Dependency entries added and removed, as `id -> entry`: only components
/// added, removed or with a changed `depends_on` can differ.
fn dependency_changes(
    old: &Topology,
    new: &Topology,
    added: &[String],
    removed: &[String],
    changed: &[ChangedComponent],
) -> (Vec<String>, Vec<String>) {
    let entries = |t: &Topology, id: &str| -> BTreeSet<String> {
        t.find(id)
            .map(|c| entries_of(t, c).into_iter().map(|e| format!("{id} -> {e}")).collect())
            .unwrap_or_default()
    };
    let ids = added.iter().chain(removed).chain(
        changed
            .iter()
            .filter(|c| c.fields.contains(&"depends_on"))
            .map(|c| &c.id),
    );
    let (mut gained, mut lost) = (BTreeSet::new(), BTreeSet::new());
    for id in ids {
        let (before, after) = (entries(old, id), entries(new, id));
        gained.extend(after.difference(&before).cloned());
        lost.extend(before.difference(&after).cloned());
    }
    (gained.into_iter().collect(), lost.into_iter().collect())
}

/// The customers at `threshold` or worse with no operation at all, in file
/// order, with their status.
fn failing_at_baseline(topology: &Topology, status: &[Status], threshold: Status) -> Vec<(String, Status)> {
    topology
        .customers()
        .iter()
        .zip(status)
        .filter(|(_, s)| **s >= threshold)
        .map(|(customer, s)| (customer.id.to_string(), *s))
        .collect()
}

/// Per component of `old` and of `new`: whether its failure can differ
/// between the two files, so that it must be measured in both. A failure
/// reaches only what lies downstream of it, and each step of propagation
/// reads a component's own definition, its members' statuses and, for
/// apps, its customer's weight and other apps. So it can only differ if it
/// reaches a component defined differently or existing in one file only, a
/// component with a member whose baseline status differs, or an app of a
/// customer that differs (weight, apps, or an app's baseline status). With
/// load dynamics a failure reaches further; then every component counts.
fn reaches_a_difference(
    old: (&Topology, &[Status]),
    new: (&Topology, &[Status]),
    changed: &[ChangedComponent],
    same: &Same,
) -> (Vec<bool>, Vec<bool>) {
    let (ot, nt) = (old.0, new.0);
    if ot.has_dynamics() || nt.has_dynamics() {
        return (vec![true; ot.components().len()], vec![true; nt.components().len()]);
    }
    let (new_of, old_of) = (&same.new_of, &same.old_of);
    // Baseline status differs, or the component exists in one file only.
    let differs_old: Vec<bool> = new_of
        .iter()
        .enumerate()
        .map(|(o, n)| n.is_none_or(|n| old.1[o] != new.1[n.index()]))
        .collect();
    let differs_new: Vec<bool> = old_of
        .iter()
        .enumerate()
        .map(|(n, o)| o.is_none_or(|o| new.1[n] != old.1[o.index()]))
        .collect();
    let (mut seeds_old, mut seeds_new) = (differs_old.clone(), differs_new.clone());
    for c in changed {
        ot.find(&c.id).inspect(|o| seeds_old[o.index()] = true);
        nt.find(&c.id).inspect(|n| seeds_new[n.index()] = true);
    }
    seed_changed_customers(
        (ot, &differs_old, &mut seeds_old),
        (nt, &differs_new, &mut seeds_new),
        old_of,
    );
    let member_differs = |t: &Topology, differs: &[bool], c: ComponentIdx| {
        t.groups_of(c)
            .any(|g| t.members_of(g).iter().any(|m| differs[m.index()]))
    };
    let mark_old = upstream_of(ot, |c| seeds_old[c.index()] || member_differs(ot, &differs_old, c));
    let mark_new = upstream_of(nt, |c| seeds_new[c.index()] || member_differs(nt, &differs_new, c));
    let dirty_old = new_of
        .iter()
        .enumerate()
        .map(|(o, n)| mark_old[o] || n.is_some_and(|n| mark_new[n.index()]))
        .collect();
    let dirty_new = old_of
        .iter()
        .enumerate()
        .map(|(n, o)| mark_new[n] || o.is_some_and(|o| mark_old[o.index()]))
        .collect();
    (dirty_old, dirty_new)
}

/// Seeds every app, in both files, of each customer that differs: in one
/// file only, another weight, other apps, or an app whose baseline status
/// differs (its status before any failure is what a failure changes).
fn seed_changed_customers(
    old: (&Topology, &[bool], &mut [bool]),
    new: (&Topology, &[bool], &mut [bool]),
    old_of: &[Option<ComponentIdx>],
) {
    let (ot, differs_old, seeds_old) = old;
    let (nt, differs_new, seeds_new) = new;
    let mut in_new = vec![false; ot.customers().len()];
    for k in nt.customers() {
        let before = ot.find_customer(&k.id).map(|o| ot.customer(o));
        if let Some(o) = ot.find_customer(&k.id) {
            in_new[o.index()] = true;
        }
        let same = before.is_some_and(|b| {
            let mut mapped: Vec<Option<ComponentIdx>> = k.apps().map(|a| old_of[a.index()]).collect();
            let mut apps: Vec<Option<ComponentIdx>> = b.apps().map(Some).collect();
            mapped.sort_unstable();
            apps.sort_unstable();
            b.weight == k.weight && mapped == apps
        });
        let touched = k.apps().any(|a| differs_new[a.index()])
            || before.is_some_and(|b| b.apps().any(|a| differs_old[a.index()]));
        if !same || touched {
            k.apps().for_each(|a| seeds_new[a.index()] = true);
            if let Some(b) = before {
                b.apps().for_each(|a| seeds_old[a.index()] = true);
            }
        }
    }
    for (o, k) in ot.customers().iter().enumerate() {
        if !in_new[o] {
            k.apps().for_each(|a| seeds_old[a.index()] = true);
        }
    }
}

/// Per component of `t`: whether it is a component for which `seed` holds,
/// or one such component depends on it through any chain of entries, so
/// that its failure can reach a seed.
fn upstream_of(t: &Topology, seed: impl Fn(ComponentIdx) -> bool) -> Vec<bool> {
    let mut marked = vec![false; t.components().len()];
    let mut queue: Vec<ComponentIdx> = t.component_indices().filter(|c| seed(*c)).collect();
    queue.iter().for_each(|c| marked[c.index()] = true);
    while let Some(c) = queue.pop() {
        for g in t.groups_of(c) {
            for m in t.members_of(g) {
                if !marked[m.index()] {
                    marked[m.index()] = true;
                    queue.push(*m);
                }
            }
        }
    }
    marked
}

/// Components added, removed and changed (field by field), by id.
fn component_changes(old: &Topology, new: &Topology, same: &Same) -> (Vec<String>, Vec<String>, Vec<ChangedComponent>) {
    let mut added = Vec::new();
    let mut removed = Vec::new();
    let mut changed = Vec::new();
    for pair in &same.in_id_order {
        match *pair {
            (Some(a), Some(b)) => {
                let (fa, fb) = (fields(old, a), fields(new, b));
                let differing: Vec<&'static str> = fa
                    .iter()
                    .filter(|(k, v)| fb.get(*k) != Some(*v))
                    .map(|(k, _)| *k)
                    .collect();
                if !differing.is_empty() {
                    changed.push(ChangedComponent {
                        id: old.component(a).id.to_string(),
                        fields: differing,
                    });
                }
            }
            (Some(a), None) => removed.push(old.component(a).id.to_string()),
            (None, Some(b)) => added.push(new.component(b).id.to_string()),
            (None, None) => {}
        }
    }
    (added, removed, changed)
}

/// Which component of one file has the same id as which of the other.
struct Same {
    /// Every id of either file, in id order: its component in OLD and in NEW.
    in_id_order: Vec<(Option<ComponentIdx>, Option<ComponentIdx>)>,
    /// Per component of OLD, NEW's of the same id, and the other way round.
    new_of: Vec<Option<ComponentIdx>>,
    old_of: Vec<Option<ComponentIdx>>,
}

impl Same {
    /// One merge of the two files' components sorted by id.
    fn new(old: &Topology, new: &Topology) -> Self {
        let (a, b) = (&old.by_id, &new.by_id);
        let (mut i, mut j) = (0, 0);
        let mut in_id_order = Vec::with_capacity(a.len().max(b.len()));
        while i < a.len() || j < b.len() {
            let order = match (a.get(i), b.get(j)) {
                (Some(x), Some(y)) => old.component(*x).id.as_str().cmp(new.component(*y).id.as_str()),
                (Some(_), None) => std::cmp::Ordering::Less,
                _ => std::cmp::Ordering::Greater,
            };
            let pair = match order {
                std::cmp::Ordering::Less => (a.get(i).copied(), None),
                std::cmp::Ordering::Greater => (None, b.get(j).copied()),
                std::cmp::Ordering::Equal => (a.get(i).copied(), b.get(j).copied()),
            };
            i += usize::from(pair.0.is_some());
            j += usize::from(pair.1.is_some());
            in_id_order.push(pair);
        }
        let mut new_of = vec![None; old.components().len()];
        let mut old_of = vec![None; new.components().len()];
        for (x, y) in &in_id_order {
            if let (Some(x), Some(y)) = (x, y) {
                new_of[x.index()] = Some(*y);
                old_of[y.index()] = Some(*x);
            }
        }
        Same {
            in_id_order,
            new_of,
            old_of,
        }
    }
}

/// What sorted `a` has that sorted `b` has not, in one pass over both.
fn sorted_difference(a: &[u32], b: &[u32]) -> Vec<u32> {
    let mut out = Vec::new();
    let mut j = 0;
    for &x in a {
        while j < b.len() && b[j] < x {
            j += 1;
        }
        if b.get(j) != Some(&x) {
            out.push(x);
        }
    }
    out
}

/// The customers `entry` brings to the threshold, its own apps aside, as
/// indices into OLD's customers (NEW's own after them), sorted.
fn hits(topology: &Topology, entry: &SpofEntry, key: &[u32]) -> Vec<u32> {
    let mut out: Vec<u32> = entry
        .impact
        .hit_customers
        .iter()
        .filter(|k| !matches!(entry.unit, Unit::Component(c) if topology.customer(**k).apps().any(|a| a == c)))
        .map(|k| key[k.index()])
        .collect();
    out.sort_unstable();
    out
}

/// Customers whose single points of failure differ, unit by unit: a unit
/// is a customer's single point of failure in a file when its failure
/// alone brings the customer to the threshold, its own apps aside.
/// Customers at the threshold before any failure, in either file, are left
/// out: they have no redundancy to gain or lose (NEW's are reported on
/// their own). Compared as indices; only differences become text.
fn customer_changes(
    old: (&Topology, &[SpofEntry]),
    new: (&Topology, &[SpofEntry]),
    failing: &BTreeSet<&str>,
) -> Vec<CustomerChange> {
    let (ot, nt) = (old.0, new.0);
    let old_key: Vec<u32> = (0..ot.customers().len() as u32).collect();
    // NEW's customers keyed as OLD's of the same id, the others after them.
    let mut only_new: Vec<&str> = Vec::new();
    let new_key: Vec<u32> = nt
        .customers()
        .iter()
        .map(|k| match ot.find_customer(&k.id) {
            Some(o) => o.index() as u32,
            None => {
                only_new.push(&k.id);
                (ot.customers().len() + only_new.len() - 1) as u32
            }
        })
        .collect();
    let id_of = |key: u32| -> &str {
        let key = key as usize;
        match ot.customers().get(key) {
            Some(k) => &k.id,
            None => only_new.get(key - ot.customers().len()).copied().unwrap_or_default(),
        }
    };
    // Units with a list in either file (the others cannot differ), by label.
    let mut units: BTreeMap<String, (Vec<u32>, Vec<u32>)> = BTreeMap::new();
    for e in old.1.iter().filter(|e| !e.impact.hit_customers.is_empty()) {
        units.entry(e.unit.label(ot)).or_default().0 = hits(ot, e, &old_key);
    }
    for e in new.1.iter().filter(|e| !e.impact.hit_customers.is_empty()) {
        units.entry(e.unit.label(nt)).or_default().1 = hits(nt, e, &new_key);
    }
    // Customers failing at baseline are reported as such, not here: left
    // out before their pairs are gathered, since where many fail, those
    // pairs are most of them. Keyed by number, named once per customer.
    let keys = ot.customers().len() + only_new.len();
    let left_out: Vec<bool> = (0..keys as u32).map(|k| failing.contains(id_of(k))).collect();
    let mut changes: BTreeMap<u32, (BTreeSet<&str>, BTreeSet<&str>)> = BTreeMap::new();
    for (label, (before, after)) in &units {
        for k in sorted_difference(after, before)
            .into_iter()
            .filter(|k| !left_out[*k as usize])
        {
            changes.entry(k).or_default().0.insert(label.as_str());
        }
        for k in sorted_difference(before, after)
            .into_iter()
            .filter(|k| !left_out[*k as usize])
        {
            changes.entry(k).or_default().1.insert(label.as_str());
        }
    }
    let by_id: BTreeMap<&str, _> = changes.into_iter().map(|(k, change)| (id_of(k), change)).collect();
    by_id
        .into_iter()
        .map(|(id, (gained, lost))| CustomerChange {
            id: id.to_string(),
            gained: gained.into_iter().map(str::to_string).collect(),
            lost: lost.into_iter().map(str::to_string).collect(),
        })
        .collect()
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
    let same = Same::new(old, new);
    let (added, removed, changed) = component_changes(old, new, &same);
    let (dependencies_added, dependencies_removed) = dependency_changes(old, new, &added, &removed, &changed);
    let (old_base, new_base) = (
        Overlay::new(old).baseline_statuses().to_vec(),
        Overlay::new(new).baseline_statuses().to_vec(),
    );
    let (old_dirty, new_dirty) = reaches_a_difference((old, &old_base), (new, &new_base), &changed, &same);
    drop((old_base, new_base));
    let level = threshold.unwrap_or(Status::Down);
    let total = old.components().len() + new_dirty.iter().filter(|d| **d).count();
    // Every failure of OLD, customer lists kept only where NEW can differ;
    // in NEW, only those that can differ: the others are OLD's, shifted by
    // how the baselines differ.
    let old_all = Selection {
        wanted: vec![true; old.components().len()],
        lists: old_dirty,
        // The diff compares who each failure hits, never who is down.
        down_lists: false,
    };
    let old_spof = spof_selected(old, level, &old_all, |done, _| progress(done, total));
    let offset = old.components().len();
    let new_some = Selection {
        wanted: new_dirty.clone(),
        lists: new_dirty,
        down_lists: false,
    };
    let new_spof = spof_selected(new, level, &new_some, |done, _| progress(offset + done, total));
    let (old_status, new_status) = (old_spof.customer_status.clone(), new_spof.customer_status.clone());
    let mut new_entries = with_unchanged(&same, &old_spof, new, new_spof);
    let mut old_entries = old_spof.entries;
    rank(old, &mut old_entries);
    rank(new, &mut new_entries);
    let (customers, baseline_failures) = match threshold {
        Some(threshold) => {
            let old_failing = failing_at_baseline(old, &old_status, threshold);
            let baseline_failures = failing_at_baseline(new, &new_status, threshold);
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

/// NEW's entries: those measured, and for each component not measured
/// (its failure reaches nothing that differs), OLD's impact with the
/// baseline counts of NEW in place of OLD's. Counts are the baseline's plus
/// what the failure changed, and what it changed is the same in both; its
/// customer lists stay empty, as OLD's do (they cannot differ).
fn with_unchanged(same: &Same, old_spof: &Selected, new: &Topology, new_spof: Selected) -> Vec<SpofEntry> {
    let mut measured = vec![false; new.components().len()];
    for e in &new_spof.entries {
        if let Unit::Component(c) = e.unit {
            measured[c.index()] = true;
        }
    }
    let mut in_old: Vec<Option<&SpofEntry>> = vec![None; same.new_of.len()];
    for e in &old_spof.entries {
        if let Unit::Component(c) = e.unit {
            in_old[c.index()] = Some(e);
        }
    }
    let mut entries = Vec::with_capacity(new.components().len());
    for c in new.component_indices().filter(|c| !measured[c.index()]) {
        let Some(before) = same.old_of[c.index()].and_then(|o| in_old[o.index()]) else {
            continue;
        };
        entries.push(SpofEntry {
            unit: Unit::Component(c),
            impact: Impact {
                customers: shifted(&before.impact.customers, &old_spof.customers, &new_spof.customers),
                services: shifted(&before.impact.services, &old_spof.services, &new_spof.services),
                down_customers: Vec::new(),
                hit_customers: Vec::new(),
            },
        });
    }
    entries.extend(new_spof.entries);
    entries
}

/// `counts` moved from the baseline `from` to the baseline `to`. Added
/// before subtracting: a failure can lower a status's count below its
/// baseline (degraded customers going down), never below what `to` adds.
fn shifted(counts: &Counts, from: &Counts, to: &Counts) -> Counts {
    let weight = |c: &Exact, f: &Exact, t: &Exact| &(c + t) - f;
    Counts {
        down: (counts.down + to.down).saturating_sub(from.down),
        degraded: (counts.degraded + to.degraded).saturating_sub(from.degraded),
        at_risk: (counts.at_risk + to.at_risk).saturating_sub(from.at_risk),
        down_weight: weight(&counts.down_weight, &from.down_weight, &to.down_weight),
        degraded_weight: weight(&counts.degraded_weight, &from.degraded_weight, &to.degraded_weight),
        at_risk_weight: weight(&counts.at_risk_weight, &from.at_risk_weight, &to.at_risk_weight),
    }
}
