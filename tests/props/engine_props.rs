//! Property tests of the engine on random small topologies and plans.

use crate::common;
use crate::oracle;

use blast_radius::engine::{self, Cause, Conditions, Propagator, State, evaluate_group};
use blast_radius::model::{ComponentIdx, Topology};
use blast_radius::plan::{Origin, inline_plan, resolve};
use blast_radius::report;
use blast_radius::{FailOn, Status};
use common::{component, load, topology_text};
use proptest::prelude::*;

/// Steps that only ever hurt: a plan with one more of them is never healthier.
fn harmful_step(n: usize) -> impl Strategy<Value = String> {
    prop_oneof![
        (0..n).prop_map(|i| format!("fail c{i}")),
        (0..n, 1u32..=100).prop_map(|(i, p)| format!("remove-capacity c{i} percent={p}")),
        (0..n, 1u32..50).prop_map(|(i, c)| format!("remove-capacity c{i} count={c}")),
        Just("delete-data st".to_string()),
    ]
}

fn any_step(n: usize) -> impl Strategy<Value = String> {
    prop_oneof![
        harmful_step(n),
        (0..n).prop_map(|i| format!("restart c{i}")),
        (1u32..=3).prop_map(|z| format!("fail-zone z{z}")),
        (0..n, 1u32..4).prop_map(|(i, f)| format!("add-load c{i} factor={f}")),
        (0..n, 0..n, 1u32..=100).prop_map(|(i, j, p)| format!("shift-load c{i} to=c{j} percent={p}")),
        (0..n).prop_map(|i| format!("delete-data st owners=c{i}")),
    ]
}

fn case() -> impl Strategy<Value = (String, Vec<String>, String, usize)> {
    proptest::collection::vec(component(), 2..10).prop_flat_map(|specs| {
        let n = specs.len();
        let text = topology_text(&specs);
        (
            Just(text),
            proptest::collection::vec(any_step(n), 1..5),
            harmful_step(n),
            0usize..5,
        )
    })
}

fn worst(topology: &Topology, ops: &[String]) -> Vec<Status> {
    let plan = resolve(topology, &inline_plan(ops).unwrap(), Origin::Inline, &[]).unwrap();
    engine::run(topology, &plan).worst
}

/// The reference: apply every rule to every component until nothing changes.
fn naive_fixpoint(topology: &Topology, state: &State) -> Vec<Status> {
    let direct: Vec<Status> = topology
        .component_indices()
        .map(|c| state.direct(c, state.base_load(c)).0)
        .collect();
    let mut status = direct.clone();
    loop {
        let mut changed = false;
        for c in topology.component_indices() {
            let mut s = direct[c.index()];
            for g in topology.groups_of(c) {
                s = s.max(evaluate_group(topology, g, |m| status[m.index()]));
            }
            if s > status[c.index()] {
                status[c.index()] = s;
                changed = true;
            }
        }
        if !changed {
            return status;
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn an_extra_harmful_step_never_makes_anyone_healthier((text, steps, extra, at) in case()) {
        let topology = load(&text);
        let base = worst(&topology, &steps);
        let mut more = steps.clone();
        more.insert(at.min(steps.len()), extra.clone());
        let after = worst(&topology, &more);
        for c in topology.component_indices() {
            prop_assert!(
                after[c.index()] >= base[c.index()],
                "{} went from {} to {} after inserting `{extra}` into {steps:?}\n{text}",
                topology.component(c).id, base[c.index()], after[c.index()]
            );
        }
    }

    #[test]
    fn worklist_equals_naive_fixpoint_after_every_step((text, steps, _extra, _at) in case()) {
        let topology = load(&text);
        let plan = resolve(&topology, &inline_plan(&steps).unwrap(), Origin::Inline, &[]).unwrap();
        let mut state = State::new(&topology);
        for (i, step) in plan.steps.iter().enumerate() {
            engine::apply::apply(&mut state, i + 1, step);
            let mut propagator = Propagator::new(&topology, true, false);
            propagator.start(&state, None);
            let fast = propagator.into_statuses();
            let slow = naive_fixpoint(&topology, &state);
            prop_assert_eq!(fast, slow, "after step {} of {:?}\n{}", i + 1, steps, text);
        }
    }

    #[test]
    fn cause_paths_are_well_founded((text, steps, _extra, _at) in case()) {
        let topology = load(&text);
        let plan = resolve(&topology, &inline_plan(&steps).unwrap(), Origin::Inline, &[]).unwrap();
        let outcome = engine::run(&topology, &plan);
        for affected in &outcome.affected {
            let path = &affected.path;
            prop_assert!(!path.is_empty());
            prop_assert!(matches!(path[0].cause, Cause::Direct { .. }), "path must start at a step: {path:?}");
            prop_assert_eq!(path.last().map(|h| h.component), Some(affected.component));
            prop_assert_eq!(path.last().map(|h| h.status), Some(affected.status));
            prop_assert!(affected.path_length >= path.len());
            // With a left-out middle, the first pair is not one link.
            let skip = usize::from(affected.path_length > path.len());
            for pair in path.windows(2).skip(skip) {
                match &pair[1].cause {
                    Cause::Dependency { via, group, .. } => {
                        prop_assert_eq!(*via, pair[0].component);
                        prop_assert!(topology.members_of(*group).contains(via));
                        prop_assert_eq!(topology.group(*group).dependent, pair[1].component);
                    }
                    Cause::Surge { via, .. } | Cause::Failover { via, .. } => prop_assert_eq!(*via, pair[0].component),
                    Cause::Direct { .. } => prop_assert!(false, "only the first hop is a step: {:?}", path),
                }
            }
        }
    }

    #[test]
    fn reports_are_identical_across_runs((text, steps, _extra, _at) in case()) {
        let render = || {
            let topology = load(&text);
            let plan = resolve(&topology, &inline_plan(&steps).unwrap(), Origin::Inline, &[]).unwrap();
            let outcome = engine::run(&topology, &plan);
            let report = report::build(&topology, &plan, "inline".into(), &outcome, FailOn::Degraded, report::AppRows::Affected);
            serde_json::to_string(&report).unwrap()
        };
        prop_assert_eq!(render(), render());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// `start_above` from the baseline, evaluating only the components a
    /// plan failed, reaches the fixpoint a propagation from nothing does
    /// (failures only raise, so the baseline lies below it), load dynamics
    /// and cycles included: what recovery relies on.
    #[test]
    fn a_fixpoint_built_on_the_baseline_equals_one_from_nothing(
        t in oracle::r#gen::topo(),
        picks in proptest::collection::vec(any::<prop::sample::Index>(), 1..4),
    ) {
        let topology = load(&t.yaml());
        let all: Vec<ComponentIdx> = topology.component_indices().collect();
        let failed: Vec<ComponentIdx> = picks.iter().map(|p| *p.get(&all)).collect();
        let ops: Vec<String> = failed.iter().map(|c| format!("fail {}", topology.component(*c).id)).collect();
        let plan = resolve(&topology, &inline_plan(&ops).unwrap(), Origin::Inline, &[]).unwrap();
        let mut state = State::new(&topology);
        for (i, step) in plan.steps.iter().enumerate() {
            engine::apply::apply(&mut state, i + 1, step);
        }
        let mut scratch = Propagator::new(&topology, true, false);
        scratch.start(&state, None);
        let mut above = Propagator::new(&topology, true, false);
        above.start_above(&state, &engine::baseline(&topology), &failed);
        prop_assert_eq!(above.statuses(), scratch.statuses(), "{}\n{:?}", t.yaml(), ops);
    }
}
