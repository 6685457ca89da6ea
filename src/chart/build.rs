//! Turns results into [`Figure`]s: metric vs swept parameter (or vs row at
//! a single point), the waiting-time tail and the warm-up trace (one metric
//! across several runs is in `compare`).

use plotters::style::RGBColor;

use super::figure::{Axes, Figure, Mark, Point, Series, Unlimited};
use super::style::{LIVE, SIMULATION, THEORY, pale, row_colour};
use super::words::{metric_words, parameter_axis, parameter_words};
use crate::model::metric::Metric;
use crate::results::{DistributionData, Row, RunResults, TheoryCurves, WarmupData};
use crate::scenario::{Channel, means_unlimited};
use crate::stats::Estimate;

/// The metrics that get a chart of their own.
pub const HEADLINE_METRICS: [Metric; 11] = [
    Metric::MeanWait,
    Metric::MeanSojourn,
    Metric::MeanInQueue,
    Metric::WaitP99,
    Metric::PBlocked,
    Metric::PAbandoned,
    Metric::PDropped,
    Metric::DrainTime,
    Metric::RetriesPerMessage,
    Metric::MeanInRetry,
    Metric::IdleConsumers,
];

/// Axis text of a metric, with the time unit where it is a time.
pub fn axis_label(metric: Metric, time_unit: &str) -> String {
    match metric {
        Metric::MeanInSystem => "mean messages in queue + in service".into(),
        Metric::MeanInQueue => "mean messages waiting".into(),
        Metric::MeanSojourn => format!("mean sojourn ({time_unit})"),
        Metric::MeanWait => format!("mean wait ({time_unit})"),
        Metric::MeanWaitServed => format!("mean wait of the served ({time_unit})"),
        Metric::Utilisation => "consumer utilisation".into(),
        Metric::Throughput => format!("messages per {time_unit}"),
        Metric::PWait => "probability of waiting".into(),
        Metric::PBlocked => "fraction of arrivals rejected".into(),
        Metric::PAbandoned => "fraction of messages expired".into(),
        Metric::PDropped => "fraction of messages dropped from the head".into(),
        Metric::WaitP50 | Metric::WaitP90 | Metric::WaitP99 => {
            format!("{} ({time_unit})", metric.name().replace('_', " "))
        }
        Metric::SojournP50 | Metric::SojournP90 | Metric::SojournP99 => {
            format!("{} ({time_unit})", metric.name().replace('_', " "))
        }
        Metric::DrainTime => format!("time to catch up the backlog ({time_unit})"),
        Metric::MeanReady => "mean messages ready in the broker".into(),
        Metric::MeanUnacked => "mean messages delivered, unacknowledged".into(),
        Metric::ConsumerUtilisation => "share of time the queue delivers at once".into(),
        Metric::PHoarded => "share of time work is hoarded".into(),
        Metric::RetriesPerMessage => "redeliveries per message".into(),
        Metric::PDeadLettered => "fraction of messages dead-lettered".into(),
        Metric::MeanInRetry => "mean messages waiting out a retry delay".into(),
        Metric::Availability => "share of consumer-time up".into(),
        Metric::RedeliveriesPerMessage => "redeliveries per message after outages".into(),
        Metric::MeanBatch => "mean messages per poll".into(),
        Metric::PollOverheadShare => "share of consumer time in poll overhead".into(),
        Metric::FetchWaitShare => "share of consumer time waiting for a fetch".into(),
        Metric::RebalanceShare => "share of time paused by rebalances".into(),
        Metric::RebalanceRate => format!("rebalances per {time_unit}"),
        Metric::PRedelivered => "share of polled messages redelivered".into(),
        Metric::RebalancePauseMean => format!("partition pause per rebalance ({time_unit})"),
        Metric::IdleConsumers => "consumers owning no partition".into(),
        Metric::PLeaseExpired => "share of first deliveries outliving their lease".into(),
        Metric::LeaseRedeliveriesPerMessage => "duplicate deliveries per message (lease)".into(),
        Metric::WaitWithin(t) => format!("share waiting at most {} {time_unit}", t.value()),
        Metric::SojournWithin(t) => format!("share done within {} {time_unit}", t.value()),
    }
}

/// A theory series drawn with `theory_mark` and a simulation series with
/// its intervals, each left out when empty.
pub(super) fn theory_and_simulation(
    theory: Vec<Point>,
    theory_mark: Mark,
    simulation: Vec<Point>,
) -> Vec<Series> {
    let mut series = Vec::new();
    if !theory.is_empty() {
        series.push(Series {
            label: "theory".into(),
            colour: THEORY,
            mark: theory_mark,
            points: theory,
        });
    }
    if !simulation.is_empty() {
        series.push(Series {
            label: "simulation (CI)".into(),
            colour: SIMULATION,
            mark: Mark::Points,
            points: simulation,
        });
    }
    series
}

