//! `blast check` and `blast explain` end to end: the real binary on small,
//! purpose-built topologies in `tests/fixtures/check/` and plans in
//! `tests/fixtures/plans/`.
//!
//! Each fixture's header comment derives the expected statuses by hand; the
//! tests here assert exactly those, mostly on the `--format json` report
//! (statuses by component id, customers, violation kinds, verdict, exit code).
//! The human formats and `explain` are pinned with insta snapshots in
//! `tests/snapshots/` (`--help` of every command is a case in `tests/cmd/`):
//! after an intended output change, run
//! `INSTA_UPDATE=always cargo test --test cli check_cli::` and read the diff.

use std::collections::BTreeSet;
use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

const CAPACITY: &str = "tests/fixtures/check/capacity.yaml";
const RESTART: &str = "tests/fixtures/check/restart.yaml";
const ZONES: &str = "tests/fixtures/check/zones.yaml";
const LOAD: &str = "tests/fixtures/check/load.yaml";
const DATA: &str = "tests/fixtures/check/data.yaml";
const SELECTORS: &str = "tests/fixtures/check/selectors.yaml";
const POLICY: &str = "tests/fixtures/check/policy.yaml";
const PROPAGATION: &str = "tests/fixtures/check/propagation.yaml";
const GATE: &str = "tests/fixtures/check/gate.yaml";
const SHOP: &str = "tests/fixtures/check/shop.yaml";
const HISTORY: &str = "tests/fixtures/check/history.yaml";

const PLANS: &str = "tests/fixtures/plans";

fn plan(name: &str) -> String {
    format!("{PLANS}/{name}.yaml")
}

// ---------------------------------------------------------------------------
// Harness
// ---------------------------------------------------------------------------

/// What one run of `blast` produced.
#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `blast ARGS...` from the crate root, so fixture paths in messages are
/// exactly the relative paths given.
fn blast(args: &[&str]) -> Run {
    let output = Command::cargo_bin("blast")
        .expect("the blast binary is built for integration tests")
        .env_remove("COLUMNS")
        .env_remove("CLICOLOR_FORCE")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR")
        .args(args)
        .output()
        .expect("blast runs");
    let run = Run {
        code: output.status.code().expect("blast exits with a code, not a signal"),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
    };
    assert!(
        !run.stderr.contains("panicked"),
        "blast panicked on {args:?}:\n{}",
        run.stderr
    );
    run
}

/// `blast check TOPOLOGY ARGS... --format json`: the exit code and the parsed report.
fn check_json(topology: &str, args: &[&str]) -> (i32, Value) {
    let mut all = vec!["check", topology];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    let run = blast(&all);
    assert!(
        run.code == 0 || run.code == 1,
        "{all:?} exited {}; stderr:\n{}",
        run.code,
        run.stderr
    );
    assert!(run.stderr.is_empty(), "{all:?} wrote to stderr:\n{}", run.stderr);
    let report: Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("{all:?} printed invalid JSON ({e}):\n{}", run.stdout));
    let verdict = report["verdict"].as_str().expect("verdict is a string");
    let expected_code = if verdict == "pass" { 0 } else { 1 };
    assert_eq!(run.code, expected_code, "exit code disagrees with verdict `{verdict}`");
    (run.code, report)
}

/// `blast check TOPOLOGY --op OP... --format json` with several inline ops.
fn check_ops(topology: &str, ops: &[&str]) -> (i32, Value) {
    let mut args = Vec::new();
    for op in ops {
        args.push("--op");
        args.push(op);
    }
    check_json(topology, &args)
}

/// A run that must be rejected as bad input or usage: exit 2, nothing on
/// stdout. Returns stderr.
fn rejected(args: &[&str]) -> String {
    let run = blast(args);
    assert_eq!(
        run.code, 2,
        "{args:?} should exit 2; stdout:\n{}\nstderr:\n{}",
        run.stdout, run.stderr
    );
    assert!(
        run.stdout.is_empty(),
        "{args:?} should print nothing on stdout:\n{}",
        run.stdout
    );
    assert!(run.stderr.starts_with("error: "), "{args:?} stderr:\n{}", run.stderr);
    run.stderr
}

/// `blast check TOPOLOGY --op OP` that must be rejected; returns stderr.
fn rejected_op(topology: &str, op: &str) -> String {
    rejected(&["check", topology, "--op", op])
}

fn assert_contains(haystack: &str, needle: &str) {
    assert!(haystack.contains(needle), "expected {needle:?} in:\n{haystack}");
}

/// The worst status of component `id`, or `ok` when it is not listed.
fn status<'a>(report: &'a Value, id: &str) -> &'a str {
    component(report, id).map_or("ok", |c| c["status"].as_str().expect("status is a string"))
}

/// Component `id`, which must be listed (not ok).
fn listed<'a>(report: &'a Value, id: &str) -> &'a Value {
    component(report, id).unwrap_or_else(|| panic!("`{id}` is not among the affected components:\n{report:#}"))
}

fn component<'a>(report: &'a Value, id: &str) -> Option<&'a Value> {
    report["components"]
        .as_array()
        .expect("components is an array")
        .iter()
        .find(|c| c["id"] == id)
}

/// The status of customer `id`, or `ok` when it is not listed.
fn customer_status<'a>(report: &'a Value, id: &str) -> &'a str {
    report["customers"]
        .as_array()
        .expect("customers is an array")
        .iter()
        .find(|c| c["id"] == id)
        .map_or("ok", |c| c["status"].as_str().expect("status is a string"))
}

/// Ids of every listed component, sorted.
fn affected_ids(report: &Value) -> BTreeSet<String> {
    report["components"]
        .as_array()
        .expect("components is an array")
        .iter()
        .map(|c| c["id"].as_str().expect("id is a string").to_string())
        .collect()
}

fn ids(list: &[&str]) -> BTreeSet<String> {
    list.iter().map(|s| (*s).to_string()).collect()
}

/// Violation kinds in report order.
fn violation_kinds(report: &Value) -> Vec<&str> {
    report["violations"]
        .as_array()
        .expect("violations is an array")
        .iter()
        .map(|v| v["kind"].as_str().expect("kind is a string"))
        .collect()
}

/// The ids step `step` (1-based) matched.
fn matched(report: &Value, step: usize) -> Vec<&str> {
    report["steps"][step - 1]["matched"]
        .as_array()
        .expect("matched is an array")
        .iter()
        .map(|m| m.as_str().expect("matched ids are strings"))
        .collect()
}

fn verdict(report: &Value) -> &str {
    report["verdict"].as_str().expect("verdict is a string")
}

/// Statuses of several components, for compact assertions.
fn statuses<'a>(report: &'a Value, list: &[&str]) -> Vec<(String, &'a str)> {
    list.iter().map(|id| ((*id).to_string(), status(report, id))).collect()
}

fn expect_statuses(report: &Value, expected: &[(&str, &str)]) {
    let list: Vec<&str> = expected.iter().map(|(id, _)| *id).collect();
    let want: Vec<(String, &str)> = expected.iter().map(|(id, s)| ((*id).to_string(), *s)).collect();
    assert_eq!(statuses(report, &list), want, "report:\n{report:#}");
}

// ---------------------------------------------------------------------------
// Step kinds
// ---------------------------------------------------------------------------

#[test]
fn remove_capacity_count_leaves_at_risk() {
    let (code, r) = check_ops(CAPACITY, &["remove-capacity pool count=4"]);
    assert_eq!(code, 0);
    expect_statuses(&r, &[("pool", "at_risk"), ("shop.app", "ok")]);
    assert_eq!(listed(&r, "pool")["cause"]["reason"], "lost_capacity");
    assert_contains(
        listed(&r, "pool")["cause"]["detail"].as_str().expect("a string"),
        "capacity down to 6 of 10",
    );
}

#[test]
fn remove_capacity_count_to_zero_is_down() {
    let (code, r) = check_ops(CAPACITY, &["remove-capacity pool count=10"]);
    assert_eq!(code, 1);
    expect_statuses(&r, &[("pool", "down"), ("shop.app", "down")]);
    assert_eq!(listed(&r, "pool")["cause"]["reason"], "no_capacity");
    assert_eq!(customer_status(&r, "shop"), "down");
    assert!(violation_kinds(&r).is_empty());
}

