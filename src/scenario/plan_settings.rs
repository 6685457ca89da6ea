//! What a plan takes: `[plan]` as the planner reads it, the decided key
//! and the targets with their bounds. Part of the input contract, so the
//! scenario validates it without importing `plan`, which re-exports it.

use serde::{Deserialize, Serialize};

use crate::model::metric::Metric;
use crate::model::{Admission, Dispatch, Model, Partitioning, Target};
use crate::stats::Estimate;

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

    /// The result row this target reads: its queue (or the system), all
    /// classes.
    pub fn row_target(&self) -> Target {
        Target {
            queue: self.target,
            class: None,
            partition: None,
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
}

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
    /// The partitions of a partitioned queue and its group's consumers
    /// together (`queues.<name>.partitions`): the fewest consumers, then
    /// the fewest partitions, by exact theory.
    Partitions(usize),
    /// The prefetch of a queue's windows (`queues.<name>.prefetch`).
    Prefetch(usize),
    /// The retry limit of a queue with retries
    /// (`queues.<name>.retry.max_retries`).
    MaxRetries(usize),
}

/// How a target moves as the decided value grows (for `load`: falls).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trend {
    /// It gets easier to meet: the search looks for the smallest value
    /// that meets every such target.
    Eases,
    /// It gets harder to meet (the retry traffic as the retry limit
    /// grows): checked at the value found, the best value for it.
    Tightens,
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
            Decision::Network | Decision::Partitions(_) => None,
            Decision::Prefetch(queue) => {
                let mut changed = model.clone();
                match &mut changed.queues[queue].dispatch {
                    Dispatch::Window(window) if value >= 1.0 => window.prefetch = value as u32,
                    _ => return None,
                }
                Some(changed)
            }
            Decision::MaxRetries(queue) => {
                let mut changed = model.clone();
                changed.queues[queue].exit.retry.as_mut()?.max_retries = Some(value as u32);
                Some(changed)
            }
        }
    }

    /// `model` with `partitions` partitions on partitioned `queue`, read by
    /// `consumers` consumers.
    pub fn with_partitions(model: &Model, queue: usize, partitions: u32, consumers: u32) -> Model {
        let mut changed = model.clone();
        let spec = &mut changed.queues[queue];
        if let Dispatch::Partitioned(Partitioning { partitions: p, .. }) = &mut spec.dispatch {
            *p = partitions;
        }
        spec.consumers = consumers;
        changed
    }

    /// How a target on `metric` bounded by `bound` moves as the decided
    /// value grows (or the load falls); `None` when it does not move one
    /// way, which the search needs.
    pub fn trend(&self, metric: &GoalMetric, bound: &Bound) -> Option<Trend> {
        let upper = matches!(bound, Bound::AtMost(_));
        let named = |names: &[Metric]| matches!(metric, GoalMetric::Metric(m) if names.contains(m));
        let within = matches!(metric, GoalMetric::WaitWithin { .. });
        let eases = match self {
            Decision::Capacity(_) => {
                (named(&[Metric::PBlocked]) && upper) || (named(&[Metric::Throughput]) && !upper)
            }
            Decision::Load => upper || within,
            Decision::Consumers(_) | Decision::Network | Decision::Partitions(_) => {
                upper || within || named(&[Metric::Throughput])
            }
            // More slots keep the consumers busier: throughput, expiry and
            // waits improve while the windows starve them, and the hoarding
            // falls past that edge toward the unlimited window's.
            Decision::Prefetch(_) => {
                upper || within || named(&[Metric::Throughput, Metric::ConsumerUtilisation])
            }
            Decision::MaxRetries(_) => {
                // More retries dead-letter fewer messages and bring more
                // deliveries: every other upper bound, and the share
                // served in time, get harder.
                if named(&[Metric::PDeadLettered]) {
                    upper
                } else if upper || within {
                    return Some(Trend::Tightens);
                } else {
                    false
                }
            }
        };
        eases.then_some(Trend::Eases)
    }

    /// True when larger values help (consumers, capacity, ...); false for
    /// load.
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
