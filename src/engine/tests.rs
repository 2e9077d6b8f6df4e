//! Unit tests of the engine on small topologies.

use std::path::Path;

use super::*;
use crate::limits::Limits;
use crate::model::topology_from_str;
use crate::plan::{Origin, inline_plan, resolve};

const HEADER: &str = "version: 1\nregions:\n  - id: r\n    zones: [z1, z2, z3]\n";

fn topology(body: &str) -> Topology {
    let text = format!("{HEADER}{body}");
    match topology_from_str(&text, Path::new("test.yaml"), Limits::default()) {
        Ok(t) => t,
        Err(e) => panic!("fixture does not load: {e}\n{text}"),
    }
}

/// Worst status of every component after the inline ops.
fn run_ops(topology: &Topology, ops: &[&str]) -> Outcome {
    let ops: Vec<String> = ops.iter().map(|s| s.to_string()).collect();
    let raw = inline_plan(&ops).expect("ops parse");
    let plan = resolve(topology, &raw, Origin::Inline, &[]).expect("ops resolve");
    run(topology, &plan)
}

fn status(topology: &Topology, outcome: &Outcome, id: &str) -> Status {
    outcome.worst[topology.find(id).expect("id exists").index()]
}

fn statuses(body: &str, ops: &[&str], ids: &[&str]) -> Vec<Status> {
    let t = topology(body);
    let outcome = run_ops(&t, ops);
    ids.iter().map(|id| status(&t, &outcome, id)).collect()
}

use Status::{AtRisk, Degraded, Down};
const OK: Status = Status::Ok;

#[test]
fn failed_component_is_down() {
    assert_eq!(statuses("services:\n  - id: a\n", &["fail a"], &["a"]), [Down]);
}

/// The direct status of each component after each step, in order.
fn direct_after_each(t: &Topology, ops: &[&str], id: &str) -> Vec<Status> {
    let ops: Vec<String> = ops.iter().map(|s| s.to_string()).collect();
    let plan = resolve(t, &inline_plan(&ops).unwrap(), Origin::Inline, &[]).unwrap();
    let mut state = State::new(t);
    let c = t.find(id).unwrap();
    plan.steps
        .iter()
        .enumerate()
        .map(|(i, step)| {
            apply::apply(&mut state, i + 1, step);
            state.direct(c, state.base_load(c)).0
        })
        .collect()
}

#[test]
fn a_restart_lasts_until_waits_add_up_to_its_restart_time() {
    let t = topology("services:\n  - id: a\n    restart_time: 10m\n  - id: b\n");
    assert_eq!(
        direct_after_each(&t, &["restart a", "fail b", "wait 4m", "wait 5m", "wait 1m"], "a"),
        [Down, Down, Down, Down, OK]
    );
    // A second restart starts the clock again.
    assert_eq!(
        direct_after_each(&t, &["restart a", "wait 9m", "restart a", "wait 9m", "wait 1m"], "a"),
        [Down, Down, Down, Down, OK]
    );
}

#[test]
fn a_restart_without_restart_time_lasts_until_the_next_wait() {
    let t = topology("services:\n  - id: a\n  - id: b\n");
    assert_eq!(
        direct_after_each(&t, &["restart a", "fail b", "wait 0s"], "a"),
        [Down, Down, OK]
    );
}

#[test]
fn a_restart_does_not_undo_a_fail() {
    let t = topology("services:\n  - id: a\n");
    assert_eq!(
        direct_after_each(&t, &["fail a", "restart a", "wait 1h"], "a"),
        [Down, Down, Down]
    );
}

#[test]
fn falling_below_min_capacity_sticks_until_a_restart_completes() {
    let t = topology("services:\n  - id: a\n    capacity: 10\n    min_capacity: 6\n    restart_time: 1h\n");
    let ops = [
        "remove-capacity a count=5",
        "add-capacity a count=5",
        "wait 2h",
        "restart a",
        "wait 1h",
    ];
    assert_eq!(direct_after_each(&t, &ops, "a"), [Down, Down, Down, Down, OK]);
    // Still below min_capacity when the restart completes: it needs another.
    let ops = [
        "remove-capacity a count=5",
        "restart a",
        "wait 1h",
        "add-capacity a count=5",
    ];
    assert_eq!(direct_after_each(&t, &ops, "a"), [Down, Down, Down, Down]);
}

