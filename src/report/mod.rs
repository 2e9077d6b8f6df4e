//! What each command found, as plain data: the check report (also the JSON
//! output), the validate inventory and the explain chain. Renderers read
//! these; nothing here formats for a terminal.

pub mod check;
pub mod explain;
pub mod graph;
pub mod validate;

pub use check::*;
