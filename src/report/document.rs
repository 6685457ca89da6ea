//! The run's report as one document — headings, paragraphs, lists, tables
//! and charts — built once and written both as report.md and report.html,
//! so the two always say the same: the question (the scenario's
//! description) and its findings in words first, then the summary and the
//! numbers, the charts after them.

use super::comparison::{HEADERS, Verdict, interval_text, lines, verdict_summary};
use super::findings::findings;
use super::heavy_tail::heavy_tail_note;
use super::intervals::{INTERVAL_NOTE, interval_table_full};
use super::live::live_blocks;
use super::relations::relation_lines;
use crate::chart::ChartFile;
use crate::model::metric::Metric;
use crate::results::{PointResults, Row, RunResults};
use crate::scenario::parameter_label;
use crate::stats::BATCH_TAIL;
use crate::text::number;

/// One part of a report. Text may mark code with backticks and strong
/// words with double asterisks (markdown's own inline marks).
#[derive(Clone, Debug)]
pub enum Block<'a> {
    /// A heading of level 1 (the title) to 3.
    Heading(u8, String),
    /// A paragraph.
    Paragraph(String),
    /// A bulleted list.
    List(Vec<String>),
    /// A table.
    Table(Table),
    /// A chart.
    Chart(&'a ChartFile),
}

/// A table: headers, and rows of cells (as many as headers).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    /// Column headers.
    pub headers: Vec<String>,
    /// The rows.
    pub rows: Vec<TableRow>,
}

/// One row of a [`Table`].
#[derive(Clone, Debug, PartialEq)]
pub struct TableRow {
    /// The cells.
    pub cells: Vec<String>,
    /// Shown prominently (an exact value outside the interval).
    pub flagged: bool,
}

impl Table {
    /// A table of plain rows.
    pub fn new(headers: &[impl AsRef<str>], rows: impl IntoIterator<Item = Vec<String>>) -> Self {
        Table {
            headers: headers.iter().map(|h| h.as_ref().to_string()).collect(),
            rows: rows
                .into_iter()
                .map(|cells| TableRow {
                    cells,
                    flagged: false,
                })
                .collect(),
        }
    }
}

/// Metrics whose change between points the report shows.
const CHANGE_METRICS: [Metric; 5] = [
    Metric::MeanWait,
    Metric::MeanSojourn,
    Metric::PBlocked,
    Metric::PAbandoned,
    Metric::PDropped,
];

/// The closing summary: the verdicts and what to expect of them.
fn summary(results: &RunResults) -> String {
    verdict_summary(results)
        .unwrap_or_else(|| "no exact theory value to judge the simulation against.".to_string())
}

/// The whole report of `results`, with `charts` after the numbers.
pub fn report_document<'a>(results: &RunResults, charts: &'a [ChartFile]) -> Vec<Block<'a>> {
    let mut blocks = vec![Block::Heading(1, results.scenario.clone())];
    if !results.description.is_empty() {
        blocks.push(Block::Paragraph(results.description.clone()));
    }
    blocks.push(Block::Heading(2, "Findings".into()));
    blocks.push(Block::List(findings(results)));
    blocks.push(Block::Paragraph(results.run_settings.clone()));
    blocks.push(Block::Paragraph(format!(
        "**Summary:** {}",
        summary(results)
    )));
    blocks.push(Block::Paragraph(
        "Theory values marked `~` are approximations; a verdict says whether an exact value lies inside the simulation's confidence interval, and by how much the simulation differs when it does not.".into(),
    ));
    for point in &results.points {
        point_blocks(point, results.confidence, &mut blocks);
    }
    if !charts.is_empty() {
        blocks.push(Block::Heading(2, "Charts".into()));
        blocks.extend(charts.iter().map(Block::Chart));
    }
    blocks
}

