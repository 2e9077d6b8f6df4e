//! `spof`, `cuts` and `diff` output: one serializable view per analysis,
//! printed as JSON, or as the same rows in a terminal table or markdown.

use serde::Serialize;

use crate::analysis::cuts::{Cuts, Limits};
use crate::analysis::diff::Diff;
use crate::analysis::spof::{SpofEntry, Unit};
use crate::model::Topology;
use crate::number::Exact;
use crate::render::{json, markdown_table, new_table, push_table};
use crate::report::{Counts, SCHEMA_VERSION};
use crate::status::Status;
use crate::text::fmt_weight;

/// Table or markdown, for the analyses' row-shaped output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    Table,
    Markdown,
}

fn rows(layout: Layout, header: &[&str], rows: Vec<Vec<String>>) -> String {
    match layout {
        Layout::Markdown => markdown_table(header, rows),
        Layout::Table => {
            let mut table = new_table(header, false);
            for row in rows {
                table.add_row(row);
            }
            let mut out = String::new();
            push_table(&mut out, &table);
            out
        }
    }
}

fn heading(layout: Layout, text: &str) -> String {
    match layout {
        Layout::Markdown => format!("### {text}\n\n"),
        Layout::Table => format!("{text}\n"),
    }
}

#[derive(Debug, Serialize)]
pub struct SpofView {
    pub schema_version: u32,
    /// Components ranked in all (customer apps only with `--include-apps`).
    pub components: usize,
    /// Zones ranked in all.
    pub zones: usize,
    /// Regions ranked in all.
    pub regions: usize,
    pub ranking: Vec<SpofRow>,
}

#[derive(Debug, Serialize)]
pub struct SpofRow {
    pub rank: usize,
    /// What fails: `component`, `zone` or `region`.
    pub unit: &'static str,
    pub id: String,
    /// The component's kind; `zone` or `region` for the others.
    pub kind: String,
    /// The component's or zone's region; a region's own id.
    pub region: Option<String>,
    pub customers: Counts,
    pub services: Counts,
    pub customers_down: Vec<String>,
}

fn spof_row(topology: &Topology, rank: usize, entry: &SpofEntry) -> SpofRow {
    let (kind, region) = match entry.unit {
        Unit::Component(c) => (
            topology.component(c).kind.to_string(),
            topology.region_id_of(c).map(str::to_string),
        ),
        Unit::Zone(z) => (
            "zone".to_string(),
            Some(topology.region(topology.zone(z).region).id.clone()),
        ),
        Unit::Region(r) => ("region".to_string(), Some(topology.region(r).id.clone())),
    };
    SpofRow {
        rank,
        unit: entry.unit.kind(),
        id: entry.unit.id(topology).to_string(),
        kind,
        region,
        customers: entry.impact.customers.clone(),
        services: entry.impact.services.clone(),
        customers_down: entry
            .impact
            .down_customers
            .iter()
            .map(|c| topology.customer(*c).id.to_string())
            .collect(),
    }
}

/// The top `top` entries (0: all).
pub fn spof_view(topology: &Topology, entries: &[SpofEntry], top: usize) -> SpofView {
    let shown = if top == 0 {
        entries.len()
    } else {
        top.min(entries.len())
    };
    let count = |kind: &str| entries.iter().filter(|e| e.unit.kind() == kind).count();
    SpofView {
        schema_version: SCHEMA_VERSION,
        components: count("component"),
        zones: count("zone"),
        regions: count("region"),
        ranking: entries[..shown]
            .iter()
            .enumerate()
            .map(|(i, e)| spof_row(topology, i + 1, e))
            .collect(),
    }
}

pub fn spof_json(view: &SpofView) -> String {
    json::to_string(view)
}

pub fn spof_text(view: &SpofView, layout: Layout) -> String {
    let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut out = heading(
        layout,
        &format!(
            "Single points of failure: top {} of {} ({}, {}, {}), by customer weight down",
            view.ranking.len(),
            view.components + view.zones + view.regions,
            plural(view.components, "component", "components"),
            plural(view.zones, "zone", "zones"),
            plural(view.regions, "region", "regions"),
        ),
    );
    out.push('\n');
    out.push_str(&rows(
        layout,
        &[
            "rank",
            "failure",
            "kind",
            "customers down",
            "weight down",
            "customers degraded",
            "weight degraded",
            "services affected",
        ],
        view.ranking
            .iter()
            .map(|r| {
                vec![
                    r.rank.to_string(),
                    match r.unit {
                        "component" => r.id.clone(),
                        unit => format!("{unit} {}", r.id),
                    },
                    r.kind.clone(),
                    r.customers.down.to_string(),
                    fmt_weight(r.customers.down_weight.to_f64()),
                    r.customers.degraded.to_string(),
                    fmt_weight(r.customers.degraded_weight.to_f64()),
                    r.services.affected().to_string(),
                ]
            })
            .collect(),
    ));
    out
}

