//! The live part of a result row: a real queue's metrics beside the replay
//! of the same arrivals and service times through the simulator, the
//! implementation's overhead (live − replay, paired batch by batch), the
//! relations on the live run and a verdict per metric.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::atomic::{AtomicBool, Ordering};

use super::LivePoints;
use super::relations::queue_relations;
use crate::bench::{self, BenchError, BrokerKind, BrokerMeasures, BrokerTarget};
use crate::live::{
    self, BatchValues, Channel, ChannelKind, Health, Journeys, LiveRun, LiveSettings,
};
use crate::model::Model;
use crate::model::Target;
use crate::model::metric::Metric;
use crate::results::{LiveBlock, LiveVerdicts, LiveWindow, ReplayBlock};
use crate::scenario::Scenario;
use crate::sim::{self, Recording};

/// Live minus replay within this share of the replay counts as the
/// implementation's expected overhead (live-method.md measured +0.6 … +4.5%
/// on means and p99 with 1 ms services).
pub const OVERHEAD_TOLERANCE: f64 = 0.10;

/// Live vs theory agrees within this many standard errors ...
pub const THEORY_STANDARD_ERRORS: f64 = 3.0;
/// ... plus this share of the theory value.
pub const THEORY_RELATIVE_SLACK: f64 = 0.05;

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
    channel: Channel,
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
    let overhead = live::summarise_differences(&differences, confidence);
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
        broker: None,
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
        failures: &input.failures,
    };
    let visits = sim::replay(model, &recording);
    let journeys = Journeys::replayed(&visits, input.window.ns_per_unit);
    live::rows(model)
        .into_iter()
        .map(|target| live::measure(&input.window, &journeys, model, target))
        .collect()
}

/// Told about each live run (a progress display); it never changes results.
pub struct LiveWatch<'a> {
    /// Before a run starts: its point and channel, in words.
    pub started: &'a dyn Fn(&str),
    /// After it ends.
    pub finished: &'a dyn Fn(),
}

/// Every point's live blocks: per result row (each queue, the network end
/// to end, their classes), one block per channel. Channels run one after
/// the other, never beside the simulation, which would steal their cores.
/// `None` when `stop` was set (Ctrl-C) before they finished.
pub fn live_points(
    scenario: &Scenario,
    settings: &LiveSettings,
    watch: &LiveWatch,
    stop: &AtomicBool,
) -> Option<LivePoints> {
    let channels = |model: &Model| live::channels_for(model, &settings.channels);
    let mut run = |model: &Model, channel: ChannelKind| {
        let run = live::run(model, settings, channel, scenario.run.seed, stop);
        Ok::<_, Infallible>(run.map(|run| (run, None)))
    };
    match measured_points(scenario, settings, &channels, &mut run, watch, stop) {
        Ok(points) => points,
        Err(never) => match never {},
    }
}

/// Every point's blocks measured on the broker of `target` (`queuelab
/// bench`), as [`live_points`] on in-process channels, except that the
/// replay holds each consumer's slot for the broker's measured turnaround
/// and the verdicts against theory take the theory row plus the unloaded
/// transit D0 (see [`BrokerMeasures`]). `Ok(None)` when `stop` was set.
pub fn bench_points(
    scenario: &Scenario,
    settings: &LiveSettings,
    target: &BrokerTarget,
    watch: &LiveWatch,
    stop: &AtomicBool,
) -> Result<Option<LivePoints>, BenchError> {
    let channels = |_: &Model| vec![target.kind];
    let mut run = |model: &Model, _: BrokerKind| {
        let run = bench::run(model, settings, target, scenario.run.seed, stop)?;
        Ok(run.map(|run| (run.live, Some(run.broker))))
    };
    measured_points(scenario, settings, &channels, &mut run, watch, stop)
}

/// A measured run of one point on one channel: the live run and, on a
/// broker, its own measurements; `None` when stopped.
type Measured = Option<(LiveRun, Option<BrokerMeasures>)>;

/// Every point's blocks, each point run on each of its `channels` by
/// `run`: the common loop of [`live_points`] and [`bench_points`].
fn measured_points<C: Copy + Into<Channel>, E>(
    scenario: &Scenario,
    settings: &LiveSettings,
    channels: &dyn Fn(&Model) -> Vec<C>,
    run: &mut dyn FnMut(&Model, C) -> Result<Measured, E>,
    watch: &LiveWatch,
    stop: &AtomicBool,
) -> Result<Option<LivePoints>, E> {
    let mut points = Vec::with_capacity(scenario.points.len());
    for (index, point) in scenario.points.iter().enumerate() {
        let model = &point.model;
        let theory = super::theory(scenario, point);
        let rows = live::rows(model);
        let mut blocks: Vec<Vec<LiveBlock>> = vec![Vec::new(); rows.len()];
        for channel in channels(model) {
            let label = point.label();
            (watch.started)(&format!(
                "live: point {}/{}{}, {}: {} s + {} s warm-up",
                index + 1,
                scenario.points.len(),
                if label.is_empty() {
                    String::new()
                } else {
                    format!(" {label}")
                },
                channel.into().name(),
                settings.seconds,
                settings.warmup_seconds
            ));
            let Some((run, broker)) = run(model, channel)? else {
                return Ok(None);
            };
            (watch.finished)();
            let ns_per_unit = run.replay_input.window.ns_per_unit;
            let broker = broker.map(|broker| broker.in_units(ns_per_unit, model));
            let replayed = broker.as_ref().map(|b| b.replay_model(model));
            let replays = replay_batches(replayed.as_ref().unwrap_or(model), &run);
            if stop.load(Ordering::SeqCst) {
                return Ok(None);
            }
            let rows_of_run = rows.iter().zip(run.batches.iter().zip(&replays));
            for ((target, (live_batches, replay)), row_blocks) in rows_of_run.zip(&mut blocks) {
                let theory_row = theory
                    .whole
                    .iter()
                    .find(|(row, _)| row == target)
                    .map(|(_, result)| (&result.metrics, result.exact));
                let broker = broker
                    .as_ref()
                    .map(|b| b.with_theory(model, theory_row, ns_per_unit));
                let transit = broker.as_ref().and_then(|b| b.theory_with_transit.as_ref());
                let context = LiveContext {
                    model,
                    target: *target,
                    settings,
                    confidence: scenario.run.confidence,
                };
                let mut block = live_block(
                    context,
                    run.channel,
                    live_batches,
                    replay,
                    transit.map(|t| (&t.metrics, t.exact)).or(theory_row),
                    run.health.clone(),
                );
                block.broker = broker;
                row_blocks.push(block);
            }
        }
        points.push(blocks);
    }
    Ok(Some(points))
}
