//! Simulation's verdict on one candidate: replications in batches until
//! every target is clearly met or clearly missed, or the cap is reached.

use std::collections::BTreeMap;

use rayon::prelude::*;

use super::goal::{Goal, Status};
use super::search::Measured;
use crate::model::Model;
use crate::report::Interval;
use crate::run::RunConfig;
use crate::sim::{self, Replication, Simulation};

/// How a candidate fared in simulation.
#[derive(Clone, Debug, PartialEq)]
pub struct Confirmation {
    /// The worst status over the targets.
    pub status: Status,
    /// Each target's interval (`None` where simulation cannot measure it).
    pub intervals: Vec<Option<Interval>>,
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
/// goal; while some goal is uncertain, adds a batch of replications, up to
/// `max_replications`. Replication `r` uses the same random streams for
/// every candidate (common random numbers), so neighbouring candidates are
/// compared on the same traffic.
pub fn confirm(
    model: &Model,
    goals: &[Goal],
    run: &RunConfig,
    max_replications: u32,
) -> Confirmation {
    let batch = |range: std::ops::Range<u32>| -> Vec<Replication> {
        range
            .into_par_iter()
            .map(|replication| sim::run_replication(model, run, replication))
            .collect()
    };
    let mut replications = batch(0..run.replications);
    loop {
        let done = replications.len() as u32;
        let simulation = Simulation::from_replications(model, run, replications);
        let intervals: Vec<Option<Interval>> = goals
            .iter()
            .map(|goal| goal.simulated(model, &simulation, run.confidence))
            .collect();
        let status = Status::all(goals.iter().zip(&intervals).map(|(goal, interval)| {
            interval
                .as_ref()
                .map_or(Status::Uncertain, |interval| goal.classify(interval))
        }));
        let next = (done + run.replications).min(max_replications);
        if status != Status::Uncertain || next <= done {
            return Confirmation {
                status,
                intervals,
                replications: done,
            };
        }
        replications = simulation.replications;
        replications.extend(batch(done..next));
    }
}