#[test]
fn a_rolling_restart_without_waits_takes_the_quorum_down() {
    let body = "services:\n  - id: a\n    restart_time: 5m\n  - id: b\n    restart_time: 5m\n  - id: d\n    depends_on: [{any_of: [a, b]}]\n";
    assert_eq!(statuses(body, &["restart a", "restart b"], &["d"]), [Down]);
    assert_eq!(statuses(body, &["restart a", "wait 5m", "restart b"], &["d"]), [AtRisk]);
}

#[test]
fn capacity_zero_is_down() {
    let body = "services:\n  - id: a\n    capacity: 10\n";
    assert_eq!(statuses(body, &["remove-capacity a count=10"], &["a"]), [Down]);
}

#[test]
fn below_min_capacity_is_down_and_at_min_is_at_risk() {
    let body = "services:\n  - id: a\n    capacity: 10\n    min_capacity: 6\n";
    assert_eq!(statuses(body, &["remove-capacity a count=4"], &["a"]), [AtRisk]);
    assert_eq!(statuses(body, &["remove-capacity a count=5"], &["a"]), [Down]);
}

#[test]
fn above_max_capacity_is_down() {
    let body = "services:\n  - id: a\n    capacity: 10\n    max_capacity: 12\n";
    assert_eq!(statuses(body, &["add-capacity a count=2"], &["a"]), [OK]);
    assert_eq!(statuses(body, &["add-capacity a count=3"], &["a"]), [Down]);
}

#[test]
fn collapse_ratio_is_down_overload_is_degraded() {
    let body = "services:\n  - id: a\n    capacity: 10\n    load: 5\n    collapse_at: 1.5\n";
    assert_eq!(statuses(body, &["add-load a amount=4"], &["a"]), [AtRisk]);
    assert_eq!(statuses(body, &["add-load a amount=6"], &["a"]), [Degraded]);
    assert_eq!(statuses(body, &["add-load a factor=3"], &["a"]), [Down]);
}

#[test]
fn lost_state_and_deleted_store_are_degraded() {
    let body = "services:\n  - id: a\n    state: st\n  - id: b\n    state: st\ndata_stores:\n  - id: st\n";
    assert_eq!(
        statuses(body, &["delete-data st"], &["a", "b", "st"]),
        [Degraded, Degraded, Degraded]
    );
    assert_eq!(
        statuses(body, &["delete-data st owners=b"], &["a", "b", "st"]),
        [OK, Degraded, Degraded]
    );
}

#[test]
fn losing_a_zone_or_some_capacity_is_at_risk() {
    let body = "services:\n  - id: a\n    region: r\n  - id: b\n    region: r\n    capacity: 30\n";
    assert_eq!(statuses(body, &["fail-zone z1"], &["a", "b"]), [AtRisk, AtRisk]);
    assert_eq!(
        statuses(body, &["fail-zone z1", "fail-zone z2", "fail-zone z3"], &["a", "b"]),
        [Down, Down]
    );
    assert_eq!(statuses(body, &["remove-capacity b count=1"], &["b"]), [AtRisk]);
}

#[test]
fn global_components_survive_region_failure() {
    let body = "services:\n  - id: g\n  - id: a\n    region: r\n";
    assert_eq!(statuses(body, &["fail-region r"], &["g", "a"]), [OK, Down]);
}

#[test]
fn hard_edges_carry_down_and_degraded_but_not_at_risk() {
    let body = "services:\n  - id: x\n    capacity: 10\n    load: 5\n  - id: d\n    depends_on: [x]\n";
    assert_eq!(statuses(body, &["fail x"], &["d"]), [Down]);
    assert_eq!(statuses(body, &["add-load x amount=6"], &["d"]), [Degraded]);
    assert_eq!(
        statuses(body, &["remove-capacity x count=1"], &["x", "d"]),
        [AtRisk, OK]
    );
}

#[test]
fn soft_edges_carry_only_degraded() {
    let body = "services:\n  - id: x\n  - id: d\n    depends_on: [{id: x, mode: soft}]\n";
    assert_eq!(statuses(body, &["fail x"], &["d"]), [Degraded]);
}

const QUORUM: &str = "services:\n  - id: a\n  - id: b\n  - id: c\n    state: st\n  - id: d\n    depends_on: [{quorum: 2, of: [a, b, c]}]\ndata_stores:\n  - id: st\n";

#[test]
fn quorum_with_one_member_down_loses_redundancy() {
    assert_eq!(statuses(QUORUM, &["fail a"], &["d"]), [AtRisk]);
}

#[test]
fn quorum_below_k_up_is_down() {
    assert_eq!(statuses(QUORUM, &["fail a", "fail b"], &["d"]), [Down]);
}

