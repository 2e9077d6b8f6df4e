//! `blast import backstage`: a topology from a Backstage software catalog.
//!
//! [`read`] finds the catalog files and follows local Locations, [`catalog`]
//! picks the entities out of each YAML document, [`annotate`] reads the
//! `blast-radius.dev/` annotations, [`map`] and [`place`] turn entities into
//! components, dependencies, regions and customers, and [`emit`] writes the
//! YAML. The text is loaded with the project's own loader before it is
//! returned, so an import never hands over a topology `validate` refuses.

pub mod annotate;
pub mod catalog;
pub mod emit;
pub mod map;
pub mod place;
pub mod read;

use std::path::{Path, PathBuf};

use crate::error::{Diagnostic, Error, Result};
use crate::import::Warnings;
use crate::limits::Limits;
use crate::text::shown;

pub use map::{CustomersFrom, Options};

/// The topology text and what the import had to leave out.
#[derive(Debug)]
pub struct Imported {
    pub yaml: String,
    /// Sorted by file and place.
    pub warnings: Vec<Diagnostic>,
}

/// Imports the catalog at `paths` (files, and directories searched for
/// `*.yaml` and `*.yml`).
pub fn import(paths: &[PathBuf], options: &Options, limits: Limits) -> Result<Imported> {
    if let Some(region) = &options.default_region
        && !annotate::valid_id(region)
    {
        return Err(Error::usage(
            Diagnostic::new(format!("--default-region `{}` is not a valid id", shown(region)))
                .help("ids are letters, digits and . _ : / -"),
        ));
    }
    if let Some(c) = options
        .name
        .as_deref()
        .and_then(|n| crate::limits::forbidden_character(n, false))
    {
        return Err(Error::usage(
            Diagnostic::new(format!("--name holds the control character `{}`", c.escape_debug()))
                .help("a topology's name is one line of text"),
        ));
    }
    let mut warnings = Warnings::default();
    let catalog = read::read(paths, limits, &mut warnings)?;
    let entities = without_duplicates(catalog.entities, &mut warnings);
    let mut topology = map::map(&entities, options, &mut warnings);
    topology.sources = catalog.files;
    let yaml = emit::to_yaml(&topology);
    // The mapping checks every value it writes; should it miss one, say so
    // rather than hand over a topology that does not load.
    if let Err(e) = crate::model::topology_from_str(&yaml, Path::new("<imported topology>"), limits) {
        let mut diagnostic = e.diagnostic().clone();
        diagnostic.message = format!("the imported topology does not load: {}", diagnostic.message);
        diagnostic.location = None;
        return Err(Error::input(diagnostic.help(
            "this is a bug in `blast import`: please report it with the catalog that caused it",
        )));
    }
    Ok(Imported {
        yaml,
        warnings: warnings.into_sorted(),
    })
}

/// One entity per ref: the first by file and place wins, whatever order the
/// files were read in, and each other one is a warning.
fn without_duplicates(mut entities: Vec<catalog::Entity>, warnings: &mut Warnings) -> Vec<catalog::Entity> {
    entities.sort_by(|a, b| {
        (a.entity_ref(), &a.file, a.pos.line, a.pos.column).cmp(&(b.entity_ref(), &b.file, b.pos.line, b.pos.column))
    });
    let mut out: Vec<catalog::Entity> = Vec::with_capacity(entities.len());
    for entity in entities {
        if let Some(first) = out.last().filter(|f| f.entity_ref() == entity.entity_ref()) {
            let message = format!(
                "duplicate entity `{}`: skipped (the first is at {})",
                entity.entity_ref(),
                first.pos.at(&first.file)
            );
            warnings.at_help(
                &entity.file,
                entity.pos,
                message,
                "each entity ref may appear once in a catalog",
            );
            continue;
        }
        out.push(entity);
    }
    out
}
