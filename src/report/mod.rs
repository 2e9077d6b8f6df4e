//! What each command found, as plain data: the check report (also the JSON
//! output) and a run of several plans, the validate inventory, the explain
//! chain and the listing of a topology. Renderers read
//! these; nothing here formats for a terminal.

pub mod check;
pub mod explain;
pub mod graph;
pub mod list;
pub mod run;
pub mod validate;

pub use check::*;
pub use run::CheckRun;
