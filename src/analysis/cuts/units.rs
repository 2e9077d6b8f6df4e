//! Failure units (components, zones, regions) as numbers, and the engine's
//! answer for a set of them.

use crate::analysis::cuts::Member;
use crate::engine::overlay::Overlay;
use crate::model::{ComponentIdx, RegionIdx, Topology, ZoneIdx};
use crate::status::Status;

/// Components are numbered first, then zones, then regions, so sorting
/// units sorts a set's components before its zones and regions.
#[derive(Debug, Clone, Copy)]
pub(super) struct Units {
    components: u32,
    zones: u32,
}

impl Units {
    pub fn new(topology: &Topology) -> Units {
        Units {
            components: topology.components().len() as u32,
            zones: topology.zones().len() as u32,
        }
    }

    pub fn component(self, c: ComponentIdx) -> u32 {
        c.index() as u32
    }

    pub fn zone(self, z: ZoneIdx) -> u32 {
        self.components + z.index() as u32
    }

    pub fn region(self, r: RegionIdx) -> u32 {
        self.components + self.zones + r.index() as u32
    }

    pub fn member(self, u: u32) -> Member {
        if u < self.components {
            Member::Component(ComponentIdx::new(u as usize))
        } else if u < self.components + self.zones {
            Member::Zone(ZoneIdx::new((u - self.components) as usize))
        } else {
            Member::Region(RegionIdx::new((u - self.components - self.zones) as usize))
        }
    }
}

/// Asks the overlay what a set of failed units does, keeping the last set
/// applied: the search asks several questions about the same set in a row.
pub(super) struct Probe<'o, 't> {
    overlay: &'o mut Overlay<'t>,
    units: Units,
    applied: Option<Vec<u32>>,
}

impl<'o, 't> Probe<'o, 't> {
    pub fn new(overlay: &'o mut Overlay<'t>) -> Self {
        let units = Units::new(overlay.topology());
        Probe {
            overlay,
            units,
            applied: None,
        }
    }

    /// The overlay with the last set applied.
    pub fn current(&self) -> &Overlay<'t> {
        self.overlay
    }

    /// Fails exactly `set` on top of the baseline.
    pub fn apply(&mut self, set: &[u32]) {
        if self.applied.as_deref() == Some(set) {
            return;
        }
        self.overlay.reset();
        let topology = self.overlay.topology();
        let mut components = Vec::new();
        let mut zones = Vec::new();
        for u in set {
            match self.units.member(*u) {
                Member::Component(c) => components.push(c),
                Member::Zone(z) => zones.push(z),
                Member::Region(r) => zones.extend(topology.region(r).zones.iter().copied()),
            }
        }
        zones.sort_unstable();
        zones.dedup();
        self.overlay.fail_with_zones(&components, &zones);
        self.applied = Some(set.to_vec());
    }

    pub fn status(&mut self, set: &[u32], c: ComponentIdx) -> Status {
        self.apply(set);
        self.overlay.status(c)
    }

    pub fn any_down(&mut self, set: &[u32], targets: &[ComponentIdx]) -> bool {
        self.apply(set);
        targets.iter().any(|t| self.overlay.status(*t) == Status::Down)
    }
}
