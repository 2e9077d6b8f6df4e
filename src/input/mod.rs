//! Input as written: bounded reading of files, YAML parsing with budgets, the
//! raw types that mirror the formats one to one, and the streaming seed that
//! hands a topology's entries to a sink as they are read.

pub mod convert;
pub mod document;
pub mod json;
pub mod pipeline;
pub mod raw;
pub mod read;
