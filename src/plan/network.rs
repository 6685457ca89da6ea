//! Consumers for every queue of a network at once (`decide =
//! "queues.*.consumers"`), so that end-to-end targets hold with few
//! consumers in total.
//!
//! Heuristic (greedy marginal allocation, by theory): start every queue at
//! the fewest consumers that keep it stable; while some target fails, give
//! one more consumer to the queue whose extra consumer most reduces the
//! targets' total relative shortfall (ties: the queue listed first). Greedy
//! allocation is optimal for separable convex costs and a good heuristic
//! otherwise; simulation then confirms the result, taking further greedy
//! steps while it does not.

use std::collections::BTreeMap;

use super::confirm::confirm;
use super::search::{Candidate, Measured, PlanOutcome, SIMULATION_STEPS, Source};
use super::{Bound, Goal, Status};
use super::{PlanSettings, Watch, headroom_of};
use crate::model::Model;
use crate::run::RunConfig;

/// A consumer that reduces the total relative shortfall by less than this
/// no longer helps: the targets are out of reach of more consumers.
const NO_PROGRESS: f64 = 1e-6;

/// Consumers per queue.
pub type Allocation = Vec<u32>;

/// `model` with `allocation`'s consumers.
fn with_consumers(model: &Model, allocation: &Allocation) -> Model {
    let mut changed = model.clone();
    for (queue, &consumers) in changed.queues.iter_mut().zip(allocation) {
        queue.consumers = consumers;
    }
    changed
}

/// The fewest consumers that keep each queue stable (queues with a
/// capacity or patience, and unlimited ones, keep what they have or 1).
fn stable_start(model: &Model) -> Option<Allocation> {
    let loads = model.loads()?;
    Some(
        model
            .queues
            .iter()
            .zip(loads)
            .map(|(queue, load)| {
                let bounded = queue.capacity().is_some() || queue.patience().is_some();
                if queue.is_unlimited() {
                    queue.consumers
                } else if bounded {
                    1
                } else {
                    let offered = load * f64::from(queue.consumers);
                    (offered.floor() as u32).saturating_add(1)
                }
            })
            .collect(),
    )
}

/// Theory's values of the goals for `model`, or `None` without formulas.
fn theory_values(goals: &[Goal], model: &Model) -> Option<Vec<f64>> {
    if model.unstable_queue().is_some() {
        return None;
    }
    goals.iter().map(|goal| goal.theory_value(model)).collect()
}

/// How far `values` are from the targets: the total relative shortfall
/// (0 when every target is met), then minus the total relative slack, so
/// that among allocations that all meet, the one with most room wins.
fn shortfall(goals: &[Goal], values: &[f64]) -> (f64, f64) {
    let relative: Vec<f64> = goals
        .iter()
        .zip(values)
        .map(|(goal, &value)| match goal.bound {
            Bound::AtMost(bound) => (value - bound) / bound.max(f64::MIN_POSITIVE),
            Bound::AtLeast(bound) => (bound - value) / bound.max(f64::MIN_POSITIVE),
        })
        .collect();
    (
        relative.iter().map(|r| r.max(0.0)).sum(),
        relative.iter().map(|r| r.min(0.0)).sum(),
    )
}

fn candidate(
    model: &Model,
    allocation: &Allocation,
    status: Status,
    source: Source,
    metrics: BTreeMap<String, Measured>,
) -> Candidate {
    Candidate {
        value: allocation.iter().map(|&c| f64::from(c)).sum(),
        status,
        source,
        metrics,
        replications: None,
        note: None,
        allocation: Some(
            model
                .queues
                .iter()
                .zip(allocation)
                .map(|(queue, &consumers)| (queue.name.clone(), consumers))
                .collect(),
        ),
        schedule: None,
        consumers: None,
    }
}

/// The theory candidate of `allocation`, and its values.
fn theory_candidate(
    settings: &PlanSettings,
    model: &Model,
    allocation: &Allocation,
) -> Option<(Candidate, Vec<f64>)> {
    let values = theory_values(&settings.goals, &with_consumers(model, allocation))?;
    let status = Status::all(settings.goals.iter().zip(&values).map(|(g, &v)| g.judge(v)));
    let metrics = settings
        .goals
        .iter()
        .zip(&values)
        .map(|(goal, &value)| (goal.key(&settings.goals), Measured::Value(value)))
        .collect();
    Some((
        candidate(model, allocation, status, Source::Theory, metrics),
        values,
    ))
}

