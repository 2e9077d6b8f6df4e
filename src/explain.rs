//! `blast explain`: the causal chain from the operation to one component.

use comfy_table::Table;
use comfy_table::presets::NOTHING;

use crate::engine::Outcome;
use crate::error::{Diagnostic, Error, Result, nearest};
use crate::plan::Plan;
use crate::report::describe_cause;
use crate::status::Status;
use crate::topology::{ComponentIdx, Topology};

/// Explains `id`: a component, or a customer (through its worst app).
pub fn explain(topology: &Topology, plan: &Plan, outcome: &Outcome, id: &str) -> Result<String> {
    let (target, mut out) = match topology.find(id) {
        Some(c) => (c, String::new()),
        None => match topology.find_customer(id) {
            Some(customer) => {
                let apps = &topology.customer(customer).apps;
                // The worst app, first in file order among equals.
                let worst = apps
                    .iter()
                    .copied()
                    .max_by(|a, b| outcome.worst[a.index()].cmp(&outcome.worst[b.index()]).then(b.cmp(a)));
                let Some(app) = worst else {
                    return Err(Error::usage(Diagnostic::new(format!("customer `{id}` has no apps"))));
                };
                let status = outcome.worst[app.index()];
                (
                    app,
                    format!(
                        "customer `{id}` is {status} through its app `{}`\n",
                        topology.component(app).id
                    ),
                )
            }
            None => {
                let diagnostic = Diagnostic::new(format!(
                    "`{id}` is not a component or customer of `{}`",
                    topology.source().display()
                ))
                .suggest(nearest(id, topology.component_ids()));
                return Err(Error::usage(diagnostic));
            }
        },
    };
    out.push_str(&chain(topology, plan, outcome, target));
    Ok(out)
}

fn chain(topology: &Topology, plan: &Plan, outcome: &Outcome, target: ComponentIdx) -> String {
    let id = &topology.component(target).id;
    let Some(affected) = outcome.affected_of(target) else {
        return format!("`{id}` stays ok at every step of the plan\n");
    };
    let step = &plan.steps[affected.step - 1];
    let mut out = format!(
        "`{id}` is {} from step {} ({})\n\n",
        affected.status, affected.step, step.text
    );
    let mut table = Table::new();
    table.load_style(NOTHING);
    table.force_no_tty();
    table.set_header(vec!["", "component", "status", "because"]);
    let elided = affected.path_length.saturating_sub(affected.path.len());
    for (i, hop) in affected.path.iter().enumerate() {
        if i == 1 && elided > 0 {
            table.add_row(vec![
                "..".to_string(),
                format!("({elided} more hops)"),
                String::new(),
                String::new(),
            ]);
        }
        let marker = if i == 0 { "*".to_string() } else { "->".to_string() };
        table.add_row(vec![
            marker,
            topology.component(hop.component).id.clone(),
            hop.status.to_string(),
            describe_cause(topology, plan, hop).detail().to_string(),
        ]);
    }
    for line in table.to_string().lines() {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    if affected.status == Status::AtRisk {
        out.push_str("\nat_risk: still serving, with less redundancy or headroom than before\n");
    }
    out
}
