//! Judging a planning target (`scenario::plan_settings::Goal`) on a
//! theory value or on a simulation interval.

use crate::model::Model;
use crate::model::targets;
use crate::scenario::plan_settings::{Goal, GoalMetric};
use crate::sim::Simulation;
use crate::stats::{Estimate, student_t_interval};
use crate::theory;

impl Goal {
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