/// One greedy step: the allocation with one more consumer where it helps
/// most, with its shortfall; `None` when no queue's extra consumer has a
/// formula.
fn greedy_step(
    settings: &PlanSettings,
    model: &Model,
    allocation: &Allocation,
) -> Option<((f64, f64), Allocation)> {
    (0..allocation.len())
        .filter(|&queue| !model.queues[queue].is_unlimited())
        .filter_map(|queue| {
            let mut grown = allocation.clone();
            grown[queue] += 1;
            let values = theory_values(&settings.goals, &with_consumers(model, &grown))?;
            Some((shortfall(&settings.goals, &values), grown))
        })
        .min_by(|a, b| a.0.0.total_cmp(&b.0.0).then(a.0.1.total_cmp(&b.0.1)))
}

/// Plans the consumers of every queue: theory's greedy allocation, then
/// simulation's confirmation.
/// `watch` is told each allocation simulation judges.
pub fn plan_network(
    settings: &PlanSettings,
    model: &Model,
    run: &RunConfig,
    watch: Watch,
) -> PlanOutcome {
    let mut candidates = Vec::new();
    let infeasible = |candidates: Vec<Candidate>, value: f64, reason: String| PlanOutcome {
        allocation: candidates.last().and_then(|c| c.allocation.clone()),
        ..PlanOutcome::infeasible(value, reason, candidates)
    };
    let Some(mut allocation) = stable_start(model) else {
        return infeasible(
            candidates,
            0.0,
            "the routing never lets messages leave".into(),
        );
    };
    let total = |allocation: &Allocation| allocation.iter().map(|&c| f64::from(c)).sum::<f64>();
    loop {
        let Some((theory, values)) = theory_candidate(settings, model, &allocation) else {
            return infeasible(
                candidates,
                total(&allocation),
                "a target has no formula for this network, which the allocation heuristic needs; decide one queue's consumers at a time (simulation searches those)".into(),
            );
        };
        let met = theory.status == Status::Meets;
        candidates.push(theory);
        if met {
            break;
        }
        let current = shortfall(&settings.goals, &values).0;
        match greedy_step(settings, model, &allocation) {
            Some(((after, _), _)) if after > current - NO_PROGRESS => {
                return infeasible(
                    candidates,
                    total(&allocation),
                    format!(
                        "more consumers no longer help: with {} in total the targets are still missed by {:.1}% in all, a floor set by the service times themselves",
                        total(&allocation),
                        current * 100.0
                    ),
                );
            }
            Some((_, next)) if total(&next) <= settings.max_value => allocation = next,
            _ => {
                return infeasible(
                    candidates,
                    total(&allocation),
                    format!(
                        "no allocation of up to {} consumers in total (`plan.max_value`) meets every target",
                        settings.max_value
                    ),
                );
            }
        }
    }
    for _ in 0..=SIMULATION_STEPS {
        let chosen = with_consumers(model, &allocation);
        let consumers: Vec<String> = model
            .queues
            .iter()
            .zip(&allocation)
            .map(|(queue, consumers)| format!("{} {consumers}", queue.name))
            .collect();
        watch(&format!("consumers {}", consumers.join(", ")));
        let confirmation = confirm(&chosen, &settings.goals, run, settings.max_replications);
        let metrics = confirmation.measured(&settings.goals);
        let mut simulated = candidate(
            model,
            &allocation,
            confirmation.status,
            Source::Simulation,
            metrics,
        );
        simulated.replications = Some(confirmation.replications);
        let met = confirmation.status == Status::Meets;
        let named = simulated.allocation.clone();
        candidates.push(simulated);
        if met {
            return PlanOutcome {
                value: total(&allocation),
                status: "meets".into(),
                reason: None,
                note: None,
                headroom: headroom_of(&settings.goals, &chosen),
                allocation: named,
                candidates,
                schedule: None,
                partitions: None,
            };
        }
        match greedy_step(settings, model, &allocation) {
            Some((_, next)) => allocation = next,
            None => break,
        }
    }
    infeasible(
        candidates,
        total(&allocation),
        "simulation did not confirm theory's allocation within a few extra consumers".into(),
    )
}