#[test]
fn remove_capacity_percent_is_of_the_capacity_before_the_step() {
    let (code, r) = check_ops(CAPACITY, &["remove-capacity pool percent=50"]);
    assert_eq!(code, 0);
    assert_contains(
        listed(&r, "pool")["cause"]["detail"].as_str().expect("a string"),
        "capacity down to 5 of 10",
    );
    // 10 -> 5 -> 2.5: half of what is left each time, never zero.
    let (code, r) = check_ops(
        CAPACITY,
        &["remove-capacity pool percent=50", "remove-capacity pool percent=50"],
    );
    assert_eq!(code, 0);
    assert_eq!(status(&r, "pool"), "at_risk");
    // 100 percent leaves nothing.
    let (_, r) = check_ops(CAPACITY, &["remove-capacity pool percent=100"]);
    assert_eq!(status(&r, "pool"), "down");
}

#[test]
fn add_capacity_count_within_limits_is_ok() {
    let (code, r) = check_ops(CAPACITY, &["add-capacity pool count=5", "add-capacity bounded count=2"]);
    assert_eq!(code, 0);
    assert!(affected_ids(&r).is_empty(), "{r:#}");
    assert!(violation_kinds(&r).is_empty());
}

#[test]
fn add_capacity_above_max_capacity_is_down_and_a_violation() {
    let (code, r) = check_ops(CAPACITY, &["add-capacity bounded count=3"]);
    assert_eq!(code, 1);
    expect_statuses(&r, &[("bounded", "down"), ("shop.app", "down")]);
    assert_eq!(listed(&r, "bounded")["cause"]["reason"], "over_max_capacity");
    assert_eq!(violation_kinds(&r), ["over_max_capacity"]);
    assert_eq!(r["violations"][0]["component"], "bounded");
    assert_eq!(r["violations"][0]["step"], 1);
}

#[test]
fn add_capacity_percent() {
    // 10 + 20% = 12: exactly max_capacity, fine.
    let (code, r) = check_ops(CAPACITY, &["add-capacity bounded percent=20"]);
    assert_eq!(code, 0);
    assert_eq!(status(&r, "bounded"), "ok");
    // 10 + 30% = 13 > 12.
    let (code, r) = check_ops(CAPACITY, &["add-capacity bounded percent=30"]);
    assert_eq!(code, 1);
    assert_eq!(status(&r, "bounded"), "down");
    assert_eq!(violation_kinds(&r), ["over_max_capacity"]);
    // Percent of the capacity before the step: 10 - 4 = 6, + 100% = 12 (not 16).
    let (code, r) = check_ops(
        CAPACITY,
        &["remove-capacity bounded count=4", "add-capacity bounded percent=100"],
    );
    assert_eq!(code, 0, "{r:#}");
    assert_eq!(status(&r, "bounded"), "at_risk");
    // Above 100 is fine for additions.
    let (_, r) = check_ops(CAPACITY, &["add-capacity pool percent=150"]);
    assert_eq!(status(&r, "pool"), "ok");
}

#[test]
fn fail_is_down_and_stays_down() {
    let (code, r) = check_ops(RESTART, &["fail db.1", "fail db.2"]);
    assert_eq!(code, 1);
    expect_statuses(&r, &[("db.1", "down"), ("db.2", "down"), ("buyer.app", "down")]);
    assert_eq!(listed(&r, "db.1")["cause"]["reason"], "failed");
    // The app goes down only when the second replica fails, in step 2.
    assert_eq!(listed(&r, "buyer.app")["step"], 2);
}

#[test]
fn a_rolling_restart_without_waits_takes_the_app_down() {
    // No time passes between steps: db.1 is still restarting when db.2 starts.
    let (code, r) = check_ops(RESTART, &["restart db.1", "restart db.2"]);
    assert_eq!(code, 1, "{r:#}");
    expect_statuses(&r, &[("db.1", "down"), ("db.2", "down"), ("buyer.app", "down")]);
    assert_eq!(listed(&r, "buyer.app")["step"], 2);
    assert_eq!(listed(&r, "db.1")["cause"]["reason"], "restarting");
}

#[test]
fn a_rolling_restart_with_waits_of_the_restart_time_keeps_the_app_up() {
    let (code, r) = check_ops(RESTART, &["restart db.1", "wait 5m", "restart db.2", "wait 5m"]);
    assert_eq!(code, 0, "{r:#}");
    expect_statuses(&r, &[("db.1", "down"), ("db.2", "down"), ("buyer.app", "at_risk")]);
    assert_eq!(listed(&r, "db.2")["step"], 3);
    assert_eq!(customer_status(&r, "buyer"), "at_risk");
    // Every restart completed inside the plan: a rollback leaves nothing.
    assert_eq!(listed(&r, "db.1")["recovery"]["kind"], "rollback");
}

#[test]
fn a_restart_still_running_at_the_end_recovers_after_what_is_left_of_it() {
    let (_, r) = check_ops(RESTART, &["restart db.1", "wait 2m"]);
    assert_eq!(listed(&r, "db.1")["recovery"]["kind"], "restart");
    assert_eq!(listed(&r, "db.1")["recovery"]["after_seconds"], 180);
    assert_eq!(listed(&r, "db.1")["recovery"]["status_after_rollback"], "down");
}

#[test]
fn restarting_both_in_one_step_overlaps() {
    let (code, r) = check_ops(RESTART, &["restart db.*"]);
    assert_eq!(code, 1);
    expect_statuses(&r, &[("db.1", "down"), ("db.2", "down"), ("buyer.app", "down")]);
}

#[test]
fn fail_zone_takes_that_zones_share() {
    let (code, r) = check_ops(ZONES, &["fail-zone east-a"]);
    assert_eq!(code, 0, "{r:#}");
    assert_eq!(matched(&r, 1), ["web.east", "web.only-a", "cache.east"]);
    expect_statuses(
        &r,
        &[
            ("web.east", "at_risk"),
            ("web.only-a", "down"),
            ("cache.east", "at_risk"),
            ("web.west", "ok"),
            ("dns", "ok"),
            ("viewer.app", "ok"),
        ],
    );
    assert_contains(
        listed(&r, "web.east")["cause"]["detail"].as_str().expect("a string"),
        "capacity down to 2 of 4",
    );
}

#[test]
fn fail_region_takes_all_its_zones() {
    let (code, r) = check_ops(ZONES, &["fail-region east"]);
    assert_eq!(code, 1);
    assert_eq!(matched(&r, 1), ["web.east", "web.only-a", "cache.east"]);
    expect_statuses(
        &r,
        &[
            ("web.east", "down"),
            ("web.only-a", "down"),
            ("cache.east", "down"),
            ("web.west", "ok"),
            ("dns", "ok"),
            ("viewer.app", "down"),
        ],
    );
    assert_eq!(customer_status(&r, "viewer"), "down");
    assert_eq!(
        listed(&r, "viewer.app")["path"],
        serde_json::json!(["web.east", "viewer.app"])
    );
}

#[test]
fn fail_zone_below_min_capacity_is_down_and_a_violation() {
    let (code, r) = check_ops(ZONES, &["fail-zone south-a"]);
    assert_eq!(code, 0);
    assert_eq!(status(&r, "s3.south"), "at_risk");
    let (code, r) = check_ops(ZONES, &["fail-zone south-a", "fail-zone south-b"]);
    assert_eq!(code, 1);
    assert_eq!(status(&r, "s3.south"), "down");
    assert_eq!(listed(&r, "s3.south")["step"], 2);
    assert_eq!(listed(&r, "s3.south")["cause"]["reason"], "below_min_capacity");
    assert_eq!(violation_kinds(&r), ["below_min_capacity"]);
    assert_eq!(r["violations"][0]["step"], 2);
}

#[test]
fn add_load_factor() {
    let (code, r) = check_ops(LOAD, &["add-load net.main factor=1.5"]);
    assert_eq!(code, 0);
    assert_eq!(status(&r, "net.main"), "at_risk");
    assert_eq!(listed(&r, "net.main")["cause"]["reason"], "load_raised");
    let (_, r) = check_ops(LOAD, &["add-load net.main factor=2"]);
    assert_eq!(status(&r, "net.main"), "degraded");
    assert_eq!(listed(&r, "net.main")["cause"]["reason"], "overloaded");
}

