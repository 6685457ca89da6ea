//! One numeric column of a CSV file, read the same way for every user: the
//! `empirical` and `trace` distributions and `queuelab fit`.

use std::path::Path;

use super::{Dist, DistError};
use crate::text::excerpt;

/// One non-empty cell of the column.
struct Cell {
    /// One-based row number, counting the header row if there is one.
    row: u64,
    /// The cell's value.
    value: f64,
}

/// The values of one column of a CSV file, in file order.
///
/// With `Some(name)` the first row must be a header and the column with that
/// name is used. With `None` the first column is used, and the first row is
/// treated as a header when its first cell is not a number. Surrounding
/// whitespace is trimmed and empty (or missing) cells are skipped, so columns
/// of unequal length can share a file. Every other cell must be a finite
/// number >= 0, and there must be at least one. Errors name the file and the
/// one-based row, counting the header.
pub fn read_column(path: &Path, column: Option<&str>) -> Result<Vec<f64>, DistError> {
    Ok(read_cells(path, column)?
        .into_iter()
        .map(|cell| cell.value)
        .collect())
}

/// The gaps between consecutive timestamps of one column (read as by
/// [`read_column`]): the first timestamp is the origin, so N timestamps give
/// N - 1 gaps. The timestamps must not decrease, and there must be at least
/// two; errors name the file, and the row of a decreasing timestamp.
pub fn read_gaps(path: &Path, column: Option<&str>) -> Result<Vec<f64>, DistError> {
    let cells = read_cells(path, column)?;
    if cells.len() < 2 {
        return Err(DistError::TooFewTimestamps {
            path: path.to_path_buf(),
            column: column_label(column),
            count: cells.len(),
        });
    }
    cells
        .windows(2)
        .map(|pair| {
            let (previous, next) = (&pair[0], &pair[1]);
            if next.value < previous.value {
                return Err(DistError::DecreasingTimestamp {
                    path: path.to_path_buf(),
                    row: next.row,
                    value: next.value,
                    previous: previous.value,
                });
            }
            Ok(next.value - previous.value)
        })
        .collect()
}

impl Dist {
    /// Empirical distribution from one column of a CSV file, read as by
    /// [`read_column`].
    pub fn empirical_from_csv(
        path: impl AsRef<Path>,
        column: Option<&str>,
    ) -> Result<Dist, DistError> {
        Dist::empirical(read_column(path.as_ref(), column)?)
    }

    /// Recorded arrivals replayed in order: a [`Dist::Sequence`] of the gaps
    /// between consecutive timestamps of one CSV column ([`read_gaps`]). The
    /// first timestamp is time 0 and each later one a message, so the first
    /// message comes one first gap after 0, and N timestamps give N - 1
    /// messages spread over the same span as the recording.
    pub fn trace_from_csv(path: impl AsRef<Path>, column: Option<&str>) -> Result<Dist, DistError> {
        Dist::sequence(read_gaps(path.as_ref(), column)?)
    }
}

/// How a CSV file separates its cells and writes its decimals.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dialect {
    /// The cell separator: `,`, or `;` in files written with decimal commas.
    pub separator: u8,
    /// Decimals are written `1,5` (with `;` between cells).
    pub decimal_comma: bool,
}

/// Bytes read to recognise a file's dialect.
const SNIFF_BYTES: u64 = 64 * 1024;

impl Dialect {
    /// The dialect of `path`, from its first lines: `;`-separated when its
    /// first non-empty line has a `;` and no `,` outside a number (then
    /// `1,5` means 1.5), comma-separated otherwise.
    pub fn of(path: &Path) -> Result<Dialect, DistError> {
        use std::io::Read;
        let mut start = String::new();
        crate::input::open_regular(path, crate::input::MAX_CSV_BYTES)
            .and_then(|file| {
                file.take(SNIFF_BYTES)
                    .read_to_string(&mut start)
                    .map(|_| ())
            })
            .or_else(|e| match e.kind() {
                // A multi-byte character cut at the end of the sample.
                std::io::ErrorKind::InvalidData => Ok(()),
                _ => Err(e),
            })
            .map_err(|e| DistError::CsvRead {
                path: path.to_path_buf(),
                source: e.into(),
            })?;
        let first = start.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        let bytes = first.as_bytes();
        let comma_outside_number = bytes.iter().enumerate().any(|(i, &b)| {
            let digit =
                |j: Option<usize>| j.and_then(|j| bytes.get(j)).is_some_and(u8::is_ascii_digit);
            b == b',' && !(digit(i.checked_sub(1)) && digit(Some(i + 1)))
        });
        if first.contains(';') && !comma_outside_number {
            Ok(Dialect {
                separator: b';',
                decimal_comma: true,
            })
        } else {
            Ok(Dialect {
                separator: b',',
                decimal_comma: false,
            })
        }
    }

