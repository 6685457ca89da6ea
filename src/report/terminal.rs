//! The results as a terminal shows them (`--format table`): by default a
//! short table of the headline metrics per point, `--detail` every metric
//! with its interval and verdict; `--metric` and `--queue` choose rows.
//! Times carry the scenario's unit, lines fit [`WIDTH`] columns.

use super::comparison::{self, Judged, Verdict};
use super::findings::findings;
use super::intervals;
use super::live;
use super::relations;
use crate::model::metric::Metric;
use crate::results::{LiveBlock, PointResults, Row, RunResults};
use crate::stats::Estimate;
use crate::text::wrap;
use crate::text::{number, significant};
use std::collections::BTreeMap;

/// Columns a terminal line may take.
pub const WIDTH: usize = 100;

/// Lines the default table of a run may take; the findings in words fill
/// what the table leaves of them.
pub const MAX_LINES: usize = 40;

/// Lines the findings may take below the table (a blank line and the
/// heading among them), and the fewest for which they are shown.
const FINDINGS_LINES: (usize, usize) = (3, 10);

/// What the terminal table shows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct View {
    /// Every metric with its interval and verdict, not only the headline ones.
    pub detail: bool,
    /// Only these metrics (all when empty).
    pub metrics: Vec<Metric>,
    /// Only the rows of this queue.
    pub queue: Option<String>,
}

/// The metrics of the short table, when present and not all 0.
const HEADLINE: [Metric; 16] = [
    Metric::MeanWait,
    Metric::MeanWaitServed,
    Metric::WaitP99,
    Metric::Utilisation,
    Metric::PBlocked,
    Metric::PAbandoned,
    Metric::PDropped,
    Metric::DrainTime,
    Metric::RetriesPerMessage,
    Metric::PDeadLettered,
    Metric::Availability,
    Metric::RedeliveriesPerMessage,
    Metric::PHoarded,
    Metric::RebalanceShare,
    Metric::PRedelivered,
    Metric::IdleConsumers,
];

/// The metrics of a short live table.
const LIVE_HEADLINE: [Metric; 3] = [Metric::MeanWait, Metric::WaitP99, Metric::SojournP99];

/// Shares that are reported for every queue and say nothing when all 0
/// (e.g. `p_blocked` of an unbounded queue): the short table leaves their
/// columns out then.
const QUIET_WHEN_ZERO: [Metric; 7] = [
    Metric::PBlocked,
    Metric::PAbandoned,
    Metric::PDropped,
    Metric::IdleConsumers,
    Metric::PHoarded,
    Metric::RebalanceShare,
    Metric::PRedelivered,
];

/// The results as the terminal shows them under `view`.
pub fn table(results: &RunResults, view: &View) -> String {
    let unit = results.time_unit.as_str();
    let simulated = results
        .points
        .iter()
        .flat_map(|p| &p.results)
        .any(|r| r.simulation.is_some());
    let mut text = String::new();
    let columns = short_columns(results, view);
    if !view.detail {
        text.push_str(&legend(simulated, results.confidence));
    }
    // A sweep's partition rows would swamp the table: they show for one
    // point, or for the queue asked for.
    let partitions_shown = results.points.len() == 1 || view.queue.is_some();
    let partitioned = results
        .points
        .iter()
        .flat_map(|p| &p.results)
        .find(|r| r.partition.is_some());
    if let Some(row) = partitioned.filter(|_| !partitions_shown) {
        text.push_str(&wrap(
            &format!(
                "Per-partition rows: --queue {} (all of them in results.json and summary.csv).",
                row.queue
            ),
            WIDTH,
            "",
        ));
    }
    for point in &results.points {
        if !point.parameters.is_empty() {
            let label = crate::scenario::parameter_label(&point.parameters);
            text.push_str(&format!("== {label} ==\n"));
        }
        let rows: Vec<&Row> = point
            .results
            .iter()
            .filter(|r| view.shows(r) && !r.metrics().is_empty())
            .filter(|r| partitions_shown || r.partition.is_none())
            .collect();
        if rows.is_empty() {
            // Nothing to show (no formula covers the model: `theory` says why).
        } else if view.detail {
            text.push_str(&detail_table(&rows, view, unit));
        } else {
            text.push_str(&short_table(&rows, &columns, unit));
        }
        if let Some((headers, lines)) = intervals::interval_table(point, view, unit) {
            text.push_str(&fitted(&headers, lines, 2));
            if let Some(row) = point.results.iter().find(|r| r.partition.is_some())
                && !view.detail
                && view.queue.is_none()
            {
                text.push_str(&wrap(
                    &format!(
                        "Per-partition rows per interval: --queue {} (all of them in intervals.csv).",
                        row.queue
                    ),
                    WIDTH,
                    "",
                ));
            }
            text.push_str(&wrap(intervals::note(view.detail, simulated), WIDTH, ""));
        }
        text.push_str(&live_text(point, view, unit));
        if view.detail {
            text.push('\n');
        }
    }
    if let Some(summary) = comparison::verdict_summary(results) {
        if !view.detail {
            text.push('\n');
        }
        text.push_str(&wrap(&summary, WIDTH, "  "));
    }
    if simulated && *view == View::default() {
        let left = MAX_LINES.saturating_sub(text.lines().count());
        text.push_str(&findings_text(results, left.min(FINDINGS_LINES.1)));
    }
    text
}

