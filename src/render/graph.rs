//! `blast graph`: the dependency graph as Graphviz DOT or Mermaid.
//!
//! Edges point from a component to what it depends on. Components are
//! grouped by region and, when they live in one zone, by zone. With an
//! operation, nodes are coloured by the worst status they reach and the
//! operation's targets are outlined. `--focus` keeps one component's
//! neighbourhood, because real topologies are too big to draw whole.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt::Write;

use crate::engine::Outcome;
use crate::model::{ComponentIdx, Rule, Topology};
use crate::plan::Plan;
use crate::status::Status;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GraphFormat {
    Dot,
    Mermaid,
}

/// What to draw.
pub struct Drawing<'a> {
    pub topology: &'a Topology,
    /// Statuses and targets, when an operation was given.
    pub outcome: Option<(&'a Plan, &'a Outcome)>,
    /// The components to draw (all when `None`).
    pub nodes: Option<BTreeSet<ComponentIdx>>,
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

impl Drawing<'_> {
    fn status(&self, c: ComponentIdx) -> Status {
        self.outcome.map_or(Status::Ok, |(_, outcome)| outcome.worst[c.index()])
    }

    fn targets(&self) -> BTreeSet<ComponentIdx> {
        self.outcome.map_or_else(BTreeSet::new, |(plan, _)| {
            plan.steps.iter().flat_map(|s| s.matched.iter().copied()).collect()
        })
    }

    fn included(&self, c: ComponentIdx) -> bool {
        self.nodes.as_ref().is_none_or(|set| set.contains(&c))
    }

    fn components(&self) -> Vec<ComponentIdx> {
        self.topology
            .component_indices()
            .filter(|c| self.included(*c))
            .collect()
    }

    /// Region, then zone (only for components in exactly one zone).
    fn place(&self, c: ComponentIdx) -> (Option<String>, Option<String>) {
        let topology = self.topology;
        let zones: Vec<_> = topology.placements_of(c).iter().filter_map(|p| p.zone).collect();
        let region = topology.region_id_of(c).map(str::to_string);
        let zone = match zones.as_slice() {
            [z] => Some(topology.zone(*z).id.clone()),
            _ => None,
        };
        (region, zone)
    }

    /// Edges among drawn components: (dependent, dependency, rule label, style).
    fn edges(&self) -> Vec<(ComponentIdx, ComponentIdx, Rule, usize)> {
        let mut out = Vec::new();
        for c in self.components() {
            for g in self.topology.groups_of(c) {
                let members = self.topology.members_of(g);
                for m in members {
                    if self.included(*m) {
                        out.push((c, *m, self.topology.group(g).rule, members.len()));
                    }
                }
            }
        }
        out
    }
}

/// Region -> zone -> components; `None` keys for "no region" and "not in one zone".
type Grouped = BTreeMap<Option<String>, BTreeMap<Option<String>, Vec<ComponentIdx>>>;

/// How a format opens and closes the nested groups.
struct GroupSyntax<'s> {
    open_region: &'s dyn Fn(usize, &str) -> String,
    open_zone: &'s dyn Fn(usize, usize, &str, &str) -> String,
    /// Closes a group opened at `indent`.
    close: &'s dyn Fn(&str) -> String,
}

impl Drawing<'_> {
    fn grouped(&self) -> Grouped {
        let mut groups = Grouped::new();
        for c in self.components() {
            let (region, zone) = self.place(c);
            groups.entry(region).or_default().entry(zone).or_default().push(c);
        }
        groups
    }

    /// Writes every drawn component inside its region and zone groups.
    fn write_groups(&self, out: &mut String, syntax: &GroupSyntax, node: &dyn Fn(&mut String, ComponentIdx, &str)) {
        for (r, (region, zones)) in self.grouped().iter().enumerate() {
            let indent = if region.is_some() { "    " } else { "  " };
            if let Some(region) = region {
                out.push_str(&(syntax.open_region)(r, region));
            }
            for (z, (zone, nodes)) in zones.iter().enumerate() {
                match zone {
                    Some(zone) => {
                        out.push_str(&(syntax.open_zone)(r, z, zone, indent));
                        for c in nodes {
                            node(out, *c, &format!("{indent}  "));
                        }
                        out.push_str(&(syntax.close)(indent));
                    }
                    None => {
                        for c in nodes {
                            node(out, *c, indent);
                        }
                    }
                }
            }
            if region.is_some() {
                out.push_str(&(syntax.close)("  "));
            }
        }
    }
}

