//! Finding and reading catalog files: the paths given (directories searched
//! for `*.yaml` and `*.yml`), then every local file a `Location` entity
//! points to. Nothing is fetched over the network, and no file is read twice
//! however many Locations name it.
//!
//! Files are read in the order of their paths, not of the arguments or of
//! the file system, so the same catalog always gives the same entities and
//! warnings.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};

use crate::error::{Diagnostic, Error, Pos, Result};
use crate::import::Warnings;
use crate::import::backstage::catalog::{self, Entity, Kind};
use crate::import::node::Node;
use crate::input::raw::At;
use crate::limits::Limits;
use crate::text::{path as shown_path, shown};

/// Most documents one catalog file may hold.
const MAX_DOCUMENTS: usize = 100_000;

/// Longest chain of Locations followed, each pointing to the next.
const MAX_LOCATION_DEPTH: usize = 64;

/// What the catalog files hold.
#[derive(Debug, Default)]
pub struct Catalog {
    /// Every entity read, Locations included, in the order read.
    pub entities: Vec<Entity>,
    /// Every file read, as named (relative to where the user named it), sorted.
    pub files: Vec<PathBuf>,
}

/// Reads the catalog at `paths`: files, and directories searched recursively.
pub fn read(paths: &[PathBuf], limits: Limits, warnings: &mut Warnings) -> Result<Catalog> {
    let mut start = Vec::new();
    for path in paths {
        start.extend(given(path)?);
    }
    // A file both named and found in a named directory counts as named.
    start.sort_by(|(a, a_named), (b, b_named)| a.cmp(b).then(b_named.cmp(a_named)));
    start.dedup_by(|later, first| later.0 == first.0);
    let mut reader = Reader {
        limits,
        warnings,
        done: BTreeSet::new(),
        catalog: Catalog::default(),
    };
    for (path, named) in &start {
        let origin = if *named { Origin::Argument } else { Origin::Search };
        reader.file(path, &mut Vec::new(), origin)?;
    }
    reader.catalog.files.sort();
    Ok(reader.catalog)
}

/// The files a path on the command line stands for, each with whether it
/// was named itself (not found in a directory).
fn given(path: &Path) -> Result<Vec<(PathBuf, bool)>> {
    if path == Path::new("-") {
        return Err(Error::usage(
            Diagnostic::new("`import` reads catalog files, not standard input")
                .help("pass the catalog's files or directories"),
        ));
    }
    let metadata = std::fs::metadata(path).map_err(|e| {
        let reason = match e.kind() {
            std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
            _ => e.to_string(),
        };
        Error::input(
            Diagnostic::new(format!("cannot read `{}`: {reason}", shown_path(path)))
                .help("pass catalog files (catalog-info.yaml) or directories holding them"),
        )
    })?;
    if !metadata.is_dir() {
        return Ok(vec![(path.to_path_buf(), true)]);
    }
    let mut files = Vec::new();
    walk(path, &mut BTreeSet::new(), &mut files)?;
    Ok(files.into_iter().map(|f| (f, false)).collect())
}

/// Collects the `*.yaml` and `*.yml` files under `dir`, in name order,
/// skipping hidden entries (`.git`, `.github`): those hold other tools' YAML.
/// `seen` holds the directories entered, so a symbolic link cannot loop.
fn walk(dir: &Path, seen: &mut BTreeSet<PathBuf>, files: &mut Vec<PathBuf>) -> Result<()> {
    if !seen.insert(std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf())) {
        return Ok(());
    }
    let cannot = |e: std::io::Error| {
        Error::input(
            Diagnostic::new(format!("cannot read the directory `{}`: {e}", shown_path(dir)))
                .help("make the directory readable"),
        )
    };
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(cannot)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<std::io::Result<_>>()
        .map_err(cannot)?;
    entries.sort();
    for entry in entries {
        let name = entry
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.starts_with('.') {
            continue;
        }
        if entry.is_dir() {
            walk(&entry, seen, files)?;
        } else if name.ends_with(".yaml") || name.ends_with(".yml") {
            files.push(entry);
        }
    }
    Ok(())
}

/// `dir/target` with `.` and `a/..` taken out, so files keep short,
/// stable names in messages and in the output's header.
fn joined(dir: &Path, target: &str) -> PathBuf {
    let mut out = PathBuf::new();
    for part in dir.join(target).components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.components().next_back(), Some(Component::Normal(_))) => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Where a file was named: the Location that points to it.
#[derive(Clone, Copy)]
struct From<'a> {
    file: &'a Path,
    pos: Pos,
}

/// How a file came to be read, which decides what a file that cannot be
/// read is: an error for one the user named, a warning otherwise.
#[derive(Clone, Copy)]
enum Origin<'a> {
    Argument,
    /// Found by searching a directory.
    Search,
    Location(From<'a>),
}

struct Reader<'w> {
    limits: Limits,
    warnings: &'w mut Warnings,
    /// Canonical paths of the files read (or being read).
    done: BTreeSet<PathBuf>,
    catalog: Catalog,
}

