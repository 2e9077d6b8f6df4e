//! Property tests: `spof` and `cuts` against brute force through the engine.

mod common;

use blast_radius::analysis::cuts::{Limits, Target, cuts_with};
use blast_radius::analysis::spof::spof;
use blast_radius::engine;
use blast_radius::model::{ComponentIdx, Topology};
use blast_radius::plan::{Origin, inline_plan, resolve};
use blast_radius::report::{self, Counts};
use blast_radius::{FailOn, Status};
use common::{component, load, topology_text};
use proptest::prelude::*;

/// What `blast check --op 'fail a' --op 'fail b' ...` reports.
fn check_fail(topology: &Topology, set: &[ComponentIdx]) -> report::Report {
    let ops: Vec<String> = set
        .iter()
        .map(|c| format!("fail {}", topology.component(*c).id))
        .collect();
    let plan = resolve(topology, &inline_plan(&ops).unwrap(), Origin::Inline, &[]).unwrap();
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

proptest! {
    #![proptest_config(ProptestConfig::with_cases(150))]

    #[test]
    fn spof_equals_one_check_per_component(specs in proptest::collection::vec(component(), 2..9)) {
        let text = topology_text(&specs);
        let topology = load(&text);
        let entries = spof(&topology, |_, _| {});
        prop_assert_eq!(entries.len(), topology.components().len());
        for entry in &entries {
            let report = check_fail(&topology, &[entry.component]);
            let id = &topology.component(entry.component).id;
            prop_assert!(same_counts(&entry.impact.customers, &report.summary.customers),
                "{id}: spof {:?} vs check {:?}\n{text}", entry.impact.customers, report.summary.customers);
            prop_assert!(same_counts(&entry.impact.services, &report.summary.services),
                "{id}: spof {:?} vs check {:?}\n{text}", entry.impact.services, report.summary.services);
            let down: Vec<&str> = report.customers.iter().filter(|c| c.status == Status::Down).map(|c| c.id.as_str()).collect();
            let mut spof_down: Vec<&str> = entry.impact.down_customers.iter().map(|c| topology.customer(*c).id.as_str()).collect();
            let mut down_sorted = down.clone();
            down_sorted.sort_unstable();
            spof_down.sort_unstable();
            prop_assert_eq!(spof_down, down_sorted);
        }
    }
}

/// Every failure unit of the topology, as `cuts` labels them.
fn units(topology: &Topology) -> Vec<String> {
    let mut out: Vec<String> = topology.components().iter().map(|c| c.id.clone()).collect();
    out.extend(topology.zones().iter().map(|z| format!("zone {}", z.id)));
    out.extend(topology.regions().iter().map(|r| format!("region {}", r.id)));
    out
}

/// What `blast check` says about the target once every unit of `set` has
/// failed: one `fail`, `fail-zone` or `fail-region` step per unit, one fresh
/// engine run, nothing shared with `cuts`.
fn down_after(topology: &Topology, set: &[&String], target: ComponentIdx) -> bool {
    if set.is_empty() {
        return target_down(topology, &[], target);
    }
    let ops: Vec<String> = set
        .iter()
        .map(|u| match u.split_once(' ') {
            Some(("zone", z)) => format!("fail-zone {z}"),
            Some(("region", r)) => format!("fail-region {r}"),
            _ => format!("fail {u}"),
        })
        .collect();
    let plan = resolve(topology, &inline_plan(&ops).unwrap(), Origin::Inline, &[]).unwrap();
    engine::run(topology, &plan).worst[target.index()] == Status::Down
}

/// Brute force: every subset of at most `k` units in size order, skipping
/// supersets of the cuts already found (they cannot be minimal).
fn brute_force_cuts(topology: &Topology, target: ComponentIdx, k: usize) -> Vec<Vec<String>> {
    let all = units(topology);
    let mut found: Vec<Vec<String>> = Vec::new();
    for size in 1..=k.min(all.len()) {
        let mut at: Vec<usize> = (0..size).collect();
        loop {
            let set: Vec<&String> = at.iter().map(|i| &all[*i]).collect();
            let has_cut = found.iter().any(|cut| cut.iter().all(|u| set.contains(&u)));
            if !has_cut && down_after(topology, &set, target) {
                found.push(set.into_iter().cloned().collect());
            }
            let Some(i) = (0..size).rev().find(|i| at[*i] < all.len() - size + *i) else {
                break;
            };
            at[i] += 1;
            for j in i + 1..size {
                at[j] = at[j - 1] + 1;
            }
        }
    }
    for cut in &mut found {
        cut.sort();
    }
    found.sort();
    found
}

fn cut_labels(topology: &Topology, target: &Target, k: usize) -> (Vec<Vec<String>>, bool) {
    let limits = Limits {
        max_size: k,
        max_sets: 10_000,
    };
    let result = cuts_with(topology, target, limits, |_, _| {});
    let mut got: Vec<Vec<String>> = result
        .sets
        .iter()
        .map(|s| {
            let mut m: Vec<String> = s.members.iter().map(|m| m.label(topology)).collect();
            m.sort();
            m
        })
        .collect();
    got.sort();
    (got, result.truncated)
}

/// Adds load dynamics to a `topology_text` file: `(kind, from, to)` gives
/// component `from` a surge (kind 0: on itself, 1: onto `to`) or a failover
/// onto `to` (kind 2).
fn with_dynamics(text: &str, n: usize, dynamics: &[(u8, usize, usize)]) -> String {
    let mut out = text.to_string();
    let mut done = std::collections::HashSet::new();
    for (kind, from, to) in dynamics {
        let (from, to) = (from % n, to % n);
        if !done.insert((from, *kind == 2)) || (from == to && *kind != 0) {
            continue;
        }
        let line = match kind {
            0 => "    surges: [{ factor: 3 }]\n".to_string(),
            1 => format!("    surges: [{{ when: at_risk, target: c{to}, amount: 2 }}]\n"),
            _ => format!("    failover: {{ to: c{to} }}\n"),
        };
        let key = if *kind == 2 { "failover" } else { "surges" };
        let anchor = format!("  - id: c{from}\n");
        let Some(at) = out.find(&anchor) else { continue };
        let end = out[at + anchor.len()..]
            .find("  - id:")
            .map_or(out.len(), |e| at + anchor.len() + e);
        if out[at..end].contains(key) {
            continue;
        }
        out.insert_str(at + anchor.len(), &line);
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    /// Components, zones and regions together: `cuts` lists exactly the
    /// minimal sets that one engine run per subset finds, for every K up to 5.
    #[test]
    fn cuts_equal_brute_force_over_components_zones_and_regions(
        specs in proptest::collection::vec(component(), 2..7),
        pick in any::<prop::sample::Index>(),
    ) {
        let text = topology_text(&specs);
        let topology = load(&text);
        let target = topology.component_indices().nth(pick.index(topology.components().len())).unwrap();
        let wanted = Target { components: vec![target] };
        if down_after(&topology, &[], target) {
            let result = cuts_with(&topology, &wanted, Limits { max_size: 2, max_sets: 10 }, |_, _| {});
            prop_assert!(result.already_down);
            return Ok(());
        }
        let expected = brute_force_cuts(&topology, target, 5);
        for k in 1..=5 {
            let (got, truncated) = cut_labels(&topology, &wanted, k);
            let within: Vec<Vec<String>> = expected.iter().filter(|c| c.len() <= k).cloned().collect();
            prop_assert!(!truncated);
            prop_assert_eq!(got, within, "K = {}, target {}\n{}", k, topology.component(target).id, text);
        }
    }

    /// The same with surges and failovers, which raise loads towards
    /// `collapse_at`: those components are asked of the engine.
    #[test]
    fn cuts_equal_brute_force_with_load_dynamics(
        specs in proptest::collection::vec(component(), 2..6),
        dynamics in proptest::collection::vec((0u8..3, 0usize..8, 0usize..8), 1..4),
        pick in any::<prop::sample::Index>(),
    ) {
        let text = with_dynamics(&topology_text(&specs), specs.len(), &dynamics);
        let topology = load(&text);
        let target = topology.component_indices().nth(pick.index(topology.components().len())).unwrap();
        if down_after(&topology, &[], target) {
            return Ok(());
        }
        let expected = brute_force_cuts(&topology, target, 4);
        for k in [2, 4] {
            let (got, _) = cut_labels(&topology, &Target { components: vec![target] }, k);
            let within: Vec<Vec<String>> = expected.iter().filter(|c| c.len() <= k).cloned().collect();
            prop_assert_eq!(got, within, "K = {}, target {}\n{}", k, topology.component(target).id, text);
        }
    }
}
