//! An input or usage error in the machine-readable format a command was
//! asked for, so a CI reader gets a document saying what went wrong
//! instead of an empty file. The human message still goes to stderr, and
//! the exit code is still 2.

use std::fmt::Write;

use serde_json::json;

use crate::error::Error;
use crate::render::ci::annotation;
use crate::text::xml;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorFormat {
    Json,
    Github,
    Junit,
    Sarif,
}

pub fn render(format: ErrorFormat, error: &Error) -> String {
    match format {
        ErrorFormat::Json => json_error(error),
        ErrorFormat::Github => {
            let diagnostic = error.diagnostic();
            let mut message = diagnostic.message.clone();
            if let Some(help) = &diagnostic.help {
                message.push_str(&format!(" (help: {help})"));
            }
            annotation(
                "error",
                diagnostic.location.as_deref(),
                &format!("blast: {} error", error.kind()),
                &message,
            )
        }
        ErrorFormat::Junit => junit_error(error),
        ErrorFormat::Sarif => crate::render::sarif::error(error),
    }
}

/// `{"error": {"message", "kind", "file", "line", "column", "help"}}`; the
/// place is null where the error has none.
fn json_error(error: &Error) -> String {
    let diagnostic = error.diagnostic();
    let location = diagnostic.location.as_deref();
    let value = json!({
        "error": {
            "message": diagnostic.message,
            "kind": error.kind(),
            "file": location.map(|l| l.path.display().to_string()),
            "line": location.map(|l| l.line),
            "column": location.map(|l| l.column),
            "help": diagnostic.help,
        }
    });
    crate::render::json::to_string(&value)
}

/// A test suite holding one test case in error: a JUnit reader shows the
/// run as broken rather than failing on an empty file.
fn junit_error(error: &Error) -> String {
    let text = crate::render::error_text(error, false);
    let message = &error.diagnostic().message;
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str("<testsuites name=\"blast\" tests=\"1\" failures=\"0\" errors=\"1\">\n");
    out.push_str("  <testsuite name=\"blast\" tests=\"1\" failures=\"0\" errors=\"1\">\n");
    let _ = write!(
        out,
        "    <testcase classname=\"blast\" name=\"input\">\n      <error type=\"{}_error\" message=\"{}\">{}</error>\n    </testcase>\n",
        error.kind(),
        xml(message),
        xml(text.trim_end())
    );
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}
