//! The input corpora and the CLI cases, as data: every file is a case, found
//! by its directory, so adding a case is adding a file (no list to keep).
//!
//! - `tests/fixtures/invalid/NAME.yaml` and `tests/hostile/topologies/NAME.yaml`:
//!   `blast validate` rejects it (exit 2, nothing on stdout) with exactly
//!   `NAME.stderr`;
//! - `tests/hostile/plans/NAME.yaml`: `blast check tests/hostile/target.yaml
//!   --plan` rejects it with exactly `NAME.stderr`;
//! - `tests/hostile/ops/NAME.op`: one `--op` per line (an empty file is one
//!   empty `--op`), run against `target.yaml`, rejected with exactly `NAME.stderr`;
//! - `tests/fixtures/valid/NAME.yaml` and `tests/hostile/valid/NAME.yaml`:
//!   odd but correct files that must validate;
//! - `tests/cmd/NAME.toml`: a whole command line (trycmd) with its exit code;
//!   `NAME.stdout` and `NAME.stderr` beside it are the exact output (empty:
//!   nothing). For a new case, create both empty and run with
//!   `TRYCMD=overwrite` to fill them in.
//!
//! A rejected case must print one `error:` and never panic or hang. To add
//! one: write the input, run `BLAST_BLESS=1 cargo test --test corpus` to
//! write its `.stderr`, and read it before committing.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use libtest_mimic::{Arguments, Failed, Trial};

/// No corpus case may take longer than this: a run that does is a hang.
/// Each input is small enough to run in a second or two on a busy 2-core
/// machine, so the limit is generous.
const TIMEOUT: Duration = Duration::from_secs(30);

/// The topology the plan and `--op` cases run against.
const TARGET: &str = "tests/hostile/target.yaml";

/// How a directory's cases are run.
#[derive(Clone, Copy)]
enum Kind {
    /// `blast validate FILE` is rejected with the expected stderr.
    InvalidTopology,
    /// `blast check TARGET --plan FILE` is rejected with the expected stderr.
    InvalidPlan,
    /// `blast check TARGET --op LINE...` is rejected with the expected stderr.
    InvalidOps,
    /// `blast validate FILE` accepts it.
    Valid,
}

const CORPORA: &[(&str, &str, Kind)] = &[
    ("tests/fixtures/invalid", "yaml", Kind::InvalidTopology),
    ("tests/fixtures/valid", "yaml", Kind::Valid),
    ("tests/hostile/topologies", "yaml", Kind::InvalidTopology),
    ("tests/hostile/plans", "yaml", Kind::InvalidPlan),
    ("tests/hostile/ops", "op", Kind::InvalidOps),
    ("tests/hostile/valid", "yaml", Kind::Valid),
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn main() {
    let arguments = Arguments::from_args();
    let mut trials = Vec::new();
    let mut total = 0;
    for &(dir, extension, kind) in CORPORA {
        let cases = files(dir, extension);
        total += cases.len();
        if !matches!(kind, Kind::Valid) {
            trials.push(Trial::test(format!("{dir}: every case has its .stderr"), move || {
                paired(dir, extension)
            }));
        }
        for path in cases {
            let name = format!("{}", path.display());
            trials.push(Trial::test(name, move || run_case(kind, &path)));
        }
    }
    trials.push(Trial::test("the corpora are where they should be", move || {
        if total < 200 {
            return Err(format!("only {total} corpus files found: is the crate root right?").into());
        }
        Ok(())
    }));
    trials.push(Trial::test("tests/cmd", || {
        // trycmd reports each case and panics at the end if any failed.
        trycmd::TestCases::new()
            .default_bin_name("blast")
            .case("tests/cmd/*.toml")
            .run();
        Ok(())
    }));
    libtest_mimic::run(&arguments, trials).exit();
}

/// The files in `dir` (relative to the crate root) with `extension`, sorted.
fn files(dir: &str, extension: &str) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(root().join(dir))
        .map(|entries| {
            entries
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|path| path.extension().is_some_and(|e| e == extension))
                .filter_map(|path| path.file_name().map(|name| Path::new(dir).join(name)))
                .collect()
        })
        .unwrap_or_default();
    paths.sort();
    paths
}

