//! `blast import backstage` through the real binary: the topology it prints
//! and its warnings (snapshots), that every output loads and validates, that
//! the bytes depend on the catalog only, and how it treats Location trees.

use crate::common;

use std::path::Path;

use common::blast;

const SHOP: &str = "tests/fixtures/backstage/shop";
const SHOP_ROOT: &str = "tests/fixtures/backstage/shop/catalog-info.yaml";
const CYCLE: &str = "tests/fixtures/backstage/cycle/a.yaml";
const REMOTE: &str = "tests/fixtures/backstage/remote/catalog-info.yaml";

/// Imports `args`, expecting success; returns stdout and stderr.
fn import(args: &[&str]) -> (String, String) {
    let mut all = vec!["import", "backstage"];
    all.extend_from_slice(args);
    let (code, stdout, stderr) = blast(&all);
    assert_eq!(code, 0, "{stderr}");
    (stdout, stderr)
}

/// Writes `text` into a temporary directory as `name`; the directory lives
/// as long as the returned guard.
fn written(name: &str, text: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write");
    let path = path.to_str().expect("utf-8").to_string();
    (dir, path)
}

#[test]
fn shop_catalog_snapshot() {
    let (stdout, stderr) = import(&[SHOP_ROOT]);
    insta::assert_snapshot!("shop_topology", stdout);
    insta::assert_snapshot!("shop_warnings", stderr);
}

#[test]
fn every_fixture_imports_to_a_topology_that_validates() {
    let runs: Vec<Vec<&str>> = vec![
        vec![SHOP],
        vec![SHOP_ROOT],
        vec![SHOP, "--customers-from", "system"],
        vec![SHOP, "--default-region", "us-east-1"],
        vec![CYCLE],
        vec![REMOTE],
        vec!["tests/fixtures/backstage"],
    ];
    for args in runs {
        let (stdout, _) = import(&args);
        // The project's own loader, as a second safety net behind the one in the import.
        blast_radius::model::topology_from_str(&stdout, Path::new("imported.yaml"), Default::default())
            .unwrap_or_else(|e| panic!("{args:?}: {e}\n{stdout}"));
        let (_dir, path) = written("imported.yaml", &stdout);
        let (code, _, stderr) = blast(&["validate", &path]);
        assert_eq!(code, 0, "{args:?}: {stderr}");
    }
}

#[test]
fn output_depends_on_the_catalog_not_on_argument_or_discovery_order() {
    let forward = import(&[
        "tests/fixtures/backstage/shop/catalog-info.yaml",
        "tests/fixtures/backstage/shop/platform",
        "tests/fixtures/backstage/shop/systems/payments.yaml",
        "tests/fixtures/backstage/shop/systems/storefront.yaml",
        "tests/fixtures/backstage/shop/teams.yaml",
    ]);
    let shuffled = import(&[
        "tests/fixtures/backstage/shop/teams.yaml",
        "tests/fixtures/backstage/shop/systems/storefront.yaml",
        "tests/fixtures/backstage/shop/platform",
        "tests/fixtures/backstage/shop/catalog-info.yaml",
        "tests/fixtures/backstage/shop/systems/payments.yaml",
    ]);
    assert_eq!(forward, shuffled);
    assert_eq!(
        forward,
        import(&[SHOP_ROOT]),
        "the same files found through the Locations"
    );
    assert_eq!(
        forward,
        import(&[SHOP]),
        "the same files found by searching the directory"
    );
    assert_eq!(import(&[SHOP]), import(&[SHOP]), "two runs");
}

#[test]
fn strict_turns_warnings_into_errors_and_writes_no_topology() {
    let (code, stdout, stderr) = blast(&["import", "backstage", SHOP, "--strict"]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty(), "{stdout}");
    assert!(!stderr.contains("warning:"), "{stderr}");
    assert!(
        stderr.contains("error: unsupported entity kind `User`: skipped"),
        "{stderr}"
    );
    assert!(
        stderr.ends_with("error: 13 problems in the catalog (--strict); no topology written\n"),
        "{stderr}"
    );
    let (code, stdout, stderr) = blast(&[
        "import",
        "backstage",
        "tests/fixtures/backstage/cycle/b.yaml",
        "--strict",
    ]);
    assert_eq!(code, 2, "{stdout}");
    assert!(stderr.contains("error: Location cycle"), "{stderr}");
}

