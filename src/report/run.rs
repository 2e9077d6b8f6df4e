//! One `blast check` run: a report per plan (`--plan` and `--scenario` are
//! repeatable), one combined verdict, like `conftest test plans/*.yaml`.
//!
//! With one plan, every format prints that plan's [`Report`] exactly as
//! before; with several, the JSON output is a [`CheckRun`] (documented in
//! the README) and the other formats give a section per plan.

use std::path::PathBuf;

use serde::Serialize;

use crate::report::{Report, SCHEMA_VERSION, Verdict};

#[derive(Debug, Clone, Serialize)]
pub struct CheckRun {
    pub schema_version: u32,
    /// `fail` when any plan fails its gate.
    pub verdict: Verdict,
    pub summary: RunSummary,
    /// One report per plan, in the order the command line gave them.
    pub plans: Vec<Report>,
    /// The topology file the plans ran against.
    #[serde(skip)]
    pub topology: PathBuf,
}

#[derive(Debug, Clone, Serialize)]
pub struct RunSummary {
    /// The one-line combined verdict.
    pub text: String,
    pub plans: usize,
    pub passed: usize,
    pub failed: usize,
}

impl CheckRun {
    pub fn new(plans: Vec<Report>, topology: PathBuf) -> CheckRun {
        let failed: Vec<&str> = plans
            .iter()
            .filter(|r| r.verdict == Verdict::Fail)
            .map(|r| r.plan.source.as_str())
            .collect();
        let verdict = if failed.is_empty() {
            Verdict::Pass
        } else {
            Verdict::Fail
        };
        let text = match (failed.len(), plans.len()) {
            (0, 1) => "PASS: the plan passes the gate".to_string(),
            (0, n) => format!("PASS: all {n} plans pass the gate"),
            (f, n) => format!(
                "FAIL: {f} of {n} plan{} fail{} the gate: {}",
                if n == 1 { "" } else { "s" },
                if f == 1 { "s" } else { "" },
                failed.join(", ")
            ),
        };
        CheckRun {
            schema_version: SCHEMA_VERSION,
            verdict,
            summary: RunSummary {
                text,
                plans: plans.len(),
                passed: plans.len() - failed.len(),
                failed: failed.len(),
            },
            plans,
            topology,
        }
    }

    /// The one plan of a single-plan run.
    pub fn single(&self) -> Option<&Report> {
        match self.plans.as_slice() {
            [report] => Some(report),
            _ => None,
        }
    }

    /// The process exit code: 1 when the gate fails.
    pub fn exit_code(&self) -> u8 {
        match self.verdict {
            Verdict::Pass => 0,
            Verdict::Fail => 1,
        }
    }
}
