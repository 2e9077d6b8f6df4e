//! The shipped topologies replayed through the real `blast` binary.
//!
//! `topologies/us-east-1.yaml` models four public AWS outages (see
//! `shared/incidents.md`) as named scenarios; `topologies/quickstart.yaml` is
//! the tutorial topology. These tests run `blast check --format json` on each
//! scenario and assert the public record: exit code, verdict, violations and
//! the status of components, apps and customers. A change to the engine or to
//! the model that makes an incident replay differently fails here.
//!
//! Two layers per scenario:
//! - *incident* tests state what the public post-event summaries say (S3 API
//!   down, running instances kept running, Netflix survived 2011...), with
//!   loose bounds ("degraded or worse") where the summaries are loose;
//! - *record* tests pin the exact set of affected components, apps and
//!   customers the model produces (formerly `topologies/EXPECTED.md`, worked
//!   out by hand and cross-checked with an independent re-implementation of
//!   SPEC sections 2-4). If you change the model on purpose, update them.
//!
//! JSON conventions used here: `components[]` lists every component (apps
//! included) that is not ok, `customers[]` every customer that is not ok; a
//! missing id means `ok`. Every id a test names is checked to exist in the
//! topology file, so a typo cannot pass as "ok".

use std::collections::BTreeMap;
use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

const US_EAST_1: &str = "topologies/us-east-1.yaml";
const QUICKSTART: &str = "topologies/quickstart.yaml";

const STATUSES: [&str; 4] = ["ok", "at_risk", "degraded", "down"];
const DEGRADED_OR_WORSE: &[&str] = &["degraded", "down"];
const OK_OR_AT_RISK: &[&str] = &["ok", "at_risk"];

// ---------------------------------------------------------------------------
// Running blast
// ---------------------------------------------------------------------------

/// `blast ARGS`, from the crate root. Fails the test if blast panicked.
fn blast(args: &[&str]) -> std::process::Output {
    let output = Command::cargo_bin("blast")
        .expect("the blast binary is built for integration tests")
        .env_remove("COLUMNS")
        .env_remove("CLICOLOR_FORCE")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .expect("blast runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "blast {args:?} panicked:\n{stderr}");
    output
}

/// One `blast check ... --format json` run.
struct Run {
    /// What was run, for failure messages.
    what: String,
    code: i32,
    json: Value,
    /// The topology file's text, to reject ids that do not exist in it.
    topology: String,
}

/// `blast check TOPOLOGY ARGS --format json`, parsed.
fn check(topology: &str, args: &[&str]) -> Run {
    let mut all = vec!["check", topology];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    let output = blast(&all);
    let what = format!("blast {}", all.join(" "));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let code = output
        .status
        .code()
        .unwrap_or_else(|| panic!("{what}: killed by a signal; stderr:\n{stderr}"));
    assert!(
        code == 0 || code == 1,
        "{what}: exit {code} (bad input?); stderr:\n{stderr}"
    );
    let json: Value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{what}: stdout is not JSON ({e}):\n{stdout}"));
    assert_eq!(json["schema_version"], 2, "{what}: schema_version");
    let verdict = json["verdict"].as_str().unwrap_or_else(|| panic!("{what}: no verdict"));
    let expected_verdict = if code == 0 { "pass" } else { "fail" };
    assert_eq!(
        verdict, expected_verdict,
        "{what}: verdict does not match exit code {code}"
    );
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(topology);
    let topology = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    Run {
        what,
        code,
        json,
        topology,
    }
}

/// `blast check TOPOLOGY --scenario NAME ARGS --format json`.
fn scenario(topology: &str, name: &str, args: &[&str]) -> Run {
    let mut all = vec!["--scenario", name];
    all.extend_from_slice(args);
    check(topology, &all)
}

// ---------------------------------------------------------------------------
// Reading the JSON record
// ---------------------------------------------------------------------------

fn array<'a>(json: &'a Value, field: &str) -> &'a [Value] {
    json[field]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_else(|| panic!("`{field}` is not an array in {json}"))
}

fn valid_status(status: &str) -> &str {
    assert!(STATUSES.contains(&status), "not a status: {status:?}");
    status
}

/// Status of a component or app: `ok` unless listed in `components`.
fn status_of<'a>(json: &'a Value, id: &str) -> &'a str {
    array(json, "components")
        .iter()
        .find(|c| c["id"] == id)
        .map_or("ok", |c| {
            valid_status(c["status"].as_str().expect("component status is a string"))
        })
}

/// Status of a customer: `ok` unless listed in `customers`.
fn customer_status<'a>(json: &'a Value, id: &str) -> &'a str {
    array(json, "customers")
        .iter()
        .find(|c| c["id"] == id)
        .map_or("ok", |c| {
            valid_status(c["status"].as_str().expect("customer status is a string"))
        })
}

/// The `kind` of every violation, in output order.
fn violation_kinds(json: &Value) -> Vec<&str> {
    array(json, "violations")
        .iter()
        .map(|v| v["kind"].as_str().expect("violation kind is a string"))
        .collect()
}

/// Every violation as `(kind, component)`, sorted (the order is not specified).
fn violations(json: &Value) -> Vec<(String, Option<String>)> {
    let mut all: Vec<_> = array(json, "violations")
        .iter()
        .map(|v| {
            (
                v["kind"].as_str().expect("violation kind").to_owned(),
                v["component"].as_str().map(str::to_owned),
            )
        })
        .collect();
    all.sort();
    all
}

/// The `path` of a listed component: the chain of causes from the operation.
fn path_of<'a>(json: &'a Value, id: &str) -> Vec<&'a str> {
    let component = array(json, "components")
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("`{id}` is not among the affected components"));
    array(component, "path")
        .iter()
        .map(|p| p.as_str().expect("path entries are ids"))
        .collect()
}

