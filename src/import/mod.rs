//! Importers: topologies built from what other tools already know.
//!
//! Each source (only [`backstage`] so far) reads its own files, maps them
//! onto the topology format and writes YAML text, which is then loaded with
//! the project's own loader before it is handed over: an import never
//! produces a topology that `blast validate` would refuse. What the source
//! says that the topology cannot hold is reported as a [`Warnings`] entry,
//! never dropped silently.

pub mod backstage;
mod node;
mod yaml;

use std::path::Path;

use crate::error::{Diagnostic, Pos};

/// The problems an import met, each located where possible.
#[derive(Debug, Default)]
pub struct Warnings {
    list: Vec<Diagnostic>,
}

impl Warnings {
    /// A problem at `pos` in `file`; a position of line 0 is unknown.
    pub(crate) fn at(&mut self, file: &Path, pos: Pos, message: impl Into<String>) {
        self.located(file, pos, Diagnostic::new(message));
    }

    /// [`Warnings::at`] with a hint of what to do.
    pub(crate) fn at_help(&mut self, file: &Path, pos: Pos, message: impl Into<String>, help: impl Into<String>) {
        self.located(file, pos, Diagnostic::new(message).help(help));
    }

    fn located(&mut self, file: &Path, pos: Pos, diagnostic: Diagnostic) {
        self.push(if pos.line > 0 {
            diagnostic.at(pos.at(file))
        } else {
            diagnostic
        });
    }

    /// A problem that is about no one place, or already located.
    pub(crate) fn push(&mut self, diagnostic: Diagnostic) {
        self.list.push(diagnostic);
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Every problem, in the order of the files and places they are about
    /// (those about no place first), so the report does not depend on the
    /// order files were found in.
    pub fn into_sorted(mut self) -> Vec<Diagnostic> {
        self.list.sort_by(|a, b| {
            let key = |d: &Diagnostic| d.location.as_ref().map(|l| (l.path.clone(), l.line, l.column));
            key(a).cmp(&key(b)).then_with(|| a.message.cmp(&b.message))
        });
        self.list.dedup();
        self.list
    }
}
