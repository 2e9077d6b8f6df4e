//! The inline `--op` parser: each line of the input is one `--op` (at most
//! eight), run in order against the quickstart topology; any text either
//! resolves and runs or gives a usage or input error, never a panic.
#![no_main]

use blast_radius::plan::{Origin, inline_plan, parse_inline, resolve};
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let ops: Vec<String> = text.lines().take(8).map(str::to_string).collect();
    for op in &ops {
        let _ = parse_inline(op);
    }
    let Ok(raw) = inline_plan(&ops) else {
        return;
    };
    let topology = common::quickstart();
    if let Ok(plan) = resolve(topology, &raw, Origin::Inline, &[]) {
        common::check(topology, &plan);
    }
});
