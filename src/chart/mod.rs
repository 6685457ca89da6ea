//! Charts (plotters): metric vs swept parameter (theory as a curve on a
//! fine grid), grouped bars by queue and class, metrics per interval of a
//! rate profile (in clock time, the rate behind), lag over time per queue
//! and partition, per-partition bars of a
//! partitioned queue (the hottest highlighted), the waiting-time tail
//! with its band, warm-up, comparisons across runs, and latency quantiles
//! on OMB's percentile axis, written as SVG and
//! PNG. Every chart is built as a [`Figure`] and drawn by one renderer.

mod build;
mod compare;
mod figure;
mod groups;
mod intervals;
mod lag;
mod live_percentiles;
mod partitions;
mod plan;
mod quantiles;
mod style;
mod words;

use std::fs;
use std::path::Path;

pub use build::{HEADLINE_METRICS, axis_label};
pub use compare::{Refusal, comparison_figure, pick_row};
pub use figure::{Axes, Behind, ChartError, Figure, Mark, Point, Series};
pub use intervals::INTERVAL_METRICS;
pub use plan::{plan_figure, schedule_figure};
pub use quantiles::{HIGHEST, QuantileCurve, QuantileKind, QuantilePoint, quantile_figure};
pub use style::{LEGEND_WIDTH, SIZE};
pub use words::metric_words;

use crate::results::{DistributionData, RunResults, TheoryCurves, WarmupData};

/// Folder of the charts inside a results folder.
pub const CHARTS_DIR: &str = "charts";

/// A chart written to disk, with its SVG text for embedding in reports.
#[derive(Clone, Debug)]
pub struct ChartFile {
    /// File stem (`charts/<name>.svg` and `.png`).
    pub name: String,
    /// Title.
    pub title: String,
    /// The SVG document.
    pub svg: String,
}

/// Every chart of a run.
pub fn figures(
    results: &RunResults,
    distribution: Option<&DistributionData>,
    warmup: Option<&WarmupData>,
    curves: Option<&TheoryCurves>,
) -> Vec<Figure> {
    let mut figures = build::metric_figures(results, curves);
    figures.extend(build::sweep_figures(results, curves));
    figures.extend(groups::waits_figure(results));
    figures.extend(intervals::interval_figures(results));
    figures.extend(lag::lag_figures(results));
    figures.extend(partitions::partition_figures(results));
    figures.extend(live_percentiles::live_percentile_figures(results));
    if let Some(data) = distribution.filter(|d| !d.series.is_empty()) {
        figures.push(build::distribution_figure(
            data,
            &results.scenario,
            &results.time_unit,
        ));
    }
    if let Some(data) = warmup.filter(|w| !w.trace.running_mean.is_empty()) {
        figures.push(build::warmup_figure(
            data,
            &results.scenario,
            &results.time_unit,
        ));
    }
    figures
}

/// Draws `figures` into `dir` as `<name>.svg` and `<name>.png`.
pub fn write_charts(dir: &Path, figures: &[Figure]) -> Result<Vec<ChartFile>, ChartError> {
    fs::create_dir_all(dir).map_err(|e| ChartError {
        name: dir.display().to_string(),
        message: e.to_string(),
    })?;
    figures
        .iter()
        .map(|figure| {
            let svg = figure.to_svg()?;
            fs::write(dir.join(format!("{}.svg", figure.name)), &svg).map_err(|e| ChartError {
                name: figure.name.clone(),
                message: e.to_string(),
            })?;
            figure.write_png(&dir.join(format!("{}.png", figure.name)))?;
            Ok(ChartFile {
                name: figure.name.clone(),
                title: figure.title.clone(),
                svg,
            })
        })
        .collect()
}
