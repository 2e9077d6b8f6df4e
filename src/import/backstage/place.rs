//! Regions, zones and customers: what Backstage has no notion of, built
//! from annotations (or Systems) once every component's id is known, since
//! regions, zones, customers and components share one id space.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use crate::error::Diagnostic;
use crate::import::Warnings;
use crate::import::backstage::catalog::{Kind, RefText};
use crate::import::backstage::emit::{Component, Customer, Dependency, Region};
use crate::import::backstage::map::Index;
use crate::input::raw::At;
use crate::number::Exact;
use crate::text::shown;

/// Where one component asked to be: the file its entity is in, its
/// `region` and `zones` annotations.
pub struct Placement {
    pub file: PathBuf,
    pub region: Option<At<String>>,
    pub zones: Vec<At<String>>,
}

/// Places each component (`placements[i]` is `components[i]`'s) and builds
/// the regions: each region's zones are those its components name, sorted;
/// a region none names a zone of gets one, `REGION-a`. A component without a
/// region goes to `default_region`, or stays global.
pub fn regions(
    components: &mut [Component],
    placements: &[Placement],
    default_region: Option<&str>,
    w: &mut Warnings,
) -> Vec<Region> {
    let used: BTreeSet<String> = components.iter().map(|c| c.id.clone()).collect();
    let chosen: Vec<Option<String>> = placements
        .iter()
        .map(|p| region_of(p, default_region, &used, w))
        .collect();
    let names: BTreeSet<String> = chosen.iter().flatten().cloned().collect();
    let mut zone_region: BTreeMap<String, String> = BTreeMap::new();
    for ((component, placement), region) in components.iter_mut().zip(placements).zip(chosen) {
        match &region {
            Some(region) => {
                component.zones = zones(component, placement, region, (&used, &names), &mut zone_region, w);
            }
            None => {
                if let Some(first) = placement.zones.first() {
                    let message = format!("the zones of `{}` have no region: ignored", component.id);
                    let help = "annotate `blast-radius.dev/region` too, or pass --default-region";
                    w.at_help(&placement.file, first.pos, message, help);
                }
            }
        }
        component.region = region;
    }
    names
        .iter()
        .map(|name| {
            let mut zones: Vec<String> = zone_region
                .iter()
                .filter(|(_, r)| *r == name)
                .map(|(z, _)| z.clone())
                .collect();
            if zones.is_empty() {
                let mut zone = format!("{name}-a");
                while used.contains(&zone) || names.contains(&zone) || zone_region.contains_key(&zone) {
                    zone.push_str("-a");
                }
                zones.push(zone);
            }
            Region {
                id: name.clone(),
                zones,
            }
        })
        .collect()
}

/// The region a component goes to, unless its id is taken by a component.
fn region_of(p: &Placement, default_region: Option<&str>, used: &BTreeSet<String>, w: &mut Warnings) -> Option<String> {
    let region = match &p.region {
        Some(r) => r.value.clone(),
        None => default_region?.to_string(),
    };
    if used.contains(&region) {
        let message = format!("region `{region}` has the id of a component: the region is ignored");
        let help = "rename the region: regions, zones and components share one id space";
        match &p.region {
            Some(at) => w.at_help(&p.file, at.pos, message, help),
            None => w.push(Diagnostic::new(format!("--default-region: {message}")).help(help)),
        }
        return None;
    }
    Some(region)
}

/// The zones a component in `region` keeps, sorted: not the id of a
/// component or region (`taken`), and not already in another region.
fn zones(
    component: &Component,
    placement: &Placement,
    region: &str,
    taken: (&BTreeSet<String>, &BTreeSet<String>),
    zone_region: &mut BTreeMap<String, String>,
    w: &mut Warnings,
) -> Vec<String> {
    let mut out = Vec::new();
    for zone in &placement.zones {
        let problem = if taken.0.contains(&zone.value) || taken.1.contains(&zone.value) {
            Some("has the id of a component or region".to_string())
        } else {
            match zone_region.get(&zone.value) {
                Some(other) if other != region => Some(format!("is in region `{other}` already")),
                _ => None,
            }
        };
        match problem {
            Some(problem) => {
                let message = format!("zone `{}` of `{}` {problem}: ignored", zone.value, component.id);
                w.at(&placement.file, zone.pos, message);
            }
            None => {
                zone_region.insert(zone.value.clone(), region.to_string());
                out.push(zone.value.clone());
            }
        }
    }
    out.sort();
    out
}

