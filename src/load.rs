//! Reading files and parsing YAML into the raw types, with limits.
//!
//! Input is untrusted (CI runs `blast` on files from pull requests), so every
//! read is bounded: the file size, the parser's event, node and scalar
//! budgets (scaled to the input, so big honest files pass), alias expansion
//! and nesting depth. Every failure becomes a [`Diagnostic`] with a location.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use serde::de::DeserializeOwned;
use serde_saphyr::options::DuplicateKeyPolicy;
use serde_saphyr::{DefaultMessageFormatter, MessageFormatter};

use crate::build;
use crate::error::{Diagnostic, Error, Pos, Result, nearest};
use crate::raw::RawTopology;
use crate::topology::Topology;

/// A kind of file `blast` reads, for messages about the file as a whole.
pub trait Document {
    /// What to tell someone whose file of this kind is empty.
    const EMPTY_HELP: &'static str;
}

impl Document for RawTopology {
    const EMPTY_HELP: &'static str = "a topology starts with `version: 1`";
}

impl Document for crate::raw::Sp<crate::raw::RawPlan> {
    const EMPTY_HELP: &'static str = "a plan needs `steps`, e.g. `steps: [{fail: {target: db.a}}]`";
}

impl Document for serde::de::IgnoredAny {
    const EMPTY_HELP: &'static str = "the file has no YAML content";
}

/// Limits on what `blast` will read.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest input file in bytes.
    pub max_file_bytes: u64,
    /// Deepest nesting of sequences and mappings.
    pub max_depth: usize,
    /// Most components (including customer apps) in one topology.
    pub max_components: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 2 * 1024 * 1024 * 1024,
            max_depth: 64,
            max_components: 10_000_000,
        }
    }
}

/// Reads, parses, checks and freezes a topology file.
pub fn load_topology(path: &Path, limits: Limits) -> Result<Topology> {
    let text = read_text(path, limits)?;
    topology_from_str(&text, path, limits)
}

/// Parses, checks and freezes topology text; `path` is only used in messages.
pub fn topology_from_str(text: &str, path: &Path, limits: Limits) -> Result<Topology> {
    let raw: RawTopology = parse_yaml(text, path, limits)?;
    build::build(raw, path, limits.max_components)
}

/// Reads a whole file as UTF-8 text, refusing what is not a readable,
/// bounded, UTF-8 regular file.
pub fn read_text(path: &Path, limits: Limits) -> Result<String> {
    let open_error = |e: std::io::Error| {
        let help = match e.kind() {
            std::io::ErrorKind::NotFound => "check the path",
            std::io::ErrorKind::PermissionDenied => "make the file readable",
            _ => "pass a readable YAML file",
        };
        Error::input(Diagnostic::new(format!("cannot read `{}`: {}", path.display(), io_reason(&e))).help(help))
    };
    let file = File::open(path).map_err(open_error)?;
    let metadata = file.metadata().map_err(open_error)?;
    if metadata.is_dir() {
        return Err(
            Diagnostic::new(format!("`{}` is a directory, not a file", path.display()))
                .help("pass a YAML file")
                .into(),
        );
    }
    let too_big = || {
        Error::input(
            Diagnostic::new(format!(
                "`{}` is larger than the {} byte limit",
                path.display(),
                limits.max_file_bytes
            ))
            .help("raise the limit with --max-file-size if the file is genuine"),
        )
    };
    // Devices and pipes report no size, so the read itself is bounded too.
    if metadata.is_file() && metadata.len() > limits.max_file_bytes {
        return Err(too_big());
    }
    let mut bytes = Vec::with_capacity(metadata.len().min(limits.max_file_bytes) as usize);
    file.take(limits.max_file_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(open_error)?;
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(too_big());
    }
    // A UTF-8 byte order mark is legal in YAML but not part of the content.
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    match std::str::from_utf8(body) {
        Ok(text) => Ok(text.to_string()),
        Err(e) => {
            let valid = &body[..e.valid_up_to()];
            let line = valid.iter().filter(|b| **b == b'\n').count() as u64 + 1;
            let line_start = valid.iter().rposition(|b| *b == b'\n').map_or(0, |p| p + 1);
            let column = String::from_utf8_lossy(&valid[line_start..]).chars().count() as u64 + 1;
            Err(Diagnostic::new("the file is not valid UTF-8")
                .at(Pos { line, column }.at(path))
                .help("save the file as UTF-8")
                .into())
        }
    }
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}

