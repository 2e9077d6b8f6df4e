//! Property tests: the engine against an independent, exact, naive reading
//! of the SPEC (`tests/oracle/`) and its own invariants; the analyses
//! against brute force.

#[path = "../common/mod.rs"]
mod common;
#[path = "../oracle/mod.rs"]
mod oracle;

mod analysis_props;
mod engine_props;
mod spec_oracle;
