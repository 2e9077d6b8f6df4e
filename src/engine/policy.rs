//! Policy violations (SPEC 4.1): each fails the gate, whatever the statuses.

use serde::Serialize;

use crate::engine::state::{Conditions, State};
use crate::model::{ComponentIdx, Topology};
use crate::number::Exact;
use crate::plan::{Action, Step};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ViolationKind {
    BelowMinCapacity,
    OverMaxCapacity,
    OverRemoval,
    StepTooLarge,
    RequiresApproval,
    UnexpectedScope,
}

impl ViolationKind {
    pub const ALL: [ViolationKind; 6] = [
        ViolationKind::BelowMinCapacity,
        ViolationKind::OverMaxCapacity,
        ViolationKind::OverRemoval,
        ViolationKind::StepTooLarge,
        ViolationKind::RequiresApproval,
        ViolationKind::UnexpectedScope,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ViolationKind::BelowMinCapacity => "below_min_capacity",
            ViolationKind::OverMaxCapacity => "over_max_capacity",
            ViolationKind::OverRemoval => "over_removal",
            ViolationKind::StepTooLarge => "step_too_large",
            ViolationKind::RequiresApproval => "requires_approval",
            ViolationKind::UnexpectedScope => "unexpected_scope",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    pub kind: ViolationKind,
    pub component: Option<ComponentIdx>,
    /// 1-based step index.
    pub step: usize,
    pub message: String,
}

/// What a removal asked of one component, before it was cut to what it had.
pub struct Removal {
    pub component: ComponentIdx,
    pub before: Exact,
    pub wanted: Exact,
}

/// The violations of step `number`: `before` holds each matched component's
/// capacity before the step, `removals` what a removal asked for;
/// `approvals` is sorted.
pub fn violations(
    state: &State,
    number: usize,
    step: &Step,
    before: &[Exact],
    removals: &[Removal],
    approvals: &[ComponentIdx],
) -> Vec<Violation> {
    let topology = state.topology();
    let mut out = Violations {
        number,
        list: Vec::new(),
    };
    for removal in removals {
        out.removal(topology, removal);
    }
    // Every step that changes a capacity and leaves it outside the limits
    // counts, not only the one that crosses them: a second removal from a
    // component already below its minimum is as much a mistake as the first.
    let resizes = matches!(
        step.action,
        Action::RemoveCapacity(_) | Action::AddCapacity(_) | Action::FailZone(_) | Action::FailRegion(_)
    );
    if resizes {
        for (c, before) in step.matched.iter().zip(before) {
            out.limits(topology, *c, before, state.capacity(*c));
        }
    }
    for c in touched(step) {
        let component = topology.component(c);
        if component.extras().guard.requires_approval && approvals.binary_search(&c).is_err() {
            out.push(
                ViolationKind::RequiresApproval,
                Some(c),
                format!(
                    "step {number} touches `{id}`, which requires approval; once approved, pass `--approve {id}` or list it under `approvals`",
                    id = component.id
                ),
            );
        }
    }
    if let Some(expected) = step.expect_matches
        && step.matched.len() as u64 != expected
    {
        out.push(
            ViolationKind::UnexpectedScope,
            None,
            format!(
                "step {number} matched {} component(s) ({}); the plan expected {expected}",
                step.matched.len(),
                some_ids(topology, &step.matched)
            ),
        );
    }
    out.list
}

/// The violations of one step, as they are found.
struct Violations {
    number: usize,
    list: Vec<Violation>,
}

impl Violations {
    fn push(&mut self, kind: ViolationKind, component: Option<ComponentIdx>, message: String) {
        self.list.push(Violation {
            kind,
            component,
            step: self.number,
            message,
        });
    }

    /// `over_removal` and `step_too_large`.
    fn removal(&mut self, topology: &Topology, removal: &Removal) {
        let number = self.number;
        let id = &topology.component(removal.component).id;
        let (wanted, had) = (&removal.wanted, &removal.before);
        if wanted > had {
            self.push(
                ViolationKind::OverRemoval,
                Some(removal.component),
                format!("step {number} removes {wanted} from `{id}`, which has only {had}"),
            );
        }
        // What the removal asks for, before it is cut to what there is.
        if let Some(max) = &topology.component(removal.component).extras().guard.max_step_percent
            && wanted * &Exact::from_int(100) > max * had
        {
            let share = match wanted.scale(&Exact::from_int(100), 1).checked_div(had) {
                Some(percent) => format!("{percent}%"),
                None => "all".to_string(),
            };
            self.push(
                ViolationKind::StepTooLarge,
                Some(removal.component),
                format!(
                    "step {number} removes {share} of `{id}` ({wanted} of {had}) at once; its guard allows at most {max}% per step"
                ),
            );
        }
    }

    /// `below_min_capacity` and `over_max_capacity` of a step that left `c` with `after`.
    fn limits(&mut self, topology: &Topology, c: ComponentIdx, before: &Exact, after: &Exact) {
        let number = self.number;
        let component = topology.component(c);
        if let Some(min) = &component.extras().min_capacity
            && after < min
        {
            self.push(
                ViolationKind::BelowMinCapacity,
                Some(c),
                format!(
                    "step {number} would leave `{}` with {after} of {before} capacity; it needs at least {min}",
                    component.id
                ),
            );
        }
        if let Some(max) = &component.extras().max_capacity
            && after > max
        {
            self.push(
                ViolationKind::OverMaxCapacity,
                Some(c),
                format!(
                    "step {number} would give `{}` capacity {after}; its max_capacity is {max}",
                    component.id
                ),
            );
        }
    }
}

/// The components a step touches for approval: its targets, `from` and
/// `to`, stores and the owners that lose their state. Zone and region steps
/// name no component.
fn touched(step: &Step) -> Vec<ComponentIdx> {
    let mut touched: Vec<ComponentIdx> = match step.action {
        Action::FailZone(_) | Action::FailRegion(_) | Action::Wait(_) => Vec::new(),
        _ => step.matched.clone(),
    };
    match &step.action {
        Action::ShiftLoad { to, .. } => touched.extend(to),
        Action::DeleteData { owners } => touched.extend(owners),
        _ => {}
    }
    touched.sort_unstable();
    touched.dedup();
    touched
}

/// The first five ids, then `...`.
fn some_ids(topology: &Topology, matched: &[ComponentIdx]) -> String {
    let mut ids: Vec<&str> = matched
        .iter()
        .take(5)
        .map(|c| topology.component(*c).id.as_str())
        .collect();
    if matched.len() > 5 {
        ids.push("...");
    }
    ids.join(", ")
}