    /// The value of a cell in this dialect.
    fn parse(self, cell: &str) -> Option<f64> {
        if self.decimal_comma {
            cell.replace(',', ".").parse().ok()
        } else {
            cell.parse().ok()
        }
    }
}

/// The header row of `path` (its first row, when its first cell is not a
/// number), in the file's dialect.
pub fn header_row(path: &Path) -> Result<Option<Vec<String>>, DistError> {
    let dialect = Dialect::of(path)?;
    let mut reader = reader(path, dialect)?;
    let first = reader
        .records()
        .next()
        .transpose()
        .map_err(|source| DistError::CsvRead {
            path: path.to_path_buf(),
            source,
        })?;
    Ok(first
        .filter(|row| row.get(0).is_some_and(|cell| dialect.parse(cell).is_none()))
        .map(|row| row.iter().map(|cell| excerpt(cell, 40)).collect()))
}

/// A CSV reader of `path` in `dialect`: no header assumed, rows of any
/// length, cells trimmed.
fn reader(path: &Path, dialect: Dialect) -> Result<csv::Reader<std::fs::File>, DistError> {
    let file = crate::input::open_regular(path, crate::input::MAX_CSV_BYTES).map_err(|e| {
        DistError::CsvRead {
            path: path.to_path_buf(),
            source: e.into(),
        }
    })?;
    Ok(csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .delimiter(dialect.separator)
        .from_reader(file))
}

/// How errors name the column: its quoted header, or `1` for the first column.
fn column_label(column: Option<&str>) -> String {
    column.map_or_else(|| "1".to_string(), |name| format!("\"{name}\""))
}

