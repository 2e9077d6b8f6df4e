//! `blast validate` output.

use comfy_table::presets::NOTHING;
use comfy_table::{CellAlignment, Table};

use crate::error::Diagnostic;
use crate::render::push_table;
use crate::render::style::{Paint, paint};
use crate::report::validate::Inventory;
use crate::text::plural;

pub fn table(summary: &Inventory) -> String {
    let mut out = match &summary.name {
        Some(name) => format!("valid topology: {name}\n"),
        None => "valid topology\n".to_string(),
    };
    let kinds = summary
        .kinds
        .iter()
        .map(|(kind, n)| format!("{kind} {n}"))
        .collect::<Vec<_>>()
        .join(", ");
    let scenarios = if summary.scenarios.is_empty() {
        String::new()
    } else {
        summary.scenarios.join(", ")
    };
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
    push_table(&mut out, &table);
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
            let text = Diagnostic::new(w.message.clone()).render("warning");
            if color {
                text.replacen("warning:", &paint("warning:", Paint::Yellow), 1)
            } else {
                text
            }
        })
        .collect()
}