/// Every entry of the report's `list` ("components" or "customers") that is
/// not ok, id -> status.
fn not_ok(json: &Value, list: &str) -> BTreeMap<String, String> {
    array(json, list)
        .iter()
        .map(|c| {
            (
                c["id"].as_str().expect("id").to_owned(),
                c["status"].as_str().expect("status").to_owned(),
            )
        })
        .filter(|(_, status)| status != "ok")
        .collect()
}

/// The report entry of an affected component.
fn component<'a>(run: &'a Run, id: &str) -> &'a Value {
    run.known(id);
    array(&run.json, "components")
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("{}: `{id}` is not affected", run.what))
}

/// Every component and app that is not ok, id -> status.
fn affected_components(json: &Value) -> BTreeMap<String, String> {
    not_ok(json, "components")
}

/// Every customer that is not ok, id -> status.
fn affected_customers(json: &Value) -> BTreeMap<String, String> {
    not_ok(json, "customers")
}

/// Does `id` appear as an `id:` in the topology text (a definition or a
/// reference, both of which `validate` guarantees exist)?
fn defined(topology: &str, id: &str) -> bool {
    let needle = format!("id: {id}");
    topology.match_indices(&needle).any(|(at, _)| {
        let next = topology[at + needle.len()..].chars().next();
        !next.is_some_and(|c| c.is_ascii_alphanumeric() || "._:/-".contains(c))
    })
}

impl Run {
    fn known(&self, id: &str) {
        assert!(
            defined(&self.topology, id),
            "test bug: `{id}` is not an id in the topology ({})",
            self.what
        );
    }

    fn status(&self, id: &str) -> &str {
        self.known(id);
        status_of(&self.json, id)
    }

    fn customer(&self, id: &str) -> &str {
        self.known(id);
        customer_status(&self.json, id)
    }

    fn exit(&self, code: i32) -> &Self {
        assert_eq!(self.code, code, "{}: exit code", self.what);
        self
    }

    /// The component or app `id` has one of the `allowed` statuses.
    fn component_is(&self, id: &str, allowed: &[&str]) -> &Self {
        let status = self.status(id);
        assert!(
            allowed.contains(&status),
            "{}: `{id}` is {status}, expected one of {allowed:?}",
            self.what
        );
        self
    }

    /// The customer `id` has one of the `allowed` statuses.
    fn customer_is(&self, id: &str, allowed: &[&str]) -> &Self {
        let status = self.customer(id);
        assert!(
            allowed.contains(&status),
            "{}: customer `{id}` is {status}, expected one of {allowed:?}",
            self.what
        );
        self
    }

    fn has_violation(&self, kind: &str, component: &str) -> bool {
        self.known(component);
        violations(&self.json)
            .iter()
            .any(|(k, c)| k == kind && c.as_deref() == Some(component))
    }

    /// The full record: exit code, violations, and every component, app and
    /// customer that is not ok with its status. Lists are `(status, ids)`.
    fn record(&self, expected: &Record) {
        self.exit(expected.exit);

        let mut want_violations: Vec<(String, Option<String>)> = expected
            .violations
            .iter()
            .map(|(kind, component)| {
                if let Some(id) = component {
                    self.known(id);
                }
                ((*kind).to_owned(), component.map(str::to_owned))
            })
            .collect();
        want_violations.sort();
        assert_eq!(violations(&self.json), want_violations, "{}: violations", self.what);

        let flatten = |lists: &[(&str, &[&str])]| -> BTreeMap<String, String> {
            let mut map = BTreeMap::new();
            for (status, ids) in lists {
                valid_status(status);
                for id in *ids {
                    self.known(id);
                    assert!(
                        map.insert((*id).to_owned(), (*status).to_owned()).is_none(),
                        "test bug: `{id}` twice"
                    );
                }
            }
            map
        };
        diff_maps(
            &self.what,
            "component",
            &flatten(expected.components),
            &affected_components(&self.json),
        );
        diff_maps(
            &self.what,
            "customer",
            &flatten(expected.customers),
            &affected_customers(&self.json),
        );
    }
}

/// Assert two id -> status maps are equal, listing every difference.
fn diff_maps(what: &str, noun: &str, expected: &BTreeMap<String, String>, actual: &BTreeMap<String, String>) {
    let mut differences = Vec::new();
    for id in expected
        .keys()
        .chain(actual.keys().filter(|id| !expected.contains_key(*id)))
    {
        let want = expected.get(id).map_or("ok", String::as_str);
        let got = actual.get(id).map_or("ok", String::as_str);
        if want != got {
            differences.push(format!("  {noun} `{id}`: expected {want}, got {got}"));
        }
    }
    assert!(
        differences.is_empty(),
        "{what}: {noun} statuses differ from the record:\n{}",
        differences.join("\n")
    );
}

/// The exact outcome of a scenario. Anything not listed is ok.
struct Record {
    exit: i32,
    violations: &'static [(&'static str, Option<&'static str>)],
    /// Components and apps, as `(status, ids)`.
    components: &'static [(&'static str, &'static [&'static str])],
    customers: &'static [(&'static str, &'static [&'static str])],
}

// ---------------------------------------------------------------------------
// S3, 28 February 2017
// ---------------------------------------------------------------------------

