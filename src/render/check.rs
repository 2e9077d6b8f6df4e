//! `blast check` as a terminal table and as a markdown PR comment.

use comfy_table::Cell;

use crate::render::style::{Paint, paint};
use crate::render::{markdown_table, new_table, push_table, status_cell};
use crate::report::{CustomerReport, Report, Verdict, ViolationReport};
use crate::text::fmt_weight;

/// The output formats of `check` (and `explain`'s plan).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckFormat {
    Table,
    Json,
    Markdown,
    /// GitHub Actions workflow commands: one annotation per violation and affected customer
    Github,
    /// JUnit XML: one test case per customer app and per policy violation
    Junit,
}

impl CheckFormat {
    /// The report in this format; `color` only for a terminal table.
    pub fn render(self, report: &Report, color: bool) -> String {
        match self {
            CheckFormat::Table => table(report, color),
            CheckFormat::Json => crate::render::json::to_string(report),
            CheckFormat::Markdown => markdown(report),
            CheckFormat::Github => crate::render::ci::github(report),
            CheckFormat::Junit => crate::render::ci::junit(report),
        }
    }
}

/// How many matched ids a step lists before "and N more".
const MATCH_LIST: usize = 8;

fn matched_list(matched: &[String]) -> String {
    let mut text = matched.iter().take(MATCH_LIST).cloned().collect::<Vec<_>>().join(", ");
    if matched.len() > MATCH_LIST {
        text.push_str(&format!(" and {} more", matched.len() - MATCH_LIST));
    }
    text
}

/// `app (status), ...` for a customer row.
fn affected_apps(customer: &CustomerReport) -> String {
    customer
        .affected_apps
        .iter()
        .map(|a| format!("{} ({})", a.id, a.status))
        .collect::<Vec<_>>()
        .join(", ")
}

fn violation_row(v: &ViolationReport) -> Vec<String> {
    vec![
        v.step.to_string(),
        v.kind.as_str().to_string(),
        v.component.clone().unwrap_or_else(|| "-".to_string()),
        v.message.clone(),
    ]
}

/// The verdict line alone (`--quiet`).
pub fn verdict_line(report: &Report, color: bool) -> String {
    let text = &report.summary.text;
    if !color {
        return format!("{text}\n");
    }
    let (word, rest) = text.split_at(4);
    let paint_as = match report.verdict {
        Verdict::Pass => Paint::Green,
        Verdict::Fail => Paint::Red,
    };
    format!("{}{rest}\n", paint(word, paint_as))
}

pub fn table(report: &Report, color: bool) -> String {
    let mut out = verdict_line(report, color);
    out.push('\n');
    out.push_str(&format!("Plan: {}", report.plan.source));
    if let Some(description) = &report.plan.description {
        out.push_str(&format!(": {}", description.trim()));
    }
    out.push_str(&format!(
        "\nGate: fail on {} or worse, or any policy violation\n\n",
        report.fail_on.as_str()
    ));

    let mut steps = new_table(&["step", "operation", "matched"], color);
    for step in &report.steps {
        steps.add_row(vec![
            step.step.to_string(),
            step.operation.clone(),
            format!("{}: {}", step.matched.len(), matched_list(&step.matched)),
        ]);
    }
    push_table(&mut out, &steps);

    if !report.violations.is_empty() {
        out.push_str("\nPolicy violations\n");
        let mut table = new_table(&["step", "kind", "component", "message"], color);
        for v in &report.violations {
            table.add_row(violation_row(v));
        }
        push_table(&mut out, &table);
    }

    out.push('\n');
    if report.customers.is_empty() {
        out.push_str("Customers: none affected\n");
    } else {
        out.push_str("Customers\n");
        let mut table = new_table(&["customer", "status", "weight", "recovery", "affected apps"], color);
        for c in &report.customers {
            table.add_row(vec![
                Cell::new(&c.id),
                status_cell(c.status),
                Cell::new(fmt_weight(c.weight.to_f64())),
                Cell::new(c.recovery.text()),
                Cell::new(affected_apps(c)),
            ]);
        }
        push_table(&mut out, &table);
    }

    out.push('\n');
    if report.components.is_empty() {
        out.push_str("Components: none affected\n");
    } else {
        out.push_str("Components\n");
        let mut table = new_table(
            &["component", "status", "kind", "region", "recovery", "cause", "path"],
            color,
        );
        for c in &report.components {
            table.add_row(vec![
                Cell::new(&c.id),
                status_cell(c.status),
                Cell::new(&c.kind),
                Cell::new(c.region.as_deref().unwrap_or("-")),
                Cell::new(c.recovery.text()),
                Cell::new(c.cause.detail()),
                Cell::new(c.path_text(" -> ")),
            ]);
        }
        push_table(&mut out, &table);
    }
    let loops = loops(report);
    if !loops.is_empty() {
        out.push_str("\nSelf-sustaining after a rollback\n");
        let mut table = new_table(&["loop", "shed to break it"], color);
        for (members, shed) in loops {
            table.add_row(vec![members, shed]);
        }
        push_table(&mut out, &table);
    }
    out
}

