//! `blast spof`, `blast cuts` and `blast diff` through the real binary.

use crate::common;

use std::path::Path;

use common::blast;
use serde_json::Value;

const US_EAST_1: &str = "topologies/us-east-1.yaml";
const QUICKSTART: &str = "topologies/quickstart.yaml";

fn json(args: &[&str]) -> Value {
    let (code, stdout, stderr) = blast(args);
    assert_eq!(code, 0, "{stderr}");
    serde_json::from_str(&stdout).expect("valid JSON")
}

/// `blast diff QUICKSTART new --format json`, which must fail the gate.
fn failed_diff(new: &str) -> Value {
    let (code, stdout, stderr) = blast(&["diff", QUICKSTART, new, "--format", "json"]);
    assert_eq!(code, 1, "{stdout}{stderr}");
    let view: Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(view["verdict"], "fail");
    view
}

fn ranking(topology: &str) -> Vec<Value> {
    json(&["spof", topology, "--top", "0", "--format", "json"])["ranking"]
        .as_array()
        .expect("ranking")
        .clone()
}

#[test]
fn spof_ranks_the_main_network_first_and_the_s3_index_high() {
    let ranking = ranking(US_EAST_1);
    // 81 components that are not customer apps, 6 zones, 2 regions.
    assert_eq!(ranking.len(), 89, "--top 0 lists every component, zone and region");
    assert_eq!(ranking[0]["id"], "net.main");
    let rank_of = |id: &str| ranking.iter().position(|r| r["id"] == id).expect("ranked") + 1;
    assert!(rank_of("s3.index") <= 30, "s3.index ranks {}", rank_of("s3.index"));
    let s3_index = &ranking[rank_of("s3.index") - 1];
    let down: Vec<&str> = s3_index["customers_down"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert!(down.contains(&"trello") && down.contains(&"giphy"), "{down:?}");
}

#[test]
fn spof_is_ranked_by_weight_down_then_degraded_then_id() {
    let ranking = ranking(US_EAST_1);
    for pair in ranking.windows(2) {
        let key = |r: &Value| {
            (
                -r["customers"]["down_weight"].as_f64().unwrap(),
                -r["customers"]["degraded_weight"].as_f64().unwrap(),
                r["id"].as_str().unwrap().to_string(),
            )
        };
        assert!(
            key(&pair[0]) <= key(&pair[1]),
            "{} before {}",
            pair[0]["id"],
            pair[1]["id"]
        );
    }
}

/// Every unit `spof` ranks in `topology` against its own `check`.
fn spof_equals_check_for_each_unit(topology: &str) {
    for entry in ranking(topology) {
        let id = entry["id"].as_str().unwrap();
        let op = match entry["unit"].as_str().unwrap() {
            "component" => format!("fail {id}"),
            unit => format!("fail-{unit} {id}"),
        };
        let (_, stdout, _) = blast(&["check", topology, "--op", &op, "--format", "json"]);
        let check: Value = serde_json::from_str(&stdout).expect("json");
        assert_eq!(entry["customers"], check["summary"]["customers"], "{id}");
        assert_eq!(entry["services"], check["summary"]["services"], "{id}");
    }
}

#[test]
fn spof_equals_check_fail_for_each_component_of_the_quickstart() {
    spof_equals_check_for_each_unit(QUICKSTART);
}

/// A zone failure halves c1's capacity while c2's failover already sends
/// it load: its share must shrink before its status is judged. `spof`
/// judged it on its old share, took it down, and so everyone (5 down where
/// `check` says 2 down and 3 at risk).
#[test]
fn spof_judges_a_zone_failure_on_the_failover_shares_it_leaves() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("shares.yaml");
    let service = |id: &str, extra: &str| format!("  - id: {id}\n{extra}    collapse_at: 1.000001\n");
    let text = [
        "version: 1\nregions:\n  - id: r0\n    zones: [z0a, z0b]\nservices:\n".to_string(),
        service("c0", ""),
        service("c1", "    region: r0\n    capacity: 0.1\n    load: 0\n"),
        service("c2", "    region: r0\n    load: 2.000002\n    failover: {to: \"c*\"}\n"),
        service("c3", "    capacity: 0\n"),
        service("c4", ""),
    ]
    .concat();
    std::fs::write(&path, text).expect("write");
    let path = path.to_str().expect("utf-8 path");
    let zone = ranking(path)
        .into_iter()
        .find(|e| e["id"] == "z0a")
        .expect("z0a ranked");
    assert_eq!(zone["services"]["down"], 2, "{zone}");
    assert_eq!(zone["services"]["at_risk"], 3, "{zone}");
    spof_equals_check_for_each_unit(path);
}

