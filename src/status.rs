//! The status lattice `ok < at_risk < degraded < down` (SPEC section 4).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::number::Exact;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    #[default]
    Ok,
    AtRisk,
    Degraded,
    Down,
}

impl Status {
    pub const ALL: [Status; 4] = [Status::Ok, Status::AtRisk, Status::Degraded, Status::Down];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::AtRisk => "at_risk",
            Status::Degraded => "degraded",
            Status::Down => "down",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The gate threshold: `--fail-on` / a plan's `fail_on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
#[value(rename_all = "snake_case")]
pub enum FailOn {
    Ok,
    AtRisk,
    #[default]
    Degraded,
    Down,
    Never,
}

impl FailOn {
    /// The lowest status that fails the gate, or `None` for `never`.
    pub fn threshold(self) -> Option<Status> {
        match self {
            FailOn::Ok => Some(Status::Ok),
            FailOn::AtRisk => Some(Status::AtRisk),
            FailOn::Degraded => Some(Status::Degraded),
            FailOn::Down => Some(Status::Down),
            FailOn::Never => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FailOn::Ok => "ok",
            FailOn::AtRisk => "at_risk",
            FailOn::Degraded => "degraded",
            FailOn::Down => "down",
            FailOn::Never => "never",
        }
    }
}

/// How many customers (or services) are at each status that is not ok, and
/// their total weight.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Counts {
    pub down: usize,
    pub degraded: usize,
    pub at_risk: usize,
    /// Total customer weight at each status (zero for services).
    pub down_weight: Exact,
    pub degraded_weight: Exact,
    pub at_risk_weight: Exact,
}

impl Counts {
    pub fn add(&mut self, status: Status, weight: &Exact) {
        tally(self, status, weight, true);
    }

    pub fn remove(&mut self, status: Status, weight: &Exact) {
        tally(self, status, weight, false);
    }

    /// Components or customers not ok.
    pub fn affected(&self) -> usize {
        self.down + self.degraded + self.at_risk
    }
}

fn tally(counts: &mut Counts, status: Status, weight: &Exact, add: bool) {
    let (count, total) = match status {
        Status::Down => (&mut counts.down, &mut counts.down_weight),
        Status::Degraded => (&mut counts.degraded, &mut counts.degraded_weight),
        Status::AtRisk => (&mut counts.at_risk, &mut counts.at_risk_weight),
        Status::Ok => return,
    };
    if add {
        *count += 1;
        *total = &*total + weight;
    } else {
        *count -= 1;
        *total = &*total - weight;
    }
}
