//! `blast graph` as Graphviz DOT or Mermaid, from [`GraphData`].
//!
//! Edges point from a component to what it depends on. Components are
//! grouped by region and, when they live in one zone, by zone. With an
//! operation, nodes are coloured by the worst status they reach and the
//! operation's targets are outlined. Dependencies are solid (hard), dashed
//! (soft) or bold and labelled (any_of, K of N); load dynamics are dotted and
//! labelled (surge, failover); `state` links are dotted grey.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::report::graph::{EdgeKind, GraphData, Node};
use crate::status::Status;
use crate::text::{dot_quote, mermaid as mermaid_text};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GraphFormat {
    Dot,
    Mermaid,
}

impl GraphFormat {
    pub fn render(self, graph: &GraphData) -> String {
        match self {
            GraphFormat::Dot => dot(graph),
            GraphFormat::Mermaid => mermaid(graph),
        }
    }
}

const FILL: [(&str, &str); 4] = [
    ("ok", "#ffffff"),
    ("at_risk", "#fff3cd"),
    ("degraded", "#ffd8a8"),
    ("down", "#f8d7da"),
];

fn fill(status: Status) -> &'static str {
    FILL[status.index()].1
}

/// Region -> zone -> node positions; `None` keys for "no region" and "not in one zone".
type Grouped = BTreeMap<Option<String>, BTreeMap<Option<String>, Vec<usize>>>;

fn grouped(graph: &GraphData) -> Grouped {
    let mut groups = Grouped::new();
    for (i, node) in graph.nodes.iter().enumerate() {
        groups
            .entry(node.region.clone())
            .or_default()
            .entry(node.zone.clone())
            .or_default()
            .push(i);
    }
    groups
}

/// How a format opens and closes the nested groups.
struct GroupSyntax<'s> {
    open_region: &'s dyn Fn(usize, &str) -> String,
    open_zone: &'s dyn Fn(usize, usize, &str, &str) -> String,
    /// Closes a group opened at `indent`.
    close: &'s dyn Fn(&str) -> String,
}

/// Writes every node inside its region and zone groups.
fn write_groups(out: &mut String, graph: &GraphData, syntax: &GroupSyntax, node: &dyn Fn(&mut String, &Node, &str)) {
    for (r, (region, zones)) in grouped(graph).iter().enumerate() {
        let indent = if region.is_some() { "    " } else { "  " };
        if let Some(region) = region {
            out.push_str(&(syntax.open_region)(r, region));
        }
        for (z, (zone, nodes)) in zones.iter().enumerate() {
            match zone {
                Some(zone) => {
                    out.push_str(&(syntax.open_zone)(r, z, zone, indent));
                    for i in nodes {
                        node(out, &graph.nodes[*i], &format!("{indent}  "));
                    }
                    out.push_str(&(syntax.close)(indent));
                }
                None => nodes.iter().for_each(|i| node(out, &graph.nodes[*i], indent)),
            }
        }
        if region.is_some() {
            out.push_str(&(syntax.close)("  "));
        }
    }
}

fn dot_edge_style(kind: &EdgeKind) -> String {
    match kind {
        EdgeKind::Hard => String::new(),
        EdgeKind::Soft => " [style=dashed]".to_string(),
        EdgeKind::Quorum(label) => format!(" [style=bold, label={}]", dot_quote(label)),
        EdgeKind::Surge(label) => format!(" [style=dotted, color=\"#b35c00\", label={}]", dot_quote(label)),
        EdgeKind::Failover => " [style=dotted, color=\"#1f4e99\", label=\"failover\"]".to_string(),
        EdgeKind::State => " [style=dotted, color=\"#999999\", arrowhead=odot, label=\"state\"]".to_string(),
    }
}

pub fn dot(graph: &GraphData) -> String {
    let mut out = String::from("digraph blast {\n");
    out.push_str("  rankdir=LR;\n  compound=true;\n");
    out.push_str(
        "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\", fontname=\"Helvetica\", fontsize=10];\n",
    );
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=9, color=\"#555555\"];\n");
    let node = |out: &mut String, node: &Node, indent: &str| {
        let status = node.status.unwrap_or_default();
        let mut label = format!("{}\n{}", node.id, node.kind);
        if node.status.is_some_and(|s| s != Status::Ok) {
            label.push_str(&format!("\n{status}"));
        }
        let label = dot_quote(&label);
        let mut attrs = format!("label={label}, fillcolor=\"{}\"", fill(status));
        if node.target {
            attrs.push_str(", penwidth=3, color=\"#1f4e99\"");
        }
        let _ = writeln!(out, "{indent}{} [{attrs}];", dot_quote(&node.id));
    };
    let syntax = GroupSyntax {
        open_region: &|r, region| {
            format!(
                "  subgraph cluster_{r} {{\n    label={};\n    style=rounded;\n",
                dot_quote(region)
            )
        },
        open_zone: &|r, z, zone, indent| {
            format!(
                "{indent}subgraph cluster_{r}_{z} {{\n{indent}  label={};\n{indent}  style=dashed;\n",
                dot_quote(zone)
            )
        },
        close: &|indent| format!("{indent}}}\n"),
    };
    write_groups(&mut out, graph, &syntax, &node);
    for edge in &graph.edges {
        let _ = writeln!(
            out,
            "  {} -> {}{};",
            dot_quote(&graph.nodes[edge.from].id),
            dot_quote(&graph.nodes[edge.to].id),
            dot_edge_style(&edge.kind)
        );
    }
    legend_dot(&mut out, graph.with_status);
    out.push_str("}\n");
    out
}

