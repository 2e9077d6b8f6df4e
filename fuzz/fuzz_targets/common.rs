//! Shared by the fuzz targets: the fixed topology plans run against, and the
//! whole check pipeline after a plan resolves.
#![allow(dead_code)] // each target uses its own part of this module

use std::path::Path;
use std::sync::OnceLock;

use blast_radius::limits::Limits;
use blast_radius::model::topology_from_str;
use blast_radius::plan::Plan;
use blast_radius::model::Topology;
use blast_radius::{engine, render, report};

/// `topologies/quickstart.yaml`: every section, quorum, soft and any_of
/// dependencies, guards, a data store with owners, tags and zones.
pub fn quickstart() -> &'static Topology {
    static TOPOLOGY: OnceLock<Topology> = OnceLock::new();
    TOPOLOGY.get_or_init(|| {
        let text = include_str!("../../topologies/quickstart.yaml");
        match topology_from_str(text, Path::new("quickstart.yaml"), Limits::default()) {
            Ok(topology) => topology,
            Err(e) => panic!("the bundled quickstart topology must load: {e}"),
        }
    })
}

/// Runs a resolved plan through the engine and every report format, as
/// `blast check` does (the escaping of each output context included).
pub fn check(topology: &Topology, plan: &Plan) {
    use render::check::CheckFormat;
    let outcome = engine::run(topology, plan);
    let fail_on = plan.fail_on.unwrap_or_default();
    let report = report::build(topology, plan, "fuzz".to_string(), &outcome, fail_on, report::AppRows::Every);
    let _ = render::check::table(&report, render::Style { color: false, width: Some(80) });
    let run = report::CheckRun::new(vec![report], "fuzz.yaml".into());
    for format in [
        CheckFormat::Table,
        CheckFormat::Json,
        CheckFormat::Markdown,
        CheckFormat::Github,
        CheckFormat::Junit,
        CheckFormat::Sarif,
    ] {
        let _ = format.render(&run, render::Style::default());
    }
}
