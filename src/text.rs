//! Text helpers every layer uses: showing untrusted text safely and writing
//! numbers as people write them. A leaf: it imports nothing from the crate.

/// Text from the input made safe to show on one line of a terminal or CI log:
/// control and invisible characters (newlines, escape sequences, a BOM) are
/// written as Rust escapes, everything else as is.
pub fn shown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' | '\'' | '"' => out.push(c),
            c => out.extend(c.escape_debug()),
        }
    }
    out
}

/// Numbers as people write them: `80`, `2.5`, never `80.0`.
pub fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        let s = format!("{v:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// Short weights: 950, 12.5k, 51.2M, 3.1B.
pub fn fmt_weight(w: f64) -> String {
    let (value, suffix) = if w >= 1e9 {
        (w / 1e9, "B")
    } else if w >= 1e6 {
        (w / 1e6, "M")
    } else if w >= 1e4 {
        (w / 1e3, "k")
    } else {
        return fmt_num((w * 100.0).round() / 100.0);
    };
    format!("{}{suffix}", fmt_num((value * 10.0).round() / 10.0))
}

/// `1 app`, `2 apps`.
pub fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Durations as people write them: `45s`, `90m` as `1h30m`, `4h`, `2d3h`.
pub fn fmt_duration(d: std::time::Duration) -> String {
    let mut seconds = d.as_secs();
    if seconds == 0 {
        return "0s".to_string();
    }
    let mut out = String::new();
    for (unit, size) in [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)] {
        if seconds >= size {
            out.push_str(&format!("{}{unit}", seconds / size));
            seconds %= size;
        }
    }
    out
}
