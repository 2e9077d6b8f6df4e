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

use crate::error::{Diagnostic, Error, Pos, Result, nearest};
use crate::input::raw::{At, RawPlan, RawSelector, RawTopology};
use crate::limits::Limits;
use crate::text::{path as text_path, shown};

/// A kind of file `blast` reads, for messages about the file as a whole.
pub trait Document {
    /// What to tell someone whose file of this kind is empty.
    const EMPTY_HELP: &'static str;
}

impl Document for RawTopology {
    const EMPTY_HELP: &'static str = "a topology starts with `version: 1`";
}

impl Document for At<RawPlan> {
    const EMPTY_HELP: &'static str = "a plan needs `steps`, e.g. `steps: [{fail: {target: db.a}}]`";
}

impl Document for RawSelector {
    const EMPTY_HELP: &'static str = "write a selector, e.g. `{kind: database}`";
}

impl Document for serde::de::IgnoredAny {
    const EMPTY_HELP: &'static str = "the file has no YAML content";
}

/// Reads a whole file as UTF-8 text, refusing what is not a readable,
/// bounded, UTF-8 regular file or device; `-` reads standard input.
pub fn read_text(path: &Path, limits: Limits) -> Result<String> {
    if path == Path::new("-") {
        return read_bytes(std::io::stdin().lock(), path, None, limits);
    }
    let (file, size) = open(path, limits)?;
    read_bytes(file, path, size, limits)
}

fn open_error(path: &Path, e: &std::io::Error) -> Error {
    let help = match e.kind() {
        std::io::ErrorKind::NotFound => "check the path",
        std::io::ErrorKind::PermissionDenied => "make the file readable",
        _ => "pass a readable YAML file",
    };
    Error::input(Diagnostic::new(format!("cannot read `{}`: {}", text_path(path), io_reason(e))).help(help))
}

fn too_big(path: &Path, limits: Limits) -> Error {
    Error::input(
        Diagnostic::new(format!(
            "`{}` is larger than the {} byte limit",
            text_path(path),
            limits.max_file_bytes
        ))
        .help("raise the limit with --max-file-size if the file is genuine"),
    )
}

/// Opens `path` for reading without blocking, and refuses what is not a
/// file: a FIFO would block in `open` (or in the first read) until a writer
/// comes, forever in a CI job. Returns the file and, for a regular file, its size.
fn open(path: &Path, limits: Limits) -> Result<(File, Option<u64>)> {
    // A socket cannot be opened at all: say what it is before trying.
    if let Ok(metadata) = std::fs::metadata(path) {
        refuse_special(path, &metadata.file_type())?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(|e| open_error(path, &e))?;
    let metadata = file.metadata().map_err(|e| open_error(path, &e))?;
    let kind = metadata.file_type();
    if kind.is_dir() {
        return Err(
            Diagnostic::new(format!("`{}` is a directory, not a file", text_path(path)))
                .help("pass a YAML file")
                .into(),
        );
    }
    // Checked again on the open file: the path may have changed since.
    refuse_special(path, &kind)?;
    // Devices report no size, so the read itself is bounded too.
    let size = metadata.is_file().then_some(metadata.len());
    if size.is_some_and(|len| len > limits.max_file_bytes) {
        return Err(too_big(path, limits));
    }
    Ok((file, size))
}

/// Refuses a FIFO or a socket: reading one would wait for a writer.
fn refuse_special(path: &Path, kind: &std::fs::FileType) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() || kind.is_socket() {
            let what = if kind.is_fifo() {
                "a named pipe (FIFO)"
            } else {
                "a socket"
            };
            return Err(Diagnostic::new(format!("`{}` is {what}, not a file", text_path(path)))
                .help("pass a regular file, or `-` and the stream on standard input")
                .into());
        }
    }
    #[cfg(not(unix))]
    let _ = (path, kind);
    Ok(())
}

