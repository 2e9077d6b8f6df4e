//! blast-radius: what an operation would take down, computed before anyone runs it.
//!
//! The flow is: [`load`] reads a topology file and parses it through
//! [`document`], which hands each entry, in its [`raw`] form, to [`build`] as
//! soon as it is read; [`build`] checks it and freezes a
//! [`topology::Topology`]; [`plan`]
//! resolves an operation against it; [`engine`] applies it on paper and
//! propagates failures; [`report`] turns the result into a verdict that the
//! [`render`] modules print. [`cli`] ties it to the command line. The library
//! never prints: [`run`] returns what to write and the exit code.
#![warn(clippy::print_stdout, clippy::print_stderr)]
// Input must never panic the tool: no unwrap or expect outside tests.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod analysis;
pub mod build;
pub mod cli;
mod document;
pub mod engine;
pub mod error;
pub mod explain;
pub mod load;
pub mod overlay;
pub mod plan;
pub mod raw;
pub mod render;
pub mod report;
pub mod selector;
pub mod status;
pub mod topology;
pub mod validate;

pub use cli::{Environment, Outcome, run};
pub use error::{Diagnostic, Error, Result};
pub use status::{FailOn, Status};