#[test]
fn add_load_amount() {
    let (_, r) = check_ops(LOAD, &["add-load net.main amount=30"]);
    assert_eq!(status(&r, "net.main"), "at_risk");
    let (_, r) = check_ops(LOAD, &["add-load net.main amount=50"]);
    assert_eq!(status(&r, "net.main"), "degraded");
}

#[test]
fn add_load_to_collapse_at_is_down() {
    let (_, r) = check_ops(LOAD, &["add-load net.fragile factor=2.4"]);
    assert_eq!(status(&r, "net.fragile"), "down");
    assert_eq!(listed(&r, "net.fragile")["cause"]["reason"], "collapsed");
    let (_, r) = check_ops(LOAD, &["add-load net.fragile amount=70"]);
    assert_eq!(status(&r, "net.fragile"), "down");
    // Just under the ratio: overloaded, not collapsed.
    let (_, r) = check_ops(LOAD, &["add-load net.fragile amount=69"]);
    assert_eq!(status(&r, "net.fragile"), "degraded");
}

#[test]
fn shift_load_moves_all_by_default() {
    let (code, r) = check_ops(LOAD, &["shift-load net.main to=net.backup"]);
    assert_eq!(code, 1);
    assert_eq!(
        r["steps"][0]["operation"],
        "shift-load net.main to=net.backup percent=100"
    );
    assert_eq!(matched(&r, 1), ["net.main"]);
    expect_statuses(
        &r,
        &[
            ("net.main", "ok"),
            ("net.backup", "degraded"),
            ("streamer.app", "degraded"),
        ],
    );
    assert_eq!(listed(&r, "net.backup")["cause"]["reason"], "overloaded");
    assert_eq!(customer_status(&r, "streamer"), "degraded");
}

#[test]
fn shift_load_percent() {
    let (code, r) = check_ops(LOAD, &["shift-load net.main to=net.backup percent=50"]);
    assert_eq!(code, 0);
    expect_statuses(
        &r,
        &[("net.main", "ok"), ("net.backup", "at_risk"), ("streamer.app", "ok")],
    );
}

#[test]
fn shift_load_from_several_sums_onto_the_target() {
    let (code, r) = check_ops(LOAD, &["shift-load net.[mf]* to=net.backup"]);
    assert_eq!(code, 1);
    assert_eq!(matched(&r, 1), ["net.main", "net.fragile"]);
    expect_statuses(&r, &[("net.backup", "down"), ("streamer.app", "down")]);
    assert_eq!(listed(&r, "net.backup")["cause"]["reason"], "collapsed");
}

#[test]
fn delete_data_degrades_store_and_every_owner() {
    let (code, r) = check_ops(DATA, &["delete-data lb.state"]);
    assert_eq!(code, 1);
    assert_eq!(matched(&r, 1), ["lb.state"]);
    expect_statuses(
        &r,
        &[
            ("lb.state", "degraded"),
            ("lb.a", "degraded"),
            ("lb.b", "degraded"),
            ("lb.c", "ok"),
            ("lb.control", "degraded"),
            ("tenant.app", "degraded"),
        ],
    );
    assert_eq!(listed(&r, "lb.state")["cause"]["reason"], "data_deleted");
    assert_eq!(listed(&r, "lb.a")["cause"]["reason"], "lost_state");
    assert_eq!(listed(&r, "lb.control")["cause"]["type"], "dependency");
}

#[test]
fn delete_data_owners_selector_restricts_the_owners() {
    let (code, r) = check_ops(DATA, &["delete-data lb.state owners=lb.a"]);
    assert_eq!(code, 0, "{r:#}");
    expect_statuses(
        &r,
        &[
            ("lb.state", "degraded"),
            ("lb.a", "degraded"),
            ("lb.b", "ok"),
            ("tenant.app", "at_risk"),
        ],
    );
    assert_eq!(r["steps"][0]["operation"], "delete-data lb.state owners=lb.a");
}

// ---------------------------------------------------------------------------
// Selectors
// ---------------------------------------------------------------------------

fn fail_matches(target: &str) -> Vec<String> {
    let op = format!("fail {target}");
    let (_, r) = check_ops(SELECTORS, &[op.as_str()]);
    matched(&r, 1).into_iter().map(str::to_string).collect()
}

#[test]
fn selector_exact_id() {
    assert_eq!(fail_matches("api.a1"), ["api.a1"]);
}

#[test]
fn selector_glob_star() {
    assert_eq!(fail_matches("api.*"), ["api.a1", "api.a2", "api.b1"]);
}

#[test]
fn selector_glob_question_mark() {
    assert_eq!(fail_matches("api.a?"), ["api.a1", "api.a2"]);
}

#[test]
fn selector_glob_bracket() {
    assert_eq!(fail_matches("api.[ab]1"), ["api.a1", "api.b1"]);
}

#[test]
fn selector_map_kind() {
    assert_eq!(fail_matches("'target={kind: cache}'"), ["cache.a", "cache.b"]);
    // The default kind of a section is selectable too.
    assert_eq!(fail_matches("'target={kind: data_store}'"), ["store.x"]);
}

#[test]
fn selector_map_region() {
    assert_eq!(fail_matches("'target={region: r2}'"), ["api.b1", "cache.b"]);
}

#[test]
fn selector_map_zone() {
    assert_eq!(fail_matches("'target={zone: r1-a}'"), ["api.a1", "cache.a"]);
    let (_, r) = check_json(SELECTORS, &["--plan", &plan("selector-zone")]);
    assert_eq!(matched(&r, 1), ["api.a1", "cache.a"]);
}

#[test]
fn selector_map_tags() {
    let (_, r) = check_json(SELECTORS, &["--plan", &plan("selector-tags")]);
    assert_eq!(matched(&r, 1), ["api.a1", "api.a2", "cache.a"]);
}

#[test]
fn selector_map_all_keys_must_match() {
    let (code, r) = check_json(SELECTORS, &["--plan", &plan("selector-map")]);
    assert_eq!(matched(&r, 1), ["api.a1"]);
    // expect_matches: 1 holds, so no violation.
    assert_eq!(code, 0);
    assert!(violation_kinds(&r).is_empty());
}

#[test]
fn selector_matching_nothing_is_exit_2_with_nearest_ids() {
    let stderr = rejected_op(SELECTORS, "fail api.a3");
    assert_contains(&stderr, "`target` `api.a3` matches no component");
    assert_contains(&stderr, "did you mean `api.a");
    let stderr = rejected_op(SELECTORS, "fail apx.*");
    assert_contains(&stderr, "`apx.*` matches no component");
    assert_contains(&stderr, "nearest ids: api.a1");
    let stderr = rejected(&["check", SELECTORS, "--plan", &plan("selector-none")]);
    assert_contains(&stderr, "matches no component");
    assert_contains(&stderr, "tests/fixtures/plans/selector-none.yaml:3:");
    assert_contains(&stderr, "every key of a selector map must match");
}

#[test]
fn selector_naming_a_zone_or_region_says_so() {
    let stderr = rejected_op(SELECTORS, "fail r1-a");
    assert_contains(&stderr, "that is a zone");
    let stderr = rejected_op(SELECTORS, "fail r2");
    assert_contains(&stderr, "that is a region");
}

// ---------------------------------------------------------------------------
// Policy violations
// ---------------------------------------------------------------------------

#[test]
fn violation_below_min_capacity() {
    let (code, r) = check_ops(CAPACITY, &["remove-capacity bounded count=5"]);
    assert_eq!(code, 1);
    assert_eq!(violation_kinds(&r), ["below_min_capacity"]);
    assert_eq!(r["violations"][0]["component"], "bounded");
    assert_eq!(status(&r, "bounded"), "down");
    assert_eq!(listed(&r, "bounded")["cause"]["reason"], "below_min_capacity");
    // Down to min_capacity exactly is allowed.
    let (code, r) = check_ops(CAPACITY, &["remove-capacity bounded count=4"]);
    assert_eq!(code, 0);
    assert!(violation_kinds(&r).is_empty());
    assert_eq!(status(&r, "bounded"), "at_risk");
}

#[test]
fn violation_over_max_capacity() {
    let (code, r) = check_ops(CAPACITY, &["add-capacity bounded count=3"]);
    assert_eq!(code, 1);
    assert_eq!(violation_kinds(&r), ["over_max_capacity"]);
}

