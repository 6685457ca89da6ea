//! Capacity planning: the smallest number of consumers or buffer size, or
//! the highest load, that meets every target. Exact theory finds the
//! candidate in milliseconds where it applies; simulation then confirms it
//! (a candidate meets a target only when its whole confidence interval
//! does). Without theory the search runs on simulation alone.

mod confirm;
mod document;
mod goal;
mod network;
mod schedule;
mod search;

use serde::{Deserialize, Serialize};

pub use confirm::{Confirmation, confirm, confirm_intervals};
pub use document::{DecisionBlock, PLAN_FILE, PlanDocument, plan_document};
pub use goal::{Bound, Goal, GoalMetric, Status};
pub use schedule::{MAX_ROUNDS, ScheduleBlock, ScheduleStep};
pub use search::{Candidate, Measured, PlanOutcome, Source, headroom_of, plan, theory_candidate};

/// Told, in words, each candidate that simulation is about to judge (a
/// progress display); it never changes the plan.
pub type Watch<'a> = &'a (dyn Fn(&str) + Sync);

use crate::model::{Admission, Model};

/// What the plan decides.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// The number of consumers of a queue.
    Consumers(usize),
    /// The capacity (buffer + in service) of a queue.
    Capacity(usize),
    /// The load (arrival rates scaled together).
    Load,
    /// The consumers of every queue of a network (`queues.*.consumers`),
    /// found by greedy marginal allocation.
    Network,
}

impl Decision {
    /// `model` with the decided value set to `value`; `None` when the value
    /// makes no model (a load <= 0, a capacity below the consumers) or is
    /// not one number (a network's allocation).
    pub fn apply(&self, model: &Model, value: f64) -> Option<Model> {
        match *self {
            Decision::Consumers(queue) => {
                let mut changed = model.clone();
                changed.queues[queue].consumers = value as u32;
                Some(changed)
            }
            Decision::Capacity(queue) => {
                let mut changed = model.clone();
                let capacity = value as u32;
                (capacity >= changed.queues[queue].consumers).then(|| {
                    changed.queues[queue].admission = Admission::with_capacity(Some(capacity));
                    changed
                })
            }
            Decision::Load => model.with_load(value),
            Decision::Network => None,
        }
    }

    /// True when larger values help (consumers, capacity); false for load.
    pub fn larger_is_better(&self) -> bool {
        !matches!(self, Decision::Load)
    }
}

/// A validated `[plan]`.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanSettings {
    /// The scenario key decided, e.g. `queues.support.consumers`.
    pub parameter: String,
    /// What it decides.
    pub decision: Decision,
    /// The targets.
    pub goals: Vec<Goal>,
    /// Largest consumers or capacity tried, or the highest load.
    pub max_value: f64,
    /// Cap on replications when confirming by simulation.
    pub max_replications: u32,
}
