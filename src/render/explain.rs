//! `blast explain` as text: the chain from the operation to one component.

use comfy_table::Table;
use comfy_table::presets::NOTHING;

use crate::report::explain::Explanation;
use crate::status::Status;
use crate::text::shown;

pub fn text(explanation: &Explanation) -> String {
    let mut out = String::new();
    if let Some((customer, status)) = &explanation.customer {
        out.push_str(&format!(
            "customer `{customer}` is {status} through its app `{}`\n",
            explanation.component
        ));
    }
    let id = &explanation.component;
    let Some(chain) = &explanation.chain else {
        out.push_str(&format!("`{id}` stays ok at every step of the plan\n"));
        return out;
    };
    let origin = match chain.step {
        0 => "before any step".to_string(),
        n => format!("step {n} ({})", chain.operation),
    };
    if chain.reached_at == chain.step {
        out.push_str(&format!("`{id}` is {} from {}\n\n", chain.status, shown(&origin)));
    } else {
        out.push_str(&format!(
            "`{id}` is {} from step {}; the chain starts at {}\n\n",
            chain.status,
            chain.reached_at,
            shown(&origin)
        ));
    }
    let mut table = Table::new();
    table.load_style(NOTHING);
    table.force_no_tty();
    table.set_header(vec!["", "component", "status", "because"]);
    for (i, hop) in chain.hops.iter().enumerate() {
        if i == 1 && chain.elided > 0 {
            table.add_row(vec![
                "..".to_string(),
                format!("({} more hops)", chain.elided),
                String::new(),
                String::new(),
            ]);
        }
        let marker = if i == 0 { "*" } else { "->" };
        table.add_row(vec![
            marker.to_string(),
            shown(&hop.component),
            hop.status.to_string(),
            shown(&hop.because),
        ]);
    }
    for line in table.to_string().lines() {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out.push_str(&format!(
        "\nrecovery: {} ({})\n",
        chain.recovery.text(),
        shown(&chain.recovery_why)
    ));
    if chain.status == Status::AtRisk {
        out.push_str("\nat_risk: still serving, with less redundancy or headroom than before\n");
    }
    out
}