/// As many whole sentences of the findings as fit in `lines` lines, under
/// a heading; nothing when fewer than [`FINDINGS_LINES`] allows are left.
fn findings_text(results: &RunResults, lines: usize) -> String {
    if lines < FINDINGS_LINES.0 {
        return String::new();
    }
    let mut text = "\nFindings (all of them in report.md):\n".to_string();
    let mut used = 2;
    for sentence in findings(results) {
        let plain = sentence.replace("**", "").replace('`', "");
        let wrapped = wrap(&format!("- {plain}"), WIDTH, "  ");
        used += wrapped.lines().count();
        if used > lines {
            break;
        }
        text.push_str(&wrapped);
    }
    text
}

impl View {
    /// Whether `row` is shown.
    fn shows(&self, row: &Row) -> bool {
        self.queue.as_ref().is_none_or(|q| *q == row.queue)
    }

    /// Whether `metric` is shown in the detailed table: every metric (so
    /// that the lines behind the verdict summary are all there), or those
    /// asked for.
    fn shows_metric(&self, metric: Metric) -> bool {
        self.metrics.is_empty() || self.metrics.contains(&metric)
    }
}

/// What a short cell holds.
fn legend(simulated: bool, confidence: f64) -> String {
    let text = if simulated {
        format!(
            "Cells: simulation mean (theory, ~ approximate); ! theory outside the {}% CI. All metrics: --detail",
            comparison::number_percent(confidence)
        )
    } else {
        "Cells: theory (~ approximate). All metrics: --detail".to_string()
    };
    wrap(&text, WIDTH, "")
}

/// `metric`'s name with its unit where it is a time or a rate:
/// `mean_wait [ms]`, `throughput [1/ms]`.
pub fn with_unit(metric: Metric, unit: &str) -> String {
    match metric.time_power() {
        _ if unit.is_empty() => metric.name(),
        1 => format!("{} [{unit}]", metric.name()),
        -1 => format!("{} [1/{unit}]", metric.name()),
        _ => metric.name(),
    }
}

/// The metrics of the short table: those asked for, or the headline
/// metrics that some shown row has and that are not all 0 (`wait_p90`
/// standing in for a `wait_p99` that nothing has).
fn short_columns(results: &RunResults, view: &View) -> Vec<Metric> {
    if !view.metrics.is_empty() {
        return view.metrics.clone();
    }
    let rows = || {
        results
            .points
            .iter()
            .flat_map(|p| &p.results)
            .filter(|r| view.shows(r))
    };
    let says_something = |metric: Metric| {
        rows().any(|row| {
            comparison::judge(row, metric)
                .is_some_and(|j| !(QUIET_WHEN_ZERO.contains(&metric) && j.all_zero()))
        })
    };
    HEADLINE
        .into_iter()
        .map(|metric| match metric {
            Metric::WaitP99 if !says_something(metric) => Metric::WaitP90,
            _ => metric,
        })
        .filter(|&metric| says_something(metric))
        .collect()
}

