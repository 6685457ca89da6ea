//! The results: what a run answers, as the JSON contract (results/README.md)
//! and the data files beside it. Built by the `experiment` module, written by
//! `report` and `chart`; nothing here runs or computes anything.

mod charts;
mod live;

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

pub use charts::{
    ChartInputs, Curve, CurveRow, DISTRIBUTIONS_FILE, DistributionData, DistributionSeries,
    THEORY_CURVES_FILE, TheoryCurves, WARMUP_FILE, WarmupData,
};
pub use live::{LiveBlock, LiveVerdicts, LiveWindow, ReplayBlock};

use crate::model::metric::Metric;
use crate::model::{Model, SYSTEM, Target};
use crate::stats::Estimate;
use crate::theory::TheoryResult;

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
    /// A partition of a partitioned queue (absent for a whole queue).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub partition: Option<u32>,
    /// The consumer owning that partition (absent for a whole queue).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub consumer: Option<u32>,
    /// Formula values, or null where no formula applies.
    pub theory: Option<TheoryResult>,
    /// Simulation estimates, or null when not simulated.
    pub simulation: Option<SimulationBlock>,
    /// Live measurements, one block per channel, or null when not run.
    pub live: Option<Vec<LiveBlock>>,
}

impl Row {
    /// `queue`, `queue/class` for a class row, or `queue[p]` for partition
    /// `p` of a partitioned queue.
    pub fn label(&self) -> String {
        match &self.class {
            Some(class) => format!("{}/{class}", self.node()),
            None => self.node(),
        }
    }

    /// `queue`, or `queue[p]` for partition `p` of a partitioned queue.
    pub fn node(&self) -> String {
        match self.partition {
            Some(partition) => format!("{}[{partition}]", self.queue),
            None => self.queue.clone(),
        }
    }

    /// Whether this is the row of a queue (or the system) as a whole: not
    /// one of its partitions or classes.
    pub fn is_whole(&self) -> bool {
        self.partition.is_none() && self.class.is_none()
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
    pub metrics: BTreeMap<Metric, Estimate>,
    /// Messages discarded as warm-up, per replication (the same for every
    /// replication of a point since the warm-up is chosen once).
    pub warmup: Vec<u64>,
    /// How the warm-up was chosen (absent in older files and per interval).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub warmup_rule: Option<WarmupRule>,
    /// Change from the previous sweep point, paired replication by
    /// replication (both points use the same random numbers), with its CI.
    #[serde(skip_serializing_if = "BTreeMap::is_empty", default)]
    pub change_from_previous: BTreeMap<Metric, Estimate>,
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
    /// Means whose intervals cover less often than their confidence: the
    /// service is so heavy-tailed that the run never draws the values
    /// that carry a good share of the mean wait (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub heavy_tail: Option<HeavyTailBlock>,
}

/// Why a row's means get no verdict: the share of the service time's
/// second moment (which sets the mean wait, Pollaczek–Khinchine) carried by
/// services rarer than one in all those the run draws at the queue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HeavyTailBlock {
    /// That share of E[S²] (the largest over the classes, and over the
    /// queues for the system).
    pub unseen_share: f64,
    /// Services the run draws at the queue, over every replication.
    pub draws: f64,
    /// The metrics it makes untrustworthy.
    pub metrics: Vec<Metric>,
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

/// The `relation` name of the seed article's claim L = Σ T_i: not a law
/// (it holds only while every consumer is busy), checked to show how far
/// off it is.
pub const SEED_CLAIM: &str = "L = Σ T_i (seed article: sum of the consumers' processing times)";

/// A relation between measured quantities, and how far it is off.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Relation {
    /// The relation, e.g. `L = λW`.
    pub relation: String,
    /// Left side, as measured.
    pub left: f64,
    /// Right side, from measured quantities.
    pub right: f64,
    /// (right − left) / left.
    pub relative_error: f64,
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

/// How the description of a closed-loop producer begins, among a point's
/// `model` lines (charts look for it: a closed loop's throughput is what
/// its clients get).
pub const CLOSED_LOOP: &str = "a closed loop of";

/// The partition and its consumer of a partition's target (`None`s
/// otherwise).
pub fn target_partition(model: &Model, target: Target) -> (Option<u32>, Option<u32>) {
    let owner = |queue: usize, partition: u32| {
        let spec = &model.queues[queue];
        spec.partitioning()
            .map(|p| p.owner(partition, spec.consumers))
    };
    match (target.queue, target.partition) {
        (Some(queue), Some(partition)) => (Some(partition), owner(queue, partition)),
        _ => (None, None),
    }
}

/// Names a target for the data files beside the results: as
/// [`target_names`], but a partition's target is `queue[p]` (as
/// [`Row::node`]).
pub fn target_labels(model: &Model, target: Target) -> (String, Option<String>) {
    let (queue, class) = target_names(model, target);
    match target.partition {
        Some(partition) => (format!("{queue}[{partition}]"), class),
        None => (queue, class),
    }
}

/// Names a target for the results.
pub fn target_names(model: &Model, target: Target) -> (String, Option<String>) {
    let queue = target
        .queue
        .map_or_else(|| SYSTEM.to_string(), |q| model.queues[q].name.clone());
    let class = target.class.map(|c| model.classes[c].name.clone());
    (queue, class)
}
