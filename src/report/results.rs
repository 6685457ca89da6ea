//! The results document (the JSON contract, results/README.md): built once from
//! theory and simulation, then written as JSON, CSV, markdown and tables.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::describe::describe_model;
use super::relations::{Relation, queue_relations};
use crate::model::Model;
use crate::model::metric::Metric;
use crate::model::profile::{arrival_rate_in, run_spans};
use crate::model::{Target, targets};
use crate::run::{RunConfig, RunLength, Warmup};
use crate::scenario::{Scenario, SweepPoint};
use crate::sim::{PILOTS, Simulation, imprecise, pilot_messages, precision_controlled};
use crate::stats::{BATCHES, Estimate, lag1_correlation, lag1_critical, student_t_interval};
use crate::theory::{PointTheory, TheoryResult};

/// Everything a run produced.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RunResults {
    /// Scenario name.
    pub scenario: String,
    /// Master seed.
    pub seed: u64,
    /// Scenario description.
    pub description: String,
    /// Time unit label.
    pub time_unit: String,
    /// Confidence level of the intervals.
    pub confidence: f64,
    /// Run settings in words (replications, length, warm-up).
    pub run_settings: String,
    /// One entry per sweep point.
    pub points: Vec<PointResults>,
}

/// Results at one sweep point.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PointResults {
    /// Swept parameters and their values.
    pub parameters: serde_json::Map<String, serde_json::Value>,
    /// The model at this point in words, one line per producer, queue and class.
    pub model: Vec<String>,
    /// One row per queue, class and the system.
    pub results: Vec<Row>,
    /// With rate profiles: the same rows for each reporting interval, in
    /// time order (absent otherwise).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub intervals: Vec<IntervalResults>,
}

/// Results of one reporting interval of a run whose rates follow profiles.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct IntervalResults {
    /// Start, in model time.
    pub start: f64,
    /// End, in model time.
    pub end: f64,
    /// Messages per time unit all producers send during the interval.
    pub arrival_rate: f64,
    /// Rows as for the whole run: theory is the pointwise stationary
    /// approximation; simulation covers the messages that arrived in the
    /// interval and the time averages over it.
    pub results: Vec<Row>,
}

/// Theory and simulation for one queue (or class, or the system).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Row {
    /// Queue name, or `system` for end-to-end figures of a network.
    pub queue: String,
    /// Class name, or null for all classes.
    pub class: Option<String>,
    /// Formula values, or null where no formula applies.
    pub theory: Option<TheoryResult>,
    /// Simulation estimates, or null when not simulated.
    pub simulation: Option<SimulationBlock>,
    /// Live measurements, one block per channel, or null when not run.
    pub live: Option<Vec<super::live::LiveBlock>>,
}

impl Row {
    /// `queue`, or `queue/class` for a class row.
    pub fn label(&self) -> String {
        match &self.class {
            Some(class) => format!("{}/{class}", self.queue),
            None => self.queue.clone(),
        }
    }

    /// Every metric with a value from some source (theory, simulation,
    /// live or replay), in report order.
    pub fn metrics(&self) -> BTreeSet<Metric> {
        let theory = self.theory.iter().flat_map(|t| t.metrics.keys());
        let simulation = self.simulation.iter().flat_map(|s| s.metrics.keys());
        let live = self
            .live
            .iter()
            .flatten()
            .flat_map(|block| block.metrics.keys().chain(block.replay.metrics.keys()));
        theory.chain(simulation).chain(live).copied().collect()
    }
}