/// Every id of the topology so far, for customers to stay clear of.
fn used_ids(components: &[&Component], regions: &[Region]) -> BTreeSet<String> {
    let mut used: BTreeSet<String> = components.iter().map(|c| c.id.clone()).collect();
    for region in regions {
        used.insert(region.id.clone());
        used.extend(region.zones.iter().cloned());
    }
    used
}

/// A customer's id: its name, or `customer:NAME` when a component, region
/// or zone has that id.
fn customer_id(name: &str, used: &BTreeSet<String>) -> String {
    if used.contains(name) {
        format!("customer:{name}")
    } else {
        name.to_string()
    }
}

/// One app per component a customer uses, `CUSTOMER/COMPONENT`, depending
/// hard on the component: the component stays where the catalog put it.
fn apps(customer: &str, components: &BTreeSet<String>) -> Vec<Component> {
    components
        .iter()
        .map(|component| Component {
            id: format!("{customer}/{component}"),
            depends_on: vec![Dependency::Hard(component.clone())],
            ..Component::default()
        })
        .collect()
}

/// What the `customer` annotations of one component say.
pub struct Marked {
    pub file: PathBuf,
    pub component: String,
    pub customers: Vec<(At<String>, Option<Exact>)>,
}

/// Customers from `blast-radius.dev/customer` annotations. A customer named
/// on several entities with different weights gets the largest.
pub fn annotated(components: &[&Component], regions: &[Region], marked: &[Marked], w: &mut Warnings) -> Vec<Customer> {
    let mut customers: BTreeMap<String, (Option<Exact>, BTreeSet<String>)> = BTreeMap::new();
    for mark in marked {
        for (name, weight) in &mark.customers {
            let entry = customers.entry(name.value.clone()).or_default();
            if let (Some(old), Some(new)) = (&entry.0, weight)
                && old != new
            {
                let message = format!(
                    "customer `{}` has weight {old} elsewhere and {new} here: the larger is kept",
                    name.value
                );
                w.at(&mark.file, name.pos, message);
            }
            entry.0 = match (entry.0.take(), weight.clone()) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            };
            entry.1.insert(mark.component.clone());
        }
    }
    let used = used_ids(components, regions);
    customers
        .into_iter()
        .map(|(name, (weight, members))| {
            let id = customer_id(&name, &used);
            Customer {
                apps: apps(&id, &members),
                id,
                name,
                weight: weight.map(|w| w.to_string()),
            }
        })
        .collect()
}

/// One customer per System that has Components, those Components its apps.
pub fn per_system(components: &[&Component], regions: &[Region], index: &Index, w: &mut Warnings) -> Vec<Customer> {
    let mut members: BTreeMap<_, BTreeSet<String>> = BTreeMap::new();
    for (entity, id) in index.components.values() {
        let Some(system) = &entity.spec.system else {
            continue;
        };
        if entity.kind != Kind::Component {
            continue;
        }
        if let Some(parsed) = RefText::parse(&system.value, &entity.namespace) {
            let reference = parsed.with_kind(Kind::System);
            if index.systems.contains_key(&reference) {
                members.entry(reference).or_default().insert(id.clone());
            }
        }
    }
    let mut names: BTreeMap<String, usize> = BTreeMap::new();
    for reference in members.keys() {
        *names.entry(reference.name.clone()).or_default() += 1;
    }
    let used = used_ids(components, regions);
    let mut out = Vec::new();
    for (reference, apps_of) in members {
        let Some(system) = index.systems.get(&reference) else {
            continue;
        };
        let base = if names.get(&reference.name) == Some(&1) {
            system.name.clone()
        } else {
            reference.to_string()
        };
        let id = customer_id(&base, &used);
        let title = system.title.as_ref().map(|t| t.value.trim().to_string());
        let name = match title.filter(|t| !t.is_empty()) {
            Some(t) if crate::limits::forbidden_character(&t, false).is_none() => t,
            Some(_) => {
                let message = format!("the title of `{reference}` holds a control character: its name is used");
                w.at(&system.file, system.pos, message);
                system.name.clone()
            }
            None => system.name.clone(),
        };
        out.push(Customer {
            apps: apps(&id, &apps_of),
            id,
            name: shown(&name),
            weight: None,
        });
    }
    out
}
