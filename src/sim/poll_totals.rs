//! Totals of a queue's polls (batch polling) over the measured window:
//! polls, the messages they took, their overheads and the time fetches
//! waited for more with messages already there; with poll timeouts, the
//! rebalances, the time they paused the group (and each partition) and the
//! messages they took back to deliver again. O(1) memory.

use crate::model::metric::{Metric, MetricValues};

/// The poll totals of one target.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct PollTotals {
    polls: u64,
    messages: u64,
    overhead: f64,
    fetch_wait: f64,
    rebalances: u64,
    paused: f64,
    /// The partition-time paused (each partition's pauses added up).
    partition_paused: f64,
    redelivered: u64,
}

impl PollTotals {
    /// A poll took `size` messages after its fetch waited `fetch_wait`
    /// with messages there, and costs `overhead`.
    pub(super) fn record(&mut self, size: u32, overhead: f64, fetch_wait: f64) {
        self.polls += 1;
        self.messages += u64::from(size);
        self.overhead += overhead;
        self.fetch_wait += fetch_wait;
    }

    /// A rebalance began, taking back `redelivered` messages.
    pub(super) fn rebalance(&mut self, redelivered: u32) {
        self.rebalances += 1;
        self.redelivered += u64::from(redelivered);
    }

    /// A rebalance pause that lasted `paused` ended, having paused the
    /// partitions for `partition_time` in all.
    pub(super) fn pause(&mut self, paused: f64, partition_time: f64) {
        self.paused += paused;
        self.partition_paused += partition_time;
    }

    /// Writes the rebalance metrics into a target's `values`, measured
    /// over `window` time units, of a queue of `partitions`.
    pub(super) fn write_rebalances(&self, window: f64, partitions: u32, values: &mut MetricValues) {
        values[Metric::RebalanceShare.index()] = (self.paused / window).min(1.0);
        values[Metric::RebalanceRate.index()] = self.rebalances as f64 / window;
        if self.rebalances > 0 {
            values[Metric::RebalancePauseMean.index()] =
                self.partition_paused / (f64::from(partitions) * self.rebalances as f64);
        }
        if self.messages > 0 {
            values[Metric::PRedelivered.index()] = self.redelivered as f64 / self.messages as f64;
        }
    }

    /// Writes the poll metrics into a target's `values`, measured over
    /// `window` time units with `consumers` consumers.
    pub(super) fn write(&self, window: f64, consumers: f64, values: &mut MetricValues) {
        if self.polls == 0 {
            return;
        }
        let consumer_time = window * consumers;
        values[Metric::MeanBatch.index()] = self.messages as f64 / self.polls as f64;
        // (Clamped: a poll begun in the window may overrun its end.)
        values[Metric::PollOverheadShare.index()] = (self.overhead / consumer_time).min(1.0);
        values[Metric::FetchWaitShare.index()] = (self.fetch_wait / consumer_time).min(1.0);
    }
}
