//! One metric of several runs in one chart (`queuelab compare`), drawn only
//! where the runs share an axis: the same swept parameter, and values in one
//! time unit (times and rates converted between known units, labelled).

use super::build::{axis_label, numeric_axis, row_series};
use super::figure::{Axes, Figure};
use super::words::{metric_words, parameter_axis};
use crate::model::metric::Metric;
use crate::results::{Row, RunResults};
use crate::stats::Estimate;
use crate::units::seconds_per;

/// Why the runs cannot share one chart.
pub type Refusal = String;

/// True when a swept parameter's values carry no time unit (so runs in
/// different units still share the horizontal axis).
fn unitless_parameter(parameter: &str) -> bool {
    parameter == "load"
        || [
            ".consumers",
            ".capacity",
            ".population",
            ".k",
            ".scv",
            ".shape",
            ".p",
            ".discipline",
        ]
        .iter()
        .any(|suffix| parameter.ends_with(suffix))
}

/// A run's horizontal axis: the swept parameter, or `None` when its points
/// are only numbered.
fn axis(results: &RunResults) -> Option<String> {
    numeric_axis(results).map(|axis| axis.parameter)
}

/// `results` with every value of `metric` multiplied by `factor`, now
/// in `unit`.
fn scaled(results: &RunResults, metric: Metric, factor: f64, unit: &str) -> RunResults {
    let scale = |i: &mut Estimate| {
        i.mean *= factor;
        i.ci_low *= factor;
        i.ci_high *= factor;
    };
    let mut converted = results.clone();
    let rows = converted.points.iter_mut().flat_map(|p| &mut p.results);
    for row in rows {
        let Row {
            theory,
            simulation,
            live,
            ..
        } = row;
        if let Some(value) = theory.as_mut().and_then(|t| t.metrics.get_mut(&metric)) {
            *value *= factor;
        }
        if let Some(interval) = simulation.as_mut().and_then(|s| s.metrics.get_mut(&metric)) {
            scale(interval);
        }
        for block in live.iter_mut().flatten() {
            if let Some(interval) = block.metrics.get_mut(&metric) {
                scale(interval);
            }
        }
    }
    converted.time_unit = unit.to_string();
    converted
}

/// Checks that `runs` (name, results) share an axis for `metric`, and
/// brings every run's values into the first run's time unit; a refusal
/// says why they cannot.
fn common_axis(
    runs: &[(String, RunResults)],
    metric: Metric,
) -> Result<Vec<(String, RunResults)>, Refusal> {
    let Some((first_name, first)) = runs.first() else {
        return Ok(Vec::new());
    };
    let first_axis = axis(first);
    let describe = |axis: &Option<String>| match axis {
        Some(parameter) => format!("sweeps `{parameter}`"),
        None => "has no numeric sweep (its points are numbered)".to_string(),
    };
    let mut converted = Vec::with_capacity(runs.len());
    for (name, results) in runs {
        let run_axis = axis(results);
        if run_axis != first_axis {
            return Err(format!(
                "{first_name} {} but {name} {}: one horizontal axis cannot show both; compare runs that sweep the same parameter",
                describe(&first_axis),
                describe(&run_axis)
            ));
        }
        if results.time_unit == first.time_unit {
            converted.push((name.clone(), results.clone()));
            continue;
        }
        if matches!(metric, Metric::WaitWithin(_) | Metric::SojournWithin(_)) {
            return Err(format!(
                "{first_name} is in {} but {name} in {}: `{}` counts messages within a threshold in each run's own unit, so their values do not compare; compare runs in the same time unit",
                first.time_unit,
                results.time_unit,
                metric.name()
            ));
        }
        let units = format!(
            "{first_name} is in `{}` and {name} in `{}`",
            first.time_unit, results.time_unit
        );
        if let Some(parameter) = run_axis.filter(|p| !unitless_parameter(p)) {
            return Err(format!(
                "{units}, and the swept `{parameter}` may be in those units: compare runs in the same time unit"
            ));
        }
        let (Some(to), Some(from)) = (
            seconds_per(&first.time_unit),
            seconds_per(&results.time_unit),
        ) else {
            return Err(format!(
                "{units}, which cannot be converted (known units: ns, us, ms, s, min, h): compare runs in the same time unit"
            ));
        };
        let factor = (from / to).powi(metric.time_power());
        let label = format!("{name} (converted from {})", results.time_unit);
        converted.push((label, scaled(results, metric, factor, &first.time_unit)));
    }
    Ok(converted)
}

/// One metric of one row across several runs, a colour per run, in the
/// first run's time unit; refused when the runs do not share an axis.
pub fn comparison_figure(
    runs: &[(String, RunResults)],
    metric: Metric,
    queue: Option<&str>,
) -> Result<Figure, Refusal> {
    let runs = common_axis(runs, metric)?;
    let mut series = Vec::new();
    let mut x_label = String::from("point");
    let mut integer_x = false;
    let mut unlimited = None;
    for (index, (name, results)) in runs.iter().enumerate() {
        let Some(row) = results
            .points
            .first()
            .and_then(|p| pick_row(&p.results, queue))
        else {
            continue;
        };
        let xs = match numeric_axis(results) {
            Some(axis) => {
                x_label = parameter_axis(&axis.parameter, &results.time_unit);
                integer_x = super::build::swept_whole_numbers(results);
                unlimited = unlimited.or(axis.unlimited);
                axis.xs
            }
            None => (0..results.points.len()).map(|i| i as f64).collect(),
        };
        let label = format!("{name} ({})", results.points[0].results[row].label());
        series.extend(row_series(
            results,
            &xs,
            metric,
            row,
            Some(index),
            &label,
            None,
        ));
    }
    let time_unit = runs.first().map_or("", |(_, r)| r.time_unit.as_str());
    Ok(Figure {
        name: format!("compare-{}", metric.name()),
        title: format!("{} across runs", metric_words(metric)),
        x_label,
        y_label: axis_label(metric, time_unit),
        categories: None,
        log_y: Figure::spans_decades(&series),
        axes: Axes {
            integer_x,
            unlimited,
            ..Axes::default()
        },
        markers: Vec::new(),
        series,
    })
}

/// Index of the row to compare: the named queue's aggregate, else the
/// system row, else the first row.
pub fn pick_row(rows: &[Row], queue: Option<&str>) -> Option<usize> {
    match queue {
        Some(name) => rows
            .iter()
            .position(|r| r.queue == name && r.class.is_none()),
        None => rows
            .iter()
            .position(|r| r.queue == crate::model::SYSTEM && r.class.is_none())
            .or(if rows.is_empty() { None } else { Some(0) }),
    }
}
