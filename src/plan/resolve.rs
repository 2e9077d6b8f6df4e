//! Resolving a raw plan against a topology: every selector turned into the
//! components it matches, every number checked.

use crate::error::{Diagnostic, Error, Pos, Result, nearest};
use crate::input::raw::{At, RawPlan, RawSelector, RawStep, Section};
use crate::limits::MAX_NUMBER;
use crate::model::{ComponentIdx, Topology};
use crate::plan::selector::Selector;
use crate::plan::{Action, Amount, LoadChange, Origin, Plan, Step};
use crate::text::{fmt_num, shown};

struct Resolver<'a> {
    topology: &'a Topology,
    origin: Origin<'a>,
}

impl Resolver<'_> {
    fn locate(&self, diagnostic: Diagnostic, at: Option<Pos>, step: usize) -> Error {
        let diagnostic = match (self.origin, at) {
            (Origin::File(path), Some(pos)) => diagnostic.at(pos.at(path)),
            (Origin::Scenario { topology, name }, Some(pos)) => {
                let message = format!("scenario `{}`: {}", shown(name), diagnostic.message);
                Diagnostic { message, ..diagnostic }.at(pos.at(topology))
            }
            (_, _) => {
                let message = format!("--op #{step}: {}", diagnostic.message);
                Diagnostic { message, ..diagnostic }
            }
        };
        Error::input(diagnostic)
    }

    fn select(&self, raw: &RawSelector, field: &str) -> std::result::Result<(Selector, Vec<ComponentIdx>), Diagnostic> {
        let selector = Selector::parse(raw, field)?;
        let matched = selector.resolve(self.topology, field)?;
        Ok((selector, matched))
    }
}

fn check_number(value: f64, field: &str, max: Option<f64>) -> std::result::Result<f64, Diagnostic> {
    if !value.is_finite() || value < 0.0 {
        return Err(
            Diagnostic::new(format!("`{field}` must be a finite, non-negative number, not {value}"))
                .help("use a plain number such as 2 or 12.5"),
        );
    }
    if value > MAX_NUMBER {
        return Err(
            Diagnostic::new(format!("`{field}` is too large ({value:e}); the limit is 1e15"))
                .help("use a realistic number"),
        );
    }
    if let Some(max) = max
        && value > max
    {
        return Err(
            Diagnostic::new(format!("`{field}` is {}, above {}", fmt_num(value), fmt_num(max)))
                .help(format!("`{field}` is a percentage between 0 and {}", fmt_num(max))),
        );
    }
    Ok(value + 0.0)
}

fn amount(
    count: Option<f64>,
    percent: Option<f64>,
    max_percent: Option<f64>,
) -> std::result::Result<Amount, Diagnostic> {
    match (count, percent) {
        (Some(c), None) => Ok(Amount::Count(check_number(c, "count", None)?)),
        (None, Some(p)) => Ok(Amount::Percent(check_number(p, "percent", max_percent)?)),
        (Some(_), Some(_)) => Err(Diagnostic::new("give `count` or `percent`, not both").help("pick one")),
        (None, None) => {
            Err(Diagnostic::new("missing `count` or `percent`").help("say how much, e.g. count=2 or percent=10"))
        }
    }
}

/// Resolves a raw plan against the topology; `extra_approvals` are `--approve` ids.
pub fn resolve(topology: &Topology, raw: &At<RawPlan>, origin: Origin, extra_approvals: &[String]) -> Result<Plan> {
    let r = Resolver { topology, origin };
    let plan_pos = Some(raw.pos);
    if raw.value.steps.is_empty() {
        return Err(r.locate(
            Diagnostic::new("the plan has no steps").help("add at least one step under `steps`"),
            plan_pos,
            0,
        ));
    }
    // The description is printed in reports: no terminal escapes or carriage returns.
    if let Some(bad) = raw
        .value
        .description
        .as_deref()
        .and_then(|d| d.chars().find(|c| c.is_control() && !matches!(c, '\n' | '\t')))
    {
        let d = Diagnostic::new(format!(
            "`description` contains the control character `{}`",
            bad.escape_debug()
        ))
        .help("remove it: free text is printed in reports and logs");
        return Err(r.locate(d, plan_pos, 0));
    }
    let mut approvals = Vec::new();
    for id in &raw.value.approvals {
        match topology.find(id) {
            Some(c) => approvals.push(c),
            None => {
                let d = Diagnostic::new(format!("approval `{}` names no component", shown(id)))
                    .suggest(nearest(id, topology.component_ids()));
                return Err(r.locate(d, plan_pos, 0));
            }
        }
    }
    for id in extra_approvals {
        match topology.find(id) {
            Some(c) => approvals.push(c),
            None => {
                let d = Diagnostic::new(format!("--approve `{}` names no component", shown(id)))
                    .suggest(nearest(id, topology.component_ids()));
                return Err(Error::usage(d));
            }
        }
    }
    // Sorted, for binary search when each touched component is checked.
    approvals.sort_unstable();
    approvals.dedup();
    let mut steps = Vec::with_capacity(raw.value.steps.len());
    for (i, spanned) in raw.value.steps.iter().enumerate() {
        let at = Some(spanned.pos);
        let step = resolve_step(&r, &spanned.value).map_err(|d| r.locate(d, at, i + 1))?;
        steps.push(step);
    }
    Ok(Plan {
        description: raw.value.description.clone(),
        approvals,
        fail_on: raw.value.fail_on,
        steps,
    })
}

