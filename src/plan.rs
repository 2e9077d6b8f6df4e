//! Operation plans: from a plan file, a topology scenario or `--op` strings,
//! all resolved into the same [`Plan`] against a topology.

use std::fmt;
use std::path::Path;

use crate::build::fmt_num;
use crate::error::{Diagnostic, Error, Pos, Result, nearest};
use crate::load::{self, Limits};
use crate::raw::{RawPlan, RawSelector, RawStep, Sp};
use crate::selector::Selector;
use crate::status::FailOn;
use crate::topology::{ComponentIdx, RegionIdx, Section, Topology, ZoneIdx};

/// How much capacity a step adds or removes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Amount {
    Count(f64),
    Percent(f64),
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Amount::Count(n) => write!(f, "count={}", fmt_num(*n)),
            Amount::Percent(p) => write!(f, "percent={}", fmt_num(*p)),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LoadChange {
    Factor(f64),
    Amount(f64),
}

/// A step resolved against the topology: every selector turned into components.
#[derive(Debug, Clone)]
pub enum Action {
    RemoveCapacity(Amount),
    AddCapacity(Amount),
    Fail,
    Restart,
    FailZone(ZoneIdx),
    FailRegion(RegionIdx),
    AddLoad(LoadChange),
    ShiftLoad { to: Vec<ComponentIdx>, percent: f64 },
    DeleteData { owners: Vec<ComponentIdx> },
}

#[derive(Debug, Clone)]
pub struct Step {
    /// The step as a user would write it inline, for reports.
    pub text: String,
    pub kind: &'static str,
    pub action: Action,
    /// What the step acts on directly (see docs/semantics.md).
    pub matched: Vec<ComponentIdx>,
    pub expect_matches: Option<u64>,
}

#[derive(Debug, Clone)]
pub struct Plan {
    pub description: Option<String>,
    pub approvals: Vec<ComponentIdx>,
    pub fail_on: Option<FailOn>,
    pub steps: Vec<Step>,
}

/// Where a plan came from, for messages.
#[derive(Debug, Clone, Copy)]
pub enum Origin<'a> {
    File(&'a Path),
    Scenario { topology: &'a Path, name: &'a str },
    Inline,
}

/// Reads a plan file (`--plan`).
pub fn load_plan_file(path: &Path, limits: Limits) -> Result<Sp<RawPlan>> {
    let text = load::read_text(path, limits)?;
    load::parse_yaml(&text, path, limits)
}

