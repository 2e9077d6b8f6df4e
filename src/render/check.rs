//! `blast check` as a terminal table and as a markdown PR comment, for one
//! plan or a run of several.

use comfy_table::Cell;

use crate::render::style::{Paint, paint};
use crate::render::{Style, TextTable, markdown_cells, markdown_table, new_table, push_table, status_cell};
use crate::report::{CheckRun, ComponentReport, CustomerReport, Report, Verdict, ViolationReport};
use crate::text::{fmt_weight, indented, markdown as md, markdown_code, markdown_message, shorten_middle, shown, wrap};

/// The output formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckFormat {
    Table,
    Json,
    Markdown,
    /// GitHub Actions workflow commands: the verdict, then one annotation per violation and affected customer, at the line that caused it
    Github,
    /// JUnit XML (Jenkins xunit junit-10.xsd): one test case per customer app and per policy violation
    Junit,
    /// SARIF 2.1.0 (GitHub code scanning): one result per violation and per customer at or above --fail-on
    Sarif,
}

impl CheckFormat {
    /// The run in this format; `style` only for a terminal table. One plan
    /// prints as that plan's report; several as one document with a
    /// section per plan.
    pub fn render(self, run: &CheckRun, style: Style) -> String {
        match self {
            CheckFormat::Table => run_table(run, style),
            CheckFormat::Json => match run.single() {
                Some(report) => crate::render::json::to_string(report),
                None => crate::render::json::to_string(run),
            },
            CheckFormat::Markdown => run_markdown(run),
            CheckFormat::Github => crate::render::ci::github(run),
            CheckFormat::Junit => crate::render::ci::junit(run),
            CheckFormat::Sarif => crate::render::sarif::check(run),
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

/// The longest path a table shows whole: longer ones keep their origin and
/// their end (`s3.index -> ... -> ticketmaster.presale`); JSON and
/// `explain` give the whole chain.
fn path_budget(style: Style) -> usize {
    style.width.map_or(60, |w| (w / 3).max(32))
}

/// A component's path for a table, shortened in the middle.
fn table_path(c: &ComponentReport, max: usize) -> String {
    let mut ids = c.path.clone();
    if c.path_elided > 0 && ids.len() > 1 {
        ids.insert(1, format!("({} more)", c.path_elided));
    }
    shorten_middle(&ids, " -> ", max)
}

/// A verdict line (escaped by the caller), coloured when asked.
fn painted_verdict(text: &str, verdict: Verdict, color: bool) -> String {
    if !color {
        return format!("{text}\n");
    }
    let (word, rest) = text.split_at(4.min(text.len()));
    let paint_as = match verdict {
        Verdict::Pass => Paint::Green,
        Verdict::Fail => Paint::Red,
    };
    format!("{}{rest}\n", paint(word, paint_as))
}

/// The verdict line alone (`--quiet`, and stdout beside `--output`): one
/// line per plan, after the combined one when there are several.
pub fn verdict_lines(run: &CheckRun, color: bool) -> String {
    if let Some(report) = run.single() {
        return painted_verdict(&shown(&report.summary.text), report.verdict, color);
    }
    let mut out = painted_verdict(&shown(&run.summary.text), run.verdict, color);
    for report in &run.plans {
        out.push_str(&format!("  {}: ", shown(&report.plan.source)));
        out.push_str(&painted_verdict(&shown(&report.summary.text), report.verdict, color));
    }
    out
}

fn run_table(run: &CheckRun, style: Style) -> String {
    if let Some(report) = run.single() {
        return table(report, style);
    }
    let mut out = painted_verdict(&shown(&run.summary.text), run.verdict, style.color);
    for report in &run.plans {
        out.push_str(&format!("\n== {} ==\n", shown(&report.plan.source)));
        out.push_str(&table(report, style));
    }
    out
}

/// One plan's report as terminal tables, fitted to `style.width`.
pub fn table(report: &Report, style: Style) -> String {
    let color = style.color;
    let verdict = shown(&report.summary.text);
    let verdict = match style.width {
        Some(width) => wrap(&verdict, width, "      "),
        None => verdict,
    };
    let mut out = painted_verdict(&verdict, report.verdict, color);
    out.push('\n');
    let mut plan = format!("Plan: {}", shown(&report.plan.source));
    if let Some(description) = &report.plan.description {
        plan.push_str(&format!(": {}", indented(description, "  ")));
    }
    if let Some(width) = style.width {
        plan = plan
            .lines()
            .map(|line| wrap(line, width, "  "))
            .collect::<Vec<_>>()
            .join("\n");
    }
    out.push_str(&plan);
    out.push_str(&format!(
        "\nGate: fail on {} or worse, or any policy violation\n\n",
        report.fail_on.as_str()
    ));

    let mut steps = new_table(&["step", "operation", "matched"], color).fit(style.width);
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
        let mut table = new_table(&["step", "kind", "component", "message"], color).fit(style.width);
        for v in &report.violations {
            table.add_row(violation_row(v));
        }
        push_table(&mut out, &table);
    }
    out.push('\n');
    out.push_str(&customers_table(report, style));
    out.push('\n');
    out.push_str(&components_table(report, style));
    let loops = loops(report);
    if !loops.is_empty() {
        out.push_str("\nSelf-sustaining after a rollback\n");
        let mut table = new_table(&["loop", "shed to break it"], color).fit(style.width);
        for (members, shed) in loops {
            table.add_row(vec![members, shed]);
        }
        push_table(&mut out, &table);
    }
    out
}

fn customers_table(report: &Report, style: Style) -> String {
    if report.customers.is_empty() {
        return "Customers: none affected\n".to_string();
    }
    let mut out = String::from("Customers\n");
    let id_width = report
        .customers
        .iter()
        .map(|c| c.id.chars().count())
        .max()
        .unwrap_or(0)
        .min(24);
    let mut table = new_table(
        &["customer", "status", "weight", "recovery", "affected apps"],
        style.color,
    )
    .min_width(0, id_width)
    .min_width(1, 8);
    for c in &report.customers {
        table.add_cells(vec![
            Cell::new(shown(&c.id)),
            status_cell(c.status),
            Cell::new(fmt_weight(c.weight.to_f64())),
            Cell::new(c.recovery.text()),
            Cell::new(shown(&affected_apps(c))),
        ]);
    }
    push_table(&mut out, &table.fit(style.width));
    out
}

/// Below this width the components table drops `kind` and `region` and
/// puts the path under the cause, so that what is left stays readable.
const NARROW: usize = 120;

fn components_table(report: &Report, style: Style) -> String {
    if report.components.is_empty() {
        return "Components: none affected\n".to_string();
    }
    let mut out = String::from("Components\n");
    let narrow = style.width.is_some_and(|w| w < NARROW);
    let budget = match style.width {
        Some(w) if narrow => (w / 2).max(32),
        _ => path_budget(style),
    };
    let id_width = report
        .components
        .iter()
        .map(|c| c.id.chars().count())
        .max()
        .unwrap_or(0)
        .min(28);
    let header: &[&str] = if narrow {
        &["component", "status", "recovery", "cause, path"]
    } else {
        &["component", "status", "kind", "region", "recovery", "cause", "path"]
    };
    let mut table: TextTable = new_table(header, style.color).min_width(0, id_width).min_width(1, 8);
    for c in &report.components {
        let path = shown(&table_path(c, budget));
        let row = if narrow {
            vec![
                Cell::new(shown(&c.id)),
                status_cell(c.status),
                Cell::new(c.recovery.text()),
                Cell::new(format!("{}\n{path}", shown(c.cause.detail()))),
            ]
        } else {
            vec![
                Cell::new(shown(&c.id)),
                status_cell(c.status),
                Cell::new(shown(&c.kind)),
                Cell::new(shown(c.region.as_deref().unwrap_or("-"))),
                Cell::new(c.recovery.text()),
                Cell::new(shown(c.cause.detail())),
                Cell::new(path),
            ]
        };
        table.add_cells(row);
    }
    push_table(&mut out, &table.fit(style.width));
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

fn run_markdown(run: &CheckRun) -> String {
    if let Some(report) = run.single() {
        return markdown(report, 2);
    }
    let icon = verdict_icon(run.verdict);
    let mut out = format!("## blast radius {icon} {}\n", md(&run.summary.text));
    for report in &run.plans {
        out.push('\n');
        out.push_str(&markdown(report, 3));
    }
    out
}

fn verdict_icon(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Pass => ":white_check_mark:",
        Verdict::Fail => ":x:",
    }
}

/// One plan's report as a pull-request comment, its heading at `level`,
/// with a Mermaid drawing of the affected subgraph. Every piece of input
/// text is escaped as markdown or code.
pub fn markdown(report: &Report, level: usize) -> String {
    let h = "#".repeat(level);
    let sub = "#".repeat(level + 1);
    let mut out = format!(
        "{h} blast radius {} {}\n\n",
        verdict_icon(report.verdict),
        md(&report.summary.text)
    );
    out.push_str(&format!("**Plan:** {}", md(&report.plan.source)));
    if let Some(description) = &report.plan.description {
        out.push_str(&format!(": {}", md(description.trim())));
    }
    out.push_str(&format!(
        "  \n**Gate:** fail on `{}` or worse, or any policy violation\n\n",
        report.fail_on.as_str()
    ));
    out.push_str(&format!("{sub} Steps\n\n"));
    out.push_str(&markdown_cells(
        &["step", "operation", "matched"],
        report
            .steps
            .iter()
            .map(|s| {
                vec![
                    s.step.to_string(),
                    markdown_code(&s.operation),
                    md(&format!("{}: {}", s.matched.len(), matched_list(&s.matched))),
                ]
            })
            .collect(),
    ));
    if !report.violations.is_empty() {
        out.push_str(&format!("\n{sub} Policy violations\n\n"));
        out.push_str(&markdown_table(
            &["step", "kind", "component", "message"],
            report.violations.iter().map(violation_row).collect(),
        ));
    }
    out.push_str(&format!("\n{sub} Customers\n\n"));
    out.push_str(&markdown_customers(report));
    if !report.components.is_empty() {
        out.push_str(&format!("\n{sub} Blast radius\n\n```mermaid\n"));
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
    out.push_str(&format!("\n{sub} Components\n\n"));
    out.push_str(&markdown_components(report));
    let loops = loops(report);
    if !loops.is_empty() {
        out.push_str(&format!("\n{sub} Self-sustaining after a rollback\n\n"));
        out.push_str(&markdown_table(
            &["loop", "shed to break it"],
            loops.into_iter().map(|(m, s)| vec![m, s]).collect(),
        ));
    }
    out
}

fn markdown_customers(report: &Report) -> String {
    if report.customers.is_empty() {
        return "None affected.\n".to_string();
    }
    markdown_cells(
        &["customer", "status", "weight", "recovery", "affected apps"],
        report
            .customers
            .iter()
            .map(|c| {
                vec![
                    md(&c.id),
                    format!("**{}**", c.status),
                    fmt_weight(c.weight.to_f64()),
                    md(&c.recovery.text()),
                    md(&affected_apps(c)),
                ]
            })
            .collect(),
    )
}

fn markdown_components(report: &Report) -> String {
    if report.components.is_empty() {
        return "None affected.\n".to_string();
    }
    markdown_cells(
        &["component", "status", "kind", "region", "recovery", "cause", "path"],
        report
            .components
            .iter()
            .map(|c| {
                vec![
                    md(&c.id),
                    format!("**{}**", c.status),
                    md(&c.kind),
                    md(c.region.as_deref().unwrap_or("-")),
                    md(&c.recovery.text()),
                    markdown_message(c.cause.detail()),
                    md(&c.path_text(" → ")),
                ]
            })
            .collect(),
    )
}
