//! Totals of a queue's polls (batch polling) over the measured window:
//! polls, the messages they took, their overheads and the time fetches
//! waited for more with messages already there. O(1) memory.

use crate::model::metric::{Metric, MetricValues};

/// The poll totals of one target.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct PollTotals {
    polls: u64,
    messages: u64,
    overhead: f64,
    fetch_wait: f64,
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
