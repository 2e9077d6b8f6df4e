//! The verdict of `blast check` and everything it is based on, as plain data.
//!
//! [`Report`] is what the JSON output serializes (schema version 2,
//! documented field by field in the README); every renderer reads the same
//! struct, so the formats cannot disagree.

use std::time::Duration;

use serde::Serialize;

use crate::engine::recovery::{ComponentRecovery, Recovery, RecoveryKind};
use crate::engine::{Affected, Cause, Hop, Outcome, ViolationKind};
use crate::error::Location;
use crate::model::{ComponentIdx, GroupIdx, Rule, Section, SurgeEffect, SurgeIdx, Topology};
use crate::number::Exact;
use crate::plan::Plan;
use crate::report::graph::GraphData;
pub use crate::status::Counts;
use crate::status::{FailOn, Status};
use crate::text::{fmt_duration, fmt_weight};

pub const SCHEMA_VERSION: u32 = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Pass,
    Fail,
}

impl Verdict {
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Pass => "PASS",
            Verdict::Fail => "FAIL",
        }
    }
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
    /// The surge and failover loops that keep components up after a rollback.
    pub loops: Vec<LoopReport>,
    /// Every customer app with its worst status, for per-app outputs
    /// (JUnit); empty unless built with [`AppRows::Every`].
    #[serde(skip)]
    pub apps: Vec<AppRow>,
    /// The affected subgraph, worst first and capped, for the markdown diagram.
    #[serde(skip)]
    pub diagram: GraphData,
}

#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// The one-line verdict, as printed first by the table format.
    pub text: String,
    pub customers: Counts,
    /// Components other than customer apps.
    pub services: Counts,
    pub violations: usize,
    pub recovery: RecoverySummary,
}