#[test]
fn violation_over_removal() {
    let (code, r) = check_ops(CAPACITY, &["remove-capacity pool count=12"]);
    assert_eq!(code, 1);
    assert_eq!(violation_kinds(&r), ["over_removal"]);
    assert_eq!(r["violations"][0]["component"], "pool");
    assert_contains(r["violations"][0]["message"].as_str().expect("a string"), "only 10");
    assert_eq!(status(&r, "pool"), "down");
}

#[test]
fn violation_step_too_large() {
    let (code, r) = check_ops(CAPACITY, &["remove-capacity guarded count=11"]);
    assert_eq!(code, 1);
    assert_eq!(violation_kinds(&r), ["step_too_large"]);
    // Only at_risk: the violation alone fails the gate.
    assert_eq!(status(&r, "guarded"), "at_risk");
    assert!(r["customers"].as_array().expect("an array").is_empty());
    // Exactly the guard's 10% is allowed; a fraction over it is not.
    let (code, _) = check_ops(CAPACITY, &["remove-capacity guarded count=10"]);
    assert_eq!(code, 0);
    let (code, r) = check_ops(CAPACITY, &["remove-capacity guarded percent=10.5"]);
    assert_eq!(code, 1);
    assert_eq!(violation_kinds(&r), ["step_too_large"]);
}

#[test]
fn violations_from_a_plan_are_reported_per_step() {
    let (code, r) = check_json(CAPACITY, &["--plan", &plan("capacity-limits")]);
    assert_eq!(code, 1);
    assert_eq!(
        violation_kinds(&r),
        ["below_min_capacity", "over_removal", "step_too_large"]
    );
    let steps: Vec<&Value> = r["violations"]
        .as_array()
        .expect("an array")
        .iter()
        .map(|v| &v["step"])
        .collect();
    assert_eq!(steps, [1, 2, 3]);
    assert_eq!(r["summary"]["violations"], 3);
}

#[test]
fn violation_requires_approval_on_target() {
    let (code, r) = check_ops(POLICY, &["fail secrets"]);
    assert_eq!(code, 1);
    assert_eq!(violation_kinds(&r), ["requires_approval"]);
    assert_eq!(r["violations"][0]["component"], "secrets");
    assert_contains(
        r["violations"][0]["message"].as_str().expect("a string"),
        "--approve secrets",
    );
}

#[test]
fn violation_requires_approval_on_store_and_owner() {
    let (code, r) = check_ops(POLICY, &["delete-data keys"]);
    assert_eq!(code, 1);
    assert_eq!(violation_kinds(&r), ["requires_approval"]);
    assert_eq!(r["violations"][0]["component"], "keys");
    // The store is not guarded, but one of its owners is.
    let (code, r) = check_ops(POLICY, &["delete-data lb.state"]);
    assert_eq!(code, 1);
    assert_eq!(violation_kinds(&r), ["requires_approval"]);
    assert_eq!(r["violations"][0]["component"], "lb.guarded");
    // Leaving the guarded owner out of `owners` does not touch it.
    let (code, r) = check_ops(POLICY, &["delete-data lb.state owners=lb.plain"]);
    assert_eq!(code, 0, "{r:#}");
    expect_statuses(&r, &[("lb.plain", "degraded"), ("lb.guarded", "ok")]);
}

#[test]
fn approve_flag_clears_requires_approval() {
    let (code, r) = check_json(POLICY, &["--op", "fail secrets", "--approve", "secrets"]);
    assert_eq!(code, 0);
    assert!(violation_kinds(&r).is_empty());
    // Approving something else does not help.
    let (code, r) = check_json(POLICY, &["--op", "fail secrets", "--approve", "keys"]);
    assert_eq!(code, 1);
    assert_eq!(violation_kinds(&r), ["requires_approval"]);
}

#[test]
fn plan_approvals_clear_requires_approval() {
    let (code, r) = check_json(GATE, &["--plan", &plan("gate-approved")]);
    assert_eq!(code, 0, "{r:#}");
    assert!(violation_kinds(&r).is_empty());
    assert_eq!(status(&r, "spare"), "down");
}

#[test]
fn approving_an_unknown_id_is_exit_2() {
    let stderr = rejected(&["check", POLICY, "--op", "fail secrets", "--approve", "secretz"]);
    assert_contains(&stderr, "--approve `secretz` names no component");
    assert_contains(&stderr, "did you mean `secrets`?");
}

#[test]
fn violation_unexpected_scope() {
    let (code, r) = check_ops(POLICY, &["fail web.* expect_matches=2"]);
    assert_eq!(code, 1);
    assert_eq!(violation_kinds(&r), ["unexpected_scope"]);
    assert!(r["violations"][0]["component"].is_null());
    assert_contains(
        r["violations"][0]["message"].as_str().expect("a string"),
        "matched 3 component(s) (web.1, web.2, web.3); the plan expected 2",
    );
    let (code, r) = check_ops(POLICY, &["fail web.* expect_matches=3"]);
    assert_eq!(code, 0);
    assert!(violation_kinds(&r).is_empty());
}

#[test]
fn expect_matches_on_fail_zone_counts_components_placed_there() {
    let (code, _) = check_ops(ZONES, &["fail-zone east-a expect_matches=3"]);
    assert_eq!(code, 0);
    let (code, r) = check_ops(ZONES, &["fail-zone east-a expect_matches=2"]);
    assert_eq!(code, 1);
    assert_eq!(violation_kinds(&r), ["unexpected_scope"]);
}

// ---------------------------------------------------------------------------
// Propagation
// ---------------------------------------------------------------------------

#[test]
fn hard_dependency_carries_down_and_degraded() {
    let (_, r) = check_ops(PROPAGATION, &["fail x.hard"]);
    assert_eq!(status(&r, "dep.hard"), "down");
    let cause = &listed(&r, "dep.hard")["cause"];
    assert_eq!(cause["type"], "dependency");
    assert_eq!(cause["rule"], "hard");
    assert_eq!(cause["on"], "x.hard");
    assert_eq!(cause["on_status"], "down");
    let (_, r) = check_ops(PROPAGATION, &["add-load x.hard factor=3"]);
    expect_statuses(&r, &[("x.hard", "degraded"), ("dep.hard", "degraded")]);
}

#[test]
fn soft_dependency_caps_at_degraded() {
    let (_, r) = check_ops(PROPAGATION, &["fail x.soft"]);
    expect_statuses(&r, &[("x.soft", "down"), ("dep.soft", "degraded")]);
    assert_eq!(listed(&r, "dep.soft")["cause"]["rule"], "soft");
    let (_, r) = check_ops(PROPAGATION, &["add-load x.soft factor=3"]);
    expect_statuses(&r, &[("x.soft", "degraded"), ("dep.soft", "degraded")]);
}

#[test]
fn any_of_needs_one_member() {
    let (_, r) = check_ops(PROPAGATION, &["fail any.1"]);
    assert_eq!(status(&r, "dep.any"), "at_risk");
    assert_eq!(listed(&r, "dep.any")["cause"]["rule"], "any_of");
    let (_, r) = check_ops(PROPAGATION, &["fail any.*"]);
    assert_eq!(status(&r, "dep.any"), "down");
}

#[test]
fn quorum_one_member_down_is_at_risk() {
    let (code, r) = check_ops(PROPAGATION, &["fail q.1"]);
    assert_eq!(status(&r, "dep.quorum"), "at_risk");
    assert_eq!(listed(&r, "dep.quorum")["cause"]["rule"], "quorum");
    // at_risk does not reach the app that hard-depends on dep.quorum.
    assert_eq!(status(&r, "reader.app"), "ok");
    assert_eq!(code, 0);
}

#[test]
fn quorum_n_minus_k_plus_one_down_is_down() {
    let (code, r) = check_ops(PROPAGATION, &["fail q.[12]"]);
    expect_statuses(&r, &[("dep.quorum", "down"), ("reader.app", "down")]);
    assert_eq!(code, 1);
    assert_eq!(
        listed(&r, "reader.app")["path"],
        serde_json::json!(["q.1", "dep.quorum", "reader.app"])
    );
}

