//! JSON output: pretty-printed, with a trailing newline, and with the
//! characters a terminal or viewer would act on written as `\uXXXX`.

use serde::Serialize;

pub fn to_string<T: Serialize>(value: &T) -> String {
    // Serializing plain data structs with string keys cannot fail.
    let mut text = serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    crate::text::json_invisible(text)
}