#[test]
fn s3_2017_mistyped_command_takes_s3_down() {
    let run = scenario(US_EAST_1, "s3-2017", &[]);
    run.exit(1);
    // Index and placement lost so much capacity that they needed a full
    // restart; S3 in the region served no requests.
    run.component_is("s3.index", &["down"])
        .component_is("s3.placement", &["down"])
        .component_is("s3.api", &["down"]);
    // Dependents named in the post-event summary.
    run.component_is("s3.console", &["down"])
        .component_is("ec2.launch", DEGRADED_OR_WORSE)
        .component_is("ebs.snapshot-restore", DEGRADED_OR_WORSE)
        .component_is("lambda", DEGRADED_OR_WORSE)
        .component_is("aws.status-admin", DEGRADED_OR_WORSE);
    // Running things kept running: S3 is not on their path.
    for id in [
        "ec2.instances.use1-az1",
        "ec2.instances.use1-az2",
        "ec2.instances.use1-az4",
        "net.main",
        "dynamodb",
    ] {
        run.component_is(id, &["ok"]);
    }
    // Customers publicly reported down or degraded.
    for customer in [
        "slack",
        "trello",
        "github",
        "medium",
        "quora",
        "venmo",
        "giphy",
        "ifttt",
        "business-insider",
    ] {
        run.customer_is(customer, DEGRADED_OR_WORSE);
    }
    // Netflix's encoding buckets are replicated to us-west-2.
    run.customer_is("netflix", OK_OR_AT_RISK);
    // The safeguard added afterwards: refuse removals below the minimum.
    assert!(
        run.has_violation("below_min_capacity", "s3.index"),
        "{}: {:?}",
        run.what,
        violations(&run.json)
    );
    assert!(
        run.has_violation("below_min_capacity", "s3.placement"),
        "{}: {:?}",
        run.what,
        violations(&run.json)
    );
    assert!(
        !run.has_violation("below_min_capacity", "s3.billing"),
        "billing keeps 30 of its minimum 20"
    );
    // The other safeguard (remove capacity more slowly) and the mistyped scope.
    let kinds = violation_kinds(&run.json);
    assert!(kinds.contains(&"step_too_large"), "{}: {kinds:?}", run.what);
    assert!(kinds.contains(&"unexpected_scope"), "{}: {kinds:?}", run.what);
}

#[test]
fn s3_2017_customer_impact_traces_back_to_the_index() {
    let run = scenario(US_EAST_1, "s3-2017", &[]);
    for app in [
        "trello.app",
        "giphy.api",
        "slack.app",
        "quora.web",
        "github.web",
        "venmo.payments",
    ] {
        run.component_is(app, DEGRADED_OR_WORSE);
        let path = path_of(&run.json, app);
        assert!(
            matches!(path.first(), Some(&("s3.index" | "s3.placement"))),
            "{}: path of `{app}` should start at the removed S3 subsystems: {path:?}",
            run.what
        );
        assert_eq!(
            path.last(),
            Some(&app),
            "{}: path of `{app}` should end at it: {path:?}",
            run.what
        );
        assert!(
            path.contains(&"s3.api"),
            "{}: path of `{app}` should go through s3.api: {path:?}",
            run.what
        );
    }
    // The status dashboard could not be updated because its admin needed S3.
    assert_eq!(
        path_of(&run.json, "aws.status-admin"),
        ["s3.index", "s3.api", "aws.status-admin"]
    );
}

#[test]
fn s3_2017_record() {
    scenario(US_EAST_1, "s3-2017", &[]).record(&Record {
        exit: 1,
        violations: &[
            ("unexpected_scope", None),
            ("step_too_large", Some("s3.index")),
            ("below_min_capacity", Some("s3.index")),
            ("step_too_large", Some("s3.placement")),
            ("below_min_capacity", Some("s3.placement")),
            ("step_too_large", Some("s3.billing")),
        ],
        components: &[
            (
                "down",
                &[
                    "ec2.launch",
                    "ec2.autoscaling",
                    "ebs.snapshot-restore",
                    "elb.control-create",
                    "aws.status-admin",
                    "s3.index",
                    "s3.placement",
                    "s3.api",
                    "s3.console",
                    // apps
                    "trello.app",
                    "giphy.api",
                    "ifttt.applets",
                    "ticketmaster.presale",
                ],
            ),
            (
                "degraded",
                &[
                    "lambda",
                    "connect",
                    "aws.status-page",
                    "s3.billing",
                    // apps
                    "quora.web",
                    "heroku.platform",
                    "smugmug.photos",
                    "slack.app",
                    "github.web",
                    "medium.web",
                    "business-insider.web",
                    "venmo.payments",
                    "ring.app",
                    "irobot.app",
                    "delta.contact-center",
                    "amazon.alexa",
                ],
            ),
            ("at_risk", &["netflix.scaling", "netflix.encoding"]),
        ],
        customers: &[
            ("down", &["trello", "giphy", "ifttt", "ticketmaster"]),
            (
                "degraded",
                &[
                    "quora",
                    "heroku",
                    "smugmug",
                    "slack",
                    "github",
                    "medium",
                    "business-insider",
                    "venmo",
                    "ring",
                    "irobot",
                    "delta",
                    "amazon",
                ],
            ),
            ("at_risk", &["netflix"]),
        ],
    });
}

#[test]
fn s3_2017_needs_a_restart_of_the_subsystems_restart_time() {
    let run = scenario(US_EAST_1, "s3-2017", &[]);
    let index = &component(&run, "s3.index")["recovery"];
    assert_eq!(index["kind"], "restart");
    assert_eq!(index["after_seconds"], 3 * 3600 + 41 * 60, "restart_time 3h41m");
    assert_eq!(index["status_after_rollback"], "down");
    // S3 waits for the slower of its two subsystems: placement, 4h17m.
    let api = &component(&run, "s3.api")["recovery"];
    assert_eq!(api["kind"], "restart");
    assert_eq!(api["after_seconds"], 4 * 3600 + 17 * 60);
    let trello = array(&run.json, "customers")
        .iter()
        .find(|c| c["id"] == "trello")
        .expect("trello");
    assert_eq!(trello["recovery"]["kind"], "restart");
    assert_eq!(
        run.json["summary"]["recovery"]["longest_after_seconds"],
        4 * 3600 + 17 * 60
    );
}

