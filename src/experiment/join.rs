//! Joins theory and simulation of each point into the result rows: the
//! whole run's and each reporting interval's, with the paired change from
//! the previous point, batch-means diagnostics and the relations.

use std::collections::BTreeMap;

use super::describe::describe_model;
use super::heavy_tail::heavy_tail_block;
use super::relations::queue_relations;
use crate::model::Model;
use crate::model::metric::Metric;
use crate::model::profile::{arrival_rate_in, run_spans};
use crate::model::{Producer, Target, targets};
use crate::results::{
    BatchMeansBlock, IntervalResults, PointResults, PrecisionBlock, Row, RunResults,
    SimulationBlock, WarmupRule, target_names, target_partition,
};
use crate::run::{PILOTS, RunConfig, RunLength, Warmup};
use crate::scenario::{Scenario, SweepPoint};
use crate::sim::{Simulation, imprecise, precision_controlled};
use crate::stats::{BATCHES, Estimate, lag1_correlation, lag1_critical, student_t_interval};
use crate::theory::{PointTheory, TheoryResult};

/// Joins theory and simulation of one point into rows, in target order,
/// for the whole run and for each reporting interval.
pub fn point_results(
    point: &SweepPoint,
    theory: &PointTheory,
    simulation: Option<&Simulation>,
    previous: Option<&Simulation>,
    run: &RunConfig,
) -> PointResults {
    let model = &point.model;
    let results = rows(model, &theory.whole, |index, target| {
        simulation.map(|sim| {
            let mut block = simulation_block(sim, &sim.estimates, index);
            block.warmup_rule = Some(warmup_rule(model, run));
            block.batch_means = batch_means_block(sim, index, &block.metrics);
            block.relations = queue_relations(model, target, &block.metrics);
            block.heavy_tail = heavy_tail_block(model, target, run.length, block.replications);
            let comparable = |p: &&Simulation| p.targets == sim.targets && p.metrics == sim.metrics;
            if let Some(previous) = previous.filter(comparable) {
                block.change_from_previous = paired_changes(previous, sim, index, run.confidence);
            }
            block
        })
    });
    let intervals = run_spans(model, run.length)
        .into_iter()
        .enumerate()
        .map(|(k, span)| IntervalResults {
            start: span.start,
            end: span.end,
            arrival_rate: arrival_rate_in(model, span),
            results: rows(
                model,
                theory.intervals.get(k).map_or(&[], Vec::as_slice),
                |index, _| {
                    simulation
                        .and_then(|sim| Some((sim, sim.interval_estimates.get(k)?)))
                        .map(|(sim, estimates)| simulation_block(sim, estimates, index))
                },
            ),
        })
        .collect();
    PointResults {
        parameters: point.parameters.iter().cloned().collect(),
        model: describe_model(model),
        results,
        intervals,
    }
}

/// The warm-up rule `run` applies to `model`.
fn warmup_rule(model: &Model, run: &RunConfig) -> WarmupRule {
    match run.warmup {
        Warmup::Auto => WarmupRule {
            method: "auto".into(),
            pilots: Some(PILOTS),
            pilot_messages: Some(
                run.pilot_messages(model.producers.iter().map(Producer::max_rate)),
            ),
        },
        Warmup::Customers(_) => WarmupRule {
            method: "fixed".into(),
            pilots: None,
            pilot_messages: None,
        },
    }
}

/// One row per target of `model`: its formula values from `theory` and its
/// simulation block from `simulation` (given the target's index).
fn rows(
    model: &Model,
    theory: &[(Target, TheoryResult)],
    simulation: impl Fn(usize, Target) -> Option<SimulationBlock>,
) -> Vec<Row> {
    targets(model)
        .into_iter()
        .enumerate()
        .map(|(index, target)| {
            let (queue, class) = target_names(model, target);
            let (partition, consumer) = target_partition(model, target);
            Row {
                queue,
                class,
                partition,
                consumer,
                theory: theory
                    .iter()
                    .find(|(t, _)| *t == target)
                    .map(|(_, result)| result.clone()),
                simulation: simulation(index, target),
                live: None,
            }
        })
        .collect()
}

/// Per-replication differences `next - previous` of the controlled metrics
/// of one row, as intervals; replication `r` of both points shares its
/// random streams, so the pairing removes their common noise.
fn paired_changes(
    previous: &Simulation,
    next: &Simulation,
    target: usize,
    confidence: f64,
) -> BTreeMap<Metric, Estimate> {
    let pairs = previous.replications.iter().zip(&next.replications);
    next.metrics
        .iter()
        .enumerate()
        .filter(|&(_, &metric)| precision_controlled(metric))
        .filter_map(|(slot, &metric)| {
            let differences: Vec<f64> = pairs
                .clone()
                .map(|(a, b)| b.values[target][slot] - a.values[target][slot])
                .collect();
            if differences.len() < 2 || differences.iter().any(|d| !d.is_finite()) {
                return None;
            }
            Some((metric, student_t_interval(&differences, confidence)))
        })
        .collect()
}

