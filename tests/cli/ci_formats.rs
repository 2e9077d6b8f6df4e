//! The machine-readable outputs tested against their consumers: SARIF
//! against the official 2.1.0 schema, JUnit against the Jenkins xUnit
//! `junit-10.xsd` with `xmllint`, DOT with a Rust DOT parser; errors in every
//! machine format; several plans in one run; `--output`; standard input;
//! and hostile labels in every format (`tests/hostile/valid/hostile_labels.yaml`).
//!
//! `xmllint` is required where `BLAST_REQUIRE_XMLLINT` is set (`.ci/run`
//! installs it); elsewhere its test skips with a message.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;

const QUICKSTART: &str = "topologies/quickstart.yaml";
const HOSTILE: &str = "tests/hostile/valid/hostile_labels.yaml";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// What one run produced.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs `blast ARGS...` from the crate root with `env` set and `stdin` fed.
fn blast_with(args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Run {
    let mut command = Command::new(assert_cmd::cargo::cargo_bin("blast"));
    command
        .current_dir(root())
        .args(args)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("COLUMNS")
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, value) in env {
        command.env(key, value);
    }
    let mut child = command.spawn().expect("blast starts");
    if let Some(text) = stdin {
        // blast may refuse its arguments before it reads standard input.
        let _ = child.stdin.take().expect("piped stdin").write_all(text.as_bytes());
    }
    let output = child.wait_with_output().expect("blast runs");
    let run = Run {
        code: output.status.code().expect("an exit code"),
        stdout: String::from_utf8(output.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(output.stderr).expect("utf-8 stderr"),
    };
    assert!(!run.stderr.contains("panicked"), "{args:?}: {}", run.stderr);
    run
}

fn blast(args: &[&str]) -> Run {
    blast_with(args, &[], None)
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}):\n{text}"))
}

// ---------------------------------------------------------------------------
// SARIF against the official schema
// ---------------------------------------------------------------------------

fn sarif_validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join("tests/schemas/sarif-schema-2.1.0.json")).expect("vendored schema");
    jsonschema::validator_for(&json(&text)).expect("the SARIF schema compiles")
}

fn assert_valid_sarif(validator: &jsonschema::Validator, text: &str) -> Value {
    let document = json(text);
    let errors: Vec<String> = validator
        .iter_errors(&document)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "invalid SARIF: {errors:#?}\n{text}");
    document
}