/// How long the affected customers are out, and what a rollback leaves.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecoverySummary {
    /// The longest recovery of an affected customer, in seconds; null when
    /// one is unknown or unbounded.
    pub longest_after_seconds: Option<u64>,
    /// Some customer stays out until load is shed (self-sustaining).
    pub unbounded: bool,
    /// Some customer waits for a restart or restore the model gives no time for.
    pub unknown: bool,
    /// Customers worse after a rollback than before the plan, by status.
    pub customers_after_rollback: Counts,
    /// Each affected customer's weight times its recovery in hours, summed;
    /// null unless every duration is known.
    pub weight_hours: Option<f64>,
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
    /// Where the step is written, when it comes from a file.
    #[serde(skip)]
    pub at: Option<Location>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ViolationReport {
    pub kind: ViolationKind,
    pub component: Option<String>,
    pub step: usize,
    pub message: String,
    /// Where to point a reader: the step as written (plan file or scenario),
    /// else the component's declaration; `None` for an inline step with no
    /// component.
    #[serde(skip)]
    pub at: Option<Location>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CustomerReport {
    pub id: String,
    pub name: Option<String>,
    pub status: Status,
    pub weight: Exact,
    pub affected_apps: Vec<AppReport>,
    pub recovery: RecoveryReport,
    /// Where the customer is declared.
    #[serde(skip)]
    pub at: Location,
    /// Where its worst affected app is declared: the line an annotation marks.
    #[serde(skip)]
    pub app_at: Location,
}

#[derive(Debug, Clone, Serialize)]
pub struct AppReport {
    pub id: String,
    pub status: Status,
}

/// One customer app (affected or not), for outputs that list every app.
#[derive(Debug, Clone)]
pub struct AppRow {
    pub customer: String,
    pub app: String,
    pub status: Status,
    pub at: Location,
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
    /// Base and effective load at `step`, where it has load.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub load: Option<LoadReport>,
    pub recovery: RecoveryReport,
    /// Where the component is declared.
    #[serde(skip)]
    pub at: Location,
}

#[derive(Debug, Clone, Serialize)]
pub struct LoadReport {
    pub base: Exact,
    pub effective: Exact,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecoveryReport {
    pub kind: RecoveryKind,
    /// When it recovers after a rollback: 0 at once, null when unknown or unbounded.
    pub after_seconds: Option<u64>,
    pub status_after_rollback: Status,
    /// For `self_sustaining`: the loop that keeps it up, an index into the report's `loops`.
    #[serde(rename = "loop", skip_serializing_if = "Option::is_none")]
    pub sustained_by: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoopReport {
    /// The components whose load feeds the loop.
    pub members: Vec<String>,
    /// Load to shed to break it, per member overloaded after the rollback, the smallest first.
    pub shed: Vec<ShedReport>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShedReport {
    pub component: String,
    pub amount: Exact,
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
    /// Load a surge added (`from` is the component itself for retries).
    Surge {
        from: String,
        from_status: Status,
        amount: Exact,
        reason: &'static str,
        detail: String,
    },
    /// Load a failover moved onto it.
    Failover {
        from: String,
        from_status: Status,
        amount: Exact,
        reason: &'static str,
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
            CauseReport::Step { detail, .. }
            | CauseReport::Dependency { detail, .. }
            | CauseReport::Surge { detail, .. }
            | CauseReport::Failover { detail, .. } => detail,
        }
    }
}

impl RecoveryReport {
    /// `restart, after 3h41m`, `rollback`, `self_sustaining, until load is shed`.
    pub fn text(&self) -> String {
        match (self.kind, self.after_seconds) {
            (RecoveryKind::Rollback, _) => "rollback".to_string(),
            (RecoveryKind::SelfSustaining, _) => "self_sustaining: until load is shed".to_string(),
            (kind, Some(seconds)) => format!("{} after {}", kind.as_str(), fmt_duration(Duration::from_secs(seconds))),
            (kind, None) => format!("{}: time unknown", kind.as_str()),
        }
    }

    /// How long it stays out, for ordering: `None` (unknown or unbounded) is the longest.
    fn length(&self) -> (bool, u64) {
        match (self.kind, self.after_seconds) {
            (RecoveryKind::Rollback, _) => (false, 0),
            (_, Some(s)) => (false, s),
            (_, None) => (true, 0),
        }
    }
}

/// Renders a hop's cause as words, e.g. "hard dependency on `s3.index`, which is down".
pub fn describe_cause(topology: &Topology, plan: &Plan, hop: &Hop) -> CauseReport {
    match &hop.cause {
        Cause::Direct { step, reason } => {
            let origin = match step {
                0 => "before any step".to_string(),
                n => format!("step {n} ({})", plan.steps.get(n - 1).map_or("", |s| s.text.as_str())),
            };
            CauseReport::Step {
                step: *step,
                reason: reason.code(),
                detail: format!("{origin}: {}", reason.describe(topology)),
            }
        }
        Cause::Dependency { group, via, via_status } => dependency_cause(topology, hop, *group, *via, *via_status),
        Cause::Surge {
            surge,
            via,
            via_status,
            amount,
            reason,
        } => {
            let from = &topology.component(*via).id;
            CauseReport::Surge {
                from: from.to_string(),
                from_status: *via_status,
                amount: amount.clone(),
                reason: reason.code(),
                detail: format!(
                    "{}; {}",
                    surge_term(topology, hop, *surge, *via, *via_status, amount),
                    reason.describe(topology)
                ),
            }
        }
        Cause::Failover {
            via,
            via_status,
            amount,
            reason,
            ..
        } => {
            let from = &topology.component(*via).id;
            CauseReport::Failover {
                from: from.to_string(),
                from_status: *via_status,
                amount: amount.clone(),
                reason: reason.code(),
                detail: format!(
                    "failover from `{from}` ({via_status}): +{amount} load; {}",
                    reason.describe(topology)
                ),
            }
        }
    }
}

fn dependency_cause(
    topology: &Topology,
    hop: &Hop,
    group: GroupIdx,
    via: ComponentIdx,
    via_status: Status,
) -> CauseReport {
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
        on: via_id.to_string(),
        on_status: via_status,
        detail,
    }
}

/// The surge half of a surge cause's words: the component's own retries, or another's surge.
fn surge_term(
    topology: &Topology,
    hop: &Hop,
    surge: SurgeIdx,
    via: ComponentIdx,
    via_status: Status,
    amount: &Exact,
) -> String {
    let when = topology.surge(surge).when;
    if via == hop.component {
        let effect = match &topology.surge(surge).effect {
            SurgeEffect::Factor(f) => format!("x{f}"),
            SurgeEffect::Amount(a) => format!("+{a}"),
        };
        format!("retries (its own surge, {effect} while {when}): +{amount} load")
    } else {
        let from = &topology.component(via).id;
        format!("surge from `{from}` ({via_status}): +{amount} load")
    }
}

pub(crate) fn recovery_report(r: &ComponentRecovery) -> RecoveryReport {
    RecoveryReport {
        kind: r.kind,
        after_seconds: r.after.map(|d| d.as_secs()),
        status_after_rollback: r.status_after_rollback,
        sustained_by: r.sustained_by,
    }
}

/// Every sustaining loop, once (components point at them by index).
pub(crate) fn loop_reports(topology: &Topology, recovery: &Recovery) -> Vec<LoopReport> {
    recovery
        .loops
        .iter()
        .map(|l| LoopReport {
            members: l
                .members
                .iter()
                .map(|m| topology.component(*m).id.to_string())
                .collect(),
            shed: l
                .shed
                .iter()
                .map(|(c, amount)| ShedReport {
                    component: topology.component(*c).id.to_string(),
                    amount: amount.clone(),
                })
                .collect(),
        })
        .collect()
}

impl LoopReport {
    /// `a -> b -> c`, the first few members when there are many.
    pub fn members_text(&self) -> String {
        const SHOWN: usize = 8;
        let mut text = self
            .members
            .iter()
            .take(SHOWN)
            .cloned()
            .collect::<Vec<_>>()
            .join(" -> ");
        if self.members.len() > SHOWN {
            text.push_str(&format!(" and {} more", self.members.len() - SHOWN));
        }
        text
    }
}

fn component_report(topology: &Topology, plan: &Plan, outcome: &Outcome, affected: &Affected) -> ComponentReport {
    let component = topology.component(affected.component);
    let (base, effective) = &affected.load;
    ComponentReport {
        id: component.id.to_string(),
        kind: component.kind.to_string(),
        region: topology.region_id_of(affected.component).map(str::to_string),
        status: affected.status,
        step: affected.step,
        cause: affected.path.last().map_or_else(
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
            .map(|h| topology.component(h.component).id.to_string())
            .collect(),
        path_elided: affected.path_length.saturating_sub(affected.path.len()),
        origin: origin_report(topology, plan, affected),
        load: (base.is_positive() || effective.is_positive()).then(|| LoadReport {
            base: base.clone(),
            effective: effective.clone(),
        }),
        recovery: recovery_report(&outcome.recovery.of(affected.component)),
        at: component.pos.at(topology.source()),
    }
}

fn count_phrase(counts: &Counts, noun: &str, weights: bool, duration: Option<&str>) -> String {
    let mut parts = Vec::new();
    for (n, label, weight) in [
        (counts.down, "down", &counts.down_weight),
        (counts.degraded, "degraded", &counts.degraded_weight),
        (counts.at_risk, "at risk", &counts.at_risk_weight),
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
            part.push_str(&format!(" ({} weight)", fmt_weight(weight.to_f64())));
        }
        if parts.is_empty()
            && let Some(duration) = duration
        {
            part.push(' ');
            part.push_str(duration);
        }
        parts.push(part);
    }
    if parts.is_empty() {
        format!("no {noun} affected")
    } else {
        parts.join(", ")
    }
}

/// A customer's recovery: its worst app's after a rollback, the longest among equals.
fn customer_recovery<'r>(apps: impl Iterator<Item = &'r RecoveryReport>) -> Option<RecoveryReport> {
    apps.max_by_key(|r| (r.status_after_rollback, r.length())).cloned()
}

/// Which customer apps a report lists one by one, beside the affected ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppRows {
    /// Only the affected: what every format but JUnit reads. On a large
    /// topology the rows of every app would be most of the report's memory.
    Affected,
    /// Every app, for JUnit's test case per app.
    Every,
}