/// The horizontal axis of a sweep over one numeric parameter.
pub(super) struct SweepAxis {
    /// The swept parameter.
    pub parameter: String,
    /// Each point's x: its value, or for a value that stands for no limit
    /// the `unlimited` position.
    pub xs: Vec<f64>,
    /// Where a "no limit" point stands, when one does.
    pub unlimited: Option<Unlimited>,
}

/// The swept parameter's axis, when the sweep is over one numeric
/// parameter with at least two points. A value that stands for no limit
/// (a prefetch of 0) goes a quarter of the span right of the largest
/// other value, not beside the smallest.
pub(super) fn numeric_axis(results: &RunResults) -> Option<SweepAxis> {
    if results.points.len() < 2 {
        return None;
    }
    let name = results.points[0].parameters.keys().next()?.clone();
    let mut xs = results
        .points
        .iter()
        .map(|p| {
            (p.parameters.len() == 1)
                .then(|| p.parameters.get(&name)?.as_f64())
                .flatten()
        })
        .collect::<Option<Vec<f64>>>()?;
    let limited = || xs.iter().copied().filter(|&x| !means_unlimited(&name, x));
    let unlimited = (limited().count() < xs.len())
        .then(|| limited().reduce(f64::max))
        .flatten()
        .map(|largest| {
            let smallest = limited().fold(0.0, f64::min);
            let span = (largest - smallest).max(1.0);
            Unlimited {
                largest,
                at: largest + span / 4.0,
            }
        });
    if let Some(unlimited) = unlimited {
        for x in xs.iter_mut().filter(|x| means_unlimited(&name, **x)) {
            *x = unlimited.at;
        }
    }
    Some(SweepAxis {
        parameter: name,
        xs,
        unlimited,
    })
}

/// True when every swept value is a whole number (a count such as
/// consumers), so the axis ticks whole numbers only.
pub(super) fn swept_whole_numbers(results: &RunResults) -> bool {
    results
        .points
        .iter()
        .flat_map(|p| p.parameters.values())
        .all(serde_json::Value::is_i64)
}

/// `metric`'s formula value on `row`, and whether it is exact.
pub(super) fn theory_value(row: &Row, metric: Metric) -> Option<(f64, bool)> {
    let theory = row.theory.as_ref()?;
    theory.metrics.get(&metric).map(|&v| (v, theory.exact))
}

/// `metric`'s simulated mean on `row` with its interval, at `x`.
pub(super) fn simulation_point(row: &Row, metric: Metric, x: f64) -> Option<Point> {
    interval_point(row.simulation.as_ref()?.metrics.get(&metric)?, x)
}

fn interval_point(interval: &Estimate, x: f64) -> Option<Point> {
    Some(Point {
        x,
        y: interval.mean,
        bar: Some((interval.ci_low, interval.ci_high)),
    })
}

/// The channels with live results in `rows`, in first-seen order.
pub(super) fn live_channels<'a>(rows: impl IntoIterator<Item = &'a Row>) -> Vec<Channel> {
    let mut channels = Vec::new();
    for block in rows.into_iter().flat_map(|r| r.live.iter().flatten()) {
        if !channels.contains(&block.channel) {
            channels.push(block.channel);
        }
    }
    channels
}

/// What a live block measured: the real queue, or the replay of its
/// arrivals and realised services through the simulator (which tells the
/// queue's own overhead from what the traffic did).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Measured {
    /// The live queue.
    Live,
    /// The replay.
    Replay,
}

impl Measured {
    /// Both, live first.
    pub(super) const BOTH: [Measured; 2] = [Measured::Live, Measured::Replay];

    /// Legend word.
    fn word(self) -> &'static str {
        match self {
            Measured::Live => "live",
            Measured::Replay => "replay",
        }
    }

    /// The colour of channel `index`: the replay's a paler shade.
    pub(super) fn colour(self, index: usize) -> RGBColor {
        let colour = LIVE[index % LIVE.len()];
        match self {
            Measured::Live => colour,
            Measured::Replay => pale(colour),
        }
    }

    /// Legend text for `channel`, after `name`.
    pub(super) fn label(self, name: &str, channel: Channel) -> String {
        format!("{name}{} ({})", self.word(), channel.name())
    }
}

