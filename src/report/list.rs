//! `blast list`: what a topology holds, as data, so a user can write an
//! `--op` without reading the YAML.

use serde::Serialize;

use crate::model::Topology;
use crate::report::SCHEMA_VERSION;

#[derive(Debug, Clone, Serialize)]
pub struct Listing {
    pub schema_version: u32,
    pub components: Vec<ListedComponent>,
    pub regions: Vec<ListedRegion>,
    pub customers: Vec<ListedCustomer>,
    pub scenarios: Vec<ListedScenario>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ListedComponent {
    pub id: String,
    pub kind: String,
    /// The section it is declared in: `services`, `s3_subsystems`,
    /// `load_balancers`, `data_stores` or `apps`.
    pub section: &'static str,
    pub region: Option<String>,
    pub zones: Vec<String>,
    /// For a customer app, its customer.
    pub customer: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ListedRegion {
    pub id: String,
    pub name: Option<String>,
    pub zones: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ListedCustomer {
    pub id: String,
    pub name: Option<String>,
    pub weight: crate::number::Exact,
    pub apps: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ListedScenario {
    pub name: String,
    pub description: Option<String>,
    pub steps: usize,
}

/// What to list: ids (and scenario names) matching `pattern`, components of `kind`.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub pattern: Option<glob::Pattern>,
    pub kind: Option<String>,
}

impl Filter {
    fn id(&self, id: &str) -> bool {
        self.pattern.as_ref().is_none_or(|p| p.matches(id))
    }
}

fn section_name(section: crate::model::Section) -> &'static str {
    use crate::model::Section;
    match section {
        Section::Service => "services",
        Section::S3Subsystem => "s3_subsystems",
        Section::LoadBalancer => "load_balancers",
        Section::DataStore => "data_stores",
        Section::App => "apps",
    }
}

/// The listing of `topology` under `filter`, each part in file order. With
/// `--kind`, only components are listed.
pub fn list(topology: &Topology, filter: &Filter) -> Listing {
    let components = topology
        .component_indices()
        .filter(|c| {
            let component = topology.component(*c);
            filter.id(&component.id) && filter.kind.as_ref().is_none_or(|k| **k == *component.kind)
        })
        .map(|c| {
            let component = topology.component(c);
            ListedComponent {
                id: component.id.to_string(),
                kind: component.kind.to_string(),
                section: section_name(component.section),
                region: topology.region_id_of(c).map(str::to_string),
                zones: topology
                    .placements_of(c)
                    .iter()
                    .filter_map(|p| p.zone.map(|z| topology.zone(z).id.clone()))
                    .collect(),
                customer: component.customer.map(|k| topology.customer(k).id.to_string()),
            }
        })
        .collect();
    let others = filter.kind.is_none();
    Listing {
        schema_version: SCHEMA_VERSION,
        components,
        regions: topology
            .regions()
            .iter()
            .filter(|r| others && filter.id(&r.id))
            .map(|r| ListedRegion {
                id: r.id.clone(),
                name: r.name.clone(),
                zones: r.zones.iter().map(|z| topology.zone(*z).id.clone()).collect(),
            })
            .collect(),
        customers: topology
            .customers()
            .iter()
            .filter(|c| others && filter.id(&c.id))
            .map(|c| ListedCustomer {
                id: c.id.to_string(),
                name: c.name.clone(),
                weight: c.weight.clone(),
                apps: c.apps().map(|a| topology.component(a).id.to_string()).collect(),
            })
            .collect(),
        scenarios: topology
            .scenarios()
            .iter()
            .filter(|s| others && filter.id(&s.name))
            .map(|s| ListedScenario {
                name: s.name.clone(),
                description: s.plan.value.description.clone(),
                steps: s.plan.value.steps.len(),
            })
            .collect(),
    }
}