/// Builds the report of a plan's outcome.
pub fn build(
    topology: &Topology,
    plan: &Plan,
    source: String,
    outcome: &Outcome,
    fail_on: FailOn,
    rows: AppRows,
) -> Report {
    let violations = violation_reports(topology, plan, outcome);
    let customers = customer_section(topology, outcome, fail_on.threshold(), rows);
    let gate_failed = !violations.is_empty() || customers.gate_failed;

    let mut service_counts = Counts::default();
    let mut components: Vec<ComponentReport> = Vec::with_capacity(outcome.affected.len());
    for affected in &outcome.affected {
        if topology.component(affected.component).section != Section::App {
            service_counts.add(affected.status, &Exact::ZERO);
        }
        components.push(component_report(topology, plan, outcome, affected));
    }
    components.sort_by(|a, b| b.status.cmp(&a.status).then_with(|| a.id.cmp(&b.id)));

    let verdict = if gate_failed { Verdict::Fail } else { Verdict::Pass };
    let recovery = recovery_summary(&customers.reports, customers.after_rollback);
    let mut text = verdict_text(verdict, &customers.counts, &service_counts, violations.len(), &recovery);
    // `--fail-on ok` fails on every app, affected or not: say why, rather
    // than "FAIL: no customer affected".
    if fail_on == FailOn::Ok && violations.is_empty() && customers.counts.affected() == 0 {
        text = text.replacen("FAIL: ", "FAIL: --fail-on ok fails on every app; ", 1);
    }
    Report {
        schema_version: SCHEMA_VERSION,
        verdict,
        fail_on,
        summary: Summary {
            text,
            customers: customers.counts,
            services: service_counts,
            violations: violations.len(),
            recovery,
        },
        plan: PlanInfo {
            source,
            description: plan.description.clone(),
        },
        steps: step_reports(topology, plan),
        violations,
        customers: customers.reports,
        components,
        loops: loop_reports(topology, &outcome.recovery),
        apps: customers.apps,
        diagram: crate::report::graph::affected(topology, plan, outcome),
    }
}