/// Every input in `dir` has a `.stderr` beside it, and every `.stderr` an input.
fn paired(dir: &str, extension: &str) -> Result<(), Failed> {
    let stems = |ext: &str| -> Vec<PathBuf> { files(dir, ext).into_iter().map(|p| p.with_extension("")).collect() };
    let (inputs, expected) = (stems(extension), stems("stderr"));
    if inputs != expected {
        let without: Vec<_> = inputs.iter().filter(|p| !expected.contains(p)).collect();
        let orphans: Vec<_> = expected.iter().filter(|p| !inputs.contains(p)).collect();
        return Err(format!("inputs without a .stderr: {without:?}; .stderr without an input: {orphans:?}").into());
    }
    Ok(())
}

fn run_case(kind: Kind, path: &Path) -> Result<(), Failed> {
    let file = path.to_string_lossy().into_owned();
    let args: Vec<OsString> = match kind {
        Kind::InvalidTopology | Kind::Valid => vec!["validate".into(), file.into()],
        Kind::InvalidPlan => vec!["check".into(), TARGET.into(), "--plan".into(), file.into()],
        Kind::InvalidOps => op_args(path)?,
    };
    let output = Command::cargo_bin("blast")
        .map_err(|e| format!("the blast binary: {e}"))?
        .env_remove("COLUMNS")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("NO_COLOR")
        .current_dir(root())
        .args(&args)
        .timeout(TIMEOUT)
        .output()
        .map_err(|e| format!("blast does not run: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    if stderr.contains("panicked") || stderr.contains("RUST_BACKTRACE") {
        return Err(format!("blast panicked:\n{stderr}").into());
    }
    let Some(code) = output.status.code() else {
        return Err(format!("killed (a hang past {TIMEOUT:?}, or a signal); stderr:\n{stderr}").into());
    };
    if let Kind::Valid = kind {
        if code != 0 || !stdout.starts_with("valid topology") {
            return Err(format!("should validate; exit {code}, stdout:\n{stdout}\nstderr:\n{stderr}").into());
        }
        return Ok(());
    }
    if code != 2 || !stdout.is_empty() {
        return Err(format!("should be rejected; exit {code}, stdout:\n{stdout}\nstderr:\n{stderr}").into());
    }
    if !stderr.starts_with("error: ") || stderr.matches("error: ").count() != 1 {
        return Err(format!("should print exactly one error:\n{stderr}").into());
    }
    expect_stderr(&stderr, &path.with_extension("stderr"))
}

/// The `--op` arguments of an `.op` case: one per line.
fn op_args(path: &Path) -> Result<Vec<OsString>, Failed> {
    let text = std::fs::read_to_string(root().join(path)).map_err(|e| format!("cannot read: {e}"))?;
    let text = text.strip_suffix('\n').unwrap_or(&text);
    let mut args: Vec<OsString> = vec!["check".into(), TARGET.into()];
    for op in text.split('\n') {
        args.push("--op".into());
        args.push(op.into());
    }
    Ok(args)
}

/// Compares stderr with the expected file, or writes it under `BLAST_BLESS=1`.
fn expect_stderr(actual: &str, expected_file: &Path) -> Result<(), Failed> {
    let path = root().join(expected_file);
    if std::env::var_os("BLAST_BLESS").is_some() {
        std::fs::write(&path, actual).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        return Ok(());
    }
    let expected = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if actual != expected {
        return Err(format!(
            "stderr differs from {}\n--- expected\n{expected}--- actual\n{actual}",
            expected_file.display()
        )
        .into());
    }
    Ok(())
}