#[test]
fn s3_2017_intended_command_passes() {
    let run = scenario(US_EAST_1, "s3-2017-intended", &[]);
    run.exit(0);
    assert!(
        violation_kinds(&run.json).is_empty(),
        "{}: {:?}",
        run.what,
        violations(&run.json)
    );
    let customers = affected_customers(&run.json);
    assert!(
        customers
            .values()
            .all(|status| OK_OR_AT_RISK.contains(&status.as_str())),
        "{}: customers affected: {customers:?}",
        run.what
    );
    // Billing keeps 148 of 150 servers: less headroom, still serving.
    run.record(&Record {
        exit: 0,
        violations: &[],
        components: &[("at_risk", &["s3.billing"])],
        customers: &[],
    });
}

#[test]
fn s3_2017_intended_inline_op_is_the_same_plan() {
    let inline = check(
        US_EAST_1,
        &["--op", "remove-capacity s3.billing count=2 expect_matches=1"],
    );
    let named = scenario(US_EAST_1, "s3-2017-intended", &[]);
    assert_eq!(inline.code, named.code);
    assert_eq!(inline.json["components"], named.json["components"]);
    assert_eq!(inline.json["customers"], named.json["customers"]);
    assert_eq!(inline.json["violations"], named.json["violations"]);
}

#[test]
fn s3_subsystems_survive_the_loss_of_one_zone() {
    // The S3 comment in the model: losing a zone (a third) leaves every
    // subsystem just at or above its minimum.
    let run = check(US_EAST_1, &["--op", "fail-zone use1-az1"]);
    for id in ["s3.index", "s3.placement", "s3.billing", "s3.api"] {
        run.component_is(id, &["at_risk"]);
    }
    assert!(
        violation_kinds(&run.json).is_empty(),
        "{}: {:?}",
        run.what,
        violations(&run.json)
    );
    // Multi-zone customers survive a whole zone; single-zone ones do not.
    for customer in ["netflix", "twilio", "smugmug", "slack", "venmo"] {
        run.customer_is(customer, OK_OR_AT_RISK);
    }
    for customer in ["reddit", "quora", "foursquare"] {
        run.customer_is(customer, &["down"]);
    }
}

// ---------------------------------------------------------------------------
// ELB, 24 December 2012
// ---------------------------------------------------------------------------

#[test]
fn elb_2012_deleted_state_breaks_managing_existing_load_balancers() {
    let run = scenario(US_EAST_1, "elb-2012", &[]);
    run.exit(1);
    run.component_is("elb.state", &["degraded"]);
    // The load balancers whose state was deleted (shard s07).
    run.component_is("elb.netflix-tv", &["degraded"])
        .component_is("elb.heroku-router", &["degraded"]);
    // Other load balancers kept their configuration.
    for id in [
        "elb.netflix-api-use1",
        "elb.reddit",
        "elb.slack",
        "elb.netflix-api-usw2",
    ] {
        run.component_is(id, &["ok"]);
    }
    // Managing existing load balancers failed; creating new ones worked.
    run.component_is("elb.control-manage", &["degraded"]);
    run.component_is("elb.control-create", &["ok"]);
    run.customer_is("netflix", DEGRADED_OR_WORSE)
        .customer_is("heroku", DEGRADED_OR_WORSE);
    // The post-incident safeguard: no change to ELB state without approval.
    assert_eq!(violation_kinds(&run.json), ["requires_approval"], "{}", run.what);
    assert!(
        run.has_violation("requires_approval", "elb.state"),
        "{}: {:?}",
        run.what,
        violations(&run.json)
    );
}

#[test]
fn elb_2012_needs_a_restore_of_the_state_data() {
    let run = scenario(US_EAST_1, "elb-2012", &[]);
    for id in ["elb.state", "elb.netflix-tv", "netflix.tv-streaming"] {
        let recovery = &component(&run, id)["recovery"];
        assert_eq!(recovery["kind"], "restore", "{id}");
        assert_eq!(
            recovery["after_seconds"],
            23 * 3600 + 40 * 60,
            "{id}: restore_time 23h40m"
        );
        assert_eq!(recovery["status_after_rollback"], "degraded", "{id}");
    }
}

#[test]
fn netflix_fails_over_to_us_west_2() {
    // Its us-east-1 API endpoint down: the traffic moves west, Netflix only
    // loses redundancy.
    let run = check(US_EAST_1, &["--op", "fail elb.netflix-api-use1"]);
    let west = component(&run, "elb.netflix-api-usw2");
    assert_eq!(west["status"], "at_risk");
    assert_eq!(west["cause"]["type"], "failover");
    assert_eq!(west["cause"]["from"], "elb.netflix-api-use1");
    assert_eq!(west["load"]["effective"], 50.0);
    run.customer_is("netflix", &["at_risk"]).exit(0);
    // Losing only the us-west-2 path leaves Netflix at risk, not down.
    check(US_EAST_1, &["--op", "fail net.usw2"])
        .customer_is("netflix", &["at_risk"])
        .exit(0);
}

#[test]
fn elb_2012_approved_still_fails_on_customer_impact() {
    let run = scenario(US_EAST_1, "elb-2012", &["--approve", "elb.state"]);
    assert!(
        violation_kinds(&run.json).is_empty(),
        "{}: {:?}",
        run.what,
        violations(&run.json)
    );
    // Approval does not make the deletion harmless.
    run.exit(1);
    run.customer_is("netflix", DEGRADED_OR_WORSE)
        .component_is("elb.netflix-tv", &["degraded"]);
}