#[test]
fn sarif_validates_against_the_sarif_2_1_0_schema_for_check_validate_and_errors() {
    let validator = sarif_validator();
    let run = blast(&[
        "check",
        QUICKSTART,
        "--scenario",
        "scale-in-too-far",
        "--format",
        "sarif",
    ]);
    assert_eq!(run.code, 1);
    let log = assert_valid_sarif(&validator, &run.stdout);
    let sarif_run = &log["runs"][0];
    assert_eq!(sarif_run["properties"]["verdict"], "fail");
    let results = sarif_run["results"].as_array().expect("results");
    // Two violations and two customers at or above degraded.
    let rules: Vec<&str> = results.iter().map(|r| r["ruleId"].as_str().expect("rule")).collect();
    assert_eq!(
        rules,
        [
            "below_min_capacity",
            "step_too_large",
            "customer_impact",
            "customer_impact"
        ]
    );
    for result in results {
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uri"], QUICKSTART);
        assert!(
            location["region"]["startLine"].as_u64().expect("a line") > 1,
            "{result}"
        );
        let index = result["ruleIndex"].as_u64().expect("index") as usize;
        assert_eq!(sarif_run["tool"]["driver"]["rules"][index]["id"], result["ruleId"]);
    }
    let run = blast(&[
        "check",
        QUICKSTART,
        "--scenario",
        "drain-one-replica",
        "--format",
        "sarif",
    ]);
    assert_eq!(run.code, 0);
    assert_eq!(
        assert_valid_sarif(&validator, &run.stdout)["runs"][0]["properties"]["verdict"],
        "pass"
    );
    let run = blast(&["validate", "topologies/us-east-1.yaml", "--format", "sarif"]);
    assert_eq!(run.code, 0);
    let log = assert_valid_sarif(&validator, &run.stdout);
    assert!(!log["runs"][0]["results"].as_array().expect("results").is_empty());
    // An input error: a failed invocation with a located notification.
    let run = blast(&[
        "check",
        "tests/fixtures/check/gate.yaml",
        "--plan",
        "tests/fixtures/plans/bad-step.yaml",
        "--format",
        "sarif",
    ]);
    assert_eq!(run.code, 2);
    let log = assert_valid_sarif(&validator, &run.stdout);
    let invocation = &log["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let notification = &invocation["toolExecutionNotifications"][0];
    assert_eq!(
        notification["locations"][0]["physicalLocation"]["region"]["startLine"],
        4
    );
    assert!(run.stderr.starts_with("error: "), "{}", run.stderr);
    // Several plans, and hostile text.
    let run = blast(&[
        "check",
        HOSTILE,
        "--all-scenarios",
        "--op",
        "fail net",
        "--format",
        "sarif",
    ]);
    assert_valid_sarif(&validator, &run.stdout);
    assert!(!run.stdout.contains('\u{202e}'), "a raw bidi override in SARIF");
}

// ---------------------------------------------------------------------------
// JUnit against junit-10.xsd
// ---------------------------------------------------------------------------

/// Validates `xml` with `xmllint --schema`, or returns false when xmllint
/// is missing and not required.
fn xmllint(xml: &str, name: &str) -> bool {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join(format!("{name}.xml"));
    std::fs::write(&file, xml).expect("write xml");
    let xsd = root().join("tests/schemas/junit-10.xsd");
    let output = match Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&xsd)
        .arg(&file)
        .output()
    {
        Ok(output) => output,
        Err(e) if std::env::var_os("BLAST_REQUIRE_XMLLINT").is_none() => {
            eprintln!("skipped: xmllint is not installed ({e}); .ci/run validates JUnit with it");
            return false;
        }
        Err(e) => panic!("xmllint is required here: {e}"),
    };
    assert!(
        output.status.success(),
        "{name}: JUnit does not validate against junit-10.xsd:\n{}\n{xml}",
        String::from_utf8_lossy(&output.stderr)
    );
    true
}

#[test]
fn junit_validates_against_the_jenkins_xunit_schema() {
    let cases: Vec<(&str, Vec<&str>)> = vec![
        (
            "failing",
            vec![
                "check",
                QUICKSTART,
                "--scenario",
                "scale-in-too-far",
                "--format",
                "junit",
            ],
        ),
        (
            "passing",
            vec![
                "check",
                QUICKSTART,
                "--scenario",
                "drain-one-replica",
                "--format",
                "junit",
            ],
        ),
        (
            "several",
            vec!["check", QUICKSTART, "--all-scenarios", "--format", "junit"],
        ),
        (
            "hostile",
            vec!["check", HOSTILE, "--scenario", "forged", "--format", "junit"],
        ),
        (
            "validate",
            vec!["validate", "topologies/us-east-1.yaml", "--format", "junit"],
        ),
        (
            "error",
            vec!["check", QUICKSTART, "--scenario", "nope", "--format", "junit"],
        ),
        (
            "input_error",
            vec![
                "validate",
                "tests/fixtures/invalid/yaml_syntax.yaml",
                "--format",
                "junit",
            ],
        ),
    ];
    for (name, args) in cases {
        let run = blast(&args);
        assert!(run.stdout.starts_with("<?xml"), "{name}: {}", run.stdout);
        if !xmllint(&run.stdout, name) {
            return;
        }
    }
}

// ---------------------------------------------------------------------------
// Errors in every machine format
// ---------------------------------------------------------------------------

