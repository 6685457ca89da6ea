//! Counts of a queue's leases (`ack_wait`) over the measured messages:
//! first deliveries that outlived their lease, and duplicate deliveries
//! made. O(1) memory.

use crate::model::metric::{Metric, MetricValues};

/// The lease counts of one target, over its measured messages.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct LeaseCounts {
    /// First deliveries whose lease ran out before their acknowledgement.
    first_expired: u64,
    /// Duplicate deliveries a consumer took.
    duplicates: u64,
}

impl LeaseCounts {
    /// The lease of a message's first delivery ran out.
    pub(super) fn first_expired(&mut self) {
        self.first_expired += 1;
    }

    /// A consumer took a duplicate delivery.
    pub(super) fn duplicate(&mut self) {
        self.duplicates += 1;
    }

    /// `p_lease_expired` and `lease_redeliveries_per_message` over
    /// `messages` measured arrivals, into `values` (none without one).
    pub(super) fn write(&self, messages: u64, values: &mut MetricValues) {
        if messages == 0 {
            return;
        }
        let per_message = |count: u64| count as f64 / messages as f64;
        values[Metric::PLeaseExpired.index()] = per_message(self.first_expired);
        values[Metric::LeaseRedeliveriesPerMessage.index()] = per_message(self.duplicates);
    }
}