#[test]
fn elb_2012_record() {
    scenario(US_EAST_1, "elb-2012", &[]).record(&Record {
        exit: 1,
        violations: &[("requires_approval", Some("elb.state"))],
        components: &[(
            "degraded",
            &[
                "elb.control-manage",
                "elb.netflix-tv",
                "elb.heroku-router",
                "elb.state",
                // apps
                "netflix.tv-streaming",
                "heroku.router",
            ],
        )],
        customers: &[("degraded", &["netflix", "heroku"])],
    });
}

#[test]
fn elb_state_deletion_for_one_owner_only_touches_that_owner() {
    let run = check(US_EAST_1, &["--op", "delete-data elb.state owners=elb.netflix-tv"]);
    run.record(&Record {
        exit: 1,
        violations: &[("requires_approval", Some("elb.state"))],
        components: &[(
            "degraded",
            &[
                "elb.state",
                "elb.control-manage",
                "elb.netflix-tv",
                "netflix.tv-streaming",
            ],
        )],
        customers: &[("degraded", &["netflix"])],
    });
}

// ---------------------------------------------------------------------------
// EBS, 21 April 2011
// ---------------------------------------------------------------------------

#[test]
fn ebs_2011_storm_takes_down_single_zone_customers_only() {
    let run = scenario(US_EAST_1, "ebs-2011", &[]);
    run.exit(1);
    assert!(
        violation_kinds(&run.json).is_empty(),
        "{}: {:?}",
        run.what,
        violations(&run.json)
    );
    // The zone's secondary network could not carry the load; the storage
    // cluster was exhausted by the re-mirroring storm.
    run.component_is("ebs.net-secondary.use1-az1", DEGRADED_OR_WORSE)
        .component_is("ebs.cluster.use1-az1", DEGRADED_OR_WORSE);
    // Volumes and instances in that zone were stuck.
    run.component_is("ebs.volumes.use1-az1", DEGRADED_OR_WORSE)
        .component_is("ec2.instances.use1-az1", DEGRADED_OR_WORSE);
    // The other zones' EBS and instances kept serving.
    for zone in ["use1-az2", "use1-az4"] {
        for prefix in ["ebs.cluster", "ebs.volumes", "ec2.instances"] {
            run.component_is(&format!("{prefix}.{zone}"), &["ok"]);
        }
    }
    // The regional control plane ran out of threads.
    run.component_is("ebs.control", DEGRADED_OR_WORSE);
    for customer in ["reddit", "quora", "foursquare", "heroku"] {
        run.customer_is(customer, DEGRADED_OR_WORSE);
    }
    run.customer_is("pbs", DEGRADED_OR_WORSE);
    // Spread across zones, they survived.
    for customer in ["netflix", "twilio", "smugmug"] {
        run.customer_is(customer, OK_OR_AT_RISK);
    }
}

#[test]
fn ebs_2011_record() {
    scenario(US_EAST_1, "ebs-2011", &[]).record(&Record {
        exit: 1,
        violations: &[],
        components: &[
            (
                "down",
                &[
                    "ebs.net-secondary.use1-az1",
                    "ebs.cluster.use1-az1",
                    "ebs.volumes.use1-az1",
                    // apps
                    "reddit.web",
                    "quora.web",
                    "foursquare.checkins",
                    "heroku.postgres",
                ],
            ),
            (
                "degraded",
                &[
                    "ec2.launch",
                    "ec2.autoscaling",
                    "ec2.instances.use1-az1",
                    "ebs.control",
                    "ebs.snapshot-restore",
                    "elb.control-create",
                    // apps
                    "heroku.platform",
                    "pbs.web",
                    "ticketmaster.presale",
                ],
            ),
            (
                "at_risk",
                &[
                    "netflix.tv-streaming",
                    "netflix.api",
                    "netflix.scaling",
                    "heroku.router",
                    "twilio.api",
                    "smugmug.photos",
                    "slack.app",
                    "trello.app",
                    "medium.web",
                    "giphy.api",
                    "ifttt.applets",
                    "venmo.payments",
                    "disney.streaming",
                    "ticketmaster.web",
                    "coinbase.exchange",
                    "robinhood.trading",
                    "delta.web",
                    "amazon.prime-video",
                ],
            ),
        ],
        customers: &[
            ("down", &["reddit", "quora", "foursquare", "heroku"]),
            ("degraded", &["pbs", "ticketmaster"]),
            (
                "at_risk",
                &[
                    "netflix",
                    "twilio",
                    "smugmug",
                    "slack",
                    "trello",
                    "medium",
                    "giphy",
                    "ifttt",
                    "venmo",
                    "disney",
                    "coinbase",
                    "robinhood",
                    "delta",
                    "amazon",
                ],
            ),
        ],
    });
}

const EBS_SHIFT: &str = "shift-load ebs.net-primary.use1-az1 to=ebs.net-secondary.use1-az1 percent=100";

/// The topology with its load dynamics (`surges`, `failover`) cut out: what
/// a first-order tool, which only follows dependencies, would see.
fn first_order(topology: &str) -> tempfile::TempPath {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(topology);
    let text = std::fs::read_to_string(path).expect("topology");
    let kept: Vec<&str> = text
        .lines()
        .filter(|l| {
            let key = l.trim_start();
            !(key.starts_with("surges:") || key.starts_with("failover:"))
        })
        .collect();
    let file = tempfile::Builder::new().suffix(".yaml").tempfile().expect("temp file");
    std::fs::write(file.path(), kept.join("\n")).expect("write");
    file.into_temp_path()
}

