//! Bounds on what `blast` reads, shared by topologies and plans: file sizes,
//! nesting, component counts, the size of numbers, and which characters free
//! text may hold. A leaf: it imports nothing from the crate but `text`.

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

/// Larger numbers are never meant (SPEC section 2).
pub const MAX_NUMBER: f64 = 1e15;

/// The first character free text may not hold: control characters (terminal
/// escape sequences, carriage returns, NUL) but tabs, and line breaks where
/// `multiline`. Free text is printed in reports and CI logs.
pub fn forbidden_character(text: &str, multiline: bool) -> Option<char> {
    text.chars()
        .find(|c| c.is_control() && !(*c == '\t' || (multiline && *c == '\n')))
}
