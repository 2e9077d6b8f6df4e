//! `blast spof`: what each component's, zone's and region's failure alone
//! takes down.
//!
//! The result for a component X equals `blast check --op 'fail X'`, for a
//! zone Z `blast check --op 'fail-zone Z'`, for a region R `blast check --op
//! 'fail-region R'`. Each is computed on an [`Overlay`], so each unit costs
//! what its failure changes, not a full propagation.

use crate::analysis::{Impact, ImpactCounter};
use crate::engine::overlay::Overlay;
use crate::model::{ComponentIdx, RegionIdx, Topology, ZoneIdx};
use crate::status::Status;

/// What fails: a component, a whole zone or a whole region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Unit {
    Component(ComponentIdx),
    Zone(ZoneIdx),
    Region(RegionIdx),
}

impl Unit {
    /// The unit's id in the topology file.
    pub fn id(self, topology: &Topology) -> &str {
        match self {
            Unit::Component(c) => &topology.component(c).id,
            Unit::Zone(z) => &topology.zone(z).id,
            Unit::Region(r) => &topology.region(r).id,
        }
    }

    /// `component`, `zone` or `region`.
    pub fn kind(self) -> &'static str {
        match self {
            Unit::Component(_) => "component",
            Unit::Zone(_) => "zone",
            Unit::Region(_) => "region",
        }
    }

    /// The id as a reader names it: a component's bare id, `zone Z`,
    /// `region R` (ids of zones need not differ from component ids).
    pub fn label(self, topology: &Topology) -> String {
        match self {
            Unit::Component(_) => self.id(topology).to_string(),
            _ => format!("{} {}", self.kind(), self.id(topology)),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SpofEntry {
    pub unit: Unit,
    pub impact: Impact,
}

/// What `spof` ranks and counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Rank customer apps too (each takes at least its own customer down,
    /// which says nothing about redundancy, so they are left out by default).
    pub include_apps: bool,
    /// The status at which a customer counts in `hit_customers`.
    pub threshold: Status,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            include_apps: false,
            threshold: Status::Down,
        }
    }
}

/// The units `options` asks for: components (apps only if asked), then
/// zones, then regions.
pub fn units(topology: &Topology, options: &Options) -> Vec<Unit> {
    let components = topology
        .component_indices()
        .filter(|c| options.include_apps || topology.component(*c).customer.is_none())
        .map(Unit::Component);
    components
        .chain(topology.zone_indices().map(Unit::Zone))
        .chain(topology.region_indices().map(Unit::Region))
        .collect()
}

/// Every component that is not an app, every zone and every region,
/// ranked: customer weight down, then weight degraded, then id.
pub fn spof(topology: &Topology, progress: impl FnMut(usize, usize)) -> Vec<SpofEntry> {
    spof_with(topology, &Options::default(), progress)
}

/// As [`spof`], with the units and threshold `options` give.
pub fn spof_with(topology: &Topology, options: &Options, mut progress: impl FnMut(usize, usize)) -> Vec<SpofEntry> {
    let units = units(topology, options);
    let mut overlay = Overlay::new(topology);
    let mut counter = ImpactCounter::new(&overlay, options.threshold);
    let placed = placed_by_zone(topology);
    let total = units.len();
    let mut entries = Vec::with_capacity(total);
    for (i, unit) in units.into_iter().enumerate() {
        match unit {
            Unit::Component(c) => overlay.fail(&[c]),
            Unit::Zone(z) => overlay.fail_zones(&[z], &placed_in(&placed, &[z])),
            Unit::Region(r) => {
                let zones = &topology.region(r).zones;
                overlay.fail_zones(zones, &placed_in(&placed, zones));
            }
        }
        entries.push(SpofEntry {
            unit,
            impact: counter.measure(&overlay),
        });
        overlay.reset();
        if i % 1024 == 0 {
            progress(i, total);
        }
    }
    rank(topology, &mut entries);
    entries
}

/// Per zone, the components with a placement in it, in index order.
fn placed_by_zone(topology: &Topology) -> Vec<Vec<ComponentIdx>> {
    let mut placed = vec![Vec::new(); topology.zones().len()];
    for c in topology.component_indices() {
        for p in topology.placements_of(c) {
            if let Some(z) = p.zone {
                placed[z.index()].push(c);
            }
        }
    }
    placed
}

/// The components placed in any of `zones`, each once, in index order: what
/// a `fail-zone`/`fail-region` step matches.
fn placed_in(placed: &[Vec<ComponentIdx>], zones: &[ZoneIdx]) -> Vec<ComponentIdx> {
    let mut out: Vec<ComponentIdx> = zones.iter().flat_map(|z| placed[z.index()].iter().copied()).collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Customer weight down, then weight degraded (both descending), then id,
/// then the kind of unit, so that equal ids still sort one way.
pub fn rank(topology: &Topology, entries: &mut [SpofEntry]) {
    entries.sort_by(|a, b| {
        b.impact
            .customers
            .down_weight
            .cmp(&a.impact.customers.down_weight)
            .then_with(|| {
                b.impact
                    .customers
                    .degraded_weight
                    .cmp(&a.impact.customers.degraded_weight)
            })
            .then_with(|| a.unit.id(topology).cmp(b.unit.id(topology)))
            .then_with(|| a.unit.cmp(&b.unit))
    });
}
