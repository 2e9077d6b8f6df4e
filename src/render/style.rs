//! ANSI colours, used only when the user or the terminal asks for them.

use crate::status::Status;

#[derive(Debug, Clone, Copy)]
pub enum Paint {
    Red,
    Yellow,
    Magenta,
    Green,
    Bold,
}

pub fn paint(text: &str, paint: Paint) -> String {
    let code = match paint {
        Paint::Red => "1;31",
        Paint::Yellow => "33",
        Paint::Magenta => "35",
        Paint::Green => "32",
        Paint::Bold => "1",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

pub fn status_paint(status: Status) -> Paint {
    match status {
        Status::Ok => Paint::Green,
        Status::AtRisk => Paint::Yellow,
        Status::Degraded => Paint::Magenta,
        Status::Down => Paint::Red,
    }
}
