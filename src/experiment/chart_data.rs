//! The data charts need beyond results.json, computed once so `plot` can
//! redraw without simulating: the waiting-time distribution at the detail
//! point, its warm-up trace, and theory on a fine grid of a numeric sweep.

use super::curves::theory_curves;
use crate::model::targets;
use crate::results::{
    ChartInputs, DistributionData, DistributionSeries, WarmupData, target_labels,
};
use crate::scenario::{Scenario, SweepPoint};
use crate::sim::{Simulation, warmup_trace};
use crate::stats::{Percentiles, student_t_interval};
use crate::theory::wait_tail;

/// Points kept per distribution curve.
const CURVE_POINTS: usize = 200;

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
            let (queue, class) = target_labels(model, target);
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

/// The distribution and warm-up data at the detail point (the highest load),
/// and theory on a fine grid of a numeric sweep.
pub fn chart_inputs(scenario: &Scenario, simulations: &[Option<Simulation>]) -> ChartInputs {
    let point = detail_point(&scenario.points);
    ChartInputs {
        distribution: simulations[point]
            .as_ref()
            .map(|simulation| distribution_data(scenario, point, simulation)),
        // Runs with rate profiles start empty by design: no warm-up to show.
        warmup: (scenario.compare.simulation && !scenario.points[point].model.has_profiles())
            .then(|| warmup_data(scenario, point)),
        curves: theory_curves(scenario),
    }
}