/// The blocks of one point: the model, the comparison, the relations, the
/// intervals, the live runs, the changes from the previous point and any
/// precision missed.
fn point_blocks(point: &PointResults, confidence: f64, blocks: &mut Vec<Block<'_>>) {
    let label = parameter_label(&point.parameters);
    let title = if label.is_empty() {
        "Results".to_string()
    } else {
        label
    };
    blocks.push(Block::Heading(2, title));
    blocks.push(Block::List(point.model.clone()));
    blocks.push(Block::Table(Table {
        headers: HEADERS.iter().map(|h| h.to_string()).collect(),
        rows: lines(point)
            .into_iter()
            .map(|line| TableRow {
                flagged: line.verdict == Verdict::Outside,
                cells: line.cells.to_vec(),
            })
            .collect(),
    }));
    for row in &point.results {
        let Some(simulation) = row.simulation.as_ref().filter(|s| !s.relations.is_empty()) else {
            continue;
        };
        blocks.push(Block::Paragraph(format!(
            "Relations on the simulated means of {}:",
            row.node()
        )));
        blocks.push(Block::List(relation_lines(&simulation.relations)));
    }
    if let Some((headers, lines)) = interval_table_full(point) {
        blocks.push(Block::Heading(3, "Per interval".into()));
        blocks.push(Block::Paragraph(INTERVAL_NOTE.into()));
        blocks.push(Block::Table(Table::new(&headers, lines)));
    }
    blocks.extend(live_blocks(point));
    let changes = change_lines(point);
    if !changes.is_empty() {
        blocks.push(Block::Paragraph("Change from the previous point (paired replication by replication: both points use the same random numbers, so the interval is narrower than comparing the two intervals above):".into()));
        blocks.push(Block::Table(Table::new(
            &["queue", "class", "metric", "change [CI]"],
            changes,
        )));
    }
    for row in &point.results {
        simulation_notes(row, confidence, blocks);
        if let Some(precision) = row.simulation.as_ref().and_then(|s| s.precision.as_ref())
            && !precision.met
        {
            let missed: Vec<String> = precision.missed.iter().map(|m| m.name()).collect();
            blocks.push(Block::Paragraph(format!(
                "Precision target {}% not met for {} {} after {} replications: {}.",
                precision.target * 100.0,
                row.node(),
                row.class.as_deref().unwrap_or(""),
                row.simulation.as_ref().map_or(0, |s| s.replications),
                missed.join(", ")
            )));
        }
    }
}

/// What a reader must know about a row's intervals: means a heavy tail
/// leaves without a verdict, those cut at the metric's range, percentiles
/// without one and correlated batch means.
fn simulation_notes(row: &Row, confidence: f64, blocks: &mut Vec<Block<'_>>) {
    let Some(simulation) = &row.simulation else {
        return;
    };
    if let Some(note) = heavy_tail_note(row, confidence) {
        blocks.push(Block::Paragraph(note));
    }
    if !simulation.clipped.is_empty() {
        let names: Vec<String> = simulation.clipped.iter().map(|m| m.name()).collect();
        blocks.push(Block::Paragraph(format!(
            "Intervals of {} cut at the values the metric can take (0, or 1 for a probability): {}. The symmetric t interval reached past them: too few or too skewed replications; add replications.",
            row.label(),
            names.join(", ")
        )));
    }
    let Some(batches) = &simulation.batch_means else {
        return;
    };
    if !batches.without_interval.is_empty() {
        let values: Vec<String> = batches
            .without_interval
            .iter()
            .map(|(m, value)| format!("{} = {}", m.name(), number(*value)))
            .collect();
        blocks.push(Block::Paragraph(format!(
            "Without an interval for {} (whole run): {}. Some batch had too few values for it (a percentile needs {BATCH_TAIL} beyond it in every batch): lengthen the run or use replications.",
            row.label(),
            values.join(", ")
        )));
    }
    if !batches.correlated.is_empty() {
        let correlated: Vec<String> = batches
            .correlated
            .iter()
            .map(|m| format!("{} ({:+.2})", m.name(), batches.lag1_correlation[m]))
            .collect();
        blocks.push(Block::Paragraph(format!(
            "Batch values of {} correlated at lag 1: {}. Batches this short can make the interval too narrow: lengthen the run (about 1 metric in 20 is flagged by chance).",
            row.label(),
            correlated.join(", ")
        )));
    }
}

/// Table lines of the paired changes from the previous point.
fn change_lines(point: &PointResults) -> Vec<Vec<String>> {
    let mut lines = Vec::new();
    for row in &point.results {
        let Some(simulation) = &row.simulation else {
            continue;
        };
        for metric in CHANGE_METRICS {
            if let Some(change) = simulation.change_from_previous.get(&metric) {
                lines.push(vec![
                    row.node(),
                    row.class.clone().unwrap_or_default(),
                    metric.name(),
                    interval_text(Some(change)),
                ]);
            }
        }
    }
    lines
}