#[test]
fn input_errors_are_written_in_the_requested_format_and_exit_2() {
    let bad = "tests/fixtures/invalid/dangling_depends_on.yaml";
    let run = blast(&["validate", bad, "--format", "json"]);
    assert_eq!(run.code, 2);
    let error = &json(&run.stdout)["error"];
    assert_eq!(error["file"], bad);
    assert!(
        error["line"].as_u64().is_some() && error["column"].as_u64().is_some(),
        "{error}"
    );
    assert_eq!(error["kind"], "input");
    assert!(
        error["message"].as_str().expect("message").contains("does not exist"),
        "{error}"
    );
    assert!(run.stderr.starts_with("error: "));
    let run = blast(&["check", bad, "--op", "fail x", "--format", "github"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stdout.starts_with(&format!("::error file={bad},line=")),
        "{}",
        run.stdout
    );
    let run = blast(&["check", QUICKSTART, "--op", "fail nobody", "--format", "json"]);
    assert_eq!(run.code, 2);
    assert_eq!(json(&run.stdout)["error"]["file"], Value::Null);
    // The table and markdown formats keep stdout empty.
    for format in ["table", "markdown"] {
        let run = blast(&["check", bad, "--op", "fail x", "--format", format]);
        assert_eq!((run.code, run.stdout.as_str()), (2, ""), "{format}");
    }
    // With --output the error document goes to the file, as a report would.
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("report.xml");
    let run = blast(&[
        "check",
        bad,
        "--op",
        "fail x",
        "--format",
        "junit",
        "--output",
        file.to_str().expect("utf-8"),
    ]);
    assert_eq!(run.code, 2);
    assert!(run.stdout.is_empty());
    let written = std::fs::read_to_string(&file).expect("the report file");
    assert!(
        written.contains("errors=\"1\"") && written.contains("<error "),
        "{written}"
    );
}

#[test]
fn quiet_is_refused_with_machine_formats() {
    for format in ["json", "markdown", "github", "junit", "sarif"] {
        let run = blast(&[
            "check",
            QUICKSTART,
            "--scenario",
            "drain-one-replica",
            "--quiet",
            "--format",
            format,
        ]);
        assert_eq!(run.code, 2, "{format}");
        assert!(
            run.stderr
                .contains("--quiet prints the verdict line of the table format"),
            "{}",
            run.stderr
        );
    }
}

// ---------------------------------------------------------------------------
// Several plans, --output, standard input
// ---------------------------------------------------------------------------

#[test]
fn several_plans_give_one_report_with_a_section_per_plan() {
    let run = blast(&["check", QUICKSTART, "--all-scenarios", "--format", "json"]);
    assert_eq!(run.code, 1);
    let report = json(&run.stdout);
    assert_eq!(report["schema_version"], 2);
    assert_eq!(report["verdict"], "fail");
    assert_eq!(report["summary"]["plans"], 2);
    assert_eq!(report["summary"]["failed"], 1);
    let sources: Vec<&str> = report["plans"]
        .as_array()
        .expect("plans")
        .iter()
        .map(|p| p["plan"]["source"].as_str().expect("source"))
        .collect();
    assert_eq!(sources, ["scenario drain-one-replica", "scenario scale-in-too-far"]);
    // Each section is a whole single-plan report.
    let single = json(
        &blast(&[
            "check",
            QUICKSTART,
            "--scenario",
            "drain-one-replica",
            "--format",
            "json",
        ])
        .stdout,
    );
    assert_eq!(report["plans"][0], single);
    // --plan is repeatable, and mixes with --op and --scenario in that order.
    let run = blast(&[
        "check",
        "topologies/us-east-1.yaml",
        "--scenario",
        "s3-2017-intended",
        "--plan",
        "plans/remove-billing-servers.yaml",
        "--plan",
        "plans/next.yaml",
        "--op",
        "remove-capacity ec2.instances.use1-az1 count=1",
        "--quiet",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines[0], "PASS: all 4 plans pass the gate");
    assert!(lines[1].starts_with("  inline: PASS"), "{}", run.stdout);
    assert!(
        lines[2].starts_with("  plan plans/remove-billing-servers.yaml: PASS"),
        "{}",
        run.stdout
    );
    assert!(lines[3].starts_with("  plan plans/next.yaml: PASS"), "{}", run.stdout);
    assert!(
        lines[4].starts_with("  scenario s3-2017-intended: PASS"),
        "{}",
        run.stdout
    );
    let table = blast(&["check", QUICKSTART, "--all-scenarios"]).stdout;
    assert!(
        table.starts_with("FAIL: 1 of 2 plans fails the gate: scenario scale-in-too-far\n"),
        "{table}"
    );
    assert!(table.contains("\n== scenario drain-one-replica ==\nPASS"), "{table}");
    let markdown = blast(&["check", QUICKSTART, "--all-scenarios", "--format", "markdown"]).stdout;
    assert!(markdown.starts_with("## blast radius :x: FAIL: 1 of 2"), "{markdown}");
    assert_eq!(markdown.matches("\n### blast radius ").count(), 2, "{markdown}");
    let github = blast(&["check", QUICKSTART, "--all-scenarios", "--format", "github"]).stdout;
    let first: Vec<&str> = github.lines().take(3).collect();
    assert!(
        first.iter().all(|l| l.contains("title=blast radius")),
        "verdicts first: {github}"
    );
}

#[test]
fn output_writes_the_report_to_a_file_and_the_verdict_to_stdout() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("blast.sarif");
    let run = blast(&[
        "check",
        QUICKSTART,
        "--scenario",
        "scale-in-too-far",
        "--format",
        "sarif",
        "--output",
        file.to_str().expect("utf-8"),
    ]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.starts_with("FAIL: 2 customers down"), "{}", run.stdout);
    assert_eq!(run.stdout.lines().count(), 1);
    let written = std::fs::read_to_string(&file).expect("written");
    assert_valid_sarif(&sarif_validator(), &written);
    // Nothing is left beside it.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names, [std::ffi::OsString::from("blast.sarif")]);
    // A directory that does not exist: exit 2 with a message, nothing on stdout.
    let missing = dir.path().join("no/such/dir/report.json");
    let run = blast(&[
        "check",
        QUICKSTART,
        "--scenario",
        "drain-one-replica",
        "--format",
        "json",
        "--output",
        missing.to_str().expect("utf-8"),
    ]);
    assert_eq!(run.code, 2);
    assert!(run.stdout.is_empty());
    assert!(run.stderr.starts_with("error: cannot write `"), "{}", run.stderr);
}

#[test]
fn a_dash_reads_the_topology_or_a_plan_from_standard_input() {
    let topology = std::fs::read_to_string(root().join(QUICKSTART)).expect("quickstart");
    let from_file = blast(&[
        "check",
        QUICKSTART,
        "--scenario",
        "drain-one-replica",
        "--format",
        "json",
    ]);
    let from_stdin = blast_with(
        &["check", "-", "--scenario", "drain-one-replica", "--format", "json"],
        &[],
        Some(&topology),
    );
    assert_eq!(from_stdin.code, 0, "{}", from_stdin.stderr);
    assert_eq!(
        json(&from_stdin.stdout)["customers"],
        json(&from_file.stdout)["customers"]
    );
    let run = blast_with(&["validate", "-"], &[], Some(&topology));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let plan = "steps:\n  - fail: { target: db.replica-a }\n";
    let run = blast_with(&["check", QUICKSTART, "--plan", "-", "--quiet"], &[], Some(plan));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with("PASS"), "{}", run.stdout);
    // A bad plan on stdin is located as `<stdin>`.
    let run = blast_with(
        &["check", QUICKSTART, "--plan", "-"],
        &[],
        Some("steps:\n  - fail: { target: nobody }\n"),
    );
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("--> <stdin>:2:5"), "{}", run.stderr);
    // Standard input can be read once.
    let run = blast_with(&["check", "-", "--plan", "-"], &[], Some(&topology));
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("more than one input"), "{}", run.stderr);
}

