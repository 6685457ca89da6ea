//! Metrics interval by interval for traffic that follows a rate profile:
//! simulation with its CIs across replications at each interval's middle,
//! the pointwise stationary approximation as a dashed line, one colour per
//! queue (and the system of a network).

use super::build::{at_point, simulation_series};
use super::figure::{Axes, Behind, Figure, Mark, Point, Series};
use super::style::{SIMULATION, THEORY, row_colour};
use super::words::metric_words;
use crate::model::metric::Metric;
use crate::results::{IntervalResults, PointResults, RunResults};
use crate::units::clock_hours;

/// The metrics charted per interval.
pub const INTERVAL_METRICS: [Metric; 8] = [
    Metric::MeanWait,
    Metric::WaitP99,
    Metric::MeanInQueue,
    Metric::Utilisation,
    Metric::PBlocked,
    Metric::PAbandoned,
    Metric::PDropped,
    Metric::IdleConsumers,
];

/// One figure per interval metric with data, at the last point with
/// intervals; none without rate profiles.
pub fn interval_figures(results: &RunResults) -> Vec<Figure> {
    let Some(point) = last_point_with_intervals(results) else {
        return Vec::new();
    };
    INTERVAL_METRICS
        .iter()
        .filter(|&&metric| has_values(&point.intervals, metric))
        .map(|&metric| figure(results, point, metric))
        .collect()
}

/// The last point of `results` with intervals (none without rate profiles).
pub(super) fn last_point_with_intervals(results: &RunResults) -> Option<&PointResults> {
    results
        .points
        .iter()
        .rev()
        .find(|p| !p.intervals.is_empty())
}

/// True when some interval has a non-zero value of `metric`.
fn has_values(intervals: &[IntervalResults], metric: Metric) -> bool {
    intervals.iter().flat_map(|i| &i.results).any(|row| {
        let theory = row.theory.as_ref().and_then(|t| t.metrics.get(&metric));
        let simulated = row.simulation.as_ref().and_then(|s| s.metrics.get(&metric));
        theory.is_some_and(|v| *v > 0.0) || simulated.is_some_and(|i| i.mean > 0.0)
    })
}

fn figure(results: &RunResults, point: &PointResults, metric: Metric) -> Figure {
    let rows: Vec<usize> = (0..point.results.len())
        .filter(|&row| point.results[row].class.is_none())
        .collect();
    let label = crate::scenario::parameter_label(&point.parameters);
    let title = format!(
        "{}: {} per interval{}",
        results.scenario,
        metric_words(metric),
        at_point(&label)
    );
    over_time(
        results,
        point,
        (&rows, metric),
        format!("intervals-{}", metric.name()),
        title,
    )
}

/// `metric` of `rows` of `point` interval by interval, the arrival rate
/// behind: a figure named `name` titled `title`.
pub(super) fn over_time(
    results: &RunResults,
    point: &PointResults,
    (rows, metric): (&[usize], Metric),
    name: String,
    title: String,
) -> Figure {
    let several = rows.len() > 1;
    let series = rows
        .iter()
        .flat_map(|&row| {
            let colours = if several {
                (row_colour(row), row_colour(row))
            } else {
                (THEORY, SIMULATION)
            };
            row_series(point, row, metric, colours)
        })
        .collect::<Vec<_>>();
    let end = point.intervals.last().map_or(0.0, |i| i.end);
    let clock = clock_hours(&results.time_unit, end);
    let scale = clock.unwrap_or(1.0);
    let series = series
        .into_iter()
        .map(|s| Series {
            points: s
                .points
                .iter()
                .map(|p| Point {
                    x: p.x * scale,
                    ..*p
                })
                .collect(),
            ..s
        })
        .collect();
    let rate = point
        .intervals
        .iter()
        .flat_map(|i| {
            [
                (i.start * scale, i.arrival_rate),
                (i.end * scale, i.arrival_rate),
            ]
        })
        .collect();
    Figure {
        name,
        title,
        x_label: if clock.is_some() {
            "time of day".into()
        } else {
            format!("time ({})", results.time_unit)
        },
        y_label: super::axis_label(metric, &results.time_unit),
        categories: None,
        log_y: false,
        axes: Axes {
            clock_x: clock.is_some(),
            behind: Some(Behind {
                label: format!("arrival rate (per {})", results.time_unit),
                points: rate,
            }),
            ..Axes::default()
        },
        markers: Vec::new(),
        series,
    }
}

/// The pointwise approximation as steps over each interval (dashed), or
/// as points at the middles when some interval has none; the simulation
/// at each interval's middle.
fn row_series(
    point: &PointResults,
    row: usize,
    metric: Metric,
    (theory_colour, simulation_colour): (plotters::style::RGBColor, plotters::style::RGBColor),
) -> Vec<Series> {
    let name = point.results[row].label();
    let theory: Vec<Option<(f64, f64, f64)>> = point
        .intervals
        .iter()
        .map(|interval| {
            let value = *interval.results[row]
                .theory
                .as_ref()?
                .metrics
                .get(&metric)?;
            Some((interval.start, interval.end, value))
        })
        .collect();
    let complete = theory.iter().all(Option::is_some);
    let theory_points: Vec<Point> = theory
        .iter()
        .flatten()
        .flat_map(|&(start, end, y)| {
            let xs = if complete {
                vec![start, end]
            } else {
                vec![(start + end) / 2.0]
            };
            xs.into_iter().map(move |x| Point { x, y, bar: None })
        })
        .collect();
    let simulation: Vec<Point> = point
        .intervals
        .iter()
        .filter_map(|interval| {
            let estimate = interval.results[row]
                .simulation
                .as_ref()?
                .metrics
                .get(&metric)?;
            Some(Point {
                x: (interval.start + interval.end) / 2.0,
                y: estimate.mean,
                bar: Some((estimate.ci_low, estimate.ci_high)),
            })
        })
        .collect();
    let mut series = Vec::new();
    if !theory_points.is_empty() {
        series.push(Series {
            label: format!("{name}: theory (pointwise approx.)"),
            colour: theory_colour,
            mark: if complete { Mark::Dashed } else { Mark::Points },
            points: theory_points,
        });
    }
    series.extend(simulation_series(&name, simulation_colour, simulation));
    series
}
