//! The engine against an independent reading of SPEC.md (tests/oracle):
//! statuses, policy violations and recovery on random topologies and plans,
//! load-dynamics monotonicity, reversible plans, and boundaries at every magnitude.

use crate::oracle;

use std::collections::BTreeSet;
use std::path::Path;

use blast_radius::Status;
use blast_radius::engine::{self, Outcome};
use blast_radius::limits::Limits;
use blast_radius::model::{Topology, topology_from_str};
use blast_radius::plan::{Origin, Plan, inline_plan, resolve};
use oracle::Expected;
use oracle::r#gen as generate;
use proptest::prelude::*;

fn load(text: &str) -> Topology {
    topology_from_str(text, Path::new("oracle.yaml"), Limits::default()).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn plan(t: &Topology, ops: &[String], approvals: &[String]) -> Plan {
    resolve(t, &inline_plan(ops).unwrap(), Origin::Inline, approvals).unwrap_or_else(|e| panic!("{e}\n{ops:?}"))
}

/// A case run by both sides.
struct Run {
    text: String,
    ops: Vec<String>,
    approvals: Vec<String>,
    topology: Topology,
    outcome: Outcome,
    expected: Expected,
}

fn run(text: String, ops: &[String], approvals: &[String]) -> Run {
    let topology = load(&text);
    let p = plan(&topology, ops, approvals);
    let outcome = engine::run(&topology, &p);
    let expected = oracle::expect(&topology, &p);
    Run {
        text,
        ops: ops.to_vec(),
        approvals: approvals.to_vec(),
        topology,
        outcome,
        expected,
    }
}

impl Run {
    fn id(&self, i: usize) -> &str {
        &self.topology.components()[i].id
    }

    /// Everything needed to reproduce and read a failure.
    fn context(&self) -> String {
        let mut out = format!(
            "\n--- topology\n{}--- ops {:?} approvals {:?}\n",
            self.text, self.ops, self.approvals
        );
        for (s, statuses) in self.expected.per_step.iter().enumerate() {
            let line: Vec<String> = statuses
                .iter()
                .enumerate()
                .map(|(i, st)| format!("{}={}", self.id(i), st.as_str()))
                .collect();
            out.push_str(&format!("oracle after step {}: {}\n", s + 1, line.join(" ")));
        }
        let line = |v: &[Status]| -> String {
            v.iter()
                .enumerate()
                .map(|(i, st)| format!("{}={}", self.id(i), st.as_str()))
                .collect::<Vec<_>>()
                .join(" ")
        };
        out.push_str(&format!("oracle baseline: {}\n", line(&self.expected.baseline)));
        out.push_str(&format!("oracle G lfp:    {}\n", line(&self.expected.g)));
        let r: Vec<Status> = self.expected.recovery.iter().map(|r| r.status_after_rollback).collect();
        out.push_str(&format!("oracle R:        {}\n", line(&r)));
        out.push_str(&format!(
            "engine R:        {}\n",
            line(&self.outcome.recovery.after_rollback)
        ));
        out
    }

    /// The kept components upstream of `c` over dependencies, surges and failovers, `c` included.
    fn engine_violations(&self) -> Violations {
        self.outcome
            .violations
            .iter()
            .map(|v| {
                (
                    v.kind.as_str().to_string(),
                    v.component.map(|c| self.id(c.index()).to_string()),
                    v.step,
                )
            })
            .collect()
    }

    fn oracle_violations(&self) -> Violations {
        self.expected
            .violations
            .iter()
            .map(|(k, c, s)| (k.to_string(), c.map(|c| self.id(c.index()).to_string()), *s))
            .collect()
    }
}

fn case_run(case: &generate::Case) -> Run {
    run(case.topo.yaml(), &case.ops, &case.approvals)
}

// ---------------------------------------------------------------------------

/// Cases per property: `default`, or ORACLE_CASES for a longer run.
fn cases(default: u32) -> u32 {
    std::env::var("ORACLE_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

// ---------------------------------------------------------------------------
// 1-3: the engine equals the oracle

fn check_worst(r: &Run) -> Result<(), TestCaseError> {
    if r.expected.undecided.is_some() {
        return Ok(());
    }
    for i in 0..r.topology.components().len() {
        prop_assert_eq!(
            r.outcome.worst[i],
            r.expected.worst[i],
            "worst status of `{}`: engine {}, oracle {}{}",
            r.id(i),
            r.outcome.worst[i],
            r.expected.worst[i],
            r.context()
        );
    }
    Ok(())
}

fn check_violations(r: &Run) -> Result<(), TestCaseError> {
    if r.expected.undecided.is_some() {
        return Ok(());
    }
    let engine = r.engine_violations();
    let oracle = r.oracle_violations();
    prop_assert!(
        engine == oracle,
        "violations differ\nengine only: {:?}\noracle only: {:?}{}",
        engine.difference(&oracle).collect::<Vec<_>>(),
        oracle.difference(&engine).collect::<Vec<_>>(),
        r.context()
    );
    Ok(())
}

fn check_recovery(r: &Run) -> Result<(), TestCaseError> {
    if r.expected.undecided.is_some() {
        return Ok(());
    }
    for c in r.topology.component_indices() {
        let got = r.outcome.recovery.of(c);
        let want = &r.expected.recovery[c.index()];
        let id = r.id(c.index());
        prop_assert_eq!(
            got.status_after_rollback,
            want.status_after_rollback,
            "status after rollback of `{}`{}",
            id,
            r.context()
        );
        let kind = got.kind.as_str();
        prop_assert!(
            want.kinds.iter().any(|k| k.as_str() == kind),
            "recovery kind of `{}`: engine {}, oracle {:?} (roots {:?}){}",
            id,
            kind,
            want.kinds,
            want.roots.iter().map(|k| r.id(k.index())).collect::<Vec<_>>(),
            r.context()
        );
        if let Some(after) = want.after {
            prop_assert_eq!(
                got.after,
                after,
                "recovery duration of `{}` ({}): engine {:?}, oracle {:?} (roots {:?}){}",
                id,
                kind,
                got.after,
                after,
                want.roots.iter().map(|k| r.id(k.index())).collect::<Vec<_>>(),
                r.context()
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(500)))]

    #[test]
    fn worst_statuses_equal_the_oracle(case in generate::case()) {
        check_worst(&case_run(&case))?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(300)))]

    #[test]
    fn violations_equal_the_oracle(case in generate::case()) {
        check_violations(&case_run(&case))?;
    }

    #[test]
    fn recovery_equals_the_oracle(case in generate::case()) {
        check_recovery(&case_run(&case))?;
    }
}

// ---------------------------------------------------------------------------
// 4: load dynamics only ever add load

fn worst_of(text: &str, ops: &[String], approvals: &[String]) -> (Vec<Status>, Vec<Status>) {
    let t = load(text);
    let o = engine::run(&t, &plan(&t, ops, approvals));
    (o.worst, o.recovery.after_rollback)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(200)))]

    #[test]
    fn an_extra_surge_or_failover_never_makes_anyone_healthier(
        case in generate::case(),
        extra in generate::extra_dynamics(),
    ) {
        let before_text = case.topo.yaml();
        let after_text = generate::with_extra(&case.topo, extra).yaml();
        let (before, _) = worst_of(&before_text, &case.ops, &case.approvals);
        let (after, _) = worst_of(&after_text, &case.ops, &case.approvals);
        for (i, (b, a)) in before.iter().zip(&after).enumerate() {
            prop_assert!(
                a >= b,
                "component #{} went from {} to {} with one more surge or failover\n--- before\n{}--- after\n{}--- ops {:?}",
                i, b, a, before_text, after_text, case.ops
            );
        }
    }

    #[test]
    fn surges_of_factor_one_or_amount_zero_change_nothing(case in generate::case()) {
        let neutral = case.topo.with_neutral_surges().yaml();
        let without = case.topo.without_surges().yaml();
        let (w1, r1) = worst_of(&neutral, &case.ops, &case.approvals);
        let (w2, r2) = worst_of(&without, &case.ops, &case.approvals);
        prop_assert_eq!(&w1, &w2, "worst statuses\n--- neutral surges\n{}--- ops {:?}", neutral, case.ops);
        prop_assert_eq!(&r1, &r2, "statuses after rollback\n--- neutral surges\n{}--- ops {:?}", neutral, case.ops);
    }
}