/// Parses one `--op` string: `KIND [PRIMARY] [key=value]...`.
pub fn parse_inline(op: &str) -> Result<RawStep> {
    let fail = |message: String, help: &str| Error::usage(Diagnostic::new(message).help(help.to_string()));
    let tokens = shlex::split(op);
    // The op is echoed in messages; control characters in it must not reach a terminal.
    let op = load::shown(op);
    let tokens = tokens.ok_or_else(|| fail(format!("--op `{op}`: unbalanced quotes"), "close every quote"))?;
    let Some((kind_word, rest)) = tokens.split_first() else {
        return Err(fail("--op is empty".to_string(), "write e.g. --op 'fail s3.index'"));
    };
    let kind = kind_word.replace('-', "_");
    let Some(primary_key) = primary_field(&kind) else {
        let kinds = STEP_KINDS.iter().map(|k| k.replace('_', "-")).collect::<Vec<_>>();
        let help = match nearest(&kind, STEP_KINDS.iter().copied()) {
            Some(near) => format!("did you mean `{}`?", near.replace('_', "-")),
            None => format!("the kinds are {}", kinds.join(", ")),
        };
        return Err(fail(
            format!("--op `{op}`: unknown operation `{}`", load::shown(kind_word)),
            &help,
        ));
    };
    // The shape first (every word a key=value pair, each key once), then the values.
    let mut pairs: Vec<(String, &str)> = Vec::with_capacity(rest.len());
    for (i, token) in rest.iter().enumerate() {
        let (key, value) = match token.split_once('=') {
            Some((key, value)) => (key.replace('-', "_"), value),
            None if i == 0 => (primary_key.to_string(), token.as_str()),
            None => {
                let help = if op.contains('{') {
                    "quote a map value so it stays one word: --op \"fail 'target={kind: database}'\"".to_string()
                } else {
                    format!("only the first word after the kind may stand alone (it is `{primary_key}`)")
                };
                return Err(fail(
                    format!("--op `{op}`: `{}` is not a key=value pair", load::shown(token)),
                    &help,
                ));
            }
        };
        if pairs.iter().any(|(k, _)| *k == key) {
            return Err(fail(
                format!("--op `{op}`: `{}` is given twice", load::shown(&key)),
                "give each field once",
            ));
        }
        pairs.push((key, value));
    }
    let mut fields = serde_json::Map::new();
    let mut selector_maps = Vec::new();
    for (key, value) in pairs {
        let value = match inline_value(&key, value) {
            Ok(InlineValue::Json(value)) => value,
            Ok(InlineValue::Selector(selector)) => {
                // Filled in below: a selector map keeps its values as written.
                selector_maps.push((key.clone(), selector));
                serde_json::Value::String(String::new())
            }
            Err((message, help)) => return Err(fail(format!("--op `{op}`: {message}"), help)),
        };
        fields.insert(key, value);
    }
    let step = serde_json::json!({ kind.clone(): fields });
    let mut step = serde_json::from_value::<RawStep>(step).map_err(|e| {
        let message = e.to_string();
        let help = match message.split_once("unknown field `") {
            Some((_, rest)) => {
                let field = rest.split('`').next().unwrap_or_default();
                let expected = rest.split_once("expected ").map_or("", |(_, list)| list);
                nearest(field, expected.split(", ").map(|c| c.trim_matches(['`', ' ']))).map_or_else(
                    || "see `blast check --help` for the fields".to_string(),
                    |n| format!("did you mean `{n}`?"),
                )
            }
            None => format!(
                "fields of `{}`: see the operations table in the README",
                kind.replace('_', "-")
            ),
        };
        fail(format!("--op `{op}`: {}", load::shown(&message)), &help)
    })?;
    for (key, selector) in selector_maps {
        match selector_field(&mut step, &key) {
            Some(slot) => *slot = selector,
            None => {
                return Err(fail(
                    format!("--op `{op}`: `{}` does not take a selector map", load::shown(&key)),
                    "give an id here",
                ));
            }
        }
    }
    Ok(step)
}

/// A parsed `key=value` value.
enum InlineValue {
    Json(serde_json::Value),
    Selector(RawSelector),
}

/// Fields that hold a number, and the fields that hold a selector.
const NUMBER_FIELDS: &[&str] = &["count", "percent", "factor", "amount"];
const SELECTOR_FIELDS: &[&str] = &["target", "from", "to", "store", "owners"];

/// A `key=value` value, typed by its key: a number for the number fields, a
/// flow map for a selector field whose value starts with `{` (quoted as one
/// word: `'target={kind: s3_subsystem}'`), else a string, so that an id that
/// looks like a number (`fail 42`) stays an id.
fn inline_value(key: &str, value: &str) -> std::result::Result<InlineValue, (String, &'static str)> {
    let shown = load::shown(value);
    if key == "expect_matches" {
        return value
            .parse::<u64>()
            .map(|n| InlineValue::Json(serde_json::Value::from(n)))
            .map_err(|_| {
                (
                    format!("`{key}={shown}` is not a whole, non-negative number"),
                    "write how many components the selector must match, e.g. expect_matches=1",
                )
            });
    }
    if NUMBER_FIELDS.contains(&key) {
        return match value.parse::<f64>() {
            Ok(f) => serde_json::Number::from_f64(f)
                .map(|n| InlineValue::Json(serde_json::Value::Number(n)))
                .ok_or_else(|| {
                    (
                        format!("`{key}={shown}` is not a finite number"),
                        "use a plain number such as 2 or 12.5",
                    )
                }),
            Err(_) => Err((
                format!("`{key}={shown}` is not a number"),
                "use a plain number such as 2 or 12.5",
            )),
        };
    }
    if SELECTOR_FIELDS.contains(&key) && value.trim_start().starts_with('{') {
        return load::parse_yaml::<RawSelector>(value, Path::new("--op"), Limits::default())
            .map(InlineValue::Selector)
            .map_err(|e| {
                (
                    format!("`{key}` is not a valid selector map: {}", e.diagnostic().message),
                    "write a flow map such as '{kind: database, zone: use1-az1}', quoted as one word",
                )
            });
    }
    Ok(InlineValue::Json(serde_json::Value::String(value.to_string())))
}