/// The block of row `target_index` from `estimates` (the whole run's or an
/// interval's) of `simulation`.
fn simulation_block(
    simulation: &Simulation,
    estimates: &[Vec<Estimate>],
    target_index: usize,
) -> SimulationBlock {
    let metrics = simulation
        .metrics
        .iter()
        .zip(&estimates[target_index])
        .filter(|(_, estimate)| estimate.mean.is_finite())
        .map(|(&metric, &estimate)| (metric, estimate))
        .collect();
    let precision = simulation.target_precision.map(|target| {
        let row = &estimates[target_index..=target_index];
        let missed: Vec<Metric> = imprecise(row, &simulation.metrics, target)
            .into_iter()
            .map(|(_, metric)| metric)
            .collect();
        PrecisionBlock {
            target,
            met: missed.is_empty(),
            missed,
        }
    });
    SimulationBlock {
        replications: simulation.replications.len() as u32,
        metrics,
        warmup: simulation.replications.iter().map(|r| r.warmup).collect(),
        warmup_rule: None,
        clipped: simulation
            .metrics
            .iter()
            .zip(&estimates[target_index])
            .filter(|(_, estimate)| estimate.clipped && estimate.mean.is_finite())
            .map(|(&metric, _)| metric)
            .collect(),
        batch_means: None,
        change_from_previous: BTreeMap::new(),
        precision,
        relations: Vec::new(),
        heavy_tail: None,
    }
}

/// The batch-means block of row `target` of a single-replication
/// `simulation` (`None` with several replications), over the metrics that
/// have an interval.
fn batch_means_block(
    simulation: &Simulation,
    target: usize,
    metrics: &BTreeMap<Metric, Estimate>,
) -> Option<BatchMeansBlock> {
    let [single] = simulation.replications.as_slice() else {
        return None;
    };
    if single.batches.is_empty() {
        return None;
    }
    let lag1_correlation: BTreeMap<Metric, f64> = metrics
        .keys()
        .filter_map(|&metric| {
            let slot = simulation.metrics.iter().position(|&m| m == metric)?;
            let values: Vec<f64> = single
                .batches
                .iter()
                .map(|batch| batch[target][slot])
                .collect();
            let correlation = lag1_correlation(&values);
            correlation.is_finite().then_some((metric, correlation))
        })
        .collect();
    let critical = lag1_critical(single.batches.len());
    let without_interval = simulation
        .metrics
        .iter()
        .zip(&single.values[target])
        .map(|(&metric, &whole)| (metric, whole))
        .filter(|(metric, whole)| whole.is_finite() && !metrics.contains_key(metric))
        .collect();
    Some(BatchMeansBlock {
        batches: single.batches.len() as u32,
        correlated: lag1_correlation
            .iter()
            .filter(|&(_, &r)| r > critical)
            .map(|(&metric, _)| metric)
            .collect(),
        lag1_correlation,
        without_interval,
    })
}

/// The run settings in words.
fn run_settings(scenario: &Scenario) -> String {
    let run = &scenario.run;
    let length = match run.length {
        RunLength::Customers(customers) => format!("{customers} messages measured per replication"),
        RunLength::Horizon(horizon) => {
            format!("messages arriving within {horizon} time units measured per replication")
        }
    };
    let warmup = match run.warmup {
        Warmup::Auto => format!(
            "warm-up cut by MSER-5 on the waiting times averaged over {PILOTS} independent pilot runs (one cut for every replication)"
        ),
        Warmup::Customers(count) => format!("first {count} messages discarded as warm-up"),
    };
    let replications = match run.precision {
        None if run.replications == 1 => {
            let batch = match run.length {
                RunLength::Customers(customers) => {
                    format!("about {} messages", customers / u64::from(BATCHES))
                }
                RunLength::Horizon(horizon) => {
                    format!("{} time units", horizon / f64::from(BATCHES))
                }
            };
            format!(
                "one replication whose measured window is cut into {BATCHES} consecutive batches of {batch}"
            )
        }
        None => format!("{} independent replications", run.replications),
        Some(precision) => format!(
            "independent replications in batches of {} until every mean's interval is within {}% of it (at most {})",
            run.replications,
            precision.target * 100.0,
            precision.max_replications
        ),
    };
    let intervals = if run.replications == 1 {
        format!(
            "batch means: Student t with {} degrees of freedom on the batch values, around the whole run's value",
            BATCHES - 1
        )
    } else {
        "Student t across replications".to_string()
    };
    format!(
        "Seed {}, {replications}, {length}, {warmup}; {}% confidence intervals ({intervals}).",
        run.seed,
        run.confidence * 100.0
    )
}

/// Assembles the whole document.
pub fn run_results(scenario: &Scenario, points: Vec<PointResults>) -> RunResults {
    RunResults {
        scenario: scenario.name.clone(),
        seed: scenario.run.seed,
        description: scenario.description.clone(),
        time_unit: scenario
            .points
            .first()
            .map_or_else(String::new, |p| p.model.time_unit.clone()),
        confidence: scenario.run.confidence,
        run_settings: run_settings(scenario),
        points,
    }
}
