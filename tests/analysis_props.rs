//! Property tests: `spof`, `cuts` and `diff` against brute force through the
//! engine: one independent `check` per failure.

mod common;
mod oracle;

use blast_radius::analysis::cuts::{Target, cuts};
use std::collections::{BTreeMap, BTreeSet};

use blast_radius::analysis::diff::diff;
use blast_radius::analysis::spof::{Options, Unit, spof_with};
use blast_radius::engine;
use blast_radius::model::{ComponentIdx, Topology};
use blast_radius::plan::{Origin, inline_plan, resolve};
use blast_radius::report::{self, Counts};
use blast_radius::{FailOn, Status};
use common::{component, load, topology_text};
use proptest::prelude::*;

/// What `blast check --op OP` reports.
fn check_op(topology: &Topology, op: &str) -> report::Report {
    let plan = resolve(topology, &inline_plan(&[op.to_string()]).unwrap(), Origin::Inline, &[]).unwrap();
    let outcome = engine::run(topology, &plan);
    report::build(topology, &plan, "inline".into(), &outcome, FailOn::Degraded)
}

fn target_down(topology: &Topology, set: &[ComponentIdx], target: ComponentIdx) -> bool {
    if set.is_empty() {
        return blast_radius::engine::overlay::Overlay::new(topology).baseline(target) == Status::Down;
    }
    let ops: Vec<String> = set
        .iter()
        .map(|c| format!("fail {}", topology.component(*c).id))
        .collect();
    let plan = resolve(topology, &inline_plan(&ops).unwrap(), Origin::Inline, &[]).unwrap();
    engine::run(topology, &plan).worst[target.index()] == Status::Down
}

fn same_counts(a: &Counts, b: &Counts) -> bool {
    a == b
}

/// Every subset of `items` with 1..=k members, in size order.
fn subsets(items: &[ComponentIdx], k: usize) -> Vec<Vec<ComponentIdx>> {
    let mut out: Vec<Vec<ComponentIdx>> = vec![Vec::new()];
    for item in items {
        let grown: Vec<Vec<ComponentIdx>> = out
            .iter()
            .filter(|s| s.len() < k)
            .map(|s| [s.as_slice(), &[*item]].concat())
            .collect();
        out.extend(grown);
    }
    out.retain(|s| !s.is_empty());
    out.sort_by_key(Vec::len);
    out
}

/// The `--op` that fails `unit`.
fn op_of(topology: &Topology, unit: Unit) -> String {
    match unit {
        Unit::Component(c) => format!("fail {}", topology.component(c).id),
        Unit::Zone(z) => format!("fail-zone {}", topology.zone(z).id),
        Unit::Region(r) => format!("fail-region {}", topology.region(r).id),
    }
}

/// Every unit `spof` must rank, by label, read off the topology directly.
fn expected_units(topology: &Topology, include_apps: bool) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = topology
        .components()
        .iter()
        .filter(|c| include_apps || c.customer.is_none())
        .map(|c| c.id.clone())
        .collect();
    out.extend(topology.zones().iter().map(|z| format!("zone {}", z.id)));
    out.extend(topology.regions().iter().map(|r| format!("region {}", r.id)));
    out
}