fn legend_dot(out: &mut String, with_status: bool) {
    out.push_str(
        "  subgraph cluster_legend {\n    label=\"legend: A -> B means A depends on B\";\n    style=rounded;\n",
    );
    if with_status {
        for (name, color) in FILL {
            let _ = writeln!(out, "    \"legend_{name}\" [label=\"{name}\", fillcolor=\"{color}\"];");
        }
        out.push_str("    \"legend_target\" [label=\"operation target\", penwidth=3, color=\"#1f4e99\"];\n");
    }
    out.push_str("    \"legend_a\" [label=\"A\"]; \"legend_b\" [label=\"B\"]; \"legend_c\" [label=\"C\"]; \"legend_d\" [label=\"D\"]; \"legend_e\" [label=\"E\"];\n");
    out.push_str("    \"legend_a\" -> \"legend_b\" [label=\"hard\"];\n");
    out.push_str("    \"legend_a\" -> \"legend_c\" [style=dashed, label=\"soft\"];\n");
    out.push_str("    \"legend_a\" -> \"legend_d\" [style=bold, label=\"any_of / K of N\"];\n");
    out.push_str("    \"legend_a\" -> \"legend_e\" [style=dotted, color=\"#b35c00\", label=\"load from E (surge, failover)\"];\n");
    out.push_str("  }\n");
}

/// Mermaid node ids must be plain words.
fn mermaid_id(node: &Node) -> String {
    format!("n{}", node.key)
}

pub fn mermaid(graph: &GraphData) -> String {
    let mut out = String::from("flowchart LR\n");
    let node = |out: &mut String, node: &Node, indent: &str| {
        let status = node.status.unwrap_or_default();
        let mut label = format!("{}<br/>{}", mermaid_text(&node.id), mermaid_text(&node.kind));
        if node.status.is_some_and(|s| s != Status::Ok) {
            label.push_str(&format!("<br/>{status}"));
        }
        let class = if node.target {
            format!("{status}_target")
        } else {
            status.to_string()
        };
        let _ = writeln!(out, "{indent}{}[\"{label}\"]:::{class}", mermaid_id(node));
    };
    let syntax = GroupSyntax {
        open_region: &|r, region| format!("  subgraph r{r}[\"{}\"]\n", mermaid_text(region)),
        open_zone: &|r, z, zone, indent| format!("{indent}subgraph r{r}z{z}[\"{}\"]\n", mermaid_text(zone)),
        close: &|indent| format!("{indent}end\n"),
    };
    write_groups(&mut out, graph, &syntax, &node);
    for edge in &graph.edges {
        let (a, b) = (mermaid_id(&graph.nodes[edge.from]), mermaid_id(&graph.nodes[edge.to]));
        let _ = match &edge.kind {
            EdgeKind::Hard => writeln!(out, "  {a} --> {b}"),
            EdgeKind::Soft => writeln!(out, "  {a} -.-> {b}"),
            EdgeKind::Quorum(label) => writeln!(out, "  {a} ==>|{}| {b}", mermaid_text(label)),
            EdgeKind::Surge(label) => writeln!(out, "  {a} -.->|{}| {b}", mermaid_text(label)),
            EdgeKind::Failover => writeln!(out, "  {a} -.->|failover| {b}"),
            EdgeKind::State => writeln!(out, "  {a} -.-o|state| {b}"),
        };
    }
    out.push_str("  subgraph legend[\"legend: A --> B means A depends on B\"]\n");
    if graph.with_status {
        for (name, _) in FILL {
            let _ = writeln!(out, "    legend_{name}[\"{name}\"]:::{name}");
        }
        out.push_str("    legend_target[\"operation target\"]:::ok_target\n");
    }
    out.push_str("    legend_a[\"A\"] -->|hard| legend_b[\"B\"]\n");
    out.push_str("    legend_a -.->|soft| legend_c[\"C\"]\n");
    out.push_str("    legend_a ==>|any_of / K of N| legend_d[\"D\"]\n");
    out.push_str("    legend_a -.->|load from E: surge, failover| legend_e[\"E\"]\n");
    out.push_str("  end\n");
    for (name, color) in FILL {
        let _ = writeln!(out, "  classDef {name} fill:{color},stroke:#555");
        let _ = writeln!(
            out,
            "  classDef {name}_target fill:{color},stroke:#1f4e99,stroke-width:3px"
        );
    }
    out
}
