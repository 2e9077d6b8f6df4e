//! CI-native `check` output: GitHub Actions workflow commands and JUnit XML.

use std::collections::HashMap;
use std::fmt::Write;

use crate::report::{ComponentReport, Report, Verdict};
use crate::status::Status;

/// Workflow-command data must escape `%`, CR and LF (and `:` `,` in properties).
fn escape_data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// One annotation per violation and per affected customer, then the verdict.
fn by_id(report: &Report) -> HashMap<&str, &ComponentReport> {
    report.components.iter().map(|c| (c.id.as_str(), c)).collect()
}

pub fn github(report: &Report) -> String {
    let threshold = report.fail_on.threshold();
    let components = by_id(report);
    let mut out = String::new();
    for v in &report.violations {
        let _ = writeln!(
            out,
            "::error title={}::{}",
            escape_property(&format!("blast: policy violation {}", v.kind.as_str())),
            escape_data(&v.message)
        );
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
        let _ = writeln!(
            out,
            "::{level} title={}::{}",
            escape_property(&format!("blast: customer {} {}", customer.id, customer.status)),
            escape_data(&format!("{} is {}: {apps}{cause}", customer.id, customer.status))
        );
    }
    let level = match report.verdict {
        Verdict::Pass => "notice",
        Verdict::Fail => "error",
    };
    let _ = writeln!(
        out,
        "::{level} title=blast radius::{}",
        escape_data(&report.summary.text)
    );
    out
}

fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 has no escape for most control characters: drop them.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// One test case per customer app (failing at `--fail-on`), one per violation.
pub fn junit(report: &Report) -> String {
    let threshold = report.fail_on.threshold();
    let components = by_id(report);
    let mut apps = String::new();
    let (mut app_tests, mut app_failures) = (0, 0);
    for row in &report.apps {
        let component = components.get(row.app.as_str());
        let status = row.status;
        app_tests += 1;
        let _ = write!(
            apps,
            "    <testcase classname=\"customers.{}\" name=\"{}\"",
            xml(&row.customer),
            xml(&row.app)
        );
        match (threshold, component) {
            (Some(t), Some(c)) if status >= t => {
                app_failures += 1;
                let _ = write!(
                    apps,
                    ">\n      <failure type=\"{status}\" message=\"{} is {status}\">{}\npath: {}</failure>\n    </testcase>\n",
                    xml(&row.app),
                    xml(c.cause.detail()),
                    xml(&c.path_text(" -> "))
                );
            }
            (_, Some(c)) => {
                let _ = write!(
                    apps,
                    ">\n      <system-out>{status}: {}</system-out>\n    </testcase>\n",
                    xml(c.cause.detail())
                );
            }
            _ => apps.push_str("/>\n"),
        }
    }
    let mut policy = String::new();
    for v in &report.violations {
        let _ = write!(
            policy,
            "    <testcase classname=\"policy\" name=\"step {} {} {}\">\n      <failure type=\"{}\" message=\"{}\"/>\n    </testcase>\n",
            v.step,
            v.kind.as_str(),
            xml(v.component.as_deref().unwrap_or("-")),
            v.kind.as_str(),
            xml(&v.message)
        );
    }
    let policy_tests = report.violations.len().max(1);
    if report.violations.is_empty() {
        policy.push_str("    <testcase classname=\"policy\" name=\"no policy violation\"/>\n");
    }
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"blast\" tests=\"{}\" failures=\"{}\">",
        app_tests + policy_tests,
        app_failures + report.violations.len()
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"customer apps at --fail-on {}\" tests=\"{app_tests}\" failures=\"{app_failures}\">",
        report.fail_on.as_str()
    );
    out.push_str(&apps);
    out.push_str("  </testsuite>\n");
    let _ = writeln!(
        out,
        "  <testsuite name=\"policy\" tests=\"{policy_tests}\" failures=\"{}\">",
        report.violations.len()
    );
    out.push_str(&policy);
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}
