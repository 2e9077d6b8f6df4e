//! The plan loader: any bytes as a `--plan` file against the quickstart
//! topology either resolve and run or give an input error, never a panic.
#![no_main]

use std::path::Path;

use blast_radius::input::read::parse_yaml;
use blast_radius::limits::Limits;
use blast_radius::plan::{Origin, resolve};
use blast_radius::input::raw::{RawPlan, At};
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new("plan.yaml");
    let Ok(raw) = parse_yaml::<At<RawPlan>>(text, path, Limits::default()) else {
        return;
    };
    let topology = common::quickstart();
    if let Ok(plan) = resolve(topology, &raw, Origin::File(path), &[]) {
        common::check(topology, &plan);
    }
});
