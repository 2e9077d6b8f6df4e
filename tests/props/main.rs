//! Property tests of the engine: against an independent, exact, naive
//! reading of the SPEC (`tests/oracle/`) and against its own invariants.

#[path = "../common/mod.rs"]
mod common;
#[path = "../oracle/mod.rs"]
mod oracle;

mod engine_props;
mod spec_oracle;