// ---------------------------------------------------------------------------
// 5: without load dynamics, only restarts and restores outlast a rollback

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(200)))]

    #[test]
    fn reversible_plans_roll_back_completely((topo, steps, mask) in generate::static_case()) {
        let topo = topo.without_min_capacity();
        let ops = generate::reversible_ops(&topo, &steps);
        let r = run(topo.yaml(), &ops, &generate::approvals(&topo, mask));
        let baseline = engine::baseline(&r.topology);
        for c in r.topology.component_indices() {
            let got = r.outcome.recovery.of(c);
            prop_assert_eq!(got.kind.as_str(), "rollback", "`{}`{}", r.id(c.index()), r.context());
            prop_assert_eq!(got.after, Some(std::time::Duration::ZERO), "`{}`{}", r.id(c.index()), r.context());
            prop_assert_eq!(got.status_after_rollback, baseline[c.index()], "`{}`{}", r.id(c.index()), r.context());
            prop_assert_eq!(baseline[c.index()], r.expected.baseline[c.index()], "baseline of `{}`{}", r.id(c.index()), r.context());
        }
    }

    #[test]
    fn without_dynamics_nothing_sustains_itself((topo, steps, mask) in generate::static_case()) {
        let ops = generate::ops(&topo, &steps);
        let r = run(topo.yaml(), &ops, &generate::approvals(&topo, mask));
        for c in r.topology.component_indices() {
            let got = r.outcome.recovery.of(c);
            prop_assert_ne!(got.kind.as_str(), "self_sustaining", "`{}`{}", r.id(c.index()), r.context());
            // A plain dependency cycle falls back as in 4.1: nothing is above
            // what the restart and restore components alone explain (G).
            prop_assert_eq!(got.status_after_rollback, r.expected.g[c.index()], "`{}`{}", r.id(c.index()), r.context());
        }
    }
}

