//! `blast explain`: the causal chain from the operation to one component, as data.

use crate::engine::Outcome;
use crate::engine::RecoveryKind;
use crate::error::{Diagnostic, Error, Result, nearest};
use crate::model::{ComponentIdx, Topology};
use crate::plan::Plan;
use crate::report::{RecoveryReport, describe_cause, loop_reports, recovery_report};
use crate::status::Status;
use crate::text::shown;

/// Why one component (or customer) ends up where it does.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    /// When a customer was asked about: its id, status and the app explained.
    pub customer: Option<(String, Status)>,
    pub component: String,
    /// `None` when the component stays ok at every step.
    pub chain: Option<Chain>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Chain {
    pub status: Status,
    /// The step at which it reached `status`.
    pub reached_at: usize,
    /// The step the chain starts from (0: before any step), and its text.
    pub step: usize,
    pub operation: String,
    /// From the origin to the component.
    pub hops: Vec<HopRow>,
    /// Hops left out after the origin of a long chain.
    pub elided: usize,
    /// What a rollback would leave of it, and why.
    pub recovery: RecoveryReport,
    pub recovery_why: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HopRow {
    pub component: String,
    pub status: Status,
    pub because: String,
}

/// Explains `id`: a component, or a customer (through its worst app).
pub fn explain(topology: &Topology, plan: &Plan, outcome: &Outcome, id: &str) -> Result<Explanation> {
    let (target, customer) = match topology.find(id) {
        Some(c) => (c, None),
        None => match topology.find_customer(id) {
            Some(customer) => {
                let app = worst_app(outcome, topology.customer(customer).apps())
                    .ok_or_else(|| Error::usage(Diagnostic::new(format!("customer `{}` has no apps", shown(id)))))?;
                (app, Some((id.to_string(), outcome.worst[app.index()])))
            }
            None => {
                let diagnostic = Diagnostic::new(format!(
                    "`{}` is not a component or customer of `{}`",
                    shown(id),
                    shown(&topology.source().display().to_string())
                ))
                .suggest(nearest(id, topology.component_ids()));
                return Err(Error::usage(diagnostic));
            }
        },
    };
    Ok(Explanation {
        customer,
        component: topology.component(target).id.to_string(),
        chain: chain(topology, plan, outcome, target),
    })
}

/// The worst app, first in file order among equals.
fn worst_app(outcome: &Outcome, apps: impl Iterator<Item = ComponentIdx>) -> Option<ComponentIdx> {
    apps.max_by(|a, b| outcome.worst[a.index()].cmp(&outcome.worst[b.index()]).then(b.cmp(a)))
}

fn chain(topology: &Topology, plan: &Plan, outcome: &Outcome, target: ComponentIdx) -> Option<Chain> {
    let affected = outcome.affected_of(target)?;
    let hops: Vec<HopRow> = affected
        .path
        .iter()
        .map(|hop| HopRow {
            component: topology.component(hop.component).id.to_string(),
            status: hop.status,
            because: describe_cause(topology, plan, hop).detail().to_string(),
        })
        .collect();
    // The chain starts at its origin's step, which may come before the step
    // at which this component reached its worst.
    let step = match affected.path.first().map(|hop| &hop.cause) {
        Some(crate::engine::Cause::Direct { step, .. }) => *step,
        _ => affected.step,
    };
    let recovery = recovery_report(&outcome.recovery.of(target));
    let loops = loop_reports(topology, &outcome.recovery);
    let recovery_why = match recovery.kind {
        RecoveryKind::Rollback => "it recovers as soon as the plan is undone".to_string(),
        RecoveryKind::Restart => format!(
            "it stays {} after a rollback until a restart completes",
            recovery.status_after_rollback
        ),
        RecoveryKind::Restore => format!(
            "it stays {} after a rollback until the deleted data is restored",
            recovery.status_after_rollback
        ),
        RecoveryKind::SelfSustaining => {
            let mut why = format!(
                "load dynamics keep it {} after a rollback with no step left to cause it",
                recovery.status_after_rollback
            );
            if let Some(l) = recovery.sustained_by.and_then(|l| loops.get(l)) {
                why.push_str(&format!(": the loop {}", l.members_text()));
                if let Some(first) = l.shed.first() {
                    why.push_str(&format!(
                        " breaks if {} load is shed on {}",
                        first.amount, first.component
                    ));
                }
            }
            why
        }
    };
    Some(Chain {
        status: affected.status,
        reached_at: affected.step,
        step,
        operation: plan
            .steps
            .get(step.wrapping_sub(1))
            .map_or_else(String::new, |s| s.text.clone()),
        hops,
        elided: affected.path_length.saturating_sub(affected.path.len()),
        recovery,
        recovery_why,
    })
}
