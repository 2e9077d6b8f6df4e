//! Output: one module per format. Every renderer is a pure function of its
//! input, so the same input gives the same bytes.

pub mod analysis;
pub mod check;
pub mod ci;
pub mod explain;
pub mod graph;
pub mod json;
pub mod style;
pub mod validate;

use comfy_table::presets::ASCII_MARKDOWN;
use comfy_table::{Cell, Color, LineStyle, Table, TableStyle};

use crate::error::Error;
use crate::render::style::{Paint, status_paint};
use crate::status::Status;

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

/// Columns separated by spaces, a rule under the header; colours only when asked.
pub(crate) fn new_table(header: &[&str], color: bool) -> Table {
    const STYLE: TableStyle = TableStyle::new().header_separator(LineStyle::none().fill('-').junction(' '));
    let mut table = Table::new();
    table.load_style(STYLE);
    if color {
        table.enforce_styling();
    } else {
        table.force_no_tty();
    }
    table.set_header(header.to_vec());
    table
}

pub(crate) fn push_table(out: &mut String, table: &Table) {
    for line in table.to_string().lines() {
        out.push_str(line.trim_end());
        out.push('\n');
    }
}

pub(crate) fn markdown_table(header: &[&str], rows: Vec<Vec<String>>) -> String {
    let mut table = Table::new();
    table.load_style(ASCII_MARKDOWN);
    table.force_no_tty();
    table.set_header(header.to_vec());
    for row in rows {
        // Pipes would end a markdown cell early.
        table.add_row(row.into_iter().map(|cell| cell.replace('|', "\\|")).collect::<Vec<_>>());
    }
    let mut out = String::new();
    push_table(&mut out, &table);
    out
}
