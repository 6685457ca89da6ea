//! The live part of a result row: a real queue's metrics beside the replay
//! of the same arrivals and service times through the simulator, the
//! implementation's overhead (live − replay, paired batch by batch), the
//! relations that should hold, health, and a verdict per metric.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Relation;
use crate::bench::BrokerMeasures;
use crate::live::{Channel, Health};
use crate::model::metric::Metric;
use crate::stats::Estimate;

/// One channel's (or broker's) live results at one point, for one row.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LiveBlock {
    /// The queue implementation: an in-process channel, or the broker of
    /// `queuelab bench`.
    pub channel: Channel,
    /// Batch means and intervals of the live run.
    pub metrics: BTreeMap<Metric, Estimate>,
    /// The same arrivals and realised services through the simulator.
    pub replay: ReplayBlock,
    /// Live − replay, paired batch by batch: the implementation's overhead.
    pub overhead: BTreeMap<Metric, Estimate>,
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
    /// A broker's own measurements (`queuelab bench` only): the unloaded
    /// transit, latencies under load and the theory row with the transit.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub broker: Option<BrokerMeasures>,
}

/// The replay's metrics.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ReplayBlock {
    /// Batch means and intervals, same batches as live.
    pub metrics: BTreeMap<Metric, Estimate>,
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
