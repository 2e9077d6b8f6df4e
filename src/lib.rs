//! blast-radius: what an operation would take down, computed before anyone runs it.
//!
//! Layers, each importing only those below it (docs/architecture.md draws them):
//!
//! - [`text`], [`limits`], [`error`], [`status`], [`number`]: leaves every layer uses;
//! - [`input`]: bounded reading, YAML budgets, the raw as-written types;
//! - [`model`]: the [`model::Builder`] that checks a topology as it streams
//!   in, and the frozen [`model::Topology`];
//! - [`plan`]: operations (plan files, scenarios, `--op`) resolved against a topology;
//! - [`engine`]: a plan applied on paper, propagated, with causes and policy;
//! - [`analysis`]: `spof`, `cuts`, `diff` over the whole topology;
//! - [`import`]: topologies built from other tools' data (a Backstage catalog);
//! - [`report`]: what a command found, as data;
//! - [`render`]: one module per output format;
//! - [`cli`]: the command line, turning arguments into a command's output.
//!
//! The library never prints: [`run`] returns what to write and the exit code.
#![warn(clippy::print_stdout, clippy::print_stderr)]
// Input must never panic the tool: no unwrap or expect outside tests.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod analysis;
pub mod cli;
pub mod engine;
pub mod error;
pub mod import;
pub mod input;
pub mod limits;
pub mod model;
pub mod number;
pub mod plan;
pub mod render;
pub mod report;
pub mod status;
pub mod text;

pub use cli::{Environment, Output, run};
pub use error::{Diagnostic, Error, Result};
pub use status::{FailOn, Status};