/// The live (or replayed) point of `row` on `channel`, at `x`.
pub(super) fn live_point(
    row: &Row,
    channel: Channel,
    measured: Measured,
    metric: Metric,
    x: f64,
) -> Option<Point> {
    let block = row.live.as_ref()?.iter().find(|b| b.channel == channel)?;
    let metrics = match measured {
        Measured::Live => &block.metrics,
        Measured::Replay => &block.replay.metrics,
    };
    interval_point(metrics.get(&metric)?, x)
}

/// Per live channel, the live queue and its replay as points with their
/// batch-means intervals; `points` gets the series' slot (0, 1, ... in
/// that order, to offset it a little from the others), the channel and
/// what was measured.
fn live_series(
    name: &str,
    channels: &[Channel],
    points: impl Fn(usize, Channel, Measured) -> Vec<Point>,
) -> Vec<Series> {
    channels
        .iter()
        .enumerate()
        .flat_map(|(index, &channel)| Measured::BOTH.map(|measured| (index, channel, measured)))
        .enumerate()
        .map(|(slot, (index, channel, measured))| Series {
            label: measured.label(name, channel),
            colour: measured.colour(index),
            mark: Mark::Points,
            points: points(slot, channel, measured),
        })
        .filter(|series| !series.points.is_empty())
        .collect()
}

/// The theory of `metric` for the row of `rows` on the fine grid of
/// `curves`, when the swept points have it at both ends of the range `xs`
/// (and the curves are of this row); `None` otherwise.
fn fine_curve(
    curves: &TheoryCurves,
    rows: &[&Row],
    xs: &[f64],
    metric: Metric,
) -> Option<Vec<(Point, bool)>> {
    let first = rows.first()?;
    let lowest = (0..xs.len()).min_by(|&a, &b| xs[a].total_cmp(&xs[b]))?;
    let highest = (0..xs.len()).max_by(|&a, &b| xs[a].total_cmp(&xs[b]))?;
    for end in [lowest, highest] {
        theory_value(rows.get(end)?, metric)?;
    }
    let curve = curves.curve(&first.node(), first.class.as_deref(), metric)?;
    Some(
        curve
            .into_iter()
            .map(|(x, y, exact)| (Point { x, y, bar: None }, exact))
            .collect(),
    )
}

/// Series for one row against a numeric parameter: theory as a line (dashed
/// when approximate; on the fine grid of `curves` when given), simulation
/// as points with CI bars. `name` prefixes the legend entries.
pub(super) fn row_series(
    results: &RunResults,
    xs: &[f64],
    metric: Metric,
    row: usize,
    colour_index: Option<usize>,
    name: &str,
    curves: Option<&TheoryCurves>,
) -> Vec<Series> {
    let rows: Vec<&Row> = results
        .points
        .iter()
        .filter_map(|p| p.results.get(row))
        .collect();
    let (theory_colour, simulation_colour) = match colour_index {
        Some(index) => (row_colour(index), row_colour(index)),
        None => (THEORY, SIMULATION),
    };
    let joined: Vec<(Point, bool)> = rows
        .iter()
        .zip(xs)
        .filter_map(|(r, &x)| {
            theory_value(r, metric).map(|(y, exact)| (Point { x, y, bar: None }, exact))
        })
        .collect();
    let theory = match curves.and_then(|c| fine_curve(c, &rows, xs, metric)) {
        Some(curve) => curve,
        None => joined,
    };
    let simulation: Vec<Point> = rows
        .iter()
        .zip(xs)
        .filter_map(|(r, &x)| simulation_point(r, metric, x))
        .collect();
    let mut series = Vec::new();
    // Exact values as a solid line, approximations (where a point has only
    // an approximation) as a dashed one.
    for (exact, label, mark) in [
        (true, "theory", Mark::Line),
        (false, "theory (approx.)", Mark::Dashed),
    ] {
        // The other kind's values break the line (not-a-number is not drawn).
        let points: Vec<Point> = theory
            .iter()
            .map(|&(p, e)| {
                if e == exact {
                    p
                } else {
                    Point { y: f64::NAN, ..p }
                }
            })
            .collect();
        if points.iter().any(|p| p.y.is_finite()) {
            series.push(Series {
                label: format!("{name}: {label}"),
                colour: theory_colour,
                mark,
                points,
            });
        }
    }
    series.extend(simulation_series(name, simulation_colour, simulation));
    let channels = live_channels(rows.iter().copied());
    // Channels side by side, a little right of the simulation.
    let (low, high) = xs
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &x| {
            (l.min(x), h.max(x))
        });
    let step = 0.012 * (high - low);
    series.extend(live_series(
        &format!("{name}: "),
        &channels,
        |slot, channel, measured| {
            let offset = step * (slot + 1) as f64;
            rows.iter()
                .zip(xs)
                .filter_map(|(r, &x)| live_point(r, channel, measured, metric, x + offset))
                .collect()
        },
    ));
    series
}