/// A short cell: the simulation mean, theory in parentheses, `!` when
/// theory lies outside the interval; theory alone without simulation.
fn short_cell(judged: Option<Judged>) -> String {
    let Some(judged) = judged else {
        return "-".to_string();
    };
    match judged.simulation {
        None => judged.theory_text(),
        Some(interval) => {
            let mut cell = number(interval.mean);
            if let Some((theory, _)) = judged.theory {
                let mut theory_text = judged.theory_text();
                if judged.verdict == Verdict::Outside && number(theory) == cell {
                    // Flagged, yet alike in 4 digits: show the digits that differ.
                    cell = significant(interval.mean, 7);
                    theory_text = significant(theory, 7);
                }
                cell.push_str(&format!(" ({theory_text})"));
            }
            if judged.verdict == Verdict::Outside {
                cell.push('!');
            }
            cell
        }
    }
}

/// The leading columns naming a row: queue, and class where some row has one.
fn row_keys(rows: &[&Row]) -> (Vec<String>, impl Fn(&Row) -> Vec<String>) {
    let classes = rows.iter().any(|r| r.class.is_some());
    let mut headers = vec!["queue".to_string()];
    if classes {
        headers.push("class".to_string());
    }
    let keys = move |row: &Row| {
        let mut cells = vec![row.node()];
        if classes {
            cells.push(row.class.clone().unwrap_or_else(|| "(all)".to_string()));
        }
        cells
    };
    (headers, keys)
}

/// One line per row with a value in `columns`, one column per metric;
/// empty when no row has one.
fn short_table(rows: &[&Row], columns: &[Metric], unit: &str) -> String {
    let (mut headers, keys) = row_keys(rows);
    let fixed = headers.len();
    headers.extend(columns.iter().map(|&m| with_unit(m, unit)));
    let lines: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            let mut cells = keys(row);
            cells.extend(
                columns
                    .iter()
                    .map(|&metric| short_cell(comparison::judge(row, metric))),
            );
            cells
        })
        .filter(|cells| cells[fixed..].iter().any(|c| c != "-"))
        .collect();
    if lines.is_empty() {
        // Only quiet columns (no consumer idle, say): nothing to show.
        return String::new();
    }
    fitted(&headers, lines, fixed)
}

/// One line per metric of each row, with its interval and verdict; the
/// theory, simulation and verdict columns only where some line has them.
fn detail_table(rows: &[&Row], view: &View, unit: &str) -> String {
    let (mut headers, keys) = row_keys(rows);
    let mut lines: Vec<(Vec<String>, Judged)> = Vec::new();
    for row in rows {
        for metric in row.metrics() {
            let Some(judged) = comparison::judge(row, metric) else {
                continue;
            };
            if view.shows_metric(metric) {
                let mut cells = keys(row);
                cells.push(with_unit(metric, unit));
                lines.push((cells, judged));
            }
        }
    }
    let theory = lines.iter().any(|(_, j)| j.theory.is_some());
    let simulation = lines.iter().any(|(_, j)| j.simulation.is_some());
    headers.push("metric".into());
    let fixed = headers.len();
    if theory {
        headers.push("theory".into());
    }
    if simulation {
        headers.push("simulation [CI]".into());
    }
    if theory && simulation {
        headers.push("verdict".into());
    }
    let lines = lines.into_iter().map(|(mut cells, judged)| {
        if theory {
            cells.push(judged.theory_text());
        }
        if simulation {
            cells.push(comparison::interval_text(judged.simulation.as_ref()));
        }
        if theory && simulation {
            cells.push(judged.verdict_text());
        }
        cells
    });
    fitted(&headers, lines.collect(), fixed)
}

