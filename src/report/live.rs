//! The live part of a result row: a real queue's metrics beside the replay
//! of the same arrivals and service times through the simulator, the
//! implementation's overhead (live − replay, paired batch by batch), the
//! relations that should hold, health, and a verdict per metric.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::comparison::{interval_text, number};
use super::document::{Block, Table};
use super::relations::{Relation, queue_relations, relation_lines};
use super::results::{Interval, PointResults, Row};
use crate::live::{self, BatchValues, ChannelKind, Health, Journeys, LiveRun, LiveSettings};
use crate::model::Model;
use crate::model::Target;
use crate::model::metric::Metric;
use crate::sim::{self, Recording};

/// Live minus replay within this share of the replay counts as the
/// implementation's expected overhead (live-method.md measured +0.6 … +4.5%
/// on means and p99 with 1 ms services).
pub const OVERHEAD_TOLERANCE: f64 = 0.10;

/// Live vs theory agrees within this many standard errors ...
pub const THEORY_STANDARD_ERRORS: f64 = 3.0;
/// ... plus this share of the theory value.
pub const THEORY_RELATIVE_SLACK: f64 = 0.05;

/// One channel's live results at one point, for one row.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LiveBlock {
    /// The queue implementation.
    pub channel: ChannelKind,
    /// Batch means and intervals of the live run.
    pub metrics: BTreeMap<Metric, Interval>,
    /// The same arrivals and realised services through the simulator.
    pub replay: ReplayBlock,
    /// Live − replay, paired batch by batch: the implementation's overhead.
    pub overhead: BTreeMap<Metric, Interval>,
    /// Verdict per metric.
    pub verdicts: BTreeMap<Metric, LiveVerdicts>,
    /// Little's law and the seed article's claim on the live run (each
    /// queue's aggregate row only).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub relations: Vec<Relation>,
    /// How far the measurement can be trusted.
    pub health: Health,
    /// Wall milliseconds per model time unit, and the measured window.
    pub settings: LiveWindow,
}

/// The replay's metrics.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ReplayBlock {
    /// Batch means and intervals, same batches as live.
    pub metrics: BTreeMap<Metric, Interval>,
}

/// How a live run was timed.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LiveWindow {
    /// Wall milliseconds per model time unit.
    pub time_scale_ms: f64,
    /// Measured wall seconds.
    pub seconds: f64,
    /// Discarded wall seconds first.
    pub warmup_seconds: f64,
    /// Batches of the batch-means intervals.
    pub batches: usize,
}

/// A live metric judged against the replay and against theory.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveVerdicts {
    /// `within overhead tolerance`, `overhead above tolerance`, or
    /// `no replay` where the replay cannot measure the metric.
    pub vs_replay: String,
    /// `agrees`, `differs`, `approximation` or absent without theory.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub vs_theory: Option<String>,
    /// Set when the health warnings make the measurement doubtful.
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub contaminated: bool,
}

/// The run a live block describes: its model, result row and settings.
#[derive(Clone, Copy, Debug)]
pub struct LiveContext<'a> {
    /// The model at this point.
    pub model: &'a Model,
    /// The result row.
    pub target: Target,
    /// The live settings.
    pub settings: &'a LiveSettings,
    /// Confidence level of the intervals.
    pub confidence: f64,
}