// ---------------------------------------------------------------------------
// Hostile labels in every format
// ---------------------------------------------------------------------------

/// Unquotes a DOT string as Graphviz reads it.
fn dot_unquote(quoted: &str) -> String {
    let inner = quoted
        .strip_prefix('"')
        .and_then(|q| q.strip_suffix('"'))
        .expect("a quoted DOT string");
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match (c, chars.clone().next()) {
            ('\\', Some('"')) | ('\\', Some('\\')) => out.extend(chars.next()),
            ('\\', Some('n')) => {
                chars.next();
                out.push('\n');
            }
            (c, _) => out.push(c),
        }
    }
    out
}

/// Every node statement of a parsed DOT graph, in subgraphs too.
fn dot_nodes(stmts: &[graphviz_rust::dot_structures::Stmt], out: &mut Vec<graphviz_rust::dot_structures::Node>) {
    use graphviz_rust::dot_structures::Stmt;
    for stmt in stmts {
        match stmt {
            Stmt::Node(node) => out.push(node.clone()),
            Stmt::Subgraph(sub) => dot_nodes(&sub.stmts, out),
            _ => {}
        }
    }
}

fn id_text(id: &graphviz_rust::dot_structures::Id) -> String {
    use graphviz_rust::dot_structures::Id;
    match id {
        Id::Html(s) | Id::Escaped(s) | Id::Plain(s) | Id::Anonymous(s) => s.clone(),
    }
}