#[test]
fn a_plain_dependency_cycle_recovers_after_a_rollback() {
    let text = "version: 1
services:
  - id: net
    depends_on: [mon]
  - id: mon
    depends_on: [ctl]
  - id: ctl
    depends_on: [net, {id: db, mode: soft}]
  - id: db
    capacity: 10
    load: 5
customers:
  - id: k
    apps:
      - id: app
        depends_on: [{quorum: 1, of: [net, mon]}]
";
    for ops in [
        vec!["fail net"],
        vec!["remove-capacity db count=10"],
        vec!["add-load db factor=3", "fail mon"],
    ] {
        let ops: Vec<String> = ops.into_iter().map(String::from).collect();
        let r = run(text.to_string(), &ops, &[]);
        assert!(r.topology.cycles().iter().any(|c| c.len() == 3));
        for c in r.topology.component_indices() {
            let got = r.outcome.recovery.of(c);
            assert_eq!(
                got.status_after_rollback,
                Status::Ok,
                "`{}` after {ops:?}",
                r.id(c.index())
            );
            assert_eq!(got.kind.as_str(), "rollback", "`{}` after {ops:?}", r.id(c.index()));
            assert_eq!(r.expected.recovery[c.index()].status_after_rollback, Status::Ok);
        }
        assert!(r.outcome.worst.contains(&Status::Down) || ops[0].starts_with("remove"));
    }
}

// ---------------------------------------------------------------------------
// 6: boundaries at every magnitude ("a capacity one unit below min_capacity
// is below it, a load one unit over capacity is over it, at 1e15 as at 10")

use generate::{MAGNITUDES, UNIT, num};

/// Offsets from a threshold, in micro-units: one unit and one micro-unit either side, and exactly at it.
const OFFSETS: [i128; 5] = [-UNIT, -1, 0, 1, UNIT];

/// Runs one component `x` through `ops` and checks both sides against `status` and `violation`.
fn boundary(text: &str, ops: &[String], status: Status, violation: Option<&str>) {
    let r = run(text.to_string(), ops, &[]);
    let x = r.topology.find("x").unwrap().index();
    let context = format!("\n{text}{ops:?}");
    assert_eq!(r.expected.worst[x], status, "oracle{context}");
    assert_eq!(r.outcome.worst[x], status, "engine{context}");
    let engine: BTreeSet<String> = r
        .outcome
        .violations
        .iter()
        .map(|v| v.kind.as_str().to_string())
        .collect();
    let oracle: BTreeSet<String> = r.expected.violations.iter().map(|v| v.0.to_string()).collect();
    assert_eq!(engine, oracle, "violations{context}");
    if let Some(kind) = violation {
        assert!(engine.contains(kind), "expected {kind}{context}");
    }
    let limits = ["below_min_capacity", "over_max_capacity", "step_too_large"];
    for kind in limits.iter().filter(|k| Some(**k) != violation) {
        assert!(!engine.contains(*kind), "unexpected {kind}{context}");
    }
}

