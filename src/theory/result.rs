//! What a formula contributes to one results row.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::metric::Metric;

/// Formula values for one queue, class or the system.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TheoryResult {
    /// True when the values are exact for the model; false for approximations.
    pub exact: bool,
    /// The model the formulas are for, e.g. "M/M/1" or "M/G/1 (Pollaczek-Khinchine)".
    pub model: String,
    /// The values that the formula provides.
    pub metrics: BTreeMap<Metric, f64>,
}

impl TheoryResult {
    /// An empty result for `model`.
    pub fn new(model: impl Into<String>, exact: bool) -> Self {
        TheoryResult {
            exact,
            model: model.into(),
            metrics: BTreeMap::new(),
        }
    }

    /// Adds `value` for `metric` when it is a finite number.
    pub fn with(mut self, metric: Metric, value: f64) -> Self {
        if value.is_finite() {
            self.metrics.insert(metric, value);
        }
        self
    }

    /// Adds the four mean metrics from L, Lq, W and Wq.
    pub fn with_means(self, in_system: f64, in_queue: f64, sojourn: f64, wait: f64) -> Self {
        self.with(Metric::MeanInSystem, in_system)
            .with(Metric::MeanInQueue, in_queue)
            .with(Metric::MeanSojourn, sojourn)
            .with(Metric::MeanWait, wait)
    }

    /// Adds the waiting-time percentiles from a quantile function.
    pub fn with_wait_percentiles(mut self, quantile: impl Fn(f64) -> f64) -> Self {
        for (metric, p) in Metric::WAIT_PERCENTILES {
            self = self.with(metric, quantile(p));
        }
        self
    }

    /// Adds the sojourn-time percentiles from a quantile function.
    pub fn with_sojourn_percentiles(mut self, quantile: impl Fn(f64) -> f64) -> Self {
        for (metric, p) in Metric::SOJOURN_PERCENTILES {
            self = self.with(metric, quantile(p));
        }
        self
    }
}
