//! The topology and plan files are only ever read (SPEC section 6): after
//! every command, in every output format, on success, on a failing gate and
//! on an error, their bytes, modification times and permissions are
//! unchanged, and nothing new appears next to them.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use assert_cmd::Command;

/// What must not change about a file.
#[derive(Debug, PartialEq, Eq)]
struct Snapshot {
    bytes: Vec<u8>,
    modified: SystemTime,
    readonly: bool,
}

fn snapshot(path: &Path) -> Snapshot {
    let metadata = fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Snapshot {
        bytes: fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
        modified: metadata.modified().expect("modification times are supported"),
        readonly: metadata.permissions().readonly(),
    }
}

/// Every file in `dir`, by name.
fn snapshot_dir(dir: &Path) -> BTreeMap<String, Snapshot> {
    fs::read_dir(dir)
        .expect("list the directory")
        .map(|entry| {
            let path = entry.expect("entry").path();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .expect("UTF-8 names")
                .to_string();
            (name, snapshot(&path))
        })
        .collect()
}

/// Copies `source` into `dir` and sets its modification time an hour back,
/// so that any write, however quick, shows.
fn install(source: &str, dir: &Path, name: &str) -> PathBuf {
    let text = fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(source)).expect("read the fixture");
    write(dir, name, &text)
}

/// Writes `bytes` to `dir/name` with a modification time an hour back.
fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, bytes).expect("write the input");
    let past = SystemTime::now() - Duration::from_secs(3600);
    fs::File::options()
        .write(true)
        .open(&path)
        .and_then(|f| f.set_modified(past))
        .expect("set the modification time");
    path
}

/// A plan for `topologies/quickstart.yaml` that fails the gate and breaks a policy.
const PLAN: &str = "description: Drain a zone, then clean up the load balancer state
steps:
  - fail_zone: { zone: demo-1a }
  - delete_data: { store: lb.state, owners: 'lb.*' }
";

fn arg(path: &Path) -> &str {
    path.to_str().expect("temporary paths are UTF-8")
}

#[test]
fn no_command_writes_its_input_files() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let topology = install("topologies/quickstart.yaml", dir.path(), "topology.yaml");
    let plan = write(dir.path(), "plan.yaml", PLAN.as_bytes());
    let new = install("tests/fixtures/check/shop.yaml", dir.path(), "new.yaml");
    let (topology, plan, new) = (arg(&topology), arg(&plan), arg(&new));
    let before = snapshot_dir(dir.path());

    let mut commands: Vec<Vec<&str>> = vec![
        vec!["validate", topology],
        vec!["validate", topology, "--format", "json"],
        vec!["spof", topology],
        vec!["spof", topology, "--format", "json"],
        vec!["spof", topology, "--format", "markdown"],
        vec!["cuts", topology, "--target", "acme"],
        vec!["cuts", topology, "--target", "acme", "--format", "json"],
        vec!["diff", topology, new],
        vec!["diff", topology, new, "--format", "json"],
        vec!["diff", topology, new, "--format", "markdown"],
        vec!["explain", topology, "--op", "fail db.replica-a", "api"],
        vec!["explain", topology, "--plan", plan, "acme"],
        vec!["explain", topology, "--scenario", "scale-in-too-far", "acme"],
        vec!["graph", topology, "--format", "dot"],
        vec!["graph", topology, "--format", "mermaid", "--op", "fail-zone demo-1a"],
    ];
    let operations: [&[&str]; 4] = [
        &["--op", "fail db.replica-b"],
        &["--op", "remove-capacity api count=7", "--op", "fail-zone demo-1a"],
        &["--plan", plan],
        &["--scenario", "scale-in-too-far"],
    ];
    for operation in operations {
        for format in ["table", "json", "markdown", "github", "junit"] {
            let mut command = vec!["check", topology];
            command.extend_from_slice(operation);
            command.extend_from_slice(&["--format", format]);
            commands.push(command);
        }
        let mut quiet = vec!["check", topology, "--quiet"];
        quiet.extend_from_slice(operation);
        commands.push(quiet);
    }

    for command in &commands {
        let output = Command::cargo_bin("blast")
            .expect("the blast binary is built for integration tests")
            .env_remove("COLUMNS")
            .env_remove("CLICOLOR_FORCE")
            .args(command)
            .timeout(Duration::from_secs(30))
            .output()
            .expect("blast runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            matches!(output.status.code(), Some(0 | 1)),
            "{command:?} should run (exit 0 or 1), got {:?}:\n{stderr}",
            output.status.code()
        );
        assert_eq!(
            snapshot_dir(dir.path()),
            before,
            "{command:?} changed the files in the input directory"
        );
    }

    // Errors found after reading, too.
    for command in [
        vec!["check", topology, "--op", "fail nothing"],
        vec!["check", topology, "--plan", plan, "--approve", "nobody"],
        vec!["explain", topology, "--plan", plan, "nobody"],
    ] {
        let output = Command::cargo_bin("blast")
            .expect("the blast binary is built for integration tests")
            .env_remove("COLUMNS")
            .env_remove("CLICOLOR_FORCE")
            .args(&command)
            .timeout(Duration::from_secs(30))
            .output()
            .expect("blast runs");
        assert_eq!(output.status.code(), Some(2), "{command:?}");
        assert_eq!(
            snapshot_dir(dir.path()),
            before,
            "{command:?} changed the files in the input directory"
        );
    }
}

#[cfg(unix)]
#[test]
fn read_only_input_files_are_enough() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("a temporary directory");
    let topology = install("topologies/quickstart.yaml", dir.path(), "topology.yaml");
    let plan = write(dir.path(), "plan.yaml", PLAN.as_bytes());
    for path in [&topology, &plan] {
        fs::set_permissions(path, fs::Permissions::from_mode(0o444)).expect("chmod 444");
    }
    let before = snapshot_dir(dir.path());
    let output = Command::cargo_bin("blast")
        .expect("the blast binary is built for integration tests")
        .env_remove("COLUMNS")
        .env_remove("CLICOLOR_FORCE")
        .args(["check", arg(&topology), "--plan", arg(&plan), "--format", "json"])
        .timeout(Duration::from_secs(30))
        .output()
        .expect("blast runs");
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(snapshot_dir(dir.path()), before);
}
