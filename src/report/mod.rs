//! Results in every form: the JSON document, summary and replication CSVs,
//! report.md, the terminal table, written atomically into a results folder.

mod comparison;
mod csv_files;
mod markdown;
mod results;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

pub use comparison::{Verdict, verdict};
pub use csv_files::{write_replications, write_summary};
pub use markdown::{describe_model, report};
pub use results::{
    Interval, PointResults, Row, RunResults, SYSTEM, SimulationBlock, point_results, run_results,
    target_names,
};

use crate::scenario::Scenario;
use crate::sim::Simulation;

/// The comparison tables as aligned plain text, one block per point.
pub fn table(results: &RunResults) -> String {
    let mut text = String::new();
    for point in &results.points {
        if !point.parameters.is_empty() {
            let label = crate::scenario::parameter_label(&point.parameters);
            text.push_str(&format!("== {label} ==\n"));
        }
        let lines = comparison::lines(point);
        let header = comparison::HEADERS.map(String::from);
        let mut widths = [0usize; 6];
        for line in std::iter::once(&header).chain(&lines) {
            for (width, cell) in widths.iter_mut().zip(line) {
                *width = (*width).max(cell.chars().count());
            }
        }
        for line in std::iter::once(&header).chain(&lines) {
            let cells: Vec<String> = line
                .iter()
                .zip(widths)
                .map(|(cell, width)| format!("{cell:<width$}"))
                .collect();
            text.push_str(cells.join("  ").trim_end());
            text.push('\n');
        }
        text.push('\n');
    }
    text
}

/// Writes every result file into `dir` atomically: into a sibling temporary
/// folder first, renamed over `dir` only once complete.
pub fn write_folder(
    dir: &Path,
    scenario: &Scenario,
    results: &RunResults,
    simulations: &[Option<Simulation>],
) -> io::Result<()> {
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(parent)?;
    let folder_name = dir
        .file_name()
        .map_or_else(|| "results".into(), |n| n.to_string_lossy());
    let staging = parent.join(format!(".{folder_name}.partial-{}", std::process::id()));
    let written = write_files(&staging, scenario, results, simulations).and_then(|()| {
        let replaced = parent.join(format!(".{folder_name}.old-{}", std::process::id()));
        if dir.exists() {
            fs::rename(dir, &replaced)?;
        }
        fs::rename(&staging, dir)?;
        if replaced.exists() {
            fs::remove_dir_all(&replaced)?;
        }
        Ok(())
    });
    if written.is_err() {
        let _ = fs::remove_dir_all(&staging);
    }
    written
}

fn write_files(
    staging: &Path,
    scenario: &Scenario,
    results: &RunResults,
    simulations: &[Option<Simulation>],
) -> io::Result<()> {
    fs::create_dir_all(staging)?;
    let file = |name: &str| -> io::Result<io::BufWriter<fs::File>> {
        Ok(io::BufWriter::new(fs::File::create(staging.join(name))?))
    };
    let json = serde_json::to_string_pretty(results).map_err(io::Error::other)?;
    fs::write(staging.join("results.json"), json + "\n")?;
    write_summary(file("summary.csv")?, results).map_err(io::Error::other)?;
    write_replications(file("replications.csv")?, scenario, results, simulations)
        .map_err(io::Error::other)?;
    fs::write(staging.join("report.md"), report(scenario, results))?;
    let scenario_copy: PathBuf = staging.join("scenario.toml");
    fs::write(scenario_copy, &scenario.source)?;
    Ok(())
}