#[test]
fn spof_top_limits_the_table() {
    let (code, stdout, _) = blast(&["spof", US_EAST_1, "--top", "3"]);
    assert_eq!(code, 0);
    assert!(
        stdout.starts_with("Single points of failure: top 3 of 89 (81 components, 6 zones, 2 regions)"),
        "{stdout}"
    );
    assert_eq!(
        stdout
            .lines()
            .filter(|l| l.trim_start().starts_with(char::is_numeric))
            .count(),
        3
    );
}

#[test]
fn cuts_find_netflix_zone_pairs_and_are_minimal_and_sorted() {
    let view = json(&["cuts", US_EAST_1, "--target", "netflix", "--format", "json"]);
    let sets: Vec<Vec<String>> = view["sets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            s["members"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m.as_str().unwrap().to_string())
                .collect()
        })
        .collect();
    assert!(sets.contains(&vec![
        "ec2.instances.use1-az1".to_string(),
        "ec2.instances.use1-az2".to_string()
    ]));
    assert!(sets.contains(&vec!["net.main".to_string()]));
    for (i, a) in sets.iter().enumerate() {
        assert!(a.len() <= 2);
        for (j, b) in sets.iter().enumerate() {
            assert!(
                i == j || !a.iter().all(|m| b.contains(m)),
                "{a:?} is inside {b:?}: not minimal"
            );
        }
    }
    let sizes: Vec<usize> = sets.iter().map(Vec::len).collect();
    assert!(sizes.windows(2).all(|w| w[0] <= w[1]), "sorted by size: {sizes:?}");
}