#[test]
fn quorum_with_degraded_members_is_degraded() {
    // a down, c degraded: 2 not down (b, c) but only 1 healthy.
    assert_eq!(statuses(QUORUM, &["fail a", "delete-data st"], &["d"]), [Degraded]);
}

#[test]
fn quorum_ignores_at_risk_members() {
    let body = "services:\n  - id: a\n    region: r\n  - id: b\n  - id: d\n    depends_on: [{quorum: 2, of: [a, b]}]\n";
    assert_eq!(statuses(body, &["fail-zone z1"], &["a", "d"]), [AtRisk, OK]);
}

#[test]
fn quorum_k_equal_n_needs_every_member() {
    let body = "services:\n  - id: a\n  - id: b\n  - id: d\n    depends_on: [{quorum: 2, of: [a, b]}]\n";
    assert_eq!(statuses(body, &["fail a"], &["d"]), [Down]);
}

#[test]
fn any_of_is_quorum_one() {
    let body = "services:\n  - id: a\n  - id: b\n  - id: d\n    depends_on: [{any_of: [a, b]}]\n";
    assert_eq!(statuses(body, &["fail a"], &["d"]), [AtRisk]);
    assert_eq!(statuses(body, &["fail a", "fail b"], &["d"]), [Down]);
}

#[test]
fn cycles_without_failure_stay_ok_and_carry_failure_around() {
    let body = "services:\n  - id: a\n    depends_on: [b]\n  - id: b\n    depends_on: [a]\n  - id: c\n";
    assert_eq!(statuses(body, &["fail c"], &["a", "b"]), [OK, OK]);
    assert_eq!(statuses(body, &["fail a"], &["a", "b"]), [Down, Down]);
}

#[test]
fn worst_status_over_steps_is_reported() {
    let body = "services:\n  - id: a\n    capacity: 10\n";
    let t = topology(body);
    let outcome = run_ops(&t, &["restart a", "add-capacity a count=1"]);
    assert_eq!(status(&t, &outcome, "a"), Down);
    assert_eq!(outcome.affected_of(t.find("a").unwrap()).map(|a| a.step), Some(1));
}

#[test]
fn cause_paths_in_cycles_end_at_the_step() {
    let body = "services:\n  - id: x\n  - id: a\n    depends_on: [b, x]\n  - id: b\n    depends_on: [a]\n";
    let t = topology(body);
    let outcome = run_ops(&t, &["fail x"]);
    for id in ["a", "b"] {
        let affected = outcome.affected_of(t.find(id).unwrap()).expect("affected");
        let ids: Vec<&str> = affected
            .path
            .iter()
            .map(|h| t.component(h.component).id.as_str())
            .collect();
        assert_eq!(ids.first(), Some(&"x"), "path of {id}: {ids:?}");
        assert_eq!(ids.last(), Some(&id));
        assert!(matches!(
            affected.path[0].cause,
            Cause::Direct {
                step: 1,
                reason: Reason::Failed
            }
        ));
    }
}

#[test]
fn cause_prefers_first_dependency_in_file_order() {
    let body = "services:\n  - id: x\n  - id: y\n  - id: d\n    depends_on: [y, x]\n";
    let t = topology(body);
    let outcome = run_ops(&t, &["fail x", "fail y"]);
    let d = outcome.affected_of(t.find("d").unwrap()).expect("affected");
    // d went down at step 1 through x; y failing later changes nothing.
    assert_eq!(d.step, 1);
    let Some(&Cause::Dependency { via, .. }) = d.cause() else {
        panic!("dependency cause expected")
    };
    assert_eq!(t.component(via).id, "x");

    let outcome = run_ops(&t, &["fail [xy]"]);
    let d = outcome.affected_of(t.find("d").unwrap()).expect("affected");
    let Some(&Cause::Dependency { via, .. }) = d.cause() else {
        panic!("dependency cause expected")
    };
    assert_eq!(
        t.component(via).id,
        "y",
        "both fail at once: the first entry in file order wins"
    );
}

#[test]
fn huge_numbers_stay_exact() {
    // Twenty-one times a factor of 1e15 would overflow a double's range
    // long before; exact numbers only grow.
    let body = "services:\n  - id: a\n    capacity: 10\n    load: 1\n  - id: b\n    capacity: 10\n";
    let mut ops = vec!["add-load a factor=1000000000000000"; 3];
    ops.push("shift-load a to=b");
    assert_eq!(statuses(body, &ops, &["a", "b"]), [Degraded, Degraded]);
}