/// Reads `reader` to the end as UTF-8 text, within the size limit; `size`
/// is known for a regular file.
fn read_bytes(reader: impl Read, path: &Path, size: Option<u64>, limits: Limits) -> Result<String> {
    // Read in chunks and stop at the first NUL byte: YAML text never holds
    // one, and a sparse file or a device full of zeros is not read to the end.
    let mut reader = reader.take(limits.max_file_bytes.saturating_add(1));
    let mut bytes: Vec<u8> = Vec::new();
    let mut chunk = vec![0u8; 1 << 16];
    loop {
        let n = match reader.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            // A terminal opened without blocking has nothing to read yet.
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                return Err(
                    Diagnostic::new(format!("`{}` is not a file (nothing to read)", text_path(path)))
                        .help("pass a regular file, or `-` and the stream on standard input")
                        .into(),
                );
            }
            Err(e) => return Err(open_error(path, &e)),
        };
        let start = bytes.len();
        if start == 0 {
            if chunk[..n].starts_with(b"\xFF\xFE") || chunk[..n].starts_with(b"\xFE\xFF") {
                return Err(Diagnostic::new("the file is UTF-16 text, not UTF-8")
                    .at(Pos { line: 1, column: 1 }.at(path))
                    .help("save the file as UTF-8")
                    .into());
            }
            // A regular file's size is known: reserve it once the start looks like text.
            if let Some(len) = size.filter(|_| !chunk[..n].contains(&0)) {
                bytes.reserve_exact(len.min(limits.max_file_bytes) as usize);
            }
        }
        bytes.extend_from_slice(&chunk[..n]);
        if let Some(nul) = chunk[..n].iter().position(|b| *b == 0) {
            return Err(
                Diagnostic::new("the file contains a NUL byte; it is binary, not YAML text")
                    .at(position(&bytes[..start + nul]).at(path))
                    .help("pass a YAML text file")
                    .into(),
            );
        }
        if bytes.len() as u64 > limits.max_file_bytes {
            return Err(too_big(path, limits));
        }
    }
    // A UTF-8 byte order mark is legal in YAML but not part of the content.
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    String::from_utf8(bytes).map_err(|e| -> Error {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        Diagnostic::new("the file is not valid UTF-8")
            .at(position(valid).at(path))
            .help("save the file as UTF-8")
            .into()
    })
}

/// The line and column just after `before`, the text preceding a place in a file.
fn position(before: &[u8]) -> Pos {
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let line_start = before.iter().rposition(|b| *b == b'\n').map_or(0, |p| p + 1);
    let column = String::from_utf8_lossy(&before[line_start..]).chars().count() + 1;
    Pos::new(line, column)
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
    parse_with(text, path, limits, T::EMPTY_HELP, |deserializer| {
        T::deserialize(deserializer)
    })
}

/// Runs `read` on a YAML deserializer over `text`, with budgets scaled to the
/// input's size; `empty_help` is what to say when the text holds no YAML.
pub(crate) fn parse_with<'de, T>(
    text: &'de str,
    path: &Path,
    limits: Limits,
    empty_help: &str,
    read: impl for<'e> FnOnce(serde_saphyr::Deserializer<'de, 'e>) -> Result<T, serde_saphyr::Error>,
) -> Result<T> {
    // YAML ends lines with LF, CRLF or a lone CR.
    if text.trim().is_empty()
        || text
            .split(['\n', '\r'])
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        return Err(Diagnostic::new(format!("`{}` is empty", text_path(path)))
            .help(empty_help)
            .into());
    }
    let budget = Budgets::for_input(text.len());
    let options = options(&budget, limits, 1);
    serde_saphyr::with_deserializer_from_str_with_options(text, options, read)
        .map_err(|e| yaml_error(&e, path, &budget, limits))
}

/// Parses every YAML document of `text` (documents separated by `---`, as
/// in a Backstage catalog file) into `T`, with the budgets and options of
/// [`parse_yaml`] but up to `max_documents` documents. Empty documents are
/// skipped; an empty file gives none.
pub(crate) fn parse_yaml_documents<T: DeserializeOwned>(
    text: &str,
    path: &Path,
    limits: Limits,
    max_documents: usize,
) -> Result<Vec<T>> {
    let budget = Budgets::for_input(text.len());
    serde_saphyr::from_multiple_with_options(text, options(&budget, limits, max_documents))
        .map_err(|e| yaml_error(&e, path, &budget, limits))
}

/// The parser's options: `budget`, the nesting limit, and strict YAML 1.2.
fn options(budget: &Budgets, limits: Limits, max_documents: usize) -> serde_saphyr::Options {
    serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_events: budget.events,
            max_nodes: budget.nodes,
            max_total_scalar_bytes: budget.scalar_bytes,
            max_depth: limits.max_depth,
            // The scanner's own limit on `[`/`{` nesting, which it meets
            // before the depth budget: the same number, so one limit holds.
            flow_nesting_limit: limits.max_depth,
            max_documents: max_documents,
            max_inclusion_depth: 0,
        },
        duplicate_keys: DuplicateKeyPolicy::Error,
        // A tag such as `!!python/object` means the file was written for
        // another tool: say so rather than ignore it.
        reject_unsupported_tags: true,
        // YAML 1.2 booleans only: ids like `y`, `on` or `no` stay strings.
        strict_booleans: true,
        // `.inf` and `.nan` reach the number reader as text, which says
        // which field is not a number.
        non_finite_float_policy: serde_saphyr::options::NonFiniteFloatPolicy::AsString,
        with_snippet: false,
    }
}

