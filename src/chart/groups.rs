//! Charts by queue and class (a single point, or a sweep over names such as
//! disciplines): grouped bars, one group per point and row, the simulation
//! as a bar with its interval and the theory as a stroke across it; and the
//! mean wait beside the 99th percentile in one chart.

use plotters::style::RGBColor;

use super::build::{
    Measured, axis_label, live_channels, live_point, numeric_axis, simulation_point, theory_value,
};
use super::figure::{Axes, Figure, Mark, Point, Series};
use super::style::{SIMULATION, THEORY, row_colour};
use super::words::{metric_words, parameter_words};
use crate::model::metric::Metric;
use crate::results::{Row, RunResults};
use crate::scenario::Channel;

/// Width of one group of bars, in categories.
const GROUP_WIDTH: f64 = 0.7;

/// Colour of theory strokes drawn across bars of several colours.
pub(super) const THEORY_STROKE: RGBColor = RGBColor(30, 30, 30);

/// The rows that `keep` accepts, each with its category name (the row,
/// and the point's swept values in a sweep, which the axis names).
fn groups(results: &RunResults, keep: impl Fn(&Row) -> bool) -> (Vec<String>, Vec<&Row>) {
    let mut categories = Vec::new();
    let mut rows = Vec::new();
    for point in &results.points {
        let values: Vec<String> = point
            .parameters
            .values()
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string))
            .collect();
        let label = values.join(", ");
        for row in point.results.iter().filter(|r| keep(r)) {
            categories.push(if label.is_empty() {
                row.label()
            } else {
                format!("{} @ {label}", row.label())
            });
            rows.push(row);
        }
    }
    (categories, rows)
}

/// The horizontal axis text: what a group is, and in a sweep what its
/// values are of.
fn group_axis(results: &RunResults) -> String {
    let swept: Vec<String> = results
        .points
        .first()
        .map(|p| p.parameters.keys().map(|k| parameter_words(k)).collect())
        .unwrap_or_default();
    if swept.is_empty() {
        "queue / class".into()
    } else {
        format!("queue / class @ {}", swept.join(", "))
    }
}

/// The centre of bar `slot` of `slots` in group `group`, and the bars' width.
pub(super) fn bar_at(group: usize, slot: usize, slots: usize) -> (f64, f64) {
    let width = GROUP_WIDTH / slots as f64;
    let x = group as f64 - GROUP_WIDTH / 2.0 + width * (slot as f64 + 0.5);
    (x, width)
}

/// One metric by queue and class: per group a simulation bar with its
/// interval (theory as a stroke across it), then a bar per live channel;
/// theory alone as bars when nothing was simulated.
pub fn point_figure(results: &RunResults, metric: Metric) -> Figure {
    let (categories, rows) = groups(results, |row| {
        theory_value(row, metric).is_some() || simulation_point(row, metric, 0.0).is_some()
    });
    let channels: Vec<Channel> = live_channels(rows.iter().copied());
    let simulated = rows
        .iter()
        .any(|row| simulation_point(row, metric, 0.0).is_some());
    // Per group the simulation, then the live queue and its replay of each
    // channel measured there (a sweep over disciplines has one a point).
    let measured_in = |row: &Row| -> Vec<Channel> {
        let mut here = live_channels([row]);
        here.sort_by_key(|c| channels.iter().position(|x| x == c));
        here
    };
    let slots = rows
        .iter()
        .map(|row| 1 + Measured::BOTH.len() * measured_in(row).len())
        .max()
        .unwrap_or(1);
    let (_, width) = bar_at(0, 0, slots);
    let theory: Vec<Point> = rows
        .iter()
        .enumerate()
        .filter_map(|(group, row)| {
            let (y, _) = theory_value(row, metric)?;
            let (x, _) = bar_at(group, 0, slots);
            Some(Point { x, y, bar: None })
        })
        .collect();
    let simulation: Vec<Point> = rows
        .iter()
        .enumerate()
        .filter_map(|(group, row)| simulation_point(row, metric, bar_at(group, 0, slots).0))
        .collect();
    let mut series = Vec::new();
    if !simulation.is_empty() {
        series.push(Series {
            label: "simulation (CI)".into(),
            colour: SIMULATION,
            mark: Mark::Bars(width),
            points: simulation,
        });
    }
    if !theory.is_empty() {
        series.push(Series {
            label: "theory".into(),
            colour: THEORY,
            mark: if simulated {
                Mark::Ticks(width)
            } else {
                Mark::Bars(width)
            },
            points: theory,
        });
    }
    let measured = channels
        .iter()
        .enumerate()
        .flat_map(|(index, &channel)| Measured::BOTH.map(|m| (index, channel, m)));
    for (index, channel, measured) in measured {
        let points: Vec<Point> = rows
            .iter()
            .enumerate()
            .filter_map(|(group, row)| {
                let position = measured_in(row).iter().position(|&c| c == channel)?;
                let slot =
                    1 + Measured::BOTH.len() * position + usize::from(measured == Measured::Replay);
                live_point(row, channel, measured, metric, bar_at(group, slot, slots).0)
            })
            .collect();
        if !points.is_empty() {
            series.push(Series {
                label: measured.label("", channel),
                colour: measured.colour(index),
                mark: Mark::Bars(width),
                points,
            });
        }
    }
    Figure {
        name: metric.name().to_string(),
        title: format!(
            "{}: {} by queue and class",
            results.scenario,
            metric_words(metric)
        ),
        x_label: group_axis(results),
        y_label: axis_label(metric, &results.time_unit),
        categories: Some(categories),
        log_y: Figure::spans_decades(&series),
        axes: Axes::default(),
        markers: Vec::new(),
        series,
    }
}

