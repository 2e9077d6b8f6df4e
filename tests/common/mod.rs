//! Random small topologies shared by the property tests.
#![allow(dead_code)] // each test crate uses its own part of this module

use std::fmt::Write;
use std::path::Path;

use blast_radius::limits::Limits;
use blast_radius::model::Topology;
use blast_radius::model::topology_from_str;
use proptest::prelude::*;

#[derive(Debug, Clone)]
pub struct Spec {
    placement: u8, // 0 global, 1 region, 2..=4 one zone
    capacity: Option<u32>,
    min_percent: Option<u32>,
    load_percent: u32,
    collapse: Option<u32>,
    state: bool,
    deps: Vec<(u8, Vec<usize>, u32)>, // rule (0 hard,1 soft,2 any_of,3 quorum), member offsets, k seed
}

pub fn component() -> impl Strategy<Value = Spec> {
    (
        0u8..5,
        proptest::option::of(1u32..100),
        proptest::option::of(0u32..100),
        0u32..100,
        proptest::option::of(110u32..300),
        any::<bool>(),
        proptest::collection::vec((0u8..4, proptest::collection::vec(1usize..12, 1..4), 0u32..4), 0..3),
    )
        .prop_map(
            |(placement, capacity, min_percent, load_percent, collapse, state, deps)| Spec {
                placement,
                capacity,
                min_percent,
                load_percent,
                collapse,
                state,
                deps,
            },
        )
}

pub fn topology_text(specs: &[Spec]) -> String {
    let n = specs.len();
    let mut out = String::from("version: 1\nregions:\n  - id: r\n    zones: [z1, z2, z3]\nservices:\n");
    for (i, s) in specs.iter().enumerate() {
        writeln!(out, "  - id: c{i}").unwrap();
        match s.placement {
            0 => {}
            1 => out.push_str("    region: r\n"),
            z => writeln!(out, "    zones: [z{}]", z - 1).unwrap(),
        }
        let capacity = s.capacity.unwrap_or(match s.placement {
            1 => 3,
            _ => 1,
        });
        if let Some(c) = s.capacity {
            writeln!(out, "    capacity: {c}").unwrap();
            if let Some(p) = s.min_percent {
                writeln!(out, "    min_capacity: {}", c * p / 100).unwrap();
            }
        }
        writeln!(out, "    load: {}", capacity as f64 * s.load_percent as f64 / 100.0).unwrap();
        if let Some(c) = s.collapse {
            writeln!(out, "    collapse_at: {}", c as f64 / 100.0).unwrap();
        }
        if s.state {
            out.push_str("    state: st\n");
        }
        let mut entries = Vec::new();
        for (rule, offsets, k) in &s.deps {
            let mut members: Vec<usize> = offsets.iter().map(|o| (i + o) % n).filter(|m| *m != i).collect();
            members.sort_unstable();
            members.dedup();
            if members.is_empty() {
                continue;
            }
            let ids: Vec<String> = members.iter().map(|m| format!("c{m}")).collect();
            entries.push(match rule {
                0 => ids[0].clone(),
                1 => format!("{{id: {}, mode: soft}}", ids[0]),
                2 => format!("{{any_of: [{}]}}", ids.join(", ")),
                _ => format!("{{quorum: {}, of: [{}]}}", 1 + k % members.len() as u32, ids.join(", ")),
            });
        }
        if !entries.is_empty() {
            writeln!(out, "    depends_on: [{}]", entries.join(", ")).unwrap();
        }
    }
    out.push_str("data_stores:\n  - id: st\n");
    // Every third component carries a customer app, weighted by position.
    out.push_str("customers:\n");
    for i in (0..n).step_by(3) {
        writeln!(out, "  - id: k{i}\n    weight: {}\n    apps:", i + 1).unwrap();
        writeln!(
            out,
            "      - id: k{i}.app\n        depends_on: [c{i}, {{id: c{}, mode: soft}}]",
            (i + 1) % n
        )
        .unwrap();
    }
    out
}

pub fn load(text: &str) -> Topology {
    topology_from_str(text, Path::new("prop.yaml"), Limits::default()).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// Runs the real binary from the crate root: (exit code, stdout, stderr),
/// asserting it never panicked.
pub fn blast(args: &[&str]) -> (i32, String, String) {
    let output = assert_cmd::Command::cargo_bin("blast")
        .expect("the blast binary is built")
        .env_remove("COLUMNS")
        .env_remove("CLICOLOR_FORCE")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .expect("blast runs");
    let stdout = String::from_utf8(output.stdout).expect("utf-8 stdout");
    let stderr = String::from_utf8(output.stderr).expect("utf-8 stderr");
    assert!(!stderr.contains("panicked"), "{stderr}");
    (output.status.code().expect("an exit code"), stdout, stderr)
}

/// A pseudo-terminal: (the controlling side, the terminal a child writes to).
#[cfg(target_os = "linux")]
#[allow(unsafe_code, reason = "a pseudo-terminal needs libc")]
pub fn pseudo_terminal() -> (std::fs::File, std::fs::File) {
    use std::os::fd::FromRawFd;
    let (mut controller, mut terminal) = (0, 0);
    // SAFETY: openpty fills the two descriptors; the null pointers ask for defaults.
    let opened = unsafe {
        libc::openpty(
            &mut controller,
            &mut terminal,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(opened, 0, "openpty");
    // SAFETY: both descriptors were just opened and are owned here.
    unsafe {
        (
            std::fs::File::from_raw_fd(controller),
            std::fs::File::from_raw_fd(terminal),
        )
    }
}
