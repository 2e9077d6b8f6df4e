//! The topology an import builds, and its YAML text (format version 1).
//!
//! The values here are already checked by the mapping (ids valid and
//! unique, numbers in range, references resolved); this module only lays
//! them out, sorted, every scalar quoted as `import::yaml` decides,
//! so the same catalog always gives the same bytes.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::PathBuf;

use crate::import::yaml::{comment, quoted, scalar};

#[derive(Debug, Default)]
pub struct Topology {
    pub name: String,
    /// The files read, for the header.
    pub sources: Vec<PathBuf>,
    pub regions: Vec<Region>,
    pub services: Vec<Component>,
    pub data_stores: Vec<Component>,
    pub customers: Vec<Customer>,
}

#[derive(Debug)]
pub struct Region {
    pub id: String,
    pub zones: Vec<String>,
}

#[derive(Debug, Default)]
pub struct Component {
    pub id: String,
    pub name: Option<String>,
    pub kind: Option<String>,
    pub description: Option<String>,
    pub region: Option<String>,
    pub zones: Vec<String>,
    /// Numbers as the topology writes them (checked, normalised).
    pub capacity: Option<String>,
    pub min_capacity: Option<String>,
    pub max_capacity: Option<String>,
    pub load: Option<String>,
    pub restart_time: Option<String>,
    pub restore_time: Option<String>,
    pub depends_on: Vec<Dependency>,
    pub surges: Vec<Surge>,
    pub failover: Option<Failover>,
    pub tags: BTreeMap<String, String>,
}

/// One `depends_on` entry.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Dependency {
    Hard(String),
    Soft(String),
    AnyOf(Vec<String>),
}

#[derive(Debug, Clone)]
pub struct Surge {
    pub when: Option<&'static str>,
    pub target: Option<String>,
    /// `("factor" | "amount", number)`.
    pub effect: (&'static str, String),
}

#[derive(Debug, Clone)]
pub struct Failover {
    pub to: String,
    pub when: Option<&'static str>,
}

#[derive(Debug)]
pub struct Customer {
    pub id: String,
    pub name: String,
    pub weight: Option<String>,
    pub apps: Vec<Component>,
}

/// The topology as YAML, with a header naming what it was imported from.
pub fn to_yaml(topology: &Topology) -> String {
    let mut out = String::new();
    out.push_str(&comment(
        "Imported from a Backstage catalog by `blast import backstage`.",
    ));
    out.push_str(&comment("Do not edit: run the import again. Files read:"));
    for source in &topology.sources {
        out.push_str(&comment(&format!("  {}", source.display())));
    }
    out.push_str("version: 1\n");
    let _ = writeln!(out, "name: {}", quoted(&topology.name));
    if !topology.regions.is_empty() {
        out.push_str("regions:\n");
        for region in &topology.regions {
            let _ = writeln!(out, "  - id: {}", scalar(&region.id));
            list(&mut out, "    ", "zones", &region.zones);
        }
    }
    section(&mut out, "services", &topology.services);
    section(&mut out, "data_stores", &topology.data_stores);
    if !topology.customers.is_empty() {
        out.push_str("customers:\n");
        for customer in &topology.customers {
            let _ = writeln!(out, "  - id: {}", scalar(&customer.id));
            let _ = writeln!(out, "    name: {}", scalar(&customer.name));
            if let Some(weight) = &customer.weight {
                let _ = writeln!(out, "    weight: {weight}");
            }
            out.push_str("    apps:\n");
            for app in &customer.apps {
                component(&mut out, "      ", app);
            }
        }
    }
    out
}

fn section(out: &mut String, key: &str, components: &[Component]) {
    if components.is_empty() {
        return;
    }
    let _ = writeln!(out, "{key}:");
    for c in components {
        component(out, "  ", c);
    }
}

/// `key:` and a block list of ids under it, at `indent`.
fn list(out: &mut String, indent: &str, key: &str, items: &[String]) {
    if items.is_empty() {
        return;
    }
    let _ = writeln!(out, "{indent}{key}:");
    for item in items {
        let _ = writeln!(out, "{indent}  - {}", scalar(item));
    }
}

/// One component, as a list item at `indent`.
fn component(out: &mut String, indent: &str, c: &Component) {
    let inner = format!("{indent}  ");
    let _ = writeln!(out, "{indent}- id: {}", scalar(&c.id));
    let text = [("name", &c.name), ("kind", &c.kind), ("description", &c.description)];
    for (key, value) in text {
        if let Some(value) = value {
            let _ = writeln!(out, "{inner}{key}: {}", scalar(value));
        }
    }
    if let Some(region) = &c.region {
        let _ = writeln!(out, "{inner}region: {}", scalar(region));
    }
    list(out, &inner, "zones", &c.zones);
    let numbers = [
        ("capacity", &c.capacity),
        ("min_capacity", &c.min_capacity),
        ("max_capacity", &c.max_capacity),
        ("load", &c.load),
    ];
    for (key, value) in numbers {
        if let Some(value) = value {
            let _ = writeln!(out, "{inner}{key}: {value}");
        }
    }
    for (key, value) in [("restart_time", &c.restart_time), ("restore_time", &c.restore_time)] {
        if let Some(value) = value {
            let _ = writeln!(out, "{inner}{key}: {}", quoted(value));
        }
    }
    dependencies(out, &inner, &c.depends_on);
    dynamics(out, &inner, c);
    if !c.tags.is_empty() {
        let _ = writeln!(out, "{inner}tags:");
        for (key, value) in &c.tags {
            let _ = writeln!(out, "{inner}  {}: {}", scalar(key), scalar(value));
        }
    }
}

fn dependencies(out: &mut String, indent: &str, dependencies: &[Dependency]) {
    if dependencies.is_empty() {
        return;
    }
    let _ = writeln!(out, "{indent}depends_on:");
    for dependency in dependencies {
        match dependency {
            Dependency::Hard(id) => {
                let _ = writeln!(out, "{indent}  - {}", scalar(id));
            }
            Dependency::Soft(id) => {
                let _ = writeln!(out, "{indent}  - id: {}\n{indent}    mode: soft", scalar(id));
            }
            Dependency::AnyOf(ids) => {
                let _ = writeln!(out, "{indent}  - any_of:");
                for id in ids {
                    let _ = writeln!(out, "{indent}      - {}", scalar(id));
                }
            }
        }
    }
}

fn dynamics(out: &mut String, indent: &str, c: &Component) {
    if !c.surges.is_empty() {
        let _ = writeln!(out, "{indent}surges:");
        for surge in &c.surges {
            let mut lead = "- ";
            if let Some(when) = surge.when {
                let _ = writeln!(out, "{indent}  {lead}when: {when}");
                lead = "  ";
            }
            if let Some(target) = &surge.target {
                let _ = writeln!(out, "{indent}  {lead}target: {}", scalar(target));
                lead = "  ";
            }
            let _ = writeln!(out, "{indent}  {lead}{}: {}", surge.effect.0, surge.effect.1);
        }
    }
    if let Some(failover) = &c.failover {
        let _ = writeln!(out, "{indent}failover:\n{indent}  to: {}", scalar(&failover.to));
        if let Some(when) = failover.when {
            let _ = writeln!(out, "{indent}  when: {when}");
        }
    }
}
