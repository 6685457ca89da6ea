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

#[cfg(test)]
mod tests {
    use super::*;

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
}