#[derive(Debug, Serialize)]
pub struct CutsView {
    pub schema_version: u32,
    pub target: String,
    pub max_size: usize,
    /// Components whose failure can reach the target.
    pub cone: usize,
    pub already_down: bool,
    pub sets: Vec<CutRow>,
    /// The search stops once it has this many sets.
    pub max_sets: usize,
    /// The search stopped at `max_sets`: more minimal sets may exist.
    pub truncated: bool,
    /// Sets found (and listed) when the search ended.
    pub found: usize,
}

#[derive(Debug, Serialize)]
pub struct CutRow {
    pub size: usize,
    pub members: Vec<String>,
    /// Customer weight down when the whole set fails.
    pub weight_down: Exact,
}

pub fn cuts_view(topology: &Topology, target: &str, limits: Limits, cuts: &Cuts) -> CutsView {
    CutsView {
        schema_version: SCHEMA_VERSION,
        target: target.to_string(),
        max_size: limits.max_size,
        cone: cuts.cone,
        already_down: cuts.already_down,
        sets: cuts
            .sets
            .iter()
            .map(|s| CutRow {
                size: s.members.len(),
                members: s.members.iter().map(|m| m.label(topology)).collect(),
                weight_down: s.weight_down.clone(),
            })
            .collect(),
        max_sets: limits.max_sets,
        truncated: cuts.truncated,
        found: cuts.sets.len(),
    }
}

pub fn cuts_json(view: &CutsView) -> String {
    json::to_string(view)
}

pub fn cuts_text(view: &CutsView, layout: Layout) -> String {
    if view.already_down {
        return heading(layout, &format!("`{}` is down before anything fails", view.target));
    }
    let count = view.sets.len();
    let mut out = heading(
        layout,
        &format!(
            "{count} minimal cut set{} of up to {} failure{} take `{}` down ({} components can reach it)",
            if count == 1 { "" } else { "s" },
            view.max_size,
            if view.max_size == 1 { "" } else { "s" },
            view.target,
            view.cone
        ),
    );
    if view.truncated {
        // Said before the list, so that a reader of a long list cannot miss it.
        out.push_str(&format!(
            "{}: the search stopped at --max-sets {} with {count} set{} found; more minimal sets may exist.\n",
            if layout == Layout::Markdown {
                "**The list is cut**"
            } else {
                "The list is cut"
            },
            view.max_sets,
            if count == 1 { "" } else { "s" },
        ));
    }
    if count > 0 {
        out.push('\n');
        out.push_str(&rows(
            layout,
            &["size", "fail together", "weight down"],
            view.sets
                .iter()
                .map(|s| {
                    vec![
                        s.size.to_string(),
                        s.members.join(" + "),
                        fmt_weight(s.weight_down.to_f64()),
                    ]
                })
                .collect(),
        ));
    }
    out
}

#[derive(Debug, Serialize)]
pub struct DiffView {
    pub schema_version: u32,
    pub verdict: &'static str,
    /// The status a single failure must cause for a customer to count it.
    pub threshold: String,
    pub summary: String,
    pub components: ComponentChanges,
    pub dependencies: DependencyChanges,
    pub customers: Vec<CustomerRow>,
    /// Customers of NEW at the threshold or worse before any operation.
    pub baseline_failures: Vec<BaselineRow>,
    pub spof_moves: Vec<MoveRow>,
}

#[derive(Debug, Serialize)]
pub struct BaselineRow {
    pub id: String,
    pub status: Status,
}

#[derive(Debug, Serialize)]
pub struct ComponentChanges {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub changed: Vec<ChangedRow>,
}

#[derive(Debug, Serialize)]
pub struct ChangedRow {
    pub id: String,
    pub fields: Vec<&'static str>,
}

