//! Output: one module per format. Every renderer is a pure function of its
//! input, so the same input gives the same bytes.

pub mod check;
pub mod json;
pub mod style;
pub mod summary;

use crate::error::Error;

/// An error as shown on stderr.
pub fn error_text(error: &Error, color: bool) -> String {
    let diagnostic = error.diagnostic();
    let text = diagnostic.render("error");
    if color {
        text.replacen("error:", &style::paint("error:", style::Paint::Red), 1)
    } else {
        text
    }
}