/// Every threshold `t + d` that is a valid input (0 <= x <= 1e15).
fn around(t: i128) -> impl Iterator<Item = (i128, i128)> {
    OFFSETS
        .into_iter()
        .map(move |d| (d, t + d))
        .filter(|(_, v)| (0..=generate::MAX).contains(v))
}

#[test]
fn min_capacity_boundary_at_every_magnitude() {
    for m in MAGNITUDES.map(|m| m * UNIT) {
        let text = format!(
            "version: 1\nservices:\n  - id: x\n    capacity: {}\n    min_capacity: {}\n",
            num(m),
            num(m / 2)
        );
        // Removing m/2 + d leaves m/2 - d: below min_capacity exactly when d > 0.
        for (d, count) in around(m / 2) {
            let ops = vec![format!("remove-capacity x count={}", num(count))];
            if d > 0 {
                boundary(&text, &ops, Status::Down, Some("below_min_capacity"));
            } else {
                boundary(&text, &ops, Status::AtRisk, None);
            }
        }
    }
}

#[test]
fn max_capacity_boundary_at_every_magnitude() {
    for m in MAGNITUDES.map(|m| m * UNIT) {
        let text = format!(
            "version: 1\nservices:\n  - id: x\n    capacity: {}\n    max_capacity: {}\n",
            num(m / 2),
            num(m)
        );
        for (d, count) in around(m - m / 2) {
            let ops = vec![format!("add-capacity x count={}", num(count))];
            if d > 0 {
                boundary(&text, &ops, Status::Down, Some("over_max_capacity"));
            } else {
                boundary(&text, &ops, Status::Ok, None);
            }
        }
    }
}

#[test]
fn capacity_boundary_for_load_at_every_magnitude() {
    for m in MAGNITUDES.map(|m| m * UNIT) {
        let text = format!(
            "version: 1\nservices:\n  - id: x\n    capacity: {}\n    load: {}\n",
            num(m),
            num(m / 2)
        );
        // The load becomes m + d: over capacity (degraded) exactly when d > 0.
        for (d, amount) in around(m - m / 2) {
            let ops = vec![format!("add-load x amount={}", num(amount))];
            let status = if d > 0 { Status::Degraded } else { Status::AtRisk };
            boundary(&text, &ops, status, None);
        }
    }
}

#[test]
fn collapse_at_boundary_at_every_magnitude() {
    for m in MAGNITUDES.map(|m| m * UNIT) {
        // capacity m/2, collapse_at 1.5: down from a load of 3m/4.
        let text = format!(
            "version: 1\nservices:\n  - id: x\n    capacity: {}\n    collapse_at: 1.5\n",
            num(m / 2)
        );
        for (d, amount) in around(m * 3 / 4) {
            let ops = vec![format!("add-load x amount={}", num(amount))];
            let status = if d >= 0 { Status::Down } else { Status::Degraded };
            boundary(&text, &ops, status, None);
        }
        // The same threshold reached by a surge (retries x1.5 of the load while degraded).
        let text = format!(
            "version: 1\nservices:\n  - id: x\n    capacity: {}\n    collapse_at: 1.5\n    surges: [{{factor: 1.5}}]\n",
            num(m / 2)
        );
        for (d, amount) in around(m / 2) {
            let ops = vec![format!("add-load x amount={}", num(amount))];
            // Load m/2 + d: over capacity when d > 0, then x1.5 = 3m/4 + 1.5d: down when d > 0.
            let status = if d > 0 { Status::Down } else { Status::AtRisk };
            boundary(&text, &ops, status, None);
        }
    }
}

