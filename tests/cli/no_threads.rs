//! `spof` and `diff` spread their work over threads, a YAML topology's
//! entries are checked on a second thread while the parser reads on, and a
//! spinner ticks while a large file loads on a terminal; where the process may start no
//! thread (a container's or a user's process limit), they must still answer,
//! with the same bytes, instead of panicking.
//!
//! The limit is `RLIMIT_NPROC` at 1, set in the child before it runs
//! `blast`. Root is not held to it, so a root test process first becomes
//! `nobody` in the child; the binary and inputs are copied to a directory
//! `nobody` can read. A control run shows the limit holds: under it, a
//! shell cannot fork.

#![cfg(target_os = "linux")]

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const NOBODY: libc::uid_t = 65534;

/// A directory `nobody` can read, holding a copy of the binary and of the
/// named topologies.
struct Sandbox(PathBuf);

impl Sandbox {
    fn new(name: &str, topologies: &[&str]) -> Sandbox {
        let dir = std::env::temp_dir().join(format!("blast-no-threads-{name}-{}", std::process::id()));
        fs::create_dir_all(&dir).expect("create the sandbox");
        let sandbox = Sandbox(dir);
        sandbox.install(Path::new(env!("CARGO_BIN_EXE_blast")), "blast", 0o755);
        for topology in topologies {
            let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("topologies").join(topology);
            sandbox.install(&source, topology, 0o644);
        }
        fs::set_permissions(&sandbox.0, fs::Permissions::from_mode(0o755)).expect("open the sandbox");
        sandbox
    }

    fn install(&self, source: &Path, name: &str, mode: u32) {
        let target = self.0.join(name);
        fs::copy(source, &target).unwrap_or_else(|e| panic!("copy {}: {e}", source.display()));
        fs::set_permissions(&target, fs::Permissions::from_mode(mode)).expect("set the mode");
    }