fn step_reports(topology: &Topology, plan: &Plan) -> Vec<StepReport> {
    plan.steps
        .iter()
        .enumerate()
        .map(|(i, step)| StepReport {
            step: i + 1,
            kind: step.kind().as_str(),
            operation: step.text.clone(),
            matched: step
                .matched
                .iter()
                .map(|c| topology.component(*c).id.to_string())
                .collect(),
            at: step.at.clone(),
        })
        .collect()
}

/// Each violation, located at its step (or, for a plan without positions, its component).
fn violation_reports(topology: &Topology, plan: &Plan, outcome: &Outcome) -> Vec<ViolationReport> {
    outcome
        .violations
        .iter()
        .map(|v| ViolationReport {
            kind: v.kind,
            component: v.component.map(|c| topology.component(c).id.to_string()),
            step: v.step,
            message: v.message.clone(),
            at: plan
                .steps
                .get(v.step.wrapping_sub(1))
                .and_then(|s| s.at.clone())
                .or_else(|| v.component.map(|c| topology.component(c).pos.at(topology.source()))),
        })
        .collect()
}

/// What the report says of customers: the affected ones worst first, every
/// app's row, the counts, and whether any app reached the gate's threshold.
struct CustomerSection {
    reports: Vec<CustomerReport>,
    apps: Vec<AppRow>,
    counts: Counts,
    after_rollback: Counts,
    gate_failed: bool,
}

fn customer_section(
    topology: &Topology,
    outcome: &Outcome,
    threshold: Option<Status>,
    rows: AppRows,
) -> CustomerSection {
    let baseline = &outcome.baseline;
    let mut section = CustomerSection {
        reports: Vec::new(),
        apps: Vec::new(),
        counts: Counts::default(),
        after_rollback: Counts::default(),
        gate_failed: false,
    };
    for customer in topology.customers() {
        let mut affected_apps = Vec::new();
        let mut recoveries = Vec::new();
        let mut status = Status::Ok;
        let mut before = Status::Ok;
        for app in customer.apps() {
            let s = outcome.worst[app.index()];
            section.gate_failed |= threshold.is_some_and(|t| s >= t);
            if rows == AppRows::Every {
                section.apps.push(AppRow {
                    customer: customer.id.to_string(),
                    app: topology.component(app).id.to_string(),
                    status: s,
                    at: topology.component(app).pos.at(topology.source()),
                });
            }
            if s > Status::Ok {
                affected_apps.push(AppReport {
                    id: topology.component(app).id.to_string(),
                    status: s,
                });
                recoveries.push(recovery_report(&outcome.recovery.of(app)));
            }
            status = status.max(s);
            before = before.max(baseline[app.index()]);
        }
        let Some(recovery) = customer_recovery(recoveries.iter()) else {
            continue;
        };
        section.counts.add(status, &customer.weight);
        if recovery.status_after_rollback > before {
            section
                .after_rollback
                .add(recovery.status_after_rollback, &customer.weight);
        }
        affected_apps.sort_by(|a, b| b.status.cmp(&a.status).then_with(|| a.id.cmp(&b.id)));
        let app_at = affected_apps.first().and_then(|a| topology.find(&a.id)).map_or_else(
            || customer.pos.at(topology.source()),
            |c| topology.component(c).pos.at(topology.source()),
        );
        section.reports.push(CustomerReport {
            id: customer.id.to_string(),
            name: customer.name.clone(),
            status,
            weight: customer.weight.clone(),
            affected_apps,
            recovery,
            at: customer.pos.at(topology.source()),
            app_at,
        });
    }
    section.reports.sort_by(|a, b| {
        b.status
            .cmp(&a.status)
            .then_with(|| b.weight.cmp(&a.weight))
            .then_with(|| a.id.cmp(&b.id))
    });
    section
}