#[test]
fn cuts_of_an_app_with_a_quorum_need_two_replicas() {
    let view = json(&[
        "cuts",
        QUICKSTART,
        "--target",
        "acme.shop",
        "--max-size",
        "2",
        "--format",
        "json",
    ]);
    let pairs: Vec<String> = view["sets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["size"] == 2)
        .map(|s| {
            s["members"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m.as_str().unwrap())
                .collect::<Vec<_>>()
                .join("+")
        })
        .collect();
    assert!(pairs.contains(&"db.replica-a+db.replica-b".to_string()), "{pairs:?}");
    let view = json(&[
        "cuts",
        QUICKSTART,
        "--target",
        "acme.shop",
        "--max-size",
        "1",
        "--format",
        "json",
    ]);
    assert!(view["sets"].as_array().unwrap().iter().all(|s| s["size"] == 1));
}

#[test]
fn cuts_reject_unknown_targets_and_sizes_out_of_range() {
    let (code, _, stderr) = blast(&["cuts", QUICKSTART, "--target", "acme.shpo"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("did you mean `acme.shop`?"), "{stderr}");
    let (code, _, stderr) = blast(&["cuts", QUICKSTART, "--target", "acme.shop", "--max-size", "11"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--max-size"), "{stderr}");
    let (code, _, stderr) = blast(&["cuts", QUICKSTART, "--target", "acme.shop", "--max-sets", "0"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--max-sets"), "{stderr}");
}

/// Writes `topology` with `from` replaced by `to` into a temporary file.
fn edited(dir: &Path, topology: &str, from: &str, to: &str) -> String {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(topology)).expect("read");
    assert!(text.contains(from), "{from} not in {topology}");
    let path = dir.join("new.yaml");
    std::fs::write(&path, text.replacen(from, to, 1)).expect("write");
    path.to_str().expect("utf-8 path").to_string()
}

#[test]
fn diff_of_identical_files_passes_with_no_changes() {
    let (code, stdout, _) = blast(&["diff", QUICKSTART, QUICKSTART]);
    assert_eq!(code, 0);
    assert!(stdout.starts_with("PASS: 0 customers gained"), "{stdout}");
}

#[test]
fn diff_fails_when_a_customer_gains_a_single_point_of_failure() {
    let dir = tempfile::tempdir().expect("tempdir");
    let new = edited(
        dir.path(),
        QUICKSTART,
        "quorum: 2, of: [db.replica-a",
        "quorum: 3, of: [db.replica-a",
    );
    let view = failed_diff(&new);
    let customers = view["customers"].as_array().unwrap();
    assert!(!customers.is_empty());
    for customer in customers {
        let gained: Vec<&str> = customer["spof_gained"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g.as_str().unwrap())
            .collect();
        assert!(
            gained.contains(&"db.replica-a") && gained.contains(&"db.replica-c"),
            "{gained:?}"
        );
    }
    assert!(
        view["dependencies"]["added"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d.as_str().unwrap().contains("quorum 3"))
    );
    assert!(
        view["dependencies"]["removed"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d.as_str().unwrap().contains("quorum 2"))
    );

    // The reverse change only removes single points of failure: it passes.
    let (code, stdout, _) = blast(&["diff", &new, QUICKSTART]);
    assert_eq!(code, 0, "{stdout}");
    // And with `--fail-on never` nothing counts against the gate.
    let (code, _, _) = blast(&["diff", QUICKSTART, &new, "--fail-on", "never"]);
    assert_eq!(code, 0);
}

#[test]
fn diff_reports_changed_fields() {
    let dir = tempfile::tempdir().expect("tempdir");
    let new = edited(dir.path(), QUICKSTART, "min_capacity: 6", "min_capacity: 7");
    let view: Value = serde_json::from_str(&blast(&["diff", QUICKSTART, &new, "--format", "json"]).1).expect("json");
    assert_eq!(view["components"]["changed"][0]["id"], "api");
    assert_eq!(view["components"]["changed"][0]["fields"][0], "min_capacity");
}

#[test]
fn snapshots_of_the_analyses() {
    let dir = tempfile::tempdir().expect("tempdir");
    let new = edited(
        dir.path(),
        QUICKSTART,
        "quorum: 2, of: [db.replica-a",
        "quorum: 3, of: [db.replica-a",
    );
    insta::assert_snapshot!("spof_table", blast(&["spof", QUICKSTART]).1);
    insta::assert_snapshot!(
        "spof_markdown",
        blast(&["spof", QUICKSTART, "--top", "5", "--format", "markdown"]).1
    );
    insta::assert_snapshot!("cuts_table", blast(&["cuts", QUICKSTART, "--target", "acme"]).1);
    insta::assert_snapshot!(
        "cuts_json",
        blast(&["cuts", QUICKSTART, "--target", "acme.shop", "--format", "json"]).1
    );
    // The temporary path differs per run; keep it out of the snapshot.
    let diff_table = blast(&["diff", QUICKSTART, &new]).1;
    insta::assert_snapshot!("diff_table", diff_table);
    insta::assert_snapshot!(
        "diff_markdown",
        blast(&["diff", QUICKSTART, &new, "--format", "markdown"]).1
    );
}

/// The members of every listed cut set, as written.
fn cut_sets(view: &Value) -> Vec<Vec<String>> {
    view["sets"]
        .as_array()
        .expect("sets")
        .iter()
        .map(|s| {
            s["members"]
                .as_array()
                .expect("members")
                .iter()
                .map(|m| m.as_str().expect("a member").to_string())
                .collect()
        })
        .collect()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write topology");
    path.display().to_string()
}

/// Issue 12: growing sets only through quorum entries they already hit
/// never reached {a, b, x, y}, where no member of the set alone touches the
/// app's entry.
#[test]
fn cuts_find_sets_through_nested_any_of_entries() {
    let dir = tempfile::tempdir().expect("tempdir");
    let topology = write(
        dir.path(),
        "nested.yaml",
        "version: 1\nservices:\n  - id: a\n  - id: b\n  - id: x\n  - id: y\n\
         \x20 - id: m1\n    depends_on: [{any_of: [a, x]}]\n  - id: m2\n    depends_on: [{any_of: [b, y]}]\n\
         customers:\n  - id: k\n    apps:\n      - id: app\n        depends_on: [{any_of: [m1, m2]}]\n",
    );
    let view = json(&[
        "cuts",
        &topology,
        "--target",
        "app",
        "--max-size",
        "4",
        "--format",
        "json",
    ]);
    let sets = cut_sets(&view);
    let expected: Vec<Vec<String>> = [
        &["app"][..],
        &["m1", "m2"],
        &["a", "m2", "x"],
        &["b", "m1", "y"],
        &["a", "b", "x", "y"],
    ]
    .iter()
    .map(|s| s.iter().map(|m| m.to_string()).collect())
    .collect();
    assert_eq!(sets, expected);
    assert_eq!(view["truncated"], false);
    assert_eq!(view["found"], 5);
}

/// Zones and regions fail as `fail-zone` and `fail-region` do, and count in
/// minimality like components: the region alone takes the shop down, so no
/// other set names it.
#[test]
fn cuts_list_zones_and_regions_as_members() {
    let view = json(&[
        "cuts",
        QUICKSTART,
        "--target",
        "acme",
        "--max-size",
        "3",
        "--format",
        "json",
    ]);
    let sets = cut_sets(&view);
    assert!(sets.contains(&vec!["region demo-1".to_string()]), "{sets:?}");
    assert!(
        sets.contains(&vec!["zone demo-1a".to_string(), "zone demo-1b".to_string()]),
        "{sets:?}"
    );
    assert!(
        sets.contains(&vec!["db.replica-a".to_string(), "zone demo-1b".to_string()]),
        "{sets:?}"
    );
    for set in &sets {
        assert!(
            set.len() == 1 || !set.contains(&"region demo-1".to_string()),
            "{set:?} is not minimal"
        );
    }
    // What `cuts` lists, `check` confirms.
    let (code, stdout, _) = blast(&[
        "check",
        QUICKSTART,
        "--op",
        "fail-zone demo-1a",
        "--op",
        "fail-zone demo-1b",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1);
    let report: Value = serde_json::from_str(&stdout).expect("JSON");
    let acme = report["customers"]
        .as_array()
        .expect("customers")
        .iter()
        .find(|c| c["id"] == "acme")
        .expect("acme is affected");
    assert_eq!(acme["status"], "down");
}

/// A legal 2 KB file: one app on a quorum of 97 of 100. At K = 4 there are
/// C(100, 4) = 3,921,225 minimal sets; the search stops at --max-sets.
fn wide_quorum(dir: &Path) -> String {
    let ids: Vec<String> = (0..100).map(|i| format!("s{i}")).collect();
    let mut text = String::from("version: 1\nservices:\n");
    for id in &ids {
        text.push_str(&format!("  - id: {id}\n"));
    }
    text.push_str(&format!(
        "customers:\n  - id: k\n    apps:\n      - id: app\n        depends_on: [{{quorum: 97, of: [{}]}}]\n",
        ids.join(", ")
    ));
    assert!(text.len() < 2048, "{} bytes", text.len());
    write(dir, "wide.yaml", &text)
}

#[test]
fn cuts_of_a_wide_quorum_stop_at_max_sets_and_say_so_in_every_format() {
    let dir = tempfile::tempdir().expect("tempdir");
    let topology = wide_quorum(dir.path());
    let view = json(&[
        "cuts",
        &topology,
        "--target",
        "app",
        "--max-size",
        "4",
        "--format",
        "json",
    ]);
    assert_eq!(view["truncated"], true);
    assert_eq!(view["max_sets"], 10000);
    assert_eq!(view["found"], 10000);
    let sets = cut_sets(&view);
    assert_eq!(sets.len(), 10000);
    assert_eq!(sets[0], vec!["app".to_string()]);
    assert!(
        sets[1..].iter().all(|s| s.len() == 4),
        "any 4 of the 100 replicas, nothing smaller"
    );
    let (code, table, _) = blast(&[
        "cuts",
        &topology,
        "--target",
        "app",
        "--max-size",
        "4",
        "--max-sets",
        "20",
    ]);
    assert_eq!(code, 0);
    assert!(
        table.contains("The list is cut: the search stopped at --max-sets 20 with 20 sets found"),
        "{table}"
    );
    let (_, markdown, _) = blast(&[
        "cuts",
        &topology,
        "--target",
        "app",
        "--max-size",
        "4",
        "--max-sets",
        "3",
        "--format",
        "markdown",
    ]);
    insta::assert_snapshot!("cuts_markdown_truncated", markdown);
    let (_, table, _) = blast(&[
        "cuts",
        &topology,
        "--target",
        "app",
        "--max-size",
        "4",
        "--max-sets",
        "3",
    ]);
    insta::assert_snapshot!("cuts_table_truncated", table);
    // Below the limit nothing is cut.
    let view = json(&[
        "cuts",
        &topology,
        "--target",
        "app",
        "--max-size",
        "3",
        "--format",
        "json",
    ]);
    assert_eq!(view["truncated"], false);
    assert_eq!(view["found"], 1);
}

#[test]
fn spof_ranks_zones_and_regions_and_leaves_apps_out_unless_asked() {
    let ranking = ranking(QUICKSTART);
    let units = |unit: &str| -> Vec<String> {
        ranking
            .iter()
            .filter(|r| r["unit"] == unit)
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        units("zone"),
        ["demo-1a", "demo-1b", "demo-1c"].map(String::from).to_vec()
    );
    assert_eq!(units("region"), vec!["demo-1".to_string()]);
    let region = ranking.iter().find(|r| r["unit"] == "region").unwrap();
    assert_eq!(region["kind"], "region");
    assert_eq!(region["customers"]["down"], 2, "{region}");
    assert!(
        !units("component")
            .iter()
            .any(|id| id.starts_with("acme.") || id.starts_with("globex.")),
        "apps are not ranked by default: {:?}",
        units("component")
    );
    let view = json(&["spof", QUICKSTART, "--top", "0", "--include-apps", "--format", "json"]);
    let ids: Vec<&str> = view["ranking"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"acme.shop") && ids.contains(&"globex.reports"), "{ids:?}");
    assert_eq!(
        view["components"],
        ranking.iter().filter(|r| r["unit"] == "component").count() + 3
    );
    let (code, table, _) = blast(&["spof", QUICKSTART, "--top", "0"]);
    assert_eq!(code, 0);
    assert!(
        table.contains("region demo-1 ") && table.contains("zone demo-1a "),
        "{table}"
    );
}

#[test]
fn diff_fails_when_a_load_balancer_is_pinned_to_one_zone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let new = edited(
        dir.path(),
        QUICKSTART,
        "  - id: lb.shop\n    name: Public shop load balancer\n    region: demo-1\n",
        "  - id: lb.shop\n    name: Public shop load balancer\n    region: demo-1\n    zones: [demo-1a]\n",
    );
    let view = failed_diff(&new);
    let acme = view["customers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "acme")
        .expect("acme changed");
    assert_eq!(acme["spof_gained"], serde_json::json!(["zone demo-1a"]));
    assert_eq!(
        view["components"]["changed"],
        serde_json::json!([{"id": "lb.shop", "fields": ["zones"]}])
    );
    let (code, table, _) = blast(&["diff", QUICKSTART, &new]);
    assert_eq!(code, 1);
    assert!(
        table.starts_with("FAIL: 1 customer gained a single point of failure"),
        "{table}"
    );
}

#[test]
fn diff_reports_each_changed_field_by_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let new = edited(
        dir.path(),
        QUICKSTART,
        "    depends_on: [net.core, api]\n    capacity: 4\n    load: 2\n",
        "    depends_on: [net.core]\n    capacity: 5\n    load: 3\n",
    );
    let view: Value = serde_json::from_str(&blast(&["diff", QUICKSTART, &new, "--format", "json"]).1).expect("json");
    assert_eq!(
        view["components"]["changed"],
        serde_json::json!([{"id": "lb.partner", "fields": ["capacity", "depends_on", "load"]}])
    );
}

#[test]
fn diff_fails_when_the_new_topology_fails_before_any_operation() {
    let dir = tempfile::tempdir().expect("tempdir");
    let new = edited(
        dir.path(),
        QUICKSTART,
        "    capacity: 12               # requests/s, thousands\n    load: 6\n",
        "    capacity: 12               # requests/s, thousands\n    load: 30\n    collapse_at: 2\n",
    );
    let view = failed_diff(&new);
    assert_eq!(
        view["baseline_failures"],
        serde_json::json!([{"id": "acme", "status": "down"}])
    );
    assert!(
        !view["customers"].as_array().unwrap().iter().any(|c| c["id"] == "acme"),
        "acme's single points of failure are not reported as lost: {}",
        view["customers"]
    );
    let (code, table, _) = blast(&["diff", QUICKSTART, &new]);
    assert_eq!(code, 1);
    assert!(table.starts_with("FAIL: "), "{table}");
    assert!(
        table.contains("Customers not ok before any operation in NEW (at down or worse): acme (down)"),
        "{table}"
    );
    // `--fail-on never` counts nothing against the gate.
    assert_eq!(blast(&["diff", QUICKSTART, &new, "--fail-on", "never"]).0, 0);
}

/// A zone failure shrinks a failover target, so the active failover's load
/// splits again: `t2` takes more and is degraded, as `check` finds.
#[test]
fn spof_zone_rows_split_active_failovers_again() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("failover.yaml");
    std::fs::write(
        &path,
        "version: 1\nregions:\n  - id: r\n    zones: [z1, z2, z3]\nservices:\n\
         \x20 - {id: f, capacity: 10, load: 20, collapse_at: 1.5, failover: {to: 't?'}}\n\
         \x20 - {id: t1, zones: [z1, z2], capacity: 10}\n\
         \x20 - {id: t2, zones: [z3], capacity: 12}\n\
         customers:\n  - id: k\n    apps:\n      - {id: k.app, depends_on: [t2]}\n",
    )
    .expect("write");
    let path = path.to_str().expect("utf-8 path");
    let view = json(&["spof", path, "--top", "0", "--format", "json"]);
    for row in view["ranking"].as_array().unwrap() {
        let id = row["id"].as_str().unwrap();
        let op = match row["unit"].as_str().unwrap() {
            "component" => format!("fail {id}"),
            unit => format!("fail-{unit} {id}"),
        };
        let (_, stdout, _) = blast(&["check", path, "--op", &op, "--format", "json"]);
        let check: Value = serde_json::from_str(&stdout).expect("json");
        assert_eq!(row["customers"], check["summary"]["customers"], "{op}");
        assert_eq!(row["services"], check["summary"]["services"], "{op}");
    }
    let z1 = view["ranking"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "z1")
        .unwrap();
    assert_eq!(z1["customers"]["degraded"], 1, "{z1}");
}

/// Each move `diff` reports is where `spof` ranks the unit in each file,
/// with its weight down there; with a customer down at baseline in NEW,
/// failures that reach no change are shifted by NEW's baseline, not measured.
#[test]
fn diff_moves_agree_with_spof_on_each_file() {
    // Without load dynamics, so that `diff` measures only what can differ.
    let dir = tempfile::tempdir().expect("tempdir");
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(QUICKSTART)).expect("read");
    let text: String = text
        .lines()
        .filter(|l| !l.starts_with("    surges:") && !l.starts_with("    failover:"))
        .map(|l| format!("{l}\n"))
        .collect();
    let old = dir.path().join("old.yaml");
    std::fs::write(&old, &text).expect("write");
    let old = old.to_str().expect("utf-8 path");
    let new = edited(
        dir.path(),
        old,
        "    capacity: 12               # requests/s, thousands\n    load: 6\n",
        "    capacity: 12               # requests/s, thousands\n    load: 30\n    collapse_at: 2\n",
    );
    let view: Value = serde_json::from_str(&blast(&["diff", old, &new, "--format", "json"]).1).expect("json");
    let moves = view["spof_moves"].as_array().unwrap();
    assert!(moves.iter().any(|m| m["id"] == "worker"), "{moves:?}");
    let (before, after) = (ranking(old), ranking(&new));
    let find = |rows: &[Value], label: &str| -> (usize, Value) {
        let (i, row) = rows
            .iter()
            .enumerate()
            .find(|(_, r)| match r["unit"].as_str().unwrap() {
                "component" => r["id"] == label,
                unit => format!("{unit} {}", r["id"].as_str().unwrap()) == label,
            })
            .unwrap_or_else(|| panic!("{label} ranked"));
        (i + 1, row["customers"]["down_weight"].clone())
    };
    for m in moves {
        let label = m["id"].as_str().unwrap();
        assert_eq!(
            find(&before, label),
            (m["old_rank"].as_u64().unwrap() as usize, m["old_weight_down"].clone()),
            "{m}"
        );
        assert_eq!(
            find(&after, label),
            (m["new_rank"].as_u64().unwrap() as usize, m["new_weight_down"].clone()),
            "{m}"
        );
    }
}