    fn write(&self, name: &str, text: &str) {
        let target = self.0.join(name);
        fs::write(&target, text).unwrap_or_else(|e| panic!("write {}: {e}", target.display()));
        fs::set_permissions(&target, fs::Permissions::from_mode(0o644)).expect("set the mode");
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// Runs `program args` in `dir`, with at most one process for its user.
fn without_threads(program: &Path, args: &[&str], dir: &Path) -> Output {
    limited(program, args, dir)
        .output()
        .unwrap_or_else(|e| panic!("run {}: {e}", program.display()))
}

/// `program args` in `dir`, to run with at most one process for its user.
#[allow(
    unsafe_code,
    reason = "a user and a process limit for the child need libc before exec"
)]
fn limited(program: &Path, args: &[&str], dir: &Path) -> Command {
    let mut command = Command::new(program);
    command.args(args).current_dir(dir);
    // SAFETY: the hook runs in the forked child before exec and calls only
    // async-signal-safe functions (getuid, setgroups, setgid, setuid,
    // setrlimit); it touches no memory the parent shares.
    unsafe {
        command.pre_exec(|| {
            if libc::geteuid() == 0 {
                // The user first, under root's own limit, then the limit:
                // execve refuses a process that was over it when it changed user.
                if libc::setgroups(0, std::ptr::null()) != 0 || libc::setgid(NOBODY) != 0 || libc::setuid(NOBODY) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
            }
            let one = libc::rlimit {
                rlim_cur: 1,
                rlim_max: 1,
            };
            if libc::setrlimit(libc::RLIMIT_NPROC, &one) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    command
}

fn run(program: &Path, args: &[&str], dir: &Path) -> Output {
    Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("run {}: {e}", program.display()))
}

/// The limit is in force: a shell under it cannot start a child.
fn assert_limit_holds(dir: &Path) {
    let control = without_threads(Path::new("/bin/sh"), &["-c", "/bin/true"], dir);
    assert!(
        !control.status.success(),
        "the process limit did not hold: `sh -c /bin/true` ran under it"
    );
}

/// `blast args` exits with `code` and writes the same output with threads
/// and without.
fn assert_same_without_threads(name: &str, args: &[&str], topologies: &[&str], code: i32) {
    let sandbox = Sandbox::new(name, topologies);
    assert_limit_holds(&sandbox.0);
    let blast = sandbox.path("blast");
    let free = run(&blast, args, &sandbox.0);
    let limited = without_threads(&blast, args, &sandbox.0);
    assert_eq!(
        free.status.code(),
        Some(code),
        "{}",
        String::from_utf8_lossy(&free.stderr)
    );
    assert_eq!(
        limited.status.code(),
        Some(code),
        "without threads: {}",
        String::from_utf8_lossy(&limited.stderr)
    );
    assert!(!free.stdout.is_empty());
    assert_eq!(
        String::from_utf8_lossy(&limited.stdout),
        String::from_utf8_lossy(&free.stdout)
    );
}

#[test]
fn spof_answers_the_same_where_no_thread_can_be_started() {
    assert_same_without_threads(
        "spof",
        &["spof", "us-east-1.yaml", "--top", "0"],
        &["us-east-1.yaml"],
        0,
    );
}

#[test]
fn diff_answers_the_same_where_no_thread_can_be_started() {
    assert_same_without_threads(
        "diff",
        &["diff", "quickstart.yaml", "us-east-1.yaml", "--format", "json"],
        &["quickstart.yaml", "us-east-1.yaml"],
        // A customer gains a single point of failure: the gate fails.
        1,
    );
}

/// A file over 8 MB loads under a spinner when stderr is a terminal; its
/// ticker is a thread, so without one the spinner stands still instead.
#[test]
#[allow(unsafe_code, reason = "fchmod needs libc")]
fn a_large_file_loads_on_a_terminal_where_no_thread_can_be_started() {
    use std::os::fd::AsRawFd;
    let sandbox = Sandbox::new("spinner", &["quickstart.yaml"]);
    assert_limit_holds(&sandbox.0);
    // The quickstart, padded past 8 MB with a comment.
    let mut text = fs::read_to_string(sandbox.path("quickstart.yaml")).expect("read the quickstart");
    text.push_str(&format!("# {}\n", "x".repeat(9 * 1024 * 1024)));
    fs::write(sandbox.path("large.yaml"), text).expect("write the large file");
    fs::set_permissions(sandbox.path("large.yaml"), fs::Permissions::from_mode(0o644)).expect("set the mode");
    let (controller, terminal) = crate::common::pseudo_terminal();
    // SAFETY: fchmod on a descriptor owned here; `nobody` must be able to write to it.
    assert_eq!(unsafe { libc::fchmod(terminal.as_raw_fd(), 0o666) }, 0, "fchmod");
    let output = limited(&sandbox.path("blast"), &["validate", "large.yaml"], &sandbox.0)
        .stderr(terminal)
        .output()
        .expect("blast runs");
    drop(controller);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("valid"), "{stdout}");
}

/// Without a checker thread the parser's own thread checks each entry: the
/// same answer for a good file, the same message for a bad one.
#[test]
fn a_topology_is_checked_the_same_where_no_thread_can_be_started() {
    assert_same_without_threads(
        "checker",
        &["check", "us-east-1.yaml", "--scenario", "s3-2017", "--format", "json"],
        &["us-east-1.yaml"],
        1,
    );
    let sandbox = Sandbox::new("checker-bad", &[]);
    assert_limit_holds(&sandbox.0);
    // Many batches of entries, a duplicate id deep in them, a syntax error at the end.
    let mut text = String::from("version: 1\nregions:\n  - {id: r, zones: [z]}\nservices:\n");
    for i in 0..5000 {
        let id = if i == 3000 { 0 } else { i };
        text.push_str(&format!("  - {{id: s{id}, capacity: 10, zones: [z]}}\n"));
    }
    text.push_str("  - {id: last, capacity: [\n");
    sandbox.write("bad.yaml", &text);
    let blast = sandbox.path("blast");
    let free = run(&blast, &["validate", "bad.yaml"], &sandbox.0);
    let limited = without_threads(&blast, &["validate", "bad.yaml"], &sandbox.0);
    let stderr = String::from_utf8_lossy(&free.stderr);
    assert_eq!(free.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("duplicate id `s0`"), "{stderr}");
    assert_eq!(limited.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&limited.stderr), stderr);
}