fn recovery_summary(customers: &[CustomerReport], after_rollback: Counts) -> RecoverySummary {
    let mut longest = 0u64;
    let (mut unbounded, mut unknown) = (false, false);
    let mut weight_seconds = Exact::ZERO;
    for c in customers {
        match (c.recovery.kind, c.recovery.after_seconds) {
            (RecoveryKind::Rollback, _) => {}
            (RecoveryKind::SelfSustaining, _) => unbounded = true,
            (_, Some(seconds)) => {
                longest = longest.max(seconds);
                weight_seconds = weight_seconds + &c.weight * &Exact::from_int(seconds as i64);
            }
            (_, None) => unknown = true,
        }
    }
    let known = !unbounded && !unknown;
    RecoverySummary {
        longest_after_seconds: known.then_some(longest),
        unbounded,
        unknown,
        customers_after_rollback: after_rollback,
        weight_hours: known.then(|| weight_seconds.to_f64() / 3600.0),
    }
}

/// `FAIL: 4 customers down (8.5M weight) for up to 3h41m, 12 degraded; 9
/// services down; 6 policy violations; 4 customers stay down after a
/// rollback; 25.7M weight-hours`.
fn verdict_text(
    verdict: Verdict,
    customers: &Counts,
    services: &Counts,
    violations: usize,
    recovery: &RecoverySummary,
) -> String {
    let duration = if recovery.unbounded {
        Some("until load is shed".to_string())
    } else if recovery.unknown {
        Some("for an unknown time".to_string())
    } else {
        recovery
            .longest_after_seconds
            .filter(|s| *s > 0)
            .map(|s| format!("for up to {}", fmt_duration(Duration::from_secs(s))))
    };
    let violation_phrase = match violations {
        0 => "no policy violation".to_string(),
        1 => "1 policy violation".to_string(),
        n => format!("{n} policy violations"),
    };
    let mut text = format!(
        "{}: {}; {}; {violation_phrase}",
        verdict.word(),
        count_phrase(customers, "customer", true, duration.as_deref()),
        count_phrase(services, "service", false, None),
    );
    let stay = &recovery.customers_after_rollback;
    if stay.affected() > 0 {
        let mut parts = Vec::new();
        for (n, label) in [
            (stay.down, "down"),
            (stay.degraded, "degraded"),
            (stay.at_risk, "at risk"),
        ] {
            let verb = if n == 1 { "stays" } else { "stay" };
            match (n, parts.is_empty()) {
                (0, _) => {}
                (1, true) => parts.push(format!("1 customer {verb} {label}")),
                (n, true) => parts.push(format!("{n} customers {verb} {label}")),
                (n, false) => parts.push(format!("{n} {verb} {label}")),
            }
        }
        text.push_str(&format!("; {} after a rollback", parts.join(", ")));
    }
    if let Some(hours) = recovery.weight_hours.filter(|h| *h > 0.0) {
        text.push_str(&format!("; {} weight-hours", fmt_weight(hours)));
    } else if recovery.unbounded {
        text.push_str("; unbounded weight-hours");
    }
    text
}

fn origin_report(topology: &Topology, plan: &Plan, affected: &Affected) -> OriginReport {
    let first = affected.path.first();
    let component = topology
        .component(first.map_or(affected.component, |h| h.component))
        .id
        .clone();
    match first.map(|hop| describe_cause(topology, plan, hop)) {
        Some(CauseReport::Step { step, reason, detail }) => OriginReport {
            component: component.to_string(),
            step,
            reason,
            detail,
        },
        // A path always starts at a step; keep the field total all the same.
        _ => OriginReport {
            component: component.to_string(),
            step: affected.step,
            reason: "failed",
            detail: String::new(),
        },
    }
}
