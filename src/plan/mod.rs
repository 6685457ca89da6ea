//! Capacity planning: the smallest number of consumers or buffer size, the
//! fewest consumers and partitions, the smallest prefetch or retry limit,
//! or the highest load, that meets every target. Exact theory finds the
//! candidate in milliseconds where it applies; simulation then confirms it
//! (a candidate meets a target only when its whole confidence interval
//! does). Without theory the search runs on simulation alone.

mod confirm;
mod document;
mod goal;
mod network;
mod partitions;
mod schedule;
mod search;

/// What a plan decides and its targets are declared beside the scenario,
/// which validates them; they are the plan's all the same.
pub use crate::scenario::plan_settings::{
    Bound, Decision, Goal, GoalMetric, PlanSettings, Status, Trend,
};
pub use confirm::{Confirmation, confirm, confirm_intervals};
pub use document::{DecisionBlock, PLAN_FILE, PlanDocument, plan_document};
pub use partitions::{PartitionChoice, theory_choice};
pub use schedule::{MAX_ROUNDS, ScheduleBlock, ScheduleStep};
pub use search::{Candidate, Measured, PlanOutcome, Source, headroom_of, plan, theory_candidate};

/// Told, in words, each candidate that simulation is about to judge (a
/// progress display); it never changes the plan.
pub type Watch<'a> = &'a (dyn Fn(&str) + Sync);
