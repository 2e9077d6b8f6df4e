//! JSON topologies and plans (issue 17): `blast convert` writes every shipped
//! topology and fixture as JSON, and `blast` reads it back to the same
//! result, with located messages for broken JSON.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `blast ARGS` from the crate root: exit code, stdout, stderr.
fn blast(args: &[&str]) -> (i32, String, String) {
    let output = Command::cargo_bin("blast")
        .expect("binary")
        .current_dir(root())
        .env("NO_COLOR", "1")
        .args(args)
        .output()
        .expect("runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn yaml_files() -> Vec<String> {
    let mut files = Vec::new();
    for dir in ["topologies", "tests/fixtures/valid", "tests/fixtures/check"] {
        for entry in std::fs::read_dir(root().join(dir)).expect("dir") {
            let name = entry.expect("entry").file_name().to_string_lossy().into_owned();
            if name.ends_with(".yaml") {
                files.push(format!("{dir}/{name}"));
            }
        }
    }
    files.sort();
    files
}

/// The file converted to JSON, in a temporary directory.
fn converted(dir: &Path, yaml: &str) -> PathBuf {
    let (code, json, stderr) = blast(&["convert", yaml]);
    assert_eq!(code, 0, "convert {yaml}: {stderr}");
    serde_json::from_str::<serde_json::Value>(&json).unwrap_or_else(|e| panic!("{yaml}: not JSON ({e})"));
    let path = dir.join(Path::new(yaml).with_extension("json").file_name().expect("name"));
    std::fs::write(&path, json).expect("write");
    path
}

/// A report with the file name taken out, to compare runs on two files.
fn without_source(report: &str, file: &str) -> String {
    report.replace(file, "FILE")
}

#[test]
fn every_topology_reads_the_same_as_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut compared = 0;
    for yaml in yaml_files() {
        let json = converted(dir.path(), &yaml);
        let json = json.to_str().expect("utf-8");
        let (a_code, a_out, _) = blast(&["validate", &yaml, "--format", "json"]);
        let (b_code, b_out, _) = blast(&["validate", json, "--format", "json"]);
        assert_eq!(
            (a_code, without_source(&a_out, &yaml)),
            (b_code, without_source(&b_out, json)),
            "{yaml}"
        );
        // Every scenario, and a zone failure where there is one, check the same.
        let (_, names, _) = blast(&["validate", &yaml, "--format", "json"]);
        let inventory: serde_json::Value = serde_json::from_str(&names).expect("inventory");
        let mut runs: Vec<Vec<String>> = inventory["scenarios"]
            .as_array()
            .expect("scenarios")
            .iter()
            .map(|s| vec!["--scenario".to_string(), s.as_str().expect("name").to_string()])
            .collect();
        if yaml.ends_with("us-east-1.yaml") {
            runs.push(vec!["--op".into(), "fail-zone use1-az1".into()]);
        }
        for run in runs {
            let args = |file: &str| -> Vec<String> {
                let mut all = vec!["check".to_string(), file.to_string()];
                all.extend(run.iter().cloned());
                all.extend(["--format".to_string(), "json".to_string()]);
                all
            };
            let a = args(&yaml);
            let b = args(json);
            let (a_code, a_out, _) = blast(&a.iter().map(String::as_str).collect::<Vec<_>>());
            let (b_code, b_out, _) = blast(&b.iter().map(String::as_str).collect::<Vec<_>>());
            assert_eq!(a_code, b_code, "{yaml} {run:?}");
            assert_eq!(
                without_source(&a_out, &yaml),
                without_source(&b_out, json),
                "{yaml} {run:?}"
            );
            compared += 1;
        }
    }
    assert!(compared >= 10, "only {compared} runs compared");
}

#[test]
fn json_plans_read_like_yaml_plans() {
    let dir = tempfile::tempdir().expect("tempdir");
    let yaml = "tests/fixtures/plans/shop-outage.yaml";
    let (code, json, stderr) = blast(&["convert", yaml, "--plan"]);
    assert_eq!(code, 0, "{stderr}");
    let plan = dir.path().join("plan.json");
    std::fs::write(&plan, json).expect("write");
    let topology = "tests/fixtures/check/shop.yaml";
    let (a_code, a_out, _) = blast(&["check", topology, "--plan", yaml, "--format", "json"]);
    let (b_code, b_out, _) = blast(&[
        "check",
        topology,
        "--plan",
        plan.to_str().expect("utf-8"),
        "--format",
        "json",
    ]);
    assert_eq!(a_code, b_code);
    assert_eq!(
        a_out.replace(yaml, "PLAN"),
        b_out.replace(plan.to_str().expect("utf-8"), "PLAN")
    );
}

