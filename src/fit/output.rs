//! What `queuelab fit` prints: a ranked table with ready-to-paste scenario
//! lines, or the same as a JSON document.

use std::path::Path;

use super::{Candidate, Fit};
use crate::dist::Dialect;
use crate::text::{aligned, number};

/// Headers of the ranked table.
const HEADERS: [&str; 7] = [
    "rank",
    "dist",
    "parameters",
    "mean",
    "scv",
    "KS D",
    "p-value",
];

/// Where the fitted values came from.
#[derive(Clone, Copy, Debug)]
pub struct FitSource<'a> {
    /// The CSV file, as given.
    pub file: &'a Path,
    /// The column header; `None` for the first column.
    pub column: Option<&'a str>,
    /// The column holds timestamps and the gaps between them were fitted.
    pub gaps: bool,
    /// How the file was read.
    pub dialect: Dialect,
}

impl FitSource<'_> {
    /// The scenario key the fit suits: `interarrival` for gaps between
    /// timestamps, `service` otherwise.
    fn key(&self) -> &'static str {
        if self.gaps { "interarrival" } else { "service" }
    }

    /// The values described, e.g. `arrivals.csv, column "at", gaps between timestamps`.
    fn describe(&self) -> String {
        let column = self
            .column
            .map_or_else(|| "first column".to_string(), |c| format!("column \"{c}\""));
        let gaps = if self.gaps {
            ", gaps between timestamps"
        } else {
            ""
        };
        format!("{}, {column}{gaps}", self.file.display())
    }

    /// The scenario line replaying the timestamps as recorded (for gaps).
    fn trace_line(&self) -> Option<String> {
        let quoted = |text: &str| toml::Value::String(text.to_string()).to_string();
        self.gaps.then(|| {
            let column = self
                .column
                .map_or_else(String::new, |c| format!(", column = {}", quoted(c)));
            format!(
                "interarrival = {{ dist = \"trace\", file = {}{column} }}",
                quoted(&self.file.display().to_string())
            )
        })
    }

    /// The scenario line of a fitted distribution.
    fn scenario_line(&self, candidate: &Candidate) -> String {
        format!("{} = {}", self.key(), candidate.scenario_table())
    }
}

/// The fit as text: the summary, the `notes` (warnings), every candidate
/// ranked by the Kolmogorov-Smirnov statistic, and the best as a scenario
/// line.
pub fn table(fit: &Fit, source: &FitSource, notes: &[String]) -> String {
    let summary = &fit.summary;
    let mut text = format!(
        "{}: {} values, mean {}, scv {}\n",
        source.describe(),
        summary.count,
        number(summary.mean),
        number(summary.scv)
    );
    for note in notes {
        text.push_str(&format!("note: {note}\n"));
    }
    text.push('\n');
    let lines = fit.candidates.iter().enumerate().map(|(index, c)| {
        vec![
            (index + 1).to_string(),
            c.family.to_string(),
            c.parameters_text(" ").join(", "),
            number(c.dist.mean()),
            number(c.dist.scv()),
            number(c.ks_statistic),
            c.ks_p_value.map_or_else(|| "-".to_string(), number),
        ]
    });
    text.push_str(&aligned(&HEADERS, lines));
    text.push_str(&format!(
        "\nbest fit (smallest KS D; p-values are optimistic, the parameters come from the same values):\n  {}\n",
        source.scenario_line(fit.best())
    ));
    if let Some(line) = source.trace_line() {
        text.push_str(&format!(
            "or replay the recording as it happened (file relative to the scenario):\n  {line}\n"
        ));
    }
    text
}

/// The fit as a JSON document: source, summary, warnings (`notes`), ranked
/// candidates and the scenario lines.
pub fn document(fit: &Fit, source: &FitSource, notes: &[String]) -> serde_json::Value {
    let candidates: Vec<serde_json::Value> = fit
        .candidates
        .iter()
        .map(|c| {
            let parameters: serde_json::Map<String, serde_json::Value> = c
                .parameters
                .iter()
                .map(|(key, value)| (key.to_string(), serde_json::json!(value)))
                .collect();
            serde_json::json!({
                "dist": c.family,
                "parameters": parameters,
                "mean": c.dist.mean(),
                "scv": c.dist.scv(),
                "ks_statistic": c.ks_statistic,
                "ks_p_value": c.ks_p_value,
                "scenario_line": source.scenario_line(c),
            })
        })
        .collect();
    serde_json::json!({
        "file": source.file.display().to_string(),
        "column": source.column,
        "gaps": source.gaps,
        "count": fit.summary.count,
        "mean": fit.summary.mean,
        "scv": fit.summary.scv,
        "warnings": notes,
        "candidates": candidates,
        "best": source.scenario_line(fit.best()),
        "trace": source.trace_line(),
    })
}