/// Assembles the block of one live run: `live` and `replay` per-batch
/// values (same batches) and the theory row's values (value, exact).
pub fn live_block(
    context: LiveContext,
    channel: ChannelKind,
    live: &BatchValues,
    replay: &BatchValues,
    theory: Option<(&BTreeMap<Metric, f64>, bool)>,
    health: Health,
) -> LiveBlock {
    let LiveContext {
        model,
        target,
        settings,
        confidence,
    } = context;
    let metrics = live::summarise(live, confidence);
    let differences: BatchValues = live
        .iter()
        .filter_map(|(metric, values)| {
            let replayed = replay.get(metric)?;
            let diff = values.iter().zip(replayed).map(|(a, b)| a - b).collect();
            Some((*metric, diff))
        })
        .collect();
    let overhead = live::summarise(&differences, confidence);
    let contaminated = !health.warnings.is_empty();
    let verdicts = live
        .iter()
        .map(|(&metric, batches)| {
            let mean = metrics[&metric].mean;
            let vs_replay = match (overhead.get(&metric), replay.get(&metric)) {
                (Some(diff), Some(replayed)) => {
                    let replay_mean = replayed.iter().sum::<f64>() / replayed.len() as f64;
                    let within = diff.mean.abs() <= OVERHEAD_TOLERANCE * replay_mean.abs()
                        || (diff.ci_low <= 0.0 && diff.ci_high >= 0.0);
                    if within {
                        "within overhead tolerance"
                    } else {
                        "overhead above tolerance"
                    }
                }
                _ => "no replay",
            };
            let vs_theory = theory.and_then(|(values, exact)| {
                let value = *values.get(&metric)?;
                if !exact {
                    return Some("approximation".to_string());
                }
                let allowed = THEORY_STANDARD_ERRORS * crate::stats::standard_error(batches)
                    + THEORY_RELATIVE_SLACK * value.abs();
                Some(
                    if (mean - value).abs() <= allowed {
                        "agrees"
                    } else {
                        "differs"
                    }
                    .to_string(),
                )
            });
            (
                metric,
                LiveVerdicts {
                    vs_replay: vs_replay.to_string(),
                    vs_theory,
                    contaminated,
                },
            )
        })
        .collect();
    let relations = queue_relations(model, target, &metrics);
    LiveBlock {
        channel,
        metrics,
        replay: ReplayBlock {
            metrics: live::summarise(replay, confidence),
        },
        overhead,
        verdicts,
        relations,
        health,
        settings: LiveWindow {
            time_scale_ms: settings.time_scale_ms,
            seconds: settings.seconds,
            warmup_seconds: settings.warmup_seconds,
            batches: live::BATCHES,
        },
    }
}

/// Per-batch values of the replay of `run` through the simulator, for
/// each of [`live::rows`]`(model)`, in the live run's batches: the same
/// arrivals, and at each queue the realised services and routing.
pub fn replay_batches(model: &Model, run: &LiveRun) -> Vec<BatchValues> {
    let input = &run.replay_input;
    let recording = Recording {
        arrivals: &input.arrivals,
        services: &input.services,
        routes: &input.routes,
    };
    let visits = sim::replay(model, &recording);
    let journeys = Journeys::replayed(&visits, input.window.ns_per_unit);
    live::rows(model)
        .into_iter()
        .map(|target| live::measure(&input.window, &journeys, model, target))
        .collect()
}

/// Column headers of a live table.
pub const LIVE_HEADERS: [&str; 7] = [
    "metric",
    "theory",
    "simulation [CI]",
    "replay [CI]",
    "live [CI]",
    "live - replay [CI]",
    "verdict",
];

/// Column headers of a short live table (means only).
const SHORT_HEADERS: [&str; 8] = [
    "metric",
    "theory",
    "simulation",
    "replay",
    "live",
    "live - replay",
    "vs replay",
    "vs theory",
];

/// Column headers of a live table: with intervals when `detail`.
pub fn headers(detail: bool) -> &'static [&'static str] {
    if detail {
        &LIVE_HEADERS
    } else {
        &SHORT_HEADERS
    }
}

/// One line per live metric of `block` that `chosen` accepts, beside the
/// row's theory and simulation values, under [`headers`]: with intervals
/// and the verdicts in words when `detail`, else means and a column per
/// verdict; times headed in `unit` (none when empty).
pub fn live_lines(
    row: &Row,
    block: &LiveBlock,
    detail: bool,
    chosen: &dyn Fn(&Metric) -> bool,
    unit: &str,
) -> Vec<Vec<String>> {
    let value = |interval: Option<&Interval>| match (detail, interval) {
        (true, _) => interval_text(interval),
        (false, Some(interval)) => number(interval.mean),
        (false, None) => "-".to_string(),
    };
    block
        .metrics
        .iter()
        .filter(|(metric, _)| chosen(metric))
        .map(|(metric, live)| {
            let theory = row.theory.as_ref().and_then(|t| {
                let value = number(*t.metrics.get(metric)?);
                Some(if t.exact { value } else { format!("~{value}") })
            });
            let simulation = row.simulation.as_ref().and_then(|s| s.metrics.get(metric));
            let mut cells = vec![
                super::terminal::with_unit(*metric, unit),
                theory.unwrap_or_else(|| "-".to_string()),
                value(simulation),
                value(block.replay.metrics.get(metric)),
                value(Some(live)),
                value(block.overhead.get(metric)),
            ];
            let verdicts = block.verdicts.get(metric);
            if detail {
                cells.push(verdicts.map_or_else(String::new, verdict_words));
            } else {
                let replay = verdicts.map_or("-", |v| match v.vs_replay.as_str() {
                    "within overhead tolerance" => "ok",
                    "overhead above tolerance" => "OVERHEAD",
                    _ => "-",
                });
                let theory = verdicts.and_then(|v| v.vs_theory.as_deref());
                // `?`: the machine disturbed the run (its health line says
                // how); the verdict is not to be trusted.
                let doubt = if verdicts.is_some_and(|v| v.contaminated) {
                    "?"
                } else {
                    ""
                };
                cells.push(format!("{replay}{doubt}"));
                cells.push(format!("{}{doubt}", theory.unwrap_or("-")));
            }
            cells
        })
        .collect()
}

