//! The real `blast` binary, end to end: one test binary for every
//! command-line suite, so the crate is linked once for all of them.

#[path = "../common/mod.rs"]
mod common;

mod analysis_cli;
mod check_cli;
mod ci_formats;
mod ecosystem;
mod hostile;
mod import_cli;
mod incidents;
mod json_input;
mod no_threads;
mod readonly;