/// The non-empty cells of the column, with their rows (see [`read_column`]).
fn read_cells(path: &Path, column: Option<&str>) -> Result<Vec<Cell>, DistError> {
    let read_error = |source| DistError::CsvRead {
        path: path.to_path_buf(),
        source,
    };
    let dialect = Dialect::of(path)?;
    let mut reader = reader(path, dialect)?;
    let mut records = reader.records();

    let (column_index, pending_first_row) = match column {
        Some(name) => {
            let header = records.next().transpose().map_err(read_error)?;
            let header = header.unwrap_or_default();
            let index = header.iter().position(|cell| cell == name).ok_or_else(|| {
                DistError::CsvColumnNotFound {
                    path: path.to_path_buf(),
                    column: name.to_string(),
                    available: excerpt(&header.iter().collect::<Vec<_>>().join(", "), 200),
                }
            })?;
            (index, None)
        }
        None => {
            let first = records.next().transpose().map_err(read_error)?;
            let first_is_data = first
                .as_ref()
                .and_then(|record| record.get(0))
                .is_some_and(|cell| dialect.parse(cell).is_some());
            (0, first.filter(|_| first_is_data))
        }
    };

    let mut cells = Vec::new();
    for record in pending_first_row.into_iter().map(Ok).chain(records) {
        let record = record.map_err(read_error)?;
        let cell = record.get(column_index).unwrap_or("");
        if cell.is_empty() {
            continue;
        }
        let row = record.position().map_or(0, csv::Position::line);
        let value_error = |problem: String| DistError::CsvValue {
            path: path.to_path_buf(),
            row,
            problem,
        };
        let value: f64 = dialect
            .parse(cell)
            .ok_or_else(|| value_error(format!("\"{}\" is not a number", excerpt(cell, 40))))?;
        if !(value.is_finite() && value >= 0.0) {
            return Err(value_error(format!(
                "samples must be finite numbers >= 0, got {}",
                excerpt(cell, 40)
            )));
        }
        cells.push(Cell { row, value });
    }
    if cells.is_empty() {
        return Err(DistError::CsvNoSamples {
            path: path.to_path_buf(),
            column: column_label(column),
        });
    }
    Ok(cells)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    /// A CSV file in the temporary directory, removed when dropped.
    struct TempCsv(PathBuf);

    impl TempCsv {
        fn new(name: &str, contents: &str) -> TempCsv {
            let path = std::env::temp_dir().join(format!(
                "kernel_scratch_dist_{}_{name}.csv",
                std::process::id()
            ));
            std::fs::write(&path, contents).unwrap();
            TempCsv(path)
        }
    }

    impl Drop for TempCsv {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }

    fn empirical_samples(dist: &Dist) -> Vec<f64> {
        match dist {
            Dist::Empirical { samples, .. } => samples.to_vec(),
            other => unreachable!("not empirical: {other:?}"),
        }
    }

    #[test]
    fn csv_named_column() {
        let file = TempCsv::new("named", "id,service\n1, 0.5\n2,1.5\n3,\n4,2.0\n5\n");
        let dist = Dist::empirical_from_csv(&file.0, Some("service")).unwrap();
        assert_eq!(empirical_samples(&dist), vec![0.5, 1.5, 2.0]);
        assert!((dist.mean() - 4.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn csv_first_column_with_and_without_header() {
        let plain = TempCsv::new("plain", "1.0,9\n2.0,9\n3.0,9\n");
        let dist = Dist::empirical_from_csv(&plain.0, None).unwrap();
        assert_eq!(empirical_samples(&dist), vec![1.0, 2.0, 3.0]);

        let headed = TempCsv::new("headed", "time\n1\n2\n");
        let dist = Dist::empirical_from_csv(&headed.0, None).unwrap();
        assert_eq!(empirical_samples(&dist), vec![1.0, 2.0]);
    }

    #[test]
    fn csv_bad_value_names_file_and_row() {
        let file = TempCsv::new("bad_value", "service\n1.0\nabc\n2.0\n");
        let error = Dist::empirical_from_csv(&file.0, Some("service")).unwrap_err();
        assert!(
            matches!(error, DistError::CsvValue { row: 3, .. }),
            "{error:?}"
        );
        assert_eq!(
            error.to_string(),
            format!("{}, row 3: \"abc\" is not a number", file.0.display())
        );

        let file = TempCsv::new("negative", "1.0\n2.0\n-4\n");
        let error = Dist::empirical_from_csv(&file.0, None).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "{}, row 3: samples must be finite numbers >= 0, got -4",
                file.0.display()
            )
        );
    }

    #[test]
    fn csv_structural_errors() {
        let file = TempCsv::new("columns", "a,b\n1,2\n");
        let error = Dist::empirical_from_csv(&file.0, Some("c")).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "{}: no column named \"c\" in the header (columns: a, b)",
                file.0.display()
            )
        );

        let file = TempCsv::new("header_only", "service\n");
        let error = Dist::empirical_from_csv(&file.0, Some("service")).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!("{}: column \"service\" holds no samples", file.0.display())
        );

        let file = TempCsv::new("empty", "");
        let error = Dist::empirical_from_csv(&file.0, None).unwrap_err();
        assert!(matches!(error, DistError::CsvNoSamples { .. }), "{error:?}");

        let missing = std::env::temp_dir().join("kernel_scratch_dist_no_such_file.csv");
        let error = Dist::empirical_from_csv(&missing, None).unwrap_err();
        assert!(matches!(error, DistError::CsvRead { .. }), "{error:?}");
        assert!(
            error
                .to_string()
                .contains("kernel_scratch_dist_no_such_file.csv")
        );
    }

    #[test]
    fn gaps_between_timestamps() {
        let file = TempCsv::new("gaps", "id,at\n1,10\n2,12.5\n3,12.5\n4,\n5,20\n");
        let gaps = read_gaps(&file.0, Some("at")).unwrap();
        assert_eq!(gaps, vec![2.5, 0.0, 7.5]);
        let dist = Dist::trace_from_csv(&file.0, Some("at")).unwrap();
        assert!(matches!(&dist, Dist::Sequence { values, .. } if values[..] == gaps[..]));
    }

    #[test]
    fn gaps_need_two_non_decreasing_timestamps() {
        let file = TempCsv::new("decreasing", "at\n1\n5\n4\n");
        let error = read_gaps(&file.0, Some("at")).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "{}, row 4: timestamps must not decrease, got 4 after 5",
                file.0.display()
            )
        );
        let file = TempCsv::new("single", "at\n1\n");
        let error = read_gaps(&file.0, Some("at")).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "{}: column \"at\" holds 1 timestamp; a trace needs at least 2 (the first is the origin, each later one a message)",
                file.0.display()
            )
        );
    }
}