/// A live metric's verdicts in words.
fn verdict_words(verdicts: &LiveVerdicts) -> String {
    let mut words = vec![format!("replay: {}", verdicts.vs_replay)];
    if let Some(theory) = &verdicts.vs_theory {
        words.push(format!("theory: {theory}"));
    }
    if verdicts.contaminated {
        words.push("health warning".to_string());
    }
    words.join("; ")
}

/// The health of `block` in short: `health: ok`, or its warnings.
pub fn health_summary(block: &LiveBlock) -> String {
    let warnings = &block.health.warnings;
    if warnings.is_empty() {
        return "health: ok (the measurements in full: --detail)".to_string();
    }
    format!("health: WARNING: {}", warnings.join("; WARNING: "))
}

/// The health of `block` in one paragraph.
pub fn health_text(block: &LiveBlock) -> String {
    let h = &block.health;
    let us = |value: Option<f64>| value.map_or_else(|| "-".to_string(), |v| format!("{v:.1}"));
    let percent = |value: Option<f64>| {
        value.map_or_else(|| "-".to_string(), |v| format!("{:.0}%", v * 100.0))
    };
    let mut text = format!(
        "scheduling {}, waits {}; producer lag p50/p99 {}/{} µs; service overshoot mean/p99 {}/{} µs; consumer wake-up p50/p99 {}/{} µs; {} involuntary context switches; machine {} busy ({} by other processes); messages planned/sent/served {}/{}/{}",
        serde_name(&h.scheduling),
        serde_name(&h.wait_method),
        us(h.producer_lag_p50_us),
        us(h.producer_lag_p99_us),
        us(h.service_overshoot_mean_us),
        us(h.service_overshoot_p99_us),
        us(h.wakeup_latency_p50_us),
        us(h.wakeup_latency_p99_us),
        h.involuntary_context_switches,
        percent(h.machine_busy),
        percent(h.other_processes_busy),
        h.messages.planned,
        h.messages.sent,
        h.messages.served,
    );
    let queues: Vec<String> = h
        .queues
        .iter()
        .map(|q| {
            format!(
                "{} {}/{}/{}/{}",
                q.queue, q.arrived, q.rejected, q.served, q.forwarded
            )
        })
        .collect();
    text.push_str(&format!(
        "; visits arrived/rejected/served/forwarded: {}",
        queues.join(", ")
    ));
    for warning in &h.warnings {
        text.push_str(&format!("; WARNING: {warning}"));
    }
    text
}

/// The name a value serialises to, e.g. `real-time`.
fn serde_name<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}

/// The live part of a point's report (nothing without live results): per
/// row and channel, the table beside theory, simulation and replay, the
/// health and the relations on the live run.
pub fn live_blocks(point: &PointResults) -> Vec<Block<'static>> {
    let mut blocks = Vec::new();
    for row in &point.results {
        for block in row.live.iter().flatten() {
            blocks.push(Block::Heading(
                3,
                format!(
                    "Live: {} on `{}` ({} ms per time unit, {} s measured after {} s warm-up, {} batches)",
                    row.label(),
                    block.channel.name(),
                    block.settings.time_scale_ms,
                    block.settings.seconds,
                    block.settings.warmup_seconds,
                    block.settings.batches,
                ),
            ));
            blocks.push(Block::Table(Table::new(
                &LIVE_HEADERS,
                live_lines(row, block, true, &|_| true, ""),
            )));
            blocks.push(Block::Paragraph(format!("Health: {}.", health_text(block))));
            if !block.relations.is_empty() {
                blocks.push(Block::Paragraph("Relations on the live run:".into()));
                blocks.push(Block::List(relation_lines(&block.relations)));
            }
        }
    }
    blocks
}
