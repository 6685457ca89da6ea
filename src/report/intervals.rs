//! The per-interval table of a run whose rates follow profiles: for each
//! queue (and the system of a network), each interval's simulated metrics
//! with their CIs beside the pointwise stationary approximation.

use super::comparison::interval_text;
use super::terminal::{View, with_unit};
use crate::model::metric::Metric;
use crate::results::{IntervalResults, PointResults};
use crate::text::number;

/// Metrics always shown per interval.
const SHOWN: [Metric; 3] = [Metric::MeanWait, Metric::WaitP99, Metric::Utilisation];

/// Metrics shown per interval only where some interval has them above 0.
const SHOWN_WHEN_PRESENT: [Metric; 4] = [
    Metric::PBlocked,
    Metric::PAbandoned,
    Metric::PDropped,
    Metric::IdleConsumers,
];

/// The column headers and lines of `point`'s interval table in full
/// (report.md); `None` without intervals.
pub fn interval_table_full(point: &PointResults) -> Option<(Vec<String>, Vec<Vec<String>>)> {
    let view = View {
        detail: true,
        ..View::default()
    };
    interval_table(point, &view, "")
}

/// The column headers and lines of `point`'s interval table under `view`
/// (with `--detail` each value's interval, else its mean; the rows of
/// `view.queue`; `view.metrics` when given; partition rows only with
/// `--detail` or `--queue`, since every interval repeats them), times
/// headed in `unit`; `None` without intervals.
pub fn interval_table(
    point: &PointResults,
    view: &View,
    unit: &str,
) -> Option<(Vec<String>, Vec<Vec<String>>)> {
    let first = point.intervals.first()?;
    let metrics: Vec<Metric> = if view.metrics.is_empty() {
        SHOWN
            .into_iter()
            .chain(
                SHOWN_WHEN_PRESENT
                    .into_iter()
                    .filter(|&m| present(&point.intervals, m)),
            )
            .collect()
    } else {
        view.metrics.clone()
    };
    let mut headers: Vec<String> = ["queue", "interval", "producers' rate"]
        .map(String::from)
        .to_vec();
    headers.extend(metrics.iter().map(|&m| with_unit(m, unit)));
    let rows = (0..first.results.len()).filter(|&r| {
        let row = &first.results[r];
        let partitions = view.detail || view.queue.is_some();
        row.class.is_none()
            && (partitions || row.partition.is_none())
            && view.queue.as_ref().is_none_or(|q| *q == row.queue)
    });
    let period_end = point.intervals.last().map_or(0.0, |i| i.end);
    let mut lines = Vec::new();
    for row in rows {
        for interval in &point.intervals {
            let cells = &interval.results[row];
            let mut line = vec![
                cells.node(),
                crate::units::span_text(interval.start, interval.end, unit, period_end),
                number(interval.arrival_rate),
            ];
            line.extend(metrics.iter().map(|metric| {
                let simulated = cells
                    .simulation
                    .as_ref()
                    .and_then(|s| s.metrics.get(metric));
                let theory = cells.theory.as_ref().and_then(|t| t.metrics.get(metric));
                let simulated = match (view.detail, simulated) {
                    (true, _) => interval_text(simulated),
                    (false, Some(interval)) => number(interval.mean),
                    (false, None) => "-".to_string(),
                };
                match theory {
                    Some(value) if cells.simulation.is_none() => format!("~{}", number(*value)),
                    Some(value) => format!("{simulated} ~{}", number(*value)),
                    None => simulated,
                }
            }));
            lines.push(line);
        }
    }
    Some((headers, lines))
}

/// The sentence that explains the table (in full, with intervals).
pub const INTERVAL_NOTE: &str = "Per interval: simulation mean [CI across replications] over the messages that arrived in the interval (time averages over the interval), then `~` the pointwise stationary approximation (the steady state at the interval's rates; it ignores the backlog carried over, so it overshoots short peaks and undershoots just after them).";

/// The sentence that explains the short table (means only).
const SHORT_NOTE: &str = "Per interval: simulation mean over the messages that arrived in the interval, then `~` the pointwise stationary approximation (the steady state at the interval's rates, backlog ignored). Confidence intervals: --detail.";

/// The note under the interval table: in full with `detail`, about
/// theory alone without `simulated` values.
pub fn note(detail: bool, simulated: bool) -> &'static str {
    match (simulated, detail) {
        (false, _) => THEORY_NOTE,
        (true, true) => INTERVAL_NOTE,
        (true, false) => SHORT_NOTE,
    }
}

/// The sentence under a table of theory alone.
const THEORY_NOTE: &str = "Per interval: `~` the pointwise stationary approximation (the steady state at the interval's rates, backlog ignored); `-` where it has no value.";

/// True when some interval has a value of `metric` above 0.
fn present(intervals: &[IntervalResults], metric: Metric) -> bool {
    intervals.iter().flat_map(|i| &i.results).any(|row| {
        row.simulation
            .as_ref()
            .and_then(|s| s.metrics.get(&metric))
            .is_some_and(|i| i.mean > 0.0)
    })
}