impl Reader<'_> {
    /// Reads one file and what its Locations point to. `stack` holds the
    /// canonical paths of the Location files that led here, to tell a cycle
    /// from a file merely named twice.
    fn file(&mut self, path: &Path, stack: &mut Vec<PathBuf>, origin: Origin) -> Result<()> {
        let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        if stack.contains(&canonical) {
            if let Origin::Location(from) = origin {
                let message = format!("Location cycle: `{}` leads back to itself", shown_path(path));
                let help = "remove the target that points back; the file was read once";
                self.warnings.at_help(from.file, from.pos, message, help);
            }
            return Ok(());
        }
        if !self.done.insert(canonical.clone()) {
            return Ok(());
        }
        let text = match crate::input::read::read_text(path, self.limits) {
            Ok(text) => text,
            // A file named on the command line must be readable; one found
            // in a directory or named by a Location is the catalog's problem,
            // reported where it is named.
            Err(e) => match origin {
                Origin::Argument => return Err(e),
                Origin::Search => {
                    let diagnostic = e.diagnostic().clone();
                    let message = format!("{} (the file is skipped)", diagnostic.message);
                    self.warnings.push(Diagnostic { message, ..diagnostic });
                    return Ok(());
                }
                Origin::Location(from) => {
                    let message = format!("Location target: {}", e.diagnostic().message);
                    let help = "fix the target, or remove it";
                    self.warnings.at_help(from.file, from.pos, message, help);
                    return Ok(());
                }
            },
        };
        self.catalog.files.push(path.to_path_buf());
        let documents =
            match crate::input::read::parse_yaml_documents::<At<Node>>(&text, path, self.limits, MAX_DOCUMENTS) {
                Ok(documents) => documents,
                Err(e) => {
                    let diagnostic = e.diagnostic().clone();
                    let message = format!("{} (the file is skipped)", diagnostic.message);
                    self.warnings.push(Diagnostic { message, ..diagnostic });
                    return Ok(());
                }
            };
        stack.push(canonical);
        for document in &documents {
            let Some(entity) = catalog::entity(document, path, self.warnings) else {
                continue;
            };
            if entity.kind == Kind::Location {
                self.follow(&entity, path, stack)?;
            }
            self.catalog.entities.push(entity);
        }
        stack.pop();
        Ok(())
    }

    /// Reads the local targets of a Location entity in `file`.
    fn follow(&mut self, location: &Entity, file: &Path, stack: &mut Vec<PathBuf>) -> Result<()> {
        let remote = location
            .spec
            .location_type
            .as_ref()
            .filter(|t| !t.value.eq_ignore_ascii_case("file"));
        for target in &location.spec.targets {
            let text = target.value.trim();
            let help = "the import reads local files only: check the target out and pass it as a path";
            if let Some(kind) = remote {
                let message = format!(
                    "Location target `{}` has type `{}`: not fetched",
                    shown(text),
                    shown(&kind.value)
                );
                self.warnings.at_help(file, target.pos, message, help);
                continue;
            }
            if text.contains("://") || text.starts_with("url:") {
                let message = format!("Location target `{}` is a URL: not fetched", shown(text));
                self.warnings.at_help(file, target.pos, message, help);
                continue;
            }
            let text = text.strip_prefix("file:").unwrap_or(text);
            if Path::new(text).is_absolute() {
                let message = format!("Location target `{}` is an absolute path: not followed", shown(text));
                let help = "write targets relative to the Location's file, as Backstage does";
                self.warnings.at_help(file, target.pos, message, help);
                continue;
            }
            if stack.len() >= MAX_LOCATION_DEPTH {
                let message = format!(
                    "Locations nest more than {MAX_LOCATION_DEPTH} deep: `{}` not followed",
                    shown(text)
                );
                self.warnings.at(file, target.pos, message);
                continue;
            }
            let dir = file.parent().unwrap_or(Path::new(""));
            let from = From { file, pos: target.pos };
            for path in self.targets(dir, text, from)? {
                self.file(&path, stack, Origin::Location(from))?;
            }
        }
        Ok(())
    }

    /// The files one target names: a file, a directory (searched as on the
    /// command line) or a glob such as `./*/catalog-info.yaml`.
    fn targets(&mut self, dir: &Path, target: &str, from: From) -> Result<Vec<PathBuf>> {
        let path = joined(dir, target);
        let mut out = Vec::new();
        if target.contains(['*', '?', '[']) {
            // The Location's directory is literal text, only the target a pattern.
            let pattern = if dir.as_os_str().is_empty() {
                target.to_string()
            } else {
                format!("{}/{target}", glob::Pattern::escape(&dir.display().to_string()))
            };
            let matches =
                glob::glob(&pattern).map(|paths| paths.filter_map(std::result::Result::ok).collect::<Vec<_>>());
            match matches {
                Ok(mut paths) => {
                    paths.sort();
                    out = paths.into_iter().map(|p| joined(&p, "")).collect();
                }
                Err(e) => {
                    let message = format!("Location target `{}` is not a valid glob: {}", shown(target), e.msg);
                    self.warnings.at(from.file, from.pos, message);
                    return Ok(Vec::new());
                }
            }
        } else if path.is_dir() {
            walk(&path, &mut BTreeSet::new(), &mut out)?;
        } else {
            out.push(path);
        }
        if out.is_empty() {
            let message = format!("Location target `{}` matches no file", shown(target));
            self.warnings.at(from.file, from.pos, message);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_joined_without_dot_segments() {
        assert_eq!(
            joined(Path::new("cat/shop"), "./a.yaml"),
            PathBuf::from("cat/shop/a.yaml")
        );
        assert_eq!(
            joined(Path::new("cat/shop"), "../teams/t.yaml"),
            PathBuf::from("cat/teams/t.yaml")
        );
        assert_eq!(joined(Path::new(""), "../x.yaml"), PathBuf::from("../x.yaml"));
        assert_eq!(joined(Path::new("a"), "b/./../c.yaml"), PathBuf::from("a/c.yaml"));
    }
}
