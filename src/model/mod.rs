//! The validated in-memory model: producers, queues built from behaviours,
//! classes and routing, with what every stage reads about it (its traffic,
//! its features, the rows its results have). Built from a scenario file by
//! `scenario` or directly in code ([`Model::builder`], which checks what
//! a scenario file's model must satisfy); read by `theory`, `sim`
//! and `live`.
//!
//! Where things live: `station.rs` (a queue, one behaviour per axis),
//! `discipline.rs` (the order axis), `routing.rs`, `producer.rs`,
//! `traffic.rs` (traffic equations, loads, rescaling), `features.rs` (what a
//! model uses beyond M/M/c, for the theory and live whitelists),
//! `window.rs` (prefetch windows, on the dispatch axis), `partitions.rs`
//! (partitioned queues: assignors, keys, partition loads), `poll.rs` (batch
//! polling, on the consumption axis), `group.rs` (a polling group's
//! changes, rebalance protocols and the sticky assignment), `retry.rs`
//! (failed deliveries delivered again, on the exit axis), `outage.rs`
//! (consumers that fail and are repaired, on the availability axis),
//! `lease.rs` (a lease on each delivery, redelivered when it runs out, on
//! the exit axis), `fanout.rs` (several consumer groups reading one
//! topic), `target.rs` (what
//! a result row describes), `record.rs` (one visit, as the simulator and
//! live record it), `metric.rs`, `profile.rs`.

use crate::dist::Dist;

mod build;
mod discipline;
mod fanout;
mod features;
mod group;
mod lease;
pub mod metric;
mod outage;
mod partitions;
mod poll;
mod producer;
pub mod profile;
mod record;
mod retry;
mod routing;
mod station;
mod target;
mod traffic;
mod window;

pub use build::{MAX_PARTITIONS, ModelBuilder, ModelError, ProducerBuilder, QueueBuilder};
pub use discipline::Discipline;
pub use features::{Feature, Features, Site};
pub use group::{GroupChange, GroupChanges, RebalanceProtocol, sticky_owners};
pub use lease::Lease;
use metric::{Metric, Threshold};
pub use outage::Outage;
pub use partitions::{
    Assignor, KeyDistribution, Keys, OverloadedConsumer, Partitioning, key_partition, murmur2,
};
pub use poll::{
    DEFAULT_FETCH_WAIT_MS, DEFAULT_MAX_POLL_INTERVAL_MS, DEFAULT_MAX_POLL_RECORDS,
    DEFAULT_REBALANCE_MS, Poll, PollTimeout,
};
pub use producer::{Arrivals, Producer};
pub use record::{Loss, VisitRecord};
pub use retry::{Backoff, Delays, ROCKETMQ_RETRIES, ROCKETMQ_SECONDS, Redelivery, Retry};
pub use routing::Route;
pub use station::{
    Admission, Availability, Consumption, Dispatch, Exit, Expiry, Limit, Overflow, Queue, UNLIMITED,
};
pub use target::{SYSTEM, Target, targets};
pub use traffic::{STABILITY_TOLERANCE, solve_traffic_equations};
pub use window::{UNLIMITED_PREFETCH, Window};

/// A message class.
#[derive(Clone, Debug)]
pub struct Class {
    /// Name from the scenario file (`default` when the file declares none).
    pub name: String,
    /// Lower numbers are served first under the priority discipline.
    pub priority: i64,
    /// Service time at every queue for this class, replacing the queue's.
    pub service: Option<Dist>,
}

impl Class {
    /// Service-time distribution of this class's messages at `queue`.
    pub fn service_at<'a>(&'a self, queue: &'a Queue) -> &'a Dist {
        self.service.as_ref().unwrap_or(&queue.service)
    }
}

/// A complete, validated queueing model.
#[derive(Clone, Debug)]
pub struct Model {
    /// Scenario name.
    pub name: String,
    /// Label of the time unit, e.g. "ms".
    pub time_unit: String,
    /// Arrival streams.
    pub producers: Vec<Producer>,
    /// Stations.
    pub queues: Vec<Queue>,
    /// Message classes; at least one.
    pub classes: Vec<Class>,
    /// Service-level thresholds, distinct and in increasing order: each t
    /// adds the metrics `wait_within_<t>` and `sojourn_within_<t>` to the
    /// results (none by default).
    pub within: Vec<Threshold>,
    /// Reporting intervals of this length over a run measured by time
    /// (`[run] report_every`): the run then reports every interval, as
    /// with a rate profile (none by default).
    pub report_every: Option<f64>,
}

impl Model {
    /// The metrics reported for this model, in the order of its value
    /// vectors: the fixed ones, then those of its thresholds (see
    /// [`crate::model::metric::layout`]).
    pub fn metrics(&self) -> Vec<Metric> {
        metric::layout(&self.within)
    }

    /// Service-time distribution of `class` messages at `queue`.
    pub fn service(&self, queue: usize, class: usize) -> &Dist {
        self.classes[class].service_at(&self.queues[queue])
    }

    /// True when the scenario distinguishes several classes.
    pub fn has_classes(&self) -> bool {
        self.classes.len() > 1
    }

    /// True when some producer's rate follows a profile over time (a
    /// queue's consumer schedule follows it too).
    pub fn has_profiles(&self) -> bool {
        self.producers.iter().any(|p| p.profile.is_some())
    }

    /// True when a run reports interval by interval: producers follow rate
    /// profiles, or `report_every` asks for intervals.
    pub fn has_intervals(&self) -> bool {
        self.has_profiles() || self.report_every.is_some()
    }

    /// The consumers of `queue` at model time `time` (within a step, not
    /// on its boundary: see [`crate::model::profile::Span::middle`]).
    pub fn consumers_at(&self, queue: usize, time: f64) -> u32 {
        let queue = &self.queues[queue];
        queue
            .schedule
            .as_ref()
            .map_or(queue.consumers, |schedule| schedule.value_at(time) as u32)
    }
}
