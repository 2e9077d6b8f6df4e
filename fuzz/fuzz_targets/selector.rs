//! Selectors and load dynamics as written: the input is read as a YAML
//! selector (plan files, `--op 'target={...}'`), as an `--op` target, and as
//! a component's `surges` and `failover` entries in a small topology; each
//! either resolves (and runs) or gives an input error, never a panic.
#![no_main]

use std::path::Path;

use blast_radius::input::raw::RawSelector;
use blast_radius::input::read::parse_yaml;
use blast_radius::limits::Limits;
use blast_radius::model::selector::Selector;
use blast_radius::model::topology_from_str;
use blast_radius::plan::{Origin, inline_plan, resolve};
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let topology = common::quickstart();
    if let Ok(raw) = parse_yaml::<RawSelector>(text, Path::new("selector"), Limits::default())
        && let Ok(selector) = Selector::parse(&raw, "target")
    {
        let _ = selector.resolve(topology, "target");
        let _ = selector.to_string();
    }
    let line = text.lines().next().unwrap_or_default();
    let ops = vec![format!("fail '{}'", line.replace('\'', "")), format!("shift-load api to={line}")];
    if let Ok(raw) = inline_plan(&ops)
        && let Ok(plan) = resolve(topology, &raw, Origin::Inline, &[])
    {
        common::check(topology, &plan);
    }
    let indented: String = text.lines().take(40).map(|l| format!("      {l}\n")).collect();
    for field in ["surges:\n", "failover:\n"] {
        let yaml = format!(
            "version: 1\nregions:\n  - id: r\n    zones: [z1, z2]\nservices:\n  - id: a\n    region: r\n    capacity: 10\n    load: 5\n  - id: b\n    region: r\n    capacity: 10\n    load: 5\n    {field}{indented}customers:\n  - id: k\n    apps:\n      - id: k.app\n        depends_on: [b]\n"
        );
        if let Ok(topology) = topology_from_str(&yaml, Path::new("fuzz.yaml"), Limits::default())
            && let Ok(raw) = inline_plan(&["fail a".to_string()])
            && let Ok(plan) = resolve(&topology, &raw, Origin::Inline, &[])
        {
            common::check(&topology, &plan);
        }
    }
});