/// Row `name`'s simulated points with their intervals, unless empty.
pub(super) fn simulation_series(
    name: &str,
    colour: RGBColor,
    points: Vec<Point>,
) -> Option<Series> {
    (!points.is_empty()).then(|| Series {
        label: format!("{name}: simulation"),
        colour,
        mark: Mark::Points,
        points,
    })
}

/// True when some source has a non-zero value of `metric` (so a chart of
/// `p_blocked` appears only where blocking happens).
fn relevant(results: &RunResults, metric: Metric) -> bool {
    results.points.iter().flat_map(|p| &p.results).any(|row| {
        theory_value(row, metric).is_some_and(|(v, _)| v > 0.0)
            || row
                .simulation
                .as_ref()
                .and_then(|s| s.metrics.get(&metric))
                .is_some_and(|i| i.mean > 0.0)
            || row
                .live
                .iter()
                .flatten()
                .any(|b| b.metrics.get(&metric).is_some_and(|i| i.mean > 0.0))
    })
}

/// One figure per headline metric that has data; none for a single point
/// whose traffic follows a rate profile (each would be one bar for the
/// whole run, no theory beside it: the per-interval charts tell its story).
pub fn metric_figures(results: &RunResults, curves: Option<&TheoryCurves>) -> Vec<Figure> {
    if let [point] = results.points.as_slice()
        && !point.intervals.is_empty()
    {
        return Vec::new();
    }
    HEADLINE_METRICS
        .iter()
        .filter(|&&metric| relevant(results, metric))
        .map(|&metric| match numeric_axis(results) {
            Some(axis) => sweep_figure(results, metric, &axis, curves),
            None => super::groups::point_figure(results, metric),
        })
        .collect()
}

fn sweep_figure(
    results: &RunResults,
    metric: Metric,
    axis: &SweepAxis,
    curves: Option<&TheoryCurves>,
) -> Figure {
    let (parameter, xs) = (axis.parameter.as_str(), axis.xs.as_slice());
    let row_count = results.points[0].results.len();
    let several = row_count > 1;
    // Curves of another parameter (a stale file) are not this sweep's; a
    // fine grid does not run on from the largest value to "no limit".
    let curves = curves.filter(|c| c.parameter == parameter && axis.unlimited.is_none());
    let series: Vec<Series> = (0..row_count)
        .flat_map(|row| {
            let name = results.points[0].results[row].label();
            row_series(
                results,
                xs,
                metric,
                row,
                several.then_some(row),
                &name,
                curves,
            )
        })
        .collect();
    Figure {
        name: metric.name().to_string(),
        title: format!(
            "{}: {} vs {}",
            results.scenario,
            metric_words(metric),
            parameter_words(parameter)
        ),
        x_label: parameter_axis(parameter, &results.time_unit),
        y_label: axis_label(metric, &results.time_unit),
        categories: None,
        log_y: Figure::spans_decades(&series),
        axes: Axes {
            integer_x: swept_whole_numbers(results),
            unlimited: axis.unlimited,
            ..Axes::default()
        },
        markers: Vec::new(),
        series,
    }
}

/// P(wait > t) on a log axis: simulation as points in their confidence
/// band (across replications), exact theory as lines.
pub fn distribution_figure(data: &DistributionData, scenario: &str, time_unit: &str) -> Figure {
    let mut series = Vec::new();
    for (index, entry) in data.series.iter().enumerate() {
        let name = match &entry.class {
            Some(class) => format!("{}/{class}", entry.queue),
            None => entry.queue.clone(),
        };
        let to_points = |curve: &[(f64, f64)]| {
            curve
                .iter()
                .map(|&(x, y)| Point { x, y, bar: None })
                .collect()
        };
        if let Some(theory) = &entry.theory {
            series.push(Series {
                label: format!("{name}: theory"),
                colour: row_colour(index),
                mark: Mark::Line,
                points: to_points(theory),
            });
        }
        if let Some(band) = &entry.band {
            series.push(Series {
                label: format!("{name}: simulation CI"),
                colour: row_colour(index),
                mark: Mark::Band,
                points: band
                    .iter()
                    .map(|&(x, low, high)| Point {
                        x,
                        y: high,
                        bar: Some((low, high)),
                    })
                    .collect(),
            });
        }
        series.push(Series {
            label: format!("{name}: simulation"),
            colour: row_colour(index),
            mark: Mark::Points,
            points: to_points(&entry.simulation),
        });
    }
    let at = at_point(&data.label);
    Figure {
        name: "wait_distribution".into(),
        title: format!("{scenario}: P(wait > t){at}"),
        x_label: format!("waiting time t ({time_unit})"),
        y_label: "P(wait > t)".into(),
        categories: None,
        log_y: true,
        axes: Axes::default(),
        markers: Vec::new(),
        series,
    }
}

