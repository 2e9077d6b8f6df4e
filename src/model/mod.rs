//! The checked, frozen model of a topology, and how it is built from a file.
//!
//! [`load_topology`] reads a file (bounded, see [`crate::input::read`]),
//! streams its entries through [`crate::input::document`] into the
//! [`Builder`], which checks each as it is read and freezes a [`Topology`].

pub mod build;
pub mod selector;
pub mod topology;

use std::path::Path;
use std::rc::Rc;

use serde::de::DeserializeSeed;

pub use build::Builder;
pub use topology::*;

use crate::error::Result;
use crate::input::document::{TopologySeed, TopologySink};
use crate::input::raw::RawTopology;
use crate::input::read::{Document, parse_with, read_text};
use crate::input::{json, pipeline};
use crate::limits::Limits;

/// Where a YAML topology's entries are checked while it is parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checking {
    /// On a second thread, beside the parser (see [`pipeline`]).
    Beside,
    /// On the parser's own thread: for a caller that keeps the other core
    /// busy itself (`diff` loads its two files at once).
    Inline,
}

/// Reads, parses, checks and freezes a topology file.
pub fn load_topology(path: &Path, limits: Limits, checking: Checking) -> Result<Topology> {
    let text = read_text(path, limits)?;
    if json::is_json(path) {
        let builder = read_json_topology(Rc::new(text), path, limits)?;
        return builder.finish();
    }
    let builder = read_yaml_topology(&text, path, limits, checking)?;
    // Everything read has been copied into the builder: the text can go
    // before the graph is built.
    drop(text);
    builder.finish()
}

/// Parses, checks and freezes topology text; `path` is only used in messages.
pub fn topology_from_str(text: &str, path: &Path, limits: Limits) -> Result<Topology> {
    if json::is_json(path) {
        return read_json_topology(Rc::new(text.to_string()), path, limits)?.finish();
    }
    read_topology(text, path, limits)?.finish()
}

/// [`read_topology`] for JSON text (a `.json` file). The entries are checked
/// as they are read, on this thread: serde_json reads them faster than the
/// builder takes them, and handing them to a second thread cost more (in
/// allocations freed on another thread than made) than it saved. The tables
/// are not presized: sizing them from the text measured no faster.
pub fn read_json_topology(text: Rc<String>, path: &Path, limits: Limits) -> Result<Builder<'_>> {
    let mut builder = Builder::with_capacity(path, limits.max_components, 0);
    let mut failure = None;
    let source = text.clone();
    let parsed = json::parse_with(text, path, limits, RawTopology::EMPTY_HELP, |deserializer| {
        TopologySeed {
            sink: &mut builder,
            failure: &mut failure,
            source: &source,
        }
        .deserialize(deserializer)
    });
    match failure {
        Some(problem) => Err(problem),
        None => parsed.map(|()| builder),
    }
}

/// Parses topology text, each entry checked as it is read on a second
/// thread (see [`pipeline`]: the YAML parser is the slower side, so the
/// checks cost next to no time); [`Builder::finish`] then resolves the
/// references and builds the graph.
pub fn read_topology<'p>(text: &str, path: &'p Path, limits: Limits) -> Result<Builder<'p>> {
    read_yaml_topology(text, path, limits, Checking::Beside)
}

fn read_yaml_topology<'p>(text: &str, path: &'p Path, limits: Limits, checking: Checking) -> Result<Builder<'p>> {
    let mut builder = Builder::with_capacity(path, limits.max_components, yaml_component_estimate(text));
    let parse = |sink: &mut dyn TopologySink| {
        let mut failure = None;
        let parsed = parse_with(text, path, limits, RawTopology::EMPTY_HELP, |deserializer| {
            TopologySeed {
                sink: &mut *sink,
                failure: &mut failure,
                source: text,
            }
            .deserialize(deserializer)
        });
        // A problem the sink found stopped the parser, which reports it as its own error.
        failure.map_or(parsed, Err)
    };
    match checking {
        Checking::Beside => pipeline::feed(&mut builder, parse)?,
        Checking::Inline => parse(&mut builder)?,
    }
    Ok(builder)
}

/// About how many components YAML text holds: list entries that start with
/// `- id:` or `- {id:`, less the customers (the entries of `customers`
/// that are not nested in an entry, its apps being components). An estimate
/// to size the tables once; never a limit.
fn yaml_component_estimate(text: &str) -> usize {
    let mut count = 0;
    let mut in_customers = false;
    let mut customer_indent = None;
    for line in text.lines() {
        if !line.starts_with([' ', '-', '#']) && !line.is_empty() {
            in_customers = line.starts_with("customers:");
            customer_indent = None;
            continue;
        }
        let rest = line.trim_start();
        let Some(entry) = rest.strip_prefix("- ").map(str::trim_start) else {
            continue;
        };
        if !(entry.starts_with("id:")
            || entry
                .strip_prefix('{')
                .is_some_and(|e| e.trim_start().starts_with("id:")))
        {
            continue;
        }
        let indent = line.len() - rest.len();
        if in_customers && *customer_indent.get_or_insert(indent) == indent {
            continue;
        }
        count += 1;
    }
    count
}
