//! SARIF 2.1.0, the format GitHub code scanning, checkov and tfsec use: one
//! result per policy violation and per customer at or above `--fail-on`
//! (`check`), one per warning (`validate`), each at the place in a file
//! that caused it; an input error is a failed invocation with a
//! notification. `tests/cli/ci_formats.rs` validates the output against the
//! official schema vendored in `tests/schemas/`.

use serde_json::{Value, json};

use crate::engine::ViolationKind;
use crate::error::{Error, Location};
use crate::report::validate::{Inventory, Severity, WarningKind};
use crate::report::{CheckRun, Report};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The rule behind a customer result.
const CUSTOMER_RULE: &str = "customer_impact";

fn violation_description(kind: ViolationKind) -> &'static str {
    match kind {
        ViolationKind::BelowMinCapacity => "A step leaves a component below its min_capacity.",
        ViolationKind::OverMaxCapacity => "A step leaves a component above its max_capacity.",
        ViolationKind::OverRemoval => "A removal asks for more capacity than the component has.",
        ViolationKind::StepTooLarge => "One removal asks for more than the component's guard.max_step_percent.",
        ViolationKind::RequiresApproval => "A step touches a requires_approval component without approval.",
        ViolationKind::UnexpectedScope => "A selector matches a different number of components than expect_matches.",
    }
}

fn warning_description(kind: WarningKind) -> &'static str {
    match kind {
        WarningKind::NotOkAtBaseline => "A component is not ok before any operation.",
        WarningKind::Vulnerable => "A component's own retries, once triggered, would keep it overloaded.",
        WarningKind::DependencyCycle => "Components depend on each other in a cycle.",
        WarningKind::RestartWithoutTime => "A scenario restarts a component that has no restart_time.",
        WarningKind::UnusedDataStore => "A data store is used by no component.",
    }
}

fn rule(id: &str, description: &str, level: &str) -> Value {
    json!({
        "id": id,
        "shortDescription": { "text": description },
        "defaultConfiguration": { "level": level },
    })
}

/// A file path as a URI reference: relative paths stay relative (to the
/// checkout, as code scanning reads them), absolute ones become `file://`.
fn uri(path: &std::path::Path) -> String {
    let text = path.display().to_string();
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => out.push(byte as char),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    if path.is_absolute() {
        format!("file://{out}")
    } else {
        out
    }
}

fn location(at: Option<&Location>) -> Vec<Value> {
    match at.filter(|a| a.path != std::path::Path::new("-")) {
        Some(at) => vec![json!({
            "physicalLocation": {
                "artifactLocation": { "uri": uri(&at.path) },
                "region": { "startLine": at.line.max(1), "startColumn": at.column.max(1) },
            }
        })],
        None => Vec::new(),
    }
}

fn result(
    rule_id: &str,
    rule_index: usize,
    level: &str,
    message: &str,
    at: Option<&Location>,
    properties: Value,
) -> Value {
    json!({
        "ruleId": rule_id,
        "ruleIndex": rule_index,
        "level": level,
        "message": { "text": message },
        "locations": location(at),
        "properties": properties,
    })
}

/// A SARIF log of one run of `blast`.
fn log(rules: Vec<Value>, results: Vec<Value>, invocation: Value, properties: Value) -> String {
    let document = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "blast",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "invocations": [invocation],
            "results": results,
            "properties": properties,
        }]
    });
    crate::render::json::to_string(&document)
}

fn check_rules() -> Vec<Value> {
    let mut rules: Vec<Value> = ViolationKind::ALL
        .iter()
        .map(|k| rule(k.as_str(), violation_description(*k), "error"))
        .collect();
    rules.push(rule(
        CUSTOMER_RULE,
        "A customer app reaches the --fail-on status.",
        "error",
    ));
    rules
}

fn report_results(report: &Report) -> Vec<Value> {
    let mut results = Vec::new();
    for v in &report.violations {
        let index = ViolationKind::ALL.iter().position(|k| *k == v.kind).unwrap_or(0);
        let properties = json!({ "plan": report.plan.source, "step": v.step, "component": v.component });
        results.push(result(
            v.kind.as_str(),
            index,
            "error",
            &v.message,
            v.at.as_ref(),
            properties,
        ));
    }
    let threshold = report.fail_on.threshold();
    for c in report
        .customers
        .iter()
        .filter(|c| threshold.is_some_and(|t| c.status >= t))
    {
        let apps: Vec<String> = c
            .affected_apps
            .iter()
            .map(|a| format!("{} ({})", a.id, a.status))
            .collect();
        let message = format!(
            "customer {} is {} ({}): {}",
            c.id,
            c.status,
            report.plan.source,
            apps.join(", ")
        );
        let properties =
            json!({ "plan": report.plan.source, "customer": c.id, "status": c.status, "recovery": c.recovery });
        results.push(result(
            CUSTOMER_RULE,
            ViolationKind::ALL.len(),
            "error",
            &message,
            Some(&c.app_at),
            properties,
        ));
    }
    results
}

/// `blast check --format sarif`: the verdict in the run's properties.
pub fn check(run: &CheckRun) -> String {
    let results = run.plans.iter().flat_map(report_results).collect();
    let plans: Vec<Value> = run
        .plans
        .iter()
        .map(|r| json!({ "source": r.plan.source, "verdict": r.verdict, "summary": r.summary.text, "fail_on": r.fail_on }))
        .collect();
    let properties = json!({ "verdict": run.verdict, "summary": run.summary.text, "plans": plans });
    let invocation = json!({ "executionSuccessful": true, "exitCode": run.exit_code() });
    log(check_rules(), results, invocation, properties)
}

const WARNING_KINDS: [WarningKind; 5] = [
    WarningKind::NotOkAtBaseline,
    WarningKind::Vulnerable,
    WarningKind::DependencyCycle,
    WarningKind::RestartWithoutTime,
    WarningKind::UnusedDataStore,
];

/// `blast validate --format sarif`: one result per warning.
pub fn validate(inventory: &Inventory) -> String {
    let rules = WARNING_KINDS
        .iter()
        .map(|k| rule(k.as_str(), warning_description(*k), "warning"))
        .collect();
    let results = inventory
        .warnings
        .iter()
        .map(|w| {
            let index = WARNING_KINDS.iter().position(|k| *k == w.kind).unwrap_or(0);
            let level = match w.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            result(
                w.kind.as_str(),
                index,
                level,
                &w.message,
                w.at.as_ref(),
                json!({ "components": w.components }),
            )
        })
        .collect();
    let properties = json!({ "valid": true, "components": inventory.components, "warnings": inventory.warnings.len() });
    log(
        rules,
        results,
        json!({ "executionSuccessful": true, "exitCode": 0 }),
        properties,
    )
}

/// An input or usage error: no results, a failed invocation whose
/// notification says what and where.
pub fn error(error: &Error) -> String {
    let diagnostic = error.diagnostic();
    let mut text = diagnostic.message.clone();
    if let Some(help) = &diagnostic.help {
        text.push_str(&format!(" (help: {help})"));
    }
    let notification = json!({
        "level": "error",
        "message": { "text": text },
        "locations": location(diagnostic.location.as_deref()),
        "properties": { "kind": error.kind() },
    });
    let invocation = json!({
        "executionSuccessful": false,
        "exitCode": error.exit_code(),
        "toolExecutionNotifications": [notification],
    });
    log(check_rules(), Vec::new(), invocation, json!({ "verdict": "error" }))
}
