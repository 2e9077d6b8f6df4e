//! `blast validate` on the fixture corpus in `tests/fixtures/`.
//!
//! Every file in `tests/fixtures/invalid/` holds exactly one class of mistake
//! and is named for it; next to it, `NAME.stderr` is the exact diagnostic
//! `blast` must print (exit 2, nothing on stdout, never a panic). Every file
//! in `tests/fixtures/valid/` must validate (exit 0).
//!
//! To add a case: write `tests/fixtures/invalid/NAME.yaml`, run
//! `target/debug/blast validate tests/fixtures/invalid/NAME.yaml 2> tests/fixtures/invalid/NAME.stderr`
//! from the crate root, check the message is right, and add NAME to the
//! `invalid_fixtures!` list below.

use std::collections::BTreeSet;
use std::path::Path;

use assert_cmd::Command;

const INVALID_DIR: &str = "tests/fixtures/invalid";
const VALID_DIR: &str = "tests/fixtures/valid";

/// `blast validate PATH`, run from the crate root so that the path in the
/// messages is exactly the relative path given.
fn validate(path: &str) -> std::process::Output {
    Command::cargo_bin("blast")
        .expect("the blast binary is built for integration tests")
        .env_remove("COLUMNS")
        .env_remove("CLICOLOR_FORCE")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["validate", path])
        .output()
        .expect("blast runs")
}

fn check_invalid(name: &str) {
    let path = format!("{INVALID_DIR}/{name}.yaml");
    let expected_path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("{INVALID_DIR}/{name}.stderr"));
    let expected = std::fs::read_to_string(&expected_path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", expected_path.display()));

    let output = validate(&path);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);

    assert!(!stderr.contains("panicked"), "blast panicked on {path}:\n{stderr}");
    assert_eq!(output.status.code(), Some(2), "exit code for {path}; stderr:\n{stderr}");
    assert!(stdout.is_empty(), "stdout for {path} should be empty, got:\n{stdout}");
    assert_eq!(stderr, expected, "stderr for {path} differs from {name}.stderr");
}

macro_rules! invalid_fixtures {
    ($($name:ident),+ $(,)?) => {
        /// Every invalid fixture that has a test, by file stem.
        const INVALID_FIXTURES: &[&str] = &[$(stringify!($name)),+];

        mod invalid {
            $(
                #[test]
                fn $name() {
                    super::check_invalid(stringify!($name));
                }
            )+
        }
    };
}

invalid_fixtures![
    bad_duration,
    bad_indentation,
    bad_mode,
    capacity_above_max,
    collapse_at_not_above_one,
    customer_without_apps,
    dangling_any_of,
    dangling_depends_on,
    dangling_quorum_member,
    dangling_region,
    dangling_state,
    dangling_zone,
    dependency_on_key,
    depends_on_customer,
    depends_on_region,
    duplicate_component_id,
    duplicate_id_region_vs_component,
    duplicate_mapping_key,
    duplicate_zone,
    empty_any_of,
    empty_component_zones,
    empty_file,
    infinite_load,
    invalid_id_chars,
    max_step_percent_above_100,
    member_listed_twice,
    min_above_capacity,
    min_above_max,
    min_without_capacity,
    missing_id,
    missing_version,
    mode_with_any_of,
    nan_capacity,
    negative_capacity,
    negative_load,
    negative_weight,
    non_utf8,
    only_comments,
    problem_before_yaml_error,
    per_zone_capacity_unknown_zone,
    quorum_above_members,
    quorum_zero,
    region_without_zones,
    self_dependency,
    state_not_a_data_store,
    tab_indentation,
    unknown_component_key,
    unknown_dependency_key,
    unknown_top_level_key,
    version_2,
    wrong_type_capacity,
    wrong_type_depends_on,
    wrong_type_zones,
    yaml_syntax,
    zone_listed_twice,
    zone_not_in_region,
    zone_typo_before_regions,
];

/// File stems in `dir` with the given extension.
fn stems(dir: &str, extension: &str) -> BTreeSet<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == extension))
        .map(|path| {
            path.file_stem()
                .and_then(|s| s.to_str())
                .expect("fixture names are UTF-8")
                .to_string()
        })
        .collect()
}

#[test]
fn every_invalid_fixture_is_listed() {
    let on_disk = stems(INVALID_DIR, "yaml");
    let listed: BTreeSet<String> = INVALID_FIXTURES.iter().map(|s| s.to_string()).collect();
    let unlisted: Vec<_> = on_disk.difference(&listed).collect();
    let missing: Vec<_> = listed.difference(&on_disk).collect();
    assert!(
        unlisted.is_empty(),
        "add these fixtures to invalid_fixtures![...]: {unlisted:?}"
    );
    assert!(missing.is_empty(), "listed fixtures without a .yaml file: {missing:?}");
}

#[test]
fn every_invalid_fixture_has_expected_stderr() {
    let yaml = stems(INVALID_DIR, "yaml");
    let stderr = stems(INVALID_DIR, "stderr");
    let without: Vec<_> = yaml.difference(&stderr).collect();
    let orphans: Vec<_> = stderr.difference(&yaml).collect();
    assert!(without.is_empty(), "fixtures without a .stderr file: {without:?}");
    assert!(orphans.is_empty(), ".stderr files without a fixture: {orphans:?}");
}

fn check_valid(name: &str) {
    let path = format!("{VALID_DIR}/{name}.yaml");
    let output = validate(&path);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "blast panicked on {path}:\n{stderr}");
    assert_eq!(output.status.code(), Some(0), "exit code for {path}; stderr:\n{stderr}");
    assert!(
        stdout.starts_with("valid topology"),
        "stdout for {path} should start with `valid topology`, got:\n{stdout}"
    );
}

macro_rules! valid_fixtures {
    ($($name:ident),+ $(,)?) => {
        /// Every valid fixture that has a test, by file stem.
        const VALID_FIXTURES: &[&str] = &[$(stringify!($name)),+];

        mod valid {
            $(
                #[test]
                fn $name() {
                    super::check_valid(stringify!($name));
                }
            )+
        }
    };
}

valid_fixtures![minimal, full, cycle];

#[test]
fn every_valid_fixture_is_listed() {
    let on_disk = stems(VALID_DIR, "yaml");
    let listed: BTreeSet<String> = VALID_FIXTURES.iter().map(|s| s.to_string()).collect();
    assert_eq!(
        on_disk, listed,
        "valid_fixtures![...] must list exactly the files in {VALID_DIR}"
    );
}

#[test]
fn cycle_fixture_warns_about_the_cycle() {
    let output = validate(&format!("{VALID_DIR}/cycle.yaml"));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("warning: dependency cycle"),
        "validate should warn about the cycle, got:\n{stderr}"
    );
}
