//! The parse floor: a topology file read and parsed into nothing
//! (`serde::de::IgnoredAny`), with the same reader, parser options and
//! budgets as `blast`. What any tool reading this YAML must at least spend;
//! BENCHMARKS.md compares `blast check` against it, process against process.
//!
//! ```text
//! cargo run --release --example parse_floor -- topology.yaml
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use blast_radius::input::read::{parse_yaml, read_text};
use blast_radius::limits::Limits;

fn main() -> ExitCode {
    let Some(path) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: parse_floor TOPOLOGY");
        return ExitCode::from(2);
    };
    let limits = Limits::default();
    let parsed = read_text(&path, limits).and_then(|text| parse_yaml::<serde::de::IgnoredAny>(&text, &path, limits));
    match parsed {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprint!("{e}");
            ExitCode::from(2)
        }
    }
}
