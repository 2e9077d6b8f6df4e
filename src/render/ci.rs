//! CI-native `check` output: GitHub Actions workflow commands and JUnit XML.

use std::collections::HashMap;
use std::fmt::Write;

use crate::error::Location;
use crate::report::{CheckRun, ComponentReport, Report, Verdict};
use crate::status::Status;
use crate::text::{github_data, github_property, xml};

/// One workflow command: `::LEVEL file=F,line=L,col=C,title=T::MESSAGE`.
/// With a location GitHub shows it on that line of the pull request's diff.
pub(crate) fn annotation(level: &str, at: Option<&Location>, title: &str, message: &str) -> String {
    let mut properties = Vec::new();
    if let Some(at) = at.filter(|a| a.path != std::path::Path::new("-")) {
        properties.push(format!("file={}", github_property(&at.path.display().to_string())));
        properties.push(format!("line={}", at.line));
        properties.push(format!("col={}", at.column));
    }
    properties.push(format!("title={}", github_property(title)));
    format!("::{level} {}::{}\n", properties.join(","), github_data(message))
}

fn by_id(report: &Report) -> HashMap<&str, &ComponentReport> {
    report.components.iter().map(|c| (c.id.as_str(), c)).collect()
}

fn verdict_level(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Pass => "notice",
        Verdict::Fail => "error",
    }
}

/// The verdicts first (GitHub shows only the first ten errors of a step),
/// then per plan one annotation per violation, at the step that caused it,
/// and per affected customer, at its app's line in the topology.
pub fn github(run: &CheckRun) -> String {
    let mut out = String::new();
    if run.single().is_none() {
        out.push_str(&annotation(
            verdict_level(run.verdict),
            None,
            "blast radius",
            &run.summary.text,
        ));
    }
    for report in &run.plans {
        let title = match run.single() {
            Some(_) => "blast radius".to_string(),
            None => format!("blast radius: {}", report.plan.source),
        };
        out.push_str(&annotation(
            verdict_level(report.verdict),
            None,
            &title,
            &report.summary.text,
        ));
    }
    for report in &run.plans {
        out.push_str(&report_annotations(report));
    }
    out
}

fn report_annotations(report: &Report) -> String {
    let threshold = report.fail_on.threshold();
    let components = by_id(report);
    let mut out = String::new();
    for v in &report.violations {
        out.push_str(&annotation(
            "error",
            v.at.as_ref(),
            &format!("blast: policy violation {} (step {})", v.kind.as_str(), v.step),
            &v.message,
        ));
    }
    for customer in &report.customers {
        let level = match threshold {
            Some(t) if customer.status >= t => "error",
            _ if customer.status >= Status::Degraded => "warning",
            _ => "notice",
        };
        let apps = customer
            .affected_apps
            .iter()
            .map(|a| format!("{} ({})", a.id, a.status))
            .collect::<Vec<_>>()
            .join(", ");
        let cause = customer
            .affected_apps
            .first()
            .and_then(|a| components.get(a.id.as_str()))
            .map(|c| format!("; path: {}", c.path_text(" -> ")))
            .unwrap_or_default();
        out.push_str(&annotation(
            level,
            Some(&customer.app_at),
            &format!("blast: customer {} {}", customer.id, customer.status),
            &format!(
                "{} is {} ({}): {apps}{cause}",
                customer.id, customer.status, report.plan.source
            ),
        ));
    }
    out
}

/// Counts of one test suite.
#[derive(Default)]
struct Suite {
    tests: usize,
    failures: usize,
    body: String,
}

/// Customer apps (failing at `--fail-on`) and policy violations of one plan
/// as two test suites; `prefix` names the plan when there are several.
fn suites(report: &Report, prefix: &str) -> (Suite, Suite) {
    let threshold = report.fail_on.threshold();
    let components = by_id(report);
    let mut apps = Suite::default();
    for row in &report.apps {
        let component = components.get(row.app.as_str());
        let status = row.status;
        apps.tests += 1;
        let _ = write!(
            apps.body,
            "    <testcase classname=\"customers.{}\" name=\"{}\"",
            xml(&row.customer),
            xml(&row.app)
        );
        match (threshold, component) {
            (Some(t), Some(c)) if status >= t => {
                apps.failures += 1;
                let _ = write!(
                    apps.body,
                    ">\n      <failure type=\"{status}\" message=\"{} is {status}\">{}\npath: {}</failure>\n    </testcase>\n",
                    xml(&row.app),
                    xml(c.cause.detail()),
                    xml(&c.path_text(" -> "))
                );
            }
            (_, Some(c)) => {
                let _ = write!(
                    apps.body,
                    ">\n      <system-out>{status}: {}</system-out>\n    </testcase>\n",
                    xml(c.cause.detail())
                );
            }
            _ => apps.body.push_str("/>\n"),
        }
    }
    let mut policy = Suite::default();
    for v in &report.violations {
        policy.tests += 1;
        policy.failures += 1;
        let _ = write!(
            policy.body,
            "    <testcase classname=\"{prefix}policy\" name=\"step {} {} {}\">\n      <failure type=\"{}\" message=\"{}\"/>\n    </testcase>\n",
            v.step,
            v.kind.as_str(),
            xml(v.component.as_deref().unwrap_or("-")),
            v.kind.as_str(),
            xml(&v.message)
        );
    }
    if report.violations.is_empty() {
        policy.tests = 1;
        let _ = writeln!(
            policy.body,
            "    <testcase classname=\"{prefix}policy\" name=\"no policy violation\"/>"
        );
    }
    (apps, policy)
}

fn push_suite(out: &mut String, name: &str, suite: &Suite) {
    let _ = writeln!(
        out,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\">",
        xml(name),
        suite.tests,
        suite.failures
    );
    out.push_str(&suite.body);
    out.push_str("  </testsuite>\n");
}

/// JUnit XML as the Jenkins xUnit plugin's `junit-10.xsd` describes it: per
/// plan, a suite of customer apps (failing at `--fail-on`) and a suite of
/// policy violations.
pub fn junit(run: &CheckRun) -> String {
    let mut body = String::new();
    let (mut tests, mut failures) = (0, 0);
    for report in &run.plans {
        let (plan_name, prefix) = match run.single() {
            Some(_) => (String::new(), String::new()),
            None => (
                format!("{}: ", report.plan.source),
                xml(&format!("{}.", report.plan.source)),
            ),
        };
        let (apps, policy) = suites(report, &prefix);
        tests += apps.tests + policy.tests;
        failures += apps.failures + policy.failures;
        push_suite(
            &mut body,
            &format!("{plan_name}customer apps at --fail-on {}", report.fail_on.as_str()),
            &apps,
        );
        push_suite(&mut body, &format!("{plan_name}policy"), &policy);
    }
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"blast\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\">"
    );
    out.push_str(&body);
    out.push_str("</testsuites>\n");
    out
}
