//! Simulation's verdict on one candidate: replications in batches until
//! every target is clearly met or clearly missed, or the cap is reached.

use std::collections::BTreeMap;

use rayon::prelude::*;

use super::search::Measured;
use super::{Goal, Status};
use crate::model::Model;
use crate::run::RunConfig;
use crate::sim::{self, Replication, Simulation};
use crate::stats::Estimate;

/// How a candidate fared in simulation.
#[derive(Clone, Debug, PartialEq)]
pub struct Confirmation {
    /// The worst status over the targets.
    pub status: Status,
    /// Each target's interval (`None` where simulation cannot measure it).
    pub intervals: Vec<Option<Estimate>>,
    /// Replications run.
    pub replications: u32,
}

impl Confirmation {
    /// Each target's interval, keyed as in [`Goal::key`].
    pub fn measured(&self, goals: &[Goal]) -> BTreeMap<String, Measured> {
        goals
            .iter()
            .zip(&self.intervals)
            .filter_map(|(goal, interval)| {
                Some((goal.key(goals), Measured::Interval((*interval)?)))
            })
            .collect()
    }
}

/// Simulates `model` with `run` (its seed and batch size) and judges every
/// goal over the whole run; while some goal is uncertain, adds a batch of
/// replications, up to `max_replications`. Replication `r` uses the same
/// random streams for every candidate (common random numbers), so
/// neighbouring candidates are compared on the same traffic.
pub fn confirm(
    model: &Model,
    goals: &[Goal],
    run: &RunConfig,
    max_replications: u32,
) -> Confirmation {
    let (mut judged, replications) = until_certain(model, run, max_replications, |simulation| {
        vec![judge(model, goals, simulation, run.confidence, None)]
    });
    let (status, intervals) = judged.remove(0);
    Confirmation {
        status,
        intervals,
        replications,
    }
}

/// Like [`confirm`], judging every goal in each reporting interval
/// separately (rate profiles); adds replications while any interval is
/// uncertain. One confirmation per interval, all with the same replications.
pub fn confirm_intervals(
    model: &Model,
    goals: &[Goal],
    run: &RunConfig,
    max_replications: u32,
) -> Vec<Confirmation> {
    let (judged, replications) = until_certain(model, run, max_replications, |simulation| {
        (0..simulation.interval_estimates.len())
            .map(|k| judge(model, goals, simulation, run.confidence, Some(k)))
            .collect()
    });
    judged
        .into_iter()
        .map(|(status, intervals)| Confirmation {
            status,
            intervals,
            replications,
        })
        .collect()
}

/// Each goal's simulated interval (whole run, or reporting interval
/// `interval`) and the worst status over them.
fn judge(
    model: &Model,
    goals: &[Goal],
    simulation: &Simulation,
    confidence: f64,
    interval: Option<usize>,
) -> (Status, Vec<Option<Estimate>>) {
    let intervals: Vec<Option<Estimate>> = goals
        .iter()
        .map(|goal| goal.simulated(model, simulation, confidence, interval))
        .collect();
    let status = Status::all(goals.iter().zip(&intervals).map(|(goal, interval)| {
        interval
            .as_ref()
            .map_or(Status::Uncertain, |interval| goal.classify(interval))
    }));
    (status, intervals)
}

/// Runs batches of `run.replications` replications of `model` until no
/// verdict of `verdicts` is uncertain, or `max_replications` have run;
/// returns the last verdicts and the replications behind them.
fn until_certain<T>(
    model: &Model,
    run: &RunConfig,
    max_replications: u32,
    verdicts: impl Fn(&Simulation) -> Vec<(Status, T)>,
) -> (Vec<(Status, T)>, u32) {
    let warmup = sim::warmup(model, run);
    let batch = |range: std::ops::Range<u32>| -> Vec<Replication> {
        range
            .into_par_iter()
            .map(|replication| {
                sim::run_replication_with_interval_waits(model, run, warmup, replication)
            })
            .collect()
    };
    let mut replications = batch(0..run.replications);
    loop {
        let done = replications.len() as u32;
        let simulation = Simulation::from_replications(model, run, replications);
        let judged = verdicts(&simulation);
        let uncertain = judged
            .iter()
            .any(|(status, _)| *status == Status::Uncertain);
        let next = (done + run.replications).min(max_replications);
        if !uncertain || next <= done {
            return (judged, done);
        }
        replications = simulation.replications;
        replications.extend(batch(done..next));
    }
}