#[test]
fn max_step_percent_boundary_at_every_magnitude() {
    for m in MAGNITUDES.map(|m| m * UNIT) {
        let text = format!(
            "version: 1\nservices:\n  - id: x\n    capacity: {}\n    guard: {{max_step_percent: 10}}\n",
            num(m)
        );
        // Asking for m/10 + d is more than 10% exactly when d > 0.
        for (d, count) in around(m / 10) {
            let ops = vec![format!("remove-capacity x count={}", num(count))];
            let violation = (d > 0).then_some("step_too_large");
            let status = match count {
                0 => Status::Ok,
                c if c >= m => Status::Down,
                _ => Status::AtRisk,
            };
            boundary(&text, &ops, status, violation);
        }
        for (d, percent) in around(10 * UNIT) {
            let ops = vec![format!("remove-capacity x percent={}", num(percent))];
            boundary(&text, &ops, Status::AtRisk, (d > 0).then_some("step_too_large"));
        }
        // "step_too_large compares what the removal asks for, before it is cut":
        // asking for more than it has is both too large and an over-removal.
        let ops = vec![
            "remove-capacity x percent=100".to_string(),
            format!("remove-capacity x count={}", num(m)),
        ];
        boundary(&text, &ops, Status::Down, Some("step_too_large"));
    }
}

// ---------------------------------------------------------------------------
// SPEC section 3's own example

#[test]
fn rolling_restart_of_a_quorum_needs_waits_of_each_restart_time() {
    let text = "version: 1
services:
  - id: db.a
    restart_time: 10m
  - id: db.b
    restart_time: 10m
  - id: db.c
    restart_time: 10m
  - id: api
    depends_on: [{quorum: 2, of: [db.a, db.b, db.c]}]
";
    let ops = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let api = |ops: &[String]| {
        let r = run(text.to_string(), ops, &[]);
        let api = r.topology.find("api").unwrap().index();
        assert_eq!(r.expected.worst[api], r.outcome.worst[api], "{ops:?}");
        r.outcome.worst[api]
    };
    // "a rolling restart of a quorum without waits takes the quorum down"
    assert_eq!(
        api(&ops(&["restart db.a", "restart db.b", "restart db.c"])),
        Status::Down
    );
    // "and one with a wait of each member's restart_time between the restarts does not"
    let waited = ops(&[
        "restart db.a",
        "wait 10m",
        "restart db.b",
        "wait 10m",
        "restart db.c",
        "wait 10m",
    ]);
    assert_eq!(api(&waited), Status::AtRisk);
    // Waits add up: 5m + 5m is the restart_time, 9m is not.
    assert_eq!(
        api(&ops(&["restart db.a", "wait 5m", "wait 5m", "restart db.b"])),
        Status::AtRisk
    );
    assert_eq!(api(&ops(&["restart db.a", "wait 9m", "restart db.b"])), Status::Down);
    // "A second restart of a restarting component starts its clock again."
    assert_eq!(
        api(&ops(&[
            "restart db.a",
            "wait 9m",
            "restart db.a",
            "wait 9m",
            "restart db.b"
        ])),
        Status::Down
    );
}

// ---------------------------------------------------------------------------
// Engine bugs the properties above found, each as its smallest case.

/// Violations as (kind, component id, step).
type Violations = BTreeSet<(String, Option<String>, usize)>;

fn violations_of(r: &Run) -> (Violations, Violations) {
    (r.engine_violations(), r.oracle_violations())
}

fn expected_violations(list: &[(&str, &str, usize)]) -> Violations {
    list.iter()
        .map(|(k, c, s)| (k.to_string(), Some(c.to_string()), *s))
        .collect()
}

#[test]
fn regression_every_step_that_leaves_a_component_outside_its_limits_is_a_violation() {
    // SPEC 4.1: "a step leaves a component below min_capacity (below_min_capacity)
    // or above max_capacity (over_max_capacity)". Step 2 removes capacity from a
    // component already below its min_capacity and leaves it below: a violation,
    // as step 4 leaves one above its max_capacity. (The engine once reported steps 1 and 3 only.)
    let text = "version: 1
services:
  - id: s3.index
    capacity: 10
    min_capacity: 5
  - id: s3.placement
    capacity: 10
    max_capacity: 12
";
    let ops: Vec<String> = [
        "remove-capacity s3.index count=6",
        "remove-capacity s3.index count=1",
        "add-capacity s3.placement count=3",
        "remove-capacity s3.placement count=0.5",
    ]
    .map(String::from)
    .to_vec();
    let want = expected_violations(&[
        ("below_min_capacity", "s3.index", 1),
        ("below_min_capacity", "s3.index", 2),
        ("over_max_capacity", "s3.placement", 3),
        ("over_max_capacity", "s3.placement", 4),
    ]);
    let (engine, oracle) = violations_of(&run(text.to_string(), &ops, &[]));
    assert_eq!(oracle, want);
    assert_eq!(engine, want);
}

