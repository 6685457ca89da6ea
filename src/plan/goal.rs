//! One planning target: a metric of one result row, bounded above or below,
//! judged on a theory value or on a simulation interval.

use serde::{Deserialize, Serialize};

use crate::model::Model;
use crate::model::metric::Metric;
use crate::model::{Target, targets};
use crate::sim::Simulation;
use crate::stats::Estimate;
use crate::stats::student_t_interval;
use crate::theory;

/// What a target measures.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GoalMetric {
    /// A reported metric.
    Metric(Metric),
    /// The share of messages that start service within `t` (service level).
    WaitWithin {
        /// The waiting time.
        t: f64,
    },
}

/// The side of the bound.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bound {
    /// The value must not exceed this.
    AtMost(f64),
    /// The value must reach at least this.
    AtLeast(f64),
}

/// How a candidate stands against a target (or all targets).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Met (by the whole confidence interval, for simulation).
    Meets,
    /// The confidence interval straddles the bound.
    Uncertain,
    /// Missed (by the whole confidence interval, for simulation).
    Fails,
}

impl Status {
    /// The status of several targets together: the worst.
    pub fn all(statuses: impl IntoIterator<Item = Status>) -> Status {
        statuses.into_iter().max().unwrap_or(Status::Meets)
    }
}

/// One target of a plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Goal {
    /// What is measured.
    pub metric: GoalMetric,
    /// The bound it must respect.
    pub bound: Bound,
    /// The result row: a queue, or the whole system (`queue: None`).
    #[serde(skip)]
    pub target: Option<usize>,
    /// Name of the row, for reports.
    pub row: String,
}

impl Goal {
    /// The target as written, e.g. `wait_p99 <= 0.2 (support)` or
    /// `wait_within 20 >= 0.8 (support)`.
    pub fn describe(&self) -> String {
        let (sign, value) = match self.bound {
            Bound::AtMost(x) => ("<=", x),
            Bound::AtLeast(x) => (">=", x),
        };
        let within = match self.metric {
            GoalMetric::WaitWithin { t } => format!(" {t}"),
            GoalMetric::Metric(_) => String::new(),
        };
        format!("{}{within} {sign} {value} ({})", self.name(), self.row)
    }

    /// The key of this target's values among `goals`: its metric name, or
    /// its description when another target shares the name.
    pub fn key(&self, goals: &[Goal]) -> String {
        let shared = goals.iter().filter(|g| g.name() == self.name()).count() > 1;
        if shared { self.describe() } else { self.name() }
    }

    /// The metric's name, e.g. `wait_p99` or `wait_within`.
    pub fn name(&self) -> String {
        match self.metric {
            GoalMetric::Metric(metric) => metric.name(),
            GoalMetric::WaitWithin { .. } => "wait_within".to_string(),
        }
    }

    fn row_target(&self) -> Target {
        Target {
            queue: self.target,
            class: None,
        }
    }

    /// Whether `value` meets the bound.
    pub fn judge(&self, value: f64) -> Status {
        let met = match self.bound {
            Bound::AtMost(x) => value <= x,
            Bound::AtLeast(x) => value >= x,
        };
        if met { Status::Meets } else { Status::Fails }
    }

    /// Meets when the whole interval meets, fails when the whole interval
    /// misses, uncertain otherwise.
    pub fn classify(&self, interval: &Estimate) -> Status {
        let (low, high) = (self.judge(interval.ci_low), self.judge(interval.ci_high));
        if low == high { low } else { Status::Uncertain }
    }

    /// The exact formula value for `model`; `None` where no exact formula
    /// gives it (approximations are not trusted to plan with).
    pub fn theory_value(&self, model: &Model) -> Option<f64> {
        let target = self.row_target();
        match self.metric {
            GoalMetric::Metric(metric) => theory::evaluate(model)
                .into_iter()
                .find(|(t, result)| *t == target && result.exact)
                .and_then(|(_, result)| result.metrics.get(&metric).copied()),
            GoalMetric::WaitWithin { t } => {
                let tail = theory::wait_tail(model, target, &[t])?;
                Some(1.0 - tail[0])
            }
        }
    }

    /// The simulated mean and interval, across replications, over the
    /// whole run or (`Some(k)`) in reporting interval `k`.
    pub fn simulated(
        &self,
        model: &Model,
        simulation: &Simulation,
        confidence: f64,
        interval: Option<usize>,
    ) -> Option<Estimate> {
        let row = targets(model)
            .iter()
            .position(|t| *t == self.row_target())?;
        let mut samples: Vec<f64> = simulation
            .replications
            .iter()
            .map(|replication| match (self.metric, interval) {
                (GoalMetric::Metric(metric), None) => replication.values[row][metric.index()],
                (GoalMetric::Metric(metric), Some(k)) => {
                    replication.intervals[k][row][metric.index()]
                }
                (GoalMetric::WaitWithin { t }, None) => {
                    replication.wait_distributions[row].fraction_at_most(t)
                }
                (GoalMetric::WaitWithin { t }, Some(k)) => {
                    replication.interval_wait_distributions[k][row].fraction_at_most(t)
                }
            })
            .collect();
        if interval.is_some() {
            // As in the results: over the replications where the interval
            // saw messages.
            samples.retain(|x| !x.is_nan());
        }
        let support = match self.metric {
            GoalMetric::Metric(metric) => metric.support(),
            GoalMetric::WaitWithin { .. } => (0.0, 1.0),
        };
        let estimate = student_t_interval(&samples, confidence).within(support);
        // Without an interval (one replication with data) nothing is judged.
        (estimate.ci_low.is_finite() && estimate.ci_high.is_finite()).then_some(estimate)
    }
}
