//! Property tests: `spof` and `cuts` against brute force through the engine.

mod common;

use blast_radius::analysis::cuts::{Target, cuts};
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
    report::build(
        topology,
        &plan,
        "inline".into(),
        &outcome,
        FailOn::Degraded,
        report::AppRows::Affected,
    )
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