#[test]
fn hostile_labels_parse_as_dot_and_keep_their_text() {
    use graphviz_rust::dot_structures::Graph;
    for args in [vec!["graph", HOSTILE], vec!["graph", HOSTILE, "--scenario", "forged"]] {
        let dot = blast(&args).stdout;
        let graph = graphviz_rust::parse(&dot).unwrap_or_else(|e| panic!("not DOT: {e}\n{dot}"));
        let Graph::DiGraph { stmts, .. } = graph else {
            panic!("a digraph")
        };
        let mut nodes = Vec::new();
        dot_nodes(&stmts, &mut nodes);
        let mut labels = std::collections::BTreeMap::new();
        for node in nodes {
            let id = dot_unquote(&id_text(&node.id.0));
            if id.starts_with("legend_") {
                continue;
            }
            for attribute in &node.attributes {
                let key = id_text(&attribute.0);
                assert!(
                    ["label", "fillcolor", "penwidth", "color"].contains(&key.as_str()),
                    "{id}: injected `{key}`"
                );
                if key == "label" {
                    labels.insert(id.clone(), dot_unquote(&id_text(&attribute.1)));
                }
            }
        }
        let ids: Vec<&str> = labels.keys().map(String::as_str).collect();
        assert_eq!(ids, ["acme.web", "api", "db.a", "db.b", "net", "worker"]);
        assert!(labels["net"].starts_with("net\nback\\slash"), "{:?}", labels["net"]);
        assert!(
            labels["api"].starts_with("api\nquote\" ; injected [label=x]; \""),
            "{:?}",
            labels["api"]
        );
        assert!(
            labels["worker"].starts_with("worker\nescaped \\\" quote \\\\"),
            "{:?}",
            labels["worker"]
        );
        // Bidi overrides are shown as escapes, not applied.
        assert!(labels["db.b"].contains("\\u{202e}evil"), "{:?}", labels["db.b"]);
    }
}

/// No raw control or bidi character, and no line an input could have started.
fn assert_no_injection(format: &str, text: &str) {
    for bad in ['\u{1b}', '\u{202e}', '\u{2066}', '\u{2028}', '\u{9b}'] {
        assert!(!text.contains(bad), "{format}: raw {bad:?} in:\n{text}");
    }
    for line in text.lines() {
        assert!(!line.starts_with("PASS"), "{format}: a forged verdict line: {line}");
        assert!(!line.starts_with("## PASS"), "{format}: a forged heading: {line}");
        assert!(
            !line.starts_with("::notice title=blast radius::PASS"),
            "{format}: a forged command: {line}"
        );
    }
}

#[test]
fn hostile_labels_cannot_forge_lines_or_markup_in_any_format() {
    for format in ["table", "json", "markdown", "github", "junit", "sarif"] {
        let run = blast(&["check", HOSTILE, "--scenario", "forged", "--format", format]);
        assert_eq!(run.code, 1, "{format}: {}", run.stderr);
        assert_no_injection(format, &run.stdout);
        if format == "markdown" {
            for raw in ["<details>", "<img", "<!--", "[link](", "```mermaid end"] {
                assert!(!run.stdout.contains(raw), "markdown: raw `{raw}`:\n{}", run.stdout);
            }
        }
        if format == "github" {
            assert!(
                run.stdout
                    .lines()
                    .all(|l| l.starts_with("::error ") || l.starts_with("::warning ") || l.starts_with("::notice ")),
                "{}",
                run.stdout
            );
        }
    }
    for format in ["table", "json", "github", "junit", "sarif"] {
        let run = blast(&["validate", HOSTILE, "--format", format]);
        assert_eq!(run.code, 0, "{format}: {}", run.stderr);
        assert_no_injection(format, &run.stdout);
        assert_no_injection(format, &run.stderr);
    }
    for args in [
        vec!["list", HOSTILE],
        vec!["explain", HOSTILE, "--scenario", "forged", "api"],
        vec!["graph", HOSTILE, "--format", "mermaid"],
    ] {
        let run = blast(&args);
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        assert_no_injection(args[0], &run.stdout);
    }
}