/// By brute force, one `check` per unit: each customer's single points of
/// failure (units that bring it from below `threshold` to it or worse, its
/// own apps aside), and the customers at `threshold` or worse with no
/// operation, with their status.
#[allow(clippy::type_complexity)]
fn brute_spofs(
    topology: &Topology,
    threshold: Status,
) -> (BTreeMap<String, BTreeSet<String>>, BTreeMap<String, Status>) {
    let baseline = blast_radius::engine::overlay::Overlay::new(topology);
    let status_before =
        |k: &blast_radius::model::Customer| k.apps.iter().map(|a| baseline.baseline(*a)).max().unwrap_or_default();
    let failing: BTreeMap<String, Status> = topology
        .customers()
        .iter()
        .map(|k| (k.id.clone(), status_before(k)))
        .filter(|(_, s)| *s >= threshold)
        .collect();
    let mut spofs: BTreeMap<String, BTreeSet<String>> = topology
        .customers()
        .iter()
        .map(|k| (k.id.clone(), BTreeSet::new()))
        .collect();
    let units = topology
        .component_indices()
        .map(Unit::Component)
        .chain(topology.zone_indices().map(Unit::Zone))
        .chain(topology.region_indices().map(Unit::Region));
    for unit in units {
        let report = check_op(topology, &op_of(topology, unit));
        for customer in &report.customers {
            let Some(k) = topology.find_customer(&customer.id).map(|k| topology.customer(k)) else {
                continue;
            };
            let own_app = matches!(unit, Unit::Component(c) if k.apps.contains(&c));
            if customer.status >= threshold && status_before(k) < threshold && !own_app {
                spofs.entry(k.id.clone()).or_default().insert(unit.label(topology));
            }
        }
    }
    (spofs, failing)
}

/// `spof` on `text` against one `check` per unit.
fn spof_against_checks(text: &str, include_apps: bool) -> Result<(), TestCaseError> {
    let topology = load(text);
    let options = Options {
        include_apps,
        ..Options::default()
    };
    let entries = spof_with(&topology, &options, |_, _| {});
    let ranked: BTreeSet<String> = entries.iter().map(|e| e.unit.label(&topology)).collect();
    prop_assert_eq!(ranked, expected_units(&topology, include_apps));
    for entry in &entries {
        let report = check_op(&topology, &op_of(&topology, entry.unit));
        let id = entry.unit.label(&topology);
        prop_assert!(
            same_counts(&entry.impact.customers, &report.summary.customers),
            "{id}: spof {:?} vs check {:?}\n{text}",
            entry.impact.customers,
            report.summary.customers
        );
        prop_assert!(
            same_counts(&entry.impact.services, &report.summary.services),
            "{id}: spof {:?} vs check {:?}\n{text}",
            entry.impact.services,
            report.summary.services
        );
        let mut down: Vec<&str> = report
            .customers
            .iter()
            .filter(|c| c.status == Status::Down)
            .map(|c| c.id.as_str())
            .collect();
        let mut spof_down: Vec<&str> = entry
            .impact
            .down_customers
            .iter()
            .map(|c| topology.customer(*c).id.as_str())
            .collect();
        down.sort_unstable();
        spof_down.sort_unstable();
        prop_assert_eq!(spof_down, down, "{}\n{}", id, text);
    }
    Ok(())
}