#[test]
fn ebs_2011_is_one_command() {
    let plan = scenario(US_EAST_1, "ebs-2011", &[]);
    assert_eq!(array(&plan.json, "steps").len(), 1, "{}", plan.what);
    let inline = check(US_EAST_1, &["--op", EBS_SHIFT]);
    assert_eq!(
        inline.json["components"], plan.json["components"],
        "the inline op is the scenario"
    );
    assert_eq!(
        inline.json["customers"], plan.json["customers"],
        "the inline op is the scenario"
    );
}

#[test]
fn ebs_2011_first_order_misses_the_storm() {
    // Without dynamics: 62 on a capacity of 10 collapses the secondary
    // network; the cluster loses replication (soft) and only degrades.
    let copy = first_order(US_EAST_1);
    let run = check(copy.to_str().expect("utf-8 path"), &["--op", EBS_SHIFT]);
    run.component_is("ebs.net-secondary.use1-az1", &["down"])
        .component_is("ebs.cluster.use1-az1", &["degraded"])
        .component_is("ebs.volumes.use1-az1", &["degraded"])
        .component_is("ebs.control", &["ok"])
        .customer_is("reddit", &["degraded"]);
}

#[test]
fn ebs_2011_the_storm_comes_from_the_volumes_surge() {
    let run = scenario(US_EAST_1, "ebs-2011", &[]);
    let cluster = array(&run.json, "components")
        .iter()
        .find(|c| c["id"] == "ebs.cluster.use1-az1")
        .expect("cluster affected");
    assert_eq!(cluster["cause"]["type"], "surge");
    assert_eq!(cluster["cause"]["from"], "ebs.volumes.use1-az1");
    assert_eq!(cluster["load"]["effective"], 1600.0);
    let control = array(&run.json, "components")
        .iter()
        .find(|c| c["id"] == "ebs.control")
        .expect("control plane affected");
    assert_eq!(control["cause"]["type"], "surge");
    assert_eq!(control["load"]["effective"], 115.0);
    assert_eq!(
        path_of(&run.json, "reddit.web"),
        [
            "ebs.net-secondary.use1-az1",
            "ebs.cluster.use1-az1",
            "ebs.volumes.use1-az1",
            "ebs.cluster.use1-az1",
            "ebs.volumes.use1-az1",
            "reddit.web"
        ]
    );
}

#[test]
fn ebs_2011_the_storm_outlives_the_rollback() {
    let run = scenario(US_EAST_1, "ebs-2011", &[]);
    for id in ["ebs.cluster.use1-az1", "ebs.volumes.use1-az1", "reddit.web"] {
        let recovery = &component(&run, id)["recovery"];
        assert_eq!(recovery["kind"], "self_sustaining", "{id}: {recovery}");
        assert_eq!(recovery["status_after_rollback"], "down", "{id}");
        assert!(recovery["after_seconds"].is_null());
        let looped = &run.json["loops"][recovery["loop"].as_u64().expect("a loop") as usize];
        assert_eq!(
            looped["members"],
            serde_json::json!(["ebs.cluster.use1-az1", "ebs.volumes.use1-az1"])
        );
    }
    // The shifted network itself recovers as soon as the shift is undone.
    assert_eq!(
        component(&run, "ebs.net-secondary.use1-az1")["recovery"]["kind"],
        "rollback"
    );
}

// ---------------------------------------------------------------------------
// us-east-1 internal network, 7 December 2021
// ---------------------------------------------------------------------------

#[test]
fn network_2021_control_planes_fail_while_instances_keep_running() {
    let run = scenario(US_EAST_1, "network-2021", &[]);
    run.exit(1);
    assert!(
        violation_kinds(&run.json).is_empty(),
        "{}: {:?}",
        run.what,
        violations(&run.json)
    );
    run.component_is("net.bridge", &["down"]);
    // Real-time monitoring was lost, with the control planes and APIs.
    for id in [
        "monitoring",
        "cloudwatch",
        "ec2.api",
        "ec2.launch",
        "iam.sts",
        "console.signin",
        "apigw",
        "elb.control-create",
        "route53.api",
        "ecs.api",
        "eventbridge",
        "connect",
    ] {
        run.component_is(id, DEGRADED_OR_WORSE);
    }
    // Running instances kept running; data planes kept serving.
    for id in [
        "ec2.instances.use1-az1",
        "ec2.instances.use1-az2",
        "ec2.instances.use1-az4",
        "net.main",
        "net.internal",
        "s3.api",
        "dynamodb",
        "route53.dns",
        "ebs.volumes.use1-az1",
        "elb.netflix-tv",
    ] {
        run.component_is(id, OK_OR_AT_RISK);
    }
    for customer in [
        "netflix",
        "disney",
        "ring",
        "irobot",
        "venmo",
        "coinbase",
        "robinhood",
        "delta",
        "ticketmaster",
        "amazon",
    ] {
        run.customer_is(customer, DEGRADED_OR_WORSE);
    }
}

