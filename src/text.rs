//! Numbers and quoted input as messages show them: never hundreds of
//! digits, never megabytes of someone's file, never raw control characters.

use std::fmt;

/// Decimal notation is used for magnitudes in this range, scientific
/// notation outside it.
const DECIMAL_RANGE: (f64, f64) = (1e-6, 1e15);

/// A number in its shortest form that reads back exactly: `0.1`, `2500`,
/// `1e300`, `1.5e-9`, `inf`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Num(pub f64);

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let x = self.0;
        let magnitude = x.abs();
        if x == 0.0 || !x.is_finite() || (DECIMAL_RANGE.0..DECIMAL_RANGE.1).contains(&magnitude) {
            write!(f, "{x}")
        } else {
            write!(f, "{x:e}")
        }
    }
}

/// A count or size to 3 significant digits: `2000`, `1.23e12`.
pub fn approx(x: f64) -> String {
    if x.is_finite() && x.abs() < 1e5 {
        format!("{}", x.round())
    } else if x.is_finite() {
        format!("{x:.2e}")
    } else {
        format!("{x}")
    }
}

/// At most `max_chars` characters of `text`, control characters shown as
/// `?`, and how much was left out.
pub fn excerpt(text: &str, max_chars: usize) -> String {
    let total = text.chars().count();
    let shown: String = text
        .chars()
        .take(max_chars)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if total > max_chars {
        format!("{shown}… ({} more characters)", total - max_chars)
    } else {
        shown
    }
}

/// `text` broken at spaces into lines of at most `width` characters (a
/// longer word keeps a line of its own), every line after the first
/// starting with `indent`; lines end in a newline.
pub fn wrap(text: &str, width: usize, indent: &str) -> String {
    let mut wrapped = String::new();
    let mut line = String::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let prefix = if wrapped.is_empty() { "" } else { indent };
        let candidate = line.chars().count() + 1 + word.chars().count();
        if !line.is_empty() && prefix.chars().count() + candidate > width {
            wrapped.push_str(prefix);
            wrapped.push_str(&line);
            wrapped.push('\n');
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() || wrapped.is_empty() {
        wrapped.push_str(if wrapped.is_empty() { "" } else { indent });
        wrapped.push_str(&line);
        wrapped.push('\n');
    }
    wrapped
}

/// Formats a number with 4 significant digits.
pub fn number(value: f64) -> String {
    significant(value, 4)
}

/// Formats a number with `digits` significant digits: decimals from 0.001
/// to below 1e6, scientific notation outside.
pub fn significant(value: f64, digits: usize) -> String {
    if value == 0.0 {
        return "0".to_string();
    }
    let exponent_digits = digits - 1;
    // Round to the digits first, so 9.99999 counts as 10.00.
    let rounded: f64 = format!("{value:.exponent_digits$e}")
        .parse()
        .unwrap_or(value);
    let magnitude = rounded.abs().log10().floor() as i32;
    if !(-3..6).contains(&magnitude) {
        return format!("{value:.exponent_digits$e}");
    }
    let decimals = (exponent_digits as i32 - magnitude).max(0) as usize;
    format!("{value:.decimals$}")
}

/// A decided value: whole numbers as such (consumers, capacity), loads
/// with four significant digits.
pub fn decided(value: f64) -> String {
    if value.fract() == 0.0 {
        format!("{value}")
    } else {
        number(value)
    }
}

/// `headers` and `lines` as left-aligned columns, one line each.
pub fn aligned(headers: &[&str], lines: impl Iterator<Item = Vec<String>>) -> String {
    let header: Vec<String> = headers.iter().map(|h| h.to_string()).collect();
    let all: Vec<Vec<String>> = std::iter::once(header).chain(lines).collect();
    let mut widths = vec![0usize; headers.len()];
    for line in &all {
        for (width, cell) in widths.iter_mut().zip(line) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut text = String::new();
    for line in &all {
        let cells: Vec<String> = line
            .iter()
            .zip(&widths)
            .map(|(cell, &width)| format!("{cell:<width$}"))
            .collect();
        text.push_str(cells.join("  ").trim_end());
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_lines_fit_and_keep_every_word() {
        let text = "verdicts on exact theory: agrees 40, OUTSIDE CI 15 (expected about 2.8 at 95% if all agree; the metrics of a point come from the same replications)";
        let wrapped = wrap(text, 40, "  ");
        assert!(
            wrapped.lines().all(|l| l.chars().count() <= 40),
            "{wrapped}"
        );
        assert!(
            wrapped.lines().skip(1).all(|l| l.starts_with("  ")),
            "{wrapped}"
        );
        let words: Vec<&str> = wrapped.split_whitespace().collect();
        assert_eq!(words, text.split_whitespace().collect::<Vec<_>>());
        assert_eq!(wrap("short", 40, "  "), "short\n");
        assert_eq!(
            wrap("a-word-longer-than-the-width b", 10, ""),
            "a-word-longer-than-the-width\nb\n"
        );
    }

    #[test]
    fn numbers_are_short_and_exact() {
        let cases = [
            (0.1, "0.1"),
            (2500.0, "2500"),
            (1e300, "1e300"),
            (-1.5e-9, "-1.5e-9"),
            (0.9999999999, "0.9999999999"),
            (f64::INFINITY, "inf"),
            (0.0, "0"),
            (f64::MIN_POSITIVE / 4.0, "5.562684646268003e-309"),
        ];
        for (value, shown) in cases {
            assert_eq!(Num(value).to_string(), shown);
            assert_eq!(shown.parse::<f64>().unwrap(), value);
        }
        assert!(Num(f64::MAX).to_string().len() < 30);
    }

    #[test]
    fn approximate_counts_keep_three_digits() {
        assert_eq!(approx(2000.4), "2000");
        assert_eq!(approx(2_000_000_393_317.0), "2.00e12");
        assert_eq!(approx(1e308), "1.00e308");
        assert_eq!(approx(f64::INFINITY), "inf");
    }

    #[test]
    fn excerpts_are_short_and_printable() {
        assert_eq!(excerpt("abc", 10), "abc");
        assert_eq!(excerpt("a\u{1b}[31mb", 10), "a?[31mb");
        let long = "x".repeat(13_700_000);
        let shown = excerpt(&long, 40);
        assert!(shown.len() < 80, "{shown}");
        assert!(shown.ends_with("(13699960 more characters)"), "{shown}");
    }

    #[test]
    fn numbers_keep_four_significant_digits() {
        assert_eq!(number(9.0), "9.000");
        assert_eq!(number(0.012345), "0.01235");
        assert_eq!(number(12345.0), "12345");
        assert_eq!(number(1.5e-7), "1.500e-7");
        assert_eq!(number(9.99999), "10.00");
        // Seven digits tell apart what four do not.
        assert_eq!(significant(0.998_547_64, 7), "0.9985476");
        assert_eq!(significant(0.998_451, 7), "0.9984510");
        assert_eq!(significant(1.5e-7, 7), "1.500000e-7");
    }
}