#[test]
fn quorum_degraded_members_degrade() {
    let (_, r) = check_ops(PROPAGATION, &["add-load q.[12] factor=3"]);
    expect_statuses(&r, &[("dep.quorum", "degraded"), ("reader.app", "degraded")]);
    // One degraded member only costs redundancy.
    let (_, r) = check_ops(PROPAGATION, &["add-load q.1 factor=3"]);
    expect_statuses(&r, &[("dep.quorum", "at_risk"), ("reader.app", "ok")]);
    // One down and one degraded: two still up, but only one healthy.
    let (_, r) = check_ops(PROPAGATION, &["fail q.1", "add-load q.2 factor=3"]);
    assert_eq!(status(&r, "dep.quorum"), "degraded");
}

#[test]
fn at_risk_does_not_travel_over_any_edge() {
    // Members that are only at_risk count as healthy everywhere.
    let (code, r) = check_ops(
        PROPAGATION,
        &[
            "remove-capacity x.hard count=1",
            "remove-capacity x.soft count=1",
            "remove-capacity any.1 count=1",
            "remove-capacity q.* count=1",
        ],
    );
    assert_eq!(code, 0);
    assert_eq!(
        affected_ids(&r),
        ids(&["x.hard", "x.soft", "any.1", "q.1", "q.2", "q.3"]),
        "{r:#}"
    );
    for c in r["components"].as_array().expect("an array") {
        assert_eq!(c["status"], "at_risk");
        assert_eq!(c["cause"]["type"], "step");
    }
}

#[test]
fn cycle_with_nothing_failing_stays_ok() {
    // Unrelated failure: the cycle is untouched.
    let (_, r) = check_ops(PROPAGATION, &["fail x.hard"]);
    expect_statuses(&r, &[("cyc.a", "ok"), ("cyc.b", "ok"), ("cyc.c", "ok")]);
    // A cycle member only at_risk: nothing travels around the cycle.
    let (_, r) = check_ops(PROPAGATION, &["remove-capacity cyc.a count=1"]);
    expect_statuses(&r, &[("cyc.a", "at_risk"), ("cyc.b", "ok"), ("cyc.c", "ok")]);
}

#[test]
fn cycle_with_one_member_failed_goes_down_with_a_finite_path() {
    let (_, r) = check_ops(PROPAGATION, &["fail cyc.b"]);
    expect_statuses(&r, &[("cyc.a", "down"), ("cyc.b", "down"), ("cyc.c", "down")]);
    assert_eq!(listed(&r, "cyc.b")["cause"]["type"], "step");
    assert_eq!(listed(&r, "cyc.a")["path"], serde_json::json!(["cyc.b", "cyc.a"]));
    assert_eq!(
        listed(&r, "cyc.c")["path"],
        serde_json::json!(["cyc.b", "cyc.a", "cyc.c"])
    );
}

#[test]
fn cause_is_the_first_dependency_entry_in_file_order() {
    let (_, r) = check_ops(PROPAGATION, &["fail pair.*"]);
    assert_eq!(listed(&r, "dep.pair12")["cause"]["on"], "pair.1");
    assert_eq!(listed(&r, "dep.pair21")["cause"]["on"], "pair.2");
}

// ---------------------------------------------------------------------------
// Verdict and exit codes
// ---------------------------------------------------------------------------

#[test]
fn exit_0_when_the_gate_passes() {
    let (code, r) = check_ops(GATE, &["fail rep.1"]);
    assert_eq!(code, 0);
    assert_eq!(verdict(&r), "pass");
    assert_eq!(customer_status(&r, "gamma"), "at_risk");
}

#[test]
fn exit_1_when_a_customer_reaches_fail_on() {
    let (code, r) = check_ops(GATE, &["fail core"]);
    assert_eq!(code, 1);
    assert_eq!(verdict(&r), "fail");
    assert_eq!(customer_status(&r, "alpha"), "down");
    assert_eq!(r["fail_on"], "degraded");
    let (code, r) = check_ops(GATE, &["fail extra"]);
    assert_eq!(code, 1);
    assert_eq!(customer_status(&r, "beta"), "degraded");
}

#[test]
fn exit_1_on_a_violation_alone() {
    let (code, r) = check_ops(GATE, &["fail spare"]);
    assert_eq!(code, 1);
    assert!(r["customers"].as_array().expect("an array").is_empty());
    assert_eq!(violation_kinds(&r), ["requires_approval"]);
    // No threshold lets a violation through.
    let (code, _) = check_json(GATE, &["--op", "fail spare", "--fail-on", "never"]);
    assert_eq!(code, 1);
}

#[test]
fn fail_on_down() {
    let (code, _) = check_json(GATE, &["--op", "fail extra", "--fail-on", "down"]);
    assert_eq!(code, 0);
    let (code, r) = check_json(GATE, &["--op", "fail core", "--fail-on", "down"]);
    assert_eq!(code, 1);
    assert_eq!(r["fail_on"], "down");
}

#[test]
fn fail_on_never() {
    let (code, r) = check_json(GATE, &["--op", "fail core", "--fail-on", "never"]);
    assert_eq!(code, 0);
    assert_eq!(verdict(&r), "pass");
    assert_eq!(customer_status(&r, "alpha"), "down");
}

#[test]
fn fail_on_at_risk() {
    let (code, _) = check_json(GATE, &["--op", "fail rep.1", "--fail-on", "at_risk"]);
    assert_eq!(code, 1);
    let (code, _) = check_json(GATE, &["--op", "fail rep.1"]);
    assert_eq!(code, 0);
}

#[test]
fn plan_fail_on_is_honoured_and_the_flag_overrides_it() {
    let (code, r) = check_json(GATE, &["--plan", &plan("gate-fail-on-down")]);
    assert_eq!(code, 0, "{r:#}");
    assert_eq!(r["fail_on"], "down");
    assert_eq!(customer_status(&r, "beta"), "degraded");
    let (code, r) = check_json(GATE, &["--plan", &plan("gate-fail-on-down"), "--fail-on", "degraded"]);
    assert_eq!(code, 1);
    assert_eq!(r["fail_on"], "degraded");
}

#[test]
fn scenario_runs_with_its_own_fail_on() {
    let (code, r) = check_json(GATE, &["--scenario", "lose-core"]);
    assert_eq!(code, 1);
    assert_eq!(r["plan"]["source"], "scenario lose-core");
    assert_eq!(r["plan"]["description"], "Core goes away");
    let (code, r) = check_json(GATE, &["--scenario", "lose-extra"]);
    assert_eq!(code, 0);
    assert_eq!(r["fail_on"], "down");
}

#[test]
fn exit_2_missing_topology_file() {
    let stderr = rejected(&["check", "tests/fixtures/check/nope.yaml", "--op", "fail core"]);
    assert_contains(&stderr, "tests/fixtures/check/nope.yaml");
}

#[test]
fn exit_2_missing_plan_file() {
    let stderr = rejected(&["check", GATE, "--plan", "tests/fixtures/plans/nope.yaml"]);
    assert_contains(&stderr, "tests/fixtures/plans/nope.yaml");
}

#[test]
fn exit_2_unknown_scenario() {
    let stderr = rejected(&["check", GATE, "--scenario", "lose-cor"]);
    assert_contains(&stderr, "no scenario `lose-cor`");
    assert_contains(&stderr, "did you mean `lose-core`?");
    let stderr = rejected(&["check", GATE, "--scenario", "zzz"]);
    assert_contains(&stderr, "scenarios: lose-core, lose-extra");
}

#[test]
fn exit_2_bad_plan_file_names_line_and_column() {
    let stderr = rejected(&["check", GATE, "--plan", &plan("bad-syntax")]);
    assert_contains(&stderr, "--> tests/fixtures/plans/bad-syntax.yaml:5:");
    let stderr = rejected(&["check", GATE, "--plan", &plan("bad-step")]);
    assert_contains(&stderr, "`target` `coer` matches no component");
    assert_contains(&stderr, "--> tests/fixtures/plans/bad-step.yaml:4:5");
    assert_contains(&stderr, "did you mean `core`?");
}

#[test]
fn exit_2_op_and_scenario_conflict_in_explain() {
    // `check` runs each as a plan of its own; `explain` follows one plan.
    let stderr = rejected(&["explain", GATE, "core", "--op", "fail core", "--scenario", "lose-core"]);
    assert_contains(&stderr, "cannot be used with");
    assert_contains(&stderr, "Usage: blast explain");
}

#[test]
fn exit_2_no_operation_given() {
    let stderr = rejected(&["check", GATE]);
    assert_contains(&stderr, "required arguments were not provided");
    assert_contains(&stderr, "--op <OP>|--plan <FILE>|--scenario <NAME>");
}