/// The ten largest moves in the ranking of units that are not apps, from
/// a full `spof` of each file: (label, old rank, new rank, weights down).
fn brute_moves(old: &Topology, new: &Topology, threshold: Status) -> Vec<(String, usize, usize, String, String)> {
    let ranks = |t: &Topology| -> BTreeMap<String, (usize, String, bool)> {
        let options = Options {
            include_apps: false,
            threshold,
        };
        spof_with(t, &options, |_, _| {})
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let w = &e.impact.customers.down_weight;
                (e.unit.label(t), (i + 1, w.display(), w.is_positive()))
            })
            .collect()
    };
    let (a, b) = (ranks(old), ranks(new));
    let mut moves: Vec<(String, usize, usize, String, String)> = a
        .iter()
        .filter_map(|(id, (ra, wa, pa))| {
            let (rb, wb, pb) = b.get(id)?;
            ((*pa || *pb) && ra != rb).then(|| (id.clone(), *ra, *rb, wa.clone(), wb.clone()))
        })
        .collect();
    moves.sort_by(|x, y| {
        y.1.abs_diff(y.2)
            .cmp(&x.1.abs_diff(x.2))
            .then_with(|| x.2.cmp(&y.2))
            .then_with(|| x.0.cmp(&y.0))
    });
    moves.truncate(10);
    moves
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(150))]

    #[test]
    fn spof_equals_one_check_per_unit(specs in proptest::collection::vec(component(), 2..9), include_apps in any::<bool>()) {
        let text = topology_text(&specs);
        spof_against_checks(&text, include_apps)?;
    }

    /// Several regions, surges and failovers (the oracle's generator): a
    /// zone failure changes the capacities failover shares are split by.
    #[test]
    fn spof_with_load_dynamics_equals_one_check_per_unit(t in oracle::r#gen::topo(), include_apps in any::<bool>()) {
        spof_against_checks(&t.yaml(), include_apps)?;
    }

    #[test]
    fn diff_equals_brute_force_single_points_of_failure(
        old_specs in proptest::collection::vec(component(), 2..8),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), component()), 1..3),
        threshold in prop_oneof![Just(Status::Down), Just(Status::Degraded), Just(Status::AtRisk)],
    ) {
        let mut new_specs = old_specs.clone();
        for (at, spec) in edits {
            let i = at.index(new_specs.len());
            new_specs[i] = spec;
        }
        let (old_text, new_text) = (topology_text(&old_specs), topology_text(&new_specs));
        let (old, new) = (load(&old_text), load(&new_text));
        let result = diff(&old, &new, Some(threshold), |_, _| {});
        let (old_spofs, old_failing) = brute_spofs(&old, threshold);
        let (new_spofs, new_failing) = brute_spofs(&new, threshold);
        let failing: Vec<(String, Status)> = new_failing.iter().map(|(id, s)| (id.clone(), *s)).collect();
        prop_assert_eq!(&result.baseline_failures, &failing, "{}", new_text);
        let mut expected = BTreeMap::new();
        for (id, after) in &new_spofs {
            if old_failing.contains_key(id) || new_failing.contains_key(id) {
                continue;
            }
            let before = old_spofs.get(id).cloned().unwrap_or_default();
            let gained: Vec<String> = after.difference(&before).cloned().collect();
            let lost: Vec<String> = before.difference(after).cloned().collect();
            if !gained.is_empty() || !lost.is_empty() {
                expected.insert(id.clone(), (gained, lost));
            }
        }
        let got: BTreeMap<String, (Vec<String>, Vec<String>)> = result
            .customers
            .iter()
            .map(|c| (c.id.clone(), (c.gained.clone(), c.lost.clone())))
            .collect();
        prop_assert_eq!(got, expected, "OLD\n{}\nNEW\n{}", old_text, new_text);
        let moves: Vec<(String, usize, usize, String, String)> = result
            .moves
            .iter()
            .map(|m| (m.id.clone(), m.old_rank, m.new_rank, m.old_weight_down.display(), m.new_weight_down.display()))
            .collect();
        prop_assert_eq!(moves, brute_moves(&old, &new, threshold), "OLD\n{}\nNEW\n{}", old_text, new_text);
        prop_assert_eq!(result.fails(), result.gained() || !failing.is_empty());
    }

    #[test]
    fn cuts_equal_brute_force(specs in proptest::collection::vec(component(), 2..8), pick in any::<prop::sample::Index>(), k in 1usize..4) {
        let text = topology_text(&specs);
        let topology = load(&text);
        let target = topology.component_indices().nth(pick.index(topology.components().len())).unwrap();
        let result = cuts(&topology, &Target { components: vec![target] }, k, |_, _| {});
        let all: Vec<ComponentIdx> = topology.component_indices().collect();
        if target_down(&topology, &[], target) {
            prop_assert!(result.already_down);
            return Ok(());
        }
        let mut expected: Vec<Vec<ComponentIdx>> = Vec::new();
        for set in subsets(&all, k) {
            if target_down(&topology, &set, target) && !expected.iter().any(|cut| cut.iter().all(|c| set.contains(c))) {
                expected.push(set);
            }
        }
        let mut got: Vec<Vec<ComponentIdx>> = result.sets.iter().map(|s| {
            let mut m = s.members.clone();
            m.sort_unstable();
            m
        }).collect();
        for set in &mut expected {
            set.sort_unstable();
        }
        got.sort();
        expected.sort();
        prop_assert_eq!(got, expected, "target {}\n{}", topology.component(target).id, text);
    }
}
