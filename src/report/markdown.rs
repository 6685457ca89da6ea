//! report.md: the run's story — settings, the scenario in words, the
//! charts, and the theory-vs-simulation tables with verdicts.

use std::fmt::Write;

use super::comparison::{HEADERS, Verdict, interval_text, lines, number};
use super::results::{PointResults, RunResults};
use crate::chart::{CHARTS_DIR, ChartFile};
use crate::metric::Metric;
use crate::scenario::parameter_label;
use crate::stats::BATCH_TAIL;

/// Count of exact theory values outside the simulation's interval.
pub fn outside_count(results: &RunResults) -> usize {
    results
        .points
        .iter()
        .flat_map(lines)
        .filter(|line| line.verdict == Verdict::Outside)
        .count()
}

/// The closing summary sentence.
pub fn summary(results: &RunResults) -> String {
    format!(
        "{} exact theory value(s) outside the simulation's confidence interval. With {}% intervals about {:.0}% of agreeing values are expected outside by chance alone; sweep points share their random numbers (the same seed and streams at every point), so a chance miss tends to repeat across points.",
        outside_count(results),
        results.confidence * 100.0,
        (1.0 - results.confidence) * 100.0,
    )
}

/// Metrics whose change between points report.md shows.
const CHANGE_METRICS: [Metric; 4] = [
    Metric::MeanWait,
    Metric::MeanSojourn,
    Metric::PBlocked,
    Metric::PAbandoned,
];

/// Table lines of the paired changes from the previous point.
fn change_lines(point: &PointResults) -> Vec<[String; 4]> {
    let mut lines = Vec::new();
    for row in &point.results {
        let Some(simulation) = &row.simulation else {
            continue;
        };
        for metric in CHANGE_METRICS {
            if let Some(change) = simulation.change_from_previous.get(&metric) {
                lines.push([
                    row.queue.clone(),
                    row.class.clone().unwrap_or_default(),
                    metric.name().to_string(),
                    interval_text(Some(change)),
                ]);
            }
        }
    }
    lines
}

/// The whole report.md.
pub fn report(results: &RunResults, charts: &[ChartFile]) -> String {
    let mut text = format!("# {}\n\n", results.scenario);
    if !results.description.is_empty() {
        let _ = writeln!(text, "{}\n", results.description);
    }
    let _ = writeln!(text, "{}\n", results.run_settings);
    text.push_str(
        "Theory values marked `~` are approximations; a verdict says whether an exact value lies inside the simulation's confidence interval.\n\n",
    );
    if !charts.is_empty() {
        text.push_str("## Charts\n\n");
        for chart in charts {
            let _ = writeln!(
                text,
                "![{}]({CHARTS_DIR}/{}.svg)\n",
                chart.title, chart.name
            );
        }
    }
    for point in &results.points {
        let label = parameter_label(&point.parameters);
        let title = if label.is_empty() {
            "Results".to_string()
        } else {
            label
        };
        let _ = writeln!(text, "## {title}\n");
        for line in &point.model {
            let _ = writeln!(text, "- {line}");
        }
        let _ = writeln!(text, "\n| {} |", HEADERS.join(" | "));
        let _ = writeln!(text, "|{}", "---|".repeat(HEADERS.len()));
        for line in lines(point) {
            let _ = writeln!(text, "| {} |", line.cells.join(" | "));
        }
        text.push('\n');
        for row in &point.results {
            let Some(simulation) = row.simulation.as_ref().filter(|s| !s.relations.is_empty())
            else {
                continue;
            };
            let _ = writeln!(text, "Relations on the simulated means of {}:\n", row.queue);
            for line in super::relations::relation_lines(&simulation.relations) {
                let _ = writeln!(text, "- {line}");
            }
            text.push('\n');
        }
        if let Some((headers, lines)) = super::intervals::interval_table(point) {
            let _ = writeln!(
                text,
                "### Per interval\n\n{}\n",
                super::intervals::INTERVAL_NOTE
            );
            let _ = writeln!(text, "| {} |", headers.join(" | "));
            let _ = writeln!(text, "|{}", "---|".repeat(headers.len()));
            for line in lines {
                let _ = writeln!(text, "| {} |", line.join(" | "));
            }
            text.push('\n');
        }
        text.push_str(&super::live::live_markdown(point));
        let changes = change_lines(point);
        if !changes.is_empty() {
            text.push_str("Change from the previous point (paired replication by replication: both points use the same random numbers, so the interval is narrower than comparing the two intervals above):\n\n| queue | class | metric | change [CI] |\n|---|---|---|---|\n");
            for line in changes {
                let _ = writeln!(text, "| {} |", line.join(" | "));
            }
            text.push('\n');
        }
        for row in &point.results {
            if let Some(simulation) = row.simulation.as_ref().filter(|s| !s.clipped.is_empty()) {
                let names: Vec<&str> = simulation.clipped.iter().map(|m| m.name()).collect();
                let _ = writeln!(
                    text,
                    "Intervals of {} cut at the values the metric can take (0, or 1 for a probability): {}. The symmetric t interval reached past them: too few or too skewed replications; add replications.\n",
                    row.label(),
                    names.join(", ")
                );
            }
            let batches = row.simulation.as_ref().and_then(|s| s.batch_means.as_ref());
            if let Some(batches) = batches.filter(|b| !b.without_interval.is_empty()) {
                let values: Vec<String> = batches
                    .without_interval
                    .iter()
                    .map(|(m, value)| format!("{} = {}", m.name(), number(*value)))
                    .collect();
                let _ = writeln!(
                    text,
                    "Without an interval for {} (whole run): {}. Some batch had too few values for it (a percentile needs {BATCH_TAIL} beyond it in every batch): lengthen the run or use replications.\n",
                    row.label(),
                    values.join(", ")
                );
            }
            if let Some(batches) = batches.filter(|b| !b.correlated.is_empty()) {
                let correlated: Vec<String> = batches
                    .correlated
                    .iter()
                    .map(|m| format!("{} ({:+.2})", m.name(), batches.lag1_correlation[m]))
                    .collect();
                let _ = writeln!(
                    text,
                    "Batch values of {} correlated at lag 1: {}. Batches this short can make the interval too narrow: lengthen the run (about 1 metric in 20 is flagged by chance).\n",
                    row.label(),
                    correlated.join(", ")
                );
            }
            if let Some(precision) = row.simulation.as_ref().and_then(|s| s.precision.as_ref())
                && !precision.met
            {
                let missed: Vec<&str> = precision.missed.iter().map(|m| m.name()).collect();
                let _ = writeln!(
                    text,
                    "Precision target {}% not met for {} {} after {} replications: {}.\n",
                    precision.target * 100.0,
                    row.queue,
                    row.class.as_deref().unwrap_or(""),
                    row.simulation.as_ref().map_or(0, |s| s.replications),
                    missed.join(", ")
                );
            }
        }
    }
    let _ = writeln!(text, "**Summary:** {}", summary(results));
    text
}