#[test]
fn exit_2_bad_fail_on_value() {
    let stderr = rejected(&["check", GATE, "--op", "fail core", "--fail-on", "at-risk"]);
    assert_contains(&stderr, "'at_risk'");
}

// ---------------------------------------------------------------------------
// Inline grammar
// ---------------------------------------------------------------------------

#[test]
fn inline_kinds_in_kebab_and_snake_case_are_the_same() {
    let (_, kebab) = check_ops(CAPACITY, &["remove-capacity pool count=4"]);
    let (_, snake) = check_ops(CAPACITY, &["remove_capacity pool count=4"]);
    assert_eq!(kebab, snake);
    assert_eq!(kebab["steps"][0]["kind"], "remove_capacity");
}

#[test]
fn inline_positional_primary_field_for_every_kind() {
    let cases: &[(&str, &str, &[&str])] = &[
        (CAPACITY, "remove-capacity pool count=1", &["pool"]),
        (CAPACITY, "add-capacity pool count=1", &["pool"]),
        (CAPACITY, "fail pool", &["pool"]),
        (CAPACITY, "restart pool", &["pool"]),
        (LOAD, "add-load net.main factor=1.1", &["net.main"]),
        (ZONES, "fail-zone east-b", &["web.east", "cache.east"]),
        (ZONES, "fail-region west", &["web.west"]),
        (LOAD, "shift-load net.main to=net.backup percent=10", &["net.main"]),
        (DATA, "delete-data lb.state", &["lb.state"]),
    ];
    for (topology, op, expected) in cases {
        let (_, r) = check_ops(topology, &[op]);
        assert_eq!(matched(&r, 1), *expected, "--op {op:?}");
    }
}

#[test]
fn inline_primary_field_by_name_is_the_same() {
    let pairs: &[(&str, &str, &str)] = &[
        (
            CAPACITY,
            "remove-capacity pool count=1",
            "remove-capacity target=pool count=1",
        ),
        (ZONES, "fail-zone east-b", "fail-zone zone=east-b"),
        (ZONES, "fail-region west", "fail_region region=west"),
        (
            LOAD,
            "shift-load net.main to=net.backup",
            "shift-load from=net.main to=net.backup",
        ),
        (DATA, "delete-data lb.state", "delete-data store=lb.state"),
    ];
    for (topology, positional, named) in pairs {
        let (_, a) = check_ops(topology, &[positional]);
        let (_, b) = check_ops(topology, &[named]);
        assert_eq!(a, b, "{positional:?} vs {named:?}");
    }
}

#[test]
fn inline_quoted_values() {
    let (_, r) = check_ops(DATA, &["delete-data lb.state owners='lb.a'"]);
    expect_statuses(&r, &[("lb.a", "degraded"), ("lb.b", "ok")]);
    let (_, r) = check_ops(DATA, &["delete-data lb.state owners='lb.*'"]);
    expect_statuses(&r, &[("lb.a", "degraded"), ("lb.b", "degraded"), ("lb.c", "ok")]);
    let (_, r) = check_ops(DATA, &["delete-data \"lb.state\" owners=\"lb.[b]\""]);
    expect_statuses(&r, &[("lb.a", "ok"), ("lb.b", "degraded")]);
}

#[test]
fn inline_map_selector() {
    let (_, r) = check_ops(DATA, &["fail 'target={kind: database}'"]);
    assert_eq!(matched(&r, 1), ["lb.state"]);
    assert_eq!(r["steps"][0]["operation"], "fail {kind: database}");
    let (_, r) = check_ops(SELECTORS, &["fail 'target={kind: api, tags: {tier: gold}}'"]);
    assert_eq!(matched(&r, 1), ["api.a1", "api.b1"]);
}

#[test]
fn inline_several_ops_run_in_order() {
    let (code, r) = check_ops(
        CAPACITY,
        &[
            "remove-capacity pool count=4",
            "fail bounded",
            "add-capacity guarded count=1",
        ],
    );
    assert_eq!(code, 1);
    let kinds: Vec<&Value> = r["steps"]
        .as_array()
        .expect("an array")
        .iter()
        .map(|s| &s["kind"])
        .collect();
    assert_eq!(kinds, ["remove_capacity", "fail", "add_capacity"]);
    let numbers: Vec<&Value> = r["steps"]
        .as_array()
        .expect("an array")
        .iter()
        .map(|s| &s["step"])
        .collect();
    assert_eq!(numbers, [1, 2, 3]);
    assert_eq!(listed(&r, "pool")["step"], 1);
    assert_eq!(listed(&r, "bounded")["step"], 2);
    assert_eq!(listed(&r, "shop.app")["step"], 2);
    assert_eq!(r["plan"]["source"], "inline");
}

#[test]
fn inline_keys_may_use_dashes() {
    let (_, a) = check_ops(POLICY, &["fail web.* expect-matches=2"]);
    let (_, b) = check_ops(POLICY, &["fail web.* expect_matches=2"]);
    assert_eq!(a, b);
    assert_eq!(violation_kinds(&a), ["unexpected_scope"]);
}

#[test]
fn inline_unknown_kind_suggests_the_nearest() {
    let stderr = rejected_op(CAPACITY, "remove-capacty pool count=1");
    assert_contains(&stderr, "unknown operation `remove-capacty`");
    assert_contains(&stderr, "did you mean `remove-capacity`?");
    let stderr = rejected_op(CAPACITY, "frobnicate pool");
    assert_contains(&stderr, "the kinds are remove-capacity, add-capacity, fail");
}

#[test]
fn inline_unknown_key_suggests_the_nearest() {
    let stderr = rejected_op(CAPACITY, "remove-capacity pool cont=1");
    assert_contains(&stderr, "unknown field `cont`");
    assert_contains(&stderr, "did you mean `count`?");
}

#[test]
fn inline_second_positional_is_rejected() {
    let stderr = rejected_op(CAPACITY, "fail pool bounded");
    assert_contains(&stderr, "`bounded` is not a key=value pair");
    assert_contains(&stderr, "it is `target`");
}

#[test]
fn inline_duplicate_key_is_rejected() {
    let stderr = rejected_op(CAPACITY, "remove-capacity pool count=1 count=2");
    assert_contains(&stderr, "`count` is given twice");
    // The positional field counts as given.
    let stderr = rejected_op(CAPACITY, "remove-capacity pool target=bounded count=1");
    assert_contains(&stderr, "`target` is given twice");
}

#[test]
fn inline_missing_count_or_percent_is_rejected() {
    let stderr = rejected_op(CAPACITY, "remove-capacity pool");
    assert_contains(&stderr, "missing `count` or `percent`");
    let stderr = rejected_op(CAPACITY, "add-capacity pool");
    assert_contains(&stderr, "missing `count` or `percent`");
    let stderr = rejected_op(CAPACITY, "remove-capacity pool count=1 percent=1");
    assert_contains(&stderr, "not both");
    let stderr = rejected_op(LOAD, "add-load net.main");
    assert_contains(&stderr, "missing `factor` or `amount`");
}

#[test]
fn inline_percent_above_100_is_rejected_for_removals() {
    let stderr = rejected_op(CAPACITY, "remove-capacity pool percent=150");
    assert_contains(&stderr, "`percent` is 150, above 100");
    let stderr = rejected_op(LOAD, "shift-load net.main to=net.backup percent=101");
    assert_contains(&stderr, "above 100");
}

#[test]
fn inline_unbalanced_quote_is_rejected() {
    let stderr = rejected_op(DATA, "delete-data lb.state owners='lb.*");
    assert_contains(&stderr, "unbalanced quotes");
}

#[test]
fn inline_other_bad_values_are_rejected() {
    let stderr = rejected_op(CAPACITY, "remove-capacity pool count=-1");
    assert_contains(&stderr, "non-negative");
    let stderr = rejected_op(CAPACITY, "fail");
    assert_contains(&stderr, "missing field `target`");
    let stderr = rejected_op(CAPACITY, "");
    assert_contains(&stderr, "--op is empty");
    let stderr = rejected_op(DATA, "delete-data lb.a");
    assert_contains(&stderr, "not a data store");
    let stderr = rejected_op(ZONES, "fail-zone east-c");
    assert_contains(&stderr, "zone `east-c` does not exist");
    assert_contains(&stderr, "did you mean `east-");
    let stderr = rejected_op(SELECTORS, "fail 'target=api.[a'");
    assert_contains(&stderr, "invalid glob");
}