#[test]
fn network_2021_record() {
    scenario(US_EAST_1, "network-2021", &[]).record(&Record {
        exit: 1,
        violations: &[],
        components: &[
            (
                "down",
                &[
                    "net.bridge",
                    "monitoring",
                    "dns.internal",
                    "iam.authz",
                    "iam.sts",
                    "console.signin",
                    "ec2.api",
                    "ec2.launch",
                    "ec2.autoscaling",
                    "cloudwatch",
                    "ebs.control",
                    "ebs.snapshot-restore",
                    "elb.control-create",
                    "elb.control-manage",
                    "lambda",
                    "apigw",
                    "ecs.api",
                    "eventbridge",
                    "connect",
                    "route53.api",
                    "s3.console",
                    // apps
                    "ring.app",
                    "irobot.app",
                    "ticketmaster.presale",
                    "delta.contact-center",
                    "amazon.alexa",
                ],
            ),
            (
                "degraded",
                &[
                    // the soft edges of the intentional cycle and of the dashboard
                    "net.control",
                    "aws.status-admin",
                    "aws.status-page",
                    // apps
                    "netflix.api",
                    "netflix.scaling",
                    "netflix.failover",
                    "heroku.platform",
                    "ifttt.applets",
                    "venmo.payments",
                    "disney.streaming",
                    "coinbase.exchange",
                    "robinhood.trading",
                    "delta.web",
                    "amazon.prime-video",
                ],
            ),
        ],
        customers: &[
            ("down", &["ring", "irobot", "ticketmaster", "delta", "amazon"]),
            (
                "degraded",
                &["netflix", "heroku", "ifttt", "venmo", "disney", "coinbase", "robinhood"],
            ),
        ],
    });
}

#[test]
fn network_2021_inline_op_is_the_same_plan() {
    let inline = check(US_EAST_1, &["--op", "add-load net.bridge factor=2"]);
    let named = scenario(US_EAST_1, "network-2021", &[]);
    assert_eq!(inline.code, named.code);
    assert_eq!(inline.json["components"], named.json["components"]);
    assert_eq!(inline.json["customers"], named.json["customers"]);
}

#[test]
fn network_2021_first_order_only_overloads_the_devices() {
    // Without the clients' retries, the scaling's reconnects (factor 2)
    // overload the devices (degraded); nothing goes down.
    let copy = first_order(US_EAST_1);
    let run = check(copy.to_str().expect("utf-8 path"), &["--scenario", "network-2021"]);
    run.component_is("net.bridge", &["degraded"])
        .component_is("monitoring", &["degraded"]);
    let down: Vec<_> = affected_components(&run.json)
        .into_iter()
        .filter(|(_, s)| s == "down")
        .collect();
    assert!(down.is_empty(), "{}: nothing should be down: {down:?}", run.what);
}

#[test]
fn network_2021_retries_collapse_the_devices_and_keep_them_down() {
    let run = scenario(US_EAST_1, "network-2021", &[]);
    assert_eq!(array(&run.json, "steps").len(), 1);
    let bridge = component(&run, "net.bridge");
    assert_eq!(bridge["cause"]["type"], "surge");
    assert_eq!(bridge["cause"]["from"], "net.bridge", "its own retries");
    assert_eq!(bridge["load"]["effective"], 330.0);
    assert_eq!(bridge["recovery"]["kind"], "self_sustaining");
    let looped = &run.json["loops"][bridge["recovery"]["loop"].as_u64().expect("a loop") as usize];
    assert_eq!(looped["shed"][0]["component"], "net.bridge");
    assert_eq!(looped["shed"][0]["amount"], 65.0);
    // Running instances keep running after the rollback too.
    run.component_is("ec2.instances.use1-az1", &["ok"]);
}

// ---------------------------------------------------------------------------
// Invariants over every shipped scenario
// ---------------------------------------------------------------------------

const US_EAST_1_SCENARIOS: [&str; 5] = ["s3-2017", "s3-2017-intended", "elb-2012", "ebs-2011", "network-2021"];

#[test]
fn every_cause_path_starts_at_the_operation_and_ends_at_the_component() {
    for name in US_EAST_1_SCENARIOS {
        let run = scenario(US_EAST_1, name, &[]);
        let affected = affected_components(&run.json);
        for id in affected.keys() {
            let path = path_of(&run.json, id);
            assert_eq!(path.last(), Some(&id.as_str()), "{name}: path of `{id}`: {path:?}");
            // Every hop is itself affected, and the first hop was raised by a
            // step directly (its own path is just itself).
            for hop in &path {
                assert!(
                    affected.contains_key(*hop),
                    "{name}: path of `{id}` goes through ok `{hop}`: {path:?}"
                );
            }
            let component = array(&run.json, "components")
                .iter()
                .find(|c| c["id"] == id.as_str())
                .expect("listed");
            assert_eq!(component["origin"]["component"], path[0], "{name}: origin of `{id}`");
            assert!(
                component["origin"]["step"].as_u64().is_some_and(|s| s >= 1),
                "{name}: path of `{id}` does not start at a step: {}",
                component["origin"]
            );
        }
    }
}

#[test]
fn json_output_is_deterministic() {
    for name in US_EAST_1_SCENARIOS {
        let args = ["check", US_EAST_1, "--scenario", name, "--format", "json"];
        let first = blast(&args).stdout;
        let second = blast(&args).stdout;
        assert!(first == second, "{name}: two runs printed different bytes");
    }
}

// ---------------------------------------------------------------------------
// quickstart.yaml
// ---------------------------------------------------------------------------

#[test]
fn quickstart_drain_one_replica_passes() {
    let run = scenario(QUICKSTART, "drain-one-replica", &[]);
    // The API keeps its quorum (2 of 3): at_risk, no customer affected.
    run.record(&Record {
        exit: 0,
        violations: &[],
        components: &[("down", &["db.replica-b"]), ("at_risk", &["api"])],
        customers: &[],
    });
}