#[test]
fn the_imported_shop_runs_through_check_spof_and_validate() {
    let (stdout, _) = import(&[SHOP]);
    let (_dir, path) = written("shop.yaml", &stdout);
    let (code, out, stderr) = blast(&["check", &path, "--op", "fail payments-db", "--format", "json"]);
    assert_eq!(code, 1, "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let down: Vec<&str> = report["customers"]
        .as_array()
        .expect("customers")
        .iter()
        .filter(|c| c["status"] == "down")
        .map(|c| c["id"].as_str().expect("id"))
        .collect();
    assert_eq!(down, ["acme", "globex", "initech"]);
    // A failed zone of one region leaves the other region's catalog serving.
    let (code, out, _) = blast(&["check", &path, "--op", "fail-region us-west-2", "--format", "json"]);
    assert_eq!(code, 0, "{out}");
    let (code, out, stderr) = blast(&["spof", &path, "--top", "3"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(out.contains("payments-db"), "{out}");
    let (code, out, stderr) = blast(&["validate", &path]);
    assert_eq!(code, 0, "{stderr}");
    assert!(out.contains("customers      3  4 apps"), "{out}");
}

#[test]
fn output_file_gets_the_topology_and_stdout_stays_empty() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("shop.yaml");
    let file = file.to_str().expect("utf-8");
    let (code, stdout, stderr) = blast(&["import", "backstage", SHOP, "--output", file]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.is_empty());
    assert!(stderr.contains("warning: unsupported entity kind `User`"), "{stderr}");
    assert_eq!(std::fs::read_to_string(file).expect("written"), import(&[SHOP]).0);
}

#[test]
fn a_location_cycle_is_reported_and_each_file_read_once() {
    let (stdout, stderr) = import(&[CYCLE]);
    assert_eq!(stdout.matches("  - id: worker\n").count(), 1, "{stdout}");
    assert!(stdout.contains("  - id: api\n"), "{stdout}");
    assert!(
        stderr.contains("warning: Location cycle: `tests/fixtures/backstage/cycle/a.yaml` leads back to itself\n  --> tests/fixtures/backstage/cycle/b.yaml:6:13"),
        "{stderr}"
    );
    assert!(stderr.contains("cycle/b.yaml` leads back to itself"), "{stderr}");
}

#[test]
fn remote_targets_are_never_fetched_and_local_globs_are_followed() {
    let (stdout, stderr) = import(&[REMOTE]);
    insta::assert_snapshot!("remote_warnings", stderr);
    assert!(
        stdout.contains("#   tests/fixtures/backstage/remote/local/a.yml\n"),
        "{stdout}"
    );
    assert!(stdout.contains("  - id: local-a\n"), "{stdout}");
}

#[test]
fn a_missing_path_is_an_error_naming_it() {
    let (code, stdout, stderr) = blast(&["import", "backstage", SHOP, "tests/fixtures/backstage/nope"]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert_eq!(
        stderr,
        "error: cannot read `tests/fixtures/backstage/nope`: no such file or directory\n  = help: pass catalog files (catalog-info.yaml) or directories holding them\n"
    );
    let (code, _, stderr) = blast(&["import", "backstage"]);
    assert_eq!(code, 2, "{stderr}");
}

#[test]
fn customers_from_systems_and_a_default_region() {
    let (stdout, _) = import(&[SHOP, "--customers-from", "system", "--default-region", "us-east-1"]);
    let topology =
        blast_radius::model::topology_from_str(&stdout, Path::new("x.yaml"), Default::default()).expect("loads");
    let customers: Vec<&str> = topology.customers().iter().map(|c| c.id.as_str()).collect();
    // `payments` is a component too: the customer gets the qualified id.
    assert_eq!(customers, ["customer:payments", "platform", "storefront"]);
    assert!(stdout.contains("  - id: \"customer:payments/ledger\"\n"), "{stdout}");
    let cdn = stdout.split("  - id: cdn\n").nth(1).expect("cdn");
    assert!(cdn.starts_with("    kind: cdn\n    region: us-east-1\n"), "{cdn}");
}

#[test]
fn bad_flag_values_are_usage_errors() {
    let (code, stdout, stderr) = blast(&["import", "backstage", SHOP, "--default-region", "a b"]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(stderr.contains("--default-region `a b` is not a valid id"), "{stderr}");
    let (code, _, stderr) = blast(&["import", "backstage", SHOP, "--name", "shop\nversion: 2"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--name holds the control character `\\n`"), "{stderr}");
    let (code, _, stderr) = blast(&["import", "backstage", "-"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("not standard input"), "{stderr}");
}

#[test]
fn hostile_text_is_quoted_and_cannot_change_the_topology() {
    let catalog = "\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: web
  title: \"Web \\\"quoted\\\" # not a comment\\u202e\"
  description: \"line one\\nversion: 2\\n\\\\ backslash\"
  tags: [\"no\", \"a: b\"]
  annotations:
    blast-radius.dev/customer: acme
spec:
  type: \"true\"
  owner: \"group:default/team-web\"
  lifecycle: \"x\\u001b[31m\"
";
    let (_dir, path) = written("catalog-info.yaml", catalog);
    let (stdout, stderr) = import(&[&path]);
    assert!(!stdout.contains('\u{1b}') && !stdout.contains('\u{202e}'), "{stdout}");
    assert!(
        stderr.contains("`spec.lifecycle` of `component:default/web` holds the control character"),
        "{stderr}"
    );
    let topology =
        blast_radius::model::topology_from_str(&stdout, Path::new("x.yaml"), Default::default()).expect("loads");
    let web = topology.component(topology.find("web").expect("web"));
    assert_eq!(&*web.kind, "true");
    // Read back as plain YAML: every string is what the catalog said.
    let value: serde_json::Value = serde_saphyr::from_str(&stdout).expect("YAML");
    let web = &value["services"][0];
    assert_eq!(web["name"], "Web \"quoted\" # not a comment\u{202e}");
    assert_eq!(web["description"], "line one\nversion: 2\n\\ backslash");
    assert_eq!(web["tags"]["tag.no"], "true");
    assert_eq!(web["tags"]["tag.a: b"], "true");
    assert_eq!(web["tags"]["owner"], "group:default/team-web");
    assert_eq!(value["version"], 1);
}

#[test]
fn malformed_yaml_skips_the_file_with_a_located_warning() {
    let (_dir, path) = written("catalog-info.yaml", "kind: Component\nmetadata: {name: [x\n");
    let (stdout, stderr) = import(&[&path]);
    assert!(stderr.starts_with("warning: "), "{stderr}");
    assert!(stderr.contains("(the file is skipped)"), "{stderr}");
    assert!(stderr.contains("catalog-info.yaml:"), "{stderr}");
    assert!(!stdout.contains("services:"), "{stdout}");
}

#[test]
fn duplicates_and_ambiguous_names() {
    let catalog = "\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: api, namespace: shop}
spec: {type: service, dependsOn: [api]}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: api}
spec: {type: service, dependsOn: ['shop/api', 'resource:api']}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: API}
spec: {type: duplicate}
";
    let (_dir, path) = written("catalog-info.yaml", catalog);
    let (stdout, stderr) = import(&[&path]);
    assert!(stdout.contains("  - id: \"component:default/api\"\n"), "{stdout}");
    assert!(stdout.contains("      - \"component:shop/api\"\n"), "{stdout}");
    assert!(
        stderr.contains("duplicate entity `component:default/api`: skipped (the first is at"),
        "{stderr}"
    );
    assert!(
        stderr.contains("`component:shop/api` depends on itself: ignored"),
        "{stderr}"
    );
    assert!(stderr.contains("no `resource:default/api` in the catalog"), "{stderr}");
}

#[test]
fn an_unreadable_file_found_in_a_directory_is_a_warning_and_a_named_one_an_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("binary.yaml"), b"kind: \xff\xfe\0").expect("write");
    std::fs::write(
        dir.path().join("catalog-info.yaml"),
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: web}\nspec: {type: website}\n",
    )
    .expect("write");
    let root = dir.path().to_str().expect("utf-8");
    let (stdout, stderr) = import(&[root]);
    assert!(stdout.contains("  - id: web\n"), "{stdout}");
    assert!(stderr.contains("(the file is skipped)"), "{stderr}");
    assert!(stderr.contains("binary.yaml"), "{stderr}");
    let named = dir.path().join("binary.yaml");
    let (code, stdout, stderr) = blast(&["import", "backstage", named.to_str().expect("utf-8")]);
    assert_eq!(code, 2, "{stdout}");
    assert!(stderr.starts_with("error: "), "{stderr}");
}

#[test]
fn the_catalog_is_only_read() {
    let before: Vec<(std::path::PathBuf, Vec<u8>, std::time::SystemTime)> = catalog_files(Path::new(SHOP));
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("shop.yaml");
    let (code, _, stderr) = blast(&["import", "backstage", SHOP, "--output", out.to_str().expect("utf-8")]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(catalog_files(Path::new(SHOP)), before);
}

/// Every file under `dir` with its bytes and modification time.
fn catalog_files(dir: &Path) -> Vec<(std::path::PathBuf, Vec<u8>, std::time::SystemTime)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut out = Vec::new();
    let mut pending = vec![root];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("list") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let modified = std::fs::metadata(&path).and_then(|m| m.modified()).expect("mtime");
                out.push((path.clone(), std::fs::read(&path).expect("read"), modified));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn import_backstage_help() {
    let (code, stdout, _) = blast(&["import", "backstage", "--help"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("import_backstage_help", stdout);
}

/// Copies the shop catalog into a temporary directory, to change it.
fn shop_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(SHOP);
    for (path, bytes, _) in catalog_files(Path::new(SHOP)) {
        let target = dir.path().join(path.strip_prefix(&root).expect("under the fixture"));
        std::fs::create_dir_all(target.parent().expect("a parent")).expect("mkdir");
        std::fs::write(target, bytes).expect("copy");
    }
    dir
}

#[test]
fn diff_of_two_imports_shows_what_a_catalog_change_did() {
    let yesterday = shop_copy();
    let today = shop_copy();
    // Today the western catalog no longer serves the catalog API.
    let storefront = today.path().join("systems/storefront.yaml");
    let text = std::fs::read_to_string(&storefront).expect("read");
    let west = text.find("name: catalog-west").expect("catalog-west");
    let at = west + text[west..].find("  providesApis: [catalog-api]\n").expect("provides");
    let changed = format!(
        "{}{}",
        &text[..at],
        &text[at + "  providesApis: [catalog-api]\n".len()..]
    );
    std::fs::write(&storefront, changed).expect("write");
    let out = tempfile::tempdir().expect("tempdir");
    let mut files = Vec::new();
    for (name, catalog) in [("old.yaml", &yesterday), ("new.yaml", &today)] {
        let file = out.path().join(name);
        let (code, _, stderr) = blast(&[
            "import",
            "backstage",
            catalog.path().to_str().expect("utf-8"),
            "--output",
            file.to_str().expect("utf-8"),
        ]);
        assert_eq!(code, 0, "{stderr}");
        files.push(file.to_str().expect("utf-8").to_string());
    }
    let (code, stdout, stderr) = blast(&["diff", &files[0], &files[1], "--format", "json"]);
    assert_eq!(code, 1, "a customer gained a single point of failure: {stdout}{stderr}");
    assert!(stdout.contains("catalog-east"), "{stdout}");
}
