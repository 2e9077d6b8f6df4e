//! Dynamic shell completions: the scenario names, component ids, kinds and
//! operations of the topology named on the command line being completed.
//! The shell code `blast completions SHELL` prints calls `blast` back with
//! `COMPLETE=SHELL` (clap_complete's `CompleteEnv`, run in `main.rs`).

use std::ffi::OsStr;
use std::path::Path;

use clap_complete::engine::CompletionCandidate;

use crate::limits::Limits;
use crate::model::{Checking, Section, Topology, load_topology};
use crate::plan::StepKind;

/// Options that take a value: the word after one is not the topology.
const VALUE_OPTIONS: &[&str] = &[
    "--op",
    "--plan",
    "--scenario",
    "--approve",
    "--fail-on",
    "--format",
    "--output",
    "--kind",
    "--focus",
    "--depth",
    "--top",
    "--target",
    "--max-size",
    "--color",
    "--max-file-size",
    "--max-components",
    "--dir",
];

/// The topology of the command line being completed: the first word after
/// the command that is a file and not an option's value. A completer sees
/// only the word under the cursor, so the rest is read from the process's
/// arguments (`blast -- blast check FILE --scenario ''`). `None` when there
/// is none or it does not load: completion then offers nothing.
fn topology() -> Option<Topology> {
    let args: Vec<String> = std::env::args_os().filter_map(|a| a.into_string().ok()).collect();
    // `COMPLETER -- blast WORDS...`: skip to the words after the program name.
    let words = args.iter().skip_while(|a| a.as_str() != "--").skip(2);
    let mut skip_next = false;
    // The command word, then the topology.
    let mut seen_command = false;
    for word in words {
        if std::mem::take(&mut skip_next) {
            continue;
        }
        if word.starts_with('-') {
            skip_next = VALUE_OPTIONS.contains(&word.as_str());
            continue;
        }
        if !seen_command {
            seen_command = true;
            continue;
        }
        let path = Path::new(word);
        if path.is_file() {
            return load_topology(path, Limits::default(), Checking::Beside).ok();
        }
    }
    None
}

fn matching<'a>(current: &OsStr, values: impl Iterator<Item = &'a str>) -> Vec<CompletionCandidate> {
    let current = current.to_string_lossy();
    let mut out: Vec<&str> = values.filter(|v| v.starts_with(current.as_ref())).collect();
    out.sort_unstable();
    out.dedup();
    out.into_iter().map(CompletionCandidate::new).collect()
}

/// `--scenario`: the topology's scenario names.
pub fn scenario(current: &OsStr) -> Vec<CompletionCandidate> {
    let Some(topology) = topology() else { return Vec::new() };
    matching(current, topology.scenarios().iter().map(|s| s.name.as_str()))
}

/// Component ids, and customer ids (which `explain` and `cuts` take).
pub fn component(current: &OsStr) -> Vec<CompletionCandidate> {
    let Some(topology) = topology() else { return Vec::new() };
    let customers = topology.customers().iter().map(|c| c.id.as_str());
    matching(current, topology.component_ids().chain(customers))
}

/// `list --kind`: the kinds in the topology.
pub fn kind(current: &OsStr) -> Vec<CompletionCandidate> {
    let Some(topology) = topology() else { return Vec::new() };
    matching(current, topology.components().iter().map(|c| &*c.kind))
}

/// `--op`: the operation kinds, then after a kind its primary field's
/// values (ids, zones, regions, stores), as whole `KIND VALUE` words.
pub fn operation(current: &OsStr) -> Vec<CompletionCandidate> {
    let text = current.to_string_lossy();
    let Some((kind_word, _)) = text.split_once(' ') else {
        let kinds: Vec<String> = StepKind::ALL.iter().map(|k| k.inline_name()).collect();
        return matching(current, kinds.iter().map(String::as_str));
    };
    let Some(kind) = StepKind::ALL
        .into_iter()
        .find(|k| k.as_str() == kind_word.replace('-', "_"))
    else {
        return Vec::new();
    };
    let Some(topology) = topology() else { return Vec::new() };
    let values: Vec<&str> = match kind {
        StepKind::FailZone => topology.zones().iter().map(|z| z.id.as_str()).collect(),
        StepKind::FailRegion => topology.regions().iter().map(|r| r.id.as_str()).collect(),
        StepKind::DeleteData => topology
            .components()
            .iter()
            .filter(|c| c.section == Section::DataStore)
            .map(|c| c.id.as_str())
            .collect(),
        StepKind::Wait => vec!["45s", "5m", "10m", "1h", "4h"],
        _ => topology.component_ids().collect(),
    };
    let words: Vec<String> = values.iter().map(|v| format!("{kind_word} {v}")).collect();
    matching(current, words.iter().map(String::as_str))
}
