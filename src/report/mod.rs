//! Results in every form: the JSON document, summary and replication CSVs,
//! report.md, the terminal table, written atomically into a results folder.

mod comparison;
mod csv_files;
mod document;
mod findings;
mod heavy_tail;
mod html;
mod intervals;
mod live;
mod markdown;
mod outcome;
mod plan;
mod relations;
mod terminal;

use std::fs;
use std::io;
use std::path::Path;

pub use comparison::{Verdict, VerdictCounts, verdict, verdict_counts, verdict_summary};
pub use csv_files::{write_intervals, write_replications, write_summary};
pub use outcome::{OutcomeFiles, write_outcome};
pub use plan::plan_table;
pub use relations::relation_lines;
pub use terminal::{MAX_LINES, View, WIDTH, table};

use crate::chart::{self, CHARTS_DIR};
use crate::folder::{self, FolderError};
use crate::results::{
    ChartInputs, DISTRIBUTIONS_FILE, RunResults, THEORY_CURVES_FILE, WARMUP_FILE,
};
use crate::scenario::Scenario;
use crate::sim::Simulation;

/// File holding the [`RunResults`] document.
pub const RESULTS_FILE: &str = "results.json";

/// The scenario a results folder was computed from, as given.
const SCENARIO_FILE: &str = "scenario.toml";

/// The one-page report in Markdown.
const MARKDOWN_FILE: &str = "report.md";

/// The one-page report in HTML.
const HTML_FILE: &str = "report.html";

/// Writes every result file into `dir` (see [`folder::publish`]: built
/// aside, swapped in once complete, never touching the user's files),
/// the chart data among them; the charts are drawn when `draw`.
pub fn write_folder(
    dir: &Path,
    policy: folder::Policy,
    scenario: &Scenario,
    results: &RunResults,
    simulations: &[Option<Simulation>],
    (charts, draw): (&ChartInputs, bool),
) -> Result<(), FolderError> {
    folder::publish(dir, policy, |staging| {
        write_files(staging, scenario, results, simulations, charts)?;
        write_presentation(staging, results, draw.then_some(charts))
    })
}

fn write_json<T: serde::Serialize>(path: &Path, value: &T) -> io::Result<()> {
    let json = serde_json::to_string_pretty(value).map_err(io::Error::other)?;
    fs::write(path, json + "\n")
}

fn write_files(
    staging: &Path,
    scenario: &Scenario,
    results: &RunResults,
    simulations: &[Option<Simulation>],
    charts: &ChartInputs,
) -> io::Result<()> {
    let file = |name: &str| -> io::Result<io::BufWriter<fs::File>> {
        Ok(io::BufWriter::new(fs::File::create(staging.join(name))?))
    };
    write_json(&staging.join(RESULTS_FILE), results)?;
    write_summary(file("summary.csv")?, results).map_err(io::Error::other)?;
    if results.points.iter().any(|p| !p.intervals.is_empty()) {
        write_intervals(file("intervals.csv")?, results).map_err(io::Error::other)?;
    }
    write_replications(file("replications.csv")?, scenario, results, simulations)
        .map_err(io::Error::other)?;
    fs::write(staging.join(SCENARIO_FILE), &scenario.source)?;
    if let Some(distribution) = &charts.distribution {
        write_json(&staging.join(DISTRIBUTIONS_FILE), distribution)?;
    }
    if let Some(warmup) = &charts.warmup {
        write_json(&staging.join(WARMUP_FILE), warmup)?;
    }
    if let Some(curves) = &charts.curves {
        write_json(&staging.join(THEORY_CURVES_FILE), curves)?;
    }
    Ok(())
}

/// Whether `file` (relative to a results folder) is drawn from the data
/// rather than data itself: the charts and both reports.
pub fn is_presentation(file: &str) -> bool {
    file == MARKDOWN_FILE || file == HTML_FILE || file.starts_with(&format!("{CHARTS_DIR}/"))
}

/// Draws the charts (when `charts` is given) into `dir/charts` and writes
/// report.md and report.html into `dir`.
pub fn write_presentation(
    dir: &Path,
    results: &RunResults,
    charts: Option<&ChartInputs>,
) -> io::Result<()> {
    let files = match charts {
        Some(inputs) => {
            let figures = chart::figures(
                results,
                inputs.distribution.as_ref(),
                inputs.warmup.as_ref(),
                inputs.curves.as_ref(),
            );
            chart::write_charts(&dir.join(CHARTS_DIR), &figures).map_err(io::Error::other)?
        }
        None => Vec::new(),
    };
    let document = document::report_document(results, &files);
    fs::write(dir.join(MARKDOWN_FILE), markdown::render(&document))?;
    fs::write(
        dir.join(HTML_FILE),
        html::render(&results.scenario, &document),
    )
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> io::Result<T> {
    let text = crate::input::read_text(path, crate::input::MAX_DOCUMENT_BYTES)
        .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
    serde_json::from_str(&text).map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{}: not a queuelab results file: {e}", path.display()),
        )
    })
}

/// Reads a results folder written by `run`: the document and the chart data.
pub fn read_folder(dir: &Path) -> io::Result<(RunResults, ChartInputs)> {
    let results = read_json(&dir.join(RESULTS_FILE))?;
    let optional = |name: &str| dir.join(name).is_file().then(|| dir.join(name));
    let distribution = optional(DISTRIBUTIONS_FILE)
        .map(|p| read_json(&p))
        .transpose()?;
    let warmup = optional(WARMUP_FILE).map(|p| read_json(&p)).transpose()?;
    let curves = optional(THEORY_CURVES_FILE)
        .map(|p| read_json(&p))
        .transpose()?;
    Ok((
        results,
        ChartInputs {
            distribution,
            warmup,
            curves,
        },
    ))
}
