//! Applying a plan on paper and propagating its effect (SPEC sections 3-4).
//!
//! Each step changes the what-if [`State`] ([`apply`]), is checked against
//! the policies ([`policy`]), and is followed by a propagation with load
//! dynamics ([`propagate`]); components that reach a worse status than at
//! any earlier step are recorded with the chain of causes that got them
//! there ([`causes`]). After the last step, [`recovery`] asks what undoing
//! the plan would leave. [`overlay`] answers many small "what if these
//! fail" queries on the baseline, for `spof` and `cuts`.

pub mod apply;
pub mod causes;
mod dependence;
pub mod overlay;
pub mod policy;
pub mod propagate;
pub mod recovery;
pub mod state;

#[cfg(test)]
mod tests;

pub use causes::{Cause, Hop};
pub use policy::{Violation, ViolationKind};
pub use propagate::{Propagator, evaluate_group};
pub use recovery::{Recovery, RecoveryKind};
pub use state::{Conditions, Reason, State};

use crate::engine::causes::Chains;
use crate::model::{ComponentIdx, Topology};
use crate::number::Exact;
use crate::plan::Plan;
use crate::status::Status;

/// A component that is not ok at some step: its worst status and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Affected {
    pub component: ComponentIdx,
    pub status: Status,
    /// The step (1-based) at which it first reached `status`.
    pub step: usize,
    /// From the origin (a direct cause) to this component. Long chains keep
    /// the origin and the last [`MAX_PATH`]` - 1` hops; see `path_length`.
    pub path: Vec<Hop>,
    /// Hops in the whole chain; more than `path.len()` when the middle was left out.
    pub path_length: usize,
    /// Base and effective load at that step.
    pub load: (Exact, Exact),
}

/// The most hops an [`Affected`] keeps: output stays linear in the number of
/// affected components, whatever the depth of the graph.
pub const MAX_PATH: usize = 50;

impl Affected {
    /// The last hop's cause: what raised the component itself.
    pub fn cause(&self) -> Option<&Cause> {
        self.path.last().map(|hop| &hop.cause)
    }
}

/// Everything a plan does, step by step, and what a rollback would leave.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Worst status per component over all steps.
    pub worst: Vec<Status>,
    /// Components that are not ok at some step, in component order.
    pub affected: Vec<Affected>,
    pub violations: Vec<Violation>,
    /// What undoing the plan would leave (SPEC 4.4).
    pub recovery: Recovery,
    /// Statuses before any operation: computed once, shared by recovery
    /// and the report.
    pub baseline: Vec<Status>,
}

impl Outcome {
    pub fn affected_of(&self, idx: ComponentIdx) -> Option<&Affected> {
        self.affected
            .binary_search_by_key(&idx, |a| a.component)
            .ok()
            .map(|i| &self.affected[i])
    }
}

/// The statuses of the topology with no operation applied, dynamics
/// included (components may start degraded, for example when overloaded).
pub fn baseline(topology: &Topology) -> Vec<Status> {
    let state = State::new(topology);
    let mut propagator = Propagator::new(topology, true, false);
    propagator.start(&state, None);
    propagator.into_statuses()
}

/// Applies every step of the plan in order, evaluating after each.
pub fn run(topology: &Topology, plan: &Plan) -> Outcome {
    let mut state = State::new(topology);
    let n = topology.components().len();
    let mut worst = vec![Status::Ok; n];
    let mut slot: Vec<u32> = vec![u32::MAX; n];
    let mut affected: Vec<Affected> = Vec::new();
    let mut violations = Vec::new();
    for (i, step) in plan.steps.iter().enumerate() {
        let number = i + 1;
        let applied = apply::apply(&mut state, number, step);
        violations.extend(policy::violations(
            &state,
            number,
            step,
            &applied.before,
            &applied.removals,
            &plan.approvals,
        ));
        let mut propagator = Propagator::new(topology, true, true);
        propagator.start(&state, None);
        let mut chains = Chains::default();
        for c in topology.component_indices() {
            let s = propagator.status(c);
            if s <= worst[c.index()] {
                continue;
            }
            worst[c.index()] = s;
            let (path, path_length) = chains.path(&propagator, &state, c, s);
            let base = state.base_load(c).clone();
            let effective = &base + &propagator.extra_load(c);
            let record = Affected {
                component: c,
                status: s,
                step: number,
                path,
                path_length,
                load: (base, effective),
            };
            match slot[c.index()] {
                u32::MAX => {
                    slot[c.index()] = affected.len() as u32;
                    affected.push(record);
                }
                at => affected[at as usize] = record,
            }
        }
    }
    affected.sort_unstable_by_key(|a| a.component);
    violations.sort_by_key(|v| (v.step, v.kind, v.component));
    let baseline = baseline(topology);
    let recovery = recovery::recover(topology, &state, &worst, &baseline);
    Outcome {
        worst,
        affected,
        violations,
        recovery,
        baseline,
    }
}