/// The parser's budgets for one input.
struct Budgets {
    events: usize,
    nodes: usize,
    scalar_bytes: usize,
}

impl Budgets {
    // Every node and event needs at least a byte of input, so budgets equal
    // to the input size never reject an honest file; aliases, which can
    // multiply work without input, keep the library's default limits.
    fn for_input(len: usize) -> Budgets {
        Budgets {
            events: len.saturating_mul(2).max(1_000_000),
            nodes: len.max(250_000),
            scalar_bytes: len.max(64 * 1024 * 1024),
        }
    }
}

fn yaml_error(error: &serde_saphyr::Error, path: &Path, budget: &Budgets, limits: Limits) -> Error {
    let inner = error.without_snippet();
    let message = match limit_message(inner, budget, limits) {
        Some(message) => message,
        None => {
            let message = DefaultMessageFormatter.format_message(inner);
            // The formatter's text comes from the input (keys, values); keep it on one line.
            plain_message(&shown(&message))
        }
    };
    let mut diagnostic = Diagnostic::new(message);
    if let Some(location) = error.location().filter(|l| l.line() > 0) {
        diagnostic = diagnostic.at(Pos::from(location).at(path));
    }
    let help = yaml_help(&diagnostic.message);
    if let Some(help) = help {
        diagnostic = diagnostic.help(help);
    }
    Error::input(diagnostic)
}

/// The message for a breached safety limit, naming the limit.
fn limit_message(error: &serde_saphyr::Error, budget: &Budgets, limits: Limits) -> Option<String> {
    use serde_saphyr::budget::BudgetBreach;
    let defaults = serde_saphyr::Budget::default();
    let aliases = "counting an alias each time it is used";
    let mut error = error;
    // A limit met while replaying an alias comes wrapped in where the alias is.
    while let serde_saphyr::Error::AliasError { error: inner, .. }
    | serde_saphyr::Error::WithSnippet { error: inner, .. } = error
    {
        error = inner;
    }
    Some(match error {
        serde_saphyr::Error::Budget { breach, .. } => match breach {
            BudgetBreach::Documents { .. } => "the file holds more than one YAML document".to_string(),
            BudgetBreach::Depth { .. } => too_deep(limits),
            BudgetBreach::Nodes { .. } => format!(
                "the file exceeds a safety limit: more than {} YAML values ({aliases})",
                budget.nodes
            ),
            BudgetBreach::Events { .. } => format!(
                "the file exceeds a safety limit: more than {} YAML events ({aliases})",
                budget.events
            ),
            BudgetBreach::ScalarBytes { .. } => format!(
                "the file exceeds a safety limit: its text values add up to more than {} bytes ({aliases})",
                budget.scalar_bytes
            ),
            BudgetBreach::Aliases { .. } => format!(
                "the file exceeds a safety limit: more than {} aliases (`*name`)",
                defaults.max_aliases
            ),
            BudgetBreach::Anchors { .. } => format!(
                "the file exceeds a safety limit: more than {} anchors (`&name`)",
                defaults.max_anchors
            ),
            BudgetBreach::AliasAnchorRatio { aliases, anchors } => format!(
                "the file exceeds a safety limit: {aliases} aliases of {anchors} anchors, the shape of an alias bomb"
            ),
            BudgetBreach::MergeKeys { .. } => format!(
                "the file exceeds a safety limit: more than {} merge keys (`<<`)",
                defaults.max_merge_keys
            ),
            other => format!("the file exceeds a safety limit ({other:?})"),
        },
        serde_saphyr::Error::AliasReplayLimitExceeded {
            max_total_replayed_events,
            ..
        } => format!(
            "the file exceeds a safety limit: its aliases expand to more than {max_total_replayed_events} YAML events (an alias bomb)"
        ),
        serde_saphyr::Error::AliasExpansionLimitExceeded { .. } => {
            "the file exceeds a safety limit: an anchor is expanded too many times (an alias bomb)".to_string()
        }
        serde_saphyr::Error::AliasReplayStackDepthExceeded { max_depth, .. } => {
            format!("the file exceeds a safety limit: aliases nest more than {max_depth} deep")
        }
        other => {
            let message = DefaultMessageFormatter.format_message(other);
            if message == "recursion limit exceeded" {
                too_deep(limits)
            } else {
                return None;
            }
        }
    })
}

fn too_deep(limits: Limits) -> String {
    format!(
        "the file exceeds a safety limit: lists and maps nest more than {} levels deep",
        limits.max_depth
    )
}

