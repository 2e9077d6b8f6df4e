//! Operation plans: from a plan file, a topology scenario or `--op` strings,
//! all resolved into the same [`Plan`] against a topology.
//!
//! [`inline`] reads the `--op` grammar into raw steps, and [`resolve()`]
//! checks a raw plan against a topology (selectors are the model's:
//! [`crate::model::selector`]).

pub mod inline;
pub mod resolve;

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use inline::{inline_plan, parse_inline};
pub use resolve::resolve;

use crate::error::{Diagnostic, Error, Location, Result, nearest};
use crate::input::json;
use crate::input::raw::{At, FinishNumbers, RawPlan};
use crate::input::read::{Document, parse_yaml, read_text};
use crate::limits::Limits;
use crate::model::{ComponentIdx, RegionIdx, Topology, ZoneIdx};
use crate::number::Exact;
use crate::status::FailOn;
use crate::text::shown;

/// How much capacity a step adds or removes.
#[derive(Debug, Clone, PartialEq)]
pub enum Amount {
    Count(Exact),
    Percent(Exact),
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Amount::Count(n) => write!(f, "count={n}"),
            Amount::Percent(p) => write!(f, "percent={p}"),
        }
    }
}

impl Amount {
    /// How much this is of `capacity`: a count as is, a percentage of it.
    pub fn of(&self, capacity: &Exact) -> Exact {
        match self {
            Amount::Count(n) => n.clone(),
            Amount::Percent(p) => capacity.scale(p, 100),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum LoadChange {
    Factor(Exact),
    Amount(Exact),
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
    ShiftLoad { to: Vec<ComponentIdx>, percent: Exact },
    DeleteData { owners: Vec<ComponentIdx> },
    Wait(Duration),
}

/// The kinds of step (SPEC section 3), as written in plan files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StepKind {
    RemoveCapacity,
    AddCapacity,
    Fail,
    Restart,
    FailZone,
    FailRegion,
    AddLoad,
    ShiftLoad,
    DeleteData,
    Wait,
}

impl StepKind {
    pub const ALL: [StepKind; 10] = [
        StepKind::RemoveCapacity,
        StepKind::AddCapacity,
        StepKind::Fail,
        StepKind::Restart,
        StepKind::FailZone,
        StepKind::FailRegion,
        StepKind::AddLoad,
        StepKind::ShiftLoad,
        StepKind::DeleteData,
        StepKind::Wait,
    ];

    /// The snake_case name of plan files and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            StepKind::RemoveCapacity => "remove_capacity",
            StepKind::AddCapacity => "add_capacity",
            StepKind::Fail => "fail",
            StepKind::Restart => "restart",
            StepKind::FailZone => "fail_zone",
            StepKind::FailRegion => "fail_region",
            StepKind::AddLoad => "add_load",
            StepKind::ShiftLoad => "shift_load",
            StepKind::DeleteData => "delete_data",
            StepKind::Wait => "wait",
        }
    }

    /// The field the first word after the kind fills in `--op`.
    pub fn primary_field(self) -> &'static str {
        match self {
            StepKind::RemoveCapacity
            | StepKind::AddCapacity
            | StepKind::Fail
            | StepKind::Restart
            | StepKind::AddLoad => "target",
            StepKind::FailZone => "zone",
            StepKind::FailRegion => "region",
            StepKind::ShiftLoad => "from",
            StepKind::DeleteData => "store",
            StepKind::Wait => "duration",
        }
    }

    /// The `--op` spelling: kebab-case.
    pub fn inline_name(self) -> String {
        self.as_str().replace('_', "-")
    }
}