/// The selector field `key` of a step, if it has one.
fn selector_field<'a>(step: &'a mut RawStep, key: &str) -> Option<&'a mut RawSelector> {
    match (step, key) {
        (RawStep::RemoveCapacity(s) | RawStep::AddCapacity(s), "target") => Some(&mut s.target),
        (RawStep::Fail(s) | RawStep::Restart(s), "target") => Some(&mut s.target),
        (RawStep::AddLoad(s), "target") => Some(&mut s.target),
        (RawStep::ShiftLoad(s), "from") => Some(&mut s.from),
        (RawStep::ShiftLoad(s), "to") => Some(&mut s.to),
        (RawStep::DeleteData(s), "store") => Some(&mut s.store),
        (RawStep::DeleteData(s), "owners") => s.owners.as_mut(),
        _ => None,
    }
}

const STEP_KINDS: &[&str] = &[
    "remove_capacity",
    "add_capacity",
    "fail",
    "restart",
    "fail_zone",
    "fail_region",
    "add_load",
    "shift_load",
    "delete_data",
];

fn primary_field(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "remove_capacity" | "add_capacity" | "fail" | "restart" | "add_load" => "target",
        "fail_zone" => "zone",
        "fail_region" => "region",
        "shift_load" => "from",
        "delete_data" => "store",
        _ => return None,
    })
}

struct Resolver<'a> {
    topology: &'a Topology,
    origin: Origin<'a>,
}

impl Resolver<'_> {
    fn locate(&self, diagnostic: Diagnostic, at: Option<Pos>, step: usize) -> Error {
        let diagnostic = match (self.origin, at) {
            (Origin::File(path), Some(pos)) => diagnostic.at(pos.at(path)),
            (Origin::Scenario { topology, name }, Some(pos)) => {
                let message = format!("scenario `{}`: {}", load::shown(name), diagnostic.message);
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

/// Larger numbers are never meant, and arithmetic on them can overflow.
pub const MAX_NUMBER: f64 = 1e15;

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
pub fn resolve(topology: &Topology, raw: &Sp<RawPlan>, origin: Origin, extra_approvals: &[String]) -> Result<Plan> {
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
                let d = Diagnostic::new(format!("approval `{}` names no component", load::shown(id)))
                    .suggest(nearest(id, topology.component_ids()));
                return Err(r.locate(d, plan_pos, 0));
            }
        }
    }
    for id in extra_approvals {
        match topology.find(id) {
            Some(c) => approvals.push(c),
            None => {
                let d = Diagnostic::new(format!("--approve `{}` names no component", load::shown(id)))
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

/// A plan made of `--op` strings.
pub fn inline_plan(ops: &[String]) -> Result<Sp<RawPlan>> {
    let steps = ops
        .iter()
        .map(|op| parse_inline(op).map(Sp::unplaced))
        .collect::<Result<Vec<_>>>()?;
    Ok(Sp::unplaced(RawPlan {
        description: None,
        approvals: Vec::new(),
        fail_on: None,
        steps,
    }))
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
                Diagnostic::new(format!("zone `{}` does not exist", load::shown(&s.zone)))
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
                Diagnostic::new(format!("region `{}` does not exist", load::shown(&s.region)))
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
