//! What `fit` says before anyone trusts its ranking: too few values,
//! timestamps fitted as if they were durations, an id column fitted by
//! default, a file read as `;`-separated with decimal commas.

use super::FitSource;

/// Fewer values than this make the ranking mean little.
const FEW_VALUES: usize = 30;

/// Header names of columns that number rows rather than measure anything.
const ID_NAMES: [&str; 8] = ["id", "index", "idx", "row", "#", "n", "no", "seq"];

/// The warnings for fitting `values` read from `source`, in the order a
/// reader needs them; `header` is the file's header row, if it has one.
pub fn warnings(values: &[f64], source: &FitSource, header: Option<&[String]>) -> Vec<String> {
    let mut notes = Vec::new();
    if source.dialect.decimal_comma {
        notes.push(
            "read as ;-separated cells with decimal commas (1,5 = 1.5), from the file's first line"
                .to_string(),
        );
    }
    let id = source.column.is_none() && looks_like_an_id(values, header);
    if id {
        let columns = header.map_or_else(String::new, |h| format!(" (columns: {})", h.join(", ")));
        notes.push(format!(
            "the first column looks like an id (it counts rows), not a measurement: give the column to fit with --column NAME{columns}"
        ));
    }
    let never_decreases = values.windows(2).all(|pair| pair[0] <= pair[1]);
    if !id
        && !source.gaps
        && values.len() >= 3
        && never_decreases
        && values.first() != values.last()
    {
        notes.push(
            "the values never decrease, as timestamps do: to fit the time between arrivals, add --gaps"
                .to_string(),
        );
    }
    if values.len() < FEW_VALUES {
        notes.push(format!(
            "only {} values: with fewer than {FEW_VALUES} the Kolmogorov-Smirnov ranking can hardly tell the families apart; measure more",
            values.len()
        ));
    }
    notes
}

/// An id column: named like one, or whole numbers rising by exactly 1.
fn looks_like_an_id(values: &[f64], header: Option<&[String]>) -> bool {
    let named = header
        .and_then(|h| h.first())
        .map(|name| name.trim().to_ascii_lowercase())
        .is_some_and(|name| ID_NAMES.contains(&name.as_str()) || name.ends_with("_id"));
    let counts = values.len() >= 3
        && values[0].fract() == 0.0
        && values.windows(2).all(|pair| pair[1] - pair[0] == 1.0);
    named || counts
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::dist::Dialect;

    fn source(column: Option<&str>, gaps: bool, decimal_comma: bool) -> FitSource<'_> {
        FitSource {
            file: Path::new("x.csv"),
            column,
            gaps,
            dialect: Dialect {
                separator: if decimal_comma { b';' } else { b',' },
                decimal_comma,
            },
        }
    }

    fn said(notes: &[String], words: &str) -> bool {
        notes.iter().any(|n| n.contains(words))
    }

    #[test]
    fn each_warning_comes_when_it_applies_and_only_then() {
        let spread: Vec<f64> = (0..40).map(|i| f64::from((i * 7) % 11) + 0.5).collect();
        assert!(warnings(&spread, &source(None, false, false), None).is_empty());

        let ids: Vec<f64> = (1..=40).map(f64::from).collect();
        let notes = warnings(&ids, &source(None, false, false), None);
        assert!(
            said(&notes, "looks like an id") && !said(&notes, "--gaps"),
            "{notes:?}"
        );
        let notes = warnings(&ids, &source(Some("t"), false, false), None);
        assert!(
            said(&notes, "--gaps") && !said(&notes, "looks like an id"),
            "{notes:?}"
        );
        let named = ["order_id".to_string(), "ms".to_string()];
        let notes = warnings(&spread, &source(None, false, false), Some(&named));
        assert!(
            said(&notes, "looks like an id") && said(&notes, "order_id, ms"),
            "{notes:?}"
        );
        assert!(warnings(&ids, &source(Some("ms"), true, false), None).is_empty());

        let notes = warnings(&spread[..10], &source(None, false, true), None);
        assert!(
            said(&notes, "only 10 values") && said(&notes, "decimal commas"),
            "{notes:?}"
        );
    }
}
