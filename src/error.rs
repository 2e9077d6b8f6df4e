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
    /// `path:line:col`, the path made safe to print (it comes from the
    /// command line) and standard input shown as `<stdin>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", crate::text::path(&self.path), self.line, self.column)
    }
}

/// Longest source line shown in a message; longer lines are cut.
const EXCERPT_CHARS: usize = 160;

/// How far into a file an excerpt is looked for: a message must stay cheap
/// even for a huge file, or a sparse one with no line breaks.
const EXCERPT_SCAN_BYTES: u64 = 16 * 1024 * 1024;

/// Line `number` (1-based) of the file at `path`, made safe to print, or
/// `None` when it cannot be read within [`EXCERPT_SCAN_BYTES`].
fn source_line(path: &Path, number: u64) -> Option<String> {
    use std::io::{BufRead, Read};
    let metadata = std::fs::metadata(path).ok()?;
    if !metadata.is_file() {
        return None;
    }
    let file = std::fs::File::open(path).ok()?;
    let mut reader = std::io::BufReader::new(file.take(EXCERPT_SCAN_BYTES));
    let mut line_number = 1;
    let mut line: Vec<u8> = Vec::new();
    loop {
        let chunk = reader.fill_buf().ok()?;
        if chunk.is_empty() {
            // End of the file (or of the scan) on the line itself is fine.
            if line_number == number {
                break;
            }
            return None;
        }
        let (consumed, done) = match chunk.iter().position(|b| *b == b'\n') {
            Some(at) => (at + 1, true),
            None => (chunk.len(), false),
        };
        if line_number == number && line.len() < 4 * EXCERPT_CHARS {
            line.extend_from_slice(&chunk[..consumed - usize::from(done)]);
        }
        reader.consume(consumed);
        if done {
            if line_number == number {
                break;
            }
            line_number += 1;
        }
    }
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    // A binary line shows nothing useful.
    if line.contains(&0) {
        return None;
    }
    Some(String::from_utf8_lossy(&line).into_owned())
}

/// The part of `line` to show around `column` (1-based, in characters),
/// escaped for a terminal, and the spaces that put a caret under it.
fn excerpt_window(line: &str, column: u64) -> (String, String) {
    let escape = |text: &str| crate::text::shown(text).replace("\\t", "    ");
    let chars: Vec<char> = line.chars().collect();
    let at = usize::try_from(column).unwrap_or(1).saturating_sub(1).min(chars.len());
    // Start early enough to show what leads to the column, late enough to reach it.
    let start = at.saturating_sub(EXCERPT_CHARS / 2);
    let before = escape(&chars[start..at].iter().collect::<String>());
    let mut after = escape(&chars[at..].iter().collect::<String>());
    let room = EXCERPT_CHARS
        .saturating_sub(before.chars().count())
        .max(EXCERPT_CHARS / 4);
    if after.chars().count() > room {
        after = after.chars().take(room).collect::<String>() + "...";
    }
    let lead = if start > 0 { "..." } else { "" };
    let caret = " ".repeat(lead.len() + before.chars().count());
    (format!("{lead}{before}{after}"), caret)
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
    /// Boxed: a diagnostic travels in every `Result`, and most have none.
    pub location: Option<Box<Location>>,
    /// The line `location` points into, as shown to the user (see [`Diagnostic::with_excerpt`]).
    pub excerpt: Option<String>,
    /// Other places worth showing, such as the first definition of a duplicate.
    pub notes: Vec<String>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn new(message: impl Into<String>) -> Self {
        Diagnostic {
            message: message.into(),
            location: None,
            excerpt: None,
            notes: Vec::new(),
            help: None,
        }
    }

    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(Box::new(location));
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

    /// Adds the source line the location points into, read again from the
    /// file (only when an error is shown), so that the message can show it
    /// with a caret under the column. Standard input cannot be read twice.
    pub fn with_excerpt(mut self) -> Self {
        if let Some(location) = &self.location
            && self.excerpt.is_none()
            && location.path != Path::new("-")
        {
            self.excerpt = source_line(&location.path, location.line);
        }
        self
    }

    /// Renders with a leading severity word (`error` or `warning`).
    pub fn render(&self, severity: &str) -> String {
        let mut out = format!("{severity}: {}\n", self.message);
        if let Some(location) = &self.location {
            out.push_str(&format!("  --> {location}\n"));
            if let Some(line) = &self.excerpt {
                let number = location.line.to_string();
                let gutter = " ".repeat(number.len());
                let (shown, caret) = excerpt_window(line, location.column);
                out.push_str(&format!("{gutter} |\n{number} | {shown}\n{gutter} | {caret}^\n"));
            }
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

    /// `input` (a file or value is wrong) or `usage` (the command line is),
    /// for machine-readable outputs.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::Input(_) => "input",
            Error::Usage(_) => "usage",
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

/// Longest name (in bytes) compared for a "did you mean": the edit-distance
/// work grows with the product of the two lengths, and a name longer than
/// this is not a typo of an id. Ids of the bundled and generated topologies
/// are far shorter.
const SUGGEST_MAX_LEN: usize = 64;

/// The candidate nearest to `wanted`, if it is close enough to be a likely
/// typo. Costs O(candidates) with a bounded constant whatever `wanted` is:
/// names longer than 64 bytes get no suggestion, and candidates
/// whose length is too far from the name's are skipped before any comparison.
pub fn nearest<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    if wanted.len() > SUGGEST_MAX_LEN {
        return None;
    }
    let mut best: Option<(f64, &str)> = None;
    for candidate in candidates {
        if !comparable(wanted.len(), candidate.len()) {
            continue;
        }
        let score = strsim::jaro_winkler(wanted, candidate);
        if score >= 0.8 && best.is_none_or(|(s, c)| score > s || (score == s && candidate < c)) {
            best = Some((score, candidate));
        }
    }
    best.map(|(_, c)| c.to_string())
}

/// Whether names of these lengths can be typos of each other: neither too
/// long to compare, and neither more than about twice the other.
fn comparable(a: usize, b: usize) -> bool {
    b <= SUGGEST_MAX_LEN && a.max(b) <= 2 * a.min(b) + 3
}

/// Up to `limit` of `candidates` that start like `prefix` (a glob's literal
/// start), for "nearest ids" help, with the same bounded cost as [`nearest`].
pub fn nearest_by_prefix<'a>(
    prefix: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    limit: usize,
) -> Vec<&'a str> {
    if prefix.is_empty() || prefix.len() > SUGGEST_MAX_LEN {
        return Vec::new();
    }
    candidates
        .into_iter()
        .filter(|id| {
            let head: String = id.chars().take(prefix.chars().count()).collect();
            comparable(prefix.len(), head.len()) && strsim::jaro_winkler(prefix, &head) >= 0.8
        })
        .take(limit)
        .collect()
}
