//! Pictures, schema, completions, man page and CI formats, through the real binary.

mod common;

use std::path::Path;
use std::process::Command as Process;

use common::blast;
use serde_json::Value;

const QUICKSTART: &str = "topologies/quickstart.yaml";

fn stdout(args: &[&str]) -> String {
    let (code, out, err) = blast(args);
    assert!(code == 0 || code == 1, "exit {code}: {err}");
    out
}

#[test]
fn snapshots_of_graph_and_ci_formats() {
    let failing = ["--scenario", "scale-in-too-far"];
    insta::assert_snapshot!("graph_dot", stdout(&["graph", QUICKSTART, "--format", "dot"]));
    insta::assert_snapshot!(
        "graph_dot_operation",
        stdout(&["graph", QUICKSTART, failing[0], failing[1], "--format", "dot"])
    );
    insta::assert_snapshot!(
        "graph_mermaid_focus",
        stdout(&[
            "graph", QUICKSTART, failing[0], failing[1], "--format", "mermaid", "--focus", "api", "--depth", "1"
        ])
    );
    insta::assert_snapshot!(
        "check_github",
        stdout(&["check", QUICKSTART, failing[0], failing[1], "--format", "github"])
    );
    insta::assert_snapshot!(
        "check_junit",
        stdout(&["check", QUICKSTART, failing[0], failing[1], "--format", "junit"])
    );
    insta::assert_snapshot!(
        "check_markdown_with_diagram",
        stdout(&["check", QUICKSTART, failing[0], failing[1], "--format", "markdown"])
    );
}

#[test]
fn focus_keeps_only_the_neighbourhood() {
    let all = stdout(&["graph", QUICKSTART, "--format", "dot"]);
    let near = stdout(&[
        "graph",
        QUICKSTART,
        "--format",
        "dot",
        "--focus",
        "db.replica-a",
        "--depth",
        "1",
    ]);
    assert!(all.contains("\"globex.reports\" ["));
    assert!(near.contains("\"db.replica-a\" [") && near.contains("\"api\" [") && near.contains("\"net.core\" ["));
    assert!(!near.contains("\"globex.reports\" ["), "two hops away: {near}");
    let (code, _, stderr) = blast(&["graph", QUICKSTART, "--format", "dot", "--focus", "db.replica-z"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("did you mean"), "{stderr}");
}

#[test]
fn markdown_diagram_is_capped_and_says_what_it_left_out() {
    let report = stdout(&[
        "check",
        "topologies/us-east-1.yaml",
        "--op",
        "fail-region us-east-1",
        "--format",
        "markdown",
    ]);
    let diagram = report
        .split("```mermaid\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a mermaid block");
    let nodes = diagram
        .lines()
        .filter(|l| l.trim_start().starts_with('n') && l.contains("[\""))
        .count();
    assert_eq!(nodes, 40, "capped at 40 components");
    assert!(report.contains("more affected components not drawn"), "{report}");
}

#[test]
fn dot_output_renders_to_a_png_with_graphviz() {
    let dir = tempfile::tempdir().expect("tempdir");
    let dot = stdout(&["graph", QUICKSTART, "--scenario", "scale-in-too-far", "--format", "dot"]);
    let source = dir.path().join("blast.dot");
    let png = dir.path().join("blast.png");
    std::fs::write(&source, dot).expect("write dot");
    let run = Process::new("dot")
        .args(["-Tpng", "-o"])
        .arg(&png)
        .arg(&source)
        .status();
    // `.ci/run` installs Graphviz and sets BLAST_REQUIRE_GRAPHVIZ, so there a
    // missing `dot` fails; a plain `cargo test` needs only the Rust toolchain.
    let status = match run {
        Ok(status) => status,
        Err(e) if std::env::var_os("BLAST_REQUIRE_GRAPHVIZ").is_none() => {
            eprintln!("skipped: Graphviz `dot` is not installed ({e}); .ci/run renders this with it");
            return;
        }
        Err(e) => panic!("Graphviz `dot` is required here: {e}"),
    };
    assert!(status.success());
    let bytes = std::fs::read(&png).expect("png written");
    assert!(bytes.len() > 1000, "{} bytes", bytes.len());
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "a PNG signature");
}

fn yaml_as_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).expect("read topology");
    // The loader's dialect: YAML 1.2 booleans, so ids like `y` stay strings.
    let options = serde_saphyr::options! { strict_booleans: true };
    serde_saphyr::from_str_with_options(&text, options).expect("YAML parses")
}

#[test]
fn every_bundled_topology_validates_against_the_schema() {
    let schema: Value = serde_json::from_str(&stdout(&["schema"])).expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut checked = 0;
    for dir in ["topologies", "tests/fixtures/valid", "tests/fixtures/check"] {
        for entry in std::fs::read_dir(root.join(dir)).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "yaml") {
                let errors: Vec<String> = validator
                    .iter_errors(&yaml_as_json(&path))
                    .map(|e| e.to_string())
                    .collect();
                assert!(errors.is_empty(), "{}: {errors:?}", path.display());
                checked += 1;
            }
        }
    }
    assert!(checked >= 10, "checked {checked} files");
}

#[test]
fn the_schema_rejects_invalid_fixtures() {
    let schema: Value = serde_json::from_str(&stdout(&["schema"])).expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/invalid");
    for name in [
        "unknown_component_key",
        "unknown_top_level_key",
        "missing_version",
        "wrong_type_capacity",
        "wrong_type_zones",
        "dependency_on_key",
        "bad_mode",
    ] {
        let document = yaml_as_json(&root.join(format!("{name}.yaml")));
        assert!(
            !validator.is_valid(&document),
            "{name} should be rejected by the schema"
        );
    }
}

#[test]
fn plan_schema_accepts_the_plan_fixtures() {
    let schema: Value = serde_json::from_str(&stdout(&["schema", "--plan"])).expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("a valid JSON Schema");
    let plan = yaml_as_json(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/plans/shop-outage.yaml"));
    assert!(
        validator.is_valid(&plan),
        "{:?}",
        validator.iter_errors(&plan).map(|e| e.to_string()).collect::<Vec<_>>()
    );
}

#[test]
fn bash_sources_the_completions() {
    let dir = tempfile::tempdir().expect("tempdir");
    let script = dir.path().join("blast.bash");
    std::fs::write(&script, stdout(&["completions", "bash"])).expect("write completions");
    let output = Process::new("bash")
        .arg("-c")
        .arg(format!("source {} && complete -p blast", script.display()))
        .output()
        .expect("bash runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stdout).contains("blast"));
    for shell in ["zsh", "fish", "powershell"] {
        assert!(stdout(&["completions", shell]).contains("blast"), "{shell}");
    }
}

#[test]
fn man_page_is_roff_and_lists_the_commands() {
    let man = stdout(&["man"]);
    assert!(
        man.starts_with(".ie") || man.contains(".TH blast"),
        "{}",
        &man[..man.len().min(200)]
    );
    for command in ["check", "spof", "cuts", "diff", "graph", "schema"] {
        assert!(man.contains(command), "{command} missing from the man page");
    }
}

#[test]
fn no_progress_bar_when_stderr_is_not_a_terminal() {
    let (code, _, stderr) = blast(&["spof", "topologies/us-east-1.yaml"]);
    assert_eq!(code, 0);
    assert!(stderr.is_empty(), "{stderr}");
}
