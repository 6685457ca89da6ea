//! Batch polling (Kafka's consumer poll loop), a behaviour of the
//! consumption axis for partitioned queues: a consumer polls its
//! partitions and takes up to `max_records` of their messages in arrival
//! order (each partition stays in order). When fewer than `fetch_min` are
//! there, the fetch waits for more, up to `fetch_wait` (Kafka's
//! `fetch.min.bytes` counted in messages, and `fetch.max.wait.ms`); a fetch
//! that times out empty is sent again at once. The batch's first message
//! pays the poll's `overhead` before its service; then the batch's
//! messages are served one after another, and the consumer polls again.
//!
//! With `fetch_min` 1 (or no fetch wait) and no overhead the batches change
//! nothing: the consumer serves its partitions' messages in arrival order
//! as soon as they are there, whatever `max_records`.
//!
//! A poll timeout (`max.poll.interval.ms`): a consumer still in its batch
//! that long after its poll leaves the group, and an eager rebalance pauses
//! the whole group (see [`PollTimeout`]).

use super::{Consumption, GroupChanges, Queue, RebalanceProtocol};
use crate::dist::Dist;

/// Kafka's default `max.poll.records` (ConsumerConfig).
pub const DEFAULT_MAX_POLL_RECORDS: u32 = 500;

/// Kafka's default `fetch.max.wait.ms` (ConsumerConfig), in milliseconds.
pub const DEFAULT_FETCH_WAIT_MS: f64 = 500.0;

/// Kafka's default `max.poll.interval.ms` (ConsumerConfig), in
/// milliseconds.
pub const DEFAULT_MAX_POLL_INTERVAL_MS: f64 = 300_000.0;

/// queuelab's default rebalance pause, in milliseconds: Kafka's default
/// `heartbeat.interval.ms` (ConsumerConfig), within which every member
/// learns of a rebalance from its heartbeat and rejoins.
pub const DEFAULT_REBALANCE_MS: f64 = 3_000.0;

/// Poll timeouts and the eager rebalances they trigger. A consumer whose
/// batch is still running `interval` after its poll leaves the group: the
/// group pauses for a `rebalance` (no consumer starts a message; those
/// serving finish theirs), every batch's unstarted messages go back to
/// their partitions, and the partitions are assigned over the members
/// left. The message the slow consumer is serving is finished, but its
/// commit fails, so its partition's new owner serves it again (a replay);
/// then the slow consumer rejoins, another rebalance.
#[derive(Clone, Debug, PartialEq)]
pub struct PollTimeout {
    /// Longest a batch may run after its poll (`max.poll.interval.ms`).
    pub interval: f64,
    /// How long a rebalance pauses the group.
    pub rebalance: Dist,
}

/// A consumer's poll loop.
#[derive(Clone, Debug, PartialEq)]
pub struct Poll {
    /// Most messages a poll takes (`max.poll.records`), at least 1.
    pub max_records: u32,
    /// Messages a fetch waits for before it returns, at least 1.
    pub fetch_min: u32,
    /// Longest a fetch waits for `fetch_min` messages (>= 0).
    pub fetch_wait: f64,
    /// Time a poll costs before the batch's first service; `None` for none.
    pub overhead: Option<Dist>,
    /// Poll timeouts and rebalances; `None`: a batch never times out.
    pub timeout: Option<PollTimeout>,
    /// Consumers joining and leaving at given times; `None`: the group
    /// keeps its size (boxed: rarely there, and large).
    pub changes: Option<Box<GroupChanges>>,
    /// How every rebalance of the group pauses it.
    pub protocol: RebalanceProtocol,
}

impl Poll {
    /// True when a fetch may wait for more messages than are there: a
    /// `fetch_min` above 1 with a fetch wait.
    pub fn waits_for_more(&self) -> bool {
        self.fetch_min > 1 && self.fetch_wait > 0.0
    }

    /// The messages a fetch waits for: `fetch_min`, or 1 when it never
    /// waits.
    pub fn effective_fetch_min(&self) -> u32 {
        if self.waits_for_more() {
            self.fetch_min
        } else {
            1
        }
    }

    /// True when the poll loop serves exactly as one message at a time: a
    /// fetch returns with the first message, and costs nothing (a poll
    /// timeout is a feature of its own).
    pub fn is_one_at_a_time(&self) -> bool {
        !self.waits_for_more() && self.overhead.is_none()
    }

    /// True when every poll takes the first message there, alone: the
    /// consumer is then an M/G/1 server whose service is overhead + the
    /// message's service.
    pub fn is_single_record(&self) -> bool {
        self.max_records == 1 && !self.waits_for_more()
    }

    /// True when the group rebalances: its batches time out or its size
    /// changes.
    pub fn rebalances(&self) -> bool {
        self.timeout.is_some() || self.changes.is_some()
    }

    /// Mean poll overhead (0 without).
    pub fn mean_overhead(&self) -> f64 {
        self.overhead.as_ref().map_or(0.0, Dist::mean)
    }

    /// Second moment of the poll overhead (0 without).
    pub fn overhead_second_moment(&self) -> f64 {
        self.overhead
            .as_ref()
            .map_or(0.0, |o| o.variance() + o.mean() * o.mean())
    }
}

impl Queue {
    /// The consumers' poll loop, for a queue read by polling.
    pub fn poll(&self) -> Option<&Poll> {
        match &self.consumption {
            Consumption::OneAtATime => None,
            Consumption::Polls(poll) => Some(poll),
        }
    }

    /// The poll overhead each message carries when its consumer is
    /// saturated (every poll a full batch): the mean overhead over
    /// `max_records`; 0 without polling or overhead. With single-record
    /// polls it is every message's.
    pub fn saturated_overhead(&self) -> f64 {
        self.poll()
            .map_or(0.0, |p| p.mean_overhead() / f64::from(p.max_records))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn poll(max_records: u32, fetch_min: u32, fetch_wait: f64, overhead: f64) -> Poll {
        Poll {
            max_records,
            fetch_min,
            fetch_wait,
            overhead: (overhead > 0.0).then(|| Dist::deterministic(overhead).unwrap()),
            timeout: None,
            changes: None,
            protocol: RebalanceProtocol::Eager,
        }
    }

    #[test]
    fn a_fetch_waits_only_with_a_minimum_above_one_and_a_wait() {
        assert!(poll(500, 10, 5.0, 0.0).waits_for_more());
        assert_eq!(poll(500, 10, 5.0, 0.0).effective_fetch_min(), 10);
        assert!(!poll(500, 10, 0.0, 0.0).waits_for_more());
        assert_eq!(poll(500, 10, 0.0, 0.0).effective_fetch_min(), 1);
        assert!(poll(500, 1, 5.0, 0.0).is_one_at_a_time());
        assert!(!poll(500, 1, 5.0, 0.1).is_one_at_a_time());
        assert!(poll(1, 1, 5.0, 0.1).is_single_record());
        assert!(!poll(1, 2, 5.0, 0.1).is_single_record());
        // Deterministic 0.5: mean 0.5, second moment 0.25.
        let p = poll(4, 1, 5.0, 0.5);
        assert_eq!((p.mean_overhead(), p.overhead_second_moment()), (0.5, 0.25));
    }
}
