//! The one error type of the library.
//!
//! Every error a user can cause is an input or usage error (exit code 2). It
//! carries the place in the input it is about, when there is one, and a hint
//! that says what to do. Rendering is plain text, in the shape of rustc's
//! diagnostics, so that tests can pin the exact message.

use std::fmt;
use std::path::{Path, PathBuf};

/// A place in an input file: path, 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub path: PathBuf,
    pub line: u64,
    pub column: u64,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.path.display(), self.line, self.column)
    }
}

/// A line and column inside a file whose path is not known yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

impl Pos {
    /// Positions are kept small, since a large topology holds millions. Input
    /// is limited to a few GiB, so lines and columns fit; they saturate regardless.
    pub fn new(line: impl TryInto<u32>, column: impl TryInto<u32>) -> Self {
        Pos {
            line: line.try_into().unwrap_or(u32::MAX),
            column: column.try_into().unwrap_or(u32::MAX),
        }
    }

    pub fn at(self, path: &Path) -> Location {
        Location {
            path: path.to_path_buf(),
            line: self.line.into(),
            column: self.column.into(),
        }
    }
}

impl From<serde_saphyr::Location> for Pos {
    fn from(location: serde_saphyr::Location) -> Self {
        Pos::new(location.line(), location.column())
    }
}

/// One problem with the input, with where it is and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub message: String,
    pub location: Option<Location>,
    /// Other places worth showing, such as the first definition of a duplicate.
    pub notes: Vec<String>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn new(message: impl Into<String>) -> Self {
        Diagnostic {
            message: message.into(),
            location: None,
            notes: Vec::new(),
            help: None,
        }
    }

    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds "did you mean" help when a near candidate exists.
    pub fn suggest(self, suggestion: Option<String>) -> Self {
        match suggestion {
            Some(s) => self.help(format!("did you mean `{s}`?")),
            None => self,
        }
    }

    /// Renders with a leading severity word (`error` or `warning`).
    pub fn render(&self, severity: &str) -> String {
        let mut out = format!("{severity}: {}\n", self.message);
        if let Some(location) = &self.location {
            out.push_str(&format!("  --> {location}\n"));
        }
        for note in &self.notes {
            out.push_str(&format!("  = note: {note}\n"));
        }
        if let Some(help) = &self.help {
            out.push_str(&format!("  = help: {help}\n"));
        }
        out
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render("error"))
    }
}

/// Errors of the library. All of them mean "bad input or usage": exit code 2.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Input(Box<Diagnostic>),
    #[error("{}", .0.render("error"))]
    Usage(Box<Diagnostic>),
}

impl Error {
    pub fn input(diagnostic: Diagnostic) -> Self {
        Error::Input(Box::new(diagnostic))
    }

    pub fn usage(diagnostic: Diagnostic) -> Self {
        Error::Usage(Box::new(diagnostic))
    }

    pub fn diagnostic(&self) -> &Diagnostic {
        match self {
            Error::Input(d) | Error::Usage(d) => d,
        }
    }

    /// The process exit code this error maps to (SPEC section 1).
    pub fn exit_code(&self) -> u8 {
        2
    }
}

impl From<Diagnostic> for Error {
    fn from(diagnostic: Diagnostic) -> Self {
        Error::input(diagnostic)
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The candidate nearest to `wanted`, if it is close enough to be a likely typo.
pub fn nearest<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let mut best: Option<(f64, &str)> = None;
    for candidate in candidates {
        let score = strsim::jaro_winkler(wanted, candidate);
        if score >= 0.8 && best.is_none_or(|(s, c)| score > s || (score == s && candidate < c)) {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, c)| c.to_string())
}