// ---------------------------------------------------------------------------
// Terminal: width, colour
// ---------------------------------------------------------------------------

#[test]
fn tables_fit_columns_and_shorten_paths_in_the_middle() {
    let args = ["check", "topologies/us-east-1.yaml", "--scenario", "s3-2017"];
    let wide = blast(&args).stdout;
    assert!(
        wide.lines().any(|l| l.chars().count() > 150),
        "whole lines without a width"
    );
    let run = blast_with(&args, &[("COLUMNS", "80")], None);
    for line in run.stdout.lines() {
        assert!(line.chars().count() <= 80, "{} columns: {line}", line.chars().count());
    }
    assert!(
        run.stdout.contains("s3.index -> ..."),
        "a shortened path:\n{}",
        run.stdout
    );
    // The JSON keeps every id of the path.
    let report = json(
        &blast(&[
            "check",
            "topologies/us-east-1.yaml",
            "--scenario",
            "s3-2017",
            "--format",
            "json",
        ])
        .stdout,
    );
    let longest = report["components"]
        .as_array()
        .expect("components")
        .iter()
        .map(|c| c["path"].as_array().expect("path").len())
        .max();
    assert!(longest > Some(4), "{longest:?}");
}

#[test]
fn clicolor_force_colours_a_pipe_and_no_color_wins() {
    let args = ["check", QUICKSTART, "--scenario", "scale-in-too-far", "--quiet"];
    assert!(!blast(&args).stdout.contains('\u{1b}'));
    assert!(
        blast_with(&args, &[("CLICOLOR_FORCE", "1")], None)
            .stdout
            .starts_with("\u{1b}[1;31mFAIL")
    );
    assert!(
        !blast_with(&args, &[("CLICOLOR_FORCE", "0")], None)
            .stdout
            .contains('\u{1b}')
    );
    assert!(
        !blast_with(&args, &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")], None)
            .stdout
            .contains('\u{1b}')
    );
}

// ---------------------------------------------------------------------------
// list, man, completions, graph's default, --fail-on ok
// ---------------------------------------------------------------------------

#[test]
fn list_shows_what_a_topology_holds_and_filters() {
    let run = blast(&["list", QUICKSTART]);
    assert_eq!(run.code, 0);
    for section in ["Components (", "Regions (", "Customers (", "Scenarios ("] {
        assert!(run.stdout.contains(section), "{section}:\n{}", run.stdout);
    }
    let listing = json(&blast(&["list", QUICKSTART, "db.*", "--format", "json"]).stdout);
    let ids: Vec<&str> = listing["components"]
        .as_array()
        .expect("components")
        .iter()
        .map(|c| c["id"].as_str().expect("id"))
        .collect();
    assert_eq!(ids, ["db.replica-a", "db.replica-b", "db.replica-c"]);
    let listing = json(&blast(&["list", QUICKSTART, "--kind", "load_balancer", "--format", "json"]).stdout);
    assert!(
        listing["components"]
            .as_array()
            .expect("components")
            .iter()
            .all(|c| c["kind"] == "load_balancer")
    );
    assert_eq!(listing["scenarios"], serde_json::json!([]));
    let listing = json(&blast(&["list", QUICKSTART, "--format", "json"]).stdout);
    assert_eq!(listing["scenarios"][0]["name"], "drain-one-replica");
    assert_eq!(listing["customers"][0]["apps"][0], "acme.shop");
    let run = blast(&["list", QUICKSTART, "db.[x"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("invalid glob"), "{}", run.stderr);
}

#[test]
fn man_pages_exist_for_every_command_they_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = blast(&["man", "--dir", dir.path().to_str().expect("utf-8")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let page = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let root_page = page("blast.1");
    for section in [
        ".SH \"EXIT STATUS\"",
        ".SH \"ENVIRONMENT\"",
        ".SH \"EXAMPLES\"",
        "CLICOLOR_FORCE",
        "NO_COLOR",
    ] {
        assert!(root_page.contains(section), "blast.1 lacks {section}");
    }
    // Every page has the sections, and every blast-CMD(1) it names is a file.
    for file in std::fs::read_dir(dir.path()).expect("dir") {
        let text = std::fs::read_to_string(file.expect("entry").path()).expect("page");
        for section in [".SH \"EXIT STATUS\"", ".SH \"ENVIRONMENT\"", ".SH \"EXAMPLES\""] {
            assert!(text.contains(section), "a page lacks {section}");
        }
        let plain = text.replace("\\-", "-");
        for (i, _) in plain.match_indices("blast-") {
            let name: String = plain[i + 6..].chars().take_while(|c| c.is_ascii_lowercase()).collect();
            if plain[i + 6 + name.len()..].starts_with("(1)") {
                assert!(
                    dir.path().join(format!("blast-{name}.1")).exists(),
                    "blast-{name}(1) is named but missing"
                );
            }
        }
    }
    assert!(page("blast-check.1").contains(".SH \"OPERATIONS\""));
    assert_eq!(blast(&["man", "check"]).stdout, page("blast-check.1"));
    assert_eq!(blast(&["man", "nope"]).code, 2);
}

#[test]
fn completions_offer_scenarios_ids_and_operations_from_the_topology() {
    let complete = |words: &[&str]| -> Vec<String> {
        // Word 0 is `blast`: the last word is the one completed.
        let index = words.len().to_string();
        let mut args = vec!["--", "blast"];
        args.extend_from_slice(words);
        let run = blast_with(
            &args,
            &[
                ("COMPLETE", "bash"),
                ("_CLAP_COMPLETE_INDEX", index.as_str()),
                ("_CLAP_IFS", "\n"),
            ],
            None,
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.stdout.lines().map(str::to_string).collect()
    };
    assert_eq!(
        complete(&["check", QUICKSTART, "--scenario", ""]),
        ["drain-one-replica", "scale-in-too-far"]
    );
    assert_eq!(
        complete(&["explain", QUICKSTART, "--scenario", "drain-one-replica", "db.rep"]),
        ["db.replica-a", "db.replica-b", "db.replica-c"]
    );
    assert_eq!(complete(&["check", QUICKSTART, "--op", "fail-z"]), ["fail-zone"]);
    assert_eq!(
        complete(&["check", QUICKSTART, "--op", "fail-zone demo-1"]),
        ["fail-zone demo-1a", "fail-zone demo-1b", "fail-zone demo-1c"]
    );
    assert!(complete(&["cuts", QUICKSTART, "--target", "acm"]).contains(&"acme".to_string()));
    // The registration script calls blast back.
    let script = blast(&["completions", "bash"]).stdout;
    assert!(
        script.contains("COMPLETE=\"bash\"") || script.contains("COMPLETE=bash"),
        "{script}"
    );
}

#[test]
fn graph_defaults_to_dot() {
    let run = blast(&["graph", QUICKSTART]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with("digraph blast {"));
}

#[test]
fn fail_on_ok_says_why_it_fails() {
    let run = blast(&[
        "check",
        QUICKSTART,
        "--op",
        "fail db.replica-a",
        "--fail-on",
        "ok",
        "--quiet",
    ]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.starts_with("FAIL: --fail-on ok fails on every app; "),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.starts_with("FAIL: no customer affected"));
}

#[test]
fn validate_json_has_a_schema_version_and_github_annotations_are_located() {
    assert_eq!(
        json(&blast(&["validate", QUICKSTART, "--format", "json"]).stdout)["schema_version"],
        2
    );
    let run = blast(&["validate", "topologies/us-east-1.yaml", "--format", "github"]);
    assert_eq!(run.code, 0);
    let mut lines = run.stdout.lines();
    assert!(
        lines
            .next()
            .expect("a notice")
            .starts_with("::notice title=blast validate::valid topology")
    );
    for line in lines {
        assert!(line.contains("file=topologies/us-east-1.yaml,line="), "{line}");
    }
}