#[test]
fn quickstart_scale_in_too_far_fails() {
    let run = scenario(QUICKSTART, "scale-in-too-far", &[]);
    run.exit(1);
    // 12 -> 5 servers: below the minimum of 6, and 58% in one step.
    assert!(
        run.has_violation("below_min_capacity", "api"),
        "{}: {:?}",
        run.what,
        violations(&run.json)
    );
    assert!(
        run.has_violation("step_too_large", "api"),
        "{}: {:?}",
        run.what,
        violations(&run.json)
    );
    run.record(&Record {
        exit: 1,
        violations: &[("step_too_large", Some("api")), ("below_min_capacity", Some("api"))],
        components: &[(
            "down",
            &[
                "api",
                "worker",
                "lb.shop",
                "lb.partner",
                "acme.shop",
                "globex.portal",
                "globex.reports",
            ],
        )],
        customers: &[("down", &["acme", "globex"])],
    });
}

#[test]
fn quickstart_fail_zone_demo_1a() {
    let run = check(QUICKSTART, &["--op", "fail-zone demo-1a"]);
    // Single-zone components without capacity lose their only unit.
    run.component_is("cache", &["down"])
        .component_is("db.replica-a", &["down"]);
    run.component_is("db.replica-b", &["ok"])
        .component_is("db.replica-c", &["ok"]);
    // The API keeps 2 of 3 replicas and 8 of 12 servers (min 6), but the cache
    // is a soft dependency: degraded (slow), never down.
    run.component_is("api", &["degraded"]);
    // Regional components lose a third of their capacity: at_risk.
    run.component_is("net.core", &["at_risk"])
        .component_is("queue", &["at_risk"]);
    // The load balancers sit on the API.
    run.component_is("lb.shop", &["degraded"])
        .component_is("lb.partner", &["degraded"]);
    run.customer_is("acme", &["degraded"])
        .customer_is("globex", &["degraded"]);
    // No policy is broken; the gate fails on the degraded customers.
    assert!(
        violation_kinds(&run.json).is_empty(),
        "{}: {:?}",
        run.what,
        violations(&run.json)
    );
    run.exit(1);
    // ... and passes when only customers going down should fail it.
    check(QUICKSTART, &["--op", "fail-zone demo-1a", "--fail-on", "down"]).exit(0);
}

#[test]
fn quickstart_lb_state_needs_approval() {
    // The comment on lb.state: any step that touches it needs approval.
    let run = check(QUICKSTART, &["--op", "delete-data lb.state"]);
    run.exit(1);
    assert_eq!(violation_kinds(&run.json), ["requires_approval"], "{}", run.what);
    assert!(run.has_violation("requires_approval", "lb.state"));
    // Both load balancers keep their configuration there and lose it.
    run.component_is("lb.shop", &["degraded"])
        .component_is("lb.partner", &["degraded"]);

    let approved = check(QUICKSTART, &["--op", "delete-data lb.state", "--approve", "lb.state"]);
    assert!(
        violation_kinds(&approved.json).is_empty(),
        "{}: {:?}",
        approved.what,
        violations(&approved.json)
    );
    approved.customer_is("acme", &["degraded"]).exit(1);
}

// ---------------------------------------------------------------------------
// blast validate on the shipped topologies
// ---------------------------------------------------------------------------

fn topology_files() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("topologies");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| {
            entry
                .expect("directory entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name.ends_with(".yaml") || name.ends_with(".yml"))
        .map(|name| format!("topologies/{name}"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_shipped_topology_validates_with_no_warning_but_cycles_and_vulnerable() {
    let files = topology_files();
    assert!(
        files.contains(&US_EAST_1.to_owned()) && files.contains(&QUICKSTART.to_owned()),
        "{files:?}"
    );
    for file in files {
        let output = blast(&["validate", &file]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(
            output.status.code(),
            Some(0),
            "blast validate {file}; stderr:\n{stderr}"
        );
        for line in stderr.lines().filter(|line| line.starts_with("warning")) {
            assert!(
                line.starts_with("warning: dependency cycle")
                    || line.starts_with("warning: `net.bridge` is vulnerable"),
                "{file}: unexpected warning: {line}"
            );
        }
        assert!(
            stderr.lines().all(|line| !line.starts_with("error")),
            "{file}: validate printed an error:\n{stderr}"
        );
    }
}

#[test]
fn validate_reports_the_shipped_topologies_exactly() {
    let counts = |file: &str| -> Value {
        let output = blast(&["validate", file, "--format", "json"]);
        assert_eq!(output.status.code(), Some(0), "blast validate {file}");
        serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("validate {file}: not JSON: {e}"))
    };

    let us = counts(US_EAST_1);
    assert_eq!(
        us["components"], 112,
        "112 components (48 services, 6 S3, 21 LBs, 6 stores, 31 apps)"
    );
    assert_eq!(us["apps"], 31);
    assert_eq!(us["customers"], 24);
    assert_eq!(us["regions"], 2);
    assert_eq!(us["zones"], 6);
    assert_eq!(
        us["dependencies"], 248,
        "204 depends_on entries, 248 edges once any_of/quorum members count"
    );
    // Two warnings: the devices' retries sustain themselves once started
    // (documented on net.bridge), and the intentional cycle documented on
    // net.control.
    let warnings = array(&us, "warnings");
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert_eq!(warnings[0]["kind"], "vulnerable");
    assert_eq!(warnings[0]["components"], serde_json::json!(["net.bridge"]));
    assert_eq!(warnings[1]["kind"], "dependency_cycle");
    let mut cycle: Vec<&str> = array(&warnings[1], "components")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    cycle.sort_unstable();
    assert_eq!(cycle, ["monitoring", "net.bridge", "net.control"]);

    let quick = counts(QUICKSTART);
    assert_eq!(quick["components"], 14);
    assert_eq!(quick["apps"], 3);
    assert_eq!(quick["customers"], 2);
    assert_eq!(quick["regions"], 1);
    assert_eq!(quick["zones"], 3);
    assert!(
        array(&quick, "warnings").is_empty(),
        "quickstart has no warnings: {quick}"
    );
}