/// Rewords the YAML library's messages for people who write topologies,
/// not for programmers who configure the library.
pub(crate) fn plain_message(message: &str) -> String {
    if let Some(rest) = message.strip_prefix("duplicate mapping key: ") {
        let key = rest.split(", set DuplicateKeyPolicy").next().unwrap_or(rest);
        return format!("duplicate key `{key}`");
    }
    if let Some(rest) = message.strip_prefix("non-finite float ") {
        let value = rest.split(" rejected").next().unwrap_or(rest);
        return format!("{value} is not a finite number");
    }
    if let Some(rest) = message.strip_prefix("budget breached: ") {
        return format!("the file exceeds a safety limit ({rest})");
    }
    if let Some(rest) = message.strip_prefix("unexpected character: `")
        && let Some(c) = rest.strip_suffix('\'')
    {
        return format!("unexpected character `{c}`");
    }
    if let Some(expected) = message.strip_prefix("invalid type: unit value, expected ") {
        return format!("expected {expected} here, not an empty value (null)");
    }
    if message.starts_with("cannot deserialize null into ") {
        return "expected a value here, not an empty one (null)".to_string();
    }
    match message {
        "expected sequence start" => "expected a list here".to_string(),
        "expected string scalar" => "expected a single value here, not a list or a mapping".to_string(),
        "expected end of mapping after enum variant value" => {
            "a step is a mapping with exactly one key, its kind".to_string()
        }
        "recursive references require weak recursion types" => {
            "an alias refers to a node that contains it (a recursive alias)".to_string()
        }
        "expected mapping start" => "expected a mapping (`key: value` pairs) here".to_string(),
        "invalid u64" | "invalid u32" => "expected a whole, non-negative number".to_string(),
        "invalid type: sequence, expected a number" | "invalid type: map, expected a number" => {
            "expected a number here, not a list or a mapping".to_string()
        }
        "invalid floating point" => "expected a finite number".to_string(),
        // serde's words for an enum such as `mode` or `when` given a map or a list.
        "expected string key for externally tagged enum" => {
            "expected a single word here (such as `down` or `soft`), not a mapping".to_string()
        }
        "externally tagged enum expected scalar or mapping" => {
            "expected a single word here (such as `down` or `soft`), not a list".to_string()
        }
        "did not find expected <document start>" => "unexpected text after the end of the value".to_string(),
        other => other.to_string(),
    }
}

pub(crate) fn yaml_help(message: &str) -> Option<String> {
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
    } else if let Some(rest) = message.strip_prefix("unknown variant `") {
        // "unknown variant `fial`, expected one of remove_capacity, add_capacity, ..."
        let (variant, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let expected = expected.split_once("expected one of ").map_or("", |(_, list)| list);
        let candidates = expected.split(", ").map(|c| c.trim_matches('`'));
        return nearest(variant, candidates).map(|near| format!("did you mean `{near}`?"));
    } else if message.starts_with("a step is a mapping with exactly one key") {
        "start each step with `-`, e.g. `- fail: { target: db.a }`"
    } else if message.starts_with("an alias refers to a node that contains it") {
        "write the value out instead of the alias"
    } else if message.starts_with("expected a value here, not an empty one") {
        "give a value after the key, or leave the key out"
    } else if message.starts_with("unsupported tag") {
        "remove the tag: blast reads plain YAML"
    } else if message.starts_with("missing field") {
        "add the field"
    } else if message.starts_with("duplicate key") {
        "a key may appear once per mapping; remove one"
    } else if message.contains("more than one YAML document") {
        "keep one document per file (remove the `---` separators)"
    } else if message.starts_with("the file exceeds a safety limit: lists and maps nest") {
        "no topology or plan nests that deep; look for unclosed `[` or `{`"
    } else if message.starts_with("the file exceeds a safety limit") && message.contains("alias") {
        "write the repeated parts out instead of multiplying them with aliases; the README lists the limits"
    } else if message.starts_with("the file exceeds a safety limit") {
        "the README lists the limits; split or simplify the file"
    } else if message.ends_with("is not a finite number") {
        "use a finite, non-negative number"
    } else if message.starts_with("expected a list") {
        "write a list, e.g. `[a, b]`, even for a single item"
    } else if message.starts_with("expected a mapping") {
        "check the indentation and the value's type against the formats in the README"
    } else if message.starts_with("invalid type")
        || message.starts_with("invalid value")
        || message.starts_with("invalid boolean")
        || message.starts_with("expected")
    {
        "check the value's type against the formats in the README"
    } else {
        return None;
    };
    Some(help.to_string())
}
