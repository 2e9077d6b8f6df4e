//! The verdict of `blast check` and everything it is based on, as plain data.
//!
//! [`Report`] is what the JSON output serializes (schema version 1, documented
//! field by field in the README); the table and markdown renderers read the
//! same struct, so the formats cannot disagree.

use serde::Serialize;

use crate::engine::{Affected, Cause, Hop, Outcome, ViolationKind};
use crate::model::{Rule, Section, Topology};
use crate::plan::Plan;
use crate::status::{FailOn, Status};
use crate::text::fmt_weight;

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Pass,
    Fail,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema_version: u32,
    pub verdict: Verdict,
    pub fail_on: FailOn,
    pub summary: Summary,
    pub plan: PlanInfo,
    pub steps: Vec<StepReport>,
    pub violations: Vec<ViolationReport>,
    pub customers: Vec<CustomerReport>,
    pub components: Vec<ComponentReport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// The one-line verdict, as printed first by the table format.
    pub text: String,
    pub customers: Counts,
    /// Components other than customer apps.
    pub services: Counts,
    pub violations: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Counts {
    pub down: usize,
    pub degraded: usize,
    pub at_risk: usize,
    /// Total customer weight at each status (zero for services).
    pub down_weight: f64,
    pub degraded_weight: f64,
    pub at_risk_weight: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlanInfo {
    /// `scenario NAME`, `plan FILE` or `inline`.
    pub source: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StepReport {
    pub step: usize,
    pub kind: &'static str,
    /// The step in the inline `--op` grammar.
    pub operation: String,
    pub matched: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ViolationReport {
    pub kind: ViolationKind,
    pub component: Option<String>,
    pub step: usize,
    pub message: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CustomerReport {
    pub id: String,
    pub name: Option<String>,
    pub status: Status,
    pub weight: f64,
    pub affected_apps: Vec<AppReport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AppReport {
    pub id: String,
    pub status: Status,
}

#[derive(Debug, Clone, Serialize)]
pub struct ComponentReport {
    pub id: String,
    pub kind: String,
    pub region: Option<String>,
    pub status: Status,
    /// The step at which it first reached `status`.
    pub step: usize,
    pub cause: CauseReport,
    /// Ids from the origin of the effect to this component, at `step`. A chain
    /// longer than 50 keeps the origin and the last 49 ids.
    pub path: Vec<String>,
    /// Ids left out between the origin and the rest of `path` (usually 0).
    pub path_elided: usize,
    /// What started the chain: the first id of `path` and the step that raised it.
    pub origin: OriginReport,
}

#[derive(Debug, Clone, Serialize)]
pub struct OriginReport {
    pub component: String,
    /// The step that changed it (0: it was so before any step).
    pub step: usize,
    pub reason: &'static str,
    pub detail: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CauseReport {
    /// Its own state: `step` changed it (0: it was so before any step).
    Step {
        step: usize,
        reason: &'static str,
        detail: String,
    },
    /// A dependency entry whose members put it at its status.
    Dependency {
        rule: &'static str,
        on: String,
        on_status: Status,
        detail: String,
    },
}

impl ComponentReport {
    /// The path as text, with the left-out middle of a long chain marked.
    pub fn path_text(&self, arrow: &str) -> String {
        match (self.path_elided, self.path.split_first()) {
            (0, _) | (_, None) => self.path.join(arrow),
            (n, Some((origin, rest))) => format!("{origin}{arrow}({n} more){arrow}{}", rest.join(arrow)),
        }
    }
}

impl CauseReport {
    pub fn detail(&self) -> &str {
        match self {
            CauseReport::Step { detail, .. } | CauseReport::Dependency { detail, .. } => detail,
        }
    }
}

/// Renders a hop's cause as words, e.g. "hard dependency on `s3.index`, which is down".
pub fn describe_cause(topology: &Topology, plan: &Plan, hop: &Hop) -> CauseReport {
    match hop.cause {
        Cause::Direct { step, reason } => {
            let origin = match step {
                0 => "before any step".to_string(),
                n => format!("step {n} ({})", plan.steps.get(n - 1).map_or("", |s| s.text.as_str())),
            };
            CauseReport::Step {
                step,
                reason: reason.code(),
                detail: format!("{origin}: {}", reason.describe(topology)),
            }
        }
        Cause::Dependency { group, via, via_status } => {
            let entry = topology.group(group);
            let via_id = &topology.component(via).id;
            let members: Vec<&str> = topology
                .members_of(group)
                .iter()
                .map(|m| topology.component(*m).id.as_str())
                .collect();
            let (rule, detail) = match entry.rule {
                Rule::Hard => ("hard", format!("hard dependency on `{via_id}`, which is {via_status}")),
                Rule::Soft => ("soft", format!("soft dependency on `{via_id}`, which is {via_status}")),
                Rule::Quorum { k, any_of } => {
                    let (rule, head) = if any_of {
                        ("any_of", format!("any_of [{}]", members.join(", ")))
                    } else {
                        ("quorum", format!("quorum {k} of [{}]", members.join(", ")))
                    };
                    let what = match hop.status {
                        Status::Down => format!("fewer than {k} up"),
                        Status::Degraded => format!("fewer than {k} healthy"),
                        _ => "lost redundancy".to_string(),
                    };
                    (rule, format!("{head}: {what} (`{via_id}` is {via_status})"))
                }
            };
            CauseReport::Dependency {
                rule,
                on: via_id.clone(),
                on_status: via_status,
                detail,
            }
        }
    }
}

fn component_report(topology: &Topology, plan: &Plan, affected: &Affected) -> ComponentReport {
    let component = topology.component(affected.component);
    let last = affected.path.last();
    ComponentReport {
        id: component.id.clone(),
        kind: component.kind.to_string(),
        region: topology.region_id_of(affected.component).map(str::to_string),
        status: affected.status,
        step: affected.step,
        cause: last.map_or_else(
            || CauseReport::Step {
                step: affected.step,
                reason: "failed",
                detail: String::new(),
            },
            |hop| describe_cause(topology, plan, hop),
        ),
        path: affected
            .path
            .iter()
            .map(|h| topology.component(h.component).id.clone())
            .collect(),
        path_elided: affected.path_length.saturating_sub(affected.path.len()),
        origin: origin_report(topology, plan, affected),
    }
}

fn count_phrase(counts: &Counts, noun: &str, weights: bool) -> String {
    let mut parts = Vec::new();
    for (n, label, weight) in [
        (counts.down, "down", counts.down_weight),
        (counts.degraded, "degraded", counts.degraded_weight),
        (counts.at_risk, "at risk", counts.at_risk_weight),
    ] {
        if n == 0 {
            continue;
        }
        let mut part = if parts.is_empty() {
            format!("{n} {noun}{} {label}", if n == 1 { "" } else { "s" })
        } else {
            format!("{n} {label}")
        };
        if weights && label == "down" {
            part.push_str(&format!(" ({} weight)", fmt_weight(weight)));
        }
        parts.push(part);
    }
    if parts.is_empty() {
        format!("no {noun} affected")
    } else {
        parts.join(", ")
    }
}

impl Counts {
    pub fn add(&mut self, status: Status, weight: f64) {
        tally(self, status, weight, 1);
    }

    pub fn remove(&mut self, status: Status, weight: f64) {
        tally(self, status, weight, -1);
    }

    /// Components or customers not ok.
    pub fn affected(&self) -> usize {
        self.down + self.degraded + self.at_risk
    }
}

fn tally(counts: &mut Counts, status: Status, weight: f64, sign: i8) {
    let (count, total) = match status {
        Status::Down => (&mut counts.down, &mut counts.down_weight),
        Status::Degraded => (&mut counts.degraded, &mut counts.degraded_weight),
        Status::AtRisk => (&mut counts.at_risk, &mut counts.at_risk_weight),
        Status::Ok => return,
    };
    if sign > 0 {
        *count += 1;
        *total += weight;
    } else {
        *count -= 1;
        *total -= weight;
    }
}

/// Builds the report of a plan's outcome.
pub fn build(topology: &Topology, plan: &Plan, source: String, outcome: &Outcome, fail_on: FailOn) -> Report {
    let steps = plan
        .steps
        .iter()
        .enumerate()
        .map(|(i, step)| StepReport {
            step: i + 1,
            kind: step.kind,
            operation: step.text.clone(),
            matched: step.matched.iter().map(|c| topology.component(*c).id.clone()).collect(),
        })
        .collect();
    let violations: Vec<ViolationReport> = outcome
        .violations
        .iter()
        .map(|v| ViolationReport {
            kind: v.kind,
            component: v.component.map(|c| topology.component(c).id.clone()),
            step: v.step,
            message: v.message.clone(),
        })
        .collect();

    let threshold = fail_on.threshold();
    let mut gate_failed = !violations.is_empty();
    let mut customers = Vec::new();
    let mut customer_counts = Counts::default();
    for customer in topology.customers() {
        let mut affected_apps = Vec::new();
        let mut status = Status::Ok;
        for app in &customer.apps {
            let s = outcome.worst[app.index()];
            if threshold.is_some_and(|t| s >= t) {
                gate_failed = true;
            }
            if s > Status::Ok {
                affected_apps.push(AppReport {
                    id: topology.component(*app).id.clone(),
                    status: s,
                });
            }
            status = status.max(s);
        }
        if status > Status::Ok {
            customer_counts.add(status, customer.weight);
            affected_apps.sort_by(|a, b| b.status.cmp(&a.status).then_with(|| a.id.cmp(&b.id)));
            customers.push(CustomerReport {
                id: customer.id.clone(),
                name: customer.name.clone(),
                status,
                weight: customer.weight,
                affected_apps,
            });
        }
    }
    customers.sort_by(|a, b| {
        b.status
            .cmp(&a.status)
            .then_with(|| b.weight.total_cmp(&a.weight))
            .then_with(|| a.id.cmp(&b.id))
    });

    let mut service_counts = Counts::default();
    let mut components: Vec<ComponentReport> = Vec::with_capacity(outcome.affected.len());
    for affected in &outcome.affected {
        if topology.component(affected.component).section != Section::App {
            service_counts.add(affected.status, 0.0);
        }
        components.push(component_report(topology, plan, affected));
    }
    components.sort_by(|a, b| b.status.cmp(&a.status).then_with(|| a.id.cmp(&b.id)));

    let verdict = if gate_failed { Verdict::Fail } else { Verdict::Pass };
    let violation_phrase = match violations.len() {
        0 => "no policy violation".to_string(),
        1 => "1 policy violation".to_string(),
        n => format!("{n} policy violations"),
    };
    let text = format!(
        "{}: {}; {}; {}",
        match verdict {
            Verdict::Pass => "PASS",
            Verdict::Fail => "FAIL",
        },
        count_phrase(&customer_counts, "customer", true),
        count_phrase(&service_counts, "service", false),
        violation_phrase
    );
    Report {
        schema_version: SCHEMA_VERSION,
        verdict,
        fail_on,
        summary: Summary {
            text,
            customers: customer_counts,
            services: service_counts,
            violations: violations.len(),
        },
        plan: PlanInfo {
            source,
            description: plan.description.clone(),
        },
        steps,
        violations,
        customers,
        components,
    }
}

fn origin_report(topology: &Topology, plan: &Plan, affected: &Affected) -> OriginReport {
    let first = affected.path.first();
    let component = topology
        .component(first.map_or(affected.component, |h| h.component))
        .id
        .clone();
    match first.map(|hop| describe_cause(topology, plan, hop)) {
        Some(CauseReport::Step { step, reason, detail }) => OriginReport {
            component,
            step,
            reason,
            detail,
        },
        // A path always starts at a step; keep the field total all the same.
        _ => OriginReport {
            component,
            step: affected.step,
            reason: "failed",
            detail: String::new(),
        },
    }
}
