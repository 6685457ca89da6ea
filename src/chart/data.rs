//! The data charts need beyond results.json, saved beside it so `plot` can
//! redraw without simulating: the waiting-time distribution at one point and
//! the warm-up trace.

use serde::{Deserialize, Serialize};

use crate::model::targets;
use crate::report::target_names;
use crate::scenario::{Scenario, SweepPoint};
use crate::sim::{Simulation, WarmupTrace, warmup_trace};
use crate::stats::{Percentiles, student_t_interval};
use crate::theory::wait_tail;

/// File holding [`DistributionData`].
pub const DISTRIBUTIONS_FILE: &str = "distributions.json";
/// File holding [`WarmupData`].
pub const WARMUP_FILE: &str = "warmup.json";

/// Points kept per distribution curve.
const CURVE_POINTS: usize = 200;

/// P(wait > t) curves at one sweep point.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DistributionData {
    /// Index of the point.
    pub point: usize,
    /// The point's parameters as text (empty without a sweep).
    pub label: String,
    /// One entry per queue (or class of a single queue).
    pub series: Vec<DistributionSeries>,
}

/// The waiting-time tail of one row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DistributionSeries {
    /// Queue name.
    pub queue: String,
    /// Class name, when the row is one class.
    pub class: Option<String>,
    /// Simulated (t, P(wait > t)) over all replications.
    pub simulation: Vec<(f64, f64)>,
    /// The confidence interval of P(wait > t) at each `t` of `simulation`,
    /// (t, low, high) across replications (none from one replication, or
    /// in files written before it was kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub band: Option<Vec<(f64, f64, f64)>>,
    /// Exact (t, P(wait > t)) where theory has the distribution.
    pub theory: Option<Vec<(f64, f64)>>,
}

/// The warm-up trace at one sweep point.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WarmupData {
    /// Index of the point.
    pub point: usize,
    /// The point's parameters as text.
    pub label: String,
    /// The trace.
    pub trace: WarmupTrace,
}

/// The point charts look at in detail: the highest load of a load sweep,
/// otherwise the last point.
pub fn detail_point(points: &[SweepPoint]) -> usize {
    let load = |p: &SweepPoint| {
        p.parameters
            .iter()
            .find(|(name, _)| name == "load")
            .and_then(|(_, value)| value.as_f64())
    };
    (0..points.len())
        .max_by(|&a, &b| {
            load(&points[a])
                .unwrap_or(0.0)
                .total_cmp(&load(&points[b]).unwrap_or(0.0))
                .then(a.cmp(&b))
        })
        .unwrap_or(0)
}

/// Waiting-time tails at `point`: every queue, or the classes of a single
/// queue with classes.
pub fn distribution_data(
    scenario: &Scenario,
    point: usize,
    simulation: &Simulation,
) -> DistributionData {
    let model = &scenario.points[point].model;
    let by_class = model.queues.len() == 1 && model.has_classes();
    let series = targets(model)
        .into_iter()
        .enumerate()
        .filter(|(_, t)| t.queue.is_some() && (t.class.is_some() == by_class))
        .filter_map(|(index, target)| {
            let simulated = simulation
                .wait_distribution(index)?
                .tail_points(CURVE_POINTS);
            let times: Vec<f64> = simulated.iter().map(|(t, _)| *t).collect();
            let theory = wait_tail(model, target, &times)
                .map(|tail| times.iter().copied().zip(tail).collect());
            let (queue, class) = target_names(model, target);
            let band = tail_band(simulation, index, &times, scenario.run.confidence);
            Some(DistributionSeries {
                queue,
                class,
                simulation: simulated,
                band,
                theory,
            })
        })
        .collect();
    DistributionData {
        point,
        label: scenario.points[point].label(),
        series,
    }
}

/// The confidence interval of P(wait > t) of target `index` at each of
/// `times`: the replications' own tails as independent estimates (a
/// Student t interval, kept within [0, 1]); `None` from fewer than two
/// replications.
fn tail_band(
    simulation: &Simulation,
    index: usize,
    times: &[f64],
    confidence: f64,
) -> Option<Vec<(f64, f64, f64)>> {
    let tails: Vec<&Percentiles> = simulation
        .replications
        .iter()
        .map(|r| r.wait_distributions.get(index))
        .collect::<Option<_>>()?;
    if tails.len() < 2 {
        return None;
    }
    let band = times
        .iter()
        .filter_map(|&t| {
            // A replication that saw no message of the row says nothing.
            let shares: Vec<f64> = tails
                .iter()
                .map(|p| 1.0 - p.fraction_at_most(t))
                .filter(|share| share.is_finite())
                .collect();
            let estimate = student_t_interval(&shares, confidence).within((0.0, 1.0));
            (shares.len() >= 2 && estimate.ci_low.is_finite() && estimate.ci_high.is_finite())
                .then_some((t, estimate.ci_low, estimate.ci_high))
        })
        .collect();
    Some(band)
}

/// The warm-up trace of replication 0 at `point`.
pub fn warmup_data(scenario: &Scenario, point: usize) -> WarmupData {
    WarmupData {
        point,
        label: scenario.points[point].label(),
        trace: warmup_trace(&scenario.points[point].model, &scenario.run),
    }
}
