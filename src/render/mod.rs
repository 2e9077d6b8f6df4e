//! Output: one module per format. Every renderer is a pure function of its
//! input, so the same input gives the same bytes. Untrusted text reaches an
//! output only through the escaping function of its context
//! ([`crate::text`]); the table helpers here escape every cell they are given.

pub mod analysis;
pub mod check;
pub mod ci;
pub mod error;
pub mod explain;
pub mod graph;
pub mod json;
pub mod list;
pub mod sarif;
pub mod style;
pub mod validate;

use comfy_table::presets::ASCII_MARKDOWN;
use comfy_table::{Cell, Color, ColumnConstraint, ContentArrangement, LineStyle, Table, TableStyle, Width};

use crate::error::Error;
use crate::render::style::{Paint, status_paint};
use crate::status::Status;
use crate::text::shown;

/// How a terminal-facing renderer lays its text out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Style {
    /// ANSI colours.
    pub color: bool,
    /// Columns to fit tables and the verdict to; `None`: whole lines.
    pub width: Option<usize>,
}

/// An error as shown on stderr.
pub fn error_text(error: &Error, color: bool) -> String {
    let diagnostic = error.diagnostic().clone().with_excerpt();
    let text = diagnostic.render("error");
    if color {
        text.replacen("error:", &style::paint("error:", style::Paint::Red), 1)
    } else {
        text
    }
}

pub(crate) fn status_cell(status: Status) -> Cell {
    let color = match status_paint(status) {
        Paint::Red => Color::Red,
        Paint::Yellow => Color::Yellow,
        Paint::Magenta => Color::Magenta,
        Paint::Green | Paint::Bold => Color::Green,
    };
    Cell::new(status.as_str()).fg(color)
}

/// A terminal table whose text cells are escaped on the way in, so no id,
/// kind or message can move the cursor or forge a line.
pub(crate) struct TextTable {
    table: Table,
    /// Lower bounds on column widths, applied when fitted.
    min_widths: Vec<(usize, usize)>,
}

impl TextTable {
    /// Adds a row of plain text, each cell as [`shown`].
    pub(crate) fn add_row<S: AsRef<str>>(&mut self, row: Vec<S>) {
        self.table
            .add_row(row.iter().map(|cell| shown(cell.as_ref())).collect::<Vec<_>>());
    }

    /// Adds a row of cells whose text the caller has escaped (a coloured status).
    pub(crate) fn add_cells(&mut self, row: Vec<Cell>) {
        self.table.add_row(row);
    }

    /// Keeps column `index` at least `min` characters wide when fitted to
    /// a width, so short words (ids, statuses) are not broken across lines.
    pub(crate) fn min_width(mut self, index: usize, min: usize) -> Self {
        self.min_widths.push((index, min));
        self
    }

    /// Fits the table to `width` columns, wrapping the widest cells.
    pub(crate) fn fit(mut self, width: Option<usize>) -> Self {
        if let Some(width) = width {
            for (index, min) in &self.min_widths {
                if let Some(column) = self.table.column_mut(*index) {
                    // The width comfy-table compares includes a space of padding each side.
                    let min = u16::try_from(min + 2).unwrap_or(u16::MAX);
                    column.set_constraint(ColumnConstraint::LowerBoundary(Width::Fixed(min)));
                }
            }
            self.table
                .set_content_arrangement(ContentArrangement::Dynamic)
                .set_width(u16::try_from(width).unwrap_or(u16::MAX));
        }
        self
    }
}

/// Columns separated by spaces, a rule under the header; colours only when asked.
pub(crate) fn new_table(header: &[&str], color: bool) -> TextTable {
    const STYLE: TableStyle = TableStyle::new().header_separator(LineStyle::none().fill('-').junction(' '));
    let mut table = Table::new();
    table.load_style(STYLE);
    if color {
        table.enforce_styling();
    } else {
        table.force_no_tty();
    }
    table.set_header(header.to_vec());
    TextTable {
        table,
        min_widths: Vec::new(),
    }
}

pub(crate) fn push_table(out: &mut String, table: &TextTable) {
    for line in table.table.to_string().lines() {
        out.push_str(line.trim_end());
        out.push('\n');
    }
}

/// A markdown table of plain-text cells, each escaped as
/// [`crate::text::markdown_message`] (HTML, links, pipes, line breaks;
/// backticked ids stay code).
pub(crate) fn markdown_table(header: &[&str], rows: Vec<Vec<String>>) -> String {
    markdown_cells(
        header,
        rows.into_iter()
            .map(|row| row.iter().map(|cell| crate::text::markdown_message(cell)).collect())
            .collect(),
    )
}

/// A markdown table of cells the caller has escaped (code, bold statuses).
pub(crate) fn markdown_cells(header: &[&str], rows: Vec<Vec<String>>) -> String {
    let mut table = Table::new();
    table.load_style(ASCII_MARKDOWN);
    table.force_no_tty();
    table.set_header(header.to_vec());
    for row in rows {
        table.add_row(row);
    }
    let mut out = String::new();
    for line in table.to_string().lines() {
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
