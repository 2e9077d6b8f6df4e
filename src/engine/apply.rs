//! What each step does to the what-if state (SPEC section 3's table).

use std::collections::BTreeMap;

use crate::engine::policy::Removal;
use crate::engine::state::{Conditions, DATA_DELETED, FAILED, LOST_STATE, State};
use crate::model::ComponentIdx;
use crate::number::Exact;
use crate::plan::{Action, LoadChange, Step};

/// What policy checks need to know about a step once it is applied.
pub struct Applied {
    /// Each matched component's capacity before the step.
    pub before: Vec<Exact>,
    /// What a removal asked of each component.
    pub removals: Vec<Removal>,
}

/// Applies step `number` (1-based) to `state`.
pub fn apply(state: &mut State, number: usize, step: &Step) -> Applied {
    let before: Vec<Exact> = step.matched.iter().map(|c| state.capacity(*c).clone()).collect();
    let mut removals = Vec::new();
    match &step.action {
        Action::RemoveCapacity(amount) => {
            for (c, had) in step.matched.iter().zip(&before) {
                let wanted = amount.of(had);
                state.remove(*c, &wanted.clone().min(had.clone()), number);
                removals.push(Removal {
                    component: *c,
                    before: had.clone(),
                    wanted,
                });
            }
        }
        Action::AddCapacity(amount) => {
            for (c, had) in step.matched.iter().zip(&before) {
                state.add(*c, &amount.of(had), number);
            }
        }
        Action::Fail => step.matched.iter().for_each(|c| state.set_flag(*c, FAILED, number)),
        Action::Restart => step.matched.iter().for_each(|c| state.restart(*c, number)),
        Action::FailZone(zone) => state.fail_zones(&[*zone], &step.matched, number),
        Action::FailRegion(region) => {
            let zones = state.topology().region(*region).zones.clone();
            state.fail_zones(&zones, &step.matched, number);
        }
        Action::AddLoad(change) => {
            for c in &step.matched {
                let load = state.base_load(*c);
                let raised = match change {
                    LoadChange::Factor(f) => load * f,
                    LoadChange::Amount(a) => load + a,
                };
                state.set_base_load(*c, raised, number);
            }
        }
        Action::ShiftLoad { to, percent } => shift_load(state, number, &step.matched, to, percent),
        Action::DeleteData { owners } => {
            step.matched
                .iter()
                .for_each(|c| state.set_flag(*c, DATA_DELETED, number));
            owners.iter().for_each(|c| state.set_flag(*c, LOST_STATE, number));
        }
        Action::Wait(duration) => state.wait(*duration, number),
    }
    Applied { before, removals }
}

/// Moves `percent` of every `from` load, all at once: every share is taken
/// from the loads before the step, then split evenly over `to`.
fn shift_load(state: &mut State, number: usize, from: &[ComponentIdx], to: &[ComponentIdx], percent: &Exact) {
    let shares: Vec<Exact> = from.iter().map(|c| state.base_load(*c).scale(percent, 100)).collect();
    let moved: Exact = shares.iter().sum();
    let each = moved.checked_div(&Exact::from_int(to.len() as i64)).unwrap_or_default();
    let mut next: BTreeMap<ComponentIdx, Exact> = BTreeMap::new();
    for (c, share) in from.iter().zip(&shares) {
        next.insert(*c, state.base_load(*c) - share);
    }
    for t in to {
        let load = next.entry(*t).or_insert_with(|| state.base_load(*t).clone());
        *load = &*load + &each;
    }
    for (c, load) in next {
        state.set_base_load(c, load, number);
    }
}
