//! `blast list` as terminal tables.

use crate::render::{Style, new_table, push_table};
use crate::report::list::Listing;
use crate::text::{fmt_weight, plural};

pub fn table(listing: &Listing, style: Style) -> String {
    let mut out = String::new();
    let mut section = |title: &str, count: usize, header: &[&str], rows: Vec<Vec<String>>| {
        // A filter by kind lists components alone: the other sections are empty.
        if rows.is_empty() && title != "Components" {
            return;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&format!("{title} ({count})\n"));
        if rows.is_empty() {
            return;
        }
        let mut table = new_table(header, style.color).fit(style.width);
        for row in rows {
            table.add_row(row);
        }
        push_table(&mut out, &table);
    };
    section(
        "Components",
        listing.components.len(),
        &["id", "kind", "section", "region", "zones", "customer"],
        component_rows(listing),
    );
    section(
        "Regions",
        listing.regions.len(),
        &["id", "name", "zones"],
        listing
            .regions
            .iter()
            .map(|r| vec![r.id.clone(), dash(r.name.as_deref()), r.zones.join(", ")])
            .collect(),
    );
    section(
        "Customers",
        listing.customers.len(),
        &["id", "name", "weight", "apps"],
        customer_rows(listing),
    );
    section(
        "Scenarios",
        listing.scenarios.len(),
        &["name", "steps", "description"],
        listing
            .scenarios
            .iter()
            .map(|s| {
                vec![
                    s.name.clone(),
                    plural(s.steps, "step"),
                    summary(s.description.as_deref().unwrap_or("-")),
                ]
            })
            .collect(),
    );
    out
}

fn dash(value: Option<&str>) -> String {
    value.unwrap_or("-").to_string()
}

fn component_rows(listing: &Listing) -> Vec<Vec<String>> {
    listing
        .components
        .iter()
        .map(|c| {
            vec![
                c.id.clone(),
                c.kind.clone(),
                c.section.to_string(),
                dash(c.region.as_deref()),
                if c.zones.is_empty() {
                    "-".to_string()
                } else {
                    c.zones.join(", ")
                },
                dash(c.customer.as_deref()),
            ]
        })
        .collect()
}

fn customer_rows(listing: &Listing) -> Vec<Vec<String>> {
    listing
        .customers
        .iter()
        .map(|c| {
            vec![
                c.id.clone(),
                dash(c.name.as_deref()),
                fmt_weight(c.weight.to_f64()),
                c.apps.join(", "),
            ]
        })
        .collect()
}

/// A description's first sentence or so, for one table cell; `--format json`
/// has it whole.
fn summary(text: &str) -> String {
    const MAX: usize = 72;
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= MAX {
        return flat;
    }
    let cut: String = flat.chars().take(MAX).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{cut}...")
}