// ---------------------------------------------------------------------------
// Output formats (insta snapshots) and determinism
// ---------------------------------------------------------------------------

fn outage_args(extra: &[&str]) -> Vec<String> {
    let mut args = vec![
        "check".to_string(),
        SHOP.to_string(),
        "--plan".to_string(),
        plan("shop-outage"),
    ];
    args.extend(extra.iter().map(|s| (*s).to_string()));
    args
}

fn passing_args(extra: &[&str]) -> Vec<String> {
    let mut args = vec![
        "check".to_string(),
        SHOP.to_string(),
        "--op".to_string(),
        "remove-capacity net.core count=10".to_string(),
    ];
    args.extend(extra.iter().map(|s| (*s).to_string()));
    args
}

fn run_owned(args: &[String], code: i32) -> String {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = blast(&args);
    assert_eq!(run.code, code, "{args:?}; stderr:\n{}", run.stderr);
    assert!(run.stderr.is_empty(), "{args:?} stderr:\n{}", run.stderr);
    run.stdout
}

#[test]
fn snapshot_failing_table() {
    insta::assert_snapshot!("failing_table", run_owned(&outage_args(&[]), 1));
}

#[test]
fn snapshot_failing_quiet() {
    insta::assert_snapshot!("failing_quiet", run_owned(&outage_args(&["--quiet"]), 1));
}

#[test]
fn snapshot_failing_json() {
    insta::assert_snapshot!("failing_json", run_owned(&outage_args(&["--format", "json"]), 1));
}

#[test]
fn snapshot_failing_markdown() {
    insta::assert_snapshot!(
        "failing_markdown",
        run_owned(&outage_args(&["--format", "markdown"]), 1)
    );
}

#[test]
fn snapshot_passing_table() {
    insta::assert_snapshot!("passing_table", run_owned(&passing_args(&[]), 0));
}

#[test]
fn snapshot_passing_quiet() {
    insta::assert_snapshot!("passing_quiet", run_owned(&passing_args(&["-q"]), 0));
}

#[test]
fn snapshot_passing_json() {
    insta::assert_snapshot!("passing_json", run_owned(&passing_args(&["--format", "json"]), 0));
}

#[test]
fn snapshot_passing_markdown() {
    insta::assert_snapshot!(
        "passing_markdown",
        run_owned(&passing_args(&["--format", "markdown"]), 0)
    );
}

#[test]
fn snapshot_explain_component() {
    let args: Vec<String> = ["explain", SHOP, "--plan", &plan("shop-outage"), "bigco.web"]
        .iter()
        .map(|s| (*s).to_string())
        .collect();
    insta::assert_snapshot!("explain_component", run_owned(&args, 0));
}

#[test]
fn snapshot_explain_customer() {
    let args: Vec<String> = ["explain", SHOP, "--plan", &plan("shop-outage"), "smallco"]
        .iter()
        .map(|s| (*s).to_string())
        .collect();
    insta::assert_snapshot!("explain_customer", run_owned(&args, 0));
}

#[test]
fn snapshot_explain_at_risk_component() {
    let args: Vec<String> = ["explain", SHOP, "--op", "remove-capacity net.core count=10", "net.core"]
        .iter()
        .map(|s| (*s).to_string())
        .collect();
    insta::assert_snapshot!("explain_at_risk_component", run_owned(&args, 0));
}

#[test]
fn explain_unaffected_component_and_customer() {
    let run = blast(&["explain", SHOP, "--plan", &plan("shop-outage"), "db.1"]);
    assert_eq!(run.code, 0);
    assert_eq!(run.stdout, "`db.1` stays ok at every step of the plan\n");
    let run = blast(&["explain", SHOP, "--op", "remove-capacity net.core count=10", "bigco"]);
    assert_eq!(run.code, 0);
    assert_eq!(
        run.stdout,
        "customer `bigco` is ok through its app `bigco.web`\n`bigco.web` stays ok at every step of the plan\n"
    );
}

/// Issue 12: explain names the step its chain starts from, not the later
/// step at which the component reached its worst.
#[test]
fn explain_names_the_step_the_chain_starts_from() {
    let run = blast(&[
        "explain",
        "topologies/quickstart.yaml",
        "--op",
        "fail db.replica-a",
        "--op",
        "fail db.replica-b",
        "api",
    ]);
    assert_eq!(run.code, 0);
    let first = run.stdout.lines().next().expect("a line");
    assert_eq!(
        first,
        "`api` is down from step 2; the chain starts at step 1 (fail db.replica-a)"
    );
    assert_contains(&run.stdout, " *   db.replica-a");
}

#[test]
fn explain_unknown_id_is_exit_2() {
    let stderr = rejected(&["explain", SHOP, "--op", "fail recs", "api.web"]);
    assert_contains(&stderr, "`api.web` is not a component or customer");
    let stderr = rejected(&["explain", SHOP, "bigco"]);
    assert_contains(&stderr, "required arguments were not provided");
}

#[test]
fn same_command_twice_gives_identical_bytes() {
    for extra in [&[][..], &["--format", "json"], &["--format", "markdown"]] {
        let args = outage_args(extra);
        assert_eq!(run_owned(&args, 1), run_owned(&args, 1), "{args:?}");
    }
    let args = vec![
        "explain",
        SHOP,
        "--plan",
        "tests/fixtures/plans/shop-outage.yaml",
        "bigco.web",
    ];
    assert_eq!(blast(&args).stdout, blast(&args).stdout);
}

#[test]
fn quiet_line_is_the_json_summary_text() {
    let quiet = run_owned(&outage_args(&["--quiet"]), 1);
    let (_, r) = check_json(SHOP, &["--plan", &plan("shop-outage")]);
    assert_eq!(quiet, format!("{}\n", r["summary"]["text"].as_str().expect("a string")));
    assert_eq!(
        quiet,
        "FAIL: 2 customers down (2M weight) for an unknown time; 4 services down, 1 degraded, 1 at risk; 1 policy violation; 1 customer stays degraded after a rollback\n"
    );
}

// ---------------------------------------------------------------------------
// JSON contract
// ---------------------------------------------------------------------------

const STATUSES: [&str; 4] = ["ok", "at_risk", "degraded", "down"];

/// Checks the schema-level promises of one report.
fn assert_json_contract(r: &Value) {
    assert_eq!(r["schema_version"], 2);
    assert!(["pass", "fail"].contains(&verdict(r)));
    for field in ["summary", "steps", "violations", "customers", "components"] {
        assert!(!r[field].is_null(), "missing `{field}`");
    }
    for customer in r["customers"].as_array().expect("an array") {
        let s = customer["status"].as_str().expect("a string");
        assert!(STATUSES.contains(&s) && s != "ok", "customer status {s}");
        assert!(customer["weight"].is_number());
        assert!(customer["recovery"]["kind"].is_string(), "{customer}");
        for app in customer["affected_apps"].as_array().expect("an array") {
            assert!(STATUSES.contains(&app["status"].as_str().expect("a string")));
        }
    }
    let components = r["components"].as_array().expect("an array");
    for c in components {
        let object = c.as_object().expect("component is an object");
        for key in ["id", "kind", "region", "status", "step", "cause", "path"] {
            assert!(object.contains_key(key), "component lacks `{key}`: {c}");
        }
        let id = c["id"].as_str().expect("a string");
        let s = c["status"].as_str().expect("a string");
        assert!(STATUSES.contains(&s) && s != "ok", "{id} has status {s}");
        let cause_type = c["cause"]["type"].as_str().expect("a string");
        assert!(
            ["step", "dependency", "surge", "failover"].contains(&cause_type),
            "{id}: cause {cause_type}"
        );
        let recovery = &c["recovery"];
        assert!(
            ["rollback", "restart", "restore", "self_sustaining"].contains(&recovery["kind"].as_str().expect("a kind")),
            "{id}: recovery {recovery}"
        );
        assert!(recovery["after_seconds"].is_u64() || recovery["after_seconds"].is_null());
        assert!(STATUSES.contains(&recovery["status_after_rollback"].as_str().expect("a status")));
        if cause_type == "dependency" {
            assert!(STATUSES.contains(&c["cause"]["on_status"].as_str().expect("a string")));
        }
        let path: Vec<&str> = c["path"]
            .as_array()
            .expect("an array")
            .iter()
            .map(|p| p.as_str().expect("a string"))
            .collect();
        assert_eq!(path.last(), Some(&id), "{id}: path {path:?}");
        // The path is the chain at the step the component reached its status;
        // `origin` says which step and reason started it.
        assert!(component(r, path[0]).is_some(), "{id}: origin {} not listed", path[0]);
        assert_eq!(
            c["origin"]["component"], path[0],
            "{id}: origin {} vs path {path:?}",
            c["origin"]
        );
        assert!(
            c["origin"]["step"].is_u64() && c["origin"]["reason"].is_string(),
            "{id}: {}",
            c["origin"]
        );
        // A component caused by a step is its own whole path.
        if cause_type == "step" {
            assert_eq!(path, [id]);
        }
    }
    for v in r["violations"].as_array().expect("an array") {
        let kind = v["kind"].as_str().expect("a string");
        assert!(
            [
                "below_min_capacity",
                "over_max_capacity",
                "over_removal",
                "step_too_large",
                "requires_approval",
                "unexpected_scope"
            ]
            .contains(&kind),
            "violation kind {kind}"
        );
        assert!(v["step"].is_u64());
        assert!(v["message"].is_string());
    }
}

