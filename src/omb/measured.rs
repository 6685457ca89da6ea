//! OMB in, measured: the end-to-end latencies of an OMB result file (the
//! JSON of OMB's `TestResult`, as OMB writes it at the end of a test),
//! read field by field, each refusal naming the file and the field.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

/// OMB's fixed end-to-end percentile fields, by suffix, with the quantile
/// each holds.
pub const FIXED: [(&str, f64); 6] = [
    ("50pct", 0.5),
    ("75pct", 0.75),
    ("95pct", 0.95),
    ("99pct", 0.99),
    ("999pct", 0.999),
    ("9999pct", 0.9999),
];

/// The prefix of OMB's aggregated end-to-end latency fields.
const PREFIX: &str = "aggregatedEndToEndLatency";

/// The field of OMB's latency quantiles (percentile to milliseconds).
pub const QUANTILES: &str = "aggregatedEndToEndLatencyQuantiles";

/// An OMB result file that cannot be read (exit 2).
#[derive(Debug, thiserror::Error)]
#[error("{}: {message}", file.display())]
pub struct ResultError {
    /// The result file.
    pub file: PathBuf,
    /// What is wrong, naming the field.
    pub message: String,
}

/// The end-to-end latencies measured by one OMB test (milliseconds).
#[derive(Clone, Debug, PartialEq)]
pub struct Measured {
    /// `workload`: the workload's name.
    pub workload: Option<String>,
    /// `driver`: what was measured.
    pub driver: Option<String>,
    /// `topics`.
    pub topics: Option<u64>,
    /// `partitions` (per topic).
    pub partitions: Option<u64>,
    /// `aggregatedEndToEndLatencyAvg`.
    pub mean: Option<f64>,
    /// `aggregatedEndToEndLatencyMax`.
    pub max: Option<f64>,
    /// (quantile in [0, 1], ms) by increasing quantile: OMB's quantile
    /// map when it has one, else its fixed percentile fields.
    pub quantiles: Vec<(f64, f64)>,
    /// The field the quantiles came from.
    pub source: String,
}

impl Measured {
    /// The measured `q`-quantile: OMB's fixed field or, from the quantile
    /// map, the value at the first percentile at or above `q` (as OMB's
    /// histogram answers); `None` beyond what was measured.
    pub fn at(&self, q: f64) -> Option<f64> {
        self.quantiles
            .iter()
            .find(|(p, _)| *p >= q - 1e-12)
            .map(|&(_, ms)| ms)
    }
}

/// Reads the OMB result in `file`.
pub fn load(file: &Path) -> Result<Measured, ResultError> {
    let fail = |message: String| ResultError {
        file: file.to_path_buf(),
        message,
    };
    let text = crate::input::read_text(file, crate::input::MAX_SCENARIO_BYTES)
        .map_err(|e| fail(format!("cannot read the OMB result: {e}")))?;
    let value: Value = serde_json::from_str(&text).map_err(|e| {
        fail(format!(
            "not an OMB result (the JSON OMB writes at the end of a test): {e}"
        ))
    })?;
    let Value::Object(fields) = value else {
        return Err(fail(
            "an OMB result is a JSON object of TestResult's fields".into(),
        ));
    };
    Fields(&fields).measured().map_err(fail)
}

/// The fields of one result.
struct Fields<'a>(&'a Map<String, Value>);