/// " at <point>" for a title, its parameters in words; nothing without a
/// sweep.
pub(super) fn at_point(label: &str) -> String {
    if label.is_empty() {
        return String::new();
    }
    // `name = value, ...` with each name in words.
    let parts: Vec<String> = label
        .split(", ")
        .map(|part| match part.split_once(" = ") {
            Some((name, value)) => format!("{} = {value}", parameter_words(name)),
            None => part.to_string(),
        })
        .collect();
    format!(" at {}", parts.join(", "))
}

/// The waiting time averaged over the warm-up pilots (bin by bin) with the
/// cut every replication gets and the level after it; older files, which
/// traced one replication, show its running mean instead.
pub fn warmup_figure(data: &WarmupData, scenario: &str, time_unit: &str) -> Figure {
    let trace = &data.trace;
    let line = |values: &[(u64, f64)]| -> Vec<Point> {
        values
            .iter()
            .map(|&(index, mean)| Point {
                x: index as f64,
                y: mean,
                bar: None,
            })
            .collect()
    };
    let rule = if trace.method == "auto" {
        "MSER-5"
    } else {
        "fixed"
    };
    let at = at_point(&data.label);
    let (title, series) = if trace.averaged.is_empty() {
        (
            format!(
                "{scenario}: warm-up of replication {}{at}",
                trace.replication
            ),
            vec![Series {
                label: "running mean of wait".into(),
                colour: SIMULATION,
                mark: Mark::Line,
                points: line(&trace.running_mean),
            }],
        )
    } else {
        let mut series = vec![Series {
            label: format!("wait, mean of {} pilots", trace.pilots),
            colour: SIMULATION,
            mark: Mark::Line,
            points: line(&trace.averaged),
        }];
        if let Some(level) = mean_after(&trace.averaged, trace.truncation) {
            let end = trace.averaged.last().map_or(0, |&(index, _)| index);
            series.push(Series {
                label: "mean after the cut".into(),
                colour: THEORY,
                mark: Mark::Dashed,
                points: [trace.truncation, end]
                    .map(|index| Point {
                        x: index as f64,
                        y: level,
                        bar: None,
                    })
                    .to_vec(),
            });
        }
        (format!("{scenario}: warm-up{at}"), series)
    };
    Figure {
        name: "warmup".into(),
        title,
        x_label: "message (arrival order)".into(),
        y_label: format!("waiting time ({time_unit})"),
        categories: None,
        log_y: false,
        axes: Axes {
            integer_x: true,
            ..Axes::default()
        },
        markers: vec![(
            trace.truncation as f64,
            format!("cut after {} ({rule})", trace.truncation),
        )],
        series,
    }
}

/// The mean of the binned series `bins` ((last index, bin mean)) over the
/// messages after `cut`, each bin weighted by its messages; `None` when
/// nothing is left.
fn mean_after(bins: &[(u64, f64)], cut: u64) -> Option<f64> {
    let mut start = 0;
    let (mut total, mut count) = (0.0, 0);
    for &(last, mean) in bins {
        let kept = last.saturating_sub(start.max(cut));
        total += mean * kept as f64;
        count += kept;
        start = last;
    }
    (count > 0).then(|| total / count as f64)
}

/// The charts a sweep adds to the headline ones: consumer utilisation (how
/// busy each queue gets across the sweep) and, when a producer is a closed
/// loop, throughput (what its clients get: it levels off where a queue
/// saturates).
pub(super) fn sweep_figures(results: &RunResults, curves: Option<&TheoryCurves>) -> Vec<Figure> {
    let Some(axis) = numeric_axis(results) else {
        return Vec::new();
    };
    let closed_loop = results
        .points
        .iter()
        .flat_map(|point| &point.model)
        .any(|line| line.contains(crate::results::CLOSED_LOOP));
    let throughput = closed_loop.then_some(Metric::Throughput);
    std::iter::once(Metric::Utilisation)
        .chain(throughput)
        .filter(|&metric| relevant(results, metric))
        .map(|metric| sweep_figure(results, metric, &axis, curves))
        .collect()
}
