//! Per-partition bars of a partitioned queue: each partition's load (the
//! share of its consumer's time it takes) and its mean wait, as simulation
//! bars with their intervals and theory strokes across them (theory bars
//! when nothing was simulated), the hottest partition (highest load) in its
//! own colour. One figure per partitioned queue and metric, at each point
//! of a run of up to [`MAX_POINTS`] points.

use plotters::style::RGBColor;

use super::build::{axis_label, simulation_point, theory_value};
use super::figure::{Axes, Figure, Mark, Point, Series};
use super::groups::{THEORY_STROKE, bar_at};
use super::style::{SIMULATION, THEORY};
use super::words::{metric_words, parameter_words};
use crate::model::metric::Metric;
use crate::results::{PointResults, Row, RunResults};

/// The metrics drawn per partition.
const METRICS: [Metric; 2] = [Metric::Utilisation, Metric::MeanWait];

/// Most points of a sweep that get their own partition charts.
pub const MAX_POINTS: usize = 6;

/// Colour of the hottest partition's bar.
const HOTTEST: RGBColor = RGBColor(214, 39, 40);

/// A row's load: theory's, else the simulated mean.
fn load(row: &Row) -> Option<f64> {
    theory_value(row, Metric::Utilisation)
        .map(|(value, _)| value)
        .or_else(|| Some(simulation_point(row, Metric::Utilisation, 0.0)?.y))
}

/// The partition charts of every point of `results` (none past
/// [`MAX_POINTS`] points).
pub fn partition_figures(results: &RunResults) -> Vec<Figure> {
    if results.points.len() > MAX_POINTS {
        return Vec::new();
    }
    let several = results.points.len() > 1;
    let mut figures = Vec::new();
    for (index, point) in results.points.iter().enumerate() {
        let mut queues: Vec<&str> = Vec::new();
        for row in point.results.iter().filter(|r| r.partition.is_some()) {
            if !queues.contains(&row.queue.as_str()) {
                queues.push(&row.queue);
            }
        }
        for queue in queues {
            let rows: Vec<&Row> = point
                .results
                .iter()
                .filter(|r| r.queue == queue && r.partition.is_some() && r.class.is_none())
                .collect();
            let at = several.then_some((index, point));
            figures.extend(
                METRICS
                    .iter()
                    .filter_map(|&metric| figure(results, at, queue, &rows, metric)),
            );
        }
    }
    figures
}

/// `metric` per partition of `queue` (`rows`, in partition order), at
/// point `at` of a sweep (`None` for a single point); `None` without data.
fn figure(
    results: &RunResults,
    at: Option<(usize, &PointResults)>,
    queue: &str,
    rows: &[&Row],
    metric: Metric,
) -> Option<Figure> {
    let hottest = rows
        .iter()
        .enumerate()
        .filter_map(|(i, row)| Some((i, load(row)?)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| i);
    let (_, width) = bar_at(0, 0, 1);
    let x = |group: usize| bar_at(group, 0, 1).0;
    let simulated: Vec<(usize, Point)> = rows
        .iter()
        .enumerate()
        .filter_map(|(group, row)| Some((group, simulation_point(row, metric, x(group))?)))
        .collect();
    let theory: Vec<(usize, Point)> = rows
        .iter()
        .enumerate()
        .filter_map(|(group, row)| {
            let (y, _) = theory_value(row, metric)?;
            Some((
                group,
                Point {
                    x: x(group),
                    y,
                    bar: None,
                },
            ))
        })
        .collect();
    // The bars: simulation where it ran, else theory; theory strokes over
    // simulated bars.
    let (bars, source) = if simulated.is_empty() {
        (theory.clone(), "theory")
    } else {
        (simulated, "simulation (CI)")
    };
    if bars.is_empty() {
        return None;
    }
    // The hottest in the legend, e.g. `hottest: events[2], load 0.915`.
    let hottest_words = hottest
        .and_then(|i| Some((rows[i].label(), load(rows[i])?)))
        .map_or_else(String::new, |(label, load)| {
            format!("hottest: {label}, load {load:.3}")
        });
    let split = |hot: bool| -> Vec<Point> {
        bars.iter()
            .filter(|(group, _)| (Some(*group) == hottest) == hot)
            .map(|(_, point)| *point)
            .collect()
    };
    let mut series = vec![
        Series {
            label: source.to_string(),
            colour: if source == "theory" {
                THEORY
            } else {
                SIMULATION
            },
            mark: Mark::Bars(width),
            points: split(false),
        },
        Series {
            label: hottest_words,
            colour: HOTTEST,
            mark: Mark::Bars(width),
            points: split(true),
        },
    ];
    if source != "theory" && !theory.is_empty() {
        series.push(Series {
            label: "theory".into(),
            colour: THEORY_STROKE,
            mark: Mark::Ticks(width),
            points: theory.into_iter().map(|(_, point)| point).collect(),
        });
    }
    series.retain(|s| !s.points.is_empty());
    let (suffix, at_words) = match at {
        Some((index, point)) => {
            let values: Vec<String> = point
                .parameters
                .iter()
                .map(|(key, value)| format!("{} = {value}", parameter_words(key)))
                .collect();
            (
                format!("-{}", index + 1),
                format!(", {}", values.join(", ")),
            )
        }
        None => (String::new(), String::new()),
    };
    Some(Figure {
        name: format!("partitions-{queue}-{}{suffix}", metric.name()),
        title: format!(
            "{}: {} per partition of {queue}",
            results.scenario,
            metric_words(metric)
        ),
        x_label: format!("partition of {queue}{at_words}"),
        y_label: axis_label(metric, &results.time_unit),
        categories: Some(rows.iter().map(|row| row.label()).collect()),
        log_y: false,
        axes: Axes::default(),
        markers: Vec::new(),
        series,
    })
}
