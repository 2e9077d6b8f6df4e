//! Resolving a raw plan against a topology: every selector turned into the
//! components it matches, every number checked.

use crate::error::{Diagnostic, Error, Pos, Result, nearest};
use crate::input::raw::{
    At, RawAddLoad, RawCapacityChange, RawDeleteData, RawNumber, RawPlan, RawSelector, RawShiftLoad, RawStep,
    RawTargetOnly, Section,
};
use crate::limits::forbidden_character;
use crate::model::selector::Selector;
use crate::model::{ComponentIdx, Topology};
use crate::number::Exact;
use crate::plan::{Action, Amount, LoadChange, Origin, Plan, Step};
use crate::text::shown;

type Checked<T> = std::result::Result<T, Diagnostic>;

struct Resolver<'a> {
    topology: &'a Topology,
    origin: Origin<'a>,
}

impl Resolver<'_> {
    /// Where `pos` is, when the plan comes from a file.
    fn location(&self, pos: Pos) -> Option<crate::error::Location> {
        match self.origin {
            Origin::File(path) => Some(pos.at(path)),
            Origin::Scenario { topology, .. } => Some(pos.at(topology)),
            Origin::Inline => None,
        }
    }

    fn locate(&self, diagnostic: Diagnostic, at: Pos, step: usize) -> Error {
        let diagnostic = match self.origin {
            Origin::File(path) => diagnostic.at(at.at(path)),
            Origin::Scenario { topology, name } => {
                let message = format!("scenario `{}`: {}", shown(name), diagnostic.message);
                Diagnostic { message, ..diagnostic }.at(at.at(topology))
            }
            Origin::Inline => {
                let message = format!("--op #{step}: {}", diagnostic.message);
                Diagnostic { message, ..diagnostic }
            }
        };
        Error::input(diagnostic)
    }

    fn select(&self, raw: &RawSelector, field: &str) -> Checked<(Selector, Vec<ComponentIdx>)> {
        let selector = Selector::parse(raw, field)?;
        let matched = selector.resolve(self.topology, field)?;
        Ok((selector, matched))
    }
}

/// A number of a step; `max` bounds percentages.
fn number(raw: &RawNumber, field: &str, max: Option<i64>) -> Checked<Exact> {
    let value = raw
        .value
        .clone()
        .map_err(|problem| Diagnostic::new(format!("`{field}` is {}", problem.describe())).help(problem.help()))?;
    if let Some(max) = max
        && value > Exact::from_int(max)
    {
        return Err(Diagnostic::new(format!("`{field}` is {value}, above {max}"))
            .help(format!("`{field}` is a percentage between 0 and {max}")));
    }
    Ok(value)
}

fn amount(count: &Option<RawNumber>, percent: &Option<RawNumber>, max_percent: Option<i64>) -> Checked<Amount> {
    match (count, percent) {
        (Some(c), None) => Ok(Amount::Count(number(c, "count", None)?)),
        (None, Some(p)) => Ok(Amount::Percent(number(p, "percent", max_percent)?)),
        (Some(_), Some(_)) => Err(Diagnostic::new("give `count` or `percent`, not both").help("pick one")),
        (None, None) => {
            Err(Diagnostic::new("missing `count` or `percent`").help("say how much, e.g. count=2 or percent=10"))
        }
    }
}

/// Resolves a raw plan against the topology; `extra_approvals` are `--approve` ids.
pub fn resolve(topology: &Topology, raw: &At<RawPlan>, origin: Origin, extra_approvals: &[String]) -> Result<Plan> {
    let r = Resolver { topology, origin };
    if raw.value.steps.is_empty() {
        return Err(r.locate(
            Diagnostic::new("the plan has no steps").help("add at least one step under `steps`"),
            raw.pos,
            0,
        ));
    }
    // The description is printed in reports: no terminal escapes or carriage returns.
    if let Some(bad) = raw
        .value
        .description
        .as_deref()
        .and_then(|d| forbidden_character(d, true))
    {
        let d = Diagnostic::new(format!(
            "`description` contains the control character `{}`",
            bad.escape_debug()
        ))
        .help("remove it: free text is printed in reports and logs");
        return Err(r.locate(d, raw.pos, 0));
    }
    let mut approvals = Vec::new();
    for id in &raw.value.approvals {
        let c = topology.find(&id.value).ok_or_else(|| {
            let d = Diagnostic::new(format!("approval `{}` names no component", shown(&id.value)))
                .suggest(nearest(&id.value, topology.component_ids()));
            r.locate(d, id.pos, 0)
        })?;
        approvals.push(c);
    }
    for id in extra_approvals {
        let c = topology.find(id).ok_or_else(|| {
            Error::usage(
                Diagnostic::new(format!("--approve `{}` names no component", shown(id)))
                    .suggest(nearest(id, topology.component_ids())),
            )
        })?;
        approvals.push(c);
    }
    // Sorted, for binary search when each touched component is checked.
    approvals.sort_unstable();
    approvals.dedup();
    let mut steps = Vec::with_capacity(raw.value.steps.len());
    for (i, spanned) in raw.value.steps.iter().enumerate() {
        let mut step = resolve_step(&r, &spanned.value).map_err(|d| r.locate(d, spanned.pos, i + 1))?;
        step.at = r.location(spanned.pos);
        steps.push(step);
    }
    Ok(Plan {
        description: raw.value.description.clone(),
        approvals,
        fail_on: raw.value.fail_on,
        steps,
        at: r.location(raw.pos),
    })
}