impl Fields<'_> {
    /// The value of `key`, `None` when absent or null.
    fn get(&self, key: &str) -> Option<&Value> {
        self.0.get(key).filter(|v| !v.is_null())
    }

    /// A latency in ms (a number >= 0), `None` when absent or null.
    fn latency(&self, key: &str) -> Result<Option<f64>, String> {
        match self.get(key) {
            None => Ok(None),
            Some(value) => value
                .as_f64()
                .filter(|ms| ms.is_finite() && *ms >= 0.0)
                .map(Some)
                .ok_or_else(|| {
                    format!("field `{key}`: {value} is not a latency in ms (a number >= 0)")
                }),
        }
    }

    /// A whole number, `None` when absent or null.
    fn count(&self, key: &str) -> Result<Option<u64>, String> {
        match self.get(key) {
            None => Ok(None),
            Some(value) => value
                .as_u64()
                .map(Some)
                .ok_or_else(|| format!("field `{key}`: {value} is not a whole number >= 0")),
        }
    }

    /// A string, `None` when absent or null.
    fn text(&self, key: &str) -> Result<Option<String>, String> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text.clone())),
            Some(value) => Err(format!("field `{key}`: {value} is not a string")),
        }
    }

    /// OMB's quantile map as (quantile, ms) by increasing quantile.
    fn quantile_map(&self) -> Result<Vec<(f64, f64)>, String> {
        let Some(value) = self.get(QUANTILES) else {
            return Ok(Vec::new());
        };
        let Value::Object(map) = value else {
            return Err(format!(
                "field `{QUANTILES}`: not a map of percentile to milliseconds (e.g. {{\"99.0\": 12.5}})"
            ));
        };
        let mut quantiles = Vec::with_capacity(map.len());
        for (key, ms) in map {
            let percentile = key
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|p| (0.0..=100.0).contains(p))
                .ok_or_else(|| {
                    format!("field `{QUANTILES}`: key `{key}` is not a percentile from 0 to 100")
                })?;
            let ms = ms
                .as_f64()
                .filter(|ms| ms.is_finite() && *ms >= 0.0)
                .ok_or_else(|| {
                    format!(
                        "field `{QUANTILES}`: the value of `{key}`, {ms}, is not a latency in ms (a number >= 0)"
                    )
                })?;
            quantiles.push((percentile / 100.0, ms));
        }
        quantiles.sort_by(|a, b| a.0.total_cmp(&b.0));
        Ok(quantiles)
    }

    fn measured(&self) -> Result<Measured, String> {
        let mut fixed = Vec::new();
        for (suffix, q) in FIXED {
            if let Some(ms) = self.latency(&format!("{PREFIX}{suffix}"))? {
                fixed.push((q, ms));
            }
        }
        let map = self.quantile_map()?;
        let (quantiles, source) = if map.is_empty() {
            (fixed, format!("{PREFIX}50pct ... {PREFIX}9999pct"))
        } else {
            (map, QUANTILES.to_string())
        };
        if quantiles.is_empty() {
            return Err(format!(
                "no end-to-end latencies: `{QUANTILES}` is missing or empty and so are `{PREFIX}50pct` ... `{PREFIX}9999pct` (OMB fills them when a test ends; a file cut short has none)"
            ));
        }
        Ok(Measured {
            workload: self.text("workload")?,
            driver: self.text("driver")?,
            topics: self.count("topics")?,
            partitions: self.count("partitions")?,
            mean: self.latency(&format!("{PREFIX}Avg"))?,
            max: self.latency(&format!("{PREFIX}Max"))?,
            quantiles,
            source,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(json: &str) -> Result<Measured, String> {
        let Value::Object(fields) = serde_json::from_str(json).unwrap() else {
            panic!("an object")
        };
        Fields(&fields).measured()
    }

    #[test]
    fn the_quantile_map_comes_first_and_is_sorted() {
        let measured = read(
            r#"{"aggregatedEndToEndLatency50pct": 3.0,
                "aggregatedEndToEndLatencyQuantiles": {"99.0": 9.5, "50.0": 2.5, "100.0": 20.0}}"#,
        )
        .unwrap();
        assert_eq!(measured.quantiles, [(0.5, 2.5), (0.99, 9.5), (1.0, 20.0)]);
        assert_eq!(measured.source, QUANTILES);
        assert_eq!(measured.at(0.9), Some(9.5));
        assert_eq!(measured.at(0.5), Some(2.5));
    }

    #[test]
    fn without_a_map_the_fixed_fields_serve() {
        let measured = read(
            r#"{"aggregatedEndToEndLatency50pct": 3.0, "aggregatedEndToEndLatency99pct": 7.0,
                "aggregatedEndToEndLatency75pct": null, "aggregatedEndToEndLatencyQuantiles": {}}"#,
        )
        .unwrap();
        assert_eq!(measured.quantiles, [(0.5, 3.0), (0.99, 7.0)]);
        assert_eq!(measured.at(0.999), None);
    }

    #[test]
    fn bad_fields_are_named() {
        let cases = [
            (r#"{}"#, "no end-to-end latencies"),
            (
                r#"{"aggregatedEndToEndLatency99pct": "slow"}"#,
                "field `aggregatedEndToEndLatency99pct`",
            ),
            (
                r#"{"aggregatedEndToEndLatencyQuantiles": {"p99": 1.0}}"#,
                "key `p99`",
            ),
            (
                r#"{"aggregatedEndToEndLatencyQuantiles": {"99.0": -1}}"#,
                "the value of `99.0`",
            ),
            (
                r#"{"aggregatedEndToEndLatencyQuantiles": [1, 2]}"#,
                "not a map",
            ),
            (
                r#"{"aggregatedEndToEndLatency50pct": 1.0, "partitions": 1.5}"#,
                "field `partitions`",
            ),
        ];
        for (json, expected) in cases {
            let error = read(json).unwrap_err();
            assert!(error.contains(expected), "{json}: {error}");
        }
    }
}
