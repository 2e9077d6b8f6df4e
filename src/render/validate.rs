//! `blast validate` output: a summary table with warnings on stderr, or the
//! same for CI (workflow commands, JUnit; SARIF is in `sarif`).

use std::fmt::Write;

use comfy_table::presets::NOTHING;
use comfy_table::{CellAlignment, Table};

use crate::error::Diagnostic;
use crate::render::ci::annotation;
use crate::render::style::{Paint, paint};
use crate::report::validate::{Inventory, Severity};
use crate::text::{plural, shown, xml};

/// `valid topology NAME: 12 components, ...; N warnings`.
fn headline(summary: &Inventory) -> String {
    let name = summary
        .name
        .as_deref()
        .map(|n| format!(" {}", shown(n)))
        .unwrap_or_default();
    format!(
        "valid topology{name}: {}, {}, {}; {}",
        plural(summary.components, "component"),
        plural(summary.customers, "customer"),
        plural(summary.scenarios.len(), "scenario"),
        match summary.warnings.len() {
            0 => "no warnings".to_string(),
            n => plural(n, "warning"),
        }
    )
}

pub fn table(summary: &Inventory) -> String {
    let mut out = match &summary.name {
        Some(name) => format!("valid topology: {}\n", shown(name)),
        None => "valid topology\n".to_string(),
    };
    let kinds = summary
        .kinds
        .iter()
        .map(|(kind, n)| format!("{} {n}", shown(kind)))
        .collect::<Vec<_>>()
        .join(", ");
    let scenarios = summary
        .scenarios
        .iter()
        .map(|s| shown(s))
        .collect::<Vec<_>>()
        .join(", ");
    let rows: [(&str, usize, String); 6] = [
        ("components", summary.components, kinds),
        ("regions", summary.regions, String::new()),
        ("zones", summary.zones, String::new()),
        ("dependencies", summary.dependencies, String::new()),
        ("customers", summary.customers, plural(summary.apps, "app")),
        ("scenarios", summary.scenarios.len(), scenarios),
    ];
    let mut table = Table::new();
    table.load_style(NOTHING);
    for (label, count, detail) in rows {
        table.add_row(vec![label.to_string(), count.to_string(), detail]);
    }
    if let Some(column) = table.column_mut(1) {
        column.set_cell_alignment(CellAlignment::Right);
    }
    for line in table.to_string().lines() {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out.push_str(&match summary.warnings.len() {
        0 => "no warnings".to_string(),
        n => plural(n, "warning"),
    });
    out.push('\n');
    out
}

/// Warnings for stderr, one diagnostic each.
pub fn warnings(summary: &Inventory, color: bool) -> String {
    summary
        .warnings
        .iter()
        .map(|w| {
            let mut diagnostic = Diagnostic::new(shown(&w.message));
            if let Some(at) = &w.at {
                diagnostic = diagnostic.at(at.clone());
            }
            let text = diagnostic.render("warning");
            if color {
                text.replacen("warning:", &paint("warning:", Paint::Yellow), 1)
            } else {
                text
            }
        })
        .collect()
}

/// A notice with the counts first, then one annotation per warning at the
/// component it is about.
pub fn github(summary: &Inventory) -> String {
    let mut out = annotation("notice", None, "blast validate", &headline(summary));
    for w in &summary.warnings {
        let level = match w.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        out.push_str(&annotation(
            level,
            w.at.as_ref(),
            &format!("blast: {}", w.kind.as_str()),
            &w.message,
        ));
    }
    out
}

/// One passing test case for the topology, and one per warning (passing:
/// `validate` exits 0), with the warning as its output.
pub fn junit(summary: &Inventory) -> String {
    let tests = 1 + summary.warnings.len();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"blast\" tests=\"{tests}\" failures=\"0\" errors=\"0\">"
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"validate\" tests=\"{tests}\" failures=\"0\" errors=\"0\">"
    );
    let _ = writeln!(
        out,
        "    <testcase classname=\"validate\" name=\"topology loads and checks\">\n      <system-out>{}</system-out>\n    </testcase>",
        xml(&headline(summary))
    );
    for (i, w) in summary.warnings.iter().enumerate() {
        let _ = writeln!(
            out,
            "    <testcase classname=\"validate.warnings\" name=\"{} {} {}\">\n      <system-out>{}: {}</system-out>\n    </testcase>",
            i + 1,
            w.kind.as_str(),
            xml(&w.components.join(", ")),
            match w.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            },
            xml(&w.message)
        );
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}