/// Writes `text` as `name` in `dir` and returns what `blast validate` says.
fn validate_text(dir: &Path, name: &str, text: &str) -> (i32, String) {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    let (code, _, stderr) = blast(&["validate", path.to_str().expect("utf-8")]);
    (code, stderr.replace(path.to_str().expect("utf-8"), "FILE"))
}

#[test]
fn json_problems_name_the_line_and_column() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cases = [
        (
            "{\"version\": 1,\n \"services\": [{\"id\": \"a\", \"capacity\": -5}]}\n",
            "error: `capacity` of `a` is negative\n  --> FILE:2:39\n",
        ),
        (
            "{\"version\": 1,\n \"services\": [{\"id\": \"a\", \"capacity\": 0.0000001}]}\n",
            "error: `capacity` of `a` is more precise than 6 digits after the point\n  --> FILE:2:39\n",
        ),
        (
            "{\"version\": 1,\n \"services\": [{\"id\": \"a\", \"depends_on\": [\"b\"]}]}\n",
            "error: dependency of `a`: `b` does not exist\n  --> FILE:2:42\n",
        ),
        (
            "{\"version\": 1,\n \"services\": [{\"id\": \"a\", \"capcity\": 3}]}\n",
            "error: unknown field `capcity`, expected one of `id`",
        ),
        ("{\"version\": 1,,}\n", "error: key must be a string\n  --> FILE:1:15\n"),
        (
            "{\"version\": 1, \"services\": [{\"id\": \"a\", \"tags\": {\"x\": \"1\", \"x\": \"2\"}}]}\n",
            "error: duplicate key `x`\n",
        ),
        (
            "{\"version\": 1, \"regions\": [{\"id\": \"r\", \"zones\": [\"z\"]}], \"services\": [{\"id\": \"a\", \"capacity\": {\"z\": 1, \"z\": 2}}]}\n",
            "error: zone `z` is given twice in the capacity of `a`\n",
        ),
        ("   \n", "error: `FILE` is empty\n"),
    ];
    for (i, (text, expected)) in cases.iter().enumerate() {
        let (code, stderr) = validate_text(dir.path(), &format!("case{i}.json"), text);
        assert_eq!(code, 2, "{text}");
        assert!(stderr.starts_with(expected), "{text}\n{stderr}");
    }
    // Nesting is bounded as for YAML, before parsing.
    let deep = format!(
        "{{\"version\": 1, \"services\": {}{}}}",
        "[".repeat(100),
        "]".repeat(100)
    );
    let (code, stderr) = validate_text(dir.path(), "deep.json", &deep);
    assert_eq!(code, 2);
    assert!(stderr.contains("nest more than 64 levels deep"), "{stderr}");
}

#[test]
fn convert_refuses_what_does_not_validate_and_json_input() {
    let (code, _, stderr) = blast(&["convert", "tests/fixtures/invalid/dangling_depends_on.yaml"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("`databse` does not exist"), "{stderr}");
    let dir = tempfile::tempdir().expect("tempdir");
    let json = converted(dir.path(), "tests/fixtures/valid/minimal.yaml");
    let (code, _, stderr) = blast(&["convert", json.to_str().expect("utf-8")]);
    assert_eq!(code, 2);
    assert!(stderr.contains("is JSON already"), "{stderr}");
}

#[test]
fn convert_reads_standard_input_once() {
    let (_, from_file, _) = blast(&["convert", "topologies/quickstart.yaml"]);
    let output = Command::cargo_bin("blast")
        .expect("binary")
        .current_dir(root())
        .args(["convert", "-"])
        .write_stdin(std::fs::read("topologies/quickstart.yaml").expect("quickstart"))
        .output()
        .expect("runs");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&output.stdout), from_file);
}
