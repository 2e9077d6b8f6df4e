//! `blast spof`: what each component's failure alone takes down.
//!
//! The result for X equals `blast check --op 'fail X'`; it is computed on an
//! [`Overlay`], so each component costs what its failure changes, not a full
//! propagation.

use crate::analysis::{Impact, ImpactCounter};
use crate::engine::overlay::Overlay;
use crate::model::{ComponentIdx, Topology};
use crate::status::Status;

#[derive(Debug, Clone, PartialEq)]
pub struct SpofEntry {
    pub component: ComponentIdx,
    pub impact: Impact,
}

/// Every component, ranked: customer weight down, then weight degraded, then id.
pub fn spof(topology: &Topology, progress: impl FnMut(usize, usize)) -> Vec<SpofEntry> {
    spof_with_threshold(topology, Status::Down, progress)
}

/// As [`spof`], with `hit_customers` counting customers brought to `threshold`.
pub fn spof_with_threshold(
    topology: &Topology,
    threshold: Status,
    mut progress: impl FnMut(usize, usize),
) -> Vec<SpofEntry> {
    let mut overlay = Overlay::new(topology);
    let mut counter = ImpactCounter::new(&overlay, threshold);
    let total = topology.components().len();
    let mut entries = Vec::with_capacity(total);
    for c in topology.component_indices() {
        overlay.fail(&[c]);
        entries.push(SpofEntry {
            component: c,
            impact: counter.measure(&overlay),
        });
        overlay.reset();
        if c.index() % 1024 == 0 {
            progress(c.index(), total);
        }
    }
    rank(topology, &mut entries);
    entries
}

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
            .then_with(|| {
                topology
                    .component(a.component)
                    .id
                    .cmp(&topology.component(b.component).id)
            })
    });
}