fn step(text: String, action: Action, matched: Vec<ComponentIdx>, expect_matches: Option<u64>) -> Step {
    Step {
        text,
        action,
        matched,
        expect_matches,
        at: None,
    }
}

fn resolve_step(r: &Resolver, raw: &RawStep) -> Checked<Step> {
    let topology = r.topology;
    match raw {
        RawStep::RemoveCapacity(s) => capacity_step(r, s, true),
        RawStep::AddCapacity(s) => capacity_step(r, s, false),
        RawStep::Fail(s) => target_step(r, s, Action::Fail),
        RawStep::Restart(s) => target_step(r, s, Action::Restart),
        RawStep::FailZone(s) => {
            let zone = topology.find_zone(&s.zone).ok_or_else(|| {
                Diagnostic::new(format!("zone `{}` does not exist", shown(&s.zone)))
                    .suggest(nearest(&s.zone, topology.zones().iter().map(|z| z.id.as_str())))
            })?;
            let matched = topology
                .component_indices()
                .filter(|c| topology.placed_in(*c, zone))
                .collect();
            Ok(step(
                format!("fail-zone {}", shown(&s.zone)),
                Action::FailZone(zone),
                matched,
                s.expect_matches,
            ))
        }
        RawStep::FailRegion(s) => {
            let region = topology.find_region(&s.region).ok_or_else(|| {
                Diagnostic::new(format!("region `{}` does not exist", shown(&s.region)))
                    .suggest(nearest(&s.region, topology.regions().iter().map(|r| r.id.as_str())))
            })?;
            let zones = &topology.region(region).zones;
            let matched = topology
                .component_indices()
                .filter(|c| zones.iter().any(|z| topology.placed_in(*c, *z)))
                .collect();
            Ok(step(
                format!("fail-region {}", shown(&s.region)),
                Action::FailRegion(region),
                matched,
                s.expect_matches,
            ))
        }
        RawStep::AddLoad(s) => load_step(r, s),
        RawStep::ShiftLoad(s) => shift_step(r, s),
        RawStep::DeleteData(s) => delete_step(r, s),
        RawStep::Wait(w) => {
            let duration = crate::model::build::parse_duration(&w.duration.value).ok_or_else(|| {
                Diagnostic::new(format!("invalid duration `{}`", shown(&w.duration.value)))
                    .help("write a duration such as `45s`, `10m`, `4h` or `1h30m`")
            })?;
            Ok(step(
                format!("wait {}", shown(&w.duration.value)),
                Action::Wait(duration),
                Vec::new(),
                None,
            ))
        }
    }
}

fn capacity_step(r: &Resolver, s: &RawCapacityChange, removing: bool) -> Checked<Step> {
    let (selector, matched) = r.select(&s.target, "target")?;
    // A removal of more than 100% is refused outright; an addition may double and more.
    let amount = amount(&s.count, &s.percent, removing.then_some(100))?;
    let (name, action) = if removing {
        ("remove-capacity", Action::RemoveCapacity(amount.clone()))
    } else {
        ("add-capacity", Action::AddCapacity(amount.clone()))
    };
    Ok(step(
        format!("{name} {selector} {amount}"),
        action,
        matched,
        s.expect_matches,
    ))
}

fn target_step(r: &Resolver, s: &RawTargetOnly, action: Action) -> Checked<Step> {
    let (selector, matched) = r.select(&s.target, "target")?;
    let text = format!("{} {selector}", action.kind().inline_name());
    Ok(step(text, action, matched, s.expect_matches))
}

fn load_step(r: &Resolver, s: &RawAddLoad) -> Checked<Step> {
    let (selector, matched) = r.select(&s.target, "target")?;
    let change = match (&s.factor, &s.amount) {
        (Some(f), None) => LoadChange::Factor(number(f, "factor", None)?),
        (None, Some(a)) => LoadChange::Amount(number(a, "amount", None)?),
        (Some(_), Some(_)) => return Err(Diagnostic::new("give `factor` or `amount`, not both").help("pick one")),
        (None, None) => {
            return Err(
                Diagnostic::new("missing `factor` or `amount`").help("say how much load, e.g. factor=6 or amount=40")
            );
        }
    };
    let detail = match &change {
        LoadChange::Factor(f) => format!("factor={f}"),
        LoadChange::Amount(a) => format!("amount={a}"),
    };
    Ok(step(
        format!("add-load {selector} {detail}"),
        Action::AddLoad(change),
        matched,
        s.expect_matches,
    ))
}

fn shift_step(r: &Resolver, s: &RawShiftLoad) -> Checked<Step> {
    let (from_selector, matched) = r.select(&s.from, "from")?;
    let (to_selector, to) = r.select(&s.to, "to")?;
    let percent = match &s.percent {
        Some(p) => number(p, "percent", Some(100))?,
        None => Exact::from_int(100),
    };
    Ok(step(
        format!("shift-load {from_selector} to={to_selector} percent={percent}"),
        Action::ShiftLoad { to, percent },
        matched,
        s.expect_matches,
    ))
}

fn delete_step(r: &Resolver, s: &RawDeleteData) -> Checked<Step> {
    let topology = r.topology;
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
    Ok(step(text, Action::DeleteData { owners }, matched, s.expect_matches))
}