fn resolve_step(r: &Resolver, raw: &RawStep) -> std::result::Result<Step, Diagnostic> {
    let topology = r.topology;
    let (kind, text, action, matched, expect_matches) = match raw {
        RawStep::RemoveCapacity(s) | RawStep::AddCapacity(s) => {
            let removing = matches!(raw, RawStep::RemoveCapacity(_));
            let (selector, matched) = r.select(&s.target, "target")?;
            let amount = amount(s.count, s.percent, removing.then_some(100.0))?;
            let (kind, action) = if removing {
                ("remove_capacity", Action::RemoveCapacity(amount))
            } else {
                ("add_capacity", Action::AddCapacity(amount))
            };
            (
                kind,
                format!("{} {selector} {amount}", kind.replace('_', "-")),
                action,
                matched,
                s.expect_matches,
            )
        }
        RawStep::Fail(s) | RawStep::Restart(s) => {
            let (selector, matched) = r.select(&s.target, "target")?;
            let (kind, action) = if matches!(raw, RawStep::Fail(_)) {
                ("fail", Action::Fail)
            } else {
                ("restart", Action::Restart)
            };
            (kind, format!("{kind} {selector}"), action, matched, s.expect_matches)
        }
        RawStep::FailZone(s) => {
            let zone = topology.find_zone(&s.zone).ok_or_else(|| {
                Diagnostic::new(format!("zone `{}` does not exist", shown(&s.zone)))
                    .suggest(nearest(&s.zone, topology.zones().iter().map(|z| z.id.as_str())))
            })?;
            let matched = topology
                .component_indices()
                .filter(|c| topology.placements_of(*c).iter().any(|p| p.zone == Some(zone)))
                .collect();
            (
                "fail_zone",
                format!("fail-zone {}", s.zone),
                Action::FailZone(zone),
                matched,
                s.expect_matches,
            )
        }
        RawStep::FailRegion(s) => {
            let region = topology.find_region(&s.region).ok_or_else(|| {
                Diagnostic::new(format!("region `{}` does not exist", shown(&s.region)))
                    .suggest(nearest(&s.region, topology.regions().iter().map(|r| r.id.as_str())))
            })?;
            let matched = topology
                .component_indices()
                .filter(|c| {
                    topology
                        .placements_of(*c)
                        .iter()
                        .any(|p| p.zone.is_some_and(|z| topology.zone(z).region == region))
                })
                .collect();
            (
                "fail_region",
                format!("fail-region {}", s.region),
                Action::FailRegion(region),
                matched,
                s.expect_matches,
            )
        }
        RawStep::AddLoad(s) => {
            let (selector, matched) = r.select(&s.target, "target")?;
            let change = match (s.factor, s.amount) {
                (Some(f), None) => LoadChange::Factor(check_number(f, "factor", None)?),
                (None, Some(a)) => LoadChange::Amount(check_number(a, "amount", None)?),
                (Some(_), Some(_)) => {
                    return Err(Diagnostic::new("give `factor` or `amount`, not both").help("pick one"));
                }
                (None, None) => {
                    return Err(Diagnostic::new("missing `factor` or `amount`")
                        .help("say how much load, e.g. factor=6 or amount=40"));
                }
            };
            let detail = match change {
                LoadChange::Factor(f) => format!("factor={}", fmt_num(f)),
                LoadChange::Amount(a) => format!("amount={}", fmt_num(a)),
            };
            (
                "add_load",
                format!("add-load {selector} {detail}"),
                Action::AddLoad(change),
                matched,
                s.expect_matches,
            )
        }
        RawStep::ShiftLoad(s) => {
            let (from_selector, matched) = r.select(&s.from, "from")?;
            let (to_selector, to) = r.select(&s.to, "to")?;
            let percent = check_number(s.percent.unwrap_or(100.0), "percent", Some(100.0))?;
            (
                "shift_load",
                format!(
                    "shift-load {from_selector} to={to_selector} percent={}",
                    fmt_num(percent)
                ),
                Action::ShiftLoad { to, percent },
                matched,
                s.expect_matches,
            )
        }
        RawStep::DeleteData(s) => {
            let (store_selector, matched) = r.select(&s.store, "store")?;
            if let Some(not_store) = matched
                .iter()
                .find(|c| topology.component(**c).section != Section::DataStore)
            {
                return Err(Diagnostic::new(format!(
                    "`store` `{store_selector}` matches `{}`, which is not a data store",
                    topology.component(*not_store).id
                ))
                .help("delete_data acts on entries of `data_stores`"));
            }
            let owner_filter = match &s.owners {
                Some(raw) => Some(r.select(raw, "owners")?),
                None => None,
            };
            let owners = topology
                .component_indices()
                // `matched` is in file order, so sorted.
                .filter(|c| {
                    topology
                        .component(*c)
                        .state
                        .is_some_and(|st| matched.binary_search(&st).is_ok())
                })
                .filter(|c| {
                    owner_filter
                        .as_ref()
                        .is_none_or(|(_, list)| list.binary_search(c).is_ok())
                })
                .collect();
            let text = match &owner_filter {
                Some((selector, _)) => format!("delete-data {store_selector} owners={selector}"),
                None => format!("delete-data {store_selector}"),
            };
            (
                "delete_data",
                text,
                Action::DeleteData { owners },
                matched,
                s.expect_matches,
            )
        }
    };
    Ok(Step {
        text,
        kind,
        action,
        matched,
        expect_matches,
    })
}