/// `(kind, after)` of component `id` as the engine sees it, after checking the oracle agrees with `want`.
fn recovery_of(
    text: &str,
    ops: &[&str],
    id: &str,
    want: (&str, Option<std::time::Duration>),
) -> (String, Option<std::time::Duration>) {
    let ops: Vec<String> = ops.iter().map(|s| s.to_string()).collect();
    let r = run(text.to_string(), &ops, &[]);
    let c = r.topology.find(id).unwrap();
    let oracle = &r.expected.recovery[c.index()];
    assert_eq!(
        oracle.kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>(),
        vec![want.0],
        "oracle kind of {id}"
    );
    if oracle.after.is_some() {
        assert_eq!(oracle.after, Some(want.1), "oracle duration of {id}");
    }
    let got = r.outcome.recovery.of(c);
    (got.kind.as_str().to_string(), got.after)
}

const SECOND: std::time::Duration = std::time::Duration::from_secs(1);

#[test]
fn regression_recovery_kind_follows_the_cause_chain() {
    // SPEC 4.4: "its recovery kind is that of the restart/restore component its cause
    // chain in G leads to". web is down because api is restarting (hard); st's
    // deleted data only makes it degraded (soft). Its chain to `down` leads to api:
    // restart, though st's restore takes longer (6h, which is the right duration).
    let text = "version: 1
services:
  - id: api
    restart_time: 30s
  - id: web
    depends_on: [api, {id: st, mode: soft}]
data_stores:
  - id: st
    restore_time: 6h
";
    let want = ("restart", Some(6 * 3600 * SECOND));
    let got = recovery_of(text, &["delete-data st", "restart api"], "web", want);
    assert_eq!(got.0, want.0, "engine kind of web");
    // A component still restarting is itself the root of its status in G: restart.
    let text = "version: 1
services:
  - id: c0
    restart_time: 30s
    depends_on: [{any_of: [st]}]
data_stores:
  - id: st
    restore_time: 6h
";
    let got = recovery_of(text, &["delete-data st", "restart c0"], "c0", ("restart", None));
    assert_eq!(got.0, "restart", "engine kind of c0");
}

#[test]
fn regression_recovery_waits_only_for_what_its_status_depends_on() {
    // SPEC 4.4: "a component whose status in G is caused by others recovers when the
    // last of them does". app depends on c2 and c1; c0 (needs a 10m restart) fails
    // over onto c2, which is only at_risk, and "at_risk never travels along an edge":
    // app is down because of c1 alone and recovers with it, after 30s (the engine once said 10m).
    let text = "version: 1
regions:
  - id: r0
    zones: [z0a]
services:
  - id: c0
    region: r0
    capacity: 10
    min_capacity: 5
    load: 1
    restart_time: 10m
    failover: {to: c2}
  - id: c1
    region: r0
    capacity: 10
    min_capacity: 5
    restart_time: 30s
  - id: c2
    capacity: 10
customers:
  - id: k
    apps:
      - id: app
        depends_on: [c2, c1]
";
    let want = ("restart", Some(30 * SECOND));
    assert_eq!(
        recovery_of(text, &["fail-zone z0a"], "app", want),
        (want.0.to_string(), want.1)
    );
    // A failover that moves no load (c2 has none) adds nothing to c3: c3 needs its own
    // 30s restart and nothing else (the engine once said unknown, from c2's missing restart_time).
    let text = "version: 1
services:
  - id: c2
    failover: {to: c3}
  - id: c3
    capacity: 10
    min_capacity: 5
    restart_time: 30s
";
    let want = ("restart", Some(30 * SECOND));
    let got = recovery_of(text, &["remove-capacity c3 count=6", "restart c2"], "c3", want);
    assert_eq!(got, (want.0.to_string(), want.1));
    // c0 is back at its baseline status (degraded: c2 is overloaded as declared, so
    // its quorum has one serving member either way) as soon as its own 30s restart
    // completes; st's deleted data changes nothing for it (the engine once said restore, 6h).
    let text = "version: 1
services:
  - id: c0
    restart_time: 30s
    depends_on: [{quorum: 2, of: [c2, st]}]
  - id: c2
    capacity: 1
    load: 2
data_stores:
  - id: st
    restore_time: 6h
";
    let want = ("restart", Some(30 * SECOND));
    let got = recovery_of(text, &["delete-data st", "restart c0"], "c0", want);
    assert_eq!(got, (want.0.to_string(), want.1));
}