/// The metrics of the side-by-side chart, with their bar colours.
const WAITS: [(Metric, usize); 2] = [(Metric::MeanWait, 0), (Metric::WaitP99, 1)];

/// The mean wait and its 99th percentile side by side, one group per queue
/// and class: what a comparison of disciplines or classes asks. Only for
/// results by queue and class (no numeric sweep, no rate profile) with at
/// least two groups.
pub fn waits_figure(results: &RunResults) -> Option<Figure> {
    let profiled = results.points.iter().any(|p| !p.intervals.is_empty());
    if numeric_axis(results).is_some() || profiled {
        return None;
    }
    let has = |row: &Row, metric: Metric| {
        theory_value(row, metric).is_some() || simulation_point(row, metric, 0.0).is_some()
    };
    let (categories, rows) = groups(results, |row| WAITS.iter().any(|&(m, _)| has(row, m)));
    if rows.len() < 2 {
        return None;
    }
    let simulated = rows.iter().any(|row| {
        WAITS
            .iter()
            .any(|&(m, _)| simulation_point(row, m, 0.0).is_some())
    });
    let (_, width) = bar_at(0, 0, WAITS.len());
    let mut series = Vec::new();
    let mut strokes = Vec::new();
    for (slot, &(metric, colour)) in WAITS.iter().enumerate() {
        let x = |group: usize| bar_at(group, slot, WAITS.len()).0;
        let theory = rows.iter().enumerate().filter_map(|(group, row)| {
            let (y, _) = theory_value(row, metric)?;
            Some(Point {
                x: x(group),
                y,
                bar: None,
            })
        });
        let words = metric_words(metric);
        if simulated {
            strokes.extend(theory);
            let points: Vec<Point> = rows
                .iter()
                .enumerate()
                .filter_map(|(group, row)| simulation_point(row, metric, x(group)))
                .collect();
            series.push(Series {
                label: format!("{words}: simulation (CI)"),
                colour: row_colour(colour),
                mark: Mark::Bars(width),
                points,
            });
        } else {
            series.push(Series {
                label: format!("{words}: theory"),
                colour: row_colour(colour),
                mark: Mark::Bars(width),
                points: theory.collect(),
            });
        }
    }
    if !strokes.is_empty() {
        series.push(Series {
            label: "theory".into(),
            colour: THEORY_STROKE,
            mark: Mark::Ticks(width),
            points: strokes,
        });
    }
    series.retain(|s| !s.points.is_empty());
    Some(Figure {
        name: "waits".into(),
        title: format!("{}: mean and 99th percentile of the wait", results.scenario),
        x_label: group_axis(results),
        y_label: format!("wait ({})", results.time_unit),
        categories: Some(categories),
        log_y: false,
        axes: Axes::default(),
        markers: Vec::new(),
        series,
    })
}