impl Action {
    pub fn kind(&self) -> StepKind {
        match self {
            Action::RemoveCapacity(_) => StepKind::RemoveCapacity,
            Action::AddCapacity(_) => StepKind::AddCapacity,
            Action::Fail => StepKind::Fail,
            Action::Restart => StepKind::Restart,
            Action::FailZone(_) => StepKind::FailZone,
            Action::FailRegion(_) => StepKind::FailRegion,
            Action::AddLoad(_) => StepKind::AddLoad,
            Action::ShiftLoad { .. } => StepKind::ShiftLoad,
            Action::DeleteData { .. } => StepKind::DeleteData,
            Action::Wait(_) => StepKind::Wait,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Step {
    /// The step as a user would write it inline, for reports.
    pub text: String,
    pub action: Action,
    /// What the step acts on directly (the README's "Semantics" section).
    pub matched: Vec<ComponentIdx>,
    pub expect_matches: Option<u64>,
    /// Where the step is written, when it comes from a file.
    pub at: Option<Location>,
}

impl Step {
    pub fn kind(&self) -> StepKind {
        self.action.kind()
    }
}

#[derive(Debug, Clone)]
pub struct Plan {
    pub description: Option<String>,
    pub approvals: Vec<ComponentIdx>,
    pub fail_on: Option<FailOn>,
    pub steps: Vec<Step>,
    /// Where the plan is written, when it comes from a file or a scenario.
    pub at: Option<Location>,
}

/// Where a plan came from, for messages.
#[derive(Debug, Clone, Copy)]
pub enum Origin<'a> {
    File(&'a Path),
    Scenario { topology: &'a Path, name: &'a str },
    Inline,
}

/// Reads a plan file (`--plan`).
pub fn load_plan_file(path: &Path, limits: Limits) -> Result<At<RawPlan>> {
    plan_from_str(read_text(path, limits)?, path, limits)
}

/// Parses a plan read from `path`.
pub fn plan_from_str(text: String, path: &Path, limits: Limits) -> Result<At<RawPlan>> {
    let mut plan: At<RawPlan> = if json::is_json(path) {
        let text = std::rc::Rc::new(text);
        let mut plan: At<RawPlan> = json::parse_with(text.clone(), path, limits, At::<RawPlan>::EMPTY_HELP, |de| {
            serde::Deserialize::deserialize(de)
        })?;
        plan.finish_numbers(&text);
        return Ok(plan);
    } else {
        parse_yaml(&text, path, limits)?
    };
    plan.finish_numbers(&text);
    Ok(plan)
}

/// Which plan a command runs, as the command line chose it.
#[derive(Debug, Clone)]
pub enum Selection {
    /// `--op` strings, in order.
    Ops(Vec<String>),
    /// `--plan FILE`.
    File(PathBuf),
    /// `--scenario NAME`.
    Scenario(String),
}

/// Resolves the chosen plan; the text says where it came from
/// (`inline`, `plan FILE`, `scenario NAME`). `approvals` are `--approve` ids.
pub fn select(
    topology: &Topology,
    selection: &Selection,
    approvals: &[String],
    limits: Limits,
) -> Result<(Plan, String)> {
    match selection {
        Selection::File(path) => {
            let raw = load_plan_file(path, limits)?;
            let plan = resolve(topology, &raw, Origin::File(path), approvals)?;
            Ok((plan, format!("plan {}", crate::text::path(path))))
        }
        Selection::Scenario(name) => {
            let scenario = topology
                .find_scenario(name)
                .ok_or_else(|| no_scenario(topology, name))?;
            let origin = Origin::Scenario {
                topology: topology.source(),
                name,
            };
            let plan = resolve(topology, &scenario.plan, origin, approvals)?;
            Ok((plan, format!("scenario {}", shown(name))))
        }
        Selection::Ops(ops) => {
            let raw = inline_plan(ops)?;
            let plan = resolve(topology, &raw, Origin::Inline, approvals)?;
            Ok((plan, "inline".to_string()))
        }
    }
}

fn no_scenario(topology: &Topology, name: &str) -> Error {
    let names: Vec<&str> = topology.scenarios().iter().map(|s| s.name.as_str()).collect();
    let diagnostic = Diagnostic::new(format!(
        "no scenario `{}` in `{}`",
        shown(name),
        shown(&topology.source().display().to_string())
    ));
    Error::usage(match nearest(name, names.iter().copied()) {
        Some(near) => diagnostic.help(format!("did you mean `{near}`?")),
        None if names.is_empty() => diagnostic.help("this topology has no `scenarios`"),
        None => diagnostic.help(format!("scenarios: {}", listed(&names, 10))),
    })
}

/// The first `limit` names, and how many more there are: a topology may
/// ship thousands of scenarios, and a message lists a few.
fn listed(names: &[&str], limit: usize) -> String {
    let mut text = names.iter().take(limit).copied().collect::<Vec<_>>().join(", ");
    if names.len() > limit {
        text.push_str(&format!(
            " and {} more (`blast list` shows them all)",
            names.len() - limit
        ));
    }
    text
}

/// Resolves every scenario the topology ships: one that names a component
/// that does not exist makes the topology as broken as a dangling id, for
/// every command that loads it.
pub fn resolve_scenarios(topology: &Topology) -> Result<Vec<Plan>> {
    topology
        .scenarios()
        .iter()
        .map(|scenario| {
            let origin = Origin::Scenario {
                topology: topology.source(),
                name: &scenario.name,
            };
            resolve(topology, &scenario.plan, origin, &[])
        })
        .collect()
}