/// The neighbourhood of `focus` up to `depth` hops, following dependencies both ways.
pub fn neighbourhood(topology: &Topology, focus: ComponentIdx, depth: usize) -> BTreeSet<ComponentIdx> {
    let mut seen = BTreeSet::from([focus]);
    let mut queue = VecDeque::from([(focus, 0)]);
    while let Some((c, d)) = queue.pop_front() {
        if d == depth {
            continue;
        }
        let upstream = topology
            .groups_of(c)
            .flat_map(|g| topology.members_of(g).iter().copied());
        let downstream = topology.dependents_of(c).map(|g| topology.group(g).dependent);
        for next in upstream.chain(downstream).collect::<Vec<_>>() {
            if seen.insert(next) {
                queue.push_back((next, d + 1));
            }
        }
    }
    seen
}

fn rule_label(rule: Rule, size: usize) -> Option<String> {
    match rule {
        Rule::Hard | Rule::Soft => None,
        Rule::Quorum { any_of: true, .. } => Some("any_of".to_string()),
        Rule::Quorum { k, .. } => Some(format!("{k} of {size}")),
    }
}

fn dot_quote(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

pub fn dot(drawing: &Drawing) -> String {
    let topology = drawing.topology;
    let targets = drawing.targets();
    let mut out = String::from("digraph blast {\n");
    out.push_str("  rankdir=LR;\n  compound=true;\n");
    out.push_str(
        "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\", fontname=\"Helvetica\", fontsize=10];\n",
    );
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=9, color=\"#555555\"];\n");

    let node = |out: &mut String, c: ComponentIdx, indent: &str| {
        let component = topology.component(c);
        let status = drawing.status(c);
        let mut label = format!("{}\\n{}", component.id, component.kind);
        if drawing.outcome.is_some() && status != Status::Ok {
            label.push_str(&format!("\\n{status}"));
        }
        let mut attrs = format!(
            "label=\"{}\", fillcolor=\"{}\"",
            label.replace('"', "\\\""),
            fill(status)
        );
        if targets.contains(&c) {
            attrs.push_str(", penwidth=3, color=\"#1f4e99\"");
        }
        let _ = writeln!(out, "{indent}{} [{attrs}];", dot_quote(&component.id));
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
    drawing.write_groups(&mut out, &syntax, &node);
    for (dependent, dependency, rule, size) in drawing.edges() {
        let style = match rule {
            Rule::Hard => String::new(),
            Rule::Soft => " [style=dashed]".to_string(),
            Rule::Quorum { .. } => format!(
                " [style=bold, label={}]",
                dot_quote(&rule_label(rule, size).unwrap_or_default())
            ),
        };
        let _ = writeln!(
            out,
            "  {} -> {}{style};",
            dot_quote(&topology.component(dependent).id),
            dot_quote(&topology.component(dependency).id)
        );
    }
    legend_dot(&mut out, drawing.outcome.is_some());
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
    out.push_str("    \"legend_a\" [label=\"A\"]; \"legend_b\" [label=\"B\"]; \"legend_c\" [label=\"C\"]; \"legend_d\" [label=\"D\"];\n");
    out.push_str("    \"legend_a\" -> \"legend_b\" [label=\"hard\"];\n");
    out.push_str("    \"legend_a\" -> \"legend_c\" [style=dashed, label=\"soft\"];\n");
    out.push_str("    \"legend_a\" -> \"legend_d\" [style=bold, label=\"any_of / K of N\"];\n");
    out.push_str("  }\n");
}

/// Mermaid node ids must be plain words.
fn mermaid_id(c: ComponentIdx) -> String {
    format!("n{}", c.index())
}

fn mermaid_text(text: &str) -> String {
    text.replace('"', "#quot;")
}

pub fn mermaid(drawing: &Drawing) -> String {
    let topology = drawing.topology;
    let targets = drawing.targets();
    let mut out = String::from("flowchart LR\n");
    let node = |out: &mut String, c: ComponentIdx, indent: &str| {
        let component = topology.component(c);
        let status = drawing.status(c);
        let mut label = format!("{}<br/>{}", mermaid_text(&component.id), mermaid_text(&component.kind));
        if drawing.outcome.is_some() && status != Status::Ok {
            label.push_str(&format!("<br/>{status}"));
        }
        let class = if targets.contains(&c) {
            format!("{status}_target")
        } else {
            status.to_string()
        };
        let _ = writeln!(out, "{indent}{}[\"{label}\"]:::{class}", mermaid_id(c));
    };
    let syntax = GroupSyntax {
        open_region: &|r, region| format!("  subgraph r{r}[\"{}\"]\n", mermaid_text(region)),
        open_zone: &|r, z, zone, indent| format!("{indent}subgraph r{r}z{z}[\"{}\"]\n", mermaid_text(zone)),
        close: &|indent| format!("{indent}end\n"),
    };
    drawing.write_groups(&mut out, &syntax, &node);
    for (dependent, dependency, rule, size) in drawing.edges() {
        let (a, b) = (mermaid_id(dependent), mermaid_id(dependency));
        let _ = match rule {
            Rule::Hard => writeln!(out, "  {a} --> {b}"),
            Rule::Soft => writeln!(out, "  {a} -.-> {b}"),
            Rule::Quorum { .. } => writeln!(out, "  {a} ==>|{}| {b}", rule_label(rule, size).unwrap_or_default()),
        };
    }
    out.push_str("  subgraph legend[\"legend: A --> B means A depends on B\"]\n");
    if drawing.outcome.is_some() {
        for (name, _) in FILL {
            let _ = writeln!(out, "    legend_{name}[\"{name}\"]:::{name}");
        }
        out.push_str("    legend_target[\"operation target\"]:::ok_target\n");
    }
    out.push_str("    legend_a[\"A\"] -->|hard| legend_b[\"B\"]\n");
    out.push_str("    legend_a -.->|soft| legend_c[\"C\"]\n");
    out.push_str("    legend_a ==>|any_of / K of N| legend_d[\"D\"]\n");
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

/// Renders the drawing in `format`.
pub fn render(drawing: &Drawing, format: GraphFormat) -> String {
    match format {
        GraphFormat::Dot => dot(drawing),
        GraphFormat::Mermaid => mermaid(drawing),
    }
}

/// How many components a pull-request diagram draws at most.
pub const DIAGRAM_CAP: usize = 40;

/// A Mermaid diagram of what the operation affects (worst first, capped),
/// and how many affected components were left out.
pub fn affected_mermaid(topology: &Topology, plan: &Plan, outcome: &Outcome) -> (String, usize) {
    let mut affected: Vec<(Status, ComponentIdx)> = outcome.affected.iter().map(|a| (a.status, a.component)).collect();
    affected.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let omitted = affected.len().saturating_sub(DIAGRAM_CAP);
    let nodes: BTreeSet<ComponentIdx> = affected.into_iter().take(DIAGRAM_CAP).map(|(_, c)| c).collect();
    let drawing = Drawing {
        topology,
        outcome: Some((plan, outcome)),
        nodes: Some(nodes),
    };
    (mermaid(&drawing), omitted)
}