/// `lines` under `headers` as aligned columns; when wider than [`WIDTH`],
/// the columns after the first `fixed` are split over several tables,
/// each repeating the fixed ones.
pub fn fitted(headers: &[String], lines: Vec<Vec<String>>, fixed: usize) -> String {
    let width = |column: usize| {
        std::iter::once(&headers[column])
            .chain(lines.iter().map(|l| &l[column]))
            .map(|c| c.chars().count())
            .max()
            .unwrap_or(0)
    };
    let fixed_width: usize = (0..fixed).map(|c| width(c) + 2).sum();
    let mut groups: Vec<Vec<usize>> = vec![Vec::new()];
    let mut used = fixed_width;
    for column in fixed..headers.len() {
        let needed = width(column) + 2;
        let group = groups.last_mut().expect("one group");
        if !group.is_empty() && used + needed > WIDTH + 2 {
            groups.push(vec![column]);
            used = fixed_width + needed;
        } else {
            group.push(column);
            used += needed;
        }
    }
    let mut text = String::new();
    for group in groups {
        let columns: Vec<usize> = (0..fixed).chain(group).collect();
        let pick = |cells: &[String]| -> Vec<String> {
            columns.iter().map(|&c| cells[c].clone()).collect()
        };
        let header = pick(headers);
        let header: Vec<&str> = header.iter().map(String::as_str).collect();
        text.push_str(&crate::text::aligned(
            &header,
            lines.iter().map(|l| pick(l)),
        ));
    }
    text
}

/// Whether a live block's `metric` is one of the losses and retries a
/// bench rung is about, measured or replayed above 0 (a short live table
/// shows them beside its headline).
fn live_says_something(block: &LiveBlock, metric: Metric) -> bool {
    let counted = QUIET_WHEN_ZERO.contains(&metric) || metric == Metric::RetriesPerMessage;
    let above_zero = |values: &BTreeMap<Metric, Estimate>| {
        values.get(&metric).is_some_and(|value| value.mean != 0.0)
    };
    counted && (above_zero(&block.metrics) || above_zero(&block.replay.metrics))
}

/// The live tables of `point`: per row and channel, the chosen metrics
/// beside theory, simulation and the replay, then health (in full with
/// `--detail`, else its warnings) and, with `--detail`, the relations.
fn live_text(point: &PointResults, view: &View, unit: &str) -> String {
    let mut text = String::new();
    for row in point.results.iter().filter(|r| view.shows(r)) {
        for block in row.live.iter().flatten() {
            text.push_str(&format!(
                "-- live: {} on {} --\n",
                row.label(),
                block.channel.name()
            ));
            let chosen = |metric: &Metric| {
                if !view.metrics.is_empty() {
                    view.metrics.contains(metric)
                } else {
                    view.detail
                        || LIVE_HEADLINE.contains(metric)
                        || live_says_something(block, *metric)
                }
            };
            if let Some(broker) = live::broker_text(block) {
                text.push_str(&wrap(&broker, WIDTH, "  "));
            }
            let lines = live::live_lines(row, block, view.detail, &chosen, unit);
            let headers: Vec<String> = live::headers(view.detail)
                .iter()
                .map(|h| h.to_string())
                .collect();
            text.push_str(&fitted(&headers, lines, 1));
            let health = if view.detail {
                format!("health: {}", live::health_text(block))
            } else {
                live::health_summary(block)
            };
            text.push_str(&wrap(&health, WIDTH, "  "));
            if view.detail {
                for line in relations::relation_lines(&block.relations) {
                    text.push_str(&wrap(&format!("relation: {line}"), WIDTH, "  "));
                }
            }
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_and_rates_carry_the_unit() {
        assert_eq!(with_unit(Metric::MeanWait, "ms"), "mean_wait [ms]");
        assert_eq!(with_unit(Metric::SojournP99, "s"), "sojourn_p99 [s]");
        assert_eq!(with_unit(Metric::Throughput, "s"), "throughput [1/s]");
        assert_eq!(with_unit(Metric::Utilisation, "s"), "utilisation");
        assert_eq!(with_unit(Metric::PBlocked, "s"), "p_blocked");
        assert_eq!(with_unit(Metric::MeanWait, ""), "mean_wait");
    }

    #[test]
    fn wide_tables_are_split_into_tables_that_fit() {
        let headers: Vec<String> = ["queue", "a", "b", "c"].map(String::from).to_vec();
        let cell = "x".repeat(40);
        let lines = vec![vec!["q".to_string(), cell.clone(), cell.clone(), cell]];
        let text = fitted(&headers, lines, 1);
        assert!(text.lines().all(|l| l.chars().count() <= WIDTH), "{text}");
        assert_eq!(text.lines().filter(|l| l.starts_with("queue")).count(), 2);
    }
}