#[test]
fn json_contract_on_a_failing_plan() {
    let (_, r) = check_json(SHOP, &["--plan", &plan("shop-outage")]);
    assert_json_contract(&r);
    // Every component that is not ok, and nothing else (derived in shop.yaml).
    assert_eq!(
        affected_ids(&r),
        ids(&[
            "api",
            "bigco.web",
            "db.2",
            "db.3",
            "lb.web",
            "smallco.web",
            "lb.state",
            "net.core"
        ])
    );
    expect_statuses(
        &r,
        &[
            ("db.1", "ok"),
            ("recs", "ok"),
            ("smallco.batch", "ok"),
            ("lb.state", "degraded"),
            ("net.core", "at_risk"),
            ("lb.web", "down"),
        ],
    );
    // Worst first.
    let order: Vec<&str> = r["components"]
        .as_array()
        .expect("an array")
        .iter()
        .map(|c| c["status"].as_str().expect("a string"))
        .collect();
    let mut sorted = order.clone();
    sorted.sort_by_key(|s| std::cmp::Reverse(STATUSES.iter().position(|x| x == s)));
    assert_eq!(order, sorted);
    // lb.state reaches at_risk in step 1 (lost a zone) and degraded in step 2.
    assert_eq!(listed(&r, "lb.state")["step"], 2);
    assert_eq!(
        listed(&r, "bigco.web")["path"],
        serde_json::json!(["db.2", "api", "lb.web", "bigco.web"])
    );
    let customers: Vec<(&str, &str)> = r["customers"]
        .as_array()
        .expect("an array")
        .iter()
        .map(|c| {
            (
                c["id"].as_str().expect("a string"),
                c["status"].as_str().expect("a string"),
            )
        })
        .collect();
    assert_eq!(customers, [("bigco", "down"), ("smallco", "down")]);
    let smallco = &r["customers"][1];
    assert_eq!(smallco["weight"], 500.0);
    assert_eq!(
        smallco["affected_apps"],
        serde_json::json!([{"id": "smallco.web", "status": "down"}])
    );
    assert_eq!(r["summary"]["customers"]["down"], 2);
    assert_eq!(r["summary"]["services"]["down"], 4);
    assert_eq!(violation_kinds(&r), ["requires_approval"]);
}

#[test]
fn json_contract_across_fixtures() {
    let runs: &[(&str, &[&str])] = &[
        (SHOP, &["--op", "remove-capacity net.core count=10"]),
        (CAPACITY, &["--plan", "tests/fixtures/plans/capacity-limits.yaml"]),
        (RESTART, &["--op", "restart db.1", "--op", "restart db.2"]),
        (ZONES, &["--op", "fail-zone east-a", "--op", "fail-region east"]),
        (LOAD, &["--op", "shift-load net.[mf]* to=net.backup"]),
        (DATA, &["--op", "delete-data lb.state"]),
        (
            PROPAGATION,
            &["--op", "fail cyc.b", "--op", "fail q.[12]", "--op", "fail pair.*"],
        ),
        (POLICY, &["--op", "fail web.* expect_matches=2"]),
        (GATE, &["--scenario", "lose-core"]),
    ];
    for (topology, args) in runs {
        let (_, r) = check_json(topology, args);
        assert_json_contract(&r);
    }
}

/// SPEC section 4: "Following causes gives the path from the operation to any
/// affected component". Here `w` is degraded from step 1 through `x`'s
/// overload, and its path is `[x, w]`; but `x`'s own reported cause is its
/// later (step 2) hard dependency on `y`, so the path starts at a component
/// whose cause is not a step, and following the reported causes from `w`
/// (w -> x -> y) does not give the reported path.
#[test]
fn json_path_starts_at_a_step_even_when_the_origin_gets_worse_later() {
    let (_, r) = check_ops(HISTORY, &["add-load x factor=3", "fail y"]);
    expect_statuses(&r, &[("x", "down"), ("y", "down"), ("w", "degraded")]);
    assert_json_contract(&r);
}

#[test]
fn numbers_above_the_limit_are_rejected() {
    let stderr = rejected_op(POLICY, "add-load web.* factor=1e16");
    assert_contains(&stderr, "`factor=1e16` is larger than 1e15");
}

// ---------------------------------------------------------------------------
// Section order
// ---------------------------------------------------------------------------

/// The quickstart topology with its top-level sections moved: components and
/// customers first, `regions` last. Each section starts at a line that begins
/// with a key; a comment line stays with the section above it.
fn quickstart_with_regions_last() -> String {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("topologies/quickstart.yaml"))
        .expect("quickstart topology");
    let mut sections: Vec<String> = Vec::new();
    for line in text.lines() {
        if line.starts_with(|c: char| c.is_ascii_lowercase()) || sections.is_empty() {
            sections.push(String::new());
        }
        let section = sections.last_mut().expect("a section was pushed");
        section.push_str(line);
        section.push('\n');
    }
    let (first, rest): (Vec<String>, Vec<String>) = sections.into_iter().partition(|s| {
        ["customers:", "load_balancers:", "data_stores:", "services:"]
            .iter()
            .any(|key| s.starts_with(key))
    });
    let (regions, others): (Vec<String>, Vec<String>) = rest.into_iter().partition(|s| s.starts_with("regions:"));
    assert_eq!(
        (first.len(), regions.len()),
        (4, 1),
        "the quickstart's sections were found"
    );
    first.into_iter().rev().chain(others).chain(regions).collect()
}

/// A report with each step's `matched` list sorted: that list is in file order.
fn without_match_order(mut report: Value) -> Value {
    for step in report["steps"].as_array_mut().expect("steps") {
        let matched = step["matched"].as_array_mut().expect("matched");
        matched.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
    }
    report
}

/// Sections may come in any order. Components met before `regions` are
/// checked once their zones are known, and the reports are the same but for
/// the order of each step's matches, which is file order.
#[test]
fn sections_before_regions_give_the_same_reports() {
    let reordered = quickstart_with_regions_last();
    assert!(reordered.find("customers:") < reordered.find("regions:"));
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("reordered.yaml");
    std::fs::write(&path, reordered).expect("write topology");
    let path = path.to_str().expect("UTF-8 temp path");
    for scenario in ["drain-one-replica", "scale-in-too-far"] {
        let (usual_code, usual) = check_json("topologies/quickstart.yaml", &["--scenario", scenario]);
        let (code, report) = check_json(path, &["--scenario", scenario]);
        assert_eq!(code, usual_code, "{scenario}");
        assert_eq!(without_match_order(report), without_match_order(usual), "{scenario}");
    }
    for op in ["fail-zone demo-1a", "fail net.core", "delete-data lb.state"] {
        let (usual_code, usual) = check_json("topologies/quickstart.yaml", &["--op", op]);
        let (code, report) = check_json(path, &["--op", op]);
        assert_eq!(code, usual_code, "{op}");
        assert_eq!(without_match_order(report), without_match_order(usual), "{op}");
    }
}
