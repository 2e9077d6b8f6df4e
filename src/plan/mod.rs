//! Operation plans: from a plan file, a topology scenario or `--op` strings,
//! all resolved into the same [`Plan`] against a topology.
//!
//! [`inline`] reads the `--op` grammar into raw steps, [`selector`] turns a
//! selector into components, and [`resolve`] checks a raw plan against a
//! topology.

pub mod inline;
pub mod resolve;
pub mod selector;

use std::fmt;
use std::path::{Path, PathBuf};

pub use inline::{inline_plan, parse_inline};
pub use resolve::resolve;

use crate::error::{Diagnostic, Error, Result, nearest};
use crate::input::raw::{At, RawPlan};
use crate::input::read::{parse_yaml, read_text};
use crate::limits::Limits;
use crate::model::{ComponentIdx, RegionIdx, Topology, ZoneIdx};
use crate::status::FailOn;
use crate::text::{fmt_num, shown};

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
pub fn load_plan_file(path: &Path, limits: Limits) -> Result<At<RawPlan>> {
    let text = read_text(path, limits)?;
    parse_yaml(&text, path, limits)
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
            Ok((plan, format!("plan {}", shown(&path.display().to_string()))))
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
        None => diagnostic.help(format!("scenarios: {}", names.join(", "))),
    })
}

/// Resolves every scenario the topology ships: one that names a component
/// that does not exist makes the topology as broken as a dangling id, for
/// every command that loads it.
pub fn check_scenarios(topology: &Topology) -> Result<()> {
    for scenario in topology.scenarios() {
        let origin = Origin::Scenario {
            topology: topology.source(),
            name: &scenario.name,
        };
        resolve(topology, &scenario.plan, origin, &[])?;
    }
    Ok(())
}