#[derive(Debug, Serialize)]
pub struct DependencyChanges {
    pub added: Vec<String>,
    pub removed: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct CustomerRow {
    pub id: String,
    pub spof_gained: Vec<String>,
    pub spof_lost: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct MoveRow {
    pub id: String,
    pub old_rank: usize,
    pub new_rank: usize,
    pub old_weight_down: Exact,
    pub new_weight_down: Exact,
}

pub fn diff_view(diff: &Diff, threshold: &str) -> DiffView {
    let gained = diff.customers.iter().filter(|c| !c.gained.is_empty()).count();
    let lost = diff.customers.iter().filter(|c| !c.lost.is_empty()).count();
    let (verdict, head) = if diff.fails() {
        ("fail", "FAIL")
    } else {
        ("pass", "PASS")
    };
    let failing = diff.baseline_failures.len();
    let baseline = if failing == 0 {
        String::new()
    } else {
        format!(
            "; {failing} customer{} not ok before any operation in NEW",
            if failing == 1 { "" } else { "s" }
        )
    };
    let summary = format!(
        "{head}: {gained} customer{} gained a single point of failure, {lost} lost one{baseline}; components {} added, {} removed, {} changed",
        if gained == 1 { "" } else { "s" },
        diff.added.len(),
        diff.removed.len(),
        diff.changed.len()
    );
    DiffView {
        schema_version: SCHEMA_VERSION,
        verdict,
        threshold: threshold.to_string(),
        summary,
        components: ComponentChanges {
            added: diff.added.clone(),
            removed: diff.removed.clone(),
            changed: diff
                .changed
                .iter()
                .map(|c| ChangedRow {
                    id: c.id.clone(),
                    fields: c.fields.clone(),
                })
                .collect(),
        },
        dependencies: DependencyChanges {
            added: diff.dependencies_added.clone(),
            removed: diff.dependencies_removed.clone(),
        },
        customers: diff
            .customers
            .iter()
            .map(|c| CustomerRow {
                id: c.id.clone(),
                spof_gained: c.gained.clone(),
                spof_lost: c.lost.clone(),
            })
            .collect(),
        baseline_failures: diff
            .baseline_failures
            .iter()
            .map(|(id, status)| BaselineRow {
                id: id.clone(),
                status: *status,
            })
            .collect(),
        spof_moves: diff
            .moves
            .iter()
            .map(|m| MoveRow {
                id: m.id.clone(),
                old_rank: m.old_rank,
                new_rank: m.new_rank,
                old_weight_down: m.old_weight_down.clone(),
                new_weight_down: m.new_weight_down.clone(),
            })
            .collect(),
    }
}

fn component_rows(c: &ComponentChanges) -> Vec<Vec<String>> {
    let mut table = Vec::new();
    table.extend(
        c.added
            .iter()
            .map(|id| vec!["added".to_string(), id.clone(), String::new()]),
    );
    table.extend(
        c.removed
            .iter()
            .map(|id| vec!["removed".to_string(), id.clone(), String::new()]),
    );
    table.extend(
        c.changed
            .iter()
            .map(|ch| vec!["changed".to_string(), ch.id.clone(), ch.fields.join(", ")]),
    );
    table
}

fn move_rows(view: &DiffView) -> Vec<Vec<String>> {
    view.spof_moves
        .iter()
        .map(|m| {
            vec![
                m.id.clone(),
                format!("{} -> {}", m.old_rank, m.new_rank),
                format!(
                    "{} -> {}",
                    fmt_weight(m.old_weight_down.to_f64()),
                    fmt_weight(m.new_weight_down.to_f64())
                ),
            ]
        })
        .collect()
}

pub fn diff_json(view: &DiffView) -> String {
    json::to_string(view)
}

pub fn diff_text(view: &DiffView, layout: Layout) -> String {
    let mut out = match layout {
        Layout::Markdown => format!("## blast diff: {}\n", view.summary),
        Layout::Table => format!("{}\n", view.summary),
    };
    let list = |items: &[String]| {
        if items.is_empty() {
            "-".to_string()
        } else {
            items.join(", ")
        }
    };
    if !view.baseline_failures.is_empty() {
        let failing: Vec<String> = view
            .baseline_failures
            .iter()
            .map(|b| format!("{} ({})", b.id, b.status))
            .collect();
        out.push('\n');
        out.push_str(&heading(
            layout,
            &format!(
                "Customers not ok before any operation in NEW (at {} or worse): {}",
                view.threshold,
                failing.join(", ")
            ),
        ));
    }
    if !view.customers.is_empty() {
        out.push('\n');
        out.push_str(&heading(
            layout,
            &format!("Single points of failure per customer (at {} or worse)", view.threshold),
        ));
        out.push_str(&rows(
            layout,
            &["customer", "gained", "lost"],
            view.customers
                .iter()
                .map(|c| vec![c.id.clone(), list(&c.spof_gained), list(&c.spof_lost)])
                .collect(),
        ));
    }
    let c = &view.components;
    if !(c.added.is_empty() && c.removed.is_empty() && c.changed.is_empty()) {
        out.push('\n');
        out.push_str(&heading(layout, "Components"));
        out.push_str(&rows(layout, &["change", "component", "fields"], component_rows(c)));
    }
    let d = &view.dependencies;
    if !(d.added.is_empty() && d.removed.is_empty()) {
        out.push('\n');
        out.push_str(&heading(layout, "Dependencies"));
        let mut table: Vec<Vec<String>> = d.added.iter().map(|e| vec!["added".to_string(), e.clone()]).collect();
        table.extend(d.removed.iter().map(|e| vec!["removed".to_string(), e.clone()]));
        out.push_str(&rows(layout, &["change", "entry"], table));
    }
    if !view.spof_moves.is_empty() {
        out.push('\n');
        out.push_str(&heading(layout, "Largest moves in the spof ranking"));
        out.push_str(&rows(layout, &["component", "rank", "weight down"], move_rows(view)));
    }
    out
}