/// Simulation estimates of one row.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SimulationBlock {
    /// Replications behind each interval.
    pub replications: u32,
    /// Mean and confidence interval per metric that applies.
    pub metrics: BTreeMap<Metric, Interval>,
    /// Messages discarded as warm-up, per replication (the same for every
    /// replication of a point since the warm-up is chosen once).
    pub warmup: Vec<u64>,
    /// How the warm-up was chosen (absent in older files and per interval).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub warmup_rule: Option<WarmupRule>,
    /// Change from the previous sweep point, paired replication by
    /// replication (both points use the same random numbers), with its CI.
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub change_from_previous: BTreeMap<Metric, Interval>,
    /// For a precision-driven run: the target and the metrics that missed it.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub precision: Option<PrecisionBlock>,
    /// Metrics whose Student-t interval reached past the values the metric
    /// can take (below 0, or above 1 for a probability) and was cut there:
    /// too few or too skewed replications for a symmetric interval.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub clipped: Vec<Metric>,
    /// For a single replication: how its batches gave the intervals.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub batch_means: Option<BatchMeansBlock>,
    /// For a queue's row: Little's law and the seed article's claim on the
    /// simulated means.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub relations: Vec<Relation>,
}

/// How the intervals of a single replication were made: batch means.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BatchMeansBlock {
    /// Consecutive batches the measured window was cut into; each interval
    /// is Student t with `batches - 1` degrees of freedom around the whole
    /// run's value.
    pub batches: u32,
    /// Lag-1 autocorrelation of the batch values, per metric with an
    /// interval (absent where the batches have no spread).
    pub lag1_correlation: BTreeMap<Metric, f64>,
    /// Metrics whose batch values look correlated (lag-1 autocorrelation
    /// above its one-sided 5% point under independence): batches that
    /// short make the interval too narrow; lengthen the run. About 1 metric
    /// in 20 is flagged by chance alone.
    pub correlated: Vec<Metric>,
    /// The whole run's value of metrics the batches could not give an
    /// interval (absent from `metrics`): a percentile with fewer than 200
    /// values beyond it in some batch, or a batch without the messages
    /// the metric needs.
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub without_interval: BTreeMap<Metric, f64>,
}

/// How the warm-up of a point was chosen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WarmupRule {
    /// `auto`: MSER-5 on the waiting times averaged over pilot runs
    /// independent of the replications; `fixed`: the scenario's count.
    pub method: String,
    /// Pilot runs averaged (`auto` only).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub pilots: Option<u32>,
    /// Messages in each pilot run (`auto` only).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub pilot_messages: Option<u64>,
}

impl WarmupRule {
    /// The rule `run` applies to `model`.
    pub fn of(model: &Model, run: &RunConfig) -> WarmupRule {
        match run.warmup {
            Warmup::Auto => WarmupRule {
                method: "auto".into(),
                pilots: Some(PILOTS),
                pilot_messages: Some(pilot_messages(model, run)),
            },
            Warmup::Customers(_) => WarmupRule {
                method: "fixed".into(),
                pilots: None,
                pilot_messages: None,
            },
        }
    }
}

/// How a precision-driven run ended for one row.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PrecisionBlock {
    /// Relative CI half-width aimed at.
    pub target: f64,
    /// True when every controlled metric met it.
    pub met: bool,
    /// Metrics whose interval is still wider (the replication cap was hit).
    pub missed: Vec<Metric>,
}

/// A mean with its confidence interval, as the results write it (one type
/// with the statistics' estimate).
pub use crate::stats::Estimate as Interval;

/// Name of the network-wide row.
pub const SYSTEM: &str = "system";

/// Names a target for the results.
pub fn target_names(model: &Model, target: Target) -> (String, Option<String>) {
    let queue = target
        .queue
        .map_or_else(|| SYSTEM.to_string(), |q| model.queues[q].name.clone());
    let class = target.class.map(|c| model.classes[c].name.clone());
    (queue, class)
}

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
            block.warmup_rule = Some(WarmupRule::of(model, run));
            block.batch_means = batch_means_block(sim, index, &block.metrics);
            block.relations = queue_relations(model, target, &block.metrics);
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
            Row {
                queue,
                class,
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
) -> BTreeMap<Metric, Interval> {
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
    }
}

/// The batch-means block of row `target` of a single-replication
/// `simulation` (`None` with several replications), over the metrics that
/// have an interval.
fn batch_means_block(
    simulation: &Simulation,
    target: usize,
    metrics: &BTreeMap<Metric, Interval>,
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
