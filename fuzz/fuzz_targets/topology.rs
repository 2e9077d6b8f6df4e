//! The topology loader: any bytes either load or give an input error, never
//! a panic, a hang or unbounded memory; a topology that loads validates and
//! runs its scenarios.
#![no_main]

use std::path::Path;

use blast_radius::limits::Limits;
use blast_radius::model::topology_from_str;
use blast_radius::plan::{Origin, resolve};
use blast_radius::report::validate;
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new("fuzz.yaml");
    let Ok(topology) = topology_from_str(text, path, Limits::default()) else {
        return;
    };
    let mut plans = Vec::new();
    for scenario in topology.scenarios() {
        let origin = Origin::Scenario {
            topology: path,
            name: &scenario.name,
        };
        if let Ok(plan) = resolve(&topology, &scenario.plan, origin, &[]) {
            common::check(&topology, &plan);
            plans.push(plan);
        }
    }
    let _ = validate::inventory(&topology, &plans);
});