/// Each sustaining loop: its members, and where shedding load breaks it.
fn loops(report: &Report) -> Vec<(String, String)> {
    report
        .loops
        .iter()
        .map(|l| {
            let shed = l
                .shed
                .iter()
                .take(3)
                .map(|s| format!("{} on {}", s.amount, s.component))
                .collect::<Vec<_>>()
                .join(", or ");
            (l.members_text(), if shed.is_empty() { "-".to_string() } else { shed })
        })
        .collect()
}

/// The report as a pull-request comment, with a Mermaid drawing of the
/// affected subgraph.
pub fn markdown(report: &Report) -> String {
    let icon = match report.verdict {
        Verdict::Pass => ":white_check_mark:",
        Verdict::Fail => ":x:",
    };
    let mut out = format!("## blast radius {icon} {}\n\n", report.summary.text);
    out.push_str(&format!("**Plan:** {}", report.plan.source));
    if let Some(description) = &report.plan.description {
        out.push_str(&format!(": {}", description.trim()));
    }
    out.push_str(&format!(
        "  \n**Gate:** fail on `{}` or worse, or any policy violation\n\n",
        report.fail_on.as_str()
    ));
    out.push_str("### Steps\n\n");
    out.push_str(&markdown_table(
        &["step", "operation", "matched"],
        report
            .steps
            .iter()
            .map(|s| {
                vec![
                    s.step.to_string(),
                    format!("`{}`", s.operation),
                    format!("{}: {}", s.matched.len(), matched_list(&s.matched)),
                ]
            })
            .collect(),
    ));
    if !report.violations.is_empty() {
        out.push_str("\n### Policy violations\n\n");
        out.push_str(&markdown_table(
            &["step", "kind", "component", "message"],
            report.violations.iter().map(violation_row).collect(),
        ));
    }
    out.push_str("\n### Customers\n\n");
    if report.customers.is_empty() {
        out.push_str("None affected.\n");
    } else {
        out.push_str(&markdown_table(
            &["customer", "status", "weight", "recovery", "affected apps"],
            report
                .customers
                .iter()
                .map(|c| {
                    vec![
                        c.id.clone(),
                        format!("**{}**", c.status),
                        fmt_weight(c.weight.to_f64()),
                        c.recovery.text(),
                        affected_apps(c),
                    ]
                })
                .collect(),
        ));
    }
    if !report.components.is_empty() {
        out.push_str("\n### Blast radius\n\n```mermaid\n");
        out.push_str(&crate::render::graph::mermaid(&report.diagram));
        out.push_str("```\n");
        let omitted = report.diagram.omitted;
        if omitted > 0 {
            out.push_str(&format!(
                "\n{omitted} more affected component{} not drawn (the diagram shows the worst {}); all are listed below.\n",
                if omitted == 1 { "" } else { "s" },
                crate::report::graph::DIAGRAM_CAP
            ));
        }
    }
    out.push_str("\n### Components\n\n");
    if report.components.is_empty() {
        out.push_str("None affected.\n");
    } else {
        out.push_str(&markdown_table(
            &["component", "status", "kind", "region", "recovery", "cause", "path"],
            report
                .components
                .iter()
                .map(|c| {
                    vec![
                        c.id.clone(),
                        format!("**{}**", c.status),
                        c.kind.clone(),
                        c.region.clone().unwrap_or_else(|| "-".to_string()),
                        c.recovery.text(),
                        c.cause.detail().to_string(),
                        c.path_text(" → "),
                    ]
                })
                .collect(),
        ));
    }
    let loops = loops(report);
    if !loops.is_empty() {
        out.push_str("\n### Self-sustaining after a rollback\n\n");
        out.push_str(&markdown_table(
            &["loop", "shed to break it"],
            loops.into_iter().map(|(m, s)| vec![m, s]).collect(),
        ));
    }
    out
}