/// Parses YAML text into `T` with budgets scaled to the input's size.
pub fn parse_yaml<T: DeserializeOwned + Document>(text: &str, path: &Path, limits: Limits) -> Result<T> {
    if text.trim().is_empty()
        || text
            .lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        return Err(Diagnostic::new(format!("`{}` is empty", path.display()))
            .help(T::EMPTY_HELP)
            .into());
    }
    let len = text.len();
    // Every node and event needs at least a byte of input, so budgets equal
    // to the input size never reject an honest file; aliases, which can
    // multiply work without input, keep the library's default limits.
    let budget = serde_saphyr::budget! {
        max_events: len.saturating_mul(2).max(1_000_000),
        max_nodes: len.max(250_000),
        max_total_scalar_bytes: len.max(64 * 1024 * 1024),
        max_depth: limits.max_depth,
        max_documents: 1,
        max_inclusion_depth: 0,
    };
    let options = serde_saphyr::options! {
        budget: budget,
        duplicate_keys: DuplicateKeyPolicy::Error,
        // YAML 1.2 booleans only: ids like `y`, `on` or `no` stay strings.
        strict_booleans: true,
        with_snippet: false,
    };
    serde_saphyr::from_str_with_options(text, options).map_err(|e| yaml_error(&e, path))
}

fn yaml_error(error: &serde_saphyr::Error, path: &Path) -> Error {
    let inner = error.without_snippet();
    let message = DefaultMessageFormatter.format_message(inner);
    // The formatter's text comes from the input (keys, values); keep it on one line.
    let message: String = message
        .chars()
        .flat_map(|c| c.escape_debug())
        .collect::<String>()
        .replace("\\'", "'")
        .replace("\\\"", "\"");
    let mut diagnostic = Diagnostic::new(plain_message(&message));
    if let Some(location) = error.location().filter(|l| l.line() > 0) {
        diagnostic = diagnostic.at(Pos::from(location).at(path));
    }
    let help = yaml_help(&diagnostic.message);
    if let Some(help) = help {
        diagnostic = diagnostic.help(help);
    }
    Error::input(diagnostic)
}

/// Rewords the YAML library's messages for people who write topologies,
/// not for programmers who configure the library.
fn plain_message(message: &str) -> String {
    if let Some(rest) = message.strip_prefix("duplicate mapping key: ") {
        let key = rest.split(", set DuplicateKeyPolicy").next().unwrap_or(rest);
        return format!("duplicate key `{key}`");
    }
    if let Some(rest) = message.strip_prefix("non-finite float ") {
        let value = rest.split(" rejected").next().unwrap_or(rest);
        return format!("{value} is not a finite number");
    }
    if message.starts_with("budget breached: Documents") {
        return "the file holds more than one YAML document".to_string();
    }
    if let Some(rest) = message.strip_prefix("budget breached: ") {
        return format!("the file exceeds a safety limit ({rest})");
    }
    match message {
        "expected sequence start" => "expected a list here".to_string(),
        "expected mapping start" => "expected a mapping (`key: value` pairs) here".to_string(),
        "invalid u64" | "invalid u32" => "expected a whole, non-negative number".to_string(),
        "invalid floating point" => "expected a number".to_string(),
        other => other.to_string(),
    }
}

fn yaml_help(message: &str) -> Option<String> {
    let help = if let Some(rest) = message.strip_prefix("unknown field `") {
        // "unknown field `capcity`, expected one of id, capacity, ..."
        let (field, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let expected = expected
            .split_once("expected one of ")
            .or_else(|| expected.split_once("expected "))
            .map_or("", |(_, list)| list);
        let candidates = expected.split(", ").map(|c| c.trim_matches('`'));
        return Some(match nearest(field, candidates) {
            Some(near) => format!("did you mean `{near}`?"),
            None => "remove the key or fix its spelling; the README lists every key".to_string(),
        });
    } else if message.starts_with("missing field") {
        "add the field"
    } else if message.starts_with("duplicate key") {
        "a key may appear once per mapping; remove one"
    } else if message.contains("more than one YAML document") {
        "keep one document per file (remove the `---` separators)"
    } else if message.contains("safety limit") || message.contains("alias") || message.contains("depth") {
        "the file exceeds a safety limit on aliases, nesting or size; write it out plainly"
    } else if message.ends_with("is not a finite number") {
        "use a finite, non-negative number"
    } else if message.starts_with("expected a list") {
        "write a list, e.g. `[a, b]`, even for a single item"
    } else if message.starts_with("expected a mapping") {
        "check the indentation and the value's type against the formats in the README"
    } else if message.starts_with("invalid") || message.starts_with("expected") {
        "check the value's type against the formats in the README"
    } else {
        return None;
    };
    Some(help.to_string())
}
